"""The radius engine against exact geometry, brute-force distance matrices and direct formulas."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from shapely.geometry import box

from egovkit.coverage import (
    coverage,
    covered_area,
    nearest_site_distance,
    population_from_array,
    population_from_districts,
    population_from_points,
    weighted_quantiles,
)
from egovkit.errors import EgovkitWarning, InputError

CRS_M = 32633  # any metric CRS


def _square(side: float, pop: float, name: str = "A", x0: float = 0.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [name], "pop": [pop]}, geometry=[box(x0, 0, x0 + side, side)], crs=CRS_M)


def _lens(r: float, d: float) -> float:
    """Area of the intersection of two discs of radius r whose centres are d apart."""
    return 2 * r * r * math.acos(d / (2 * r)) - d / 2 * math.sqrt(4 * r * r - d * d)


def test_single_site_in_square_covers_pi_r2_of_uniform_population():
    # uniform density 1 person / m2 spread on a 5 m grid; analytical answer pi r^2
    side, r = 2000.0, 300.0
    pop = population_from_districts(_square(side, side * side), "pop", key="name", cell_m=5)
    t = coverage(pop, np.array([[1000.0, 1000.0]]), radii_m=[r], quantiles=None)
    got = t.loc[t.level == "district", "population_covered"].item()
    assert got == pytest.approx(math.pi * r * r, rel=2e-3)
    assert t.loc[t.level == "district", "share_covered"].item() == pytest.approx(math.pi * r * r / side**2, rel=2e-3)
    # area: exact shapely intersection of the district with a 64-segment buffer
    a = covered_area(pop.districts, np.array([[1000.0, 1000.0]]), [r], quad_segs=64)
    assert a.area_covered_km2.iloc[0] * 1e6 == pytest.approx(math.pi * r * r, rel=1e-3)


def test_site_on_border_counts_for_both_sides():
    d = gpd.GeoDataFrame({"name": ["W", "E"], "pop": [1e6, 1e6]},
                         geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=CRS_M)
    pop = population_from_districts(d, "pop", key="name", cell_m=5)
    r = 200.0
    t = coverage(pop, np.array([[1000.0, 500.0]]), radii_m=[r], quantiles=None).set_index("district")
    half = math.pi * r * r / 2  # density 1 / m2
    assert t.loc["W", "population_covered"] == pytest.approx(half, rel=3e-3)
    assert t.loc["E", "population_covered"] == pytest.approx(half, rel=3e-3)
    terr = t[t.level == "territory"]["population_covered"].item()
    assert terr == pytest.approx(2 * half, rel=3e-3)


@pytest.mark.parametrize("gap", [100.0, 250.0, 399.0])
def test_overlapping_buffers_are_not_double_counted(gap):
    r = 200.0
    pop = population_from_districts(_square(2000, 2000.0**2), "pop", key="name", cell_m=5)
    sites = np.array([[1000.0, 1000.0], [1000.0 + gap, 1000.0]])
    t = coverage(pop, sites, radii_m=[r], quantiles=None)
    union = 2 * math.pi * r * r - _lens(r, gap)
    assert t.population_covered.iloc[0] == pytest.approx(union, rel=3e-3)


def _brute(px, py, sx, sy):
    return np.sqrt((px[:, None] - sx[None, :]) ** 2 + (py[:, None] - sy[None, :]) ** 2).min(axis=1)


def test_random_points_match_brute_force_distance_matrix():
    rng = np.random.default_rng(7)
    n = 3000
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 2000, n)
    w = rng.integers(0, 20, n).astype(float)
    pts = gpd.GeoDataFrame({"w": w, "hh": w * 0.37}, geometry=gpd.points_from_xy(x, y), crs=CRS_M)
    # six districts in a 3x2 layout, plus points outside all of them
    dist = gpd.GeoDataFrame({"k": [f"d{i}" for i in range(6)]},
                            geometry=[box(i * 1000, j * 1000, (i + 1) * 1000, (j + 1) * 1000)
                                      for j in range(2) for i in range(3)], crs=CRS_M)
    dist = dist[dist.k != "d5"]  # leave a hole: points there are outside
    sx, sy = rng.uniform(-200, 3200, 25), rng.uniform(-200, 2200, 25)
    pop = population_from_points(pts, "w", households="hh", districts=dist, key="k")
    radii = [50, 100, 250, 500]
    t = coverage(pop, np.column_stack([sx, sy]), radii_m=radii, quantiles=(0.5, 0.9))
    dmin = _brute(x, y, sx, sy)
    did = np.full(n, -1)
    for i, g in enumerate(dist.geometry):
        inside = (x >= g.bounds[0]) & (x <= g.bounds[2]) & (y >= g.bounds[1]) & (y <= g.bounds[3]) & (did < 0)
        did[inside] = i
    assert pop.report.by_code("population.outside_districts")
    for r in radii:
        for i, name in enumerate(dist.k):
            row = t[(t.district == name) & (t.radius_m == r)].iloc[0]
            m = did == i
            assert row.population == pytest.approx(w[m].sum())
            assert row.population_covered == pytest.approx(w[m & (dmin <= r)].sum())
            assert row.households_covered == pytest.approx(0.37 * w[m & (dmin <= r)].sum())
            assert row.median_distance_m == pytest.approx(
                np.quantile(np.repeat(dmin[m], w[m].astype(int)), 0.5, method="inverted_cdf"))
            assert row.p90_distance_m == pytest.approx(
                np.quantile(np.repeat(dmin[m], w[m].astype(int)), 0.9, method="inverted_cdf"))
        terr = t[(t.level == "territory") & (t.radius_m == r)].iloc[0]
        assert terr.population_covered == pytest.approx(w[dmin <= r].sum())
        assert terr.population == pytest.approx(w.sum())


def test_weighted_quantiles_match_repeated_values():
    rng = np.random.default_rng(3)
    g = rng.integers(0, 4, 500)
    v = rng.normal(size=500).round(2)
    w = rng.integers(0, 6, 500).astype(float)
    q = weighted_quantiles(g, v, w, [0.1, 0.5, 0.9, 1.0], 5)
    for k in range(4):
        rep = np.repeat(v[g == k], w[g == k].astype(int))
        assert q[k].tolist() == pytest.approx(np.quantile(rep, [0.1, 0.5, 0.9, 1.0], method="inverted_cdf").tolist())
    assert np.isnan(q[4]).all()


def test_grid_stamping_equals_kdtree_and_brute_force():
    rng = np.random.default_rng(11)
    vals = rng.gamma(1.0, 10.0, size=(60, 80))
    vals[rng.random(vals.shape) < 0.3] = 0.0
    vals[rng.random(vals.shape) < 0.1] = np.nan
    tr = Affine(100.0, 0, 500_000.0, 0, -100.0, 4_000_000.0)
    pop = population_from_array(vals, tr, CRS_M)
    assert pop.grid is not None
    sxy = np.column_stack([rng.uniform(499_000, 509_000, 40), rng.uniform(3_993_000, 4_001_000, 40)])
    # include a site exactly at a cell centre and one on a cell corner
    sxy[0] = [500_000 + 10.5 * 100, 4_000_000 - 20.5 * 100]
    sxy[1] = [500_000 + 30 * 100, 4_000_000 - 40 * 100]
    d_grid = nearest_site_distance(pop, sxy, 500)
    d_tree = nearest_site_distance(pop, sxy, None)
    d_true = _brute(pop.x, pop.y, sxy[:, 0], sxy[:, 1])
    for r in (50, 100, 141.42135623730951, 250, 500):
        assert np.array_equal(d_grid <= r, d_true <= r), r
        assert np.array_equal(d_tree <= r, d_true <= r), r
    fin = np.isfinite(d_grid)
    assert np.allclose(d_grid[fin], d_true[fin])
    assert (d_true[~fin] > 500).all()
    # same table through both paths
    t1 = coverage(pop, sxy, radii_m=[100, 500], quantiles=None)
    t2 = coverage(pop, sxy, radii_m=[100, 500])
    assert np.allclose(t1.population_covered, t2.population_covered)


def test_by_attribute_equals_separate_calls():
    rng = np.random.default_rng(5)
    pts = gpd.GeoDataFrame({"w": rng.uniform(0, 5, 800)},
                           geometry=gpd.points_from_xy(rng.uniform(0, 2000, 800), rng.uniform(0, 2000, 800)),
                           crs=CRS_M)
    pop = population_from_points(pts, "w", districts=_square(2000, 0), key="name")
    sites = gpd.GeoDataFrame({"Type": rng.choice(["Free", "Limited"], 30)},
                             geometry=gpd.points_from_xy(rng.uniform(0, 2000, 30), rng.uniform(0, 2000, 30)),
                             crs=CRS_M)
    t = coverage(pop, sites, radii_m=[100, 250], by="Type")
    assert list(dict.fromkeys(t.sites)) == ["all", "Type=Free", "Type=Limited"]
    for typ in ("Free", "Limited"):
        alone = coverage(pop, sites[sites.Type == typ], radii_m=[100, 250])
        part = t[t.sites == f"Type={typ}"]
        assert np.allclose(part.population_covered.to_numpy(), alone.population_covered.to_numpy())
    m = coverage(pop, sites, radii_m=[250], by={"free only": (sites.Type == "Free").to_numpy()})
    assert np.allclose(m[m.sites == "free only"].population_covered.to_numpy(),
                       t[(t.sites == "Type=Free") & (t.radius_m == 250)].population_covered.to_numpy())


def test_sites_in_lonlat_are_projected_and_zero_points_skipped():
    d = gpd.GeoDataFrame({"k": ["a"], "pop": [1000.0]}, geometry=[box(-73.99, 40.70, -73.97, 40.72)], crs=4326)
    pop = population_from_districts(d, "pop", key="k", cell_m=20)
    assert pop.crs.to_epsg() == 32618
    sites = gpd.GeoDataFrame({"is_site": [True, False]}, geometry=gpd.points_from_xy([-73.98, 0], [40.71, 0]),
                             crs=4326)
    t = coverage(pop, sites, radii_m=[10_000])
    assert t.share_covered.iloc[0] == pytest.approx(1.0)
    assert coverage(pop, sites.iloc[[1]], radii_m=[10_000]).share_covered.iloc[0] == 0


def test_district_counts_keep_totals_and_dasymetric_weights():
    d = gpd.GeoDataFrame({"k": ["a", "b", "tiny"], "pop": [100.0, 300.0, 7.0]},
                         geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 2001, 1)],
                         crs=CRS_M)
    p = population_from_districts(d, "pop", key="k", cell_m=50)
    assert np.bincount(p.district, weights=p.weight).tolist() == pytest.approx([100, 300, 7])
    assert p.report.by_code("population.district_at_point")
    # dasymetric: all weight in the left half of district a
    wpts = gpd.GeoDataFrame({"w": [1.0]}, geometry=gpd.points_from_xy([10.0], [10.0]), crs=CRS_M)
    wp = population_from_points(wpts, "w")
    p2 = population_from_districts(d.iloc[:1], "pop", key="k", cell_m=50, weight=wp)
    assert p2.weight.max() == pytest.approx(100.0)
    assert p2.x[np.argmax(p2.weight)] == pytest.approx(25.0)


def test_bad_inputs_raise_egovkit_errors():
    p = population_from_points(gpd.GeoDataFrame({"w": [1.0]}, geometry=gpd.points_from_xy([0], [0]), crs=CRS_M), "w")
    with pytest.raises(InputError):
        coverage(p, np.zeros((1, 2)), radii_m=[-5])
    with pytest.raises(InputError, match="no column"):
        population_from_districts(_square(10, 1), "nope")
    with pytest.raises(InputError, match="negative"):
        population_from_points(gpd.GeoDataFrame({"w": [-1.0]}, geometry=gpd.points_from_xy([0], [0]), crs=CRS_M), "w")


def test_large_point_sets_are_assigned_to_districts_exactly():
    # > 200,000 points take the raster-lookup path; it must agree with shapely point-in-polygon
    import shapely

    from egovkit.coverage import population_from_xy

    rng = np.random.default_rng(4)
    seeds = shapely.multipoints(rng.uniform(0, 10_000, (40, 2)))
    frame = box(0, 0, 10_000, 10_000)
    cells = shapely.intersection(np.asarray(shapely.voronoi_polygons(seeds, extend_to=frame).geoms), frame)
    d = gpd.GeoDataFrame({"k": [f"v{i}" for i in range(len(cells))]}, geometry=cells, crs=CRS_M)
    d = d.iloc[1:]  # a hole: points there are outside
    n = 250_000
    x, y = rng.uniform(-100, 10_100, n), rng.uniform(-100, 10_100, n)
    x[:50], y[:50] = 5000.0, 0.0  # on the frame edge
    pop = population_from_xy(x, y, crs=CRS_M, districts=d, key="k")
    pts = shapely.points(x, y)
    truth = np.full(n, -1)
    for i, g in enumerate(d.geometry.values):
        hit = shapely.intersects(g, pts) & (truth < 0)
        truth[hit] = i
    assert np.array_equal(pop.district, truth)


@pytest.mark.parametrize("rmax", [50.0, 100.0, 333.3])
def test_bucketed_point_path_matches_brute_force(rmax):
    rng = np.random.default_rng(int(rmax))
    n = 5000
    # points on a lattice of rmax/4 so that many lie exactly on bucket edges and at distance rmax
    x = rng.integers(0, 60, n) * rmax / 4
    y = rng.integers(0, 40, n) * rmax / 4
    pop = population_from_points(gpd.GeoDataFrame({"w": np.ones(n)}, geometry=gpd.points_from_xy(x, y),
                                                   crs=CRS_M), "w")
    sxy = np.column_stack([rng.integers(0, 60, 30) * rmax / 4, rng.integers(0, 40, 30) * rmax / 4])
    d = nearest_site_distance(pop, sxy, rmax)
    true = _brute(x, y, sxy[:, 0], sxy[:, 1])
    for r in (rmax / 2, rmax * 0.75, rmax):
        assert np.array_equal(d <= r, true <= r)
    fin = np.isfinite(d)
    assert np.array_equal(d[fin], true[fin]) and (true[~fin] > rmax).all()
    assert (true == rmax).any()  # the lattice does produce exact ties at rmax


def test_lonlat_raster_with_districts_and_area_columns():
    # a 0.001-degree lon/lat raster: cell centres are projected to UTM, districts rasterised in lon/lat
    vals = np.arange(1.0, 1.0 + 20 * 30).reshape(20, 30)
    tr = Affine(0.001, 0, 36.80, 0, -0.001, -1.20)
    d = gpd.GeoDataFrame({"k": ["w", "e"]},
                         geometry=[box(36.80, -1.22, 36.815, -1.20), box(36.815, -1.22, 36.83, -1.20)],
                         crs=4326)
    pop = population_from_array(vals, tr, 4326, districts=d, key="k")
    assert pop.grid is None and pop.crs.to_epsg() == 32737
    per = np.bincount(pop.district, weights=pop.weight)
    assert per.tolist() == pytest.approx([vals[:, :15].sum(), vals[:, 15:].sum()])
    site = gpd.GeoSeries.from_xy([36.815], [-1.21], crs=4326)
    t = coverage(pop, site, radii_m=[300], with_area=True)
    w = t[t.district == "w"].iloc[0]
    a = covered_area(pop.districts, site, [300])
    assert w.area_covered_km2 == pytest.approx(a.area_covered_km2.iloc[0])  # first district = "w"
    # the label column of the districts names them; the old keywords still work, with a warning
    assert covered_area(d.to_crs(pop.crs), site, [300], name="k").district.tolist()[:2] == ["w", "e"]
    with pytest.warns(DeprecationWarning) as said:
        old = coverage(pop, site, radii=[300], area=True)
    assert {str(w.message) for w in said} == {"coverage(radii=) is deprecated: use radii_m= (same meaning)",
                                              "coverage(area=) is deprecated: use with_area= (same meaning)"}
    pd.testing.assert_frame_equal(old, t)
    with pytest.warns(DeprecationWarning, match=r"district_names=\) is deprecated: use name="):
        assert covered_area(pop.districts, site, [300], district_names=["w", "e"]).district[0] == "w"
    # half a disc of 300 m on each side of the border, cut by nothing else
    assert w.area_covered_km2 == pytest.approx(np.pi * 0.3**2 / 2, rel=0.01)
    dist = _brute(pop.x, pop.y, *site.to_crs(pop.crs).get_coordinates().to_numpy().T)
    assert t[t.level == "territory"].population_covered.iloc[0] == pytest.approx(pop.weight[dist <= 300].sum())


def test_radius_is_inclusive_and_empty_sites_cover_nobody():
    # 3-4-5 triangles: distances of exactly 100 m and 500 m
    pts = gpd.GeoDataFrame({"w": [1.0, 2.0, 4.0]},
                           geometry=gpd.points_from_xy([60.0, 300.0, 301.0], [80.0, 400.0, 400.0]),
                           crs=CRS_M)
    pop = population_from_points(pts, "w")
    for q in (None, (0.5,)):
        t = coverage(pop, np.array([[0.0, 0.0]]), radii_m=[100, 500], quantiles=q)
        assert t.population_covered.tolist() == [1.0, 3.0]
    vals = np.zeros((10, 10))
    vals[0, 0] = vals[0, 1] = 1.0  # cell centres (50, 950) and (150, 950)
    g = population_from_array(vals, Affine(100.0, 0, 0, 0, -100.0, 1000.0), CRS_M)
    diag = float(np.sqrt(2e4))  # the distance to the second centre, as computed in floating point
    t = coverage(g, np.array([[50.0, 850.0]]), radii_m=[100, np.nextafter(diag, 0)], quantiles=None)
    assert t.population_covered.tolist() == [1.0, 1.0]
    t = coverage(g, np.array([[50.0, 850.0]]), radii_m=[100, diag], quantiles=None)
    assert t.population_covered.tolist() == [1.0, 2.0]
    empty = coverage(pop, np.empty((0, 2)), radii_m=[100])
    assert empty.population_covered.tolist() == [0.0] and np.isinf(empty.median_distance_m).all()


def test_households_ratio_for_district_counts():
    p = population_from_districts(_square(1000, 500.0), "pop", key="name", cell_m=100, households=0.4)
    t = coverage(p, np.array([[500.0, 500.0]]), radii_m=[300], quantiles=None)
    assert t.households.iloc[0] == pytest.approx(200.0)
    assert t.share_households_covered.iloc[0] == pytest.approx(t.share_covered.iloc[0])


@pytest.mark.parametrize("crs", [None, 2263, 3857, "ESRI:54009"])
def test_radius_is_metres_on_the_ground_whatever_the_input_crs(crs):
    """Feet (NY State Plane), Web Mercator and Mollweide inputs give the answer of lon/lat input:
    the coverage runs in the data's UTM zone, never in units that are not ground metres."""
    d = gpd.GeoDataFrame({"k": ["a"], "pop": [1e6]}, geometry=[box(-73.99, 40.70, -73.97, 40.72)], crs=4326)
    sites = gpd.GeoSeries.from_xy([-73.98], [40.71], crs=4326)
    ref = coverage(population_from_districts(d, "pop", key="k", cell_m=5), sites, radii_m=[100])
    p = population_from_districts(d if crs is None else d.to_crs(crs), "pop", key="k", cell_m=5)
    assert p.crs.to_epsg() == 32618
    got = coverage(p, sites if crs is None else sites.to_crs(crs), radii_m=[100])
    assert got["share_covered"].iloc[0] == pytest.approx(ref["share_covered"].iloc[0], rel=1e-9)
    # a 100 m disk in a uniform ~1.7 km x 2.2 km district: pi r^2 / area
    area = d.to_crs(32618).area.iloc[0]
    assert got["share_covered"].iloc[0] == pytest.approx(math.pi * 100**2 / area, rel=0.02)


