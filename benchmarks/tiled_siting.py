"""Siting new sites on a country-size raster read tile by tile (issue 13). Prints figures; not a test.

The synthetic 100 m grid of ``benchmarks/country_scale.py`` (``--cells``, default 10^8, every cell
populated but 3 % nodata, 20,000 random existing sites), k = 100 new sites, radius 250 m. Each way runs
in its own child process (wall time of the siting call and peak resident memory ``VmHWM``):

- ``memory-window``: the straightforward way on a ``--window-cells`` window (default 10^7) of the same
  grid: ``population_from_raster(tiled=False)`` + ``candidate_grid`` (spacing 500 m, as the pipeline)
  + ``site_new`` with the same demand cells;
- ``tiled-window``: ``tiled_site_new`` on that window (the same candidate spacing and demand cells);
  the chosen sites and objective are compared with ``memory-window``;
- ``tiled``: ``tiled_site_new`` on the full grid.

One summary line per way: ``engine=<name> cells=<N> sites=<N> seconds=<S> peak_rss_mb=<M>
identical=<yes|no|ref|-> objective=<P> demand_cells=<N> candidates=<N>`` (identical: the same sites
and objective as ``memory-window``).

Run: ``.venv/bin/python benchmarks/tiled_siting.py`` (a few minutes), or
``--cells 4000000 --window-cells 1000000`` for a quick run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import country_scale as cs  # noqa: E402  (the same synthetic grid)
import coverage_tiled as ct  # noqa: E402  (VmHWM reader)

K, RADIUS, SPACING = 100, 250.0, 500.0


def _child(a: argparse.Namespace) -> None:
    import numpy as np

    from egovkit.coverage import candidate_grid, population_from_raster, raster_tiles, site_new
    from egovkit.coverage.tiled_siting import DEMAND_CELL_FRACTION, tiled_site_new

    warnings.simplefilter("ignore")
    sites = np.load(a.sites_file)
    cell = max(DEMAND_CELL_FRACTION * RADIUS, 100.0)
    t = time.perf_counter()
    if a.child == "memory":
        pop = population_from_raster(a.raster, tiled=False)
        cands = candidate_grid(pop, SPACING)
        out = site_new(pop, sites, cands, K, RADIUS, demand_cell_m=cell)
        res = {"objective": out.attrs["objective_model"], "n_candidates": len(cands), "n_demand": None}
    else:
        tiles = raster_tiles(a.raster, tile_size=1024)
        out = tiled_site_new(tiles, sites, K, RADIUS, demand_cell_m=cell, candidate_spacing_m=SPACING,
                             progress=False)
        res = {"objective": out.attrs["objective_model"], "n_candidates": out.attrs["n_candidates"],
               "n_demand": out.attrs["n_demand_cells"], "capped": out.attrs["candidates_capped"],
               "gap_pct": out.attrs["gap_pct"]}
    res["seconds"] = time.perf_counter() - t
    res["xy"] = [[round(float(p.x), 3), round(float(p.y), 3)] for p in out.geometry]
    res["peak_mb"] = ct._vmhwm_mb()
    print("RESULT " + json.dumps(res))


def _run(mode: str, raster: str, sites: str) -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", mode, "--raster", raster, "--sites-file", sites],
                       capture_output=True, text=True)
    if p.returncode:
        print(p.stdout, p.stderr)
        raise SystemExit(f"child {mode} failed")
    return json.loads(next(line[7:] for line in p.stdout.splitlines() if line.startswith("RESULT ")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=float, default=1e8)
    ap.add_argument("--window-cells", type=float, default=1e7)
    ap.add_argument("--sites", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--child", default=None)
    ap.add_argument("--raster", default=None)
    ap.add_argument("--sites-file", default=None)
    a = ap.parse_args()
    if a.child:
        _child(a)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = cs._make_inputs(int(a.cells), a.sites, 10, a.seed, folder)
        window, nwin = cs._window_raster(files["raster"], int(a.window_cells), folder / "window.tif")
        print(f"k = {K}, radius {RADIUS:g} m, candidate spacing {SPACING:g} m, {a.sites:,} existing sites")
        mem = _run("memory", window, files["sites"])
        tw = _run("tiled", window, files["sites"])
        full = _run("tiled", files["raster"], files["sites"])
        same = "yes" if (tw["xy"] == mem["xy"] and abs(tw["objective"] - mem["objective"]) <= 1e-6 * mem["objective"]) \
            else "no"
        for name, r, n, s in (("memory-window", mem, nwin, "ref"), ("tiled-window", tw, nwin, same),
                              ("tiled", full, int(a.cells), "-")):
            print(f"engine={name} cells={n} sites={a.sites} seconds={r['seconds']:.1f} peak_rss_mb={r['peak_mb']:.0f} "
                  f"identical={s} objective={r['objective']:.0f} demand_cells={r['n_demand']} "
                  f"candidates={r['n_candidates']}"
                  + (f" capped={r['capped']} gap_pct={r['gap_pct']:.2f}" if "capped" in r else ""))


if __name__ == "__main__":
    main()
