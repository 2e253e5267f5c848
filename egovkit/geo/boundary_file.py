"""Read district boundaries from a file (GeoJSON, GeoPackage, shapefile also zipped, FlatGeobuf): the
file's CRS checked against its coordinates, the key column checked, every geometry repaired or reported.

>>> from egovkit.errors import InputError
>>> try:
...     read_boundaries("no-such-file.geojson")
... except InputError as e:
...     print(e.message)
file not found
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .file_checks import check_path, choose_layer, user_crs, zip_source
from .file_problems import unreadable_file
from .repair import repair

__all__ = ["read_boundaries"]


@renamed(id_column="key")
def read_boundaries(
    path: str | Path,
    *,
    layer: str | int | None = None,
    key: str | None = None,
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
    key
        Column identifying each district (code or name). It must exist and be unique; it names
        the features in the report. (Was ``id_column=``, still accepted with a warning.)
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
        Earth, NaN or infinite; non-polygon features (named); ``key`` missing or not unique.

    Examples
    --------
    >>> g = read_boundaries("counties.gpkg", layer="counties", key="code")  # doctest: +SKIP
    >>> g.crs.to_epsg()  # doctest: +SKIP
    4326
    """
    path = Path(path)
    name = path.name
    if report is None:
        report = ValidationReport(source=name)
    count_rows = report.rows_in == 0  # a report shared with a table keeps counting the table's rows
    gdf, unreadable = _read_features(path, layer, user_crs(crs, name), report)
    if count_rows:
        report.rows_in = len(gdf)
    if key is not None:
        _check_key_column(gdf, name, key, report)
    gdf = repair(gdf, key=key, report=report, source=name, unreadable=unreadable)
    if count_rows:  # each feature is kept (repaired or without geometry, all in the report)
        report.set_fate(range(1, len(gdf) + 1), "used")
    return gdf


def _read_features(path: Path, layer: str | int | None, crs: pyproj.CRS | None,
                   report: ValidationReport) -> tuple[gpd.GeoDataFrame, dict[int, str]]:
    """The file's features with their CRS set and checked, and the geometries GEOS refused as written."""
    name = path.name
    check_path(path)
    suffix = path.suffix.lower()
    source = zip_source(path, layer) if suffix == ".zip" else str(path)
    if suffix == ".zip" and isinstance(layer, str) and source.endswith(f"/{layer}.shp"):
        layer = None  # the layer chose the shapefile inside the zip
    layer = choose_layer(source, path, layer)

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
            raise unreadable_file(path, exc) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise InputError(code="geo.no_geometry_column", file=name)
    if len(gdf) == 0:
        raise InputError(code="geo.no_features", file=name)
    gdf = gdf.reset_index(drop=True)
    return _set_crs(gdf, name, crs, report), unreadable


def _read_tolerant(source: str, path: Path, layer: str | int | None) -> tuple[gpd.GeoDataFrame, dict[int, str]]:
    """Read a file some of whose geometries GEOS refuses; fix those it can.

    Returns the frame and ``{feature position: reason}`` for each geometry refused as written:
    fixed ones (ring closed) carry their geometry, the others are left without geometry.
    """
    try:
        gdf = gpd.read_file(source, layer=layer, engine="pyogrio", on_invalid="ignore")
        wkb = pyogrio.raw.read(source, layer=layer, columns=[])[2]
    except Exception as exc:
        raise unreadable_file(path, exc) from exc
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


def _set_crs(gdf: gpd.GeoDataFrame, name: str, crs: pyproj.CRS | None,
             report: ValidationReport) -> gpd.GeoDataFrame:
    """The user's CRS set (overriding the file's, reported), then the CRS checked against the coordinates."""
    if crs is not None:
        if gdf.crs is not None and not gdf.crs.equals(crs):
            issue = report.add("warning", "geo.crs_overridden",
                               params={"declared": gdf.crs.to_string(), "given": crs.to_string()}, action="overridden")
            warnings.warn(render("geo.in_file", {"file": name, "text": issue.text()}), EgovkitWarning, stacklevel=5)
        gdf = gdf.set_crs(crs, allow_override=True)
    b = _finite_bounds(gdf)
    if gdf.crs is None:
        lonlat = b is not None and -180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90
        raise InputError(code="geo.file_without_crs", params={"fix_code": "geo.file_without_crs_lonlat"} if lonlat
                         else {}, file=name)
    if b is None:
        return gdf
    reach = {"x0": b[0], "x1": b[2], "y0": b[1], "y1": b[3], "crs": gdf.crs.to_string()}
    if gdf.crs.is_geographic and (b[0] < -180.5 or b[2] > 360.5 or b[1] < -90.5 or b[3] > 90.5):
        if -90.5 <= b[0] and b[2] <= 90.5 and -180.5 <= b[1] and b[3] <= 180.5:
            raise InputError(code="geo.lat_lon_swapped", params=reach, file=name)
        raise InputError(code="geo.not_degrees", params=reach, file=name)
    if not gdf.crs.is_geographic and max(abs(b).max(), 0) > 1e8:
        raise InputError(code="geo.beyond_earth", params=reach, file=name)
    return gdf


def _finite_bounds(gdf: gpd.GeoDataFrame) -> np.ndarray | None:
    """(minx, miny, maxx, maxy) of the finite coordinates, None when there are none."""
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return None
    return np.r_[xy.min(axis=0), xy.max(axis=0)]


def _check_key_column(gdf: gpd.GeoDataFrame, name: str, key: str, report: ValidationReport) -> None:
    """``key`` is a column of the file, filled and unique (each missing or repeated id reported)."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    if key not in cols:
        raise InputError(code="geo.no_key_column", params={"column": key, "columns": cols}, file=name, column=key)
    ids = gdf[key]
    blank = ids.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
    missing = np.flatnonzero((ids.isna() | blank).to_numpy()) + 1
    found = [report.add("error", "geo.missing_id", row=int(r), column=key) for r in missing]
    keys = ids.map(lambda v: v if isinstance(v, (str, int, float, bool, np.generic)) else repr(v))
    dup = ids[keys.duplicated(keep=False) & ids.notna() & ~blank]
    for value, rows in dup.groupby(dup.astype(str)).groups.items():
        feats = [int(gdf.index.get_loc(i)) + 1 for i in rows]
        found.append(report.add("error", "geo.duplicate_id", params={"value": value, "features": str(feats)},
                                column=key, area=value))
    if found:
        raise InputError(code="geo.key_not_unique", params={"column": key, "listing": "; ".join(map(str, found))},
                         file=name, column=key)
