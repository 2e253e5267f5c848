"""Checks of a boundary file before GDAL reads it: the path, a shapefile's sidecar files, the zip's
content, the layer to read and the CRS the user gives.

>>> from egovkit.errors import InputError
>>> try:
...     check_path(Path("no-such-file.geojson"))
... except InputError as e:
...     print(e.message)
file not found
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyogrio
import pyproj

from ..errors import InputError
from .file_problems import unreadable_file

__all__ = ["BOUNDARY_SUFFIXES", "check_path", "check_sidecars", "choose_layer", "user_crs", "zip_source"]

#: File name endings read by :func:`~egovkit.geo.read_boundaries`.
BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")


def check_path(path: Path) -> None:
    """Refuse what cannot be a boundary file before GDAL sees it (missing, a folder, another type, empty)."""
    name = path.name
    if not path.exists():
        raise InputError(code="geo.file_not_found", file=str(path))
    if path.is_dir():
        raise InputError(code="geo.file_is_folder", file=str(path))
    suffix = path.suffix.lower()
    if suffix not in BOUNDARY_SUFFIXES:
        raise InputError(code="geo.unsupported_type" if suffix else "geo.no_suffix",
                         params={"suffix": suffix, "suffixes": list(BOUNDARY_SUFFIXES)}, file=name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(code="geo.cannot_open", params={"detail": exc.strerror}, file=name) from exc
    if size == 0:
        raise InputError(code="geo.file_empty", file=name)
    if suffix == ".shp":
        with open(path, "rb") as fh:
            is_shapefile = fh.read(4) == b"\x00\x00\x27\x0a"  # the shapefile's file code, 9994
        if is_shapefile:
            check_sidecars(name, [p.name for p in path.parent.iterdir() if p.stem == path.stem])


def check_sidecars(name: str, members: list[str], *, file: str | None = None, shown: str | None = None) -> None:
    """A shapefile needs its .shx and .dbf next to it (same name, any case).

    ``file`` is the file the error names (default ``name``), ``shown`` how the shapefile is named in
    the message (its path inside a zip).

    >>> check_sidecars("d.shp", ["d.shp", "d.SHX", "d.dbf"])
    """
    stem = Path(name).stem
    have = {Path(m).suffix.lower() for m in members if Path(m).stem == stem}
    missing = [stem + s for s in (".shx", ".dbf") if s not in have]
    if missing:
        params = {"first": missing[0], "other": missing[-1], "shapefile": shown or ""}
        if shown:
            raise InputError(code="geo.shapefile_without_one_in_zip" if len(missing) == 1
                             else "geo.shapefile_without_two_in_zip", params=params, file=file or name)
        raise InputError(code="geo.shapefile_without_one" if len(missing) == 1 else "geo.shapefile_without_two",
                         params=params, file=file or name)


def user_crs(crs: str | int | pyproj.CRS | None, name: str) -> pyproj.CRS | None:
    """The CRS the user gives (``crs=``) read by PROJ, None when not given; not a CRS raises.

    >>> user_crs("EPSG:4326", "d.shp").to_epsg()
    4326
    """
    if crs is None:
        return None
    try:
        return pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise InputError(code="geo.not_a_crs", params={"crs": repr(crs)}, file=name, column="crs") from exc


def zip_source(path: Path, layer: str | int | None) -> str:
    """GDAL path (``/vsizip/...``) of the data set inside a zip file."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if not m.startswith("__MACOSX/") and not m.endswith("/")]
    except Exception as exc:  # BadZipFile, OSError, EOFError, NotImplementedError (zip version), ...
        raise InputError(code="geo.bad_zip", params={"detail": str(exc)}, file=path.name) from exc
    data = [m for m in members if Path(m).suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".fgb")]
    if not data:
        raise InputError(code="geo.zip_no_data" if members else "geo.zip_empty", params={"members": members[:8]},
                         file=path.name)
    if len(data) > 1 and isinstance(layer, str):
        chosen = [m for m in data if Path(m).stem == layer]
        if chosen:
            data = chosen
    if len(data) > 1:
        raise InputError(code="geo.zip_several", params={"members": data, "first": Path(data[0]).stem},
                         file=path.name)
    if data[0].lower().endswith(".shp"):
        folder = str(Path(data[0]).parent)
        check_sidecars(Path(data[0]).name, [Path(m).name for m in members if str(Path(m).parent) == folder],
                       file=path.name, shown=data[0])
    return f"/vsizip/{path.resolve().as_posix()}/{data[0]}"


def choose_layer(source: str, path: Path, layer: str | int | None) -> str | int | None:
    """The layer to read: ``layer`` checked against the file's layers, else the only (polygon) layer."""
    name = path.name
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:  # DataSourceError, UnicodeDecodeError, ...
        raise unreadable_file(path, exc) from exc
    if len(layers) == 0:
        raise InputError(code="geo.no_layer", file=name)
    names = [str(n) for n in layers[:, 0]]
    if layer is not None:
        if isinstance(layer, str) and layer not in names:
            raise InputError(code="geo.unknown_layer", params={"layer": layer, "layers": names, "first": names[0]},
                             file=name)
        if not isinstance(layer, (str, int)) or isinstance(layer, bool):
            raise InputError(code="geo.bad_layer", params={"layer": repr(layer), "layers": names}, file=name)
        if isinstance(layer, int) and not 0 <= layer < len(names):
            raise InputError(code="geo.layer_out_of_range", params={"layer": layer, "n": len(names), "layers": names},
                             file=name)
        return layer
    if len(names) <= 1:
        return None
    polygonal = [n for n, t in zip(names, layers[:, 1]) if t is not None and "polygon" in str(t).lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    raise InputError(code="geo.several_layers", params={"layers": names, "first": (polygonal or names)[0]}, file=name)
