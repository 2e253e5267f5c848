"""The browser app without a browser: upload safety, the host it listens on, the command line and
Python call it shows, the order of the validation report, and escaping of names from user files.

The app end to end in Chromium is tests/test_app_browser.py.
"""

from __future__ import annotations

import ast
import io
import zipfile

import pytest

from egovkit.app import job, server, uploads
from egovkit.app.job import Options
from egovkit.app.uploads import UploadStore, display_name, safe_suffix
from egovkit.errors import InputError
from egovkit.validate import ValidationReport

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def store():
    s = UploadStore()
    yield s
    s.close()


@pytest.mark.parametrize("name", ["../../etc/passwd.csv", "/abs/path/t.csv", "C:\\Users\\me\\..\\t.csv",
                                  "..\\..\\t.CSV", f"{HOSTILE}.csv", "t.csv\x00.sh.csv"])
def test_user_file_names_never_build_paths(store, name):
    path = store.save("table", name, b"Name,Households,Internet\nA,10,2\n")
    assert path == store.folder / "table.csv"
    assert [p.name for p in store.folder.iterdir()] == ["table.csv"]
    shown = store.files["table"].shown_name
    assert "<" not in shown and ">" not in shown
    assert set(display_name(name)) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@pytest.mark.parametrize("kind,name", [("table", "t.exe"), ("table", "t"), ("boundaries", "b.csv"),
                                       ("table", "t.csv.sh"), ("questionnaire", "q.geojson")])
def test_suffixes_outside_the_allow_list_are_refused(store, kind, name):
    with pytest.raises(InputError, match="must end in one of"):
        store.save(kind, name, b"x")
    assert list(store.folder.iterdir()) == []


def test_suffix_is_case_insensitive():
    assert safe_suffix("boundaries", "Counties.GeoJSON") == ".geojson"


def test_size_limit(store, monkeypatch):
    monkeypatch.setitem(uploads.KINDS, "table", uploads.Kind((".csv",), 100))
    with pytest.raises(InputError, match="at most"):
        store.save("table", "t.csv", b"x" * 101)
    with pytest.raises(InputError, match="empty"):
        store.save("table", "t.csv", b"")
    assert store.save("table", "t.csv", b"x" * 100).stat().st_size == 100


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    return buf.getvalue()


def test_zip_bombs_and_damaged_zips_are_refused_unread(store, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(InputError, match="unpacks to"):
        store.save("boundaries", "b.zip", _zip({"a.shp": b"\0" * 5000}))
    with pytest.raises(InputError, match=f"at most {uploads.MAX_ZIP_MEMBERS}"):
        store.save("boundaries", "b.zip", _zip({f"{i}.shp": b"" for i in range(uploads.MAX_ZIP_MEMBERS + 1)}))
    with pytest.raises(InputError, match="not a readable zip"):
        store.save("boundaries", "b.zip", b"PK\x03\x04 not really")
    assert list(store.folder.iterdir()) == []


def test_a_new_upload_replaces_the_previous_one(store):
    store.save("boundaries", "a.geojson", b"{}")
    store.save("boundaries", "b.gpkg", b"x")
    assert [p.name for p in store.folder.iterdir()] == ["boundaries.gpkg"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_local_hosts_are_accepted(host):
    assert server.check_host(host) == host


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_other_hosts_need_allow_remote(host):
    with pytest.raises(InputError, match="--allow-remote"):
        server.check_host(host)
    assert server.check_host(host, allow_remote=True) == host


def test_cli_refuses_a_network_host_before_listening(capsys):
    from egovkit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["app", "--host", "0.0.0.0", "--no-browser", "--port", "0"])
    assert exc.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_command_line_and_python_call_quote_user_names():
    names = {"table": "t.csv", "boundaries": "b.geojson"}
    opts = Options(area="Name; rm -rf ~", level="AdminArea", district_level="County",
                   columns={"Internet $(reboot)": "internet"}, value_type="percent", lang="fr")
    line = job.command_line(opts, names)
    assert "--area 'Name; rm -rf ~'" in line and "--columns 'Internet $(reboot)=internet'" in line
    assert "--value-type percent" in line and "--lang fr" in line
    code = job.python_call(opts, names)
    tree = ast.parse(code)  # valid Python: every name is a literal
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "diagnose_files")
    kw = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    assert kw["name"] == "Name; rm -rf ~" and kw["read_options"] == {"value_type": "percent",
                                                                     "columns": {"Internet $(reboot)": "internet"}}


