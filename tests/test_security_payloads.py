"""Hostile text in user files comes out literally: no template evaluation, no script, no formula (issue 9).

folium/branca render a map's macros and then render their output again as Jinja, and
Leaflet inserts tooltips, layer names and legends with innerHTML. These tests put template,
HTML and spreadsheet-formula payloads into every kind of user text egovkit shows (district
names and area codes in the census table and the boundary file, hotspot names, indicator
labels and units, questionnaire text, assessment fields, stakeholder names) and check
the maps, the report and the CSV/Excel tables: the text is there, escaped, nothing is
evaluated (``{{7*7}}`` never becomes ``49``, the ``os.makedirs`` payload creates no
folder), nothing crashes. The hover test in a real browser is in
``tests/test_browser_payloads.py``.
"""

from __future__ import annotations

import base64
import csv
import gzip
import html
import json
import os
import re
import warnings
from pathlib import Path

import folium
import pandas as pd
import pytest
import yaml

from egovkit.export import FORMULA_PREFIXES, neutralise_formulas, neutralise_text, restore_text, write_csv, write_excel
from egovkit.present.offline import render_offline, save_offline
from egovkit.present.safe import UnsafeMapText, check_map_text, map_text

from test_present_synthetic import grid_districts, grid_rates, random_points

#: ``cycler`` is in Jinja's default globals: this runs ``os.makedirs("PWNED")`` if evaluated.
PWN = "Kopo {{ cycler.__init__.__globals__.os.makedirs(dict(PWNED=1)|first, exist_ok=True) }}"
#: Text that Jinja would evaluate, or fail to parse.
JINJA = ["{{7*7}} town", PWN, "{% if 1 %}x{% endif %} end", "Nolu {# comment", "Risi {{ unclosed",
         "Bad }} close %}"]
#: Text that runs script or fetches a URL if inserted as HTML (or breaks out of a JS string).
HTML = ['"><img src=x onerror=alert(1)>', "<iframe src=javascript:alert(1)>",
        "<img src=http://198.51.100.1/x.png>", "</script><script>alert(1)</script>",
        "Back`tick ${alert(1)} \\u0041", "O'Brien \"quoted\" & co"]
#: Text that a spreadsheet runs as a formula.
FORMULAS = ['=HYPERLINK("http://198.51.100.1/?x","click")', "@SUM(1)", "+1+cmd|' /C calc'!A0",
            "-2+3", "\tTabbed", "\rReturn"]
#: Text that matplotlib would parse as $...$ mathematics (and fail on).
MATH = ["Ma $\\foo{$ th", "Cost $5 and $6"]
PAYLOADS = JINJA + HTML + FORMULAS + MATH
#: District names of the hostile census table: the reader takes a row named like ``SUM`` for a
#: total row (and keeps it apart), so the ``@`` payload of the districts is another function.
DISTRICT_PAYLOADS = [p if p != "@SUM(1)" else "@IMPORTRANGE(1)" for p in PAYLOADS]
#: Raw markup that must never appear in an output (it would be parsed as HTML).
RAW_MARKUP = ["<img src=x", "<iframe src=javascript", "<img src=http://198.51.100.1",
              "</script><script>alert(1)"]


def assert_inert_html(text: str, where: str) -> None:
    """No payload evaluated or left as live markup in ``text``."""
    assert "49 town" not in text, f"{where}: '{{{{7*7}}}}' was evaluated as a template"
    assert "x end" not in text, f"{where}: '{{% if %}}' was evaluated as a template"
    for raw in RAW_MARKUP:
        assert raw not in text, f"{where}: raw markup {raw!r}"


def shown(p: str, text: str) -> bool:
    """``p`` is in ``text`` as inert map text (raw in HTML, or JSON-encoded in the GeoJSON)."""
    from jinja2.utils import htmlsafe_json_dumps

    t = map_text(p)
    return any(form in text for form in (t, json.dumps(t)[1:-1], str(htmlsafe_json_dumps(t))[1:-1]))


def map_htmls(index: Path) -> dict[str, str]:
    """The maps of a report: ``maps/*.html`` and the gzip copies embedded in ``index.html``."""
    out = {str(p.relative_to(index.parent)): p.read_text(encoding="utf-8")
           for p in sorted((index.parent / "maps").glob("*.html"))}
    page = index.read_text(encoding="utf-8")
    for i, b64 in enumerate(re.findall(r'<script type="application/gzip;base64" id="egovkit-map-\d+">(.*?)</script>',
                                       page, re.S)):
        out[f"index.html#map{i + 1}"] = gzip.decompress(base64.b64decode(b64.strip())).decode("utf-8")
    assert len(out) >= 2
    return out


