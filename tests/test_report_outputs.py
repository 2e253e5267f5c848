"""Outputs to hand on: the Excel workbook of every table, sites and gap zones with longitude/latitude
(CSV, GeoJSON, KML), links of index.html that exist wherever --out points, and a clean print.

The demo report is built twice through the command line, once with a relative ``--out`` (run from a
temporary working directory, as ``make demo`` does) and once with an absolute one.
"""

from __future__ import annotations

import html
import json
import os
import re
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from egovkit.cli import app
from egovkit.present.report import build_report
from egovkit.present.workbook import WORKBOOK_NAME, column_unit, read_table_back, sheet_names, write_workbook
from egovkit.validate import ValidationReport

from test_present_synthetic import grid_districts, grid_rates, random_points

runner = CliRunner()
UNIT = re.compile(r" \([^()]*\)$")


def _demo(out: str, cwd: Path) -> Path:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        res = runner.invoke(app, ["demo", "--out", out, "--quiet"])
    finally:
        os.chdir(old)
    assert res.exit_code == 0, res.output
    return (cwd / out) if not Path(out).is_absolute() else Path(out)


@pytest.fixture(scope="module")
def demo_relative(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("cwd")
    return _demo("out/demo", cwd)


@pytest.fixture(scope="module")
def demo_absolute(tmp_path_factory) -> Path:
    return _demo(str(tmp_path_factory.mktemp("abs") / "demo"), Path.cwd())


def _relative_links(index: Path) -> list[str]:
    """Every href/src of the page that is a path inside the folder (no data:, #, http...)."""
    text = index.read_text(encoding="utf-8")
    links = [html.unescape(m) for m in re.findall(r'(?:href|src)="([^"]*)"', text)]
    return [u for u in links if u and not re.match(r"^(data:|#|[a-z][a-z0-9+.-]*:)", u)]


# ------------------------------------------------------------------------------------- links
@pytest.mark.parametrize("which", ["demo_relative", "demo_absolute"])
def test_every_relative_link_of_index_html_exists(which, request):
    out = request.getfixturevalue(which)
    links = _relative_links(out / "index.html")
    assert len(links) > 30  # the files list, the SVGs, the map, the workbook, the GIS layers
    missing = [u for u in links if not (out / unquote(urlparse(u).path)).is_file()]
    assert missing == []
    assert all(not u.startswith(("/", "..")) and ".tmp-" not in u for u in links)
    for f in (WORKBOOK_NAME, "tables/new_sites.geojson", "tables/gap_zones.kml", "tables/territory.csv",
              "validation_report.txt"):
        assert f in links, f
    manifest = json.loads((out / ".egovkit-report.json").read_text(encoding="utf-8"))
    for f in (WORKBOOK_NAME, "tables/new_sites.geojson", "tables/new_sites.kml", "tables/gap_zones.geojson",
              "tables/gap_zones.kml"):
        assert f in manifest["files"], f


def test_links_are_listed_relative_to_the_folder_however_extra_files_are_given(tmp_path, monkeypatch):
    d = grid_districts(3, 3)
    rates = grid_rates(d, ("internet",))
    out = tmp_path / "rep"
    (out / "tables").mkdir(parents=True)
    for name in ("a.csv", "b.csv", "c.csv"):
        (out / "tables" / name).write_text("x\n1\n")
    outside = tmp_path / "outside.csv"
    outside.write_text("x\n1\n")
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(Path("rep"), territory_name="G", districts=d, rates=rates, static_maps_for=(),
                             extra_files=[Path("rep/tables/a.csv"), out / "tables" / "b.csv", "tables/c.csv",
                                          outside, "missing.csv"])
    links = _relative_links(index)
    assert {"tables/a.csv", "tables/b.csv", "tables/c.csv"} <= set(links)
    assert not any("outside" in u or "missing" in u or u.startswith("rep/") for u in links)
    assert all((out / u).is_file() for u in links)


# ----------------------------------------------------------------------------------- workbook
def test_workbook_has_one_sheet_per_csv_table_with_the_same_values(demo_relative):
    out = demo_relative
    book = pd.read_excel(out / WORKBOOK_NAME, sheet_name=None)
    readme = book["README"]
    listed = readme.dropna(subset=["file"]).set_index("file")["sheet"]
    csvs = sorted(p.relative_to(out).as_posix() for p in (out / "tables").glob("*.csv"))
    assert sorted(listed.index) == csvs  # every CSV table, nothing else
    assert len(book) == len(csvs) + 1
    for rel, sheet in listed.items():
        csv = pd.read_csv(out / rel, dtype=str, keep_default_na=False)
        xl = book[sheet]
        assert [UNIT.sub("", c) for c in xl.columns] == list(csv.columns), rel
        assert len(xl) == len(csv), rel
        assert readme.set_index("sheet").at[sheet, "rows"] == len(csv)
        for cx, cc in zip(xl.columns, csv.columns):
            a, b = xl[cx], csv[cc]
            if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
                want = pd.to_numeric(b.replace("", np.nan)).to_numpy(dtype=float)
                np.testing.assert_array_equal(a.to_numpy(dtype=float), want, err_msg=f"{rel}:{cc}")
            else:
                got = ["" if pd.isna(v) else str(v) for v in a]
                assert got == b.tolist(), f"{rel}:{cc}"


def test_workbook_headers_carry_units_and_cells_their_formats(demo_relative):
    from openpyxl import load_workbook

    book = pd.read_excel(demo_relative / WORKBOOK_NAME, sheet_name=None)
    cols = {s: list(df.columns) for s, df in book.items()}
    assert "share_territory (0-1)" in cols["summary"] and "n_districts (count)" in cols["summary"]
    assert "numerator (count, see universe)" in cols["district_rates"]  # households and persons
    assert "pct (%)" in cols["district_rates"] and "share (0-1)" in cols["district_rates"]
    assert "radius_m (m)" in cols["coverage"] and "population (persons)" in cols["coverage"]
    assert "area_km2 (km²)" in cols["gap_zones"]
    assert {"longitude (degrees east, EPSG:4326)", "latitude (degrees north, EPSG:4326)"} <= set(cols["new_sites"])
    assert "gap_pp (percentage points)" in cols["gaps"]
    wb = load_workbook(demo_relative / WORKBOOK_NAME)
    assert wb.sheetnames[0] == "README" and len(set(n.lower() for n in wb.sheetnames)) == len(wb.sheetnames)
    assert all(len(n) <= 31 for n in wb.sheetnames)
    ws = wb["summary"]
    head = [c.value for c in ws[1]]
    share = head.index("share_territory (0-1)") + 1
    num = head.index("denominator (count, see universe)") + 1
    assert ws.cell(2, share).number_format == "0.0%" and isinstance(ws.cell(2, share).value, float)
    assert ws.cell(2, num).number_format == "#,##0"
    assert ws.freeze_panes == "A2" and ws.column_dimensions["A"].width >= len("indicator")
    for sheet in wb.worksheets:  # not one live formula anywhere
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_workbook_holds_the_validation_report(demo_relative):
    out = demo_relative
    book = pd.read_excel(out / WORKBOOK_NAME, sheet_name=None)
    val = book["validation_report"]
    csv = pd.read_csv(out / "tables" / "validation_report.csv")
    assert len(val) == len(csv) > 0
    assert val["message"].tolist() == csv["message"].tolist()
    readme = book["README"]
    line = readme.loc[readme["sheet"] == "validation", "contents"].iloc[0]
    assert "25 rows read (24 used, 1 kept apart)" in line
    assert "exampleland_census.csv" in readme.loc[readme["sheet"] == "source", "contents"].tolist()


def test_workbook_neutralises_formulas_and_keeps_codes_as_text(tmp_path):
    d = grid_districts(3, 2)
    d["area_name"] = ['=HYPERLINK("http://x/?"&A1,"click")', "@SUM(1+1)", "-2+3", "Kopo", "+x", "Lima"]
    d["area_code"] = ["01", "02", "03", "04", "05", "10"]
    rates = grid_rates(d, ("internet",))
    validation = ValidationReport(source="t.csv")
    validation.add("warning", "odd", "a warning", area="=1+1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(tmp_path, territory_name="G", districts=d, rates=rates, static_maps_for=(),
                     validation=validation)
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / WORKBOOK_NAME)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    values = {c.value for c in cells}
    assert "'=HYPERLINK(\"http://x/?\"&A1,\"click\")" in values and "'@SUM(1+1)" in values and "'=1+1" in values
    rates_sheet = pd.read_excel(tmp_path / WORKBOOK_NAME, sheet_name="district_rates", dtype=object)
    assert sorted(set(rates_sheet["area_code"])) == ["01", "02", "03", "04", "05", "10"]  # not 1, 2, ...
    assert (tmp_path / "tables" / "validation_report.csv").is_file()
    val = pd.read_excel(tmp_path / WORKBOOK_NAME, sheet_name="validation_report")
    assert val["area"].tolist() == ["'=1+1"]


