"""The coordinates of a hotspot list: which columns hold them, in which CRS, as numbers.

:func:`hotspot_coordinates` finds the coordinates of every row of a hotspot table: the
latitude/longitude or x/y columns the user named or found by name (also x/y columns whose names
carry their CRS, ``X_L93``, ``UTM_E``), one column holding both (``(40.71, -73.98)``, WKT), or the
geometries of a layer. Projected coordinates are checked against their CRS's area of use (columns
the wrong way round, degrees under a projected CRS's name). Every guess is in the report.

Examples
--------
>>> import pandas as pd
>>> from egovkit.coverage.hotspot_files import HotspotTable
>>> t = HotspotTable(pd.DataFrame({"Latitude": ["48,85"], "Longitude": ["2,35"]}), np.array([2]))
>>> c = hotspot_coordinates(t, ValidationReport(), [[]], source="h.csv")
>>> c.a.tolist(), c.b.tolist(), c.crs.to_epsg(), c.label
([48.85], [2.35], 4326, 'Latitude/Longitude')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from ..errors import InputError
from ..geo import crs_from_text, crs_tokens
from ..validate import ValidationReport
from .coordinate_names import coordinate_columns, split_pairs
from .hotspot_files import HotspotTable
from .number_cells import parse_numbers

__all__ = ["Coordinates", "crs_label", "hotspot_coordinates"]


@dataclass
class Coordinates:
    """The coordinates of every row: ``a`` latitude (or y), ``b`` longitude (or x), NaN where missing."""

    a: np.ndarray
    b: np.ndarray
    crs: CRS
    #: the latitude (or y) and longitude (or x) columns: ``geometry`` for a layer's geometries
    lat: str
    lon: str

    @property
    def geographic(self) -> bool:
        return bool(self.crs.is_geographic)

    @property
    def label(self) -> str:
        """The coordinate columns as issues name them: ``lat/lon``."""
        return f"{self.lat}/{self.lon}"


def crs_label(crs: CRS) -> str:
    """``EPSG:2154 (RGF93 v1 / Lambert-93)``, or the CRS's name when it has no EPSG code.

    >>> crs_label(CRS.from_epsg(4326))
    'EPSG:4326 (WGS 84)'
    """
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def _user_crs(crs: Any, source: str, near: gpd.GeoDataFrame | None) -> CRS:
    """The CRS the user gave: an EPSG code, a PROJ name, or a usual name such as "Lambert-93"."""
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj.exceptions.CRSError
        named = crs_from_text(str(crs), near=near) if isinstance(crs, str) else None
        if named is not None:
            return named
        raise InputError(code="hotspots.unknown_crs", params={"crs": repr(crs), "detail": str(exc)},
                         file=source) from exc


_X_AXIS = {"x", "e", "east", "easting", "este", "coordx", "xcoord"}
_Y_AXIS = {"y", "n", "north", "northing", "norte", "coordy", "ycoord"}


def _named_crs_columns(cols: list[str], near: gpd.GeoDataFrame | None) -> dict[str, Any]:
    """x/y columns whose names also name a CRS (``UTM_E``/``UTM_N`` with districts to give the zone,
    ``E_L93``/``N_L93``, ``X (Lambert 93)``...), or {}: ``{"x", "y", "crs"}`` (or ``lat``/``lon``
    for a geographic CRS)."""
    xs, ys = [], []
    for c in cols:
        toks = set(crs_tokens(c).split("_"))
        crs = crs_from_text(c, near=near)
        if crs is None:
            continue
        if toks & _X_AXIS and not toks & _Y_AXIS:
            xs.append((c, crs))
        elif toks & _Y_AXIS and not toks & _X_AXIS:
            ys.append((c, crs))
    if len(xs) != 1 or len(ys) != 1 or xs[0][1] != ys[0][1]:
        return {}
    (x, crs), (y, _) = xs[0], ys[0]
    if crs.is_geographic:
        return {"lat": y, "lon": x, "how": "names carry WGS84"}
    return {"x": x, "y": y, "crs": crs.to_epsg() or crs.to_wkt(), "how": "names"}


def _check_projected(x: np.ndarray, y: np.ndarray, crs: CRS, xname: str, yname: str,
                     report: ValidationReport) -> tuple[np.ndarray, np.ndarray, CRS]:
    """Projected coordinates checked against the CRS's area of use: columns named the wrong way round
    (x holds the northings) are swapped back with ONE warning; longitudes/latitudes in that area
    under a projected CRS's name are read as such (one warning)."""
    area = crs.area_of_use
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if area is None or not ok.any():
        return x, y, crs
    to_geo = Transformer.from_crs(crs, 4326, always_xy=True)
    w, s_, e, n_ = area.bounds
    margin = 1.0  # degrees around the area of use

    def inside(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            lon, lat = to_geo.transform(xx, yy)
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        return (np.isfinite(lon) & np.isfinite(lat) & (lon >= w - margin) & (lon <= e + margin)
                & (lat >= s_ - margin) & (lat <= n_ + margin))

    as_is = inside(x[ok], y[ok])
    if as_is.mean() >= 0.5:
        return x, y, crs
    xo, yo = x[ok], y[ok]
    degrees = ((xo >= w - margin) & (xo <= e + margin) & (yo >= s_ - margin) & (yo <= n_ + margin)).mean() > 0.5
    where = {"x": xname, "y": yname, "crs": crs_label(crs)}
    if degrees:
        report.add("warning", "hotspots.crs_mismatch", params=where, column=f"{yname}/{xname}", action="repaired")
        return x, y, CRS.from_epsg(4326)
    swapped = inside(y[ok], x[ok])
    if swapped.mean() > 0.5:
        report.add("warning", "hotspots.swapped_xy", params={**where, "n": int(swapped.sum()), "of": int(ok.sum())},
                   column=f"{yname}/{xname}", action="repaired")
        return y.copy(), x.copy(), crs
    report.add("warning", "hotspots.crs_outside", params={**where, "n": int((~as_is).sum()), "of": int(ok.sum()),
                                                          "area": area.name},
               column=f"{yname}/{xname}", action="kept")
    return x, y, crs


def _found_columns(cols: list[str], crs: Any, districts: gpd.GeoDataFrame | None) -> dict[str, Any]:
    """Coordinate columns found by name, also x/y columns named with their CRS (``X_L93``, ``UTM_E``)."""
    found = coordinate_columns(cols)
    if not found or ("x" in found and not found.get("crs") and crs is None):
        found = _named_crs_columns(cols, districts) or found
    return found


def _pair_coordinates(t: HotspotTable, pair: str, lon_first: bool, cols: list[str], source: str,
                      report: ValidationReport) -> Coordinates:
    """Latitude and longitude read from one column holding both (pairs, or WKT points)."""
    scratch = ValidationReport(source=report.source)
    lat_t, lon_t, n_wkt = split_pairs(t.cells[pair], lon_first)
    a, _ = parse_numbers(lat_t, pair, t.rows, scratch, degrees=True, comma_decimal=True)
    b, _ = parse_numbers(lon_t, pair, t.rows, scratch, degrees=True, comma_decimal=True)
    if not (np.isfinite(a) & np.isfinite(b)).any() and t.cells[pair].notna().any():
        raise InputError(code="hotspots.no_coordinate_pairs", file=source, params={
            "pair": pair, "columns": repr(cols), "fix_code": "hotspots.no_coordinate_columns"})
    report.extend(scratch)
    report.add("info", "hotspots.coordinate_pairs_wkt" if n_wkt else "hotspots.coordinate_pairs_lon_first"
               if lon_first else "hotspots.coordinate_pairs_lat_first",
               params={"column": pair, "fix_code": "hotspots.coordinate_pairs_lat_first"}, column=pair,
               action="inferred")
    return Coordinates(a, b, CRS.from_epsg(4326), pair, pair)


def _xy_coordinates(t: HotspotTable, x: str, y: str, crs: Any, districts: gpd.GeoDataFrame | None, source: str,
                    report: ValidationReport) -> Coordinates:
    """Projected (or unknown) x/y columns: degrees without a CRS are read as longitude/latitude."""
    b, _ = parse_numbers(t.cells[x], x, t.rows, report, degrees=True)
    a, _ = parse_numbers(t.cells[y], y, t.rows, report, degrees=True)
    if crs is None:
        ok = np.isfinite(a) & np.isfinite(b) & ~((a == 0) & (b == 0))
        if not ok.any() or np.mean(((np.abs(b[ok]) <= 180) & (np.abs(a[ok]) <= 90))
                                | ((np.abs(a[ok]) <= 180) & (np.abs(b[ok]) <= 90))) >= 0.9:
            report.add("warning", "hotspots.xy_as_lon_lat", params={"x": x, "y": y}, column=f"{y}/{x}",
                       action="guessed")
            crs = 4326
        else:
            raise InputError(code="hotspots.xy_need_crs", params={"x": x, "y": y}, file=source, column=x)
    pcrs = _user_crs(crs, source, districts)
    if not pcrs.is_geographic:
        b, a, pcrs = _check_projected(b, a, pcrs, x, y, report)
    return Coordinates(a, b, pcrs, y, x)


def _layer_coordinates(layer: gpd.GeoDataFrame, rows: np.ndarray, flags: list[list[str]], source: str,
                       report: ValidationReport) -> Coordinates:
    """The points of a layer's geometries (a line or polygon through its representative point)."""
    g = layer.geometry
    gp = g.where(g.geom_type == "Point", g.representative_point())
    empty = (g.isna() | g.is_empty).to_numpy()
    for i in np.flatnonzero(~empty & (g.geom_type != "Point").to_numpy()):
        flags[i].append("not_a_point")
        report.add("info", "hotspots.not_a_point", params={"kind": g.iloc[i].geom_type}, row=rows[i],
                   column="geometry", action="repaired")
    b = np.where(empty, np.nan, shapely.get_x(gp.values))
    a = np.where(empty, np.nan, shapely.get_y(gp.values))
    if layer.crs is None:
        raise InputError(code="hotspots.layer_without_crs", file=source)
    return Coordinates(a, b, CRS(layer.crs), "geometry", "geometry")


def hotspot_coordinates(t: HotspotTable, report: ValidationReport, flags: list[list[str]], *, source: str,
                        lat: str | None = None, lon: str | None = None, x: str | None = None, y: str | None = None,
                        crs: Any = None, districts: gpd.GeoDataFrame | None = None) -> Coordinates:
    """The coordinates of every row of ``t``: from the columns given, the columns found by name, one
    column holding both, or the layer's geometries (in this order). ``flags`` (one list per row)
    gets ``not_a_point`` for a layer's lines and polygons. No coordinates at all is an
    :class:`~egovkit.errors.InputError` listing the columns."""
    cols = list(t.cells.columns)
    found: dict[str, Any] = {}
    if not (lat and lon) and not (x and y) and not (t.layer is not None and not t.layer.geometry.isna().all()):
        found = _found_columns(cols, crs, districts)
        lat, lon = lat or found.get("lat"), lon or found.get("lon")
        if not (lat and lon):
            x, y = x or found.get("x"), y or found.get("y")
            if crs is None and found.get("crs"):
                crs = found["crs"]
                report.add("info", "hotspots.crs_from_name",
                           params={"crs": crs_label(CRS.from_user_input(crs)), "x": x, "y": y}, column=f"{y}/{x}",
                           action="inferred")
        if found.get("how") == "names carry WGS84":
            report.add("info", "hotspots.coordinate_columns", params={"lat": lat, "lon": lon}, column=f"{lat}/{lon}",
                       action="inferred")
    if found.get("pair") and not (lat and lon) and not (x and y):
        c = _pair_coordinates(t, found["pair"], bool(found.get("lon_first")), cols, source, report)
    elif lat and lon:
        a, _ = parse_numbers(t.cells[lat], lat, t.rows, report, degrees=True, comma_decimal=True)
        b, _ = parse_numbers(t.cells[lon], lon, t.rows, report, degrees=True, comma_decimal=True)
        c = Coordinates(a, b, CRS.from_epsg(4326), lat, lon)
    elif x and y:
        c = _xy_coordinates(t, x, y, crs, districts, source, report)
    elif t.layer is not None:
        c = _layer_coordinates(t.layer, t.rows, flags, source, report)
    else:
        raise InputError(code="hotspots.no_coordinate_columns", params={"columns": repr(cols)}, file=source)
    # values that are not numbers were reported by parse_numbers; their rows are "missing coordinates"
    c.a = np.asarray(c.a, dtype=float).copy()
    c.b = np.asarray(c.b, dtype=float).copy()
    return c
