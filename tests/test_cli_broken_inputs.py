"""Every command of the command line over a corpus of broken inputs: a one-line error naming the
file, exit code 2 (1 for validation errors), never a traceback.

The entry point (``egovkit.cli.main``) runs in-process, as ``egovkit`` / ``python -m egovkit``
run it; a few cases also run as a real subprocess.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from egovkit.cli import main
from egovkit.datasets.synthetic import make_territory

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _cli(*args: str) -> tuple[int, str]:
    """Run the entry point with ``args``: (exit code, stdout + stderr). Any exception escaping it
    (none should) fails the test with its traceback."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """Good synthetic inputs (``good_*``) and broken files, by name."""
    root = tmp_path_factory.mktemp("corpus")
    good = make_territory().write(root / "good")
    c = root / "broken"
    c.mkdir()
    (c / "folder.csv").mkdir()
    (c / "folder.geojson").mkdir()
    (c / "empty.csv").write_bytes(b"")
    (c / "empty.xlsx").write_bytes(b"")
    (c / "empty.geojson").write_bytes(b"")
    (c / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (c / "binary.xlsx").write_bytes(bytes(range(255, -1, -1)) * 8)
    (c / "binary.geojson").write_bytes(bytes(range(256)) * 8)
    pd.read_csv(good["table"]).to_excel(c / "book.xlsx", index=False)
    os.replace(c / "book.xlsx", c / "xlsx_renamed.csv")
    shutil.copy(good["table"], c / "csv_renamed.xlsx")
    (c / "header_only.csv").write_text("District,Code,Level,Households,Internet\n", encoding="utf-8")
    (c / "not_json.geojson").write_text("this is not JSON {", encoding="utf-8")
    gj = good["districts"].read_bytes()
    (c / "truncated.geojson").write_bytes(gj[: len(gj) // 2])
    import geopandas as gpd

    gpd.read_file(good["districts"]).to_file(root / "full.gpkg")
    (c / "truncated.gpkg").write_bytes((root / "full.gpkg").read_bytes()[:2000])
    with zipfile.ZipFile(root / "full.zip", "w") as z:
        z.write(good["districts"], "districts.geojson")
    zb = (root / "full.zip").read_bytes()
    (c / "truncated.zip").write_bytes(zb[: len(zb) // 2])
    (c / "garbage.tif").write_bytes(b"II*\x00" + bytes(range(256)) * 4)
    (c / "empty_hotspots.csv").write_bytes(b"")
    (c / "header_hotspots.csv").write_text("name,latitude,longitude\n", encoding="utf-8")
    (c / "empty_population.csv").write_bytes(b"")
    (c / "header_population.csv").write_text("population,latitude,longitude\n", encoding="utf-8")
    (c / "a_file").write_text("not a folder", encoding="utf-8")
    for name in ("unreadable.csv", "unreadable.geojson"):
        shutil.copy(good["table"] if name.endswith(".csv") else good["districts"], c / name)
        (c / name).chmod(0)
    files = {p.name: p for p in c.iterdir()}
    files.update({f"good_{k}": v for k, v in good.items()})
    files["missing.csv"] = c / "missing.csv"
    files["missing.geojson"] = c / "missing.geojson"
    files["missing.tif"] = c / "missing.tif"
    return files


OPTS = ("--code", "Code", "--area", "District", "--level", "Level", "--boundary-key", "code")


TABLES = ["folder.csv", "empty.csv", "empty.xlsx", "binary.csv", "binary.xlsx", "csv_renamed.xlsx",
          "header_only.csv", "missing.csv", "unreadable.csv"]
BOUNDARIES = ["folder.geojson", "empty.geojson", "binary.geojson", "not_json.geojson", "truncated.geojson",
              "truncated.gpkg", "truncated.zip", "empty.csv", "missing.geojson", "unreadable.geojson"]
HOTSPOTS = ["folder.csv", "empty_hotspots.csv", "header_hotspots.csv", "binary.csv", "xlsx_renamed.csv",
            "not_json.geojson", "truncated.geojson", "missing.csv", "unreadable.csv"]
POPULATION = ["folder.csv", "empty_population.csv", "header_population.csv", "binary.csv", "not_json.geojson",
              "truncated.geojson", "garbage.tif", "missing.tif", "unreadable.csv"]
TEMPLATES = ["folder.csv", "empty.csv", "empty.xlsx", "binary.csv", "binary.xlsx", "xlsx_renamed.csv",
             "csv_renamed.xlsx", "header_only.csv", "missing.csv", "unreadable.csv"]


#: A Python keyword argument (``value_type=``, ``crs=``...) in a message: the CLI names its options.
PY_KEYWORD = re.compile(r"(?<![\w-])[a-z][a-z_]*=")


def _check(code: int, output: str, name: str, codes: tuple[int, ...] = (2,)) -> None:
    assert "Traceback" not in output, output
    assert not PY_KEYWORD.findall(re.sub(r"\"[^\"]*\"", "", output)), output
    assert "internal error" not in output, output
    assert code in codes, (code, output)
    assert name in output, output
    assert len([line for line in output.splitlines() if line.startswith("error:")]) == 1, output


def _skip_unreadable_as_root(name: str, corpus: dict[str, Path]) -> None:
    """Skip a chmod 000 case only where it can still be read (root)."""
    if name.startswith("unreadable"):
        try:
            corpus[name].open("rb").close()
        except PermissionError:
            return
        pytest.skip("chmod 000 does not stop reading here (running as root)")


@pytest.fixture(autouse=True)
def _own_temporary_folder(tmp_path_factory, monkeypatch):
    """Tracebacks saved by the last-resort handler (xfail cases) go to the test's folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("tmp")))


