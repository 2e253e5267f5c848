"""Tests for egovkit.join: name normalisation, code/name joins, candidates, overrides, checks."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz
from shapely.geometry import box

from egovkit.datasets import make_territory
from egovkit.errors import EgovkitWarning, InputError, JoinError
from egovkit.geo import read_boundaries
from egovkit.join import check_join, join_table, normalise_code, normalise_name
from egovkit.read import read_table
from egovkit.table import CensusTable
from egovkit.validate import ValidationReport

# -- normalise_name -------------------------------------------------------------------------


def _issues(report, code):
    """The issues of ``code`` and of its variants (``join.unmatched_table_more``, ``..._codes``)."""
    return [i for i in report.issues if i.code.startswith(code)]


@pytest.mark.parametrize("a,b,expected", [
    ("MURANG'A", "Murang`a", "muranga"),
    ("Murang\u2019a", "MURANGA", "muranga"),
    ("NAIROBI CITY", "Nairobi", "nairobi"),
    ("ELGEYO/MARAKWET", "Elgeyo-Marakwet", "elgeyo marakwet"),
    ("TAITA/TAVETA", "Taita Taveta", "taita taveta"),
    ("THARAKA-NITHI", "Tharaka - Nithi", "tharaka nithi"),
    ("HOMA BAY", "Homa Bay County", "homa bay"),
    ("Mombasa   ", "Mombasa County", "mombasa"),
    ("City of Kigali", "KIGALI", "kigali"),
    ("Commune de Saint-Étienne", "ST ETIENNE", "saint etienne"),
    ("Département du Nord", "NORD", "nord"),
    ("Kibra Sub County", "KIBRA", "kibra"),
    ("Kibra Sub-County", "kibra subcounty", "kibra"),
    ("São Tomé", "SAO TOME", "sao tome"),
    ("MT. KENYA FOREST", "Mount Kenya Forest", "mount kenya forest"),
    ("Trans_Nzoia", "TRANS NZOIA", "trans nzoia"),
])
def test_normalise_name_pairs(a, b, expected):
    assert normalise_name(a) == expected
    assert normalise_name(b) == expected


def test_normalise_name_never_empty_and_series():
    assert normalise_name("City") == "city"
    assert normalise_name("District 5") == "5"
    s = pd.Series(["NAIROBI CITY", None, "Murang`a"])
    out = normalise_name(s)
    assert out.iloc[0] == "nairobi" and pd.isna(out.iloc[1]) and out.iloc[2] == "muranga"
    assert normalise_name("Nairobi City", drop_words=()) == "nairobi city"
    assert normalise_name("Kisumu Town", drop_words=["town"]) == "kisumu"


def test_normalise_code():
    assert normalise_code(pd.Series([1, 2.0, None, 47])).tolist()[:2] == ["1", "2"]
    assert normalise_code(pd.Series(["001", "47 "])).tolist() == ["1", "47"]
    # not numeric-like: zeros kept, case unified
    assert normalise_code(pd.Series(["ke-01", "KE-47"])).tolist() == ["KE-01", "KE-47"]


# -- synthetic joins ------------------------------------------------------------------------

def _boundaries() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["01", "02", "03", "04"], "name": ["Alpha", "Béta Nord", "Gamma", "Delta"]},
        geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs="EPSG:32737")


def test_code_join_leading_zeros_and_columns():
    t = pd.DataFrame({"id": [3, 1, 2], "value_pct": [30.0, 10.0, 20.0]})
    r = join_table(t, _boundaries(), table_on="id", boundary_on="code")
    assert r.by == "code" and r.matched == 3
    assert r.gdf.crs.to_epsg() == 32737 and len(r.gdf) == 4
    # brute force: each boundary gets the value of the table row whose int(id) == int(code)
    expected = [dict(zip(t.id, t.value_pct)).get(int(c), np.nan) for c in r.gdf["code"]]
    np.testing.assert_array_equal(r.gdf["value_pct"].to_numpy(), np.array(expected))
    assert r.gdf.geometry.iloc[3].equals(box(3, 0, 4, 1))  # geometry stays with its district
    assert r.unmatched_boundaries["name"].tolist() == ["04"]
    assert r.unmatched_table.empty


def test_non_numeric_codes_keep_leading_zeros():
    b = _boundaries().assign(code=["A01", "A02", "A03", "A04"])
    r = join_table(pd.DataFrame({"c": ["A1", "a02"]}), b, table_on="c", boundary_on="code", by="code")
    assert r.matched == 1 and r.unmatched_table["name"].tolist() == ["A1"]


def test_how_left_inner_outer():
    t = pd.DataFrame({"name": ["ALPHA", "BETA-NORD", "Epsilon"], "n": [1, 2, 3]})
    b = _boundaries()
    left = join_table(t, b, on="name", how="left").gdf
    assert left["name"].tolist() == b["name"].tolist()
    assert left["n"].tolist()[:2] == [1, 2] and left["n"].isna().sum() == 2
    assert left["name_table"].tolist()[:2] == ["ALPHA", "BETA-NORD"]  # clashing column renamed
    inner = join_table(t, b, on="name", how="inner").gdf
    assert inner["name"].tolist() == ["Alpha", "Béta Nord"]
    outer = join_table(t, b, on="name", how="outer").gdf
    assert len(outer) == 5 and outer.geometry.iloc[-1] is None and outer["n"].iloc[-1] == 3
    with pytest.raises(InputError):
        join_table(t, b, on="name", how="right")


def test_unmatched_both_sides_candidates_and_report():
    t = pd.DataFrame({"district": ["Alfa", "Gamma", "Zeta"]})
    r = join_table(t, _boundaries(), table_on="district", boundary_on="name")
    assert r.matched == 1
    un = r.unmatched_table.set_index("name")
    assert list(un.index) == ["Alfa", "Zeta"]
    assert un.loc["Alfa", "best"] == "Alpha"
    cands = un.loc["Alfa", "candidates"]
    assert len(cands) == 3
    # scores are rapidfuzz WRatio on the normalised names, sorted, best first
    assert cands[0][1] == pytest.approx(fuzz.WRatio("alfa", "alpha"), abs=0.1)
    assert [c[1] for c in cands] == sorted([c[1] for c in cands], reverse=True)
    assert sorted(r.unmatched_boundaries["name"]) == ["Alpha", "Béta Nord", "Delta"]
    codes = [i.code for i in r.report.issues]
    assert codes.count("join.unmatched_table") == 2 and codes.count("join.unmatched_boundary") == 3
    alfa = [i for i in _issues(r.report, "join.unmatched_table") if i.area == "Alfa"][0]
    assert "overrides={'Alfa': 'Alpha'}" in alfa.fix
    with pytest.raises(JoinError, match="'Alfa': closest 'Alpha'"):
        r.raise_if_unmatched()


def test_duplicates_are_errors_naming_them():
    t = pd.DataFrame({"name": ["Alpha", "ALPHA CITY", "Gamma"]})
    with pytest.raises(JoinError) as e:
        join_table(t, _boundaries(), on="name")
    assert "Alpha" in str(e.value) and "ALPHA CITY" in str(e.value) and "'alpha'" in str(e.value)
    b = _boundaries().assign(name=["Alpha", "Alpha District", "Gamma", "Delta"])
    with pytest.raises(JoinError, match="by='code'"):
        join_table(pd.DataFrame({"name": ["alpha"]}), b, on="name")
    # duplicated boundary names that the table does not use are only a warning
    r = join_table(pd.DataFrame({"name": ["Gamma"]}), b, on="name")
    assert r.matched == 1 and r.report.by_code("join.duplicate_key_unused")[0].severity == "warning"


def test_overrides_and_bad_overrides():
    t = pd.DataFrame({"name": ["Alfa", "Gamma"]})
    r = join_table(t, _boundaries(), on="name", overrides={"Alfa": "Alpha", "Nope": "Delta"})
    assert r.matched == 2 and r.unmatched_table.empty
    assert r.gdf.set_index("name").loc["Alpha", "name_table"] == "Alfa"
    assert r.report.by_code("join.unused_override")[0].area == "Nope"
    with pytest.raises(JoinError, match="no boundary is called 'Alphaa'.*'Alpha'"):
        join_table(t, _boundaries(), on="name", overrides={"Alfa": "Alphaa"})


def test_check_join_strict_and_sides():
    t = pd.DataFrame({"name": ["Alpha", "Gamma"]})
    with pytest.raises(JoinError, match="boundary\\(ies\\) without data"):
        check_join(t, _boundaries(), on="name")
    assert check_join(t, _boundaries(), on="name", sides="table").matched == 2
    with pytest.warns(EgovkitWarning, match="Delta"):
        check_join(t, _boundaries(), on="name", strict=False)


def test_guessed_columns_are_reported():
    t = pd.DataFrame({"value": [1.5, 2.5], "County": ["GAMMA", "DELTA"]})
    r = join_table(t, _boundaries())
    assert (r.table_on, r.boundary_on, r.by) == ("County", "name", "name")
    assert r.report.by_code("join.columns_guessed")
    with pytest.raises(InputError, match="no column 'nom'"):
        join_table(t, _boundaries(), table_on="nom", boundary_on="name")


def test_census_table_one_row_per_district():
    rows = []
    for code, name, hh, net, pc in [("1", "ALPHA", 100, 20, 5), ("3", "GAMMA", 50, 10, 0)]:
        for ind, num in (("internet", net), ("computer", pc)):
            rows.append(dict(area_code=code, area_name=name, level="County", parent=None, indicator=ind,
                             itu_code="HH", universe="households", numerator=float(num), denominator=float(hh),
                             source="t.csv", source_row=1))
    ct = CensusTable(pd.DataFrame(rows))
    r = join_table(ct, _boundaries(), boundary_on="code")
    assert r.by == "code" and r.table_on == "area_code" and r.matched == 2
    g = r.gdf.set_index("name")
    assert len(r.gdf) == 4
    assert g.loc["Alpha", "share_internet"] == pytest.approx(20 / 100)
    assert g.loc["Gamma", "numerator_computer"] == 0 and g.loc["Gamma", "denominator_computer"] == 50
    assert np.isnan(g.loc["Delta", "share_internet"])
    r2 = join_table(ct, _boundaries(), boundary_on="name", by="name")
    assert r2.table_on == "area_name" and r2.matched == 2


# -- Kenya, real data -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kenya(shared_data):
    return gpd.read_file(shared_data / "kenya-counties-geometry" / "kenya_counties_osm.geojson")


@pytest.fixture(scope="module")
def counties(shared_data):
    df = pd.read_csv(shared_data / "kenya-census-2019-ict" / "V4_T2.36.csv")
    return df[df["AdminArea"] == "County"].reset_index(drop=True)


def test_kenya_names_join_47_of_47(kenya, counties):
    assert len(counties) == 47
    r = check_join(counties, kenya, table_on="County", boundary_on="osm_name", by="name")
    assert r.matched == 47 and r.complete and not r.overrides_used
    # independent check: the boundaries carry the census name; every pair must agree with it
    g = r.gdf
    assert (g["County"] == g["census_county_name"]).all()
    # households were carried over: total of the county rows = KNBS conventional households
    assert g["ConventionalHouseholds"].sum() == pytest.approx(12_043_016)


def test_kenya_mangled_name_candidates_and_override(kenya, counties):
    t = counties.copy()
    t.loc[t["County"] == "NAIROBI CITY", "County"] = "NAIROBBI"
    r = join_table(t, kenya, table_on="County", boundary_on="osm_name")
    assert r.matched == 46
    assert r.unmatched_table["name"].tolist() == ["NAIROBBI"]
    assert r.unmatched_table["candidates"].iloc[0][0][0] == "Nairobi"
    assert r.unmatched_boundaries["name"].tolist() == ["Nairobi"]
    with pytest.raises(JoinError, match="overrides=\\{'NAIROBBI': 'Nairobi'\\}"):
        check_join(t, kenya, table_on="County", boundary_on="osm_name")
    fixed = check_join(t, kenya, table_on="County", boundary_on="osm_name", overrides={"NAIROBBI": "Nairobi"})
    assert fixed.matched == 47
    nbi = fixed.gdf.set_index("osm_name").loc["Nairobi"]
    assert nbi["Internet"] == pytest.approx(42.1)  # published: Nairobi City 42.1 %


def test_kenya_code_join(kenya, shared_data):
    codes = pd.read_csv(shared_data / "kenya-census-2019-ict" / "V4_T1.9.csv")
    codes = codes.drop_duplicates("CountyCode")[["CountyCode", "County"]]
    r = check_join(codes, kenya, table_on="CountyCode", boundary_on="census_county_code")
    assert r.by == "code" and r.matched == 47
    assert (r.gdf["County"] == r.gdf["census_county_name"]).all()
    # string codes with leading zeros on one side still match
    r2 = check_join(codes.assign(CountyCode=codes["CountyCode"].map("{:02d}".format)), kenya,
                    table_on="CountyCode", boundary_on="census_county_code")
    assert r2.matched == 47


def test_us_acs_code_join_partial_coverage(shared_data):
    folder = shared_data / "us-county-acs-s2801"
    acs = pd.read_csv(folder / "ACSST1Y2018.S2801_data_with_overlays.csv", skiprows=[1],
                      usecols=["GEO_ID", "NAME", "S2801_C01_001E"])
    counties = gpd.read_file(folder / "us_counties_2010_plotly.geojson")
    # only counties of 65,000+ people are in the ACS 1-year table: every table row must find its
    # county, while most counties have no data (and are listed, never silently blank)
    r = check_join(acs, counties, on="GEO_ID", by="code", sides="table")
    assert r.matched == len(acs) == 838
    assert len(r.unmatched_boundaries) == len(counties) - 838
    assert r.gdf["S2801_C01_001E"].notna().sum() == 838
    with pytest.raises(JoinError, match="2383 boundary"):
        r.raise_if_unmatched("both")


def test_census_table_guesses_code_or_name():
    rows = [dict(area_code=code, area_name=name, level="County", parent=None, indicator="internet",
                 itu_code="HH6", universe="households", numerator=10.0, denominator=40.0, source="t", source_row=2)
            for code, name in [("1", "ALPHA"), ("2", "BETA NORD")]]
    ct = CensusTable(pd.DataFrame(rows))
    # boundaries with names only: the names are chosen even though the table has codes
    b = _boundaries().drop(columns="code")
    r = join_table(ct, b)
    assert (r.table_on, r.boundary_on, r.matched) == ("area_name", "name", 2)
    r = join_table(ct, _boundaries(), boundary_on="code")
    assert (r.table_on, r.by, r.matched) == ("area_code", "code", 2)
    assert r.gdf["share_internet"].tolist()[:2] == [0.25, 0.25]


def test_kenya_census_table_end_to_end(kenya, shared_data):
    read = pytest.importorskip("egovkit.read")
    ct = read.read_table(shared_data / "kenya-census-2019-ict" / "V4_T2.36.csv", name="County", level="AdminArea",
                         district_level="County")
    r = check_join(ct, kenya, boundary_on="osm_name")
    assert r.matched == 47 and len(r.gdf) == 47
    g = r.gdf
    # published KNBS national figure: 17.9 % of 12,043,016 conventional households have internet
    assert g["denominator_internet"].sum() == pytest.approx(12_043_016)
    assert g["numerator_internet"].sum() / g["denominator_internet"].sum() == pytest.approx(0.179, abs=0.0005)
    assert g.set_index("osm_name").loc["Nairobi", "share_internet"] == pytest.approx(0.421)


# -- partial tables against larger boundary files; codes are not names (issue 10) -------------

def _national(n: int = 40, code_width: int = 5) -> gpd.GeoDataFrame:
    """A 'national' file of n areas with FIPS-like numeric codes, like a county file."""
    codes = [f"{1001 + 2 * i:0{code_width}d}" for i in range(n)]
    return gpd.GeoDataFrame({"GEOID": codes, "NAME": [f"County {i}" for i in range(n)]},
                            geometry=[box(i % 8, i // 8, i % 8 + 1, i // 8 + 1) for i in range(n)], crs=4326)


def test_partial_table_boundaries_without_row_are_one_summary_line():
    b = _national(40)
    t = pd.DataFrame({"fips": [1001, 1003, 1005, 1007, 1009, 1011], "hh": [10, 20, 30, 40, 50, 60]})
    r = join_table(t, b, table_on="fips", boundary_on="GEOID")
    assert r.by == "code" and r.matched == 6 and len(r.unmatched_boundaries) == 34
    issues = _issues(r.report, "join.unmatched_boundary")
    assert len(issues) == 1
    msg = issues[0].message
    assert "34 of 40 boundary areas" in msg and "'01013'" in msg and "no data" in msg
    assert r.gdf["hh"].notna().sum() == 6 and len(r.gdf) == 40  # every area kept, 34 of them without data
    # the error listing of the strict check is bounded too
    with pytest.raises(JoinError) as e:
        r.raise_if_unmatched("boundaries")
    assert "34 boundary(ies) without data" in str(e.value) and "... and 14 more" in str(e.value)


@pytest.mark.parametrize("table_codes, boundary_codes", [
    (["01001", "01003"], ["01005", "01007", "01009"]),           # numeric FIPS
    (["2A004", "2A006"], ["2A008", "2B002", "2A041"]),           # INSEE codes (Corsica)
    (["E09000001", "E09000002"], ["E09000003", "E09000004"]),    # ONS codes
    (["KE-047", "KE-001"], ["KE-046", "KE-002", "KE-003"]),
])
def test_codes_never_get_fuzzy_name_candidates(table_codes, boundary_codes):
    b = gpd.GeoDataFrame({"code": boundary_codes}, geometry=[box(i, 0, i + 1, 1) for i in range(len(boundary_codes))],
                         crs=4326)
    t = pd.DataFrame({"code": table_codes, "x": range(len(table_codes))})
    # by='name' too: a code column is compared as codes whatever the join mode
    for by in ("auto", "name"):
        r = join_table(t, b, on="code", by=by)
        assert r.matched == 0
        for frame in (r.unmatched_table, r.unmatched_boundaries):
            assert frame["candidates"].map(len).eq(0).all(), frame
            assert frame["best"].isna().all()
        assert not any("overrides=" in (i.fix or "") for i in r.report.issues)
    assert join_table(t, b, on="code").by == "code"


def test_code_candidates_are_codes_that_contain_the_code():
    b = gpd.GeoDataFrame({"GEO_ID": ["0500000US01001", "0500000US01003"]},
                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    r = join_table(pd.DataFrame({"fips": ["01001", "01005"]}), b, table_on="fips", boundary_on="GEO_ID")
    c = r.unmatched_table.set_index("name")["candidates"]
    assert [n for n, _ in c["01001"]] == ["0500000US01001"] and c["01005"] == []


def test_names_still_get_fuzzy_candidates():
    r = join_table(pd.DataFrame({"d": ["Alfa"]}), _boundaries(), table_on="d", boundary_on="name")
    assert r.unmatched_table["best"].iloc[0] == "Alpha"


def test_many_table_rows_without_boundary_are_listed_then_summarised():
    b = _national(3)
    t = pd.DataFrame({"fips": [9001 + i for i in range(30)] + [1001]})
    r = join_table(t, b, table_on="fips", boundary_on="GEOID")
    issues = _issues(r.report, "join.unmatched_table")
    assert len(issues) == 6 and "25 more table rows" in issues[-1].message
    assert len(r.unmatched_table) == 30  # nothing lost: the full list is kept


def test_census_table_partial_boundaries_keep_their_own_code():
    rows = [dict(area_code=c, area_name=f"N{c}", level="County", parent=None, indicator="internet",
                 itu_code="HH6", universe="households", numerator=10.0, denominator=40.0, source="t", source_row=i + 2)
            for i, c in enumerate(["01001", "01003"])]
    r = join_table(CensusTable(pd.DataFrame(rows)), _national(10), boundary_on="GEOID")
    assert r.matched == 2 and len(r.gdf) == 10
    assert r.gdf["area_code"].notna().all() and r.gdf["area_code"].is_unique  # a map can name every area
    assert r.gdf["share_internet"].notna().sum() == 2


@pytest.mark.realdata
def test_us_partial_acs_against_national_counties_is_one_line(shared_data):
    folder = shared_data / "us-county-acs-s2801"
    acs = pd.read_csv(folder / "ACSST1Y2018.S2801_data_with_overlays.csv", skiprows=[1],
                      usecols=["GEO_ID", "NAME", "S2801_C01_001E"])
    counties = gpd.read_file(folder / "us_counties_2010_plotly.geojson")
    r = join_table(acs, counties, on="GEO_ID")
    assert r.by == "code" and r.matched == 838
    assert [i.severity for i in _issues(r.report, "join.unmatched_boundary")] == ["warning"]
    assert "2,383 of 3,221 boundary areas" in _issues(r.report, "join.unmatched_boundary")[0].message
    assert r.unmatched_boundaries["candidates"].map(len).eq(0).all()  # no fuzzy matches between FIPS codes


def test_repeated_rows_and_district_parts_are_merged_conflicts_stay_errors():
    b = gpd.GeoDataFrame({"code": ["01", "02", "02", "03"], "name": ["A", "B", "B", "C"]},
                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6), box(2, 0, 3, 1)], crs=4326)
    t = pd.DataFrame({"code": ["01", "02", "02"], "v": [1, 2, 2]})
    r = join_table(t, b, on="code")
    # the repeated table row is one district; the two features of district 02 are one multipolygon
    assert r.matched == 2 and len(r.gdf) == 3 and r.gdf["v"].tolist()[:2] == [1, 2]
    assert r.gdf.geometry.iloc[1].geom_type == "MultiPolygon" and r.gdf.geometry.iloc[1].area == 2
    assert r.report.by_code("join.repeated_rows") and r.report.by_code("join.parts_merged")
    with pytest.raises(JoinError, match="the same code with different values"):
        join_table(t.assign(v=[1, 2, 3]), b, on="code")
    with pytest.raises(JoinError, match="one code to different features: correct its codes"):
        join_table(t, b.assign(name=["A", "B", "Bx", "C"]), on="code")


# -- file lines, a shared report and overrides of a join by name ---------------------------


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(source, **kw)


def _misspelt_territory(tmp_path: Path):
    """The synthetic territory's table with three district names misspelt (file lines known)."""
    paths = make_territory().write(tmp_path / "terr")
    lines = paths["table"].read_text().splitlines()
    wrong = {"Kopoten": "Kopotten", "Badi": "Bady"}
    expected = {}
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[1] in wrong:
            expected[wrong[cells[1]]] = i + 1  # file line, header = 1
            cells[1] = wrong[cells[1]]
        lines[i] = ",".join(cells[1:])  # no code column: the join is by name
    table = tmp_path / "misspelt.csv"
    table.write_text("\n".join(lines) + "\n")
    return table, paths["districts"], expected


