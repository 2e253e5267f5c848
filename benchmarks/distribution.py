"""Benchmark of egovkit.distribution on generated districts (not a test: it prints figures).

Generates N districts as a Voronoi tessellation of random points in a 500 km square
(synthetic data), with households and a rate that has a regional trend plus noise, then
computes every indicator of the module: inequality statistics, Theil decomposition by
20 regions, queen weights, global Moran's I and LISA with 999 permutations, global and
spatial empirical Bayes smoothing, lagging districts and the sentence. Prints the time of
each step, the total, and the peak memory (the process's maximum resident set size, before
and after the computations; tracemalloc is not used because it slows Python code down
several-fold and would distort the times).

Then, on the same data in the same run, times the straightforward way: libpysal
``Queen.from_dataframe`` + ``esda.Moran`` + ``esda.Moran_Local`` (same permutations) + a plain
unweighted Gini and Theil T with numpy/pandas, and prints both times and the ratio. egovkit
does more than the baseline (island handling, validation reports, household-weighted
statistics, Theil decomposition, empirical Bayes, lagging districts), so the ratio is the
price of that extra work, not a like-for-like race.

Usage::

    .venv/bin/python benchmarks/distribution.py            # 10,000 districts
    .venv/bin/python benchmarks/distribution.py --n 2000 --permutations 99
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import geopandas as gpd
import numpy as np
import shapely

from egovkit.distribution import (
    global_moran,
    inequality,
    lagging_districts,
    lagging_summary,
    local_moran,
    smooth_rates,
    spatial_weights,
    theil_decomposition,
)


def make_districts(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` synthetic districts (Voronoi cells) with households and households with internet."""
    rng = np.random.default_rng(seed)
    side = 500_000.0
    pts = rng.uniform(0, side, (n, 2))
    box = shapely.box(0, 0, side, side)
    cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box)
    cells = shapely.intersection(np.asarray(shapely.get_parts(cells)), box)
    # voronoi_polygons does not keep the input order: give each cell the point it contains
    centroids = shapely.points(pts)
    tree = shapely.STRtree(cells)
    idx_pt, idx_cell = tree.query(centroids, predicate="within")
    order = np.empty(n, dtype=int)
    order[idx_pt] = idx_cell
    cells = cells[order]
    households = np.round(rng.lognormal(8.5, 1.0, n)) + 5
    trend = 0.05 + 0.35 * (pts[:, 0] / side) * (pts[:, 1] / side)
    rate = np.clip(trend + rng.normal(0, 0.04, n), 0.005, 0.95)
    internet = rng.binomial(households.astype(int), rate).astype(float)
    internet = np.maximum(internet, 1.0)
    region = (np.floor(pts[:, 0] / side * 5) * 4 + np.floor(pts[:, 1] / side * 4)).astype(int)
    return gpd.GeoDataFrame({"name": [f"D{i:05d}" for i in range(n)], "numerator_internet": internet,
                             "denominator_internet": households, "region": [f"R{r:02d}" for r in region]},
                            geometry=cells, crs="EPSG:32637")


