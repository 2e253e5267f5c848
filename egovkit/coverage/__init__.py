"""Public Wi-Fi coverage: hotspots, population sources, radius engine, gaps, siting."""

from .engine import coverage, covered_area, nearest_site_distance, site_coordinates, weighted_quantiles
from .population import (
    Grid,
    Population,
    population_from_array,
    population_from_districts,
    population_from_points,
    population_from_xy,
    population_from_raster,
    projected_crs,
)

__all__ = [
    "Grid", "Population", "coverage", "covered_area", "nearest_site_distance", "population_from_array",
    "population_from_districts", "population_from_points", "population_from_xy", "population_from_raster", "projected_crs",
    "site_coordinates", "weighted_quantiles",
]

from .hotspots import read_hotspots, unique_sites  # noqa: E402

__all__ += ["read_hotspots", "unique_sites"]

from .gaps import coverage_gaps  # noqa: E402
from .siting import candidate_grid, coverage_sets, exact_max_cover, greedy_max_cover, site_new  # noqa: E402

__all__ += ["coverage_gaps", "candidate_grid", "coverage_sets", "exact_max_cover", "greedy_max_cover", "site_new"]
