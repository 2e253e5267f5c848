"""Output folders: written through a temporary sibling folder, a manifest marks egovkit's files,
a previous report is replaced whole, the user's files are kept, a killed run never mixes two."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from egovkit import output_folder as of
from egovkit.errors import EgovkitError
from egovkit.output_folder import MANIFEST, OutputFolderError, commit, inspect_folder, staged_folder

NYC = {"index.html": "<html>nyc</html>", "validation_report.txt": "nyc", "tables/territory.csv": "nyc",
       "tables/nyc_only.csv": "nyc", "maps/wifi.html": "nyc", "figures/coverage_curve.png": "nyc"}
KENYA = {"index.html": "<html>kenya</html>", "validation_report.txt": "kenya", "tables/territory.csv": "kenya",
         "tables/kenya_only.csv": "kenya", "figures/map_internet.png": "kenya"}


def _write(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


def _report(target: Path, files: dict[str, str], **kw) -> Path:
    with staged_folder(target, **kw) as tmp:
        assert tmp.parent == target.absolute().parent and tmp.name.startswith(f"{target.name}.tmp-")
        _write(tmp, files)
    return target


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in folder.rglob("*") if p.is_file() and not p.name.startswith(MANIFEST)}


def _siblings(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name != target.name)


def test_new_folder_gets_the_files_and_a_manifest_and_no_temporary_folder_is_left(tmp_path):
    target = _report(tmp_path / "out" / "nyc", NYC)
    assert _files(target) == NYC
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["status"] == "complete" and sorted(manifest["files"]) == sorted(NYC)
    assert manifest["egovkit_version"] and manifest["written"]
    assert _siblings(target) == []
    assert inspect_folder(target).kind == "report"


def test_empty_existing_folder_is_written(tmp_path):
    (tmp_path / "out").mkdir()
    assert inspect_folder(tmp_path / "out").kind == "empty"
    assert _files(_report(tmp_path / "out", KENYA)) == KENYA


def test_previous_report_is_refused_without_force_and_left_untouched(tmp_path):
    target = _report(tmp_path / "out", NYC)
    with pytest.raises(OutputFolderError, match=r"already holds an egovkit report \(written .*force=True"):
        _report(target, KENYA)
    assert _files(target) == NYC and _siblings(target) == []


def test_kenya_over_nyc_with_force_replaces_the_report_entirely(tmp_path):
    """The issue's case: a Kenya run over an NYC folder left 14 NYC files beside the Kenya ones."""
    target = _report(tmp_path / "out", NYC)
    _report(target, KENYA, force=True)
    assert _files(target) == KENYA  # no NYC file left, not even its empty maps/ folder
    assert not (target / "maps").exists()
    assert sorted(json.loads((target / MANIFEST).read_text(encoding="utf-8"))["files"]) == sorted(KENYA)


def test_users_files_are_refused_without_force_and_kept_with_it(tmp_path):
    target = tmp_path / "out"
    _write(target, {"notes.txt": "mine", "maps/my_map.html": "mine"})
    state = inspect_folder(target)
    assert state.kind == "other" and state.user_files == ["maps/my_map.html", "notes.txt"]
    with pytest.raises(OutputFolderError, match=r"2 file\(s\) that egovkit did not write \(maps/my_map.html, "
                                                r"notes.txt\).*force=True"):
        _report(target, NYC)
    _report(target, NYC, force=True)
    _report(target, KENYA, force=True)  # a report and the user's files: the report is replaced
    assert _files(target) == {**KENYA, "notes.txt": "mine", "maps/my_map.html": "mine"}
    assert inspect_folder(target).kind == "mixed"


def test_file_manager_litter_does_not_count_as_the_users_files(tmp_path):
    target = _report(tmp_path / "out", NYC)
    (target / ".DS_Store").write_bytes(b"\0")
    assert inspect_folder(target).kind == "report"


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failed_or_interrupted_run_leaves_the_folder_as_it_was(tmp_path, exc):
    target = _report(tmp_path / "out", NYC)
    with pytest.raises(type(exc)):
        with staged_folder(target, force=True) as tmp:
            _write(tmp, {"index.html": "half", "tables/territory.csv": "half"})
            raise exc
    assert _files(target) == NYC and _siblings(target) == []


def test_target_that_is_a_file_or_under_a_file_is_named(tmp_path):
    f = tmp_path / "report.html"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="report.html: it is a file"):
        _report(f, NYC)
    with pytest.raises(OutputFolderError, match=r"it is under .*report.html, which is a file"):
        _report(f / "sub", NYC)
    assert isinstance(OutputFolderError("x", f), EgovkitError)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root writes into read-only folders; Windows has no mode bits")
def test_unwritable_folder_is_named(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputFolderError, match="not writable"):
            _report(ro / "out", NYC)
    finally:
        ro.chmod(0o755)


def test_manifest_entries_outside_the_folder_are_not_trusted(tmp_path):
    """A hand-edited manifest naming ../ files makes no file outside the folder egovkit's."""
    outside = tmp_path / "precious.txt"
    outside.write_text("keep", encoding="utf-8")
    target = _report(tmp_path / "out", NYC)
    m = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    m["files"].append("../precious.txt")
    (target / MANIFEST).write_text(json.dumps(m), encoding="utf-8")
    state = inspect_folder(target)
    assert state.manifest is None and state.kind == "other"  # an unreadable manifest: all files the user's
    _report(target, KENYA, force=True)
    assert outside.read_text(encoding="utf-8") == "keep"


