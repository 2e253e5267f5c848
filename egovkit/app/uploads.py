"""Uploaded files, kept safe: size limits, an allow-list of suffixes, one temporary folder.

A browser sends a file's bytes and the name it had on the user's computer. That name never
builds a path: a file is saved in the session's temporary folder as ``<kind><suffix>``
(``table.csv``, ``boundaries.zip``), where the suffix is the name's last one, kept only when it
is in the allow-list of that kind. The name itself is only shown (escaped) in the page.

Examples
--------
>>> store = UploadStore()
>>> path = store.save("table", "../../etc/passwd.csv", b"Name,Households,Internet\\nA,10,2\\n")
>>> path.name, path.parent == store.folder
('table.csv', True)
>>> store.close()
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import InputError

__all__ = ["KINDS", "UploadStore", "Upload", "safe_suffix", "display_name", "MAX_ZIP_MEMBERS"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    """What one upload slot accepts."""

    suffixes: tuple[str, ...]
    max_bytes: int


#: What each upload accepts (suffixes) and its size limit. A zipped shapefile is also limited
#: in what it unpacks to (``MAX_UNZIPPED_BYTES``, ``MAX_ZIP_MEMBERS``).
KINDS: dict[str, Kind] = {
    "table": Kind((".csv", ".txt", ".tsv", ".xlsx", ".xls"), 50 * MB),
    "boundaries": Kind((".geojson", ".json", ".gpkg", ".zip", ".fgb"), 200 * MB),
    "hotspots": Kind((".csv", ".txt", ".tsv", ".xlsx", ".geojson", ".json", ".gpkg"), 50 * MB),
    "population": Kind((".csv", ".txt", ".tsv", ".xlsx", ".geojson", ".json", ".gpkg", ".tif", ".tiff"), 300 * MB),
    "questionnaire": Kind((".xlsx", ".csv"), 10 * MB),
}
#: A zip may not unpack to more than this, nor hold more members (a zip bomb is refused unread).
MAX_UNZIPPED_BYTES = 1024 * MB
MAX_ZIP_MEMBERS = 200
#: The largest upload: the server refuses websocket messages beyond it (base64 adds a third).
MAX_UPLOAD_BYTES = max(k.max_bytes for k in KINDS.values())

_SAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def _basename(name: str) -> str:
    """The last part of a name given by a browser, whatever its separators."""
    return PureWindowsPath(PurePosixPath(str(name)).name).name


def safe_suffix(kind: str, filename: str) -> str:
    """The lower-case suffix of ``filename`` if ``kind`` accepts it; an :class:`InputError` otherwise.

    >>> safe_suffix("boundaries", "C:\\\\Users\\\\me\\\\Counties.GeoJSON")
    '.geojson'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")
    suffix = PurePosixPath(_basename(filename)).suffix.lower()
    allowed = KINDS[kind].suffixes
    if suffix not in allowed:
        raise InputError(code="app.wrong_suffix" if suffix else "app.no_suffix",
                         params={"kind": kind, "allowed": list(allowed), "suffix": suffix}, file=display_name(filename))
    return suffix


def display_name(filename: str, limit: int = 80) -> str:
    """A name to show and to write in example commands: the base name, safe characters only.

    >>> display_name("<img src=x onerror=alert(1)>.csv")
    'img_src_x_onerror_alert_1_.csv'
    """
    name = _SAFE_CHARS.sub("_", _basename(filename)).strip("._") or "file"
    return name[-limit:]


@dataclass
class Upload:
    """One saved file: where it is (in the temporary folder), and what the user called it."""

    kind: str
    path: Path
    original_name: str
    size: int

    @property
    def shown_name(self) -> str:
        """The user's name, escaped for HTML."""
        return html.escape(_basename(self.original_name))

    @property
    def safe_name(self) -> str:
        """The user's name reduced to safe characters (for example command lines)."""
        return display_name(self.original_name)


@dataclass
class UploadStore:
    """The temporary folder of one app session and the files saved in it."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="egovkit-app-")))
    files: dict[str, Upload] = field(default_factory=dict)

    def save(self, kind: str, filename: str, data: bytes) -> Path:
        """Check ``data`` (size, suffix, zip contents) and save it as ``<kind><suffix>``.

        Raises
        ------
        InputError
            The file is too large, of a type this slot does not take, or a zip that unpacks to
            too much.
        """
        suffix = safe_suffix(kind, filename)
        limit = KINDS[kind].max_bytes
        if len(data) > limit:
            raise InputError(code="app.too_large", params={"size": len(data) / MB, "kind": kind, "limit": limit // MB},
                             file=display_name(filename))
        if not data:
            raise InputError(code="app.empty_file", file=display_name(filename))
        old = self.files.pop(kind, None)
        if old is not None:
            old.path.unlink(missing_ok=True)
        path = self.folder / f"{kind}{suffix}"
        path.write_bytes(data)
        if suffix == ".zip":
            try:
                _check_zip(path, display_name(filename))
            except InputError:
                path.unlink(missing_ok=True)
                raise
        self.files[kind] = Upload(kind, path, str(filename), len(data))
        return path

    def remove(self, kind: str) -> None:
        """Forget an upload (its file is deleted)."""
        old = self.files.pop(kind, None)
        if old is not None:
            old.path.unlink(missing_ok=True)

    def path(self, kind: str) -> Path | None:
        u = self.files.get(kind)
        return u.path if u else None

    def new_folder(self, name: str) -> Path:
        """A fresh sub-folder of the session's folder (e.g. for a report), emptied if it exists."""
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            raise ValueError(f"not a folder name of the app: {name!r}")
        out = self.folder / name
        shutil.rmtree(out, ignore_errors=True)
        return out

    def close(self) -> None:
        """Delete the temporary folder and everything in it."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.files.clear()


def _check_zip(path: Path, shown: str) -> None:
    """Refuse a damaged zip, one with too many members, or one that unpacks to too much."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(code="app.bad_zip", params={"detail": str(exc)}, file=shown) from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InputError(code="app.zip_too_many", params={"n": len(infos), "max": MAX_ZIP_MEMBERS}, file=shown)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise InputError(code="app.zip_too_big", params={"size": total / MB, "max": MAX_UNZIPPED_BYTES // MB},
                         file=shown)
