"""Benchmark of the Wi-Fi coverage engine (egovkit.coverage). Prints figures; not a test.

A synthetic region (generated here, no real data): a 100 m population grid of ``--cells`` cells
(default 10 million, 4,000 x 2,500), ``--sites`` random Wi-Fi sites (50,000) and ``--districts``
Voronoi districts (1,000). Coverage per district for 4 radii (50, 100, 250, 500 m) is computed

1. with the population as a raster (grid stamping path),
2. with the population as the same number of arbitrary points (k-d tree path),

printing time and peak memory of each (setup = building the Population, incl. district lookup,
is timed apart). Then, on a 1-million-cell window, the same answer the straightforward geopandas
way (buffer the sites, union, spatial join of the population points, group by district), both
times and their ratio. Finally egovkit against exact brute-force point-to-site distances on a
sample (disagreements must be 0) and the number of cells where geopandas differs because its
buffers are polygons.

Run: ``.venv/bin/python benchmarks/coverage.py`` (about a minute, ~2 GB at the default size);
``--cells 1000000 --sites 5000 --districts 100`` for a quick run.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from scipy.spatial import cKDTree
from shapely.geometry import box

from egovkit.coverage import coverage, nearest_site_distance, population_from_array, population_from_xy

CRS = 32633
RADII = [50.0, 100.0, 250.0, 500.0]


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


_PEAK = [0]


def _timed(label: str, fn, *args, **kw):
    gc.collect()
    _PEAK[0] = max(_PEAK[0], tracemalloc.get_traced_memory()[1])
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t = time.perf_counter()
    out = fn(*args, **kw)
    dt = time.perf_counter() - t
    cur, top = tracemalloc.get_traced_memory()
    _PEAK[0] = max(_PEAK[0], top)
    print(f"  {label:<44s} {dt:8.2f} s   peak +{_mb(top - base)} (process total {_mb(top)})")
    return out, dt


def _voronoi(n: int, frame, rng) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = frame.bounds
    seeds = np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])
    polys = np.asarray(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame).geoms)
    polys = shapely.intersection(polys, frame)
    return gpd.GeoDataFrame({"district": [f"D{i:04d}" for i in range(len(polys))]}, geometry=polys, crs=CRS)


def _brute_nearest(px: np.ndarray, py: np.ndarray, sxy: np.ndarray, chunk: int = 200) -> np.ndarray:
    out = np.empty(len(px))
    for s in range(0, len(px), chunk):
        dx = px[s:s + chunk, None] - sxy[None, :, 0]
        dy = py[s:s + chunk, None] - sxy[None, :, 1]
        out[s:s + chunk] = np.sqrt(dx * dx + dy * dy).min(axis=1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=10_000_000)
    ap.add_argument("--sites", type=int, default=50_000)
    ap.add_argument("--districts", type=int, default=1_000)
    ap.add_argument("--subset", type=int, default=1_000_000, help="cells in the geopandas comparison window")
    ap.add_argument("--sample", type=int, default=5_000, help="points checked by brute force")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    tracemalloc.start()

    cell = 100.0
    ncol = int(round(np.sqrt(a.cells * 1.6)))
    nrow = a.cells // ncol
    x0, y0 = 200_000.0, 5_500_000.0
    frame = box(x0, y0 - nrow * cell, x0 + ncol * cell, y0)
    print(f"region {ncol} x {nrow} cells of {cell:g} m ({nrow * ncol:,} cells, {frame.area / 1e6:,.0f} km2), "
          f"{a.sites:,} sites, {a.districts:,} districts, radii {RADII}")
    vals = rng.gamma(0.8, 6.0, size=(nrow, ncol)).astype(np.float32)
    tr = Affine(cell, 0, x0, 0, -cell, y0)
    sxy = np.column_stack([rng.uniform(frame.bounds[0], frame.bounds[2], a.sites),
                           rng.uniform(frame.bounds[1], frame.bounds[3], a.sites)])
    districts = _voronoi(a.districts, frame, rng)

    # -- 1. raster form ----------------------------------------------------------------------------
    print("raster form")
    pop_r, t_setup_r = _timed("setup (cells + rasterised districts)", population_from_array, vals, tr, CRS,
                              districts=districts, key="district")
    tab_r, t_cov_r = _timed("coverage, 4 radii, per district", coverage, pop_r, sxy, RADII, quantiles=None)
    _, t_q = _timed("  default call: same + median/p90 distances", coverage, pop_r, sxy, RADII)
    terr = tab_r[tab_r.level == "territory"].set_index("radius_m")["share_covered"]
    print("  territory share covered: " + ", ".join(f"{r:g} m {100 * v:.2f} %" for r, v in terr.items()))
    # exact check on a sample
    samp = rng.choice(len(pop_r), a.sample, replace=False)
    d_eg = nearest_site_distance(pop_r, sxy, max(RADII))[samp]
    d_true = _brute_nearest(pop_r.x[samp], pop_r.y[samp], sxy)
    dis_r = sum(int(((d_eg <= r) != (d_true <= r)).sum()) for r in RADII)
    print(f"  brute-force check on {a.sample:,} cells x {len(RADII)} radii: {dis_r} disagreements")
    # the window for the geopandas comparison: the top-left block of the raster
    side = int(np.sqrt(a.subset))
    sub_vals = vals[:side, :side].copy()
    del pop_r, tab_r
    gc.collect()

    # -- 2. point form -----------------------------------------------------------------------------
    print("point form (same number of arbitrary points)")
    n = nrow * ncol
    px = rng.uniform(frame.bounds[0], frame.bounds[2], n)
    py = rng.uniform(frame.bounds[1], frame.bounds[3], n)
    pw = vals.ravel().astype(np.float64)
    del vals
    pop_p, t_setup_p = _timed("setup (points + exact district lookup)", population_from_xy, px, py, pw, crs=CRS,
                              districts=districts, key="district")
    del px, py, pw
    tab_p, t_cov_p = _timed("coverage, 4 radii, per district", coverage, pop_p, sxy, RADII, quantiles=None)
    samp = rng.choice(len(pop_p), a.sample, replace=False)
    d_eg = nearest_site_distance(pop_p, sxy, max(RADII))[samp]
    d_true = _brute_nearest(pop_p.x[samp], pop_p.y[samp], sxy)
    dis_p = sum(int(((d_eg <= r) != (d_true <= r)).sum()) for r in RADII)
    print(f"  brute-force check on {a.sample:,} points x {len(RADII)} radii: {dis_p} disagreements")
    del pop_p, tab_p
    gc.collect()
    peak_all = max(_PEAK[0], tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()

    # -- 3. the geopandas way on a window -----------------------------------------------------------
    print(f"geopandas way vs egovkit on a {side} x {side} window ({side * side:,} cells)")
    sub_tr = tr
    win = box(x0, y0 - side * cell, x0 + side * cell, y0)
    dsub = districts[districts.intersects(win)].copy()
    dsub["geometry"] = dsub.intersection(win)
    ssub = sxy[(sxy[:, 0] < x0 + side * cell + 500) & (sxy[:, 1] > y0 - side * cell - 500)]

    def geopandas_way() -> tuple[pd.DataFrame, dict[float, np.ndarray]]:
        jj, ii = np.meshgrid(np.arange(side), np.arange(side))
        cx = x0 + (jj.ravel() + 0.5) * cell
        cy = y0 - (ii.ravel() + 0.5) * cell
        pts = gpd.GeoDataFrame({"pop": sub_vals.ravel().astype(float)}, geometry=gpd.points_from_xy(cx, cy), crs=CRS)
        pts = gpd.sjoin(pts, dsub[["district", "geometry"]], predicate="within", how="left")
        pts = pts[~pts.index.duplicated()]
        sites = gpd.GeoSeries.from_xy(ssub[:, 0], ssub[:, 1], crs=CRS)
        res, flags = [], {}
        for r in RADII:
            union = gpd.GeoDataFrame(geometry=[sites.buffer(r).union_all()], crs=CRS).explode(index_parts=False)
            hit = gpd.sjoin(pts[["geometry"]], union, predicate="within", how="inner").index.unique()
            covered = pts.index.isin(hit)
            flags[r] = covered
            g = pts.assign(pop_cov=pts["pop"].where(covered, 0.0)).groupby("district")[["pop", "pop_cov"]].sum()
            res.append(g.assign(radius_m=r))
        return pd.concat(res), flags

    t = time.perf_counter()
    gp_tab, gp_flags = geopandas_way()
    t_gp = time.perf_counter() - t
    print(f"  geopandas (buffer, union, sjoin, groupby)     {t_gp:8.2f} s")
    t = time.perf_counter()
    pop_s = population_from_array(sub_vals, sub_tr, CRS, districts=dsub, key="district")
    t_eg_setup = time.perf_counter() - t
    eg_tab = coverage(pop_s, ssub, RADII, quantiles=None)
    t_eg = time.perf_counter() - t
    print(f"  egovkit (setup + coverage)                    {t_eg:8.2f} s   (coverage alone "
          f"{t_eg - t_eg_setup:.3f} s)")
    print(f"  ratio geopandas / egovkit: {t_gp / t_eg:,.0f}x (setup included), "
          f"{t_gp / (t_eg - t_eg_setup):,.0f}x (coverage alone)")
    d_sub = nearest_site_distance(pop_s, ssub, None)
    # the timed table (radius index stamped on a byte grid) against exact distances (scipy k-d tree,
    # no approximation) summed per district: every district and radius must agree
    d_kd, _ = cKDTree(ssub).query(np.column_stack([pop_s.x, pop_s.y]), k=1)
    bad_pairs = 0
    for r in RADII:
        exact = np.bincount(pop_s.district[pop_s.district >= 0],
                            weights=(pop_s.weight * (d_kd <= r))[pop_s.district >= 0],
                            minlength=len(pop_s.district_names))
        egd = eg_tab[(eg_tab.level == "district") & (eg_tab.radius_m == r)]["population_covered"].to_numpy()
        bad_pairs += int((~np.isclose(egd, exact, rtol=1e-9, atol=1e-6)).sum())
    print(f"  egovkit table vs exact k-d tree distances summed per district: {bad_pairs} of "
          f"{len(pop_s.district_names) * len(RADII)} (district, radius) pairs differ")
    order = pop_s.cell  # flat indices of the populated cells, matching the geopandas point order
    tot_diff = 0
    for r in RADII:
        eg_cov = d_sub <= r
        gp_cov = gp_flags[r][order]
        diff = eg_cov != gp_cov
        tot_diff += int(diff.sum())
        near = np.abs(d_sub[diff] - r).max() if diff.any() else 0.0
        print(f"  r = {r:>4g} m: {int(diff.sum()):,} cells differ from geopandas (all within "
              f"{near:.2f} m of the circle: polygonal buffers, 8 segments per quarter)")
        egd = eg_tab[(eg_tab.level == "district") & (eg_tab.radius_m == r)].set_index("district")
        gpd_r = gp_tab[gp_tab.radius_m == r]
        rel = np.abs(egd.loc[gpd_r.index, "population_covered"].to_numpy() - gpd_r["pop_cov"].to_numpy()).sum()
        print(f"             per-district covered population differs by {rel:,.1f} persons in total "
              f"({100 * rel / max(gpd_r['pop_cov'].sum(), 1):.3f} %)")

    print("summary")
    print(f"  raster form: coverage {t_cov_r:.2f} s (setup {t_setup_r:.2f} s; with distance quantiles "
          f"{t_q:.2f} s, the default call)")
    print(f"  point form : coverage {t_cov_p:.2f} s (setup {t_setup_p:.2f} s)")
    print(f"  peak traced memory {_mb(peak_all)}; process max RSS "
          f"{_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}")
    print(f"  brute-force disagreements: raster {dis_r}, points {dis_p}; table vs exact per district: {bad_pairs}; "
          f"cells differing from geopandas "
          f"(polygon buffers): {tot_diff:,}")


if __name__ == "__main__":
    main()
