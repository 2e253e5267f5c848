"""Siting on a raster read tile by tile (egovkit.coverage.tiled_siting): the same sites as the
in-memory ``site_new`` with the same demand cells, existing sites fixed, population conserved, in a
metric and in a lon/lat raster, and the pipeline proposes sites on a tiled raster."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine

from egovkit.coverage import population_from_raster, raster_tiles, site_new
from egovkit.coverage.tiled_siting import tiled_site_new


def _write(path, vals, transform, crs):
    with rasterio.open(path, "w", driver="GTiff", width=vals.shape[1], height=vals.shape[0], count=1,
                       dtype=str(vals.dtype), crs=crs, transform=transform) as dst:
        dst.write(vals[None])
    return path


def _grid(seed: int, h: int = 90, w: int = 110) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vals = np.zeros((h, w), dtype="float64")
    for _ in range(8):  # towns
        ci, cj, s = rng.integers(0, h), rng.integers(0, w), rng.uniform(3, 12)
        ii, jj = np.mgrid[0:h, 0:w]
        vals += rng.uniform(20, 80) * np.exp(-((ii - ci) ** 2 + (jj - cj) ** 2) / (2 * s * s))
    vals[rng.random((h, w)) < 0.3] = 0
    return np.round(vals, 1)


@pytest.mark.parametrize("tile_size", [16, 37, 1000])
def test_same_sites_as_in_memory_on_a_metric_raster(tmp_path, tile_size):
    vals = _grid(1)
    tr = Affine(100.0, 0, 500_000.0, 0, -100.0, 9_100_000.0)
    path = _write(tmp_path / "pop.tif", vals, tr, "EPSG:32633")
    rng = np.random.default_rng(2)
    sites = np.column_stack([rng.uniform(500_000, 511_000, 15), rng.uniform(9_091_000, 9_100_000, 15)])
    cand = np.column_stack([rng.uniform(500_000, 511_000, 400), rng.uniform(9_091_000, 9_100_000, 400)])
    tiles = raster_tiles(path, tile_size=tile_size)
    got = tiled_site_new(tiles, sites, 12, 300.0, demand_cell_m=200.0, candidates=cand, progress=False)
    pop = population_from_raster(path, tiled=False)
    ref = site_new(pop, sites, cand, 12, 300.0, demand_cell_m=200.0)
    assert got["candidate"].tolist() == ref["candidate"].tolist()
    assert got.attrs["objective_model"] == pytest.approx(ref.attrs["objective_model"], rel=1e-12)
    # existing sites fixed: nobody within 300 m of one is in the demand; population conserved
    assert got.attrs["population_total"] == pytest.approx(vals.sum(), rel=1e-12)
    d = np.hypot(pop.x[:, None] - sites[None, :, 0], pop.y[:, None] - sites[None, :, 1]).min(axis=1)
    assert got.attrs["population_uncovered"] == pytest.approx(pop.weight[d > 300.0].sum(), rel=1e-12)
    assert got["share_added_cum"].iloc[-1] == pytest.approx(got["population_added_cum"].iloc[-1] / vals.sum())


def test_lonlat_raster_is_sited_in_ground_metres(tmp_path):
    vals = _grid(3, 80, 80)
    # 3 arc-second cells near the equator (about 92 m)
    tr = Affine(1 / 1200, 0, 36.80, 0, -1 / 1200, -1.25)
    path = _write(tmp_path / "ll.tif", vals, tr, "EPSG:4326")
    tiles = raster_tiles(path, tile_size=25)
    sites = gpd.GeoSeries.from_xy([36.81, 36.83], [-1.26, -1.28], crs=4326)
    got = tiled_site_new(tiles, sites, 5, 250.0, progress=False)
    assert got.crs.is_projected and got.attrs["scale_error"] < 0.01
    assert len(got) == 5 and got["population_added"].is_monotonic_decreasing
    # the same choice as the in-memory site_new on the same demand cells and candidates
    pop = population_from_raster(path, tiled=False)
    assert pop.crs == got.crs
    rng = np.random.default_rng(4)
    cand = np.column_stack([rng.uniform(pop.x.min(), pop.x.max(), 300), rng.uniform(pop.y.min(), pop.y.max(), 300)])
    mine = tiled_site_new(tiles, sites, 5, 250.0, candidates=cand, progress=False)
    ref = site_new(pop, sites, cand, 5, 250.0, demand_cell_m=mine.attrs["demand_cell_m"])
    assert mine["candidate"].tolist() == ref["candidate"].tolist()
    assert ref.attrs["objective_model"] == pytest.approx(mine.attrs["objective_model"], rel=1e-9)


def test_candidates_are_capped_to_the_most_populated(tmp_path):
    vals = _grid(5)
    tr = Affine(100.0, 0, 500_000.0, 0, -100.0, 9_100_000.0)
    path = _write(tmp_path / "pop.tif", vals, tr, "EPSG:32633")
    tiles = raster_tiles(path, tile_size=32)
    full = tiled_site_new(tiles, np.empty((0, 2)), 3, 250.0, progress=False)
    capped = tiled_site_new(tiles, np.empty((0, 2)), 3, 250.0, max_candidates=20, progress=False)
    assert full.attrs["candidates_capped"] == 0 and capped.attrs["n_candidates"] == 20
    assert capped.attrs["candidates_capped"] == full.attrs["n_candidates"] - 20
    assert capped.attrs["objective_model"] <= full.attrs["objective_model"] + 1e-9
