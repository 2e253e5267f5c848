"""Public Wi-Fi coverage: what share of the population lives within reach of a site.

- :mod:`~egovkit.coverage.hotspots`: read and check hotspot lists (:func:`read_hotspots`), in steps:
  :mod:`~egovkit.coverage.hotspot_files` (the file), :mod:`~egovkit.coverage.hotspot_coordinates`
  (coordinate columns and CRS), :mod:`~egovkit.coverage.hotspot_checks` (row checks); text files are
  read by :mod:`~egovkit.coverage.text_file`, :mod:`~egovkit.coverage.delimited`,
  :mod:`~egovkit.coverage.coordinate_names` and :mod:`~egovkit.coverage.number_cells`;
- :mod:`~egovkit.coverage.population`: population as district counts, points or a raster;
- :mod:`~egovkit.coverage.engine`: population within ``r`` metres, per district (:func:`coverage`);
- :mod:`~egovkit.coverage.tiled`: the same coverage for a national raster on disk, tile by tile,
  here or on a dask cluster (:func:`tiled_coverage`, :func:`tiled_coverage_gaps`);
- :mod:`~egovkit.coverage.gaps`: the largest uncovered populated zones (:func:`coverage_gaps`);
- :mod:`~egovkit.coverage.siting`: where the next ``k`` sites reach the most people (:func:`site_new`;
  :func:`tiled_site_new` for a raster read tile by tile).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"name": ["A"], "pop": [1e6]}, geometry=[box(0, 0, 1000, 1000)], crs=32633)
>>> pop = population_from_districts(d, "pop", key="name", cell_m=10)
>>> t = coverage(pop, gpd.GeoSeries.from_xy([500], [500], crs=32633), radii_m=[100], quantiles=None)
>>> round(float(t.population_covered.iloc[0]) / 3.1416e4, 1)  # about pi r^2 persons at 1 per m2
1.0
"""

from .engine import coverage, covered_area, nearest_site_distance, site_coordinates, weighted_quantiles
from .gaps import coverage_gaps
from .hotspots import read_hotspots, unique_sites
from .population import (
    Grid,
    Population,
    population_from_array,
    population_from_districts,
    population_from_points,
    population_from_raster,
    population_from_xy,
    projected_crs,
    read_population,
)
from .siting import candidate_grid, coverage_sets, exact_max_cover, greedy_max_cover, max_cover_bound, site_new
from .tiled import RasterTiles, raster_tiles, tiled_coverage, tiled_coverage_gaps
from .tiled_siting import tiled_site_new

__all__ = [
    "Grid", "Population", "RasterTiles", "candidate_grid", "coverage", "coverage_gaps", "coverage_sets", "covered_area",
    "exact_max_cover", "greedy_max_cover", "max_cover_bound", "nearest_site_distance", "population_from_array",
    "population_from_districts", "population_from_points", "population_from_raster", "population_from_xy",
    "projected_crs", "raster_tiles", "read_hotspots", "read_population", "site_coordinates", "site_new",
    "tiled_coverage", "tiled_coverage_gaps", "tiled_site_new", "unique_sites", "weighted_quantiles",
]