def straightforward(gdf: gpd.GeoDataFrame, permutations: int) -> dict[str, float]:
    """Time the plain libpysal/esda/numpy way on the same districts; returns seconds per step."""
    import esda
    from libpysal.weights import Queen

    times: dict[str, float] = {}
    t = time.perf_counter()
    y = (gdf["numerator_internet"] / gdf["denominator_internet"]).to_numpy()
    ys = np.sort(y)
    n = len(ys)
    gini = (2 * np.arange(1, n + 1) - n - 1) @ ys / (n * ys.sum())
    r = y / y.mean()
    theil_t = float(np.mean(r * np.log(r)))
    times["Gini + Theil T (numpy, unweighted)"] = time.perf_counter() - t
    t = time.perf_counter()
    w = Queen.from_dataframe(gdf, use_index=True)
    w.transform = "r"
    times["libpysal Queen.from_dataframe"] = time.perf_counter() - t
    t = time.perf_counter()
    mi = esda.Moran(y, w, permutations=permutations)
    times["esda.Moran"] = time.perf_counter() - t
    t = time.perf_counter()
    lm = esda.Moran_Local(y, w, permutations=permutations)
    times["esda.Moran_Local"] = time.perf_counter() - t
    times["_gini"], times["_theil"], times["_moran"] = gini, theil_t, mi.I
    times["_lisa_sig"] = float((lm.p_sim < 0.05).sum())
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--permutations", type=int, default=999)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    gdf = make_districts(args.n)
    print(f"{args.n:,} synthetic districts, {args.permutations} permutations")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    t_all = time.perf_counter()
    steps: list[tuple[str, float]] = []

    def step(name, fn):
        t = time.perf_counter()
        out = fn()
        steps.append((name, time.perf_counter() - t))
        return out

    kw = dict(indicator="internet", name="name")
    ineq = step("inequality (Gini, Theil T/L, CV, ratios, shares)", lambda: inequality(gdf, threshold=0.1, **kw))
    dec = step("Theil decomposition (20 regions)", lambda: theil_decomposition(gdf, "region", **kw))
    sw = step("queen contiguity weights", lambda: spatial_weights(gdf, method="queen", name="name"))
    mor = step("global Moran's I", lambda: global_moran(gdf, weights=sw, permutations=args.permutations, **kw))
    lisa = step("LISA", lambda: local_moran(gdf, weights=sw, permutations=args.permutations, **kw))
    step("empirical Bayes (global)", lambda: smooth_rates(gdf, **kw))
    step("empirical Bayes (spatial)", lambda: smooth_rates(gdf, method="spatial", weights=sw, **kw))
    step("lagging districts + sentence", lambda: (lagging_districts(gdf, **kw),
                                                 lagging_summary(gdf, district_word="district", **kw)))
    total = time.perf_counter() - t_all
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    for name, sec in steps:
        print(f"  {name:<50s} {sec:7.2f} s")
    print(f"  {'TOTAL':<50s} {total:7.2f} s   (target < 15 s on 2 cores)")
    print(f"  peak memory (max resident set size): {rss:.0f} MiB ({rss0:.0f} MiB after imports and data "
          f"generation, so +{rss - rss0:.0f} MiB for the computations)")
    s = ineq.set_index("statistic")["value"]
    print(f"  Gini {s['gini']:.3f}, Theil T {s['theil_t']:.3f} (between regions "
          f"{dec.summary.loc[0, 'share_between']:.0%}), Moran's I {mor['moran_i'].item():.3f} "
          f"(p_sim {mor['p_sim'].item():.3f}), LISA clusters: "
          f"{(lisa['lisa_cluster'] != 'not significant').sum():,}, islands: {len(sw.islands)}")
    egov_core = sum(sec for name, sec in steps if name.startswith(("inequality", "queen", "global", "LISA")))

    print("straightforward way on the same data (libpysal Queen + esda Moran/Moran_Local + numpy Gini/Theil):")
    base = straightforward(gdf, args.permutations)
    base_total = sum(v for k, v in base.items() if not k.startswith("_"))
    for name, sec in base.items():
        if not name.startswith("_"):
            print(f"  {name:<50s} {sec:7.2f} s")
    print(f"  {'TOTAL':<50s} {base_total:7.2f} s")
    print(f"  Gini {base['_gini']:.3f} (unweighted), Theil T {base['_theil']:.3f} (unweighted), "
          f"Moran's I {base['_moran']:.3f}, LISA p_sim < 0.05: {base['_lisa_sig']:,.0f}")
    print(f"  ratio egovkit / straightforward, same four steps (inequality, weights, Moran, LISA): "
          f"{egov_core:.2f} / {base_total:.2f} s = {egov_core / base_total:.1f} x")
    print(f"  ratio egovkit / straightforward, whole egovkit run: {total:.2f} / {base_total:.2f} s = "
          f"{total / base_total:.1f} x")
    print("  (egovkit does more: island handling, validation reports, household-weighted statistics,\n"
          "   Theil decomposition, empirical Bayes smoothing, lagging districts and the sentence);\n"
          "  the baseline uses esda defaults: Moran_Local keeps its n x permutations simulations\n"
          "  (keep_simulations=True), which egovkit turns off, hence egovkit's faster LISA step")


if __name__ == "__main__":
    main()