def test_join_listing_names_file_lines_and_overrides_fix_it(tmp_path: Path) -> None:
    """Bug: for a CensusTable the unmatched ``row`` was the position in the pivoted
    (alphabetically sorted) table, not a line the user can find in the file."""
    table, districts, expected = _misspelt_territory(tmp_path)
    t = _read(table)
    b = read_boundaries(districts)
    r = join_table(t, b, boundary_on="name")
    assert dict(zip(r.unmatched_table["name"], r.unmatched_table["row"])) == expected
    rows = {i.area: i.row for i in r.report.issues if i.code.startswith("join.unmatched_table")}
    assert rows == expected
    fixed = join_table(t, b, boundary_on="name", overrides=dict(zip(r.unmatched_table["name"],
                                                                    r.unmatched_table["best"])))
    assert fixed.complete and fixed.matched == len(b)


def test_shared_report_counts_table_rows_once(tmp_path: Path) -> None:
    """Bug: read_boundaries and join_table added the features / districts to ``rows_in`` of a
    report shared with the table, so `egovkit validate TABLE BOUNDARIES` said '49 rows read'
    for a 25-row table."""
    table, districts, _ = _misspelt_territory(tmp_path)
    n_rows = len(pd.read_csv(table))
    t = _read(table)
    assert t.report.rows_in == n_rows
    b = read_boundaries(districts, report=t.report)
    join_table(t, b, boundary_on="name", report=t.report)
    assert t.report.rows_in == n_rows
    own_b = ValidationReport(source="districts")
    read_boundaries(districts, report=own_b)
    assert own_b.rows_in == len(b)  # a report of its own still counts the features
    own = join_table(t, b, boundary_on="name")
    assert own.report.rows_in == t.data["area_name"].nunique()


def test_override_onto_an_already_matched_boundary_names_the_override(tmp_path: Path) -> None:
    """Usability bug: overrides={'Bady': 'Nolu'} (a wrong pick from the candidates) failed with
    "table: ['Bady', 'Nolu'] all read as 'nolu'. Fix: join by a code column" - the override,
    the actual mistake, was not named."""
    table, districts, _ = _misspelt_territory(tmp_path)
    t, b = _read(table), read_boundaries(districts)
    with pytest.raises(JoinError) as exc:
        join_table(t, b, boundary_on="name", overrides={"Bady": "Nolu"})
    msg = str(exc.value)
    assert "override 'Bady' -> 'Nolu'" in msg and "['Nolu']" in msg and "correct the override" in msg