# --------------------------------------------------------------------------- a hostile territory
def write_payload_territory(folder: Path) -> dict[str, Path]:
    """The synthetic Exampleland as user files, districts and hotspots renamed with payloads.

    District ``EX01`` ... are renamed ``PAYLOADS[0]`` ... in the census table and the boundary
    file (so they still join by code); the codes of the last three districts become formula
    payloads; the first hotspots are named with the payloads.
    """
    from egovkit.datasets.synthetic import make_territory

    paths = make_territory(seed=42).write(folder)
    tab = pd.read_csv(paths["table"], dtype=str, keep_default_na=False)
    gj = json.loads(paths["districts"].read_text(encoding="utf-8"))
    codes = [c for c in tab["Code"] if c != "EX00"]
    new_name = dict(zip(codes, DISTRICT_PAYLOADS))
    new_code = dict(zip(codes[-3:], ["=1+2", "@A1", "+7"]))
    tab["District"] = [new_name.get(c, n) for c, n in zip(tab["Code"], tab["District"])]
    tab["Code"] = [new_code.get(c, c) for c in tab["Code"]]
    for f in gj["features"]:
        p = f["properties"]
        p["name"] = new_name.get(p["code"], p["name"])
        p["code"] = new_code.get(p["code"], p["code"])
    tab.to_csv(paths["table"], index=False, lineterminator="\r\n")  # quotes the "\r" in a name
    paths["districts"].write_text(json.dumps(gj), encoding="utf-8")
    h = pd.read_csv(paths["hotspots"], dtype=str, keep_default_na=False)
    h.loc[: len(PAYLOADS) - 1, "name"] = PAYLOADS
    h.to_csv(paths["hotspots"], index=False, lineterminator="\r\n")
    return paths


def payload_diagnosis(work: Path, **kwargs):
    """``diagnose_files`` (what ``egovkit run`` calls) on the hostile files, run from ``work``."""
    from egovkit.run_files import diagnose_files

    paths = write_payload_territory(work / "inputs")
    before = os.getcwd()
    os.chdir(work)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return diagnose_files(paths["table"], paths["districts"], work / "out", hotspots=paths["hotspots"],
                                  population=paths["population"], name="District", code="Code", level="Level",
                                  **kwargs)
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def payload_run(tmp_path_factory):
    """``egovkit run`` on the hostile files (working directory = the run folder)."""
    work = tmp_path_factory.mktemp("payloads")
    return work, payload_diagnosis(work, territory_name="Payload {{7*7}} <b>land</b>")


def test_the_run_executes_nothing(payload_run):
    work, diag = payload_run
    assert not list(work.rglob("PWNED")) and not Path("PWNED").exists()
    # the payloads really went in (the CSV reader reads the quoted "\r" as a line break)
    assert {p.replace("\r", "\n") for p in DISTRICT_PAYLOADS} <= set(diag.rates["area_name"])


def test_report_maps_show_the_names_literally(payload_run):
    work, diag = payload_run
    for where, text in map_htmls(diag.report_path).items():
        assert_inert_html(text, where)
        for p in DISTRICT_PAYLOADS:
            assert shown(p.replace("\r", "\n"), text), f"{where}: {p!r} is not shown literally"


def test_report_page_escapes_every_text(payload_run):
    work, diag = payload_run
    page = diag.report_path.read_text(encoding="utf-8")
    assert_inert_html(page, "index.html")
    assert "{{7*7}} town" in page and "Payload {{7*7}} &lt;b&gt;land&lt;/b&gt;" in page
    for p in JINJA + HTML:
        assert html.escape(p, quote=False) in page or html.escape(p) in page, p


def test_report_figures_are_inert(payload_run):
    work, diag = payload_run
    svgs = sorted((diag.report_path.parent / "figures").glob("*.svg"))
    assert len(svgs) >= 3
    for svg in svgs:
        assert_inert_html(svg.read_text(encoding="utf-8"), svg.name)


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [c for row in csv.reader(f) for c in row]


