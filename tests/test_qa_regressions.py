"""Regression tests for bugs found by using egovkit as a demanding user would (QA pass).

Each test names the bug it guards against; expected values come from the input written here.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(source, **kw)


def test_duplicate_district_never_mixes_two_rows(tmp_path: Path) -> None:
    """Bug: when the first row of a duplicated district had an invalid value, the duplicate
    check (done only among valid values) let that indicator come from the second row while
    the others came from the first, and the second row was marked 'used'."""
    path = tmp_path / "dup.csv"
    path.write_text("district,households,internet,computer\nA,100,150,10\nB,200,50,20\nA,100,40,30\n")
    t = _read(path)
    a = t.data[t.data["area_name"] == "A"]
    assert set(a["source_row"]) == {2}  # only the first row of A
    assert a.set_index("indicator")["numerator"].to_dict() == {"computer": 10.0}
    assert t.report.row_fate == {2: "used", 3: "used", 4: "dropped"}
    dup = t.report.by_code("duplicate_area")
    assert [d.row for d in dup] == [4] and "rows 2 and 4" in dup[0].message


def test_duplicate_district_reported_when_first_row_fully_invalid(tmp_path: Path) -> None:
    """Bug: a duplicated district whose first row was entirely invalid was not reported as
    a duplicate, and the second row was silently used."""
    path = tmp_path / "dup2.csv"
    path.write_text("district,households,internet\nA,100,150\nB,200,50\nA,100,40\n")
    t = _read(path)
    assert t.report.by_code("duplicate_area")
    assert "A" not in set(t.data["area_name"])
    assert t.report.row_fate[4] == "dropped"


def _misspelt_territory(tmp_path: Path):
    """The synthetic territory's table with three district names misspelt (file lines known)."""
    from egovkit.datasets import make_territory

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
    from egovkit.geo import read_boundaries
    from egovkit.join import join_table

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
    from egovkit.geo import read_boundaries
    from egovkit.join import join_table

    table, districts, _ = _misspelt_territory(tmp_path)
    n_rows = len(pd.read_csv(table))
    t = _read(table)
    assert t.report.rows_in == n_rows
    b = read_boundaries(districts, report=t.report)
    join_table(t, b, boundary_on="name", report=t.report)
    assert t.report.rows_in == n_rows
    from egovkit.validate import ValidationReport

    own_b = ValidationReport(source="districts")
    read_boundaries(districts, report=own_b)
    assert own_b.rows_in == len(b)  # a report of its own still counts the features
    own = join_table(t, b, boundary_on="name")
    assert own.report.rows_in == t.data["area_name"].nunique()


def test_extend_does_not_mix_row_fates_of_another_file() -> None:
    """Bug: `egovkit run ... --hotspots sites.csv` said '25 rows read (149 used, 1 kept apart)':
    ValidationReport.extend merged the hotspot file's row fates (its own line numbers) into the
    table's report, so table lines that do not exist were 'used'."""
    from egovkit.validate import ValidationReport

    table = ValidationReport(source="census.csv", rows_in=3)
    table.set_fate([2, 3], "used")
    table.set_fate([4], "kept apart")
    sites = ValidationReport(source="wifi.csv", rows_in=5)
    sites.set_fate(range(2, 7), "used")
    sites.add("warning", "duplicate_site", "two sites at the same place", row=5)
    table.extend(sites)
    assert table.row_fate == {2: "used", 3: "used", 4: "kept apart"}
    assert len(table.issues) == 1 and table.issues[0].source == "wifi.csv"
    # a summary report wrapping the table still gets the table's fates
    summary = ValidationReport(source="census.csv", rows_in=3).extend(table)
    assert summary.row_fate == table.row_fate
    assert "3 rows read (2 used, 1 kept apart)" in summary.summary()