def test_raster_in_world_projection_is_not_used_as_a_metric_grid():
    """A Mollweide raster (GHSL's CRS) is not a square grid in ground metres: its cells become points in UTM."""
    from pyproj import Transformer

    x0, y0 = Transformer.from_crs(4326, "ESRI:54009", always_xy=True).transform(-74.0, 40.72)
    p = population_from_array(np.ones((30, 30)), Affine(100, 0, x0, 0, -100, y0), "ESRI:54009")
    assert p.grid is None and p.crs.to_epsg() == 32618 and p.total == 900
    assert "population.raster_to_points" in set(p.report.to_frame()["code"])
    ok = population_from_array(np.ones((30, 30)), Affine(100, 0, 580000, 0, -100, 4500000), 32618)
    assert ok.grid is not None  # a UTM raster keeps the fast grid path


def test_weight_layer_in_another_crs_is_moved_not_ignored():
    """Dasymetric weights whose layer chose another UTM zone are moved to the districts' CRS."""
    d = gpd.GeoDataFrame({"k": ["a"], "pop": [1000.0]}, geometry=[box(-72.2, 41.0, -72.1, 41.1)], crs=4326)
    pts = gpd.GeoDataFrame({"w": [1.0, 5.0]}, geometry=gpd.points_from_xy([-72.15, -71.5], [41.05, 41.05]), crs=4326)
    weight = population_from_points(pts, "w")
    assert weight.crs.to_epsg() == 32619  # the layer's own UTM zone (centre -71.8)
    p = population_from_districts(d, "pop", key="k", cell_m=50, weight=weight)
    assert p.crs.to_epsg() == 32618
    assert "population.weight_reprojected" in set(p.report.to_frame()["code"])
    assert p.weight.max() == pytest.approx(1000.0)  # the whole district in the one weighted cell
    target = pts.iloc[:1].to_crs(32618).geometry.iloc[0]
    k = int(np.argmax(p.weight))
    assert abs(p.x[k] - target.x) <= 25 and abs(p.y[k] - target.y) <= 25