#: CSV files written by the report (present/report.py); the others are written by call sites that
#: have still to switch to egovkit.export.write_csv (pipeline.write_outputs, ValidationReport.save).
REPORT_TABLES = ["summary.csv", "district_rates.csv", "join_report.csv", "lagging_districts.csv",
                 "coverage.csv", "gap_zones.csv", "new_sites.csv", "lorenz_gini.csv", "distribution.csv",
                 "lisa_clusters.csv"]


@pytest.mark.parametrize("name", REPORT_TABLES)
def test_report_tables_neutralise_formulas(payload_run, name):
    work, diag = payload_run
    path = diag.report_path.parent / "tables" / name
    if not path.exists():
        pytest.skip(f"{name} not written for this territory")
    cells = _cells(path)
    live = [c for c in cells if neutralise_text(c) != c]
    assert live == [], f"{name}: cells a spreadsheet would run as formulas: {live[:5]}"
    if name == "district_rates.csv":
        assert {"'" + FORMULAS[0], "'@IMPORTRANGE(1)", "'-2+3", "'\tTabbed", "'=1+2", "'@A1"} <= set(cells)
        # negative numbers (gaps) and plain numbers are left alone
    if name == "lagging_districts.csv":
        assert any(re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", c) for c in cells)


@pytest.mark.parametrize("name", ["composite.csv", "territory.csv", "gaps.csv", "validation_report.csv"])
def test_pipeline_tables_neutralise_formulas(payload_run, name):
    work, diag = payload_run
    path = diag.report_path.parent / "tables" / name
    if not path.exists():
        pytest.skip(f"{name} not written for this territory")
    live = [c for c in _cells(path) if neutralise_text(c) != c]
    assert live == [], f"{name}: cells a spreadsheet would run as formulas: {live[:5]}"


# --------------------------------------------------------------------------- every map function
@pytest.fixture(scope="module")
def grid():
    d = grid_districts(6, 3)
    n = len(d)
    d["area_name"] = (PAYLOADS * 2)[:n]
    d["area_code"] = [f"=C{i}" if i % 4 == 0 else f"{{{{{i}*7}}}}" if i % 4 == 1 else f"<b>{i}" if i % 4 == 2
                      else f"D{i}" for i in range(n)]
    return d


def _rendered(m) -> str:
    text = render_offline(m)
    assert_inert_html(text, type(m).__name__)
    return text


def test_indicator_map_with_payloads_everywhere(grid, tmp_path):
    from egovkit.present.maps import indicator_map

    rates = grid_rates(grid, ("internet",), drop=2).assign(area_name=lambda r: r["area_code"])
    label = "Internet {{7*7}} <img src=x onerror=alert(1)>"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = indicator_map(grid, rates[rates.indicator == "internet"], label=label, percent=False,
                          column="numerator", unit="{% if 1 %}x{% endif %} hh", hotspots=random_points(grid, 12),
                          lisa=pd.DataFrame({"area_code": grid["area_code"], "cluster": ["HH", "LL"] * 9}),
                          gap_zones=grid.iloc[:2], new_sites=random_points(grid, 3, seed=5), coverage_radius_m=300)
    text = _rendered(m)
    for p in grid["area_name"]:
        assert shown(p, text)
    assert shown(label, text) and map_text("{% if 1 %}x{% endif %} hh") in text
    # no name column: the area codes are the names
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m2 = indicator_map(grid.drop(columns="area_name"), rates.drop(columns="area_name"), name_column="area_name")
    text2 = _rendered(m2)
    for c in grid["area_code"]:
        assert shown(c, text2)
    assert save_offline(m, tmp_path / "m.html").stat().st_size > 0


def test_notebook_display_of_a_map_is_inert(grid):
    """In a notebook folium shows ``m._repr_html_()`` (the page in an iframe's srcdoc), without
    egovkit's render_offline: the map's data must be inert by itself."""
    from egovkit.present.maps import indicator_map

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = indicator_map(grid, grid_rates(grid, ("internet",)), label="{{7*7}} town")
    srcdoc = html.unescape(re.search(r'srcdoc="(.*?)"', m._repr_html_(), re.S).group(1))
    assert_inert_html(srcdoc, "notebook map")
    assert shown("{{7*7}} town", srcdoc) and not Path("PWNED").exists()


def test_lisa_map_with_payload_names(grid):
    from egovkit.distribution import local_moran
    from egovkit.present import lisa_map

    g = grid.assign(n=range(1, len(grid) + 1), d=100, area=grid["area_name"])
    lisa = local_moran(g, numerator="n", denominator="d", permutations=99)
    text = _rendered(lisa_map(lisa))
    for p in grid["area_name"]:
        assert shown(p, text)


@pytest.fixture(scope="module")
def hostile_register():
    from egovkit import diagnosis as dg

    rows = [{"name": p, "type": "ngo", "resources": "technical", "notes": HTML[0],
             "lat": -1.29 + i / 1000, "lon": 36.8 + i / 1000} for i, p in enumerate(JINJA + HTML)]
    return dg.make_register(rows, [{"source": PWN, "target": HTML[0], "status": "proposed"}])


def test_stakeholder_map_with_payload_names(hostile_register):
    from egovkit.present.diagnosis_plots import stakeholder_map

    text = _rendered(stakeholder_map(hostile_register))
    for p in JINJA + HTML:
        assert shown(p, text)


def test_diagnosis_section_with_payload_questionnaire_and_stakeholders(hostile_register, tmp_path):
    """Questionnaire labels, assessment fields and stakeholder names in the report's diagnosis section."""
    from egovkit import diagnosis as dg
    from egovkit.diagnosis.questionnaire import DEFAULT_QUESTIONNAIRE
    from egovkit.present.diagnosis_plots import diagnosis_section

    spec = yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    for d, p in zip(spec["dimensions"], JINJA + HTML):
        d["en"] = d["fr"] = p
    qpath = tmp_path / "q.yaml"
    qpath.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    q = dg.load_questionnaire(qpath)
    example = dg.example_assessments()[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = dg.make_assessment(example.answers, territory=PWN, date="2025-01-01", assessor=HTML[1], questionnaire=q)
        r = dg.score_assessment(a)
        plan = dg.action_plan(r, register=hostile_register)
    section = diagnosis_section(r, "en", plan=plan, who=dg.who_could_help(hostile_register, r), include_radar=True)
    assert_inert_html(section, "diagnosis section")
    assert html.escape(PWN) in section
    shown = sum(html.escape(p) in section for p in JINJA + HTML)
    assert shown >= 6  # dimension labels (and the stakeholders who could help)


def test_report_with_payload_indicator_labels_and_assessment(hostile_register, tmp_path):
    """build_report directly: indicator ids/labels, the territory and the assessment hold payloads."""
    from egovkit import diagnosis as dg
    from egovkit.present.report import build_report

    d = grid_districts(5, 3)
    d["area_name"] = (PAYLOADS * 2)[: len(d)]
    rates = grid_rates(d, ("internet", "{{7*7}} town"), drop=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = dg.make_assessment(dg.example_assessments()[-1].answers, territory=PWN, date="2025-01-01",
                               assessor=HTML[0])
        r = dg.score_assessment(a)
        index = build_report(tmp_path / "rep", territory_name=HTML[1], districts=d, rates=rates,
                             indicator="{{7*7}} town", hotspots=random_points(d, 5), assessment=r,
                             action_plan=dg.action_plan(r, register=hostile_register))
    page = index.read_text(encoding="utf-8")
    assert_inert_html(page, "index.html")
    assert "{{7*7}} town" in page
    for where, text in map_htmls(index).items():
        assert_inert_html(text, where)
        assert shown("{{7*7}} town", text)
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()


# --------------------------------------------------------------------------- the safety nets
def test_map_text_is_inert_everywhere():
    for p in PAYLOADS:
        t = map_text(p)
        assert not set(t) & set("<>\"'`{}\\$")
        assert html.unescape(t) == p  # the browser shows exactly the text
        assert json.loads(json.dumps(t)) == t


def test_a_map_that_forgets_map_text_is_refused(tmp_path):
    m = folium.Map(tiles=None)
    folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": PWN},
         "geometry": {"type": "Point", "coordinates": [0, 0]}}]},
        tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    with pytest.raises(UnsafeMapText, match=r"GeoJson\.data.*'\{\{'.*map_text"):
        save_offline(m, tmp_path / "m.html")
    assert not (tmp_path / "m.html").exists() and not Path("PWNED").exists()
    m2 = folium.Map(tiles=None)
    folium.CircleMarker([0, 0], popup=folium.Popup("{% if 1 %}x{% endif %}")).add_to(m2)
    with pytest.raises(UnsafeMapText):
        check_map_text(m2)
    m3 = folium.Map(tiles=None)
    folium.FeatureGroup(name="{# layer").add_to(m3)
    with pytest.raises(UnsafeMapText, match="FeatureGroup"):
        check_map_text(m3)


