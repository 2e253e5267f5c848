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
    coverage_sets,
    exact_max_cover,
    greedy_max_cover,
    max_cover_bound,
    population_from_array,
    population_from_points,
    site_new,
)
from egovkit.coverage.siting import _greedy_online_bound

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
    pop = population_from_array(vals, tr, CRS_M, districts=districts, key="k")
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


def _random_instance(seed, nd=40, nc=9, side=1000.0, r=220.0, n_existing=2):
    rng = np.random.default_rng(seed)
    dxy = rng.uniform(0, side, (nd, 2))
    w = rng.integers(1, 50, nd).astype(float)
    cxy = rng.uniform(0, side, (nc, 2))
    existing = rng.uniform(0, side, (n_existing, 2))
    return dxy, w, cxy, existing, r


def _plain_greedy_reference(sets, w, k):
    """The textbook greedy, written out: every gain recomputed every round, lowest index on ties."""
    cov = np.zeros(len(w), dtype=bool)
    chosen, gains = [], []
    for _ in range(min(k, len(sets))):
        g = [-1.0 if j in chosen else w[s][~cov[s]].sum() for j, s in enumerate(sets)]
        j = int(np.argmax(g))
        chosen.append(j)
        gains.append(g[j])
        cov[sets[j]] = True
    return chosen, gains


def test_coverage_sets_equal_brute_force_distances():
    rng = np.random.default_rng(4)
    dxy = np.vstack([rng.uniform(-500, 2500, (3000, 2)), rng.integers(0, 20, (200, 2)) * 50.0])
    cxy = np.vstack([rng.uniform(0, 2000, (150, 2)), rng.integers(0, 20, (30, 2)) * 50.0])
    for r in (0.0, 50.0, 137.5, 400.0):
        a = coverage_sets(dxy, cxy, r)
        assert a.shape == (len(cxy), len(dxy)) and a.dtype == bool
        # points on a 50 m lattice lie exactly at 50 m and 400 m: the radius is inclusive
        dmat = np.sqrt(((cxy[:, None, :] - dxy[None, :, :]) ** 2).sum(-1))
        assert (a.toarray() == (dmat <= r)).all()
    assert coverage_sets(np.empty((0, 2)), cxy, 100).shape == (len(cxy), 0)
    assert coverage_sets(dxy, np.empty((0, 2)), 100).nnz == 0


@pytest.mark.parametrize("seed", range(8))
def test_celf_greedy_equals_plain_greedy(seed):
    rng = np.random.default_rng(seed)
    nd, nc = 400, 120
    sets = [np.unique(rng.integers(0, nd, rng.integers(0, 40))) for _ in range(nc)]
    sets[5] = sets[7].copy()  # an exact tie between two candidates
    sets[0] = sets[-1] = sets[-2] = np.array([], dtype=np.int64)  # empty rows, also at the end
    # small integer weights: many ties, and sums exact in floating point
    w = rng.integers(0, 4, nd).astype(float) if seed % 2 else rng.uniform(0, 10, nd)
    k = 40 if seed < 4 else nc + 5  # beyond the useful candidates: zero gains, lowest index first
    a = coverage_sets(rng.uniform(0, 1, (nd, 2)), rng.uniform(0, 1, (nc, 2)), 0.1)  # (shape check only)
    assert a.shape == (nc, nd)
    lazy = greedy_max_cover(sets, w, k)
    plain = greedy_max_cover(sets, w, k, lazy=False)
    ref = _plain_greedy_reference(sets, w, k)
    assert lazy[0] == plain[0] == ref[0]
    assert lazy[1] == plain[1]
    assert lazy[1] == pytest.approx(ref[1])
    assert len(lazy[0]) == min(k, nc) and len(set(lazy[0])) == len(lazy[0])
    # already covered demand is not counted: the same as giving it no weight
    covered = rng.uniform(size=nd) < 0.3
    assert greedy_max_cover(sets, w, 10, covered=covered) == greedy_max_cover(sets, np.where(covered, 0, w), 10)


