"""The projected CRS of every distance and area: a UTM zone, or a Lambert azimuthal equal-area CRS
centred on the data; true areas in square kilometres.

>>> from shapely.geometry import box
>>> g = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(36.8, -1.3, 36.9, -1.2)], crs=4326)
>>> projected_crs(g).to_epsg(), round(float(area_km2(g).iloc[0]))
(32737, 123)
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import LambertAzimuthalEqualAreaConversion

from ..errors import InputError
from ..validate import ValidationReport

__all__ = ["MAX_SCALE_ERROR", "MAX_UTM_SPAN_DEG", "area_km2", "equal_area_crs", "projected_crs", "require_crs",
           "scale_error", "to_projected"]

#: Beyond this longitude span (degrees) one UTM zone (6 degrees wide) distorts too much and
#: :func:`projected_crs` switches to a Lambert azimuthal equal-area CRS centred on the data.
MAX_UTM_SPAN_DEG = 12.0

def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    """Raise :class:`~egovkit.errors.InputError` (``geo.no_crs``) when ``gdf`` has no CRS.

    >>> require_crs(gpd.GeoSeries.from_xy([0], [0], crs=4326))
    """
    if gdf.crs is None:
        raise InputError(code="geo.no_crs")


def _lonlat_extent(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float, bool]:
    """(centre longitude, centre latitude, longitude span, latitude span, crosses 180 degrees)."""
    require_crs(gdf)
    geo = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if geo.empty:
        raise InputError(code="geo.nothing_to_measure")
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
    require_crs(gdf)
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
        report.add("info", "geo.crs_chosen", params={"crs_from": gdf.crs.to_string(), "crs_to": crs.name},
                   action="inferred")
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
