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

import warnings
import zipfile
from pathlib import Path

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
    "BOUNDARY_SUFFIXES",
]

#: File name endings read by :func:`read_boundaries`.
BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")

#: Beyond this longitude span (degrees) one UTM zone (6 degrees wide) distorts too much and
#: :func:`projected_crs` switches to a Lambert azimuthal equal-area CRS centred on the data.
MAX_UTM_SPAN_DEG = 12.0

_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7
_MULTI_TYPES = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection


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
        geometries are kept and reported, never dropped.

    Raises
    ------
    InputError
        The file is missing or unreadable, has no CRS and ``crs`` was not given, has
        coordinates outside longitude/latitude ranges for a geographic CRS, has non-polygon
        features, or ``id_column`` is missing or not unique.

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
    if not path.exists():
        raise InputError("file not found", file=str(path),
                         fix="check the path (boundaries are read from .geojson, .gpkg, .shp, .zip or .fgb)")
    suffix = path.suffix.lower()
    if suffix not in BOUNDARY_SUFFIXES:
        raise InputError(f"unsupported boundary file type {suffix!r}", file=name,
                         fix=f"convert it to one of {', '.join(BOUNDARY_SUFFIXES)}")

    source = _zip_source(path, layer) if suffix == ".zip" else str(path)
    if suffix == ".zip" and isinstance(layer, str) and source.endswith(f"/{layer}.shp"):
        layer = None  # the layer chose the shapefile inside the zip
    layer = _choose_layer(source, name, layer)

    try:
        gdf = gpd.read_file(source, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise InputError(f"cannot read the file ({exc})", file=name,
                         fix="check that it is a complete GeoJSON/GeoPackage/shapefile (.shp with .shx, .dbf, "
                             ".prj)/FlatGeobuf") from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise InputError("the file has no geometry column", file=name,
                         fix="give a file of polygons (a table without geometry is read with egovkit.read)")
    if len(gdf) == 0:
        raise InputError("the file has no features (no district polygon)", file=name,
                         fix="export the boundaries again with their polygons (or check layer=)")
    if count_rows:
        report.rows_in = len(gdf)

    gdf = _set_crs(gdf, name, crs, report)
    if id_column is not None:
        _check_id_column(gdf, name, id_column, report)
    gdf = repair_geometries(gdf, id_column=id_column, report=report, source=name)
    return gdf


def _zip_source(path: Path, layer: str | int | None) -> str:
    """GDAL path (``/vsizip/...``) of the data set inside a zip file."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if not m.startswith("__MACOSX/") and not m.endswith("/")]
    except zipfile.BadZipFile as exc:
        raise InputError("not a valid zip file", file=path.name, fix="re-download or re-create the zip") from exc
    data = [m for m in members if Path(m).suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".fgb")]
    if not data:
        raise InputError("the zip file holds no .shp, .gpkg, .geojson or .fgb file", file=path.name,
                         fix="zip the shapefile with its .shx, .dbf and .prj files")
    if len(data) > 1 and isinstance(layer, str):
        chosen = [m for m in data if Path(m).stem == layer]
        if chosen:
            data = chosen
    if len(data) > 1:
        raise InputError(f"the zip file holds several data sets: {', '.join(data)}", file=path.name,
                         fix=f"choose one with layer=, e.g. layer={Path(data[0]).stem!r}")
    return f"/vsizip/{path.resolve().as_posix()}/{data[0]}"


def _choose_layer(source: str, name: str, layer: str | int | None) -> str | int | None:
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:
        raise InputError(f"cannot open the file ({exc})", file=name,
                         fix="check that it is a complete GeoJSON/GeoPackage/shapefile/FlatGeobuf") from exc
    names = [str(n) for n in layers[:, 0]]
    if layer is not None:
        if isinstance(layer, str) and layer not in names:
            raise InputError(f"no layer {layer!r}; the layers are {names}", file=name,
                             fix=f"pass one of them, e.g. layer={names[0]!r}")
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


def _set_crs(gdf: gpd.GeoDataFrame, name: str, crs, report: ValidationReport) -> gpd.GeoDataFrame:
    if crs is not None:
        crs = pyproj.CRS.from_user_input(crs)
        if gdf.crs is not None and not gdf.crs.equals(crs):
            msg = f"the file declares {gdf.crs.to_string()} but crs={crs.to_string()} was given; using the latter"
            report.add("warning", "crs_overridden", msg, action="overridden", fix="drop crs= to keep the file's CRS")
            warnings.warn(f"{name}: {msg}", EgovkitWarning, stacklevel=3)
        gdf = gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        hint = ""
        b = gdf.total_bounds
        if np.all(np.isfinite(b)) and -180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90:
            hint = " (the coordinates look like longitude/latitude, so probably crs='EPSG:4326')"
        raise InputError("the file has no coordinate reference system (CRS)", file=name,
                         fix="pass it as read_boundaries(..., crs='EPSG:....')" + hint
                             + ", or add the .prj file next to the .shp")
    if gdf.crs.is_geographic and len(gdf):
        b = gdf.total_bounds
        if np.all(np.isfinite(b)) and (b[0] < -180.5 or b[2] > 360.5 or b[1] < -90.5 or b[3] > 90.5):
            raise InputError(
                f"the CRS {gdf.crs.to_string()} is longitude/latitude but the coordinates reach "
                f"x {b[0]:.0f}..{b[2]:.0f}, y {b[1]:.0f}..{b[3]:.0f}, which are not degrees", file=name,
                fix="pass the CRS the coordinates are really in, e.g. crs='EPSG:32737'")
    return gdf


def _check_id_column(gdf: gpd.GeoDataFrame, name: str, id_column: str, report: ValidationReport) -> None:
    if id_column not in gdf.columns:
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        raise InputError(f"no column {id_column!r}; the columns are {cols}", file=name, column=id_column,
                         fix="pass one of them as id_column=")
    ids = gdf[id_column]
    missing = np.flatnonzero(ids.isna().to_numpy()) + 1
    for r in missing:
        report.add("error", "missing_id", "feature has no id", row=int(r), column=id_column,
                   fix="fill in the id in the file")
    dup = ids[ids.duplicated(keep=False) & ids.notna()]
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
) -> gpd.GeoDataFrame:
    """Make every geometry a valid (Multi)Polygon, recording each repair.

    Invalid geometries are repaired with :func:`shapely.make_valid`, keeping only their
    polygonal parts; geometry collections keep their polygons. Null and empty geometries are
    kept and reported. A feature with no polygonal part at all (a point, a line) is an error.

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
    if report is None:
        report = ValidationReport(source=source)
    source = source or report.source or "boundaries"
    geoms = gdf.geometry.to_numpy().copy()
    ids = gdf[id_column].astype(str).to_numpy() if id_column is not None else None
    messages: list[str] = []

    def where(i: int) -> dict:
        return {"row": i + 1, "area": None if ids is None else ids[i]}

    def label(i: int) -> str:
        return f"feature {i + 1}" + (f" ({ids[i]})" if ids is not None else "")

    null = shapely.is_missing(geoms)
    empty = ~null & shapely.is_empty(geoms)
    for i in np.flatnonzero(null | empty):
        what = "no geometry" if null[i] else "an empty geometry"
        msg = f"{label(i)} has {what}; kept, it cannot be drawn or measured"
        report.add("warning", "empty_geometry", f"{what}; kept, it cannot be drawn or measured",
                   **where(i), source=source, action="kept",
                   fix="add the polygon in the boundary file or drop the feature")
        messages.append(msg)

    present = ~(null | empty)
    invalid = present & ~shapely.is_valid(geoms)
    reasons = {i: shapely.is_valid_reason(geoms[i]) for i in np.flatnonzero(invalid)}
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    type_ids = shapely.get_type_id(geoms)
    not_polygon = present & ~np.isin(type_ids, (_POLYGON, _MULTIPOLYGON))
    if not_polygon.any():
        kept = _polygonal_parts(geoms[not_polygon])
        geoms[not_polygon] = kept
    lost = present & (shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if lost.any():
        bad = [label(i) for i in np.flatnonzero(lost)]
        for i in np.flatnonzero(lost):
            report.add("error", "not_polygon", "geometry has no polygon (a point or a line?)",
                       **where(i), source=source,
                       fix="boundaries must be polygons: remove the feature or fix its geometry")
        raise InputError(f"{len(bad)} feature(s) are not polygons: {', '.join(bad[:10])}", file=source,
                         fix="give a file of district polygons (points such as hotspots are read with "
                             "egovkit.coverage)")
    for i in np.flatnonzero(invalid | not_polygon):
        before = gdf.geometry.iloc[i]
        if invalid[i]:
            what = f"invalid geometry ({reasons[i]}) repaired with make_valid, polygonal parts kept"
        else:
            what = f"{before.geom_type} reduced to its polygonal parts"
        msg = f"{label(i)}: {what}"
        report.add("warning", "geometry_repaired", what, **where(i), source=source, action="repaired",
                   fix="check the polygon in the boundary file")
        messages.append(msg)
    for msg in messages:
        warnings.warn(f"{source}: {msg}", EgovkitWarning, stacklevel=2)
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out


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
        polys = shapely.multipolygons(parts[keep], indices=idx[keep])
        out[np.unique(idx[keep])] = polys
    return out


# -- CRS --------------------------------------------------------------------------------------

def _lonlat_extent(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float, bool]:
    """(centre longitude, centre latitude, longitude span, latitude span, crosses 180 degrees)."""
    if gdf.crs is None:
        raise InputError("the boundaries have no CRS", fix="set it with gdf.set_crs('EPSG:....') or "
                                                            "read_boundaries(..., crs=...)")
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


def projected_crs(gdf: gpd.GeoDataFrame, *, max_utm_span_deg: float = MAX_UTM_SPAN_DEG) -> pyproj.CRS:
    """A projected CRS (metres) suited to distances and areas on these data.

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
    """
    if gdf.crs is None:
        raise InputError("the boundaries have no CRS", fix="set it with gdf.set_crs('EPSG:....') or "
                                                            "read_boundaries(..., crs=...)")
    own = pyproj.CRS.from_user_input(gdf.crs)
    if own.is_projected and _metre_axes(own):
        err = scale_error(own, gdf)
        if err <= MAX_SCALE_ERROR:
            return gdf.crs
    lon, lat, span, lat_span, crosses = _lonlat_extent(gdf)
    if span > max_utm_span_deg or lat - lat_span / 2 < -80 or lat + lat_span / 2 > 84:
        choice = equal_area_crs(gdf)
    elif crosses:  # estimate_utm_crs would take the centre at longitude 0
        zone = min(int((lon + 180) // 6) + 1, 60)
        choice = pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
    else:
        choice = gdf.estimate_utm_crs() if own.is_geographic else gdf.to_crs(4326).estimate_utm_crs()
    if own.is_projected and _metre_axes(own) and err <= scale_error(choice, gdf) + 0.005:
        return gdf.crs  # a wide territory in a national projection: ours would not be better
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