# --------------------------------------------------------------------------- spreadsheet formulas
def test_neutralise_formulas_text_only():
    df = pd.DataFrame({
        "name": PAYLOADS + ["Kopo", "-12", "+3.5", "-1e-3", "12%", None],
        "n": range(len(PAYLOADS) + 6),
    })
    df["neg"] = -df["n"] - 0.5
    df["cat"] = pd.Categorical(["=x" if i % 2 else "y" for i in range(len(df))])
    out = neutralise_formulas(df)
    for before, after in zip(df["name"], out["name"]):
        if isinstance(before, str) and before.startswith(FORMULA_PREFIXES) and before not in ("-12", "+3.5", "-1e-3"):
            assert after == "'" + before
        else:
            assert after == before or (pd.isna(before) and pd.isna(after))
    assert out["n"].tolist() == df["n"].tolist() and out["n"].dtype == df["n"].dtype
    assert out["neg"].tolist() == df["neg"].tolist()
    assert set(out["cat"].cat.categories) == {"'=x", "y"}
    assert df["name"].iloc[0] == PAYLOADS[0]  # the input is not modified
    cols = neutralise_formulas(pd.DataFrame({"=SUM(A1)": [1], "ok": [2]}))
    assert list(cols.columns) == ["'=SUM(A1)", "ok"]


