"""Output folders that are never half-written nor mixed.

A report is written into a temporary sibling folder ``<target>.tmp-XXXX`` (same file system),
then swapped into place. A manifest, ``.egovkit-report.json`` (egovkit version, command, time,
list of files), marks a folder as an egovkit report, so the next run into it knows which files
are egovkit's (replaced) and which are the user's (kept).

The rules (:func:`inspect_folder`, :func:`check_folder`):

- the target is missing or empty: it is written;
- it holds an egovkit report only: it is replaced entirely when ``force`` is true
  (the command line asks first, or takes ``--force``), refused otherwise;
- it holds other files of the user's: refused unless ``force``; with ``force`` they are kept
  and the report's files are written beside them (a user's file with the name of a report file
  is replaced);
- it is a file, under a file, or cannot be written: an :class:`OutputFolderError` naming it.

The swap (:func:`staged_folder`) is ordered so that a run killed at any point never leaves a
mixed folder: the target's manifest is first rewritten to list the old *and* the new files with
``"status": "incomplete"``, the old ``index.html`` goes first, then the other old files, the new
files come in, the final manifest, and ``index.html`` LAST. A folder with ``index.html`` is a
complete report; a folder whose manifest says ``incomplete`` is replaced whole by the next run.

Examples
--------
>>> from egovkit.output_folder import staged_folder         # doctest: +SKIP
>>> with staged_folder("out/demo", force=True) as tmp:      # doctest: +SKIP
...     (tmp / "index.html").write_text("<html></html>")
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import socket
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from .errors import EgovkitError
from .shared.messages import render

#: File marking a folder as an egovkit report (lists the files the report wrote).
MANIFEST = ".egovkit-report.json"
#: File inside a staging folder: who is writing it (host, pid), to clean up after killed runs.
STAGING_MARK = ".egovkit-staging"
#: Files a file manager adds to any folder it shows: neither the user's data nor the report's.
IGNORED = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
#: The command recorded in the manifest (the command line sets it to its own arguments).
command: str | None = None


class OutputFolderError(EgovkitError):
    """An output folder cannot be written, or writing it would mix or overwrite files.

    ``path`` is the folder (or file) at fault; the message is a catalogue ``code`` with its ``params``
    (said in any language), or a ready ``message``.
    """

    def __init__(self, message: str | None = None, path: str | Path = ".", *, code: str | None = None,
                 params: dict | None = None) -> None:
        self.path = Path(path)
        super().__init__(message, code=code, params=params)


@dataclass
class FolderState:
    """What an output folder holds.

    Attributes
    ----------
    path : the folder
    kind : ``"missing"``, ``"empty"``, ``"report"`` (an egovkit report only), ``"mixed"`` (a report
        and files of the user's) or ``"other"`` (files, no egovkit manifest)
    manifest : the previous report's manifest (None without one)
    report_files : files of the previous report that are present (relative POSIX paths)
    user_files : the other files (kept by every run)
    """

    path: Path
    kind: str
    manifest: dict[str, Any] | None = None
    report_files: list[str] = field(default_factory=list)
    user_files: list[str] = field(default_factory=list)

    @property
    def written(self) -> str:
        """When the previous report was written (``YYYY-MM-DD HH:MM UTC``), or ``""``."""
        when = (self.manifest or {}).get("written", "")
        try:
            return _dt.datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M UTC")
        except (TypeError, ValueError):
            return str(when)

    @property
    def complete(self) -> bool:
        """False when the previous report was interrupted while being swapped in."""
        return (self.manifest or {}).get("status") == "complete"

    def describe(self) -> str:
        """One line for the user: ``the egovkit report in out/demo (written 2026-12-05 21:10 UTC)``
        (in :data:`egovkit.settings.language`)."""
        return render("pipeline.output_report_in" if self.complete else "pipeline.output_incomplete_report_in",
                      {"path": self.path, "written": self.written or render("pipeline.output_unknown_time")})


def inspect_folder(path: str | Path, *, option: str = "out_dir=") -> FolderState:
    """What ``path`` holds (see :class:`FolderState`); errors when it is a file or under one.

    Examples
    --------
    >>> inspect_folder("no/such/folder").kind
    'missing'
    """
    path = Path(path)
    _check_not_a_file(path, option)
    if not path.exists():
        return FolderState(path, "missing")
    try:
        files = _list_files(path)
    except PermissionError as exc:
        raise OutputFolderError(code="pipeline.output_folder_unreadable", path=path, params={
            "path": exc.filename or path, "reason": exc.strerror, "option": option}) from None
    manifest = _read_manifest(path) if MANIFEST in files else None
    listed = set(manifest["files"]) if manifest else set()
    files.discard(MANIFEST if manifest else "")
    report_files = sorted(files & listed)
    user_files = sorted(f for f in files - listed if PurePosixPath(f).name not in IGNORED
                        and not (f.startswith(MANIFEST + ".") and f.endswith(".part")))
    if manifest is None:
        kind = "other" if user_files else "empty"
    else:
        kind = "mixed" if user_files else "report"
    return FolderState(path, kind, manifest, report_files, user_files)


def check_folder(path: str | Path, *, force: bool = False, option: str = "out_dir=",
                 force_option: str = "force=True") -> FolderState:
    """Refuse, with one line naming the folder and the fix, what the rules above refuse.

    ``option`` and ``force_option`` are how the caller spells the folder and the override
    (the command line passes ``--out`` and ``--force``). Also checks that the folder can be
    created and written (nothing is left behind by the check).
    """
    state = inspect_folder(path, option=option)
    if not force and state.kind in ("report", "mixed", "other"):
        raise OutputFolderError(refusal(state, option=option, force_option=force_option), state.path)
    _check_writable(state.path, option)
    return state


def refusal(state: FolderState, *, option: str = "out_dir=", force_option: str = "force=True") -> str:
    """Why a run without ``force`` does not write into ``state.path``, and the fix."""
    other = state.user_files
    some = ", ".join(other[:3]) + (", ..." if len(other) > 3 else "")
    said = {"path": state.path, "option": option, "force_option": force_option,
            "written": state.written or render("pipeline.output_unknown_time"), "n": len(other), "some": some}
    if state.kind == "report":
        return render("pipeline.output_holds_report" if state.complete
                      else "pipeline.output_holds_incomplete_report", said)
    return render("pipeline.output_holds_report_and_files" if state.kind == "mixed"
                  else "pipeline.output_holds_files", said)


@contextmanager
def staged_folder(target: str | Path, *, force: bool = False, command_line: str | None = None, what: str = "",
                  option: str = "out_dir=", force_option: str = "force=True") -> Iterator[Path]:
    """Yield an empty temporary folder; on success its files replace the report in ``target``.

    On any exception (KeyboardInterrupt included) the temporary folder is removed and
    ``target`` is left as it was.

    Parameters
    ----------
    target
        The output folder.
    force
        Replace a previous egovkit report / write beside the user's files (see the module).
    command_line
        Recorded in the manifest (default: :data:`command`, else the Python caller).
    what
        What the report is (``"demo"``, ``"kenya"``...), recorded in the manifest.
    option, force_option
        How the caller spells the folder and ``force`` in messages (``--out``, ``--force``).
    """
    target = Path(target)
    names = {"option": option, "force_option": force_option}
    check_folder(target, force=force, **names)
    stage = _make_stage(target, option)
    try:
        yield stage
        commit(stage, target, force=force, command_line=command_line, what=what, **names)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def commit(stage: Path, target: str | Path, *, force: bool = False, command_line: str | None = None,
           what: str = "", option: str = "out_dir=", force_option: str = "force=True") -> Path:
    """Move the files of ``stage`` into ``target`` (see the module for the order); returns ``target``."""
    target = Path(target)
    names = {"option": option, "force_option": force_option}
    state = check_folder(target, force=force, **names)
    new = sorted(_list_files(stage) - {STAGING_MARK, MANIFEST})
    manifest = {"egovkit_report": 1, "egovkit_version": _version(), "report": what,
                "command": command_line or command or _caller(),
                "written": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "status": "complete", "files": new}
    if state.kind == "missing" and stage.parent == Path(os.path.abspath(target)).parent:
        # a new folder: write the manifest, then one atomic rename
        (stage / STAGING_MARK).unlink(missing_ok=True)
        _write_json(stage / MANIFEST, manifest)
        try:
            os.rename(stage, target)
            return target
        except OSError:  # e.g. created meanwhile by another process: fall back to moving files
            state = check_folder(target, force=force, **names)
    target.mkdir(parents=True, exist_ok=True)
    for rel in new:  # a report sub-folder that is a file of the user's (or the reverse)
        for parent in PurePosixPath(rel).parents:
            if str(parent) != "." and (target / parent).exists() and not (target / parent).is_dir():
                raise OutputFolderError(code="pipeline.output_file_where_folder", params={"path": target / parent},
                                        path=target / parent)
        if (target / rel).is_dir():
            raise OutputFolderError(code="pipeline.output_folder_where_file", params={"path": target / rel},
                                    path=target / rel)
    try:
        _swap(stage, target, state.report_files, new, manifest)
    except OSError as exc:
        raise OutputFolderError(code="pipeline.output_move_failed", path=target, params={
            "path": target, "reason": exc.strerror or exc, "file": exc.filename or "",
            "force_option": force_option}) from None
    return target


def _swap(stage: Path, target: Path, old: list[str], new: list[str], manifest: dict[str, Any]) -> None:
    """The ordered swap of :func:`commit` (see the module)."""
    for part in target.glob(MANIFEST + ".*.part"):  # left by a run killed while writing the manifest
        part.unlink(missing_ok=True)
    # 1. the folder's manifest lists every file that may be egovkit's until the swap is over
    _write_json(target / MANIFEST, {**manifest, "status": "incomplete", "files": sorted(set(old) | set(new))})
    # 2. the old index.html first, then the other old files (no old index beside new tables)
    for rel in sorted(old, key=lambda f: f != "index.html"):
        if rel not in new or rel == "index.html":
            _remove_inside(target, rel)
    _prune_dirs(target, old)
    # 3. the new files, the final manifest, index.html LAST
    for rel in sorted(new, key=lambda f: f == "index.html"):
        if rel == "index.html":
            _write_json(target / MANIFEST, manifest)
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / rel, dest)
    if "index.html" not in new:
        _write_json(target / MANIFEST, manifest)


def clean_stale_stages(target: str | Path) -> list[Path]:
    """Remove the temporary folders of killed runs into ``target`` (their process is gone).

    Only folders named ``<target>.tmp-*`` holding a staging mark of a process of this host that
    no longer runs are removed; returns them.
    """
    target = Path(target)
    removed = []
    for cand in list(target.parent.glob(f"{target.name}.tmp-*")) + list(target.glob(".egovkit-tmp-*")):
        try:
            mark = json.loads((cand / STAGING_MARK).read_text(encoding="utf-8"))
            if mark.get("host") != socket.gethostname() or _alive(int(mark["pid"])):
                continue
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        shutil.rmtree(cand, ignore_errors=True)
        removed.append(cand)
    return removed


# -- helpers ---------------------------------------------------------------------------------

def _check_not_a_file(path: Path, option: str) -> None:
    for p in [path, *path.parents]:
        if p.exists() or p.is_symlink():
            if not p.is_dir():
                raise OutputFolderError(code="pipeline.output_is_a_file" if p == path
                                        else "pipeline.output_under_a_file",
                                        params={"path": path, "file": p, "option": option}, path=p)
            return


def _check_writable(path: Path, option: str) -> None:
    existing = next(p for p in [path, *path.parents] if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputFolderError(code="pipeline.output_not_writable", params={"path": path, "existing": existing,
                                                                    "option": option}, path=path)


def _list_files(folder: Path) -> set[str]:
    """Files (and symlinks) under ``folder`` as relative POSIX paths, staging folders left out."""
    out = set()
    for root, dirs, files in os.walk(folder, onerror=_raise):
        dirs[:] = [d for d in dirs if not d.startswith(".egovkit-tmp-")]
        rel = Path(root).relative_to(folder)
        out.update((rel / f).as_posix() for f in files)
        out.update((rel / d).as_posix() for d in dirs if (Path(root) / d).is_symlink())
    return out


def _raise(exc: OSError) -> None:
    raise exc


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest, or None when it is unreadable (the folder then counts as the user's)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) and _safe(f) for f in files):
            return None
        return data
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _safe(rel: str) -> bool:
    """A manifest entry names a file inside the folder (no absolute path, no ``..``)."""
    p = PurePosixPath(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts and "\\" not in rel


def _remove_inside(folder: Path, rel: str) -> None:
    p = folder / rel
    try:
        if not p.parent.resolve().is_relative_to(folder.resolve()):
            return  # a symlinked sub-folder pointing elsewhere: not ours to delete in
        if p.is_symlink() or p.is_file():
            p.unlink()
    except FileNotFoundError:
        pass


def _prune_dirs(folder: Path, files: list[str]) -> None:
    """Remove the sub-folders of ``files`` that are now empty (deepest first)."""
    dirs = {p for f in files for p in PurePosixPath(f).parents if str(p) != "."}
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        try:
            (folder / d).rmdir()
        except OSError:
            pass  # not empty (files of the user's) or already gone


def _make_stage(target: Path, option: str) -> Path:
    """A new empty folder next to ``target`` (inside it when its parent is not writable)."""
    clean_stale_stages(target)
    target_abs = Path(os.path.abspath(target))
    parent = target_abs.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f"{target_abs.name}.tmp-", dir=parent))
    except OSError:
        if not target_abs.is_dir():
            raise OutputFolderError(code="pipeline.output_cannot_create", params={"path": target, "parent": parent,
                                                                         "option": option}, path=target) from None
        try:
            stage = Path(tempfile.mkdtemp(prefix=".egovkit-tmp-", dir=target_abs))
        except OSError as exc:
            raise OutputFolderError(code="pipeline.output_cannot_write", params={"path": target, "reason": exc.strerror,
                                                                        "option": option}, path=target) from None
    _write_json(stage / STAGING_MARK, {"host": socket.gethostname(), "pid": os.getpid(), "target": str(target_abs)})
    return stage


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (a temporary file then a rename)."""
    tmp = path.with_name(path.name + f".{os.getpid()}.part")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _version() -> str:
    from . import __version__

    return __version__


def _caller() -> str:
    return "python: " + " ".join(sys.argv[:1])
