"""Tiled coverage of a raster on disk (egovkit.coverage.tiled): the same table as the in-memory
engine to the last bit, whatever the tiling or the machine; ground metres for lon/lat and
Mollweide rasters; no data reported, not summed; a dask cluster gives the same bits."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import CRS, Geod, Transformer
from shapely.geometry import box

from egovkit.coverage import (
    RasterTiles,
    coverage,
    coverage_gaps,
    population_from_raster,
    raster_tiles,
    tiled_coverage,
    tiled_coverage_gaps,
)
from egovkit.coverage import tiled as tiled_mod
from egovkit.coverage._exactsum import collapse, exact_bincount
from egovkit.errors import InputError

RADII = [50.0, 100.0, 250.0, 500.0]


def _write(path, vals, transform, crs, nodata=None):
    with rasterio.open(path, "w", driver="GTiff", width=vals.shape[1], height=vals.shape[0], count=1,
                       dtype=str(vals.dtype), crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(vals[None])
    return path


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal tables: same columns, every value equal with ``==`` (NaN where NaN)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f":
            assert ((x == y) | (np.isnan(x) & np.isnan(y))).all(), c
        else:
            na = pd.isna(x)
            assert (na == pd.isna(y)).all() and (x[~na] == y[~na]).all(), c


@pytest.fixture(scope="module")
def utm_raster(tmp_path_factory):
    """A 150 x 170 grid of 100 m cells in UTM 33N with nodata, NaN, negative and +inf cells, 12 Voronoi
    districts (one left out: its cells are outside every district) and 300 sites."""
    rng = np.random.default_rng(7)
    h, w = 150, 170
    vals = rng.gamma(0.8, 6.0, size=(h, w)).astype(np.float32)
    vals[rng.random((h, w)) < 0.3] = 0
    kinds = rng.random((h, w))
    vals[kinds < 0.05] = -9999  # nodata
    vals[(kinds >= 0.05) & (kinds < 0.08)] = np.nan
    vals[(kinds >= 0.08) & (kinds < 0.09)] = -2.5
    vals[(kinds >= 0.09) & (kinds < 0.092)] = np.inf
    x0, y0 = 500_000.0, 4_100_000.0
    tr = Affine(100, 0, x0, 0, -100, y0)
    path = _write(tmp_path_factory.mktemp("tiled") / "utm.tif", vals, tr, "EPSG:32633", nodata=-9999)
    frame = box(x0, y0 - h * 100, x0 + w * 100, y0)
    seeds = np.column_stack([rng.uniform(x0, x0 + w * 100, 12), rng.uniform(y0 - h * 100, y0, 12)])
    polys = shapely.intersection(np.asarray(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                                     extend_to=frame).geoms), frame)
    d = gpd.GeoDataFrame({"name": [f"D{i}" for i in range(len(polys))]}, geometry=polys, crs=32633).iloc[1:]
    sites = np.column_stack([rng.uniform(x0 - 400, x0 + w * 100 + 400, 300),
                             rng.uniform(y0 - h * 100 - 400, y0 + 400, 300)])
    return path, vals, d, sites


@pytest.mark.parametrize("quantiles", [None, (0.5, 0.9)])
def test_tiled_equals_in_memory_to_the_last_bit_whatever_the_tile_size(utm_raster, quantiles):
    path, _, d, sites = utm_raster
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mem = coverage(population_from_raster(path, districts=d, key="name", households_per_person=0.3,
                                              tiled=False), sites, RADII, quantiles=quantiles)
        for size in (1000, 64, 37, 4):  # 4 cells = 400 m: the 500 m radius is larger than a tile
            t = raster_tiles(path, districts=d, key="name", households_per_person=0.3, tile_size=size)
            _same(mem, tiled_coverage(t, sites, RADII, quantiles=quantiles, progress=False))
    assert mem.population_covered.gt(0).any() and (mem.share_covered < 1).any()  # not a trivial table


def test_tiled_reports_nodata_nan_negative_and_infinite_cells_and_conserves_the_total(utm_raster):
    path, vals, d, sites = utm_raster
    t = raster_tiles(path, districts=d, key="name", tile_size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tab = tiled_coverage(t, sites, [100], quantiles=None, progress=False)
    good = np.isfinite(vals) & (vals > 0)
    expected = float(vals[good].astype(np.float64).sum())
    assert t.total == pytest.approx(expected, rel=1e-12)
    assert tab.loc[tab.level == "territory", "population"].iloc[0] == t.total
    text = str(t.report)
    for n, what in ((int((vals == -9999).sum()), "nodata"), (int(np.isnan(vals).sum()), "NaN"),
                    (int(((vals < 0) & (vals != -9999)).sum()), "negative"), (int(np.isinf(vals).sum()), "infinite"),
                    (int(good.sum()), "populated")):
        assert f"{n:,} {what}" in text
    assert "outside every district" in text  # the district left out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiled_coverage(t, sites, [250], quantiles=None, progress=False)
    assert str(t.report) == text  # said once, not at every call


def test_population_from_raster_dispatches_to_tiles_above_the_threshold(utm_raster, monkeypatch):
    path, _, d, sites = utm_raster
    monkeypatch.setattr(tiled_mod, "TILED_ABOVE_CELLS", 1000)
    p = population_from_raster(path, districts=d, key="name")
    assert isinstance(p, RasterTiles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        via_dispatch = coverage(p, sites, [100, 250], quantiles=None)
        mem = coverage(population_from_raster(path, districts=d, key="name", tiled=False), sites, [100, 250],
                       quantiles=None)
    _same(mem, via_dispatch)
    gaps = coverage_gaps(p, sites, 250, top=5)  # gap zones dispatch too
    assert len(gaps) == 5 and gaps.attrs["block"] == 1
    monkeypatch.setattr(tiled_mod, "TILED_ABOVE_CELLS", 10**9)
    assert not isinstance(population_from_raster(path), RasterTiles)


def test_exact_sums_do_not_depend_on_order_or_chunks():
    rng = np.random.default_rng(0)
    w = rng.gamma(0.8, 6.0, size=20_000)
    g = rng.integers(0, 7, size=len(w))
    whole = collapse(exact_bincount(g, w, 7))
    perm = rng.permutation(len(w))
    chunks = sum(exact_bincount(g[perm][s:s + 999], w[perm][s:s + 999], 7) for s in range(0, len(w), 999))
    assert (collapse(chunks) == whole).all()
    import math
    assert whole.tolist() == [math.fsum(w[g == i]) for i in range(7)]  # the correctly rounded sums
    with pytest.raises(InputError):
        exact_bincount(np.array([0]), np.array([np.nan]), 1)


def test_in_memory_table_does_not_depend_on_the_order_of_the_points():
    # the engine's exact sums: shuffled points give the same bits (a float bincount would not)
    from egovkit.coverage import population_from_xy

    rng = np.random.default_rng(5)
    n = 20_000
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    w = rng.gamma(0.8, 6.0, n)
    d = gpd.GeoDataFrame({"k": ["a", "b"]}, geometry=[box(0, 0, 2500, 5000), box(2500, 0, 5000, 5000)], crs=32633)
    sites = rng.uniform(0, 5000, (40, 2))
    t1 = coverage(population_from_xy(x, y, w, crs=32633, households=0.3, districts=d, key="k"), sites, RADII)
    p = rng.permutation(n)
    t2 = coverage(population_from_xy(x[p], y[p], w[p], crs=32633, households=0.3, districts=d, key="k"), sites,
                  RADII)
    _same(t1, t2)
    assert t1.population.iloc[-1] == collapse(exact_bincount(np.zeros(n, np.int64), w, 1))[0]


def _geodesic_covered(lon, lat, slon, slat, r):
    geod = Geod(ellps="WGS84")
    best = np.full(len(lon), np.inf)
    for a, b in zip(slon, slat):
        _, _, dist = geod.inv(np.full(len(lon), a), np.full(len(lon), b), lon, lat)
        best = np.minimum(best, dist)
    return best


@pytest.mark.parametrize("crs", ["EPSG:4326", "ESRI:54009"])
def test_lonlat_and_mollweide_rasters_give_ground_metres(tmp_path, crs):
    # 1 person per cell of about 90 m around Nairobi; 5 sites; a cell is covered iff its geodesic
    # distance to a site is within r, except within the stated 0.15 % of r
    lon0, lat0 = 36.8, -1.3
    if crs == "EPSG:4326":
        c = 3 / 3600  # 3 arc-seconds, as WorldPop
        tr = Affine(c, 0, lon0, 0, -c, lat0)
    else:
        x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon0, lat0)
        tr = Affine(90, 0, x, 0, -90, y)
    vals = np.ones((60, 80), dtype=np.float32)
    path = _write(tmp_path / "pop.tif", vals, tr, crs)
    rows, cols = np.divmod(np.arange(vals.size), vals.shape[1])
    xs, ys = tr.c + (cols + 0.5) * tr.a, tr.f + (rows + 0.5) * tr.e
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(xs, ys)
    rng = np.random.default_rng(2)
    slon = rng.uniform(lon.min(), lon.max(), 5)
    slat = rng.uniform(lat.min(), lat.max(), 5)
    sites = gpd.GeoSeries.from_xy(slon, slat, crs=4326)
    t = raster_tiles(path, tile_size=25)
    tab = tiled_coverage(t, sites, [300.0, 600.0], quantiles=None, progress=False)
    d = _geodesic_covered(lon, lat, slon, slat, 600)
    for r in (300.0, 600.0):
        lo, hi = int((d <= r * (1 - 0.0015)).sum()), int((d <= r * (1 + 0.0015)).sum())
        got = tab.loc[tab.radius_m == r, "population_covered"].iloc[0]
        assert lo <= got <= hi and lo > 0
    assert t.total == vals.size  # total conserved
    assert "UTM zone 37S" in str(t.report)


def test_raster_of_no_population_is_an_input_error(tmp_path):
    path = _write(tmp_path / "empty.tif", np.full((10, 10), -1.0, dtype=np.float32),
                  Affine(100, 0, 500000, 0, -100, 4000000), "EPSG:32633", nodata=-1)
    with pytest.raises(InputError, match="no population"):
        tiled_coverage(raster_tiles(path, tile_size=4), np.array([[500000.0, 4000000.0]]), [250], progress=False)


@pytest.mark.realdata
def test_singapore_grid_tiled_equals_in_memory(shared_data):
    path = next((shared_data / "singapore-population-raster").glob("*.tif"))
    with rasterio.open(path) as s:
        b = s.bounds
    rng = np.random.default_rng(1)
    sites = gpd.GeoSeries.from_xy(rng.uniform(b.left, b.right, 300), rng.uniform(b.bottom, b.top, 300), crs=4326)
    xs, ys = np.linspace(b.left, b.right, 4), np.linspace(b.bottom, b.top, 3)
    d = gpd.GeoDataFrame({"name": [f"d{i}{j}" for i in range(3) for j in range(2)]},
                         geometry=[box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(3) for j in range(2)],
                         crs=4326)
    for q in (None, (0.5, 0.9)):
        mem = coverage(population_from_raster(path, districts=d, key="name", tiled=False), sites,
                       [100, 250, 500], quantiles=q)
        t = raster_tiles(path, districts=d, key="name", tile_size=128)
        _same(mem, tiled_coverage(t, sites, [100, 250, 500], quantiles=q, progress=False))
    assert t.total == pytest.approx(5_399_000.0, abs=0.1)  # float32 cells: 5,398,999.96
    assert "19,598 populated" in str(t.report) and "5,399,000.0 persons" in str(t.report)


def test_dask_local_cluster_gives_the_same_bits(utm_raster):
    distributed = pytest.importorskip("distributed")
    path, _, d, sites = utm_raster
    t = raster_tiles(path, districts=d, key="name", households_per_person=0.3, tile_size=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = tiled_coverage(t, sites, RADII, progress=False)
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      silence_logs=40) as cluster, distributed.Client(cluster) as client:
            there = tiled_coverage(t, sites, RADII, client=client, progress=False)
            assert len(client.scheduler_info()["workers"]) == 2
    _same(here, there)


@pytest.mark.parametrize("split", [False, True])
def test_tiled_gap_zones_equal_the_in_memory_ones_on_the_raster_cells(utm_raster, split):
    path, _, d, sites = utm_raster
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mem = coverage_gaps(population_from_raster(path, districts=d, key="name", tiled=False), sites, 250,
                            split_by_district=split)
        t = raster_tiles(path, districts=d, key="name", tile_size=45)
        til = tiled_coverage_gaps(t, sites, 250, split_by_district=split)
        coarse = tiled_coverage_gaps(t, sites, 250, block=4, split_by_district=split)
    assert len(mem) > 3 and til.attrs["block"] == 1
    _same(pd.DataFrame(mem.drop(columns="geometry")), pd.DataFrame(til.drop(columns="geometry")))
    assert mem.geometry.geom_equals_exact(til.geometry, 0).all()
    # blocks of 4 x 4 cells: fewer, larger zones holding the same uncovered persons
    assert coarse.attrs["block"] == 4 and len(coarse) <= len(mem)
    assert coarse.population.sum() == pytest.approx(mem.population.sum(), rel=1e-12)


@pytest.mark.realdata
def test_singapore_gap_zones_on_the_raster_cells_hold_the_same_uncovered_persons(shared_data):
    path = next((shared_data / "singapore-population-raster").glob("*.tif"))
    with rasterio.open(path) as s:
        b = s.bounds
    rng = np.random.default_rng(1)
    sites = gpd.GeoSeries.from_xy(rng.uniform(b.left, b.right, 300), rng.uniform(b.bottom, b.top, 300), crs=4326)
    mem = coverage_gaps(population_from_raster(path, tiled=False), sites, 500)
    til = tiled_coverage_gaps(raster_tiles(path, tile_size=128), sites, 500)
    # the in-memory zones are on a 100 m UTM grid, the tiled ones on the raster's 3" cells
    assert til.crs == CRS(4326) and til.population.sum() == pytest.approx(mem.population.sum(), rel=1e-9)
    assert til.area_km2.iloc[0] == pytest.approx(mem.area_km2.iloc[0], rel=0.1)
