"""Boundaries: read them (GeoJSON, GeoPackage, shapefile also zipped, FlatGeobuf), repair them,
and choose a projected CRS for every distance and area.

Units: distances in metres (``_m``), areas in square kilometres (``_km2``).

Modules: :mod:`~egovkit.geo.boundary_file` (:func:`read_boundaries`), its checks
(:mod:`~egovkit.geo.file_checks`, :mod:`~egovkit.geo.file_problems`), :mod:`~egovkit.geo.repair`
(:func:`repair_geometries`), :mod:`~egovkit.geo.projection` (:func:`projected_crs`, :func:`area_km2`...)
and :mod:`~egovkit.geo.crs_names` (:func:`crs_from_text`).

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

from .boundary_file import read_boundaries
from .crs_names import crs_from_text, crs_tokens
from .file_checks import BOUNDARY_SUFFIXES
from .projection import (
    MAX_SCALE_ERROR,
    MAX_UTM_SPAN_DEG,
    area_km2,
    equal_area_crs,
    projected_crs,
    scale_error,
    to_projected,
)
from .repair import MakeValidMethod, repair_geometries

__all__ = [
    "read_boundaries",
    "repair_geometries",
    "projected_crs",
    "equal_area_crs",
    "scale_error",
    "to_projected",
    "area_km2",
    "crs_from_text",
    "crs_tokens",
    "BOUNDARY_SUFFIXES",
    "MAX_SCALE_ERROR",
    "MAX_UTM_SPAN_DEG",
    "MakeValidMethod",
]

#: Old private name of :func:`crs_tokens` (egovkit.coverage.hotspots imports it; one release).
_crs_tokens = crs_tokens
