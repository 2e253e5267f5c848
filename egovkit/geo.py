"""Boundaries: read them (GeoJSON, GeoPackage, shapefile also zipped, FlatGeobuf), repair them,
and choose a projected CRS for every distance and area.

Units: distances in metres (``_m``), areas in square kilometres (``_km2``).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> g = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(36.8, -1.3, 36.9, -1.2)], crs=4326)
>>> projected_crs(g).to_epsg()
32737
>>> round(float(area_km2(g).iloc[0]))
123
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import LambertAzimuthalEqualAreaConversion

from .errors import EgovkitWarning, InputError
from .validate import ValidationReport

__all__ = [
    "read_boundaries",
    "repair_geometries",
    "projected_crs",
    "equal_area_crs",
    "scale_error",
    "to_projected",
    "area_km2",
    "crs_from_text",
    "BOUNDARY_SUFFIXES",
]

#: File name endings read by :func:`read_boundaries`.
BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")

#: Beyond this longitude span (degrees) one UTM zone (6 degrees wide) distorts too much and
#: :func:`projected_crs` switches to a Lambert azimuthal equal-area CRS centred on the data.
MAX_UTM_SPAN_DEG = 12.0

_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7
#: How :func:`shapely.make_valid` rebuilds an invalid polygon (see :func:`repair_geometries`).
MakeValidMethod = Literal["linework", "structure"]
_REPAIR_FIX = "none needed; check the district's outline in the boundary file if its area matters"
_MULTI_TYPES = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection


# -- CRS named in a column header or by the user ------------------------------------------------
# Common names and abbreviations of national and UTM CRSs, as written in column headers
# ("X_L93", "x_lambert_93", "easting_utm31n", "E_BNG"). Tokens are joined with "_".
_NAMED_CRS: tuple[tuple[str, int], ...] = (
    (r"wgs_?84|wgs|gps|crs_?84|lon_?lat|lat_?lon|degrees?|deg", 4326),
    (r"l_?93|lamb(?:ert)?_?93|rgf_?93(?:_?v?[12])?(?:_lamb(?:ert)?_?93)?", 2154),
    (r"l_?2_?e|l_?ii_?e|lamb(?:ert)?_?(?:2|ii)_?(?:e|et|etendu|extended)?", 27572),
    (r"bng|osgb(?:_?36)?|british_?national_?grid", 27700),
    (r"itm|irish_?transverse_?mercator", 2157),
    (r"rd_?new|amersfoort(?:_?rd_?new)?", 28992),
    (r"l_?72|lamb(?:ert)?_?72|bd_?72", 31370),
    (r"l_?08|lamb(?:ert)?_?2008", 3812),
    (r"lv_?95|ch_?1903_?plus", 2056),
    (r"lv_?03|ch_?1903", 21781),
    (r"(?:etrs_?89_?)?laea(?:_?europe)?", 3035),
    (r"(?:etrs_?89_?)?pt_?tm_?06|tm_?06", 3763),
    (r"nztm(?:_?2000)?", 2193),
    (r"web_?mercator|pseudo_?mercator|google_?mercator", 3857),
)
_UTM = re.compile(r"(?:^|_)(etrs_?89_?|wgs_?84_?|nad_?83_?)?utm_?(?:zone_?)?(\d{1,2})_?([a-z])?(?:_|$)")
# a text worth asking PROJ about (its name search takes half a second per text)
_CRS_SPEC = re.compile(r"epsg:|esri:|iau_|\+proj|\s/\s|PROJCS|GEOGCS|PROJCRS|GEOGCRS|\{", re.I)
_CC = re.compile(r"(?:^|_)(?:cc|conique_?conforme)_?(4[2-9]|50)(?:_|$)")
_AXIS_WORDS = frozenset({"x", "y", "e", "n", "east", "north", "easting", "northing", "este", "norte", "lon", "lat",
                         "lng", "long", "longitude", "latitude", "coord", "coords", "coordx", "coordy", "point"})
_EPSG = re.compile(r"(?:^|_)(?:epsg_?)?(\d{4,5})(?:_|$)")


def _crs_tokens(text: str) -> str:
    low = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(text))
    low = "".join(c for c in __import__("unicodedata").normalize("NFKD", low) if c.isascii()).lower()
    return "_".join(t for t in re.split(r"[^0-9a-z]+", low) if t)


def crs_from_text(text: str, *, near: gpd.GeoDataFrame | None = None) -> pyproj.CRS | None:
    """The CRS named in a column header or a user's text, or None.

    Reads EPSG codes (``x_2154``, ``EPSG:32631``), CRS names that PROJ knows (``RGF93 /
    Lambert-93``) and the usual abbreviations of headers: ``L93``/``Lambert 93``/``RGF93``
    (EPSG:2154), ``Lambert II étendu``/``L2E``, ``CC42``..``CC50``, ``UTM 31N``/``utm31s`` (WGS84,
    ETRS89 or NAD83 zones), ``BNG``/``OSGB36``, ``ITM``, ``RD New``, ``Lambert 72``/``2008``,
    ``LV95``/``LV03``, ``LAEA``, ``TM06``, ``NZTM``, ``Web Mercator``, and ``WGS84``/``GPS``
    (EPSG:4326). ``UTM`` without a zone takes the UTM zone of ``near`` (e.g. the districts) when
    given.

    Examples
    --------
    >>> [crs_from_text(t).to_epsg() for t in ["X_L93", "x (Lambert 93)", "easting_utm31n", "lon_wgs84", "y_32737"]]
    [2154, 2154, 32631, 4326, 32737]
    >>> crs_from_text("Population") is None, crs_from_text("Households 2019") is None
    (True, True)
    """
    raw = str(text).strip()
    if not raw:
        return None
    z = _crs_tokens(raw)
    if _CRS_SPEC.search(raw) and re.fullmatch(r"[a-z]+_\d{4,5}", z) is None:
        try:  # a full name or code: "EPSG:2154", "RGF93 / Lambert-93", "WGS 84 / UTM zone 31N"
            crs = pyproj.CRS.from_user_input(raw)
            if crs.is_projected or crs.is_geographic:
                return crs
        except (pyproj.exceptions.CRSError, TypeError, ValueError):
            pass
    m = _UTM.search(z)
    if m:
        datum, zone, letter = m.group(1) or "", int(m.group(2)), m.group(3)
        if 1 <= zone <= 60:
            south = None if letter is None else (letter == "s" or "c" <= letter <= "m")
            if letter in ("n", "s"):
                south = letter == "s"
            if south is None and near is not None and len(near) and near.crs is not None:
                lat = float(near.to_crs(4326).geometry.union_all().centroid.y)
                south = lat < 0
            if south is not None:
                if datum.startswith("etrs") and not south and 28 <= zone <= 38:
                    return pyproj.CRS.from_epsg(25800 + zone)
                if datum.startswith("nad") and not south and 1 <= zone <= 23:
                    return pyproj.CRS.from_epsg(26900 + zone)
                return pyproj.CRS.from_epsg((32700 if south else 32600) + zone)
    if re.search(r"(?:^|_)utm(?:_|$)", z) and near is not None and len(near) and near.crs is not None:
        return near.to_crs(4326).estimate_utm_crs()
    m = _CC.search(z)
    if m:
        return pyproj.CRS.from_epsg(3900 + int(m.group(1)))
    for pattern, code in _NAMED_CRS:
        if re.search(rf"(?:^|_)(?:{pattern})(?:_|$)", z):
            return pyproj.CRS.from_epsg(code)
    axis = bool(set(z.split("_")) & _AXIS_WORDS)
    for m in _EPSG.finditer(z):
        code = int(m.group(1))
        if 1900 <= code <= 2100 and not (axis or m.group(0).strip("_").startswith("epsg")):
            continue  # "Households 2019" names a year, not EPSG:2019
        try:
            crs = pyproj.CRS.from_epsg(code)
        except pyproj.exceptions.CRSError:
            continue
        if crs.is_projected or crs.is_geographic:
            return crs
    return None


# -- reading --------------------------------------------------------------------------------

def read_boundaries(
    path: str | Path,
    *,
    layer: str | int | None = None,
    id_column: str | None = None,
    crs: str | int | pyproj.CRS | None = None,
    report: ValidationReport | None = None,
) -> gpd.GeoDataFrame:
    """Read district boundaries, repair invalid polygons and keep the file's CRS.

    Parameters
    ----------
    path
        A ``.geojson``/``.json``, ``.gpkg``, ``.shp``, ``.zip`` (a zipped shapefile, or a zipped
        GeoPackage/GeoJSON/FlatGeobuf) or ``.fgb`` file.
    layer
        Layer name or index for files with several layers (GeoPackage, a zip with several
        shapefiles). When omitted and the file has several layers, the only polygon layer is
        read; if there are several polygon layers an :class:`~egovkit.errors.InputError` lists them.
    id_column
        Column identifying each district (code or name). It must exist and be unique; it names
        the features in the report.
    crs
        CRS of the coordinates when the file does not declare one (a shapefile without
        ``.prj``), e.g. ``"EPSG:4326"``. If the file declares a different CRS, ``crs`` overrides
        it and this is recorded in the report. The data are never reprojected here.
    report
        A :class:`~egovkit.validate.ValidationReport` to record repairs and problems in
        (each is also emitted as an :class:`~egovkit.errors.EgovkitWarning`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, in file order, geometries (Multi)Polygons. Null or empty
        geometries are kept and reported, never dropped; so are rings GEOS refuses as written
        (not closed: closed when read; a single point: kept without geometry) and polygons
        without area. Each feature's fate is in ``report.row_fate`` (1-based feature number)
        when the report is the boundaries' own.

    Raises
    ------
    InputError
        Whatever is wrong with the file, naming it and the fix: missing, a folder, empty, binary,
        cut off, not JSON or not GeoJSON, not UTF-8, a shapefile without its .shx/.dbf, a broken
        zip or GeoPackage; no CRS and ``crs`` not given (or ``crs`` not a CRS); coordinates that
        are not degrees for a geographic CRS (longitude/latitude swapped said so), beyond the
        Earth, NaN or infinite; non-polygon features (named); ``id_column`` missing or not
        unique.

    Examples
    --------
    >>> g = read_boundaries("counties.gpkg", layer="counties", id_column="code")  # doctest: +SKIP
    >>> g.crs.to_epsg()  # doctest: +SKIP
    4326
    """
    path = Path(path)
    name = path.name
    if report is None:
        report = ValidationReport(source=name)
    count_rows = report.rows_in == 0  # a report shared with a table keeps counting the table's rows
    _check_path(path)
    suffix = path.suffix.lower()
    crs = _user_crs(crs, name)

    source = _zip_source(path, layer) if suffix == ".zip" else str(path)
    if suffix == ".zip" and isinstance(layer, str) and source.endswith(f"/{layer}.shp"):
        layer = None  # the layer chose the shapefile inside the zip
    layer = _choose_layer(source, path, layer)

    unreadable: dict[int, str] = {}
    with warnings.catch_warnings():  # what these say is in the report (repairs) or in the error
        warnings.filterwarnings("ignore", "Non closed ring", RuntimeWarning)
        warnings.filterwarnings("ignore", "invalid value encountered in from_wkb", RuntimeWarning)
        try:
            gdf = gpd.read_file(source, layer=layer, engine="pyogrio")
        except shapely.errors.ShapelyError:
            # a geometry GEOS cannot build (ring not closed, one point): read the others, fix or report it
            gdf, unreadable = _read_tolerant(source, path, layer)
        except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
            raise _unreadable_file(path, exc) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise InputError("the file has no geometry column", file=name,
                         fix="give a file of polygons (a table without geometry is read with egovkit.read)")
    if len(gdf) == 0:
        raise InputError("the file has no features (no district polygon)", file=name,
                         fix="export the boundaries again with their polygons (or check layer=)")
    gdf = gdf.reset_index(drop=True)
    if count_rows:
        report.rows_in = len(gdf)

    gdf = _set_crs(gdf, name, crs, report)
    if id_column is not None:
        _check_id_column(gdf, name, id_column, report)
    gdf = _repair(gdf, id_column=id_column, report=report, source=name, unreadable=unreadable)
    if count_rows:  # each feature is kept (repaired or without geometry, all in the report)
        report.set_fate(range(1, len(gdf) + 1), "used")
    return gdf


#: What GDAL calls each suffix, for the messages.
_FORMAT_NAMES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "shapefile",
                 ".zip": "zip", ".fgb": "FlatGeobuf"}
_READ_FIX = ("export the boundaries again as a complete GeoJSON, GeoPackage, zipped shapefile (.shp with .shx, "
             ".dbf, .prj) or FlatGeobuf")


def _check_path(path: Path) -> None:
    """Refuse what cannot be a boundary file before GDAL sees it."""
    name = path.name
    if not path.exists():
        raise InputError("file not found", file=str(path),
                         fix="check the path (boundaries are read from .geojson, .gpkg, .shp, .zip or .fgb)")
    if path.is_dir():
        raise InputError("is a folder, not a file", file=str(path),
                         fix="give the boundary file inside it (.geojson, .gpkg, .shp, .zip or .fgb)")
    suffix = path.suffix.lower()
    if suffix not in BOUNDARY_SUFFIXES:
        raise InputError(f"unsupported boundary file type {suffix or '(no suffix)'!r}", file=name,
                         fix=f"convert it to one of {', '.join(BOUNDARY_SUFFIXES)} (or rename it if it is one)")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot open the file ({exc.strerror})", file=name, fix="check the path and its "
                         "permissions") from exc
    if size == 0:
        raise InputError("the file is empty (0 bytes)", file=name,
                         fix="export or download the boundaries again")
    if suffix == ".shp":
        with open(path, "rb") as fh:
            is_shapefile = fh.read(4) == b"\x00\x00\x27\x0a"  # the shapefile's file code, 9994
        if is_shapefile:
            _check_sidecars(name, [p.name for p in path.parent.iterdir() if p.stem == path.stem])


def _check_sidecars(name: str, members: list[str]) -> None:
    """A shapefile needs its .shx and .dbf next to it (same name, any case)."""
    stem = Path(name).stem
    have = {Path(m).suffix.lower() for m in members if Path(m).stem == stem}
    missing = [s for s in (".shx", ".dbf") if s not in have]
    if missing:
        raise InputError(f"the shapefile comes without its {' and '.join(stem + s for s in missing)} file",
                         file=name, fix="put the .shp together with its .shx, .dbf and .prj files (same name), "
                                        "or zip the four files")


def _user_crs(crs: str | int | pyproj.CRS | None, name: str) -> pyproj.CRS | None:
    if crs is None:
        return None
    try:
        return pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise InputError(f"crs={crs!r} is not a coordinate reference system", file=name, column="crs",
                         fix="give an EPSG code such as crs='EPSG:4326' (longitude/latitude) or the projected "
                             "CRS of the coordinates, e.g. crs='EPSG:32737'") from exc


def _unreadable_file(path: Path, exc: BaseException) -> InputError:
    """An :class:`InputError` saying why GDAL could not read ``path``, as precisely as we can tell."""
    name, suffix = path.name, path.suffix.lower()
    first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    looks_json = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if suffix in (".geojson", ".json") or looks_json:
        problem = _json_problem(path)
        if suffix not in (".geojson", ".json", ".zip"):
            what = _FORMAT_NAMES.get(suffix, suffix)
            return InputError(f"the file holds JSON text, not a {what}" + (f" ({problem[0]})" if problem else ""),
                              file=name, fix="if it is GeoJSON, rename it with the suffix .geojson")
        if problem:
            return InputError(problem[0], file=name, fix=problem[1])
    if suffix == ".gpkg" and not head.startswith(b"SQLite format 3\x00"):
        return InputError("not a GeoPackage (a GeoPackage is an SQLite database)", file=name,
                          fix="export the boundaries again as GeoPackage, or give the file its real suffix")
    if suffix == ".fgb" and not head.startswith(b"fgb"):
        return InputError("not a FlatGeobuf file", file=name,
                          fix="export the boundaries again as FlatGeobuf, or give the file its real suffix")
    what = _FORMAT_NAMES.get(suffix, "boundary")
    return InputError(f"cannot read the file as {what} ({first})", file=name, fix=_READ_FIX)


def _json_problem(path: Path) -> tuple[str, str] | None:
    """(what, fix) making ``path`` unreadable as GeoJSON (not text, not JSON, not GeoJSON), or None."""
    import json

    again = "export the boundaries again as GeoJSON (UTF-8 text, a FeatureCollection of polygons)"
    data = path.read_bytes()
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data[:4096] and not utf16:
        return "not a text file (binary content), so not GeoJSON", again + ", or give the file its real suffix"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if utf16:
            return "the file is UTF-16 text; GeoJSON must be UTF-8", "save it again as UTF-8"
        return (f"not UTF-8 text (byte {exc.start + 1} is {data[exc.start:exc.start + 1]!r}); GeoJSON must be UTF-8",
                "save it again as UTF-8 (e.g. with QGIS: Export > Save Features As, encoding UTF-8)")
    if not text.strip():
        return "the file holds only blank space", again
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or _open_brackets(text) > 0:
            return (f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}: the file ends too early",
                    "the file was cut off (an interrupted download or copy): download or export it again")
        return f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", again
    except (ValueError, RecursionError) as exc:
        return f"not valid JSON ({exc})", again
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind not in ("FeatureCollection", "Feature", "Polygon", "MultiPolygon", "GeometryCollection", "Point",
                    "LineString", "MultiPoint", "MultiLineString"):
        what = f"a JSON {type(doc).__name__}" if not isinstance(doc, dict) else f"an object with type {kind!r}"
        return f"JSON but not GeoJSON ({what}; GeoJSON is an object with \"type\": \"FeatureCollection\")", again
    if kind == "FeatureCollection" and not isinstance(doc.get("features"), list):
        return "a FeatureCollection without a list of \"features\"", again
    return None


def _open_brackets(text: str) -> int:
    """Brackets ``{``/``[`` left open at the end of a JSON text (outside strings): > 0 when cut off."""
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


def _read_tolerant(source: str, path: Path, layer: str | int | None) -> tuple[gpd.GeoDataFrame, dict[int, str]]:
    """Read a file some of whose geometries GEOS refuses; fix those it can.

    Returns the frame and ``{feature position: reason}`` for each geometry refused as written:
    fixed ones (ring closed) carry their geometry, the others are left without geometry.
    """
    try:
        gdf = gpd.read_file(source, layer=layer, engine="pyogrio", on_invalid="ignore")
        wkb = pyogrio.raw.read(source, layer=layer, columns=[])[2]
    except Exception as exc:
        raise _unreadable_file(path, exc) from exc
    gdf = gdf.reset_index(drop=True)
    geoms = gdf.geometry.to_numpy().copy()
    refused = np.flatnonzero(shapely.is_missing(geoms) & np.array([w is not None for w in wkb], dtype=bool))
    reasons: dict[int, str] = {}
    for i in refused:
        try:
            shapely.from_wkb(wkb[i])
            reason = "unreadable geometry"
        except shapely.errors.ShapelyError as exc:
            reason = str(exc).split(": ", 1)[-1]
        geoms[i] = shapely.from_wkb(wkb[i], on_invalid="fix")
        reasons[int(i)] = reason
    gdf[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return gdf, reasons


def _zip_source(path: Path, layer: str | int | None) -> str:
    """GDAL path (``/vsizip/...``) of the data set inside a zip file."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if not m.startswith("__MACOSX/") and not m.endswith("/")]
    except Exception as exc:  # BadZipFile, OSError, EOFError, NotImplementedError (zip version), ...
        raise InputError(f"not a valid zip file ({exc})", file=path.name,
                         fix="download or create the zip again (it may be cut off)") from exc
    data = [m for m in members if Path(m).suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".fgb")]
    if not data:
        held = ", ".join(members[:8]) or "nothing"
        raise InputError(f"the zip file holds no .shp, .gpkg, .geojson or .fgb file (it holds {held})",
                         file=path.name, fix="zip the shapefile with its .shx, .dbf and .prj files")
    if len(data) > 1 and isinstance(layer, str):
        chosen = [m for m in data if Path(m).stem == layer]
        if chosen:
            data = chosen
    if len(data) > 1:
        raise InputError(f"the zip file holds several data sets: {', '.join(data)}", file=path.name,
                         fix=f"choose one with layer=, e.g. layer={Path(data[0]).stem!r}")
    if data[0].lower().endswith(".shp"):
        folder = str(Path(data[0]).parent)
        try:
            _check_sidecars(Path(data[0]).name, [Path(m).name for m in members if str(Path(m).parent) == folder])
        except InputError as exc:
            raise InputError(exc.message.replace("the shapefile", f"the shapefile {data[0]}"), file=path.name,
                             fix=exc.fix) from None
    return f"/vsizip/{path.resolve().as_posix()}/{data[0]}"


def _choose_layer(source: str, path: Path, layer: str | int | None) -> str | int | None:
    name = path.name
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:  # DataSourceError, UnicodeDecodeError, ...
        raise _unreadable_file(path, exc) from exc
    if len(layers) == 0:
        raise InputError("the file holds no layer of features", file=name, fix=_READ_FIX)
    names = [str(n) for n in layers[:, 0]]
    if layer is not None:
        if isinstance(layer, str) and layer not in names:
            raise InputError(f"no layer {layer!r}; the layers are {names}", file=name,
                             fix=f"pass one of them, e.g. layer={names[0]!r}")
        if not isinstance(layer, (str, int)) or isinstance(layer, bool):
            raise InputError(f"layer={layer!r} is neither a layer name nor a number", file=name,
                             fix=f"pass one of {names} or a number from 0")
        if isinstance(layer, int) and not 0 <= layer < len(names):
            raise InputError(f"no layer number {layer}; the file has {len(names)} layer(s) {names}", file=name,
                             fix="pass a layer name or a number from 0")
        return layer
    if len(names) <= 1:
        return None
    polygonal = [n for n, t in zip(names, layers[:, 1]) if t is not None and "polygon" in str(t).lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    raise InputError(f"the file has several layers {names}", file=name,
                     fix=f"choose one with layer=, e.g. layer={(polygonal or names)[0]!r}")


def _set_crs(gdf: gpd.GeoDataFrame, name: str, crs: pyproj.CRS | None,
             report: ValidationReport) -> gpd.GeoDataFrame:
    if crs is not None:
        if gdf.crs is not None and not gdf.crs.equals(crs):
            msg = f"the file declares {gdf.crs.to_string()} but crs={crs.to_string()} was given; using the latter"
            report.add("warning", "crs_overridden", msg, action="overridden", fix="drop crs= to keep the file's CRS")
            warnings.warn(f"{name}: {msg}", EgovkitWarning, stacklevel=3)
        gdf = gdf.set_crs(crs, allow_override=True)
    b = _finite_bounds(gdf)
    if gdf.crs is None:
        hint = ""
        if b is not None and -180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90:
            hint = " (the coordinates look like longitude/latitude, so probably crs='EPSG:4326')"
        raise InputError("the file has no coordinate reference system (CRS)", file=name,
                         fix="pass it as read_boundaries(..., crs='EPSG:....')" + hint
                             + ", or add the .prj file next to the .shp")
    if b is None:
        return gdf
    reach = f"x {b[0]:.6g}..{b[2]:.6g}, y {b[1]:.6g}..{b[3]:.6g}"
    if gdf.crs.is_geographic and (b[0] < -180.5 or b[2] > 360.5 or b[1] < -90.5 or b[3] > 90.5):
        if -90.5 <= b[0] and b[2] <= 90.5 and -180.5 <= b[1] and b[3] <= 180.5:
            raise InputError(f"the coordinates reach {reach}: latitude and longitude look swapped "
                             f"(y beyond 90 degrees)", file=name,
                             fix="write each point as [longitude, latitude] (GeoJSON order: x = longitude)")
        raise InputError(
            f"the CRS {gdf.crs.to_string()} is longitude/latitude but the coordinates reach {reach}, which are "
            "not degrees", file=name,
            fix="pass the CRS the coordinates are really in (e.g. the UTM zone, crs='EPSG:32737'); a GeoJSON "
                "file without a \"crs\" member is read as longitude/latitude")
    if not gdf.crs.is_geographic and max(abs(b).max(), 0) > 1e8:
        raise InputError(f"the coordinates reach {reach}, beyond the Earth for the CRS {gdf.crs.to_string()} "
                         "(more than 100,000 km from its origin)", file=name,
                         fix="check the coordinates and the CRS the file declares (or crs=)")
    return gdf


def _finite_bounds(gdf: gpd.GeoDataFrame) -> np.ndarray | None:
    """(minx, miny, maxx, maxy) of the finite coordinates, None when there are none."""
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return None
    return np.r_[xy.min(axis=0), xy.max(axis=0)]


def _check_id_column(gdf: gpd.GeoDataFrame, name: str, id_column: str, report: ValidationReport) -> None:
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    if id_column not in cols:
        raise InputError(f"no column {id_column!r}; the columns are {cols}", file=name, column=id_column,
                         fix="pass one of them as id_column=")
    ids = gdf[id_column]
    blank = ids.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
    missing = np.flatnonzero((ids.isna() | blank).to_numpy()) + 1
    for r in missing:
        report.add("error", "missing_id", "feature has no id", row=int(r), column=id_column,
                   fix="fill in the id in the file")
    keys = ids.map(lambda v: v if isinstance(v, (str, int, float, bool, np.generic)) else repr(v))
    dup = ids[keys.duplicated(keep=False) & ids.notna() & ~blank]
    for value, rows in dup.groupby(dup.astype(str)).groups.items():
        feats = [int(gdf.index.get_loc(i)) + 1 for i in rows]
        report.add("error", "duplicate_id", f"id {value!r} is used by features {feats}", column=id_column,
                   area=value, fix="make the ids unique or merge (dissolve) those features")
    if len(missing) or len(dup):
        listing = "; ".join(str(i) for i in report.issues if i.code in ("missing_id", "duplicate_id"))
        raise InputError(f"column {id_column!r} does not identify the features: {listing}", file=name,
                         column=id_column, fix="choose a unique id column, or fix the file")


# -- repairing ------------------------------------------------------------------------------

def repair_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    id_column: str | None = None,
    report: ValidationReport | None = None,
    source: str | None = None,
    method: MakeValidMethod = "linework",
    warn: bool = True,
) -> gpd.GeoDataFrame:
    """Make every geometry a valid (Multi)Polygon, recording each repair.

    The one repair of boundaries in egovkit (files read by :func:`read_boundaries` and the pinned
    data sets of :mod:`egovkit.datasets`). Invalid geometries are repaired with
    :func:`shapely.make_valid`, keeping only their polygonal parts (a MultiPolygon stays a
    MultiPolygon), and the change of area is reported; geometry collections keep their polygons.
    Null and empty geometries are kept and reported, and so are polygons that the repair leaves
    without area (their points on a line: kept empty, ``degenerate_geometry``). A feature with no
    polygonal part at all (a point, a line) or with NaN/infinite coordinates is an error naming the features.

    Parameters
    ----------
    gdf
        Boundaries.
    id_column
        Column naming the features in the report (else the 1-based feature number is used).
    report
        Report to record repairs in; each repair also emits an :class:`EgovkitWarning`.
    source
        File name for the messages.
    method
        How :func:`shapely.make_valid` rebuilds an invalid polygon: ``"linework"`` (default; every
        edge kept, overlapping parts of a ring cancel out) or ``"structure"`` (rings as outlines,
        overlapping parts united, collapsed parts dropped).
    warn
        Also emit each repair as an :class:`EgovkitWarning` (``False`` when the caller warns from
        the report itself, as the data set cache does).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with repaired geometries (same rows, same order, same CRS).

    Examples
    --------
    >>> from shapely import from_wkt
    >>> bow_tie = from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
    >>> g = gpd.GeoDataFrame(geometry=[bow_tie], crs=3857)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fixed = repair_geometries(g)
    >>> fixed.geometry.iloc[0].geom_type, float(fixed.area.iloc[0])
    ('MultiPolygon', 0.5)
    """
    return _repair(gdf, id_column=id_column, report=report, source=source, method=method, warn=warn)


def _repair(
    gdf: gpd.GeoDataFrame,
    *,
    id_column: str | None,
    report: ValidationReport | None,
    source: str | None,
    unreadable: dict[int, str] | None = None,
    method: MakeValidMethod = "linework",
    warn: bool = True,
) -> gpd.GeoDataFrame:
    """:func:`repair_geometries`; ``unreadable`` maps feature positions to why GEOS refused them as
    written (see :func:`_read_tolerant`): fixed ones are reported as repaired, the others as kept
    without geometry."""
    if report is None:
        report = ValidationReport(source=source)
    source = source or report.source or "boundaries"
    unreadable = unreadable or {}
    geoms = gdf.geometry.to_numpy().copy()
    ids = gdf[id_column].astype(str).to_numpy() if id_column is not None else None
    messages: list[str] = []

    def where(i: int) -> dict:
        return {"row": i + 1, "area": None if ids is None else ids[i]}

    def label(i: int) -> str:
        return f"feature {i + 1}" + (f" ({ids[i]})" if ids is not None else "")

    # coordinates that are not numbers (NaN, infinite) make GEOS fail: the file is corrupt there
    xy, at = shapely.get_coordinates(geoms, return_index=True)
    nonfinite = np.unique(at[~np.isfinite(xy).all(axis=1)])
    if len(nonfinite):
        for i in nonfinite:
            report.add("error", "nonfinite_coordinates", "coordinates that are not numbers (NaN or infinite)",
                       **where(i), source=source, fix="correct the coordinates of the feature or remove it")
        bad = [label(i) for i in nonfinite]
        raise InputError(f"{len(bad)} feature(s) have coordinates that are not numbers (NaN or infinite): "
                         f"{', '.join(bad[:10])}{' ...' if len(bad) > 10 else ''}", file=source,
                         fix="correct those coordinates in the boundary file (export it again) or remove "
                             "the features")

    null = shapely.is_missing(geoms)
    empty = ~null & shapely.is_empty(geoms)
    for i in np.flatnonzero(null | empty):
        if i in unreadable:
            what = f"a geometry that cannot be read ({unreadable[i]})"
        else:
            what = "no geometry" if null[i] else "an empty geometry"
        msg = f"{label(i)} has {what}; kept, it cannot be drawn or measured"
        report.add("warning", "empty_geometry", f"{what}; kept, it cannot be drawn or measured",
                   **where(i), source=source, action="kept",
                   fix="add the polygon in the boundary file or drop the feature")
        messages.append(msg)

    present = ~(null | empty)
    type_before = shapely.get_type_id(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    reasons = {i: shapely.is_valid_reason(geoms[i]) for i in np.flatnonzero(invalid)}
    if invalid.any():
        geoms[invalid] = _make_valid(geoms[invalid], method)
        one = invalid & (type_before == _MULTIPOLYGON) & (shapely.get_type_id(geoms) == _POLYGON)
        if one.any():  # a MultiPolygon of the file stays one
            geoms[one] = shapely.multipolygons(geoms[one][:, np.newaxis])
    type_ids = shapely.get_type_id(geoms)
    not_polygon = present & ~np.isin(type_ids, (_POLYGON, _MULTIPOLYGON))
    if not_polygon.any():
        geoms[not_polygon] = _polygonal_parts(geoms[not_polygon])
    lost = present & (shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # a polygon of the file that the repair reduced to a line or a point has no area: kept, blank
    degenerate = lost & np.isin(type_before, (_POLYGON, _MULTIPOLYGON))
    lost &= ~degenerate
    if lost.any():
        bad = [label(i) for i in np.flatnonzero(lost)]
        for i in np.flatnonzero(lost):
            kind = gdf.geometry.iloc[i].geom_type
            report.add("error", "not_polygon", f"geometry has no polygon (a {kind})", **where(i), source=source,
                       fix="boundaries must be polygons: remove the feature or fix its geometry")
        raise InputError(f"{len(bad)} feature(s) are not polygons: {', '.join(bad[:10])}"
                         f"{' ...' if len(bad) > 10 else ''}", file=source,
                         fix="give a file of district polygons (points such as hotspots are read with "
                             "egovkit.coverage); remove the other features")
    for i in np.flatnonzero(degenerate):
        geoms[i] = shapely.Polygon()
        what = f"polygon without area ({reasons.get(i) or 'its points lie on a line'}); kept without geometry"
        report.add("warning", "degenerate_geometry", what, **where(i), source=source, action="kept",
                   fix="draw the district's polygon again in the boundary file or drop the feature")
        messages.append(f"{label(i)}: {what}")
    for i in np.flatnonzero((invalid | not_polygon) & ~degenerate):
        before = gdf.geometry.iloc[i]
        if invalid[i]:
            was = float(shapely.area(before))
            change = 0.0 if was == 0 else 100 * (float(shapely.area(geoms[i])) - was) / was
            what = (f"invalid polygon ({reasons[i]}) repaired with make_valid, polygonal parts kept; "
                    f"area changed by {change:+.3f} %")
        else:
            what = f"{before.geom_type} reduced to its polygonal parts"
        if i in unreadable:
            what = f"geometry refused as written ({unreadable[i]}) fixed when read; " + what
        msg = f"{label(i)}: {what}"
        report.add("warning", "geometry_repaired", what, **where(i), column="geometry", source=source,
                   action="repaired", fix=_REPAIR_FIX)
        messages.append(msg)
    for i in sorted(set(unreadable) - set(np.flatnonzero(null | empty | invalid | not_polygon | degenerate))):
        what = f"geometry refused as written ({unreadable[i]}) fixed when read"
        report.add("warning", "geometry_repaired", what, **where(i), column="geometry", source=source,
                   action="repaired", fix=_REPAIR_FIX)
        messages.append(f"{label(i)}: {what}")
    for msg in messages if warn else ():
        warnings.warn(f"{source}: {msg}", EgovkitWarning, stacklevel=3)
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out


def _make_valid(geoms: np.ndarray, method: MakeValidMethod = "linework") -> np.ndarray:
    """:func:`shapely.make_valid`, geometry by geometry where GEOS fails on the whole array."""
    try:
        if method == "structure":
            return shapely.make_valid(geoms, method="structure", keep_collapsed=False)
        return shapely.make_valid(geoms)
    except shapely.errors.GEOSException:
        out = np.empty(len(geoms), dtype=object)
        out[:] = [_make_valid_one(g) for g in geoms]
        return out


def _make_valid_one(geom: shapely.Geometry) -> shapely.Geometry:
    # GEOS can fail on a whole multi-geometry because of one collapsed part ("Overlay input is
    # mixed-dimension"): then the other method, then part by part, keeping the polygons
    for kw in ({}, {"method": "structure", "keep_collapsed": False}):
        try:
            return shapely.make_valid(geom, **kw)
        except shapely.errors.GEOSException:
            pass
    parts = shapely.get_parts(geom)
    if len(parts) > 1:
        fixed = _polygonal_parts(np.array([_make_valid_one(p) for p in parts], dtype=object))
        polys = [p for p in fixed if p is not None]
        try:
            return shapely.union_all(polys) if polys else shapely.Polygon()
        except shapely.errors.GEOSException:
            return shapely.MultiPolygon([q for p in polys for q in shapely.get_parts(p)])
    return shapely.Polygon()  # nothing valid can be made of it: reported as without area


def _polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """For each geometry, the MultiPolygon of its polygons (None when it has none)."""
    parts, idx = shapely.get_parts(geoms, return_index=True)
    while True:  # collections may nest multi-geometries
        multi = np.isin(shapely.get_type_id(parts), _MULTI_TYPES)
        if not multi.any():
            break
        sub, sub_idx = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        idx = np.concatenate([idx[~multi], idx[multi][sub_idx]])
    keep = (shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)
    out = np.full(len(geoms), None, dtype=object)
    if keep.any():
        # shapely wants the parts grouped by consecutive indices 0..k-1, in order
        order = np.argsort(idx[keep], kind="stable")
        owners, dense = np.unique(idx[keep][order], return_inverse=True)
        out[owners] = shapely.multipolygons(parts[keep][order], indices=dense)
    return out


# -- CRS --------------------------------------------------------------------------------------

def _require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    if gdf.crs is None:
        raise InputError("the layer has no CRS (coordinate reference system)",
                         fix="set it with gdf.set_crs('EPSG:....') (EPSG:4326 for longitude/latitude) or "
                             "read_boundaries(..., crs=...)")


def _lonlat_extent(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float, bool]:
    """(centre longitude, centre latitude, longitude span, latitude span, crosses 180 degrees)."""
    _require_crs(gdf)
    geo = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if geo.empty:
        raise InputError("no geometry to measure (all geometries are empty)", fix="check the boundary file")
    if not gdf.crs.is_geographic or not gdf.crs.geodetic_crs.equals(pyproj.CRS("EPSG:4326")):
        geo = geo.to_crs(4326)
    w, s, e, n = geo.total_bounds
    lon, span, crosses = (w + e) / 2, e - w, False
    if span > 180:  # maybe data on both sides of the antimeridian (Fiji, Chukotka, the Aleutians)
        b = shapely.bounds(shapely.get_parts(geo.to_numpy()))
        w2, e2 = np.min(b[:, 0] % 360), np.max(b[:, 2] % 360)
        if e2 - w2 < span:
            lon, span, crosses = ((w2 + e2) / 2 + 180) % 360 - 180, e2 - w2, True
    return float(lon), float((s + n) / 2), float(span), float(n - s), crosses


def equal_area_crs(gdf: gpd.GeoDataFrame) -> pyproj.CRS:
    """A Lambert azimuthal equal-area CRS (metres) centred on the data's extent.

    Exactly equal-area on the ellipsoid, so areas in it are true areas wherever the data are.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(-125, 25, -67, 49)], crs=4326)
    >>> equal_area_crs(g).name
    'egovkit LAEA 37.0N 96.0W'
    """
    lon, lat, _, _, _ = _lonlat_extent(gdf)
    lon, lat = round(lon, 1), round(lat, 1)
    name = f"egovkit LAEA {abs(lat):.1f}{'N' if lat >= 0 else 'S'} {abs(lon):.1f}{'E' if lon >= 0 else 'W'}"
    base = gdf.crs.geodetic_crs if gdf.crs.is_geographic else pyproj.CRS("EPSG:4326")
    return ProjectedCRS(conversion=LambertAzimuthalEqualAreaConversion(lat, lon), geodetic_crs=base, name=name)


#: Largest scale error (|k - 1|, any direction) a projected CRS of the user may have on the data to be
#: kept for distances: 1 % (a UTM zone has 0.04-0.1 %; Web Mercator at 40 degrees N has 31 %).
MAX_SCALE_ERROR = 0.01


def _metre_axes(crs: pyproj.CRS) -> bool:
    units = {(a.unit_name or "").lower() for a in crs.axis_info[:2]}
    return bool(units) and units <= {"metre", "meter"}


def scale_error(crs: pyproj.CRS, gdf: gpd.GeoDataFrame) -> float:
    """Largest scale error ``|k - 1|`` of projected ``crs`` over the extent of ``gdf``, in any direction.

    Measured with ``pyproj.Proj.get_factors`` (meridional and parallel scale) at the centre, the
    corners and the edge midpoints of the data's longitude/latitude extent; ``inf`` where the
    projection is not defined there.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(-74.1, 40.6, -73.8, 40.9)], crs=4326)
    >>> round(scale_error(pyproj.CRS(3857), g), 2)
    0.32
    """
    lon, lat, span, lat_span, _ = _lonlat_extent(gdf)
    fx = np.array([-0.5, 0.0, 0.5])
    lons = ((lon + np.repeat(fx, 3) * span + 180) % 360) - 180
    lats = np.clip(lat + np.tile(fx, 3) * lat_span, -89.9, 89.9)
    try:
        f = pyproj.Proj(crs).get_factors(lons, lats)
        k = np.r_[np.asarray(f.meridional_scale, float), np.asarray(f.parallel_scale, float)]
    except Exception:  # pyproj raises for points a projection cannot take
        return float("inf")
    return float(np.max(np.abs(k - 1))) if np.all(np.isfinite(k)) else float("inf")


def projected_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *,
                  max_utm_span_deg: float = MAX_UTM_SPAN_DEG) -> pyproj.CRS:
    """A projected CRS (metres) suited to distances and areas on these data (a GeoDataFrame or GeoSeries).

    The one choice of a metric CRS in egovkit: boundaries, hotspots, population points and rasters
    (:mod:`egovkit.coverage`) all go through it.

    - CRS already projected, in metres, with a scale error of at most 1 % over the data
      (:data:`MAX_SCALE_ERROR`; a UTM zone, a national grid) or no worse than the choice below: kept.
      Otherwise (feet, Web Mercator, a world projection such as Mollweide) the data get the choice below,
      so that a radius of 100 m is 100 m on the ground.
    - Longitude/latitude spanning at most ``max_utm_span_deg`` degrees of longitude: the UTM
      zone (north or south) of the centre of the data (``GeoDataFrame.estimate_utm_crs``;
      data on both sides of the 180th meridian are centred across it).
    - Larger extents (or beyond the UTM latitudes 80S-84N): :func:`equal_area_crs`, a Lambert
      azimuthal equal-area CRS centred on the data.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(-74.1, 40.6, -73.8, 40.9)], crs=4326)
    >>> projected_crs(g).to_epsg()
    32618
    >>> projected_crs(g.to_crs(2263)).to_epsg()  # New York State Plane, in US feet: not kept
    32618
    >>> projected_crs(gpd.GeoSeries.from_xy([36.8], [-1.3], crs=4326)).to_epsg()  # points in Nairobi
    32737
    """
    _require_crs(gdf)
    if isinstance(gdf, gpd.GeoSeries):
        gdf = gpd.GeoDataFrame(geometry=gdf)
    own = pyproj.CRS.from_user_input(gdf.crs)
    if own.is_projected and _metre_axes(own):
        err = scale_error(own, gdf)
        if err <= MAX_SCALE_ERROR:
            return own
    lon, lat, span, lat_span, crosses = _lonlat_extent(gdf)
    if span > max_utm_span_deg or lat - lat_span / 2 < -80 or lat + lat_span / 2 > 84:
        choice = equal_area_crs(gdf)
    else:
        choice = None
        if not crosses:  # across 180 degrees estimate_utm_crs would take the centre at longitude 0
            try:
                choice = gdf.estimate_utm_crs() if own.is_geographic else gdf.to_crs(4326).estimate_utm_crs()
            except RuntimeError:  # e.g. longitudes a little beyond -180/180
                choice = None
        if choice is None:
            zone = min(int((((lon + 180) % 360) - 180 + 180) // 6) + 1, 60)
            choice = pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
    if own.is_projected and _metre_axes(own) and err <= scale_error(choice, gdf) + 0.005:
        return own  # a wide territory in a national projection: ours would not be better
    return choice


def to_projected(gdf: gpd.GeoDataFrame, *, report: ValidationReport | None = None) -> gpd.GeoDataFrame:
    """``gdf`` reprojected to :func:`projected_crs` (unchanged if its own CRS is kept there).

    The choice is recorded in ``report`` when one is given.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(36.8, -1.3, 36.9, -1.2)], crs=4326)
    >>> to_projected(g).crs.to_epsg()
    32737
    """
    crs = projected_crs(gdf)
    if gdf.crs.equals(crs):
        return gdf
    if report is not None:
        report.add("info", "crs_chosen", f"reprojected from {gdf.crs.to_string()} to {crs.name} for distances "
                   "and areas", action="inferred", fix="reproject yourself with gdf.to_crs(...) to choose another")
    return gdf.to_crs(crs)


def area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """True area of each geometry in square kilometres.

    Computed in :func:`equal_area_crs` (equal-area, centred on the data) whatever the CRS of
    ``gdf``, so the figures do not carry UTM or Mercator scale errors. Null/empty geometries
    have area 0.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4326)
    >>> round(float(area_km2(g).iloc[0]))
    12308
    """
    crs = equal_area_crs(gdf)
    return pd.Series(gdf.geometry.to_crs(crs).area.to_numpy() / 1e6, index=gdf.index, name="area_km2")