@pytest.mark.parametrize("name", TABLES)
def test_validate_broken_table(corpus, name):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("validate", corpus[name]), name, codes=(1, 2))


def test_xlsx_renamed_csv_is_read_as_the_workbook_it_is(corpus):
    """Not an error: egovkit.read recognises the workbook behind the .csv name."""
    code, output = _cli("validate", corpus["xlsx_renamed.csv"], *OPTS[:2])
    assert code == 0 and "Traceback" not in output and "24 used" in output, output


@pytest.mark.parametrize("name", TABLES)
def test_run_broken_table(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", corpus[name], corpus["good_districts"], "--out", tmp_path / "out", "-q"), name)
    assert not (tmp_path / "out").exists()  # nothing written, no temporary folder left
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", BOUNDARIES)
def test_validate_broken_boundaries(corpus, name):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("validate", corpus["good_table"], corpus[name], *OPTS), name)


@pytest.mark.parametrize("name", BOUNDARIES)
def test_run_broken_boundaries(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", corpus["good_table"], corpus[name], "--out", tmp_path / "out", *OPTS, "-q"), name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", HOTSPOTS)
def test_run_broken_hotspots(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", corpus["good_table"], corpus["good_districts"], "--hotspots", corpus[name],
                 "--population", corpus["good_population"], "--out", tmp_path / "out", *OPTS, "-q"), name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", POPULATION)
def test_run_broken_population(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", corpus["good_table"], corpus["good_districts"], "--hotspots", corpus["good_hotspots"],
                 "--population", corpus[name], "--out", tmp_path / "out", *OPTS, "-q"), name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", TABLES)
def test_inspect_broken_table(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("inspect", corpus[name], corpus["good_districts"]), name)


@pytest.mark.parametrize("name", BOUNDARIES)
def test_inspect_broken_boundaries(corpus, name):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("inspect", corpus["good_table"], corpus[name], *OPTS), name)


@pytest.mark.parametrize("name", BOUNDARIES)
def test_coverage_only_run_broken_boundaries(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", "--boundaries", corpus[name], "--hotspots", corpus["good_hotspots"], "--population",
                 corpus["good_population"], "--out", tmp_path / "out", "-q"), name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", POPULATION)
def test_coverage_only_run_broken_population(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", "--boundaries", corpus["good_districts"], "--hotspots", corpus["good_hotspots"],
                 "--population", corpus[name], "--out", tmp_path / "out", "-q"), name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", HOTSPOTS)
def test_coverage_only_run_broken_hotspots(corpus, name, tmp_path):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", "--boundaries", corpus["good_districts"], "--hotspots", corpus[name],
                 "--population", corpus["good_population"], "--out", tmp_path / "out", "-q"), name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_run_with_a_broken_assessment(corpus, name, tmp_path):
    """Read before any computation: nothing written."""
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("run", corpus["good_table"], corpus["good_districts"], "--assessment", corpus[name],
                 "--out", tmp_path / "out", *OPTS, "-q"), name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_assess_score_broken_file(corpus, name):
    _skip_unreadable_as_root(name, corpus)
    _check(*_cli("assess", "score", corpus[name]), name)


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    from egovkit.diagnosis import example_assessments, write_template

    a = example_assessments()[-1]
    return write_template(tmp_path_factory.mktemp("filled") / "filled.csv", prefill=a, territory=a.territory,
                          date=a.date, assessed_by=a.assessor)


