"""Coordinate columns found by their names (latitude/longitude, x/y, one column holding both).

:func:`coordinate_columns` finds the coordinate columns of a table by name in several languages
(``lat``/``Breite``/``LAT_DD``, ``wgs84_x``, ``x_2263``, ``Location (Lat, Long)``...);
:func:`split_pairs` splits a column holding both into latitude and longitude texts.

Examples
--------
>>> coordinate_columns(["Nom", "Latitude", "Longitude"])
{'lat': 'Latitude', 'lon': 'Longitude', 'how': 'names'}
>>> [s.tolist() for s in split_pairs(pd.Series(["POINT (2.35 48.85)"]), lon_first=False)[:2]]
[['48.85'], ['2.35']]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["coordinate_columns", "split_pairs"]


_LAT_WORDS = {"lat", "lati", "latitude", "latitud", "latitudine", "breite", "breitengrad", "latdd", "latdeg", "ylat",
              "latwgs84", "latitudewgs84", "latdec"}
_LON_WORDS = {"lon", "lng", "long", "longi", "longitude", "longitud", "longitudine", "laenge", "länge", "laengengrad",
              "londd", "londeg", "xlon", "lngwgs84", "lonwgs84", "longitudewgs84", "londec"}
_X_WORDS = {"x", "easting", "east", "este", "pointx", "coordx", "xcoord", "xcoordinate"}
_Y_WORDS = {"y", "northing", "north", "norte", "pointy", "coordy", "ycoord", "ycoordinate"}
_GEOGRAPHIC_WORDS = {"wgs84", "wgs", "4326", "epsg4326", "crs84", "gps", "deg", "degrees", "dd", "decimal", "dec",
                     "geo", "geographic"}


def _tokens(name: str) -> list[str]:
    low = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name)).lower()
    return [t for t in re.split(r"[^0-9a-zäöüéèñ]+", low) if t]


def _kind(name: str) -> str | None:
    """'lat', 'lon', 'x' or 'y' for a column name, or None (a name holding both, like
    'Location (Lat, Long)', is neither)."""
    toks = _tokens(name)
    joined = "".join(toks)
    kinds = set()
    for t in toks + [joined]:
        if t in _LAT_WORDS:
            kinds.add("lat")
        elif t in _LON_WORDS:
            kinds.add("lon")
        elif t in _X_WORDS:
            kinds.add("x")
        elif t in _Y_WORDS:
            kinds.add("y")
    if len(kinds) != 1:
        if kinds == {"lat", "y"}:
            return "lat"
        if kinds == {"lon", "x"}:
            return "lon"
        return None
    return kinds.pop()


_PAIR_WORDS = {"location", "coordinates", "coords", "coordinate", "latlon", "latlng", "latlong", "lonlat", "lnglat",
               "geometry", "wkt", "geom", "the_geom", "geo_point", "geopoint", "point", "position", "gps"}
_WKT_POINT = re.compile(r"^\s*POINT\s*(?:Z\s*)?\(\s*([^\s,()]+)\s+([^\s,()]+)(?:\s+[^\s,()]+)?\s*\)\s*$", re.I)
_PAIR = re.compile(r"^\s*[\[(]?\s*([^,;\s()\[\]]+)\s*[,;]?\s+([^,;\s()\[\]]+)\s*[\])]?\s*$|"
                   r"^\s*[\[(]?\s*([^,;\s()\[\]]+)\s*[,;]\s*([^,;\s()\[\]]+)\s*[\])]?\s*$")


def split_pairs(cells: pd.Series, lon_first: bool) -> tuple[pd.Series, pd.Series, int]:
    """Latitude and longitude texts of a column holding both (``(40.71, -73.98)``, ``40.71 -73.98``, WKT
    ``POINT (-73.98 40.71)``, which is always longitude first); and how many cells were WKT."""
    lat, lon, n_wkt = [], [], 0
    for v in cells.tolist():
        t = None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        m = _WKT_POINT.match(t) if t else None
        if m:
            n_wkt += 1
            lon.append(m.group(1))
            lat.append(m.group(2))
            continue
        m = _PAIR.match(t) if t else None
        if m:
            a, b = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
            if lon_first:
                a, b = b, a
            lat.append(a)
            lon.append(b)
        else:
            lat.append(t)
            lon.append(None)
    return pd.Series(lat, dtype=object), pd.Series(lon, dtype=object), n_wkt


def _epsg_in(name: str) -> int | None:
    for t in _tokens(name):
        m = re.fullmatch(r"(?:epsg)?(\d{4,5})", t)
        if m:
            return int(m.group(1))
    return None


def coordinate_columns(columns: list[str]) -> dict[str, object]:
    """The coordinate columns of a table, by name.

    Returns a dict with ``lat``/``lon`` (WGS84 degrees) or ``x``/``y`` (and ``crs`` when the names
    carry it: ``wgs84_x`` is a longitude, ``x_2263`` has EPSG:2263), or an empty dict.

    Examples
    --------
    >>> coordinate_columns(["Name", "wgs84_y", "wgs84_x"])
    {'lat': 'wgs84_y', 'lon': 'wgs84_x', 'how': 'names carry WGS84'}
    >>> coordinate_columns(["id", "LAT_DD", "Long"])["lon"]
    'Long'
    """
    exact_lat = ("latitude", "lat", "y_lat", "lat_dd", "latitud")
    exact_lon = ("longitude", "lon", "lng", "long", "x_lon", "lon_dd", "longitud")
    low = {c.strip().lower(): c for c in columns}
    lat = next((low[w] for w in exact_lat if w in low), None)
    lon = next((low[w] for w in exact_lon if w in low), None)
    if lat and lon:
        return {"lat": lat, "lon": lon, "how": "names"}
    kinds: dict[str, list[str]] = {"lat": [], "lon": [], "x": [], "y": []}
    for c in columns:
        k = _kind(c)
        if k:
            kinds[k].append(c)
    lat = lat or (kinds["lat"][0] if kinds["lat"] else None)
    lon = lon or (kinds["lon"][0] if kinds["lon"] else None)
    if lat and lon:
        return {"lat": lat, "lon": lon, "how": "names"}
    if lat and kinds["x"]:  # "lat" with "x", "wgs84_y" with "lon": the pair is still latitude/longitude
        return {"lat": lat, "lon": kinds["x"][0], "how": "names"}
    if lon and kinds["y"]:
        return {"lat": kinds["y"][0], "lon": lon, "how": "names"}
    if not (kinds["x"] and kinds["y"]):
        for c in columns:  # one column holding both: "Location (Lat, Long)", "coordinates", WKT "geometry"
            toks = _tokens(c)
            both = [_kind(t) for t in toks]
            if ("lat" in both and "lon" in both) or set(toks) & _PAIR_WORDS or "".join(toks) in _PAIR_WORDS:
                lon_first = "lon" in both and "lat" in both and both.index("lon") < both.index("lat")
                return {"pair": c, "lon_first": lon_first, "how": "names"}
    if kinds["x"] and kinds["y"]:
        x, y = kinds["x"][0], kinds["y"][0]
        geo = any(set(_tokens(c)) & _GEOGRAPHIC_WORDS for c in (x, y))
        if geo:
            return {"lat": y, "lon": x, "how": "names carry WGS84"}
        code = _epsg_in(x) or _epsg_in(y)
        out: dict[str, object] = {"x": x, "y": y, "how": "names"}
        if code:
            out["crs"] = code
        return out
    return {}

