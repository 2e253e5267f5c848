"""SDG-coded tables read with no argument: the indicator said by an SDG id or a UN SDG series code
(file name, series column, SDMX upload workbook), the national proxies of 5.b.1 warned, sex-specific
labels never read as the whole population (egovkit.read.sdg)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from egovkit.errors import EgovkitWarning, InputError
from egovkit.indicators import territory_figures
from egovkit.read import read_table
from egovkit.read.sdg import sdg_code, sdg_of_file

warnings.simplefilter("ignore", EgovkitWarning)


def _csv(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


OPEN_SDG = "Year,Sex,Region,Units,Value\n2021,,,PT,90.5\n2022,,,PT,92.1\n2022,,North,PT,90.0\n2022,,South,PT,94.0\n" \
           "2022,F,,PT,91.0\n"


def _issues(t, code):
    return [i for i in t.report.issues if i.code == code]


@pytest.mark.parametrize("name", ["indicator_17-8-1.csv", "17-8-1.csv", "sdg_17_8_1.csv", "ODS-17.8.1.csv"])
def test_open_sdg_file_name_says_the_indicator(tmp_path, name):
    t = read_table(_csv(tmp_path, name, OPEN_SDG))
    assert set(t.data["indicator"]) == {"internet_use"}
    assert territory_figures(t)["pct"].tolist() == [92.1]
    note = _issues(t, "sdg_indicator")[0]
    assert "17.8.1" in note.message and "file name" in note.message and "columns=" in note.fix


def test_an_unrelated_file_name_is_not_an_sdg_id(tmp_path):
    assert sdg_of_file("census_2019-05-01.csv") is None and sdg_of_file("table_1-2-3.csv") is None
    with pytest.raises(InputError, match="no ICT indicator"):
        read_table(_csv(tmp_path, "data_2022.csv", OPEN_SDG))


def test_mobile_ownership_is_read_as_defined_and_its_proxies_warned(tmp_path):
    t = read_table(_csv(tmp_path, "indicator_5-b-1.csv", OPEN_SDG))
    assert set(t.data["indicator"]) == {"mobile_phone"}
    w = _issues(t, "sdg_proxy")
    assert len(w) == 1 and w[0].severity == "warning"
    assert "mobile_phone_hh" in w[0].message and "mobile_phone_use" in w[0].message
    assert "columns={'Value': 'mobile_phone_hh'}" in w[0].fix


def test_the_file_saying_households_settles_the_proxy(tmp_path):
    text = "Year,Series,Region,Value\n2022,Households with a mobile telephone,,88.0\n" \
           "2022,Households with a mobile telephone,North,80.5\n"
    t = read_table(_csv(tmp_path, "indicator_5-b-1.csv", text))
    assert set(t.data["indicator"]) == {"mobile_phone_hh"}
    assert not _issues(t, "sdg_proxy")


def test_the_user_s_columns_win(tmp_path):
    t = read_table(_csv(tmp_path, "indicator_5-b-1.csv", OPEN_SDG), columns={"Value": "mobile_phone_use"})
    assert set(t.data["indicator"]) == {"mobile_phone_use"}
    assert not _issues(t, "sdg_proxy") and not _issues(t, "sdg_indicator")


def test_national_series_code_in_a_column(tmp_path):
    text = "Year,Units,Territory,Series,Value\n" + "".join(
        f"{y},UNIDAD_MEDIDA.PT,{a},SERIES._L_XX_170801_01,{v}\n" for y, a, v in
        [(2023, "XX", 80.5), (2024, "XX", 82.5), (2024, "XX1", 81.25), (2024, "XX2", 84.75)])
    t = read_table(_csv(tmp_path, "export.csv", text))
    assert set(t.data["indicator"]) == {"internet_use"}
    assert territory_figures(t)["pct"].tolist() == [82.5]
    assert "Series" in _issues(t, "sdg_indicator")[0].message


@pytest.mark.parametrize("code, ind", [("17.8.1", "internet_use"), ("5.b.1", "mobile_phone"),
                                       ("IT_USE_ii99", "internet_use"),
                                       ("SERIES.IT_MOB_OWN", "mobile_phone"), ("_L_RW_050B01_1", "mobile_phone"),
                                       ("IT_MOB_4GNTWK", None), ("IT_NET_BBND", None), ("17.6.1", None),
                                       ("SI_POV_DAY1", None)])
def test_sdg_codes(code, ind):
    assert sdg_code(code).indicator == ind


def test_network_coverage_is_refused_not_read(tmp_path):
    with pytest.raises(InputError, match="network coverage"):
        read_table(_csv(tmp_path, "indicator_9-c-1.csv", OPEN_SDG))


def _workbook():
    years = list(range(2018, 2025))
    rows = [
        ("5.b.1", "Proportion of individuals who own a mobile telephone", "IT_MOB_OWN", "PT", "XX", "", "_T", "_T",
         [None, 50.0, None, 60.0, None, None, 70.0]),
        ("5.b.1", "Proportion of individuals who own a mobile telephone", "IT_MOB_OWN", "PT", "XX", "Urban", "U", "_T",
         [None, 70.0, None, 80.0, None, None, 90.0]),
        ("17.8.1", "Proportion of individuals using the Internet", "IT_USE_II99", "PT", "XX", "", "_T", "_T",
         [10.0, None, 20.5, None, 30.5, None, None]),
        ("17.8.1", "Proportion of individuals using the Internet", "IT_USE_II99", "PT", "XX", "", "_T", "F",
         [8.0, None, 18.5, None, 28.5, None, None]),
        ("9.c.1", "Proportion of population covered by a mobile network", "IT_MOB_4GNTWK", "PT", "XX", "", "_T", "_T",
         [90.0] * 7),
        ("1.1.1", "Proportion of population below the poverty line", "SI_POV_DAY1", "PT", "XX", "", "_T", "_T",
         [40.0] * 7),
    ]
    df = pd.DataFrame([r[:8] + tuple(r[8]) for r in rows],
                      columns=["Indicator", "Series", "Series_Code", "Unit_Code", "Ref_Area", "Urbanization",
                               "Urbanization_Code", "Sex_Code", *years])
    return df


def test_sdmx_upload_workbook_series_by_year(tmp_path):
    path = tmp_path / "SDG_Data.xlsx"
    _workbook().to_excel(path, index=False)
    t = read_table(path)
    got = territory_figures(t).set_index("indicator")["pct"].to_dict()
    assert got == {"mobile_phone": 70.0, "internet_use": 30.5}  # latest year of each series, totals only
    msgs = " ".join(i.message for i in t.report.issues)
    assert "IT_MOB_OWN 2024" in msgs and "IT_USE_II99 2022" in msgs
    assert "2 row(s) of 2 other series kept apart" in msgs and "9.c.1" in msgs
    assert "'XX'" in msgs  # one area in every row: the territory's own rows
    t2 = read_table(path, period=2021)
    assert territory_figures(t2).set_index("indicator")["pct"].to_dict() == {"mobile_phone": 60.0}


def test_sex_specific_labels_without_a_total_are_not_read(tmp_path):
    text = "Indicator,State,Total\nWomen who have ever used the internet (%),A,30.5\n" \
           "Men who have ever used the internet (%),A,50.5\nHouseholds with a computer (%),A,20.5\n" \
           "Women who have ever used the internet (%),B,20.5\nMen who have ever used the internet (%),B,40.5\n" \
           "Households with a computer (%),B,10.5\n"
    t = read_table(_csv(tmp_path, "t.csv", text))
    assert set(t.data["indicator"]) == {"computer"}
    w = _issues(t, "sex_specific")
    assert len(w) == 1 and "internet_use is only given for women and men separately" in w[0].message
    only_sexed = "\n".join(x for x in text.splitlines() if "computer" not in x) + "\n"
    with pytest.raises(InputError, match="only for one sex"):
        read_table(_csv(tmp_path, "u.csv", only_sexed))


def test_sex_specific_label_beside_the_total_is_a_breakdown(tmp_path):
    text = "Indicador,Provincia,Valor\nPersonas que usan internet (%),A,60.5\nMujeres que usan internet (%),A,58.5\n" \
           "Personas que usan internet (%),B,70.5\nMujeres que usan internet (%),B,69.5\n"
    t = read_table(_csv(tmp_path, "t.csv", text))
    assert t.data["numerator"].tolist() == [0.605, 0.705]  # published rates: shares over 1
    assert not [i for i in t.report.issues if i.severity == "warning" and i.code == "unknown_indicator"]


def test_open_sdg_without_geography_is_the_territory(tmp_path):
    text = "Year,Sex,Value\n2024,Both Sexes,94\n2025,Both Sexes,96\n2025,Females,95.9\n2025,Males,96.1\n"
    t = read_table(_csv(tmp_path, "indicator_17-8-1.csv", text))
    assert territory_figures(t)["pct"].tolist() == [96.0]
    assert any("no geography column" in i.message for i in t.report.issues)


def test_the_country_named_first_among_urban_rural_is_the_territory(tmp_path):
    text = "Year,Geographical Region,Sex,Value\n2024,Jamaica,,90.7\n2024,,Male,89.2\n2021,Urban,,86.8\n" \
           "2021,Rural,,76.8\n"
    t = read_table(_csv(tmp_path, "indicator_17-8-1.csv", text))
    assert territory_figures(t)["pct"].tolist() == [90.7]
    states = "Year,State,Value\n2024,Alabama,80.5\n2024,Georgia,81.5\n2024,Texas,82.5\n"
    t = read_table(_csv(tmp_path, "sdg_17_8_1.csv", states))
    assert "Georgia" in t.data["area_name"].tolist()  # a state named like a country stays a district


def test_un_sdg_global_database_extract(tmp_path):
    """UN SDG API/database CSV: SeriesCode column, codes for the totals (BOTHSEX, ALLAREA), one row per country."""
    rows = ["Goal,Indicator,SeriesCode,GeoAreaCode,GeoAreaName,TimePeriod,Value,Location,Sex,Units"]
    for geo, m49, base in [("Kenya", 404, 40.0), ("Uganda", 800, 20.0), ("Rwanda", 646, 30.0)]:
        for year, add in [(2019, 0.0), (2022, 10.0)]:
            for loc, dl in [("ALLAREA", 0.5), ("URBAN", 5.5), ("RURAL", -2.5)]:
                for sex, ds in [("BOTHSEX", 0.0), ("FEMALE", -1.0), ("MALE", 1.0)]:
                    rows.append(f"5,5.b.1,IT_MOB_OWN,{m49},{geo},{year},{base + add + dl + ds},{loc},{sex},PERCENT")
    t = read_table(_csv(tmp_path, "data.csv", "\n".join(rows) + "\n"))
    assert t.data[["area_name", "indicator", "numerator"]].values.tolist() == [
        ["Kenya", "mobile_phone", 0.505], ["Uganda", "mobile_phone", 0.305], ["Rwanda", "mobile_phone", 0.405]]
    assert not _issues(t, "sdg_proxy") and not _issues(t, "duplicate_area")  # the UN series says ownership


def test_area_codes_shaped_like_codes_are_not_sdg_series(tmp_path):
    """Hierarchical area codes (1.1.1) and snake-case codes (KE_NRB_001) stay geography."""
    text = "Year,Code,Region,Value\n2022,1.1.1,North,40.5\n2022,1.1.2,South,60.5\n2022,KE_NRB_001,East,50.5\n"
    t = read_table(_csv(tmp_path, "indicator_17-8-1.csv", text))
    assert sorted(t.data["area_name"]) == ["East", "North", "South"]
    assert set(t.data["indicator"]) == {"internet_use"}


@pytest.mark.parametrize("header, who", [("Mujeres que han usado internet (%)", "mujeres"),
                                         ("Mulheres que usaram a internet", "mulheres"),
                                         ("Femmes ayant utilisé internet", "femmes"),
                                         ("Women age 15-49 who have a mobile phone", "women")])
def test_a_sex_word_is_a_sub_population_of_persons(header, who):
    from egovkit.concepts import recognise

    r = recognise(header)
    assert (r.universe, r.breakdown) == ("persons", who)
    assert r.indicator in ("internet_use", "mobile_phone")
    assert recognise("Households with only a mobile phone").universe == "households"


def test_a_unit_column_is_not_the_areas(tmp_path):
    text = "Year,Units,Sex,Value\n2020,%,,80.7\n2020,%,male,78.0\n2021,%,,78.3\n2021,%,male,74.5\n2021,%,female,81.7\n"
    t = read_table(_csv(tmp_path, "indicator_17-8-1.csv", text))
    assert territory_figures(t)["pct"].tolist() == [78.3]


def test_values_only_for_each_sex_are_not_read_as_everyone(tmp_path):
    text = "Year,Entidad federativa,Usuarios,Value\n2018,Nacional,Hombres,48.5\n2018,Nacional,Mujeres,51.5\n" \
           "2018,Colima,Hombres,46.5\n2018,Colima,Mujeres,53.5\n"
    with pytest.raises(InputError, match="without a total"):
        read_table(_csv(tmp_path, "indicator_5-b-1.csv", text))


def test_sdg_file_with_headers_in_another_language(tmp_path):
    """Croatian Open SDG headline: a year column and one numeric column, no 'Value' header."""
    text = "Godina,Udio pojedinaca koji koriste internet (%)\n2021,81\n2022,82\n2023,83\n"
    t = read_table(_csv(tmp_path, "indicator_17-8-1.csv", text))
    assert territory_figures(t)[["indicator", "pct"]].values.tolist() == [["internet_use", 83.0]]
    assert _issues(t, "sdg_columns")
