"""Known publication formats read with no argument: Eurostat bulk TSV and SDMX-CSV, measure-stacked
long tables (counts, percentages and confidence intervals in one value column), census attributes
inside boundary files. Small reproductions of each format, not the corpus files."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from egovkit.errors import InputError
from egovkit.indicators import territory_figures
from egovkit.read import read_table

warnings.filterwarnings("ignore", category=Warning, module="egovkit")


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(path, **kw)


def _codes(t, frame="data"):
    return sorted(getattr(t, frame)["area_code"].astype(str).unique())


# -- Eurostat bulk TSV ---------------------------------------------------------------------------

BULK = (
    "indic_is,unit,hhtyp,geo\\time\t2021 \t2022 \t2023 \n"
    "H_BBFIX,PC_HH,TOTAL,DE\t70 \t71 \t72 \n"
    "H_BBFIX,PC_HH,TOTAL,EU27_2020\t69 \t70 \t71 \n"
    "H_BROAD,PC_HH,A1,DE\t80 \t82 \t85 \n"
    "H_BROAD,PC_HH,TOTAL,DE\t90 \t91 \t92 e\n"
    "H_BROAD,PC_HH,TOTAL,EU27_2020\t89 \t90 \t91 \n"
    "H_BROAD,PC_HH,TOTAL,FR\t88 b\t89 \t90 u\n"
    "H_BROAD,PC_HH,TOTAL,IT\t80 \t: \t84 \n"
    "H_IACC,PC_HH,TOTAL,DE\t92 \t93 \t94 \n"
    "H_IACC,PC_HH,TOTAL,EA\t91 \t92 \t93 \n"
    "H_IACC,PC_HH,TOTAL,EU27_2020\t90 \t91 \t93 \n"
    "H_IACC,PC_HH,TOTAL,FR\t89 \t90 \t91 \n"
    "H_IACC,PC_HH,TOTAL,IT\t82 \t: \t86 \n"
    "H_IACC,PC_HH_IACC,TOTAL,DE\t97 \t98 \t99 \n"
    "H_DSL,PC_HH,TOTAL,DE\t30 \t31 \t32 \n"
)


def test_bulk_tsv_splits_the_key_melts_years_and_keeps_the_eu_row_apart(tmp_path):
    path = tmp_path / "isoc_ci_it_h.tsv"
    path.write_text(BULK, encoding="utf-8")
    t = _read(path)
    d = t.data
    assert sorted(d["indicator"].unique()) == ["broadband", "internet"]
    assert _codes(t) == ["DE", "FR", "IT"]  # countries are the districts; aggregates never
    got = d.set_index(["area_code", "indicator"])["numerator"]
    assert got[("IT", "internet")] == pytest.approx(0.86)  # latest year 2023, ':' in 2022 is missing only
    assert got[("DE", "broadband")] == pytest.approx(0.92)  # hhtyp TOTAL, not A1; flag 'e' stripped
    terr = territory_figures(t).set_index("indicator")["share"]
    assert terr["internet"] == pytest.approx(0.93) and terr["broadband"] == pytest.approx(0.91)
    assert "EA" in set(t.other_levels["area_code"].astype(str))  # the euro area kept apart, not a district
    text = str(t.report)
    assert "PC_HH_IACC" in text and "hhtyp" in text  # other unit and breakdown left out, said
    # fixed broadband is a narrower measure of broadband: H_BROAD read, H_BBFIX left out; H_DSL unknown: left out
    assert "H_BBFIX" in text and "H_DSL" in text and len(d) == 6
    flags = t.report.by_code("eurostat_flags")
    assert flags and flags[0].severity == "warning" and "low reliability" in flags[0].message


def test_bulk_tsv_other_period_on_request(tmp_path):
    path = tmp_path / "isoc_ci_it_h.tsv"
    path.write_text(BULK, encoding="utf-8")
    t = _read(path, period=2021)
    assert t.data.set_index(["area_code", "indicator"])["numerator"][("FR", "broadband")] == pytest.approx(0.88)


def test_bulk_tsv_without_indicator_code_is_told_by_the_dataflow_in_the_file_name(tmp_path):
    path = tmp_path / "isoc_ci_in_h.tsv"
    path.write_text("unit,hhtyp,geo\\time\t2019 \nPC_HH,TOTAL,AT\t90 \nPC_HH,TOTAL,BE\t90 \n"
                    "PC_HH,TOTAL,EU27_2020\t90 \n", encoding="utf-8")
    t = _read(path)
    assert set(t.data["indicator"]) == {"internet"}
    assert "ISOC_CI_IN_H" in str(t.report)


def test_bulk_tsv_whose_indicator_nobody_says_asks_for_it(tmp_path):
    path = tmp_path / "download.tsv"
    path.write_text("unit,hhtyp,geo\\time\t2019 \nPC_HH,TOTAL,AT\t90 \nPC_HH,TOTAL,BE\t90 \n", encoding="utf-8")
    with pytest.raises(InputError, match="columns="):
        _read(path)


# -- Eurostat SDMX-CSV ---------------------------------------------------------------------------

def _sdmx(rows, flow="ESTAT:ISOC_R_IUSE_I(1.0)", indic="I_ILT12", unit="PC_IND"):
    head = "DATAFLOW,LAST UPDATE,freq,indic_is,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
    return head + "".join(f"{flow},01/01/25 23:00:00,A,{indic},{unit},{g},{y},{v},{f}\n" for g, y, v, f in rows)


def test_sdmx_csv_regions_nested_under_their_country(tmp_path):
    rows = [("DE", 2023, 91.0, ""), ("DE1", 2023, 92.5, ""), ("DE11", 2023, 93.1, ""), ("DE12", 2023, 91.9, "u"),
            ("DE2", 2023, 89.0, ""), ("DE21", 2023, 90.2, ""), ("DE22", 2023, 87.7, ""), ("DE", 2022, 90.0, "")]
    path = tmp_path / "isoc_r_iuse_i.csv"
    path.write_text(_sdmx(rows), encoding="utf-8")
    t = _read(path)
    assert set(t.data["indicator"]) == {"internet_use"} and set(t.data["universe"]) == {"persons"}
    assert _codes(t) == ["DE11", "DE12", "DE21", "DE22"]  # NUTS 2 the districts
    other = t.other_levels.set_index("area_code")["level"]
    assert other["DE1"] == "NUTS 1" and other["DE2"] == "NUTS 1"
    assert territory_figures(t)["share"].tolist() == [pytest.approx(0.91)]  # DE, latest year 2023
    # another level on request
    t1 = _read(path, district_level="NUTS 1")
    assert _codes(t1) == ["DE1", "DE2"]


def test_sdmx_csv_in_a_unit_of_no_catalogue_universe_is_refused(tmp_path):
    path = tmp_path / "isoc.csv"
    path.write_text(_sdmx([("DE", 2023, 31000, ""), ("FR", 2023, 25000, "")], unit="THS_HH"), encoding="utf-8")
    with pytest.raises(InputError, match="THS_HH"):
        _read(path)


def test_sdmx_csv_unknown_indicator_code_is_not_guessed(tmp_path):
    path = tmp_path / "isoc.csv"
    path.write_text(_sdmx([("DE", 2023, 31, ""), ("FR", 2023, 25, "")], indic="I_XYZ"), encoding="utf-8")
    with pytest.raises(InputError, match="columns="):
        _read(path)


# -- measure-stacked long tables -----------------------------------------------------------------

def test_measure_stacked_table_keeps_the_percent_estimates(tmp_path):
    rows = []
    for region, pct, n in (("France", 90.1, 27_000_000), ("Bretagne", 88.0, 1_500_000), ("Occitanie", 89.5, 2_700_000),
                           ("Corse", 85.2, 150_000)):
        for year, shift in ((2022, 0.0), (2023, 1.0)):
            ind, ci = "Ménages avec accès à Internet", "Intervalle de confiance"
            rows += [(n, ind, region, year, "Nombre de ménages", "Valeur"),
                     (n // 100, ind, region, year, "Nombre de ménages", ci),
                     (pct + shift, ind, region, year, "Part des ménages (%)", "Valeur"),
                     (1.2, ind, region, year, "Part des ménages (%)", ci)]
    df = pd.DataFrame(rows, columns=["Valeur", "Internet", "Région", "Année", "Mesure", "Résultat"])
    path = tmp_path / "menages.csv"
    df.to_csv(path, index=False)
    t = _read(path)
    assert sorted(t.data["area_name"]) == ["Bretagne", "Corse", "Occitanie"]
    assert t.data.set_index("area_name")["numerator"]["Corse"] == pytest.approx(0.862)
    assert territory_figures(t)["share"].tolist() == [pytest.approx(0.911)]  # France, 2023, the published share
    said = t.report.by_code("measure_columns")[0].message
    assert "Intervalle de confiance" in said and "Nombre de ménages" in said


def test_estimates_and_standard_errors_in_one_column(tmp_path):
    long = pd.DataFrame({"Value": [40.0, 3.1, 45.0, 2.9, 50.0, 3.3], "Region": ["A", "A", "B", "B", "C", "C"],
                         "Indicator": ["Households with internet (%)"] * 6,
                         "Statistic": ["Estimate", "Standard error"] * 3})
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    t = _read(path)
    assert t.data.set_index("area_name")["numerator"].to_dict() == pytest.approx({"A": 0.40, "B": 0.45, "C": 0.50})
    assert "Standard error" in t.report.by_code("measure_columns")[0].message


def test_an_ordinary_long_table_is_not_a_measure_table(tmp_path):
    df = pd.DataFrame({"Value": [40, 45, 50, 55], "Region": ["A", "A", "B", "B"], "Sex": ["Male", "Female"] * 2,
                       "Indicator": ["Households with internet (%)"] * 4})
    path = tmp_path / "long.csv"
    df.to_csv(path, index=False)
    t = _read(path)
    assert not t.report.by_code("measure_columns")


# -- census attributes inside boundary files -----------------------------------------------------

def _features(props):
    sq = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": {"type": "Polygon", "coordinates": sq}} for p in props]}


def test_boundary_file_with_census_attributes_is_read_as_the_table(tmp_path):
    props = [{"district": "A", "households": 1000, "internet": 400},
             {"district": "B", "households": 500, "internet": 300}]
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(_features(props)), encoding="utf-8")
    t = _read(path)
    assert t.data.set_index("area_name")["numerator"].to_dict() == {"A": 400.0, "B": 300.0}
    note = t.report.by_code("boundary_attributes")[0]
    assert "BOUNDARIES" in note.fix


def test_geopackage_attributes_are_read_too(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    gdf = gpd.GeoDataFrame({"name": ["A", "B"], "households": [100, 200], "computer": [10, 50]},
                           geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")
    path = tmp_path / "d.gpkg"
    gdf.to_file(path, driver="GPKG")
    t = _read(path)
    assert set(t.data["indicator"]) == {"computer"}


def test_boundary_file_without_census_attributes_is_still_refused(tmp_path):
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(_features([{"name": "A", "code": "01"}, {"name": "B", "code": "02"}])), encoding="utf-8")
    with pytest.raises(InputError, match="boundaries, not a census table"):
        _read(path)


# -- published rates: the country's own row ------------------------------------------------------

def test_country_named_first_row_of_published_rates_is_the_territory(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("Region,Internet (%)\nÖsterreich,90.4\nWien,91.0\nTirol,89.0\nKärnten,87.0\n", encoding="utf-8")
    t = _read(path)
    assert sorted(t.data["area_name"]) == ["Kärnten", "Tirol", "Wien"]
    assert territory_figures(t)["share"].tolist() == [pytest.approx(0.904)]


def test_country_named_region_further_down_stays_a_district(tmp_path):
    # 'Luxembourg' is a Belgian province as well as a country: not the first row, so a district
    path = tmp_path / "rates.csv"
    path.write_text("Province,Internet (%)\nAntwerpen,90\nLiège,88\nLuxembourg,86\nNamur,87\n", encoding="utf-8")
    t = _read(path)
    assert "Luxembourg" in set(t.data["area_name"])
    assert territory_figures(t).empty


def test_newer_eurostat_layouts_bulk_time_period_key_and_sdmx_csv_2(tmp_path):
    bulk = tmp_path / "estat_isoc_r_iacc_h.tsv"
    bulk.write_text("freq,unit,geo\\TIME_PERIOD\t2022 \t2023 \nA,PC_HH,ES\t96 \t96 \nA,PC_HH,ES1\t95 \t97 \n"
                    "A,PC_HH,ES11\t94 \t96 \nA,PC_HH,ES12\t95 \t98 \n", encoding="utf-8")
    t = _read(bulk)
    assert set(t.data["indicator"]) == {"internet"} and _codes(t) == ["ES11", "ES12"]
    assert territory_figures(t)["share"].tolist() == [pytest.approx(0.96)]
    sdmx2 = tmp_path / "data.csv"
    sdmx2.write_text("STRUCTURE,STRUCTURE_ID,freq,unit,geo,TIME_PERIOD,OBS_VALUE\n"
                     "dataflow,ESTAT:ISOC_R_BROAD_H(1.0),A,PC_HH,PT,2023,88\n"
                     "dataflow,ESTAT:ISOC_R_BROAD_H(1.0),A,PC_HH,PT1,2023,87\n"
                     "dataflow,ESTAT:ISOC_R_BROAD_H(1.0),A,PC_HH,PT2,2023,85\n", encoding="utf-8")
    t = _read(sdmx2)
    assert set(t.data["indicator"]) == {"broadband"} and "ISOC_R_BROAD_H" in str(t.report)


def test_other_sdmx_tables_are_left_to_the_stacked_reader(tmp_path):
    path = tmp_path / "oecd.csv"
    path.write_text("DATAFLOW,REF_AREA,Indicator,TIME_PERIOD,OBS_VALUE\n"
                    "X:Y(1.0),A,Households with internet access (%),2023,80\n"
                    "X:Y(1.0),B,Households with internet access (%),2023,70\n", encoding="utf-8")
    t = _read(path)
    assert not t.report.by_code("eurostat_format") and len(t.data) == 2


def test_sdmx_csv_with_labels_beside_the_codes(tmp_path):
    path = tmp_path / "isoc_ci_in_h_labels.csv"
    path.write_text("DATAFLOW,freq,unit,hhtyp,geo,TIME_PERIOD,OBS_VALUE\n"
                    "ESTAT:ISOC_CI_IN_H(1.0),A: Annual,PC_HH: Percentage of households,TOTAL: Total,AT: "
                    "Austria,2023,94\n"
                    "ESTAT:ISOC_CI_IN_H(1.0),A: Annual,PC_HH: Percentage of households,TOTAL: Total,BE: "
                    "Belgium,2023,93\n"
                    "ESTAT:ISOC_CI_IN_H(1.0),A: Annual,PC_HH: Percentage of households,TOTAL: Total,EU27_2020: "
                    "European Union - 27 countries (from 2020),2023,93\n", encoding="utf-8")
    t = _read(path)
    assert _codes(t) == ["AT", "BE"] and territory_figures(t)["share"].tolist() == [pytest.approx(0.93)]
    assert sorted(t.data["area_name"]) == ["Austria", "Belgium"]


def test_zipped_shapefile_attributes_are_read(tmp_path):
    import zipfile

    import geopandas as gpd
    from shapely.geometry import box

    gdf = gpd.GeoDataFrame({"name": ["A", "B"], "households": [100, 200], "internet": [10, 50]},
                           geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")
    shp = tmp_path / "shp"
    shp.mkdir()
    gdf.to_file(shp / "districts.shp")
    path = tmp_path / "districts.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in shp.iterdir():
            z.write(f, f.name)
    t = _read(path)
    assert t.data.set_index("area_name")["numerator"].to_dict() == {"A": 10.0, "B": 50.0}
    other = tmp_path / "tables.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("a.csv", "district,households,internet\nA,10,2\n")
    with pytest.raises(InputError, match="zip archive"):
        _read(other)


def test_measure_table_with_a_numeric_code_column(tmp_path):
    df = pd.DataFrame({"Nr": [1, 1, 2, 2, 3, 3], "Region": ["A", "A", "B", "B", "C", "C"],
                       "Indicator": ["Households with internet"] * 6, "Value": [40.0, 2.0, 45.0, 2.5, 50.0, 3.0],
                       "Result": ["Percentage of households", "Margin of error"] * 3})
    path = tmp_path / "m.csv"
    df.to_csv(path, index=False)
    t = _read(path)
    assert t.data.set_index("area_name")["numerator"].to_dict() == pytest.approx({"A": 0.40, "B": 0.45, "C": 0.50})