def test_percentages_with_a_typo_above_100_are_not_silently_counts(tmp_path: Path) -> None:
    """Bug: a percentage column (decimals, households in the thousands) with one typo above 100
    was read as counts without any warning: 45.5 % of 1,000 households became 45.5 households."""
    path = tmp_path / "typo.csv"
    path.write_text("district,households,internet\nA,1000,45.5\nB,2000,120.3\nC,1500,30.1\nD,800,22.4\n")
    t = _read(path)
    amb = t.report.by_code("ambiguous_value_type")
    assert len(amb) == 1 and amb[0].column == "internet" and "value_type='percent'" in amb[0].fix
    t = _read(path, value_type="percent")
    assert t.data["numerator"].tolist() == pytest.approx([0.455 * 1000, 0.301 * 1500, 0.224 * 800])
    over = t.report.by_code("percent_above_100")
    assert [(i.row, i.area) for i in over] == [(3, "B")]


def test_counts_with_decimals_above_100_stay_counts_without_warning() -> None:
    """The new warning must not fire on weighted survey counts (most values above 100)."""
    df = pd.DataFrame({"district": list("ABCD"), "households": [1000, 2000, 1500, 800],
                       "internet": [455.2, 612.7, 180.4, 95.5]})
    t = _read(df)
    assert not t.report.by_code("ambiguous_value_type") and t.value_type == "count"
    assert t.data["numerator"].tolist() == [455.2, 612.7, 180.4, 95.5]


def test_report_saved_as_xlsx_is_a_spreadsheet(tmp_path: Path) -> None:
    """Bug: `egovkit validate T --save report.xlsx` wrote plain text under an .xlsx name, which
    Excel cannot open."""
    from egovkit.validate import ValidationReport

    rep = ValidationReport(source="t.csv", rows_in=2)
    rep.add("error", "non_numeric", "cell 'abc' is not a number", row=3, column="internet", area="B",
            fix="write a number")
    out = rep.save(tmp_path / "report.XLSX")
    back = pd.read_excel(out, sheet_name="validation")
    assert back.loc[0, "code"] == "non_numeric" and back.loc[0, "row"] == 3 and back.loc[0, "area"] == "B"


