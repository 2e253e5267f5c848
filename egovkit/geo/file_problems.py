"""Why a boundary file cannot be read, as precisely as we can tell: not text, not JSON, not GeoJSON,
cut off, not a GeoPackage... Each answer is an :class:`~egovkit.errors.InputError` with a catalogue code.

>>> open_brackets('{"type": "FeatureCollection", "features": [')
2
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError

__all__ = ["FORMAT_NAMES", "json_problem", "open_brackets", "unreadable_file"]

#: What GDAL calls each suffix, for the messages.
FORMAT_NAMES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "shapefile",
                ".zip": "zip", ".fgb": "FlatGeobuf"}
_GEOJSON_TYPES = ("FeatureCollection", "Feature", "Polygon", "MultiPolygon", "GeometryCollection", "Point",
                  "LineString", "MultiPoint", "MultiLineString")


def unreadable_file(path: Path, exc: BaseException) -> InputError:
    """An :class:`InputError` saying why GDAL could not read ``path``, as precisely as we can tell.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "d.gpkg"
    >>> _ = p.write_text("hello")
    >>> unreadable_file(p, ValueError("no")).message
    'not a GeoPackage (a GeoPackage is an SQLite database)'
    """
    name, suffix = path.name, path.suffix.lower()
    first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    looks_json = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if suffix in (".geojson", ".json") or looks_json:
        problem = json_problem(path)
        if suffix not in (".geojson", ".json", ".zip"):
            what = FORMAT_NAMES.get(suffix, suffix)
            if problem:
                return InputError(code="geo.json_not_format_detail", params={"format": what, "detail": problem.message},
                                  file=name)
            return InputError(code="geo.json_not_format", params={"format": what}, file=name)
        if problem:
            return problem
    if suffix == ".gpkg" and not head.startswith(b"SQLite format 3\x00"):
        return InputError(code="geo.not_geopackage", file=name)
    if suffix == ".fgb" and not head.startswith(b"fgb"):
        return InputError(code="geo.not_flatgeobuf", file=name)
    return InputError(code="geo.unreadable", params={"format": FORMAT_NAMES.get(suffix, "boundary"), "detail": first},
                      file=name)


def json_problem(path: Path) -> InputError | None:
    """What makes ``path`` unreadable as GeoJSON (not text, not JSON, not GeoJSON) as an error, or None.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "d.geojson"
    >>> _ = p.write_text('{"type": "FeatureCollection", "features": [')
    >>> json_problem(p).code
    'geo.json_cut_off'
    """
    name = path.name
    data = path.read_bytes()
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data[:4096] and not utf16:
        return InputError(code="geo.json_binary", file=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if utf16:
            return InputError(code="geo.json_utf16", file=name)
        return InputError(code="geo.json_not_utf8", params={"byte": exc.start + 1,
                                                             "value": repr(data[exc.start:exc.start + 1])}, file=name)
    if not text.strip():
        return InputError(code="geo.json_blank", file=name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) - 1 or open_brackets(text) > 0
        return InputError(code="geo.json_cut_off" if cut else "geo.json_invalid",
                          params={"detail": exc.msg, "line": exc.lineno, "col": exc.colno}, file=name)
    except (ValueError, RecursionError) as exc:
        return InputError(code="geo.json_invalid_other", params={"detail": str(exc)}, file=name)
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind not in _GEOJSON_TYPES:
        if isinstance(doc, dict):
            return InputError(code="geo.json_other_type", params={"type": kind}, file=name)
        return InputError(code="geo.json_not_object", params={"type": type(doc).__name__}, file=name)
    if kind == "FeatureCollection" and not isinstance(doc.get("features"), list):
        return InputError(code="geo.json_no_features", file=name)
    return None


def open_brackets(text: str) -> int:
    """Brackets ``{``/``[`` left open at the end of a JSON text (outside strings): > 0 when cut off.

    >>> open_brackets('{"a": "}"}')
    0
    """
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return depth + int(in_string)
