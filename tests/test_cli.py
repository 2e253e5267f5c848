"""The command line and the main job, run as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from egovkit.cli import app
from egovkit.datasets.synthetic import make_territory

runner = CliRunner()


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "egovkit", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    res = runner.invoke(app, ["demo", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    return out, res.output


def test_demo_writes_report_tables_and_figures(demo_dir):
    out, _ = demo_dir
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Exampleland" in html
    assert "<script src=\"http" not in html and "<link href=\"http" not in html
    assert (out / "validation_report.txt").exists()
    # the synthetic table is clean: the data checks say so instead of pointing at an empty list
    assert "validation found no error and no warning" in html and "they are listed below" not in html
    assert list((out / "figures").glob("*.png")) and list((out / "figures").glob("*.svg"))
    assert (out / "tables" / "territory.csv").exists()
    assert list((out / "tables").glob("*.gpkg"))


def test_demo_figures_come_from_the_table(demo_dir):
    """The printed territory rates equal the sums of the synthetic table (computed here directly)."""
    out, output = demo_dir
    t = make_territory().table
    d = t[t["Level"] == "District"]
    internet = 100 * d["Internet"].sum() / d["Households"].sum()
    phone = 100 * d["Persons owning a mobile phone"].sum() / d["Persons aged 3+"].sum()
    assert f"internet {internet:5.1f} % of households".replace("  ", " ") in " ".join(output.split())
    assert f"{phone:.1f} % of persons" in output
    terr = pd.read_csv(out / "tables" / "territory.csv").set_index("indicator")
    assert terr.loc["internet", "share"] == pytest.approx(internet / 100)
    # the totals row of the table was kept apart, not added to the districts
    assert terr.loc["internet", "denominator"] == d["Households"].sum()


def test_demo_in_french(tmp_path):
    res = runner.invoke(app, ["demo", "--out", str(tmp_path), "--lang", "fr", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "districts sur" in res.output or "sur 24" in res.output
    # the terminal summary is French too: decimal comma, French universe and labels, from the same table
    t = make_territory().table
    d = t[t["Level"] == "District"]
    internet = f"{100 * d['Internet'].sum() / d['Households'].sum():.1f}".replace(".", ",")
    assert f"internet {internet} % des ménages" in " ".join(res.output.split())
    assert "Wi-Fi public" in res.output and "à moins de 250 m" in res.output
    assert "maturité de l'e-gouvernance" in res.output and "s'ouvre hors ligne" in res.output
    assert " of households" not in res.output
    assert 'lang="fr"' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_run_on_user_files(tmp_path):
    paths = make_territory().write(tmp_path / "in")
    res = runner.invoke(app, ["run", str(paths["table"]), str(paths["districts"]), "--out", str(tmp_path / "out"),
                              "--hotspots", str(paths["hotspots"]), "--population", str(paths["population"]),
                              "--code", "Code", "--area", "District", "--level", "Level", "--boundary-key", "code",
                              "--name", "Exampleland", "--quiet"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "index.html").exists()
    assert "public Wi-Fi" in res.output


def test_validate_good_table_exits_0(tmp_path):
    paths = make_territory().write(tmp_path)
    res = runner.invoke(app, ["validate", str(paths["table"]), str(paths["districts"]), "--boundary-key", "code"])
    assert res.exit_code == 0, res.output
    assert "0 error(s)" in res.output


def test_validate_bad_table_names_row_column_and_exits_1(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("District,Households,Internet\nAlpha,100,20\nBeta,50,70\nGamma,80,-3\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", str(bad), "--save", str(tmp_path / "r.csv")])
    assert res.exit_code == 1, res.output
    assert "row 3" in res.output and "Beta" in res.output  # 70 internet households > 50 households
    assert "row 4" in res.output and "Gamma" in res.output  # negative
    saved = pd.read_csv(tmp_path / "r.csv")
    assert (saved["severity"] == "error").sum() >= 2


def test_user_mistakes_give_one_line_errors_without_traceback(tmp_path):
    res = _run("validate", str(tmp_path / "missing.csv"))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "missing.csv" in res.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    res = _run("validate", str(empty))
    assert res.returncode == 2 and "Traceback" not in res.stderr and "empty" in res.stderr.lower()


def test_bad_language_is_refused():
    res = runner.invoke(app, ["demo", "--lang", "de"])
    assert res.exit_code == 2


def test_help_explains_options():
    res = _run("--help")
    assert res.returncode == 0
    for cmd in ("demo", "run", "validate", "datasets"):
        assert cmd in res.stdout
    res = _run("run", "--help")
    assert "--hotspots" in res.stdout and "--population" in res.stdout


def test_datasets_list(mirror):
    res = runner.invoke(app, ["datasets", "list"])
    assert res.exit_code == 0, res.output
    assert "kenya" in res.output.lower() and "nyc" in res.output.lower()


def test_report_kenya_reproduces_published_figures(mirror, tmp_path):
    """`egovkit report kenya`: the KNBS national figures, from the county rows, in the output."""
    res = runner.invoke(app, ["report", "kenya", "--out", str(tmp_path), "--quiet"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    for ind, pct in [("computer", "8.8"), ("internet", "17.9"), ("mobile_phone", "47.3"), ("internet_use", "22.6")]:
        assert f"{ind} {pct} %" in text, ind
    assert "12,043,016" in text and "43,739,906" in text
    assert (tmp_path / "index.html").exists()


def test_report_kenya_in_french_prints_no_english_sentence(mirror, tmp_path):
    """`egovkit report kenya --lang fr`: every line on stdout and stderr in French (the summary, the
    validation line, the folder replaced), none of egovkit's English texts; the same run in English
    is found English by the check."""
    from english_check import english_in

    out = tmp_path / "k"
    first = _run("report", "kenya", "--lang", "fr", "--out", str(out), "--quiet")
    again = _run("report", "kenya", "--lang", "fr", "--out", str(out), "--quiet", "--force")
    for res in (first, again):
        assert res.returncode == 0, res.stderr
        said = res.stdout + res.stderr
        assert not english_in(said), english_in(said)
    text = " ".join((first.stdout + again.stderr).split())
    assert "Kenya : 47 comtés, 7 indicateurs" in text and "8,8 % des ménages" in text, text
    assert "0 erreur(s)" in text and "on remplace le rapport egovkit" in text, text
    english = _run("report", "kenya", "--out", str(out), "--quiet", "--force")
    assert english.returncode == 0 and english_in(english.stdout + english.stderr)


def test_report_nyc_wifi(mirror, tmp_path):
    res = runner.invoke(app, ["report", "nyc", "--out", str(tmp_path), "--quiet"])
    assert res.exit_code == 0, res.output
    terr = pd.read_csv(tmp_path / "tables" / "territory.csv").set_index("indicator")
    # shares of persons within reach rise with the radius, and the population is the ACS tract total
    s = terr.loc[["wifi_100m", "wifi_250m", "wifi_500m"], "share"].to_numpy()
    assert (s[:-1] < s[1:]).all()
    assert terr.loc["wifi_250m", "denominator"] == pytest.approx(8_560_072, abs=1)
    assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) < 10e6
    # covered population a hair above the population (float rounding) no longer drops the 500 m inequality
    ineq = pd.read_csv(tmp_path / "tables" / "inequality.csv")
    assert {"wifi_100m", "wifi_250m", "wifi_500m"} <= set(ineq["indicator"])


def test_unknown_report_case():
    res = runner.invoke(app, ["report", "mars"])
    assert res.exit_code == 2


def test_assessment_template_then_score(tmp_path):
    """Generate the template, fill it (here with the shipped invented example), score it from the CLI."""
    from egovkit.diagnosis import action_plan, example_assessments, score_assessment, write_template

    res = runner.invoke(app, ["assess", "template", str(tmp_path / "t.xlsx"), "--territory", "Test town", "--date",
                              "2026-11-25"])
    assert res.exit_code == 0 and (tmp_path / "t.xlsx").exists(), res.output
    res = runner.invoke(app, ["assess", "score", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 2 and "no question is answered" in res.output

    a = example_assessments()[-1]
    write_template(tmp_path / "filled.csv", prefill=a, territory=a.territory, date=a.date, assessed_by=a.assessor)
    res = runner.invoke(app, ["assess", "score", str(tmp_path / "filled.csv"), "--save", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    expected = score_assessment(a)
    assert f"overall {expected.overall:.2f} ({expected.overall_band})" in res.output
    plan = pd.read_csv(tmp_path / "s" / "action_plan.csv")
    assert list(plan["action_id"]) == list(action_plan(expected)["action_id"])


def test_cli_messages_use_option_names():
    from egovkit.cli import _cli_message

    assert _cli_message("pass boundary_on= the column; or district_level= one of") == \
        "pass --boundary-key the column; or --district-level one of"


def test_datasets_download_unknown_name_exits_2():
    res = _run("datasets", "download", "no-such-data")
    assert res.returncode == 2 and "egovkit datasets list" in res.stderr


def test_report_nyc_tracts(mirror, tmp_path):
    """`egovkit report nyc --level tract` (the tract id is both key and name) builds the full report."""
    res = runner.invoke(app, ["report", "nyc", "--level", "tract", "--out", str(tmp_path), "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    terr = pd.read_csv(tmp_path / "tables" / "territory.csv").set_index("indicator")
    assert terr.loc["wifi_250m", "denominator"] == pytest.approx(8_560_072, abs=1)
    # float rounding of the covered population no longer drops an indicator (500 m included)
    ineq = pd.read_csv(tmp_path / "tables" / "inequality.csv")
    assert {"wifi_100m", "wifi_250m", "wifi_500m"} <= set(ineq["indicator"])


def test_run_hotspots_without_population_maps_them_and_says_why(tmp_path):
    paths = make_territory().write(tmp_path / "in")
    res = runner.invoke(app, ["run", str(paths["table"]), str(paths["districts"]), "--out", str(tmp_path / "out"),
                              "--hotspots", str(paths["hotspots"]), "--code", "Code", "--area", "District",
                              "--level", "Level", "--boundary-key", "code", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "--population" in res.output  # one-line note in the summary
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "public Wi-Fi hotspots are mapped" in html and "no hotspot list was given" not in html
    assert "(--population)" in html


def test_unwritable_output_folder_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    res = _run("demo", "--out", str(blocker / "sub"), "--quiet")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "cannot write the output folder" in res.stderr and "file not found" not in res.stderr


def _lagging_counts(sentence: str) -> tuple[int, int, int]:
    """(lagging, analysed, set apart) from the English lagging sentence."""
    import re

    m = re.match(r"(\d+) of (\d+) \w+(?: \(and (\d+) set apart\))?,", sentence)
    assert m, sentence
    return int(m[1]), int(m[2]), int(m[3] or 0)


def test_set_apart_district_is_off_the_sentence_and_the_list_by_code_not_name(tmp_path):
    """A set-apart district is neither counted in the lagging sentence nor listed; a residential
    district with the same name stays listed (the mask is built from codes)."""
    import warnings

    from egovkit.cases import EXAMPLE_READ as _EXAMPLE_READ
    from egovkit.geo import read_boundaries
    from egovkit.pipeline import diagnose
    from egovkit.read import read_table

    paths = make_territory().write(tmp_path / "in")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = read_boundaries(paths["districts"])
        base = diagnose(read_table(paths["table"], **_EXAMPLE_READ), b, key="code")
        lag = base.lagging
        assert len(lag) >= 2
        park, homes = (str(c) for c in base.districts.loc[lag.index[:2], "code"])
        t = pd.read_csv(paths["table"])
        t.loc[t["Code"] == homes, "District"] = t.loc[t["Code"] == park, "District"].iloc[0]
        t.to_csv(paths["table"], index=False)
        diag = diagnose(read_table(paths["table"], **_EXAMPLE_READ), b, key="code", set_apart=[park])
    n_lag, n_total, n_apart = _lagging_counts(diag.sentences[0])
    assert (n_lag, n_apart) == (len(diag.lagging), 1)
    assert n_total == _lagging_counts(base.sentences[0])[1] - 1 and n_lag == len(lag) - 1
    codes = set(diag.districts.loc[diag.lagging.index, "code"].astype(str))
    assert park not in codes and homes in codes
    assert diag.lagging["rank"].tolist() == list(range(1, n_lag + 1))


def test_hotspots_without_population_warn_once_in_the_report_not_as_a_python_warning(tmp_path):
    import warnings

    from egovkit.run_files import diagnose_files

    paths = make_territory().write(tmp_path / "in")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        diag = diagnose_files(paths["table"], paths["districts"], tmp_path / "out", hotspots=paths["hotspots"],
                              code="Code", name="District", level="Level", key="code")
    assert not [w for w in rec if "population" in str(w.message)]
    skipped = [i.code for i in diag.report.issues if i.code == "pipeline.coverage_skipped"]
    assert skipped == ["pipeline.coverage_skipped"]
    assert len(diag.notes) == 1


def test_report_nyc_lagging_sentence_and_list_agree(mirror, tmp_path):
    """The lagging sentence and the lagging list count the same neighbourhoods; parks, cemeteries
    and Rikers Island are set apart from both."""
    import re

    res = runner.invoke(app, ["report", "nyc", "--out", str(tmp_path), "--quiet"])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    sentence = re.search(r"\d+ of \d+ neighbourhoods[^<]*below half[^<]*", html)[0]
    n_lag, _, n_apart = _lagging_counts(sentence)
    flagged = int(re.search(r"([\d,]+) neighbourhoods are flagged as lagging", html)[1].replace(",", ""))
    listed = pd.read_csv(tmp_path / "tables" / "lagging_districts.csv")
    assert n_lag == flagged == len(listed) and n_apart >= 5
    assert not listed["area"].str.contains("park-cemetery|Rikers", regex=True).any()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_assess_messages_in_both_languages(tmp_path, lang):
    """assess template/score messages come from the translation files (cli_assess_* keys)."""
    from egovkit.diagnosis import example_assessments, write_template

    res = runner.invoke(app, ["assess", "template", str(tmp_path / "t.csv"), "--lang", lang])
    assert res.exit_code == 0, res.output
    if lang == "en":
        assert f"template written: {tmp_path / 't.csv'}" in res.output
        assert "to fill in before 'egovkit assess score': territory and assessment_date on every row" in res.output
    else:
        assert f"modèle écrit : {tmp_path / 't.csv'}" in res.output
        assert "à remplir avant « egovkit assess score » : « territoire » et « date_évaluation » sur chaque" \
            in res.output
    a = example_assessments()[0]
    path = write_template(tmp_path / "part.csv", prefill=a, lang=lang)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    answer = "answer" if lang == "en" else "réponse"
    df.loc[df.index[len(df) // 3:], answer] = ""
    df.to_csv(path, index=False)
    res = runner.invoke(app, ["assess", "score", str(path), "--lang", lang, "--save", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    if lang == "en":
        assert "(2024-03-01): overall 0.31 (middle, provisional); 14% of questions answered" in out
        assert "- no answer" in out and "first actions:" in out
    else:
        assert "(2024-03-01) : ensemble 0,31 (moyen, provisoire) ; 14 % des questions ont une réponse" in out
        assert "- sans réponse" in out and "premières actions :" in out
    saved = "saved to" if lang == "en" else "enregistré dans"
    assert f"{saved} {tmp_path / 's'}" in res.output


# -- output folders: never half-written, never two reports mixed ------------------------------

def _manifest_files(folder: Path) -> set[str]:
    import json

    return set(json.loads((folder / ".egovkit-report.json").read_text(encoding="utf-8"))["files"])


def _all_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and p.name != ".egovkit-report.json"}


def _run_args(paths: dict, out: Path) -> list[str]:
    return ["run", str(paths["table"]), str(paths["districts"]), "--out", str(out), "--code", "Code",
            "--area", "District", "--level", "Level", "--boundary-key", "code", "--quiet"]


def test_run_over_a_previous_report_needs_force_and_then_replaces_it_entirely(demo_dir, tmp_path):
    """The issue's case (a Kenya run over an NYC folder left 14 NYC files): a run over the demo
    report is refused without --force (folder untouched); with it, no file of the demo is left."""
    import shutil

    demo, _ = demo_dir
    out = tmp_path / "report"
    shutil.copytree(demo, out)
    before = (out / "index.html").read_bytes()
    paths = make_territory().write(tmp_path / "in")
    res = runner.invoke(app, _run_args(paths, out))
    assert res.exit_code == 2, res.output
    assert "already holds an egovkit report (written " in res.output and "--force" in res.output
    assert "force=" not in res.output and (out / "index.html").read_bytes() == before
    (out / "my_notes.txt").write_text("mine", encoding="utf-8")
    res = runner.invoke(app, _run_args(paths, out))
    assert res.exit_code == 2 and "my_notes.txt" in res.output and "--force" in res.output, res.output
    res = runner.invoke(app, _run_args(paths, out) + ["--force"])
    assert res.exit_code == 0, res.output
    assert f"replacing the egovkit report in {out} (written " in res.output
    assert not (out / "inputs").exists()  # the demo's own files are gone ...
    assert _all_files(out) == _manifest_files(out) | {"my_notes.txt"}  # ... the user's file is kept
    assert (out / "my_notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "report"]  # no temporary folder left


def test_demo_replaces_its_own_earlier_demo_and_says_so(demo_dir, tmp_path):
    """`make demo` twice works: a previous demo report is replaced without --force (and said)."""
    import shutil

    demo, _ = demo_dir
    out = tmp_path / "demo"
    shutil.copytree(demo, out)
    res = runner.invoke(app, ["demo", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert f"replacing the egovkit report in {out}" in res.output
    assert _all_files(out) == _manifest_files(out)


def _filled(tmp_path: Path) -> Path:
    from egovkit.diagnosis import example_assessments, write_template

    a = example_assessments()[-1]
    return write_template(tmp_path / "filled.csv", prefill=a, territory=a.territory, date=a.date,
                          assessed_by=a.assessor)


def test_assess_score_save_follows_the_output_folder_rules(tmp_path, monkeypatch):
    import egovkit.cli as cli

    filled, save = _filled(tmp_path), tmp_path / "scores"
    assert runner.invoke(app, ["assess", "score", str(filled), "--save", str(save)]).exit_code == 0
    files = _all_files(save)
    assert files == {"action_plan.csv", "dimension_scores.csv", "losi_scores.csv", "question_scores.csv"}
    res = runner.invoke(app, ["assess", "score", str(filled), "--save", str(save)])
    assert res.exit_code == 2 and "--force" in res.output and "--save" in res.output, res.output
    # in a terminal it asks: no -> nothing written (exit 1); yes -> replaced
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    (save / "action_plan.csv").write_text("old", encoding="utf-8")
    res = runner.invoke(app, ["assess", "score", str(filled), "--save", str(save)], input="n\n")
    assert res.exit_code == 1 and "Replace it?" in res.output and "nothing written" in res.output, res.output
    assert (save / "action_plan.csv").read_text(encoding="utf-8") == "old"
    res = runner.invoke(app, ["assess", "score", str(filled), "--save", str(save)], input="y\n")
    assert res.exit_code == 0 and "replacing the egovkit report" in res.output, res.output
    assert (save / "action_plan.csv").read_text(encoding="utf-8") != "old"
    # other files are never asked about: refused, kept with --force
    (save / "mine.csv").write_text("mine", encoding="utf-8")
    res = runner.invoke(app, ["assess", "score", str(filled), "--save", str(save)], input="y\n")
    assert res.exit_code == 2 and "mine.csv" in res.output, res.output
    res = runner.invoke(app, ["assess", "score", str(filled), "--save", str(save), "--force"])
    assert res.exit_code == 0 and (save / "mine.csv").read_text(encoding="utf-8") == "mine", res.output


def _main(*args: str) -> tuple[int, str]:
    """The real entry point in-process: (exit code, stdout + stderr)."""
    import contextlib
    import io

    from egovkit.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main(list(args))
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_os_errors_on_user_paths_are_one_line_errors_naming_the_path(monkeypatch):
    import egovkit.run_files as pipeline

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", "/data/secret.csv")

    monkeypatch.setattr(pipeline, "validate_files", denied)
    code, output = _main("validate", "x.csv")
    assert code == 2 and output.strip() == \
        "error: /data/secret.csv: permission denied. Check its permissions, or choose another path"


def test_a_bug_is_one_line_plus_a_saved_traceback_not_a_user_error(monkeypatch, tmp_path):
    """The last-resort handler: exit 3 (not 2), the traceback saved for the bug report;
    EGOVKIT_DEBUG=1 lets it through."""
    import tempfile

    import egovkit.run_files as pipeline

    def bug(*a, **k):
        return {}["no such key"]

    monkeypatch.setattr(pipeline, "validate_files", bug)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code, output = _main("validate", "x.csv")
    assert code == 3 and output.count("\n") == 1 and "Traceback" not in output, output
    assert "internal error (KeyError: 'no such key')" in output and "please report it" in output
    saved = Path(output.split("saved in ")[1].strip())
    assert saved.parent == tmp_path
    text = saved.read_text(encoding="utf-8")
    assert "Traceback" in text and "in bug" in text and "command: egovkit validate x.csv" in text
    monkeypatch.setenv("EGOVKIT_DEBUG", "1")
    with pytest.raises(KeyError):
        _main("validate", "x.csv")


def test_terminal_control_characters_from_user_names_are_shown_not_run():
    from egovkit.cli import terminal_text

    assert terminal_text("Kopo\x1b]0;owned\x07 town\r") == "Kopo\\x1b]0;owned\\x07 town\\x0d"
    assert terminal_text("Nairobi\tcity\nline 2") == "Nairobi\tcity\nline 2"
    assert terminal_text("Bouaké \x9b31m") == "Bouaké \\x9b31m"


def test_run_with_a_raster_population_read_tile_by_tile(tmp_path, monkeypatch):
    # a population raster above the tiling threshold: coverage from the tiles, siting said to be skipped
    import geopandas as gpd
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    import egovkit.coverage.tiled as tiled_mod

    paths = make_territory().write(tmp_path / "in")
    pts = pd.read_csv(paths["population"])
    lon_col = next(c for c in pts.columns if c.lower().startswith("lon"))
    lat_col = next(c for c in pts.columns if c.lower().startswith("lat"))
    pop_col = next(c for c in pts.columns if "pop" in c.lower())
    g = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts[lon_col], pts[lat_col]), crs=4326)
    g = g.to_crs(g.estimate_utm_crs())
    x, y = g.geometry.x.to_numpy(), g.geometry.y.to_numpy()
    cell = 200.0
    x0, y1 = np.floor(x.min() / cell) * cell - cell, np.ceil(y.max() / cell) * cell + cell
    cols, rows = ((x - x0) // cell).astype(int), ((y1 - y) // cell).astype(int)
    grid = np.zeros((rows.max() + 2, cols.max() + 2), dtype="float32")
    np.add.at(grid, (rows, cols), g[pop_col].to_numpy(dtype="float32"))
    tif = tmp_path / "in" / "population.tif"
    with rasterio.open(tif, "w", driver="GTiff", dtype="float32", width=grid.shape[1], height=grid.shape[0],
                       count=1, crs=g.crs, transform=from_origin(x0, y1, cell, cell)) as dst:
        dst.write(grid, 1)
    monkeypatch.setattr(tiled_mod, "TILED_ABOVE_CELLS", 100)
    res = runner.invoke(app, ["run", str(paths["table"]), str(paths["districts"]), "--out", str(tmp_path / "out"),
                              "--hotspots", str(paths["hotspots"]), "--population", str(tif),
                              "--code", "Code", "--area", "District", "--level", "Level", "--boundary-key", "code",
                              "--name", "Exampleland", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "public Wi-Fi" in res.output
    cov = pd.read_csv(tmp_path / "out" / "tables" / "coverage.csv")
    # new sites proposed on the tiled raster too (demand aggregated, said in a note), with coordinates
    sites = pd.read_csv(tmp_path / "out" / "tables" / "new_sites.csv")
    assert len(cov) and len(sites) and sites["population_added"].is_monotonic_decreasing
    assert {"lon", "lat"} <= set(sites.columns) or {"longitude", "latitude"} <= set(sites.columns)
    issues = pd.read_csv(tmp_path / "out" / "tables" / "validation_report.csv")
    assert "pipeline.siting_tiled" in set(issues["code"]) and "siting_skipped" not in set(issues["code"])
