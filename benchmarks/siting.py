"""Benchmark of siting new Wi-Fi sites at scale (egovkit.coverage.siting). Prints figures; not a test.

Synthetic data generated here (no real data): ``--demand`` population points (default 10^6; 80 % in
60 Gaussian "towns", 20 % scattered) of 1-19 persons in a 40 km square, 300 existing sites whose
people within the radius are removed first (as ``site_new`` does), ``--candidates`` uniform
candidate sites (default 10^5), radius 250 m, ``--k`` new sites (default 50).

Part 1, scale. Each way runs in a fresh child process; its peak memory is the child's ``VmHWM``
minus the ``VmHWM`` it had after generating the instance:

a. egovkit: ``coverage_sets`` (boolean CSR, candidates x demand, grid-bucketed and vectorised)
   + CELF lazy greedy (``greedy_max_cover``), then the Lagrangian upper bound (with the number of
   steps ``site_new`` uses by default for this size, and 100);
b. the same sparse matrix + the plain greedy (``lazy=False``: every gain recomputed each round);
c. the old way (egovkit before issue 13): ``cKDTree.query_ball_point`` on all candidates, one
   sorted numpy array per candidate, lazy greedy over that list.

All three must choose the same sites (checked and printed). Wall and CPU times are printed: on
a shared machine the CPU time (``time.process_time``, all threads) is the steadier figure.

Part 2, exact against greedy on a mid-size instance (30,000 points, 2,000 candidates, k = 25,
8 km square): greedy, the LP relaxation (HiGHS), the Lagrangian bound and the exact MCLP with
``scipy.optimize.milp`` (HiGHS); objectives, bounds, gaps and times.

Part 3, the issue-13 form: 10^5 candidates, k = 100, ``--part3-demand`` points (default 200,000):
greedy time, the bounds, ``exact_max_cover`` (milp) with ``--time-limit`` (default 60 s) and the gaps.

Run: ``.venv/bin/python benchmarks/siting.py`` (about 1-2 minutes and 2.5 GB with the old way on
10^6 points); ``--demand 200000 --candidates 20000`` for a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from siting import instance, old_coverage_sets, old_greedy
from egovkit.coverage.siting import coverage_sets, greedy_max_cover, _lagrangian_bound
def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
mode, nd, nc, k = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
dxy, w, cxy, r = instance(nd, nc)
base = hwm_mb()
t0, c0 = time.perf_counter(), time.process_time()
if mode == "old":
    sets = old_coverage_sets(dxy, cxy, r)
    nnz = sum(len(s) for s in sets)
else:
    a = coverage_sets(dxy, cxy, r)
    nnz = a.nnz
t1, c1 = time.perf_counter(), time.process_time()
if mode == "old":
    chosen, gains = old_greedy(sets, w, k)
else:
    chosen, gains = greedy_max_cover(a, w, k, lazy=(mode == "celf"))
t2, c2 = time.perf_counter(), time.process_time()
out = {"build_s": t1 - t0, "greedy_s": t2 - t1, "build_cpu": c1 - c0, "greedy_cpu": c2 - c1,
       "chosen": [int(j) for j in chosen], "objective": float(sum(gains)),
       "nnz": int(nnz), "demand": int(len(w)), "peak_mb": hwm_mb() - base, "base_mb": base}
if mode == "celf":
    steps = int(np.clip(2e8 / max(a.nnz, 1), 20, 100))  # site_new's default
    for n in (steps, 100):
        t3, c3 = time.perf_counter(), time.process_time()
        out[f"bound_{n}"] = _lagrangian_bound(a, w, min(k, nc), float(sum(gains)), n)
        out[f"bound_{n}_s"], out[f"bound_{n}_cpu"] = time.perf_counter() - t3, time.process_time() - c3
    out["steps"] = steps
    out["total_persons"] = float(w.sum())
print(json.dumps(out))
"""