def test_sheet_names_units_and_reading_back():
    names = sheet_names(["x" * 40, "X" * 40, "a/b:c", "History", "README"])
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == 5
    assert names[2] == "a_b_c" and names[3] != "History"
    assert column_unit("share", "persons") == ("0-1 of persons", "0.0%")
    assert column_unit("area_name") == (None, None)
    assert column_unit("median_distance_m")[0] == "m" and column_unit("name_min") == (None, None)


def test_long_tables_are_cut_and_readme_says_so(tmp_path):
    p = tmp_path / "big.csv"
    pd.DataFrame({"code": [f"{i:03d}" for i in range(30)], "population": range(30)}).to_csv(p, index=False)
    wb = write_workbook([p], tmp_path / "b.xlsx", max_rows=10)
    book = pd.read_excel(wb, sheet_name=None, dtype=object)
    assert len(book["big"]) == 10 and book["big"]["code"].iloc[0] == "000"
    row = book["README"].set_index("sheet").loc["big"]
    assert row["rows"] == 30 and "cut at 10 rows" in row["contents"]
    assert read_table_back(p)["code"].iloc[3] == "003"


# ------------------------------------------------------------------------ sites and gap zones
def test_new_sites_and_gap_zones_have_longitude_latitude_that_round_trip(demo_relative):
    t = demo_relative / "tables"
    sites = gpd.read_file(t / "new_sites.gpkg")
    zones = gpd.read_file(t / "gap_zones.gpkg")
    assert sites.crs.is_projected and len(sites) == 10 and len(zones) == 10
    s = pd.read_csv(t / "new_sites.csv")
    z = pd.read_csv(t / "gap_zones.csv")
    for df in (s, z):
        assert df["longitude"].between(-180, 180).all() and df["latitude"].between(-90, 90).all()
    back = gpd.GeoSeries(gpd.points_from_xy(s["longitude"], s["latitude"]), crs=4326).to_crs(sites.crs)
    assert np.abs(back.x.to_numpy() - sites.geometry.x.to_numpy()).max() < 0.05  # metres
    assert np.abs(back.y.to_numpy() - sites.geometry.y.to_numpy()).max() < 0.05
    inside = gpd.GeoSeries(gpd.points_from_xy(z["longitude"], z["latitude"]), crs=4326).to_crs(zones.crs)
    assert inside.within(zones.geometry.buffer(0.05)).all()  # a point inside each zone, not beside it
    assert (s["rank"] == sites["rank"]).all() and (z["population"] == zones["population"]).all()
    page = (demo_relative / "index.html").read_text(encoding="utf-8")  # printed with the report too
    for df in (s, z):
        assert (f"<td class='n'>{df['longitude'].iloc[0]:.5f}</td>"
                f"<td class='n'>{df['latitude'].iloc[0]:.5f}</td>") in page