def test_coverage_only_command_line():
    names = {"boundaries": "tracts.geojson", "hotspots": "h.csv", "population": "p.csv"}
    line = job.command_line(Options(boundary_key="geoid", radii_m=(50.0, 300.0)), names)
    assert line.startswith("egovkit run --boundaries tracts.geojson --out report --hotspots h.csv --population p.csv")
    assert "--boundary-key geoid --radius 50 --radius 300" in line
    assert "diagnose_files(None, 'tracts.geojson'" in job.python_call(Options(), names)


def test_validation_report_puts_what_changes_the_figures_first():
    r = ValidationReport(source="t.csv")
    r.add("info", "guess", "a guess", action="inferred")
    r.add("warning", "kept", "kept apart", action="kept apart")
    r.add("warning", "drop", "a row dropped", action="dropped for this indicator")
    r.add("error", "bad", "an error")
    r.add("info", "fix", "repaired", action="repaired")
    assert list(job.ordered_report(r)["code"]) == ["bad", "drop", "kept", "fix", "guess"]


def test_names_from_user_files_are_escaped_in_the_page():
    pytest.importorskip("panel")
    from egovkit.app.ui import DiagnosisApp

    app = DiagnosisApp()
    try:
        csv = (f"District,Households,Internet,{HOSTILE}\n{HOSTILE},100,20,1\n{{{{7*7}}}},200,50,2\n"
               "B<script>x</script>,300,,3\n").encode()
        app.store.save("table", f"{HOSTILE}.csv", csv)
        app._refresh()
        page = "".join(str(p.object) for p in (app.recognitions, app.validation, app.equivalent, app.reassigned))
        assert "Internet" in app.recognitions.object
        assert "<img" not in page and "<script" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in app.recognitions.object
        assert "img_src_x_onerror_alert_1_.csv" in app.equivalent.object
    finally:
        app.close()