def instance(n_demand: int, n_cand: int, side: float = 40_000.0, seed: int = 0,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Uncovered demand (x, y), its weights, candidates, radius: towns + scattered people, 300
    existing sites whose people within the radius are dropped first."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    n_town = 60
    centres = rng.uniform(0.1 * side, 0.9 * side, (n_town, 2))
    spread = rng.uniform(300, 2500, n_town)
    share = rng.dirichlet(np.full(n_town, 0.7))
    n_in = int(0.8 * n_demand)
    t = rng.choice(n_town, n_in, p=share)
    xy = np.vstack([centres[t] + rng.normal(0, 1, (n_in, 2)) * spread[t, None],
                    rng.uniform(0, side, (n_demand - n_in, 2))])
    xy = np.clip(xy, 0, side)
    w = rng.integers(1, 20, n_demand).astype(float)
    r = 250.0
    existing = xy[rng.choice(n_demand, 300, replace=False)]
    d, _ = cKDTree(existing).query(xy, distance_upper_bound=r * (1 + 1e-9) + 1e-6)
    keep = ~(d <= r)
    cand = rng.uniform(0, side, (n_cand, 2))
    return xy[keep], w[keep], cand, r


def old_coverage_sets(demand_xy: np.ndarray, cand_xy: np.ndarray, radius: float) -> list[np.ndarray]:
    """egovkit before issue 13: one sorted index array per candidate."""
    from scipy.spatial import cKDTree

    tree = cKDTree(demand_xy)
    lists = tree.query_ball_point(cand_xy, r=float(radius), workers=-1)
    return [np.asarray(sorted(s), dtype=np.int64) for s in lists]


def old_greedy(sets: list[np.ndarray], weights: np.ndarray, k: int) -> tuple[list[int], list[float]]:
    """egovkit before issue 13: lazy greedy over the list of arrays."""
    import heapq

    covered = np.zeros(len(weights), dtype=bool)
    heap = [(-float(weights[s].sum()), j, 0) for j, s in enumerate(sets)]
    heapq.heapify(heap)
    chosen: list[int] = []
    gains: list[float] = []
    while heap and len(chosen) < k:
        neg, j, rnd = heapq.heappop(heap)
        if rnd == len(chosen):
            chosen.append(j)
            gains.append(-neg)
            covered[sets[j]] = True
        else:
            s = sets[j]
            heapq.heappush(heap, (-float(weights[s][~covered[s]].sum()), j, len(chosen)))
    return chosen, gains


def run_child(mode: str, nd: int, nc: int, k: int) -> dict:
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", CHILD, here, mode, str(nd), str(nc), str(k)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def part1(nd: int, nc: int, k: int) -> None:
    print(f"Part 1: {nd:,} population points, {nc:,} candidates, radius 250 m, k = {k}")
    res = {}
    for mode, label in (("celf", "a. sparse CSR + CELF greedy (egovkit)"),
                        ("plain", "b. sparse CSR + plain greedy"),
                        ("old", "c. old: query_ball_point lists + lazy greedy")):
        r = run_child(mode, nd, nc, k)
        res[mode] = r
        print(f"  {label:46s} build {r['build_s']:6.2f} s ({r['build_cpu']:5.2f} s CPU)  greedy {r['greedy_s']:6.2f} s "
              f"({r['greedy_cpu']:5.2f} s CPU)  peak +{r['peak_mb']:5.0f} MB  objective {r['objective']:,.0f}",
              flush=True)
    a = res["celf"]
    print(f"  uncovered demand after 300 existing sites: {a['demand']:,} points ({a['total_persons']:,.0f} persons); "
          f"coverage pairs (non-zeros): {a['nnz']:,}")
    same = res["celf"]["chosen"] == res["plain"]["chosen"] == res["old"]["chosen"]
    print(f"  same {k} sites chosen by a, b and c: {same}")
    cpu = a["build_cpu"] + a["greedy_cpu"]
    for mode in ("plain", "old"):
        r = res[mode]
        print(f"  ratio {mode} / egovkit, CPU time: build + greedy {(r['build_cpu'] + r['greedy_cpu']) / cpu:.1f}x, "
              f"build {r['build_cpu'] / max(a['build_cpu'], 1e-9):.1f}x, greedy "
              f"{r['greedy_cpu'] / max(a['greedy_cpu'], 1e-9):.1f}x; "
              f"peak memory {r['peak_mb'] / max(a['peak_mb'], 1e-9):.1f}x")
    for n in sorted({a["steps"], 100}):
        b = a[f"bound_{n}"]
        print(f"  Lagrangian upper bound, {n} steps{' (site_new default here)' if n == a['steps'] else ''}: {b:,.0f} "
              "in "
              f"{a[f'bound_{n}_s']:.1f} s ({a[f'bound_{n}_cpu']:.1f} s CPU) -> greedy within "
              f"{100 * (b - a['objective']) / b:.2f} % of the optimum")


def part2() -> None:
    from egovkit.coverage.siting import (
        _mclp_model,
        coverage_sets,
        exact_max_cover,
        greedy_max_cover,
        max_cover_bound,
    )

    nd, nc, k, side = 30_000, 2_000, 25, 8_000.0
    rng = np.random.default_rng(1)
    centres = rng.uniform(0, side, (10, 2))
    spread = rng.uniform(300, 2000, 10)
    t = rng.choice(10, int(0.8 * nd), p=rng.dirichlet(np.full(10, 0.7)))
    dxy = np.clip(np.vstack([centres[t] + rng.normal(0, 1, (len(t), 2)) * spread[t, None],
                             rng.uniform(0, side, (nd - len(t), 2))]), 0, side)
    w = rng.integers(1, 20, nd).astype(float)
    cxy = rng.uniform(0, side, (nc, 2))
    print(f"\nPart 2: exact against greedy, {nd:,} points, {nc:,} candidates, k = {k}, radius 250 m, {side / 1000:.0f} "
          "km square")
    t0 = time.perf_counter()
    a = coverage_sets(dxy, cxy, 250.0)
    model = _mclp_model(a, w)
    print(f"  coverage pairs {a.nnz:,}; model after merging identical demand: {model.groups.shape[0]:,} demand "
          f"groups x {model.groups.shape[1]:,} candidates ({time.perf_counter() - t0:.2f} s)")
    t0 = time.perf_counter()
    chosen, gains = greedy_max_cover(a, w, k)
    tg = time.perf_counter() - t0
    greedy = float(sum(gains))
    t0 = time.perf_counter()
    lp = max_cover_bound(a, w, k, time_limit_s=120)
    tl = time.perf_counter() - t0
    t0 = time.perf_counter()
    lag = max_cover_bound(a, w, k, method="lagrangian", lower=greedy, iterations=300)
    tlag = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = exact_max_cover(a, w, k, time_limit_s=120)
    te = time.perf_counter() - t0
    print(f"  greedy (CELF)             {greedy:12,.0f} persons  {tg:7.3f} s")
    print(f"  exact (milp/HiGHS)        {sol.objective:12,.0f} persons  {te:7.2f} s  status {sol.status}, "
          f"MIP gap {100 * sol.mip_gap:.3f} %, dual bound {sol.upper_bound:,.1f}{' (warned)' if caught else ''}")
    print(f"  LP relaxation (HiGHS)     {lp:12,.1f} bound    {tl:7.2f} s")
    print(f"  Lagrangian (300 steps)    {lag:12,.1f} bound    {tlag:7.2f} s  ({100 * (lag - lp) / lp:.2f} % above the "
          "LP)")
    print(f"  gap greedy vs LP bound: {100 * (lp - greedy) / lp:.2f} %; greedy vs exact: "
          f"{100 * (sol.objective - greedy) / sol.objective:.2f} %; exact vs LP bound: "
          f"{100 * (lp - sol.objective) / lp:.3f} %")
    print(f"  checks: exact >= greedy {sol.objective >= greedy - 1e-9}, LP >= exact {lp >= sol.objective - 1e-6}, "
          f"Lagrangian >= LP {lag >= lp - 1e-6}")


def part3(nd: int, nc: int, k: int, time_limit_s: float) -> None:
    """The issue-13 form: 10^5 candidates, k = 100: greedy time, milp time (with a limit), the gap."""
    from egovkit.coverage.siting import (
        _greedy_online_bound,
        _lagrangian_bound,
        _mclp_model,
        coverage_sets,
        exact_max_cover,
        greedy_max_cover,
    )

    dxy, w, cxy, r = instance(nd, nc)
    print(f"\nPart 3: {len(w):,} uncovered points (of {nd:,}), {nc:,} candidates, k = {k}, radius {r:.0f} m, "
          f"milp time limit {time_limit_s:.0f} s")
    t0 = time.perf_counter()
    a = coverage_sets(dxy, cxy, r)
    tb = time.perf_counter() - t0
    model = _mclp_model(a, w)
    print(f"  coverage sets {tb:.2f} s ({a.nnz:,} pairs); MCLP after merging identical demand: "
          f"{model.groups.shape[0]:,} demand groups x {model.groups.shape[1]:,} candidates, {model.groups.nnz:,} "
          "non-zeros")
    t0 = time.perf_counter()
    chosen, gains = greedy_max_cover(a, w, k)
    tg = time.perf_counter() - t0
    greedy = float(sum(gains))
    t0 = time.perf_counter()
    online = _greedy_online_bound(a, w, chosen, k)
    lag = _lagrangian_bound(a, w, k, greedy, 100)
    tlag = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = exact_max_cover(a, w, k, time_limit_s=time_limit_s)
    te = time.perf_counter() - t0
    best_bound = min(lag, online, sol.upper_bound)
    print(f"  greedy (CELF)                  {greedy:12,.0f} persons  {tg:7.2f} s")
    print(f"  bounds: greedy online {online:,.0f}, Lagrangian (100 steps) {lag:,.0f} ({tlag:.1f} s), "
          f"milp dual {sol.upper_bound:,.0f}")
    print(f"  milp (HiGHS, limit {time_limit_s:.0f} s)      {sol.objective:12,.0f} persons  {te:7.2f} s  status "
          f"{sol.status}, incumbent {sol.incumbent}{' (warned)' if caught else ''}")
    print(f"  gap greedy vs best bound: {100 * (best_bound - greedy) / best_bound:.2f} %; milp vs best bound: "
          f"{100 * (best_bound - sol.objective) / best_bound:.2f} %; milp - greedy: {sol.objective - greedy:+,.0f} "
          "persons")
    print(f"  time limit held: {te <= time_limit_s * 1.5 + 15} (milp wall {te:.1f} s for a {time_limit_s:.0f} s limit)")
    from coverage_tiled import _vmhwm_mb  # benchmarks/ is the script's folder, on sys.path

    rss = _vmhwm_mb()
    same = "yes" if sorted(int(j) for j in chosen) == list(sol.chosen) else "no"
    for name, secs, obj in (("greedy", tg, greedy), ("milp", te, sol.objective)):
        print(f"engine={name} cells={len(w)} sites={nc} seconds={secs:.2f} peak_rss_mb={rss:.0f} "
              f"identical={'ref' if name == 'greedy' else same} k={k} objective={obj:.0f} "
              f"gap_to_bound_pct={100 * (best_bound - obj) / best_bound:.2f}")



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demand", type=int, default=1_000_000)
    ap.add_argument("--candidates", type=int, default=100_000)
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--skip-scale", action="store_true", help="skip part 1")
    ap.add_argument("--parts", default="123", help="parts to run, e.g. 3")
    ap.add_argument("--part3-demand", type=int, default=200_000)
    ap.add_argument("--part3-k", type=int, default=100)
    ap.add_argument("--time-limit", type=float, default=60.0, help="milp time limit of part 3, s")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (nproc {os.cpu_count()})")
    if "1" in args.parts and not args.skip_scale:
        part1(args.demand, args.candidates, args.k)
    if "2" in args.parts:
        part2()
    if "3" in args.parts:
        part3(args.part3_demand, args.candidates, args.part3_k, args.time_limit)


if __name__ == "__main__":
    main()