def test_radius_below_two_cells_warns_about_the_grid():
    d = _square(1000, 1e4)
    p = population_from_districts(d, "pop", key="name", cell_m=50)
    with pytest.warns(EgovkitWarning, match="less than two population cells"):
        coverage(p, np.array([[500.0, 500.0]]), radii_m=[50, 250])
    import warnings as _w

    with _w.catch_warnings():
        _w.simplefilter("error", EgovkitWarning)
        coverage(p, np.array([[500.0, 500.0]]), radii_m=[100, 250])  # two cells or more: no warning


@pytest.mark.parametrize("kind", ["continuous", "ties", "with_inf", "constant"])
def test_binned_quantiles_equal_the_sorted_definition(kind):
    """Large inputs take binned histograms instead of a full sort: with integer weights (exact sums)
    the quantiles are identical to :func:`weighted_quantiles`, empty districts included (nan)."""
    from egovkit.coverage.engine import _binned_weighted_quantiles

    for seed in range(40):
        rng = np.random.default_rng(seed)
        n, ng = int(rng.integers(1, 4000)), int(rng.integers(1, 40))
        g = rng.integers(0, ng, n)
        v = {"continuous": rng.uniform(0, 1000, n), "ties": rng.integers(0, 20, n).astype(float),
             "with_inf": np.where(rng.random(n) < 0.2, np.inf, rng.exponential(300, n)),
             "constant": np.full(n, 5.0)}[kind]
        w = rng.integers(1, 10, n).astype(float)
        qs = [0.0, 0.1, 0.5, 0.9, 1.0]
        got = _binned_weighted_quantiles(g, v, w, qs, ng)
        assert np.array_equal(got, weighted_quantiles(g, v, w, qs, ng), equal_nan=True), seed


def test_coverage_quantiles_same_through_the_binned_path(monkeypatch):
    import egovkit.coverage.engine as engine

    rng = np.random.default_rng(3)
    d = _square(2000, 1.0)
    pts = gpd.GeoDataFrame({"w": rng.integers(1, 5, 3000).astype(float)},
                           geometry=gpd.points_from_xy(rng.uniform(0, 2000, 3000), rng.uniform(0, 2000, 3000)),
                           crs=CRS_M)
    pop = population_from_points(pts, "w", districts=d, key="name")
    sites = rng.uniform(0, 2000, (5, 2))
    sorted_tab = coverage(pop, sites, radii_m=[100, 300])
    monkeypatch.setattr(engine, "BINNED_QUANTILES_ABOVE", 0)
    binned_tab = coverage(pop, sites, radii_m=[100, 300])
    pd.testing.assert_frame_equal(sorted_tab, binned_tab)