def test_write_csv_and_excel_store_text_not_formulas(tmp_path):
    from openpyxl import load_workbook

    df = pd.DataFrame({"name": FORMULAS + ["Kopo"], "n": [-1.5, 2, -3, 4, 5, 6, 7]})
    p = write_csv(df, tmp_path / "t.csv")
    back = pd.read_csv(p, keep_default_na=False)
    assert back["name"].tolist() == ["'" + f for f in FORMULAS] + ["Kopo"]
    assert back["n"].tolist() == df["n"].tolist()
    assert back["name"].map(restore_text).tolist() == df["name"].tolist()  # egovkit reads its own files back
    x = write_excel({"districts": df}, tmp_path / "t.xlsx")
    ws = load_workbook(x)["districts"]
    types = [ws.cell(row=i + 2, column=1).data_type for i in range(len(df))]
    assert "f" not in types and set(types) == {"s"}
    assert [ws.cell(row=i + 2, column=2).value for i in range(len(df))] == df["n"].tolist()
    # the same on a plain to_excel writes live formulas: the test can fail
    raw = tmp_path / "raw.xlsx"
    df.to_excel(raw, index=False)
    assert load_workbook(raw).active.cell(row=2, column=1).data_type == "f"


# --------------------------------------------------------------------------- charts: $...$ is not mathematics
def test_charts_draw_names_literally(hostile_register):
    import matplotlib.pyplot as plt

    from egovkit import diagnosis as dg
    from egovkit.present import charts
    from egovkit.present import diagnosis_plots as dp
    from egovkit.present.static_maps import static_indicator_map

    d = grid_districts(5, 4)
    d["area_name"] = PAYLOADS[: len(d)]
    rates = grid_rates(d, ("internet", "computer"))
    figs = [charts.ranked_bar_chart(rates, "internet"), charts.ownership_chart(rates),
            charts.lorenz_chart(rates, "internet"), static_indicator_map(d, rates[rates.indicator == "internet"],
                                                                           title=MATH[0], label=MATH[1]),
            charts.ranked_bar_chart(rates[rates.indicator == "internet"], numerator="numerator",
                                   denominator="denominator", name="area_name", title=MATH[0]),
            dp.influence_interest_chart(hostile_register), dp.partnership_chart(hostile_register)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = dg.score_assessment(dg.make_assessment(dg.example_assessments()[-1].answers, territory=MATH[0],
                                                   date="2025-01-01"))
    figs.append(dp.radar_chart(r, labels=[MATH[1]]))
    for fig in figs:
        fig.canvas.draw()  # raises on a $...$ parse error
        assert not [t for t in fig.findobj(plt.Text) if t.get_text() and t.get_parse_math()]
        plt.close(fig)
    bars = charts.ranked_bar_chart(rates, "internet")
    labels = {t.get_text() for t in bars.axes[0].get_yticklabels()}
    assert set(MATH) | set(HTML) | set(JINJA) <= labels  # the names, as they are
    plt.close(bars)