def _outputs(corpus: dict[str, Path]) -> dict[str, tuple[Path, str]]:
    """Unwritable output paths: (path given, what the message must name)."""
    f = corpus["a_file"]
    return {"a file": (f, "a_file"), "under a file": (f / "sub", "a_file")}


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_output_folder_that_cannot_be_written(corpus, filled, where):
    path, named = _outputs(corpus)[where]
    _check(*_cli("demo", "--out", path, "-q"), named)
    _check(*_cli("run", corpus["good_table"], corpus["good_districts"], "--out", path, *OPTS, "-q"), named)
    _check(*_cli("report", "kenya", "--out", path, "-q"), named)
    _check(*_cli("assess", "score", filled, "--save", path), named)
    assert corpus["a_file"].read_text(encoding="utf-8") == "not a folder"


@pytest.mark.skipif(IS_ROOT, reason="running as root: a read-only folder does not stop writing")
def test_read_only_output_folder(filled, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        _check(*_cli("demo", "--out", ro / "out", "-q"), "ro")
        _check(*_cli("assess", "score", filled, "--save", ro / "s"), "ro")
        _check(*_cli("validate", filled, "--save", ro / "r.csv"), "ro")
    finally:
        ro.chmod(0o755)


def test_validate_save_into_a_folder_or_under_a_file(corpus, tmp_path):
    _check(*_cli("validate", corpus["good_table"], "--save", tmp_path), tmp_path.name)
    _check(*_cli("validate", corpus["good_table"], "--save", corpus["a_file"] / "r.csv"), "a_file")
    assert list(tmp_path.iterdir()) == []


def test_assess_template_into_a_folder_under_a_file_or_over_a_file(corpus, tmp_path):
    _check(*_cli("assess", "template", tmp_path), tmp_path.name)
    _check(*_cli("assess", "template", corpus["a_file"] / "t.xlsx"), "a_file")
    _check(*_cli("assess", "template", corpus["a_file"]), "a_file")  # exists: may hold answers
    assert corpus["a_file"].read_text(encoding="utf-8") == "not a folder"
    code, output = _cli("assess", "template", tmp_path / "t.csv")
    assert code == 0, output
    _check(*_cli("assess", "template", tmp_path / "t.csv"), "--force")
    assert _cli("assess", "template", tmp_path / "t.csv", "--force")[0] == 0


@pytest.mark.parametrize("args, named", [
    (("datasets", "download", "no-such-data"), "no-such-data"),
    (("report", "mars"), "mars"),
    (("report", "nyc", "--level", "county"), "county"),
    (("demo", "--lang", "de"), "de"),
])
def test_bad_names(args, named, tmp_path):
    _check(*_cli(*args, "--out", tmp_path / "o") if args[0] == "report" else _cli(*args), named)
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_exit_2_without_traceback(corpus):
    for args in (("run", corpus["good_table"]), ("validate",), ("assess", "score"), ("demo", "--seed", "x")):
        code, output = _cli(*args)
        assert code == 2 and "Traceback" not in output, (args, output)


@pytest.mark.parametrize("name", ["binary.geojson", "garbage.tif"])
def test_real_entry_point_in_a_subprocess(corpus, name, tmp_path):
    """``python -m egovkit`` itself: one line on stderr, exit 2, no traceback."""
    args = ["run", corpus["good_table"], corpus["good_districts"], "--out", tmp_path / "out", *OPTS, "-q"]
    if name.endswith(".tif"):
        args[2:2] = []
        args += ["--hotspots", corpus["good_hotspots"], "--population", corpus[name]]
    else:
        args[2] = corpus[name]
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    res = subprocess.run([sys.executable, "-m", "egovkit", *map(str, args)], capture_output=True, text=True,
                         timeout=300, env=env)
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    assert name in res.stderr and res.stderr.count("\n") == 1, res.stderr
    assert res.returncode == 2 and "internal error" not in res.stderr, res.stderr
    assert not (tmp_path / "out").exists()
