"""Gaps against direct counting, siting against exhaustive search."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import box

from egovkit.coverage import (
    candidate_grid,
    coverage_gaps,
    exact_max_cover,
    greedy_max_cover,
    population_from_array,
    population_from_points,
    site_new,
)

CRS_M = 32633


def _brute_d(px, py, sxy):
    if len(sxy) == 0:
        return np.full(len(px), np.inf)
    return np.sqrt((px[:, None] - sxy[None, :, 0]) ** 2 + (py[:, None] - sxy[None, :, 1]) ** 2).min(axis=1)


def test_gaps_on_a_raster_are_connected_uncovered_cells():
    # 3 populated blocks; one site covers the middle one
    vals = np.zeros((20, 30))
    vals[2:5, 2:6] = 10.0      # block A: 12 cells, 120 persons
    vals[10:12, 12:15] = 5.0   # block B: covered
    vals[15:19, 20:28] = 1.0   # block C: 32 cells, 32 persons
    vals[5, 6] = 3.0           # touches A only by a corner
    tr = Affine(100.0, 0, 0.0, 0, -100.0, 2000.0)
    districts = gpd.GeoDataFrame({"k": ["west", "east"]}, geometry=[box(0, 0, 1500, 2000), box(1500, 0, 3000, 2000)],
                                 crs=CRS_M)
    pop = population_from_array(vals, tr, CRS_M, districts=districts, district="k")
    site = np.array([[1350.0, 950.0]])
    z = coverage_gaps(pop, site, 300)
    assert z["population"].tolist() == [120.0, 32.0, 3.0]
    assert z["n_cells"].tolist() == [12, 32, 1]
    assert z["district"].tolist() == ["west", "east", "west"]
    assert z.geometry.area.tolist() == pytest.approx([12e4, 32e4, 1e4])
    assert z.geometry.iloc[0].bounds == pytest.approx((200, 1500, 600, 1800))
    z8 = coverage_gaps(pop, site, 300, connectivity=8)
    assert z8["population"].tolist() == [123.0, 32.0]
    assert len(coverage_gaps(pop, site, 300, top=1, min_population=0)) == 1


def test_gap_totals_equal_brute_force_uncovered_population():
    rng = np.random.default_rng(2)
    n = 4000
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    w = rng.uniform(0, 3, n)
    pop = population_from_points(gpd.GeoDataFrame({"w": w}, geometry=gpd.points_from_xy(x, y), crs=CRS_M), "w")
    sxy = np.column_stack([rng.uniform(0, 5000, 30), rng.uniform(0, 5000, 30)])
    for r in (150, 400):
        z = coverage_gaps(pop, sxy, r, cell_m=100)
        d = _brute_d(x, y, sxy)
        assert z.population.sum() == pytest.approx(w[d > r].sum())
        assert (np.diff(z.population.to_numpy()) <= 0).all()
        # every uncovered point lies in exactly one zone polygon
        pts = gpd.GeoSeries.from_xy(x[d > r], y[d > r], crs=CRS_M)
        hits = z.sindex.query(pts.values, predicate="intersects")
        assert len(np.unique(hits[0])) == (d > r).sum()


def _coverage_value(sets, w, pick):
    cov = np.zeros(len(w), dtype=bool)
    for j in pick:
        cov[sets[j]] = True
    return w[cov].sum()


@pytest.mark.parametrize("seed", range(6))
def test_greedy_and_exact_against_exhaustive_search(seed):
    rng = np.random.default_rng(seed)
    nd, nc, k = 40, 9, 3
    dxy = rng.uniform(0, 1000, (nd, 2))
    w = rng.integers(1, 50, nd).astype(float)
    cxy = rng.uniform(0, 1000, (nc, 2))
    existing = rng.uniform(0, 1000, (2, 2))
    r = 220.0
    pop = population_from_points(gpd.GeoDataFrame({"w": w}, geometry=gpd.points_from_xy(dxy[:, 0], dxy[:, 1]),
                                                   crs=CRS_M), "w")
    # brute force: demand still uncovered after the existing sites, candidate x demand distances
    unc = _brute_d(dxy[:, 0], dxy[:, 1], existing) > r
    dmat = np.sqrt(((cxy[:, None, :] - dxy[None, :, :]) ** 2).sum(-1))
    sets = [np.flatnonzero((dmat[j] <= r) & unc) for j in range(nc)]
    best = max(_coverage_value(sets, w, c) for c in itertools.combinations(range(nc), k))
    g = site_new(pop, existing, cxy, k=k, radius=r)
    greedy_val = _coverage_value(sets, w, g.candidate.tolist())
    assert g.attrs["objective"] == pytest.approx(greedy_val)
    assert greedy_val >= (1 - 1 / np.e) * best - 1e-9
    # the first greedy pick is the best single candidate, and gains never increase
    assert g.population_added.iloc[0] == pytest.approx(max(w[s].sum() for s in sets))
    assert (np.diff(g.population_added.to_numpy()) <= 1e-9).all()
    assert g.population_added_cum.iloc[-1] == pytest.approx(greedy_val)
    assert g.share_added_cum.iloc[-1] == pytest.approx(greedy_val / w.sum())
    pytest.importorskip("pulp", reason="the exact MCLP is offered where PuLP is installed")
    e = site_new(pop, existing, cxy, k=k, radius=r, method="exact")
    assert e.attrs["objective"] == pytest.approx(best)
    assert _coverage_value(sets, w, e.candidate.tolist()) == pytest.approx(best)


def test_plain_greedy_equals_lazy_greedy():
    rng = np.random.default_rng(9)
    sets = [np.unique(rng.integers(0, 300, rng.integers(1, 40))) for _ in range(60)]
    w = rng.uniform(0, 10, 300)
    chosen, gains = greedy_max_cover(sets, w, 15)
    cov = np.zeros(300, dtype=bool)
    for step in range(15):
        g = [w[s][~cov[s]].sum() for s in sets]
        j = int(np.argmax(g))
        assert chosen[step] == j and gains[step] == pytest.approx(g[j])
        cov[sets[j]] = True
    pytest.importorskip("pulp", reason="the exact MCLP is offered where PuLP is installed")
    assert exact_max_cover(sets, w, 3) and len(exact_max_cover(sets, w, 3)) == 3


def test_candidate_grid_and_demand_aggregation():
    vals = np.ones((10, 10))
    pop = population_from_array(vals, Affine(100.0, 0, 0, 0, -100.0, 1000.0), CRS_M)
    c = candidate_grid(pop, 500)
    assert sorted(map(tuple, c.tolist())) == [(250.0, 250.0), (250.0, 750.0), (750.0, 250.0), (750.0, 750.0)]
    s = site_new(pop, np.empty((0, 2)), c, k=4, radius=400, demand_cell_m=500)
    # aggregated to 4 cells of 25 persons at their centres: in the model each candidate covers one
    assert s.attrs["objective_model"] == pytest.approx(100.0)
    # recounted on the 100 original cells: the first site reaches every cell centre within 400 m
    first = s.geometry.iloc[0]
    near = np.hypot(pop.x - first.x, pop.y - first.y) <= 400
    assert s.population_added.iloc[0] == pytest.approx(near.sum())
    assert s.share_added_cum.iloc[-1] == pytest.approx(1.0)


def test_population_added_is_recounted_exactly_after_aggregation():
    rng = np.random.default_rng(12)
    n = 3000
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    w = rng.uniform(0, 4, n)
    pop = population_from_points(gpd.GeoDataFrame({"w": w}, geometry=gpd.points_from_xy(x, y), crs=CRS_M), "w")
    existing = rng.uniform(0, 3000, (5, 2))
    cand = candidate_grid(pop, 300)
    s = site_new(pop, existing, cand, k=6, radius=250, demand_cell_m=400)
    allsites = np.vstack([existing, s.geometry.get_coordinates().to_numpy()])
    before = _brute_d(x, y, existing) <= 250
    after = _brute_d(x, y, allsites) <= 250
    assert s.population_added_cum.iloc[-1] == pytest.approx(w[after & ~before].sum())


def test_gaps_split_at_district_borders():
    vals = np.zeros((10, 20))
    vals[2:6, 3:17] = 2.0  # one block straddling the border at x = 1000 m
    tr = Affine(100.0, 0, 0.0, 0, -100.0, 1000.0)
    districts = gpd.GeoDataFrame({"k": ["west", "east"]}, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
                                 crs=CRS_M)
    pop = population_from_array(vals, tr, CRS_M, districts=districts, district="k")
    far = np.array([[50_000.0, 50_000.0]])
    assert len(coverage_gaps(pop, far, 100)) == 1
    z = coverage_gaps(pop, far, 100, split_by_district=True)
    assert sorted(zip(z.district, z.population)) == [("east", 4 * 7 * 2.0), ("west", 4 * 7 * 2.0)]
    assert (z.share_in_district == 1).all()
    assert z.geometry.area.sum() == pytest.approx(4 * 14 * 1e4)


def test_candidates_as_geodataframe_keep_their_attributes():
    pts = gpd.GeoDataFrame({"w": [5.0, 9.0]}, geometry=gpd.points_from_xy([0.0, 1000.0], [0.0, 0.0]), crs=CRS_M)
    pop = population_from_points(pts, "w")
    cand = gpd.GeoDataFrame({"name": ["school", "library", "far"]},
                            geometry=gpd.points_from_xy([10.0, 990.0, 9e4], [0.0, 0.0, 0.0]), crs=CRS_M)
    s = site_new(pop, np.empty((0, 2)), cand.to_crs(4326), k=2, radius=50)
    assert s["name"].tolist() == ["library", "school"] and s.candidate.tolist() == [1, 0]
    assert s.population_added.tolist() == pytest.approx([9.0, 5.0])