def test_recognitions_fall_back_to_the_report(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("District,Households,Internet,Bicycle\nA,100,20,3\nB,200,50,4\n")
    table, recs, report = job.recognise_table(p, Options())
    by_col = {r.column: r for r in recs}
    assert by_col["Internet"].role == "indicator" and by_col["Internet"].indicator == "internet"
    assert by_col["Internet"].value_kind == "count"
    assert by_col["District"].role == "area"
    # without report.recognitions (an older reader): pieced together from the notes and the rows
    fallback = {r.column: r for r in job._recognitions_from_report(p, table, Options())}
    assert fallback["Internet"].indicator == "internet" and fallback["Internet"].universe == "households"


def test_show_gives_the_widgets_for_jupyterlab():
    pn = pytest.importorskip("panel")
    import egovkit.app

    layout = egovkit.app.show(lang="fr")
    assert isinstance(layout, pn.layout.Column)
    assert any("diagnostic numérique" in str(getattr(o, "object", "")) for o in layout.select(pn.pane.Markdown))


def test_the_page_speaks_french_and_says_what_the_hotspot_file_holds(tmp_path):
    pytest.importorskip("panel")
    from egovkit.app.ui import DiagnosisApp

    app = DiagnosisApp()
    try:
        app.ui_lang.value = "fr"
        def caption(widget):
            return getattr(widget, "label", None) or widget.name

        assert caption(app.run_btn) == "Lancer le diagnostic" and app.report_lang.value == "fr"
        assert caption(app.sel["district_level"]) == "Niveau des lignes de district"
        app.store.save("hotspots", "wifi.csv", b"name,latitude,longitude\nA,40.7,-74.0\nB,40.8,-73.9\n")
        app._refresh()
        assert "2 sites Wi-Fi" in app.hotspot_info.object
    finally:
        app.close()


def test_run_with_another_number_of_new_sites(tmp_path):
    """The synthetic example through the app's run: 3 new sites asked, 3 proposed, the ZIP holds the report."""
    from egovkit.datasets.synthetic import make_territory

    files = make_territory(seed=42).write(tmp_path / "inputs")
    paths = {"table": files["table"], "boundaries": files["districts"], "hotspots": files["hotspots"],
             "population": files["population"]}
    opts = Options(area="District", code="Code", level="Level", boundary_key="code", n_new_sites=3)
    result = job.run_job(paths, opts, tmp_path / "report")
    assert len(result.diagnosis.new_sites) == 3
    zf = zipfile.ZipFile(io.BytesIO(result.zip_bytes))
    assert all(n.startswith("report/") for n in zf.namelist())
    assert "report/tables.xlsx" in zf.namelist() and result.workbook == tmp_path / "report" / "tables.xlsx"
    sites = [n for n in zf.namelist() if "new_sites" in n and n.endswith(".csv")]
    assert sites and len(zf.read(sites[0]).decode().strip().splitlines()) == 1 + 3


def test_a_column_reassigned_in_the_drop_downs_is_read_as_that_indicator():
    pytest.importorskip("panel")
    from egovkit.app.ui import DiagnosisApp

    app = DiagnosisApp()
    try:
        app.store.save("table", "t.csv", b"District,Households,Col7\nA,100,20\nB,200,50\nC,300,60\n")
        app._table_cols, _ = job.table_columns(app.store.path("table"))
        app.reassign_col.options = app._table_cols
        app.reassign_col.value, app.reassign_ind.value = "Col7", "computer"
        app.reassign_btn.clicks += 1
        assert app.options.columns == {"Col7": "computer"}
        rec = {r.column: r for r in job.recognise_table(app.store.path("table"), app.options)[1]}
        assert rec["Col7"].role == "indicator" and rec["Col7"].indicator == "computer"
        assert "--columns Col7=computer" in app.equivalent.object
        assert "&#x27;columns&#x27;: {&#x27;Col7&#x27;: &#x27;computer&#x27;}" in app.equivalent.object
    finally:
        app.close()


def test_labels_in_each_language_and_an_unknown_language_is_a_coded_error():
    from egovkit.app.ui import labels

    assert labels("fr")["lang"] == "Langue" and labels("en")["lang"] == "Language"
    assert set(labels("en")) <= set(labels("fr"))
    with pytest.raises(InputError) as e:
        labels("xx")
    assert e.value.code == "shared.language_unavailable" and "xx" in str(e.value)


@pytest.mark.parametrize("with_table", [True, False])
def test_a_french_run_from_an_english_page_is_french_throughout(tmp_path, with_table):
    """The report language of the app is not the session's: the report, its workbook and its validation report
    are French although egovkit.settings.language is English (notes of the tables computed in the run, the
    population report's source, the territory's default name)."""
    from english_check import embedded_maps, english_in, visible_text
    from openpyxl import load_workbook

    import egovkit.settings as settings
    from egovkit.datasets.synthetic import make_territory

    files = make_territory(seed=7).write(tmp_path / "inputs")
    paths = {"boundaries": files["districts"], "hotspots": files["hotspots"], "population": files["population"]}
    if with_table:
        paths["table"] = files["table"]
    assert settings.language == "en"
    result = job.run_job(paths, Options(lang="fr", n_new_sites=2), tmp_path / "report")
    assert settings.language == "en" and result.diagnosis.territory_name == "Territoire"
    out = tmp_path / "report"
    html = (out / "index.html").read_text(encoding="utf-8")
    wb = load_workbook(out / "tables.xlsx", read_only=True)
    cells = "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                      if isinstance(v, str))
    found = {"page": english_in(visible_text(html)),
             "map": [f for m in embedded_maps(html) for f in english_in(visible_text(m))],
             "workbook": english_in(cells), "validation": english_in((out / "validation_report.txt").read_text())}
    assert found == {"page": [], "map": [], "workbook": [], "validation": []}, found