@pytest.mark.parametrize("seed", range(12))
def test_exact_equals_exhaustive_search_and_bounds_hold(seed):
    rng = np.random.default_rng(100 + seed)
    nd, nc = 40, 10
    dxy, cxy = rng.uniform(0, 1000, (nd, 2)), rng.uniform(0, 1000, (nc, 2))
    w = rng.integers(0, 30, nd).astype(float)
    a = coverage_sets(dxy, cxy, 250.0)
    sets = [a.indices[a.indptr[j]:a.indptr[j + 1]] for j in range(nc)]
    for k in (1, 2, 3, 4):
        best = max(_coverage_value(sets, w, c) for c in itertools.combinations(range(nc), k))
        sol = exact_max_cover(a, w, k)
        assert sol.status == "optimal" and len(sol.chosen) == k
        assert sol.objective == pytest.approx(best)
        assert _coverage_value(sets, w, sol.chosen) == pytest.approx(best)
        chosen, gains = greedy_max_cover(a, w, k)
        assert sum(gains) <= sol.objective + 1e-9
        assert sum(gains) >= (1 - 1 / np.e) * best - 1e-9
        lp = max_cover_bound(a, w, k)
        assert lp >= sol.objective - 1e-9
        # the Lagrangian bound: valid (above the LP value) and close to it
        lag = max_cover_bound(a, w, k, method="lagrangian")
        assert lp - 1e-6 <= lag <= lp * 1.02 + 1e-9
        assert sol.upper_bound >= best - 1e-6
        assert _greedy_online_bound(a, w, chosen, k) >= best - 1e-9
    # the list-of-arrays form gives the same answers
    assert exact_max_cover(sets, w, 3).chosen == exact_max_cover(a, w, 3).chosen


def test_lp_bound_is_strictly_above_an_integral_optimum():
    # demand points = the 6 edges of a complete graph on 4 candidates, each covered by its two ends:
    # 2 sites cover at most 5 edges, the relaxation x = 1/2 everywhere covers all 6
    edges = list(itertools.combinations(range(4), 2))
    sets = [np.array([e for e, ends in enumerate(edges) if j in ends]) for j in range(4)]
    w = np.ones(6)
    sol = exact_max_cover(sets, w, 2)
    assert sol.objective == 5.0 and sol.status == "optimal"
    assert max_cover_bound(sets, w, 2) == pytest.approx(6.0)
    assert 6.0 - 1e-9 <= max_cover_bound(sets, w, 2, method="lagrangian") <= 6.1
    assert sum(greedy_max_cover(sets, w, 2)[1]) == 5.0


@pytest.mark.parametrize("seed", range(6))
def test_greedy_and_exact_against_exhaustive_search(seed):
    dxy, w, cxy, existing, r = _random_instance(seed)
    nc, k = len(cxy), 3
    pop = population_from_points(gpd.GeoDataFrame({"w": w}, geometry=gpd.points_from_xy(dxy[:, 0], dxy[:, 1]),
                                                   crs=CRS_M), "w")
    # brute force: demand still uncovered after the existing sites, candidate x demand distances
    unc = _brute_d(dxy[:, 0], dxy[:, 1], existing) > r
    dmat = np.sqrt(((cxy[:, None, :] - dxy[None, :, :]) ** 2).sum(-1))
    sets = [np.flatnonzero((dmat[j] <= r) & unc) for j in range(nc)]
    best = max(_coverage_value(sets, w, c) for c in itertools.combinations(range(nc), k))
    g = site_new(pop, existing, cxy, k=k, radius_m=r)
    greedy_val = _coverage_value(sets, w, g.candidate.tolist())
    assert g.attrs["objective"] == pytest.approx(greedy_val)
    assert greedy_val >= (1 - 1 / np.e) * best - 1e-9
    # the first greedy pick is the best single candidate, and gains never increase
    assert g.population_added.iloc[0] == pytest.approx(max(w[s].sum() for s in sets))
    assert (np.diff(g.population_added.to_numpy()) <= 1e-9).all()
    assert g.population_added_cum.iloc[-1] == pytest.approx(greedy_val)
    assert g.share_added_cum.iloc[-1] == pytest.approx(greedy_val / w.sum())
    # the reported bound is above the true optimum and the gap is measured against it
    assert g.attrs["status"] == "greedy" and g.attrs["mip_gap_pct"] is None
    assert g.attrs["upper_bound_lp"] is not None and g.attrs["upper_bound_lp"] >= best - 1e-9
    assert best - 1e-9 <= g.attrs["upper_bound"] <= g.attrs["upper_bound_lp"] + 1e-9
    assert g.attrs["gap_pct"] == pytest.approx(100 * (g.attrs["upper_bound"] - greedy_val) / g.attrs["upper_bound"])
    e = site_new(pop, existing, cxy, k=k, radius_m=r, method="exact")
    assert e.attrs["objective"] == pytest.approx(best)
    assert _coverage_value(sets, w, e.candidate.tolist()) == pytest.approx(best)
    assert e.attrs["status"] == "optimal" and e.attrs["mip_gap_pct"] == pytest.approx(0, abs=1e-9)
    assert e.attrs["objective"] >= g.attrs["objective"] - 1e-9
    assert e.attrs["upper_bound_lp"] >= e.attrs["objective"] - 1e-9
    assert (np.diff(e.population_added.to_numpy()) <= 1e-9).all()
    assert site_new(pop, existing, cxy, k=k, radius_m=r, lp_bound=False).attrs["upper_bound_lp"] is None


