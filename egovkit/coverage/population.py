"""Population sources for the coverage engine, in three forms.

1. counts per district polygon, spread over the polygon on a fine grid of points, uniformly or by a
   user weight (areal / dasymetric): :func:`population_from_districts`
   (:mod:`~egovkit.coverage.population_districts`);
2. population points (tract or block centroids, buildings) with a weight: :func:`population_from_points`
   (:mod:`~egovkit.coverage.population_points`);
3. a population raster (GeoTIFF such as WorldPop or GHSL), every cell with its exact value:
   :func:`population_from_raster` (or :func:`population_from_array` for an in-memory grid;
   :mod:`~egovkit.coverage.population_raster`).

Each returns a :class:`Population` (:mod:`~egovkit.coverage.population_grid`): a cloud of weighted
points in a projected CRS (metres), each assigned to at most one district
(:mod:`~egovkit.coverage.population_assign`), plus the regular grid they sit on when there is one
(raster and district forms), which the engine uses for its fast disk-stamping path. Whatever is
dropped, repaired or guessed is recorded in ``Population.report``. :func:`read_population`
(:mod:`~egovkit.coverage.population_read`) reads a file of any of the three forms.

This module gathers them (the import path of earlier releases).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"name": ["A"], "pop": [100.0]}, geometry=[box(0, 0, 1000, 1000)], crs=3857)
>>> p = population_from_districts(d, population="pop", key="name", cell_m=100)
>>> round(p.total, 6), len(p.x)
(100.0, 100)
"""

from __future__ import annotations

from ..geo import projected_crs
from .population_assign import assign_points, prepare_districts
from .population_districts import population_from_districts
from .population_grid import Grid, Population, cells_of
from .population_points import population_from_points, population_from_xy
from .population_raster import population_from_array, population_from_raster
from .population_read import read_population

__all__ = [
    "Population",
    "Grid",
    "population_from_points",
    "population_from_xy",
    "read_population",
    "population_from_districts",
    "population_from_raster",
    "population_from_array",
    "assign_points",
    "cells_of",
    "prepare_districts",
    "projected_crs",
]

# the names of earlier releases, used by coverage/gaps.py (one release)
_cells_of = cells_of
_assign_points = assign_points
_prepare_districts = prepare_districts