@pytest.mark.parametrize("ext", ["geojson", "kml"])
def test_gis_layers_of_sites_and_gap_zones_open_with_geopandas(demo_relative, ext):
    t = demo_relative / "tables"
    for stem in ("new_sites", "gap_zones"):
        ref = gpd.read_file(t / f"{stem}.gpkg").to_crs(4326)
        g = gpd.read_file(t / f"{stem}.{ext}")
        assert g.crs.to_epsg() == 4326 and len(g) == len(ref), stem
        assert (g.geometry.geom_type.to_numpy() == ref.geometry.geom_type.to_numpy()).all()
        assert g.geometry.geom_equals_exact(ref.geometry.set_axis(g.index), tolerance=1e-7).all(), stem
        if ext == "kml":
            word = "proposed site" if stem == "new_sites" else "gap zone"
            assert g["Name"].tolist() == [f"{word} {r}" for r in ref["rank"]]


def test_sites_given_in_longitude_latitude_keep_them_and_gap_zones_get_a_point_inside(tmp_path):
    d = grid_districts(3, 3)
    rates = grid_rates(d, ("internet",))
    sites = random_points(d, 3, seed=1).assign(rank=[1, 2, 3])
    ring = d.geometry.iloc[0].buffer(0.004).difference(d.geometry.iloc[0].buffer(0.002))  # centroid outside
    zones = gpd.GeoDataFrame({"rank": [1], "population": [10.0]}, geometry=[ring], crs=4326)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(tmp_path, territory_name="G", districts=d, rates=rates, new_sites=sites, gap_zones=zones,
                     static_maps_for=())
    s = pd.read_csv(tmp_path / "tables" / "new_sites.csv")
    np.testing.assert_allclose(s["longitude"], sites.geometry.x, atol=1e-8)
    np.testing.assert_allclose(s["latitude"], sites.geometry.y, atol=1e-8)
    z = pd.read_csv(tmp_path / "tables" / "gap_zones.csv")
    assert not ring.centroid.within(ring)
    assert gpd.points_from_xy(z["longitude"], z["latitude"])[0].within(ring)


# ---------------------------------------------------------------------------------- printing
@pytest.mark.browser
def test_print_shows_static_maps_instead_of_the_interactive_one(browser, tmp_path):
    d = grid_districts(6, 5)
    rates = grid_rates(d, ("internet", "computer"), drop=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path / "r", territory_name="Gridland", districts=d, rates=rates,
                             hotspots=random_points(d, 20))
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
               else r.abort())
    page.goto(index.resolve().as_uri())
    page.wait_for_function("document.querySelector('iframe.map').srcdoc.length > 1000", timeout=15000)
    main_map = page.locator("figure.static-map.main-map img")
    assert main_map.count() == 1
    assert page.locator("iframe.map").is_visible() and page.locator("#files").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("iframe.map").is_visible()
    assert main_map.is_visible() and page.locator("figure.static-map").count() == 2
    assert not page.locator("#files").is_visible() and not page.locator(".screen-only").first.is_visible()
    style = page.evaluate("""() => {
        const s = e => getComputedStyle(document.querySelector(e));
        return {thead: s('thead').display, tr: s('tbody tr').breakInside, fig: s('figure.static-map').breakInside,
                h2: s('h2').breakAfter};
    }""")
    assert style == {"thead": "table-header-group", "tr": "avoid", "fig": "avoid", "h2": "avoid"}
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 3
    page.emulate_media(media="screen")
    assert page.locator("iframe.map").is_visible()
    page.close()