@pytest.mark.parametrize("method", ["greedy", "exact"])
def test_existing_sites_are_fixed_and_their_people_not_counted_again(method):
    # a dense cluster of 100 persons already served by an existing site, a smaller one of 30 not
    xy = np.array([[0.0, 0.0]] * 10 + [[5000.0, 0.0]] * 3)
    w = np.array([10.0] * 10 + [10.0] * 3)
    pop = population_from_points(gpd.GeoDataFrame({"w": w}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                                                   crs=CRS_M), "w")
    cand = np.array([[10.0, 0.0], [5010.0, 0.0], [9e4, 0.0]])
    existing = np.array([[0.0, 5.0]])
    s = site_new(pop, existing, cand, k=2, radius_m=100, method=method)
    assert s.candidate.tolist() == [1, 0]
    assert s.population_added.tolist() == [30.0, 0.0]
    assert s.attrs["objective"] == 30.0 and s.attrs["upper_bound"] == pytest.approx(30.0)
    assert s.share_added_cum.iloc[-1] == pytest.approx(30 / 130)
    # without the existing site the big cluster comes first
    s0 = site_new(pop, np.empty((0, 2)), cand, k=2, radius_m=100, method=method)
    assert s0.candidate.tolist() == [0, 1] and s0.population_added.tolist() == [100.0, 30.0]


def test_exact_solver_failure_is_an_input_error_naming_the_fixes(monkeypatch):
    from types import SimpleNamespace

    import scipy.optimize

    from egovkit.errors import EgovkitWarning, InputError

    rng = np.random.default_rng(3)
    sets = [np.unique(rng.integers(0, 50, 8)) for _ in range(12)]
    w = rng.uniform(1, 5, 50)
    real = scipy.optimize.milp
    monkeypatch.setattr(scipy.optimize, "milp", lambda *a, **kw: SimpleNamespace(
        status=1, x=None, fun=None, message="Time limit reached", mip_gap=None, mip_dual_bound=None))
    # the time limit reached with no incumbent at all (HiGHS on a large model): the greedy choice,
    # said, with the greedy online bound as upper bound
    with pytest.warns(EgovkitWarning, match=r"time limit.*greedy"):
        sol = exact_max_cover(sets, w, 3, time_limit_s=5)
    g_chosen, g_gains = greedy_max_cover(sets, w, 3)
    assert (sol.incumbent, sol.status, sol.chosen) == ("greedy", "time limit reached", sorted(g_chosen))
    assert sol.objective == pytest.approx(sum(g_gains)) and sol.upper_bound >= sol.objective
    with pytest.raises(InputError, match="LP relaxation"):
        max_cover_bound(sets, w, 3)
    monkeypatch.setattr(scipy.optimize, "milp", lambda *a, **kw: SimpleNamespace(
        status=2, x=None, fun=None, message="The problem is infeasible.", mip_gap=None, mip_dual_bound=None))
    with pytest.raises(InputError, match="infeasible"):
        exact_max_cover(sets, w, 3)

    # a time limit reached with a solution: kept, with its status, gap and a warning
    def stopped_early(*a, **kw):
        res = real(*a, **kw)
        return SimpleNamespace(status=1, x=res.x, fun=res.fun, message="Time limit reached",
                               mip_gap=0.0, mip_dual_bound=res.fun - 10.0)

    monkeypatch.setattr(scipy.optimize, "milp", stopped_early)
    with pytest.warns(EgovkitWarning, match="time limit"):
        sol = exact_max_cover(sets, w, 3)
    assert sol.status == "time limit reached"
    # the bound: HiGHS's dual bound (objective + 10) or the greedy online bound, the smaller
    assert sol.objective <= sol.upper_bound <= sol.objective + 10.0 + 1e-9
    assert sol.mip_gap == pytest.approx((sol.upper_bound - sol.objective) / sol.upper_bound)

    # a time limit reached with a poor incumbent (one useless site): the greedy choice replaces it
    def poor(*a, **kw):
        res = real(*a, **kw)
        x = np.zeros_like(res.x)
        return SimpleNamespace(status=1, x=x, fun=0.0, message="Time limit reached", mip_gap=1.0,
                               mip_dual_bound=res.fun)

    monkeypatch.setattr(scipy.optimize, "milp", poor)
    with pytest.warns(EgovkitWarning, match="greedy"):
        sol = exact_max_cover(sets, w, 3)
    assert sol.incumbent == "greedy" and sol.objective == pytest.approx(sum(greedy_max_cover(sets, w, 3)[1]))


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
    sol = exact_max_cover(sets, w, 3)
    assert len(sol.chosen) == 3 and sol.objective >= sum(greedy_max_cover(sets, w, 3)[1]) - 1e-9