def test_stale_temporary_folder_of_a_dead_run_is_cleaned_a_live_one_kept(tmp_path):
    target = tmp_path / "out"
    dead, live = (Path(str(target) + s) for s in (".tmp-dead", ".tmp-live"))
    for folder, pid in ((dead, 2**22 + 12345), (live, os.getpid())):
        folder.mkdir()
        (folder / of.STAGING_MARK).write_text(json.dumps({"host": of.socket.gethostname(), "pid": pid}), "utf-8")
    if of._alive(2**22 + 12345):
        pytest.skip("the made-up pid runs here")
    _report(target, NYC)
    assert not dead.exists() and live.exists()


class _Killed(BaseException):
    """Stands for the process being killed (nothing after it runs)."""


def _kill_at(monkeypatch, n: int, func: str) -> None:
    """Make the n-th call of ``os.<func>`` inside output_folder 'kill' the process."""
    real = getattr(os, func)
    calls = {"n": 0}

    def fake(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise _Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(of.os, func, fake)


def _swap_steps(tmp_path: Path) -> int:
    """How many os.replace calls a swap of KENYA over NYC makes (counted, not assumed)."""
    target = _report(tmp_path / "count", NYC)
    stage = of._make_stage(target, "out_dir=")
    _write(stage, KENYA)
    n = {"n": 0}
    real = os.replace

    def counting(*a, **k):
        n["n"] += 1
        return real(*a, **k)

    of.os.replace = counting
    try:
        commit(stage, target, force=True)
    finally:
        of.os.replace = real
    return n["n"]


def test_a_run_killed_at_any_step_of_the_swap_never_leaves_a_mixed_folder(tmp_path, monkeypatch):
    """Kill the swap before each of its renames: index.html is either the old report's with all
    its files, or absent, or the new report's with all of its files; the manifest always lists every
    file that is not the user's; the next run (with force) leaves exactly the new report."""
    steps = _swap_steps(tmp_path)
    assert steps >= len(KENYA) + 2  # two manifest writes and each file
    user = {"mine.txt": "mine"}
    for k in range(1, steps + 1):
        target = tmp_path / f"k{k}"
        _report(target, NYC)
        _write(target, user)
        stage = of._make_stage(target, "out_dir=")
        _write(stage, KENYA)
        with monkeypatch.context() as m:
            _kill_at(m, k, "replace")
            with pytest.raises(_Killed):
                commit(stage, target, force=True)
        files = _files(target)
        if "index.html" in files:
            expected = NYC if files["index.html"] == NYC["index.html"] else KENYA
            assert files == {**expected, **user}, k
        assert {k_ for k_, v in files.items() if v in ("nyc", "kenya")} <= set(NYC) | set(KENYA)
        state = inspect_folder(target)
        assert state.user_files == ["mine.txt"], (k, state.user_files)  # nothing of a report counts as the user's
        _report(target, KENYA, force=True)
        assert _files(target) == {**KENYA, **user}, k
        assert sorted(p.name for p in target.glob(MANIFEST + "*")) == [MANIFEST]
        assert json.loads((target / MANIFEST).read_text(encoding="utf-8"))["status"] == "complete"


def test_interrupted_swap_is_described_as_incomplete(tmp_path, monkeypatch):
    target = _report(tmp_path / "out", NYC)
    stage = of._make_stage(target, "out_dir=")
    _write(stage, KENYA)
    with monkeypatch.context() as m:
        _kill_at(m, 3, "replace")
        with pytest.raises(_Killed):
            commit(stage, target, force=True)
    state = inspect_folder(target)
    assert not state.complete and "incomplete egovkit report" in state.describe()
    assert "index.html" not in _files(target)  # the old index went first


def test_api_diagnose_refuses_a_second_report_without_force(tmp_path):
    """egovkit.pipeline: the same rule (force=), checked before any computation."""
    from egovkit.cases import diagnose_example

    out = tmp_path / "demo"
    d = diagnose_example(out)
    assert d.report_path == out / "index.html" and (out / "inputs" / "exampleland_census.csv").exists()
    listed = set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])
    assert listed == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST}
    with pytest.raises(OutputFolderError, match="force=True"):
        diagnose_example(out)
    (out / "tables" / "my_notes.txt").write_text("mine", encoding="utf-8")
    d = diagnose_example(out, force=True, lang="fr")
    assert 'lang="fr"' in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "tables" / "my_notes.txt").read_text(encoding="utf-8") == "mine"
    assert _siblings(out) == []


def test_parent_not_writable_stages_inside_the_target(tmp_path, monkeypatch):
    """`--out .` in a folder whose parent is read-only: the temporary folder goes inside the target
    (hidden, same file system), is not counted as the user's, and is gone afterwards."""
    target = _report(tmp_path / "out", NYC)
    real = of.tempfile.mkdtemp
    made = []

    def no_sibling(prefix: str = "", dir: str | None = None, **kw):
        if Path(dir) == target.absolute().parent:
            raise PermissionError(13, "Permission denied", str(dir))
        made.append(real(prefix=prefix, dir=dir, **kw))
        return made[-1]

    monkeypatch.setattr(of.tempfile, "mkdtemp", no_sibling)
    with staged_folder(target, force=True) as tmp:
        assert tmp.parent == target.absolute() and tmp.name.startswith(".egovkit-tmp-")
        _write(tmp, KENYA)
        assert inspect_folder(target).kind == "report"
    assert made and _files(target) == KENYA and not any(target.glob(".egovkit-tmp-*"))
