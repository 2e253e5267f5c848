"""Siting new Wi-Fi sites on a population raster read tile by tile (national grids).

:func:`~egovkit.coverage.site_new` needs every population point in memory. On a raster that goes
through the tiled path (:mod:`egovkit.coverage.tiled`), :func:`tiled_site_new` streams the tiles
instead (here or as dask tasks) and keeps only what siting needs:

1. in each tile, the populated cells farther than the radius from every existing site (the
   existing sites stay fixed, as in ``site_new``), with the same distances as the tiled coverage;
2. pass 1 (without given candidates): that uncovered population summed on a grid of
   ``candidate_spacing_m`` (default: the radius) in one projected siting CRS for the whole territory
   (the raster's own when it is metric, else :func:`egovkit.geo.projected_crs` of its extent, whose
   largest scale error over the extent is reported); the centres of the ``max_candidates`` most
   populated cells are the candidates (the others are counted in a note);
3. pass 2: the uncovered cells aggregated to demand cells of ``demand_cell_m`` (default: a fifth of
   the radius, never finer than the raster, see :data:`DEMAND_CELL_FRACTION`) at their
   population-weighted centre, keeping only the demand cells a candidate can reach (cells on tile
   borders summed once), then :func:`~egovkit.coverage.site_new` on that demand (CELF greedy and
   its bound to the optimum, or the exact model).

Memory is bounded by the candidate grid and the demand within reach of the candidates (about
``max_candidates x (radius / demand cell)^2`` cells), not by the country's grid.

Examples
--------
>>> import tempfile, rasterio
>>> from rasterio.transform import from_origin
>>> from egovkit.coverage.tiled import raster_tiles
>>> path = tempfile.mkdtemp() + "/pop.tif"
>>> arr = np.zeros((20, 20), dtype="float32"); arr[2, 2] = 50; arr[15, 15] = 80
>>> with rasterio.open(path, "w", driver="GTiff", height=20, width=20, count=1, dtype="float32",
...                    crs="EPSG:32637", transform=from_origin(500000, 100000, 100, 100)) as dst:
...     dst.write(arr, 1)
>>> tiles = raster_tiles(path, tile_size=8)
>>> new = tiled_site_new(tiles, np.empty((0, 2)), 1, 250, progress=False)
>>> new["population_added"].tolist()
[80.0]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from ..errors import InputError
from .engine import site_coordinates
from .population_grid import Population
from .siting import site_new
from .tiled_raster import RasterTiles
from .tiled_tile import _Job, _map_tiles, _site_xy, _tile_cells, _tile_crs

__all__ = ["tiled_site_new", "DEMAND_CELL_FRACTION", "MAX_CANDIDATES"]

#: Default demand cell, as a fraction of the radius: a demand cell's people sit within
#: ``cell * sqrt(2) / 2`` of their weighted centre, so at radius/5 a site "reaches" a cell whose
#: centre is within the radius while some of its people may be up to 14 % of the radius farther
#: (or nearer). The population each chosen site adds is counted on these cells.
DEMAND_CELL_FRACTION = 0.2
#: Default cap on candidate sites (the most populated candidate cells are kept): 10^5 candidates
#: is where CELF greedy on sparse coverage sets was benchmarked (benchmarks/siting.py).
MAX_CANDIDATES = 100_000

_TRANSFORMERS: dict[tuple[str, str], Transformer] = {}


def _to_siting_crs(src_wkt: str, dst_wkt: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if src_wkt == dst_wkt:
        return x, y
    key = (src_wkt, dst_wkt)
    if key not in _TRANSFORMERS:
        if len(_TRANSFORMERS) > 16:
            _TRANSFORMERS.clear()
        _TRANSFORMERS[key] = Transformer.from_crs(CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt), always_xy=True)
    xx, yy = _TRANSFORMERS[key].transform(x, y)
    return np.asarray(xx, dtype=float), np.asarray(yy, dtype=float)


def _demand_tile(job: _Job, win: tuple[int, int, int, int], crs_key: str, siting_wkt: str,
                 cell_m: float, cand_xy: np.ndarray | None = None, reach_m: float = 0.0) -> dict[str, np.ndarray]:
    """The uncovered populated cells of one tile, aggregated to demand cells in the siting CRS; with
    ``cand_xy``, only the demand cells whose square comes within ``reach_m`` of a candidate (a superset
    of every cell a candidate can cover, whatever the cell's weighted centre once merged)."""
    cells = _tile_cells(job, win, crs_key)
    unc = np.asarray(cells["first"]) >= len(job.radii)  # farther than the radius from every site
    local, w = np.asarray(cells["local"])[unc], np.asarray(cells["w"])[unc]
    covered = float(np.asarray(cells["w"])[~unc].sum())
    r0, c0, _, width = win
    lr, lc = np.divmod(local, width)
    rows, cols = lr + r0, lc + c0
    t = job.transform
    xs = t.c + (cols + 0.5) * t.a + (rows + 0.5) * t.b
    ys = t.f + (cols + 0.5) * t.d + (rows + 0.5) * t.e
    x, y = _to_siting_crs(job.crs_wkt, siting_wkt, xs, ys)
    i, j = np.floor(x / cell_m).astype(np.int64), np.floor(y / cell_m).astype(np.int64)
    if len(w) == 0:
        empty = np.empty(0)
        return {"i": empty.astype(np.int64), "j": empty.astype(np.int64), "w": empty, "wx": empty, "wy": empty,
                "covered": covered, "uncovered": 0.0}
    g = pd.DataFrame({"i": i, "j": j, "w": w, "wx": w * x, "wy": w * y}).groupby(["i", "j"], sort=True).sum()
    if cand_xy is not None:
        from scipy.spatial import cKDTree

        gi, gj = g.index.get_level_values(0).to_numpy(), g.index.get_level_values(1).to_numpy()
        centre = np.column_stack([(gi + 0.5) * cell_m, (gj + 0.5) * cell_m])
        bound = reach_m + cell_m * np.sqrt(0.5)
        d, _ = cKDTree(cand_xy).query(centre, k=1, distance_upper_bound=bound * (1 + 1e-9) + 1e-6)
        g = g[np.isfinite(d)]
    return {"i": g.index.get_level_values(0).to_numpy(), "j": g.index.get_level_values(1).to_numpy(),
            "w": g["w"].to_numpy(), "wx": g["wx"].to_numpy(), "wy": g["wy"].to_numpy(),
            "covered": covered, "uncovered": float(w.sum())}


def tiled_site_new(
    tiles: RasterTiles,
    sites: Any,
    k: int,
    radius_m: float,
    *,
    demand_cell_m: float | None = None,
    candidates: Any = None,
    candidate_spacing_m: float | None = None,
    max_candidates: int = MAX_CANDIDATES,
    method: str = "greedy",
    time_limit_s: float | None = 120,
    client: Any = None,
    progress: bool | None = None,
    sites_crs: Any = None,
) -> gpd.GeoDataFrame:
    """:func:`~egovkit.coverage.site_new` for a population raster on disk, tile by tile.

    Parameters
    ----------
    tiles
        From :func:`~egovkit.coverage.raster_tiles` (or ``population_from_raster`` on a large raster).
    sites, sites_crs
        Existing sites, kept fixed (as for :func:`~egovkit.coverage.tiled_coverage`).
    k, radius_m
        Number of new sites and the coverage radius in metres.
    demand_cell_m
        Size of the demand cells the uncovered population is aggregated to; default
        ``DEMAND_CELL_FRACTION * radius_m`` (never finer than the raster's cells).
    candidates
        Candidate points (GeoDataFrame/GeoSeries in any CRS, or an ``(n, 2)`` array in the siting
        CRS); default: the centres of a ``candidate_spacing_m`` grid (default: the radius) over the
        uncovered demand, the ``max_candidates`` most populated.
    method, time_limit_s
        As for :func:`~egovkit.coverage.site_new`.
    client, progress
        A ``dask.distributed.Client`` for the tiles, and a progress bar (as for ``tiled_coverage``).

    Returns
    -------
    GeoDataFrame
        The columns and ``attrs`` of :func:`~egovkit.coverage.site_new`, in the siting CRS, with
        ``share_added_cum`` over the raster's whole population; ``attrs`` also holds
        ``demand_cell_m``, ``n_demand_cells``, ``n_candidates``, ``candidates_capped`` (candidate
        cells left out by ``max_candidates``), ``siting_crs`` and ``scale_error`` (largest relative
        distance error of the siting CRS over the raster's extent).

    Examples
    --------
    See the module docstring.
    """
    from .. import settings
    from ..geo import projected_crs, scale_error

    if k < 0:
        raise InputError(code="siting.negative_k", params={"k": k})
    radius = float(radius_m)
    if not np.isfinite(radius) or radius <= 0:
        raise InputError(code="siting.bad_radius", params={"radius": repr(radius_m)})
    if progress is None:
        progress = bool(settings.progress)
    extent = tiles._extent()
    siting = tiles.crs if tiles.metric else projected_crs(extent)
    err = 0.0 if tiles.metric else float(scale_error(siting, gpd.GeoDataFrame(geometry=extent)))
    raster_cell = abs(float(tiles.transform.a)) if tiles.metric else 0.0
    cell = float(demand_cell_m) if demand_cell_m is not None else max(DEMAND_CELL_FRACTION * radius, raster_cell)
    if not np.isfinite(cell) or cell <= 0:
        raise InputError(code="siting.bad_demand_cell", params={"cell": repr(demand_cell_m)})

    windows = tiles.windows()
    keys, _ = _tile_crs(tiles, windows)
    site_xy = _site_xy(tiles, sites, keys, sites_crs)
    geoms = None  # districts are not needed per tile: the chosen sites are placed in them at the end
    job = _Job(str(tiles.path), tiles.band, tiles.shape, tiles.transform, tiles.crs.to_wkt(), tiles.metric,
               geoms, 0, np.array([radius]), site_xy, False, None, -1 if client is None else 1)
    wkt = siting.to_wkt()

    def stream(cell_m: float, cand_xy: np.ndarray | None, desc: str) -> tuple[pd.DataFrame, float, float]:
        parts = _map_tiles(_demand_tile, job, [(win, key, wkt, cell_m, cand_xy, radius)
                                               for win, key in zip(windows, keys)], client, progress, desc)
        merged = pd.DataFrame({n: np.concatenate([p[n] for p in parts]) if parts else np.empty(0)
                               for n in ("i", "j", "w", "wx", "wy")})
        if len(merged):
            merged = merged.groupby(["i", "j"], sort=True).sum()  # cells on tile borders: one demand cell
        return merged, float(sum(p["covered"] for p in parts)), float(sum(p["uncovered"] for p in parts))

    capped = 0
    if candidates is None:
        # pass 1: the uncovered population on the candidate grid; the most populated cells are the
        # candidates (their centres), at most max_candidates
        spacing = float(candidate_spacing_m) if candidate_spacing_m is not None else radius
        coarse, _, _ = stream(spacing, None, "siting candidates")
        cg = coarse["w"]
        if len(cg) > max_candidates:
            capped = len(cg) - int(max_candidates)
            cg = cg.sort_values(ascending=False, kind="stable").iloc[:int(max_candidates)].sort_index()
        ci = cg.index.get_level_values(0).to_numpy(dtype=float) if len(cg) else np.empty(0)
        cj = cg.index.get_level_values(1).to_numpy(dtype=float) if len(cg) else np.empty(0)
        candidates = np.column_stack([(ci + 0.5) * spacing, (cj + 0.5) * spacing])
        del coarse, cg
    cand_xy = site_coordinates(candidates, siting)
    # pass 2: the demand cells within reach of a candidate (the others cannot be covered: left out, so
    # that memory follows the candidates, not the country)
    merged, covered_before, uncovered = stream(cell, cand_xy if len(cand_xy) else None, "siting demand")
    total = covered_before + uncovered
    dw = merged["w"].to_numpy(dtype=float)
    dx = merged["wx"].to_numpy(dtype=float) / np.where(dw > 0, dw, 1)
    dy = merged["wy"].to_numpy(dtype=float) / np.where(dw > 0, dw, 1)
    del merged
    districts, names = None, pd.Index([], dtype=object)
    if tiles.districts is not None:
        districts = tiles.districts.to_crs(siting)
        names = tiles.district_names
    pop = Population(dx, dy, dw, siting, np.full(len(dw), -1, dtype=np.int64), names, districts)
    n_cand = len(cand_xy)
    out = site_new(pop, np.empty((0, 2)), candidates, k, radius, method=method, time_limit_s=time_limit_s)
    out["share_added_cum"] = out["population_added_cum"] / total if total > 0 else np.nan
    out.attrs.update({"demand_cell_m": cell, "n_demand_cells": int(len(dw)), "n_candidates": int(n_cand),
                      "candidates_capped": int(capped), "siting_crs": siting.to_string(), "scale_error": err,
                      "population_total": total, "population_uncovered": uncovered})
    return out