def test_candidate_grid_and_demand_aggregation():
    vals = np.ones((10, 10))
    pop = population_from_array(vals, Affine(100.0, 0, 0, 0, -100.0, 1000.0), CRS_M)
    c = candidate_grid(pop, 500)
    assert sorted(map(tuple, c.tolist())) == [(250.0, 250.0), (250.0, 750.0), (750.0, 250.0), (750.0, 750.0)]
    s = site_new(pop, np.empty((0, 2)), c, k=4, radius_m=400, demand_cell_m=500)
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
    s = site_new(pop, existing, cand, k=6, radius_m=250, demand_cell_m=400)
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
    pop = population_from_array(vals, tr, CRS_M, districts=districts, key="k")
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
    s = site_new(pop, np.empty((0, 2)), cand.to_crs(4326), k=2, radius_m=50)
    assert s["name"].tolist() == ["library", "school"] and s.candidate.tolist() == [1, 0]
    assert s.population_added.tolist() == pytest.approx([9.0, 5.0])


@pytest.mark.parametrize("method", ["greedy", "exact"])
def test_siting_when_nothing_is_left_to_cover_or_k_is_zero(method):
    pts = gpd.GeoDataFrame({"w": [5.0, 9.0]}, geometry=gpd.points_from_xy([0.0, 1000.0], [0.0, 0.0]), crs=CRS_M)
    pop = population_from_points(pts, "w")
    cand = np.array([[10.0, 0.0], [990.0, 0.0], [5e4, 0.0]])
    # every person is already served: new sites add nobody, and the bound says so
    s = site_new(pop, np.array([[0.0, 0.0], [1000.0, 0.0]]), cand, k=2, radius_m=50, method=method)
    assert s.candidate.tolist() == [0, 1] and s.population_added.tolist() == [0.0, 0.0]
    assert s.attrs["objective"] == 0.0 and s.attrs["upper_bound"] == 0.0 and s.attrs["gap_pct"] == 0.0
    s = site_new(pop, np.empty((0, 2)), cand, k=0, radius_m=50, method=method)
    assert len(s) == 0 and s.attrs["objective"] == 0.0
    # more sites asked than candidates: every candidate, the useless one last
    s = site_new(pop, np.empty((0, 2)), cand, k=5, radius_m=50, method=method)
    assert s.candidate.tolist() == [1, 0, 2] and s.population_added.tolist() == [9.0, 5.0, 0.0]


def test_old_keywords_still_work_and_warn():
    """One release of ``district=`` / ``radius=`` / ``radii=`` (issue 11): same results, a DeprecationWarning."""
    from egovkit.coverage import raster_tiles, tiled_coverage  # noqa: F401 - the public paths
    pts = gpd.GeoDataFrame({"pop": [5.0, 7.0]}, geometry=gpd.points_from_xy([0, 1000], [0, 0]), crs=CRS_M)
    d = gpd.GeoDataFrame({"k": ["a", "b"]}, geometry=[box(-10, -10, 500, 10), box(500, -10, 1010, 10)], crs=CRS_M)
    new = population_from_points(pts, "pop", districts=d, key="k")
    with pytest.warns(DeprecationWarning, match=r"district=\) is deprecated: use key="):
        old = population_from_points(pts, "pop", districts=d, district="k")
    assert old.district.tolist() == new.district.tolist() == [0, 1]
    cand = np.array([[0.0, 0.0], [1000.0, 0.0]])
    with pytest.warns(DeprecationWarning, match=r"site_new\(radius=\)"):
        s = site_new(new, np.empty((0, 2)), cand, k=1, radius=10)
    assert s["population_added"].tolist() == site_new(new, np.empty((0, 2)), cand, k=1, radius_m=10)[
        "population_added"].tolist() == [7.0]
    with pytest.warns(DeprecationWarning, match=r"coverage_sets\(radius=\)"):
        assert coverage_sets(cand, cand, radius=1).nnz == 2