def _report_text(html: str) -> str:
    import re

    html = re.sub(r"<iframe.*?</iframe>|<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_lagging_sentence_says_the_list_goes_on(tmp_path: Path, lang: str) -> None:
    """Bug: '23 district(s) are flagged as lagging: A, B, ... and J.' listed only 10 names as if
    they were all (Kenya report); the gap column showed '-14.444' points with 3 decimals; and
    'the coverage results was not provided' (grammar)."""
    from egovkit.present.report import build_report

    from test_present_synthetic import grid_districts, grid_rates

    d = grid_districts(4, 4)
    rates = grid_rates(d, ("internet",))
    sub = rates.assign(share=rates["numerator"] / rates["denominator"]).sort_values("share").head(13)
    terr = rates["numerator"].sum() / rates["denominator"].sum()
    lag = pd.DataFrame({"area": sub["area_name"], "share": sub["share"],
                        "gap_pct_points": 100 * (sub["share"] - terr), "denominator": sub["denominator"],
                        "missing_to_territory": (terr - sub["share"]) * sub["denominator"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path / lang, territory_name="Gridland", districts=d, rates=rates,
                             lagging=lag, lang=lang)
    txt = _report_text(index.read_text(encoding="utf-8"))
    more, last = ("3 more", " and ") if lang == "en" else ("3 autres", " et ")
    tenth = str(sub["area_name"].iloc[9])
    assert f"{tenth}{last}{more}." in txt
    first_gap = 100 * (sub["share"].iloc[0] - terr)
    shown = f"{first_gap:.1f}" if lang == "en" else f"{first_gap:.1f}".replace(".", ",")
    assert shown.replace("-", "") in txt.replace("\u2212", "-") and f"{first_gap:.3f}" not in txt
    if lang == "en":
        for wrong in ("the coverage results was", "the gap zones was", "the proposed new sites was"):
            assert wrong not in txt
        assert "Not included: no gap zones (they need hotspots and a population)." in txt


def test_long_table_with_denominator_rows_reads_them_as_the_denominator(tmp_path: Path) -> None:
    """Bug: a long table giving the households as rows ('households' in the indicator column)
    was refused with 'no denominator column'; the rows are the denominator of their area."""
    path = tmp_path / "long.csv"
    path.write_text("area,indicator,value\nA,households,1000\nA,internet,450\nB,households,2000\nB,internet,500\n"
                    "C,internet,30\nD,households,70\n")
    t = _read(path)
    got = {r.area_name: (r.numerator, r.denominator) for r in t.data.itertuples()}
    assert got == {"A": (450.0, 1000.0), "B": (500.0, 2000.0)}
    note = t.report.by_code("denominator_rows")[0]
    assert note.column == "indicator" and "rows 2, 4, 7" in note.message
    # C has no denominator row, D no indicator row: both named, nothing lost
    assert t.report.row_fate == {2: "used", 3: "used", 4: "used", 5: "used", 6: "dropped", 7: "dropped"}
    assert {i.row for i in t.report.issues if i.severity == "warning"} >= {6, 7}


def test_long_table_without_any_denominator_is_refused(tmp_path: Path) -> None:
    from egovkit.errors import InputError

    path = tmp_path / "long.csv"
    path.write_text("area,indicator,value\nA,internet,450\nB,internet,500\n")
    with pytest.raises(InputError, match="no households or persons column"):
        _read(path)


def test_duplicate_code_with_two_names_names_both(tmp_path: Path) -> None:
    """Usability bug: two rows sharing a code under different names were reported as
    "district 'A bis' appears twice", which 'A bis' does not; the message now names the code
    and both names."""
    path = tmp_path / "codes.csv"
    path.write_text("code,district,households,internet\n01001,A,1000,400\n01002,B,2000,500\n"
                    "01001,A bis,1000,100\nX,Vénissieux,500,10\nX,VENISSIEUX,500,20\n")
    t = _read(path)
    dup = {i.row: i for i in t.report.by_code("duplicate_area")}
    assert set(dup) == {4, 6}
    assert "code '01001'" in dup[4].message and "'A'" in dup[4].message and "'A bis'" in dup[4].message
    assert "code 'X'" in dup[6].message  # same code, names differing only in case/accents
    no_code = tmp_path / "names.csv"
    no_code.write_text("district,households,internet\nVénissieux,500,10\nVENISSIEUX,500,20\n")
    d = _read(no_code).report.by_code("duplicate_area")
    assert len(d) == 1 and "code" not in d[0].message and "rows 2 and 3" in d[0].message


@pytest.mark.parametrize("kind", ["csv", "xlsx", "frame"])
def test_duplicated_header_is_reported_not_a_traceback(tmp_path: Path, kind: str) -> None:
    """Bug: an Excel sheet or DataFrame with two columns of the same name crashed with
    AttributeError ('DataFrame' object has no attribute 'dtype'), a traceback in the CLI; in a
    CSV the copy was reported as an unknown column 'internet.1'."""
    header = ["district", "households", "internet", "internet"]
    rows = [["A", 1000, 400, 20], ["B", 2000, 300, 40]]
    if kind == "frame":
        src = pd.DataFrame(rows, columns=header)
    elif kind == "xlsx":
        src = tmp_path / "dup.xlsx"
        pd.DataFrame(rows, columns=["district", "households", "internet", "internet_copy"]).to_excel(src, index=False)
        import openpyxl

        wb = openpyxl.load_workbook(src)
        wb.active.cell(row=1, column=4, value="internet")
        wb.save(src)
    else:
        src = tmp_path / "dup.csv"
        src.write_text("\n".join(",".join(map(str, r)) for r in [header] + rows) + "\n")
    t = _read(src)
    dup = t.report.by_code("duplicate_column_name")
    assert len(dup) == 1 and "columns 3 and 4" in dup[0].message and dup[0].column == "internet"
    assert t.data["numerator"].tolist() == [400.0, 300.0]  # the first column is read
    assert not t.report.by_code("unknown_column")


def test_touching_districts_without_shared_vertex_are_queen_neighbours() -> None:
    """Bug: libpysal's vertex-based Queen calls a district an island when its border touches
    its neighbours' without sharing a vertex (NYC's Upper West Side and Fort Greene were
    'attached to the nearest district' as islands though they touch Lincoln Square...)."""
    import geopandas as gpd
    from shapely.geometry import Polygon, box

    from egovkit.distribution import spatial_weights

    geoms = [box(0, 0, 1, 1), box(0, 1, 1, 2),  # share two vertices
             Polygon([(1, 0.2), (2, 0.2), (2, 0.8), (1, 0.8)]),  # touches the first along x=1, no common vertex
             box(5, 5, 6, 6)]  # a real island
    gdf = gpd.GeoDataFrame({"name": ["A", "B", "C", "far"]}, geometry=geoms, crs=3857)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sw = spatial_weights(gdf, area="name", islands="drop")
    # brute force: queen neighbours are the districts whose boundaries intersect
    expected = {i: sorted(j for j in range(4) if j != i and geoms[i].intersects(geoms[j])) for i in range(3)}
    got = {i: sorted(int(j) for j in sw.w.neighbors[i]) for i in range(3)}
    assert got == expected == {0: [1, 2], 1: [0], 2: [0]}
    assert list(sw.left_out["area"]) == ["far"]
    assert [i.area for i in sw.report.by_code("distribution.contact_neighbours")] == ["C"]


@pytest.mark.parametrize("header, indicator, kind", [
    ("Ménages disposant d'un ordinateur", "computer", None),
    ("Part des ménages avec accès à internet (%)", "internet", "percent"),
    ("% of households with a computer", "computer", "percent"),
    ("Foyers avec internet", "internet", None),
    ("Accès internet haut débit", "broadband", None),
    ("Mobile phone ownership (persons 3+)", "mobile_phone", None),
    ("Ménages n'ayant pas internet", None, None),  # a negation is not the indicator
    ("Households without a computer", None, None),
    ("Ménages disposant d'une voiture", None, None),
])
def test_ordinary_headers_are_recognised(header: str, indicator: str | None, kind: str | None) -> None:
    """Bug: ordinary English/French headers were not recognised ('% of households with a
    computer' -> no indicator, while 'Households with internet (%)' was), so a municipal
    export failed with 'no ICT indicator column recognised'."""
    from egovkit.read.roles import recognise_indicator

    m = recognise_indicator(header)
    assert (m.indicator, m.kind if indicator else None) == (indicator, kind)


def test_french_export_with_ordinary_headers_reads(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("Commune;Population 3 ans et plus;Ménages;Ménages disposant d'un ordinateur;"
                     "Part des ménages avec accès à internet (%)\nA;2 500;1 000;300;45,5\n"
                     "B;5 000;2 000;500;30,0\n".encode("latin-1"))
    t = _read(path)
    got = t.data.set_index(["area_name", "indicator"])[["numerator", "denominator"]]
    assert got.loc[("A", "computer")].tolist() == [300.0, 1000.0]
    assert got.loc[("B", "internet")].tolist() == pytest.approx([0.30 * 2000, 2000.0])
    assert t.report.row_fate == {2: "used", 3: "used"}


def test_empty_boundaries_and_geojson_table_say_what_is_wrong(tmp_path: Path) -> None:
    """Bugs: an empty FeatureCollection gave 'no column pair of the table ... and the boundaries
    [] has any district in common'; a GeoJSON given as the table gave 'the table has a header but
    no data rows'."""
    from egovkit.errors import InputError
    from egovkit.geo import read_boundaries

    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match="no features") as exc:
        read_boundaries(empty)
    assert "empty.geojson" in str(exc.value)
    with pytest.raises(InputError, match="boundaries, not a census table") as exc:
        _read(empty)
    assert "empty.geojson" in str(exc.value)


def test_long_rows_of_unknown_indicators_reported_once(tmp_path: Path) -> None:
    """Bug: in a long table, the rows of an unrecognised indicator were reported once in a
    grouped issue and then again, one 'no usable value in this row' warning each (thousands of
    lines for a real export)."""
    path = tmp_path / "long.csv"
    path.write_text("area,indicator,value,households\nA,internet,45.5,1000\nA,bicycle,30.5,1000\n"
                    "B,internet,20.5,2000\nB,bicycle,10.5,2000\nC,gadget,1.5,500\nD,gadget,2.5,500\n")
    t = _read(path)
    assert not t.report.by_code("row_dropped")
    grouped = {i.message.split("'")[1]: i for i in t.report.by_code("unknown_indicator")}
    assert "rows 3, 5" in grouped["bicycle"].message and "rows 6, 7" in grouped["gadget"].message
    assert t.report.row_fate == {2: "used", 3: "dropped", 4: "used", 5: "dropped", 6: "dropped", 7: "dropped"}


def test_override_onto_an_already_matched_boundary_names_the_override(tmp_path: Path) -> None:
    """Usability bug: overrides={'Bady': 'Nolu'} (a wrong pick from the candidates) failed with
    "table: ['Bady', 'Nolu'] all read as 'nolu'. Fix: join by a code column" - the override,
    the actual mistake, was not named."""
    from egovkit.errors import JoinError
    from egovkit.geo import read_boundaries
    from egovkit.join import join_table

    table, districts, _ = _misspelt_territory(tmp_path)
    t, b = _read(table), read_boundaries(districts)
    with pytest.raises(JoinError) as exc:
        join_table(t, b, boundary_on="name", overrides={"Bady": "Nolu"})
    msg = str(exc.value)
    assert "override 'Bady' -> 'Nolu'" in msg and "['Nolu']" in msg and "correct the override" in msg


def test_totals_row_under_the_territory_name_is_flagged(tmp_path: Path) -> None:
    """Bug: a totals row named after the territory ('Lyon' under its arrondissements) was read
    as one more district without a word, so every territory figure counted households twice."""
    path = tmp_path / "lyon.csv"
    path.write_text("Arrondissement;Ménages;Internet\nLyon 1er;1 000;600\nLyon 2e;2 000;1 100\n"
                    "Lyon 3e;3 500;1 500\nLyon 4e;1 200;700\nLyon;7 700;3 900\n", encoding="utf-8")
    t = _read(path)
    flag = t.report.by_code("looks_like_total")
    assert [(i.row, i.area) for i in flag] == [(6, "Lyon")]
    ok = tmp_path / "ok.csv"  # the same districts with a named total: no warning
    ok.write_text(path.read_text().replace("\nLyon;", "\nTotal;"))
    assert not _read(ok).report.by_code("looks_like_total")


def test_second_denominator_row_that_differs_is_named_with_the_first(tmp_path: Path) -> None:
    """Pins the duplicate_denominator messages (the check was vectorised: it used to pass over
    every row once per duplicated area). A repeated identical row is silent."""
    path = tmp_path / "long.csv"
    path.write_text("area,indicator,value\nA,households,1000\nA,internet,450\nB,households,2000\n"
                    "A,households,1000\nB,internet,500\nB,households,2500\nB,households,2600\n")
    t = _read(path)
    dup = t.report.by_code("duplicate_denominator")
    assert [(i.row, i.area, i.column) for i in dup] == [(7, "B", "value"), (8, "B", "value")]
    assert dup[0].message == "a second 'households' row for this area ('2500'; row 4 gives '2000'): the first is used"
    assert "('2600'; row 4 gives '2000')" in dup[1].message
    got = {r.area_name: (r.numerator, r.denominator) for r in t.data.itertuples()}
    assert got == {"A": (450.0, 1000.0), "B": (500.0, 2000.0)}
