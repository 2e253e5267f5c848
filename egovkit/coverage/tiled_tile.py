"""The work on one tile of a :class:`~egovkit.coverage.tiled_raster.RasterTiles` and the running of
all of them (here or as dask tasks): read its window, give each populated cell its district and its
distance (or radius rank) to the nearest site, and return exact partial sums, quantile histograms
or the cells a later pass asks for. Used by :mod:`~egovkit.coverage.tiled`,
:mod:`~egovkit.coverage.tiled_gaps` and :mod:`~egovkit.coverage.tiled_siting`.

Examples
--------
>>> _sparse(np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]))[0].tolist()
[1]
>>> _dense([(np.array([1]), np.array([[2.0], [0.0]]))], (2, 3)).tolist()
[[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS
from scipy.spatial import cKDTree

from ..errors import InputError
from ..geo import projected_crs
from ..shared.messages import render
from ._exactsum import exact_bincount
from .engine import _bucket_nearest, site_coordinates
from .population_grid import Grid
from .tiled_raster import RasterTiles

#: Distance bins of the quantile histograms: ``floor(K log(1 + d / 10 m))``, 1,022 finite bins up
#: to 40,000 km (each about 1.5 % of its distance wide) and one for "no site at all".
_QBINS = 1024
_QSCALE_M = 10.0
_QK = (_QBINS - 2) / np.log1p(4e7 / _QSCALE_M)

@dataclass
class _Job:
    """Everything a tile task needs (sent once to each worker)."""

    path: str
    band: int
    shape: tuple[int, int]
    transform: Any
    crs_wkt: str
    metric: bool
    geoms: np.ndarray | None  # district polygons in the raster's CRS
    nd: int
    radii: np.ndarray
    sites: dict[str, np.ndarray]  # site coordinates per tile CRS (WKT; the raster's CRS when metric)
    quantiles: bool
    hh_ratio: float | None
    threads: int = 1  # k-d tree query threads: all cores in one process (-1), one per dask worker (1)
    bounds: np.ndarray | None = None  # bounding boxes of ``geoms``

    def __post_init__(self) -> None:
        if self.geoms is not None and self.bounds is None:
            import shapely

            self.bounds = shapely.bounds(self.geoms)


def _read_window(job: _Job, win: tuple[int, int, int, int]) -> tuple[np.ndarray, dict[str, int]]:
    import rasterio
    from rasterio.windows import Window

    r, c, h, w = win
    with rasterio.open(job.path) as src:
        arr = src.read(job.band, window=Window(c, r, w, h), masked=True)
    mask = np.ma.getmaskarray(arr)
    values = np.ma.filled(arr.astype(np.float64), np.nan)
    del arr
    n_nodata = int(mask.sum())
    n_nan = int(np.count_nonzero(np.isnan(values) & ~mask))
    counts = {"cells": int(values.size), "nodata": n_nodata, "nan": n_nan,
              "negative": int(np.count_nonzero(values < 0)), "infinite": int(np.count_nonzero(np.isinf(values))),
              "zero": int(np.count_nonzero(values == 0))}
    return values.ravel(), counts


def _stamp_window(grid: Grid, win: tuple[int, int, int, int], sxy: np.ndarray, rmax: float,
                  radii: np.ndarray) -> np.ndarray:
    """:func:`egovkit.coverage.engine._stamp_grid` (radius ranks) on one window of the grid, with the
    same arithmetic on global cell indices, so each cell gets the same distances bit for bit."""
    r0, c0, h, w = win
    c = grid.cell_m
    best = np.full(h * w, len(radii), dtype=np.uint8)
    sx, sy = sxy[:, 0], sxy[:, 1]
    i0 = np.rint((grid.y0 - sy) / c - 0.5).astype(np.int64)
    j0 = np.rint((sx - grid.x0) / c - 0.5).astype(np.int64)
    reach = int(np.ceil(rmax / c)) + 1
    keep = (i0 >= r0 - reach) & (i0 < r0 + h + reach) & (j0 >= c0 - reach) & (j0 < c0 + w + reach)
    sx, sy, i0, j0 = sx[keep], sy[keep], i0[keep], j0[keep]
    for di in range(-reach, reach + 1):
        for dj in range(-reach, reach + 1):
            if (max(abs(di) - 1, 0) ** 2 + max(abs(dj) - 1, 0) ** 2) * c * c > rmax * rmax:
                continue
            ii = i0 + di
            jj = j0 + dj
            dx = grid.x0 + (jj + 0.5) * c - sx
            dy = grid.y0 - (ii + 0.5) * c - sy
            d = np.sqrt(dx * dx + dy * dy)
            ok = (d <= rmax) & (ii >= r0) & (ii < r0 + h) & (jj >= c0) & (jj < c0 + w)
            val = np.searchsorted(radii, d[ok], side="left").astype(np.uint8)
            np.minimum.at(best, (ii[ok] - r0) * w + (jj[ok] - c0), val)
    return best


# per process (worker): one k-d tree of the sites per tile CRS; the array is kept with its tree so
# that its id cannot be reused by another array while cached
_TREES: dict[tuple[str, int], tuple[np.ndarray, cKDTree]] = {}


def _tree(key: str, sxy: np.ndarray) -> cKDTree:
    k = (key, id(sxy))
    if k not in _TREES:
        if len(_TREES) > 64:
            _TREES.clear()
        _TREES[k] = (sxy, cKDTree(sxy))
    return _TREES[k][1]


def _tile_cells(job: _Job, win: tuple[int, int, int, int], crs_key: str) -> dict[str, Any]:
    """Populated cells of a tile: weights, districts, distances (or radius ranks)."""
    from rasterio.features import rasterize
    from rasterio.windows import Window
    from rasterio.windows import transform as window_transform

    r0, c0, h, w = win
    flat, counts = _read_window(job, win)
    local = np.flatnonzero(flat > 0)
    wt = flat[local]
    fin = np.isfinite(wt)
    if not fin.all():  # +inf is no data
        local, wt = local[fin], wt[fin]
    del flat
    if job.geoms is not None and len(local):
        t = job.transform
        wtr = window_transform(Window(c0, r0, w, h), t)
        # only the districts whose bounding box meets the tile (thousands of districts, thousands of tiles)
        xa, xb = sorted((t.c + c0 * t.a + r0 * t.b, t.c + (c0 + w) * t.a + (r0 + h) * t.b))
        ya, yb = sorted((t.f + c0 * t.d + r0 * t.e, t.f + (c0 + w) * t.d + (r0 + h) * t.e))
        gb = job.bounds
        near = np.flatnonzero((gb[:, 0] <= xb) & (gb[:, 2] >= xa) & (gb[:, 1] <= yb) & (gb[:, 3] >= ya)) \
            if gb is not None and t.b == 0 and t.d == 0 else np.arange(len(job.geoms))
        if len(near):
            lab = rasterize(((job.geoms[i], int(i)) for i in near), out_shape=(h, w), transform=wtr, fill=-1,
                            dtype="int32")
        else:
            lab = np.full((h, w), -1, dtype=np.int32)
        dist = lab.ravel()[local]
        del lab
    else:
        dist = np.full(len(local), -1, dtype=np.int32)
    lr, lc = np.divmod(local, w)
    rows, cols = lr + r0, lc + c0  # global cell indices: the same arithmetic as the in-memory engine
    sxy = job.sites[crs_key]
    rmax = float(job.radii.max())
    t = job.transform
    if job.metric and not job.quantiles:
        grid = Grid(float(t.c), float(t.f), float(t.a), job.shape)
        if len(sxy):
            first = _stamp_window(grid, win, sxy, rmax, job.radii)[local]
        else:
            first = np.full(len(local), len(job.radii), dtype=np.uint8)
        return {"w": wt, "dist": dist, "first": first, "d": None, "counts": counts, "local": local}
    if job.metric:
        x = cols.astype(np.float64)
        x += 0.5
        x *= t.a
        x += t.c
        y = rows.astype(np.float64)
        y += 0.5
        y *= t.a
        np.subtract(t.f, y, out=y)
    else:
        xs = t.c + (cols + 0.5) * t.a + (rows + 0.5) * t.b
        ys = t.f + (cols + 0.5) * t.d + (rows + 0.5) * t.e
        pg = gpd.GeoSeries.from_xy(xs, ys, crs=CRS.from_wkt(job.crs_wkt)).to_crs(CRS.from_wkt(crs_key))
        x, y = pg.x.to_numpy(), pg.y.to_numpy()
        del pg, xs, ys
    if len(sxy) == 0 or len(local) == 0:
        d = np.full(len(local), np.inf)
    elif job.quantiles:
        d, _ = _tree(crs_key, sxy).query(np.column_stack([x, y]), k=1, workers=job.threads)
    else:
        # the sites within the largest radius of the tile (its halo): enough for exact distances up to it
        near = ((sxy[:, 0] >= x.min() - rmax) & (sxy[:, 0] <= x.max() + rmax)
                & (sxy[:, 1] >= y.min() - rmax) & (sxy[:, 1] <= y.max() + rmax))
        if near.any():
            d = _bucket_nearest(x, y, sxy[near], rmax)
            if d is None:  # too many buckets: a k-d tree on the halo's sites
                bound = rmax * (1 + 1e-9) + 1e-6
                d, _ = cKDTree(sxy[near]).query(np.column_stack([x, y]), k=1, distance_upper_bound=bound)
                d[d > rmax] = np.inf
        else:
            d = np.full(len(local), np.inf)
    first = np.searchsorted(job.radii, d, side="left")
    return {"w": wt, "dist": dist, "first": first, "d": d if job.quantiles else None, "counts": counts,
            "local": local}


def _qbin(d: np.ndarray) -> np.ndarray:
    b = np.full(len(d), _QBINS - 1, dtype=np.int64)
    fin = np.isfinite(d)
    b[fin] = np.minimum((_QK * np.log1p(d[fin] / _QSCALE_M)).astype(np.int64), _QBINS - 2)
    return b


def _run_tile(job: _Job, win: tuple[int, int, int, int], crs_key: str,
              wanted: np.ndarray | None = None) -> dict[str, Any]:
    """One tile: exact partial sums (and quantile histograms), or with ``wanted`` (pass 2) the cells
    of the wanted (group, distance bin) pairs."""
    cells = _tile_cells(job, win, crs_key)
    nd, nr = job.nd, len(job.radii)
    w, dist, first, d = cells["w"], cells["dist"], cells["first"], cells["d"]
    bucket = np.where(dist >= 0, dist, nd).astype(np.intp)
    if wanted is not None:  # pass 2: (group, value, weight) of the cells in the quantiles' bins
        assert d is not None
        b = _qbin(d)
        out = {}
        for name, g in (("district", np.where(dist >= 0, dist, -1)), ("territory", np.zeros(len(d), np.int64))):
            k = g.astype(np.int64) * _QBINS + b
            sel = (g >= 0) & wanted[name][np.clip(k, 0, None)]
            out[name] = (g[sel], d[sel], w[sel])
        return out
    key = bucket * (nr + 1) + first
    # results travel sparse (the entries of the districts the tile touches): a continent of
    # thousands of tiles and districts would otherwise ship gigabytes of zeros to the client
    res: dict[str, Any] = {"counts": cells["counts"], "n_pop": len(w),
                           "pop": _sparse(exact_bincount(key, w, (nd + 1) * (nr + 1))),
                           "outside": (int(np.count_nonzero(dist < 0)), float(w[dist < 0].sum()))}
    if job.hh_ratio is not None:
        res["hh"] = _sparse(exact_bincount(key, w * job.hh_ratio, (nd + 1) * (nr + 1)))
    if job.quantiles:
        assert d is not None
        b = _qbin(d)
        inside = dist >= 0
        hd = np.bincount(dist[inside].astype(np.int64) * _QBINS + b[inside], weights=w[inside],
                         minlength=max(nd, 1) * _QBINS)
        ht = np.bincount(b, weights=w, minlength=_QBINS)
        nzd, nzt = np.flatnonzero(hd), np.flatnonzero(ht)
        res["hist"] = (nzd, hd[nzd], nzt, ht[nzt])
    return res


def _sparse(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns of ``a`` (``(k, n)``) holding a non-zero value: their indices and values."""
    idx = np.flatnonzero(a.any(axis=0))
    return idx, a[:, idx]


def _dense(parts: list[tuple[np.ndarray, np.ndarray]], shape: tuple[int, int]) -> np.ndarray:
    """Sum of sparse exact partials (any order: they add without rounding)."""
    out = np.zeros(shape)
    for idx, val in parts:
        out[:, idx] += val
    return out


# -- running the tiles -------------------------------------------------------------------------------
#: the passes over the tiles and the code of their name on the progress bar
_PROGRESS = {"coverage": "tiled.progress_coverage", "quantiles": "tiled.progress_quantiles",
             "gaps": "tiled.progress_gaps", "siting candidates": "tiled.progress_candidates",
             "siting demand": "tiled.progress_demand"}


def _map_tiles(fn: Any, job: _Job, args: list[tuple[Any, ...]], client: Any, progress: bool, desc: str) -> list[Any]:
    """``fn(job, *a)`` for every ``a``, in order: here one after the other, or as dask tasks; ``desc`` (a key
    of :data:`_PROGRESS`) names the pass on the progress bar."""
    from tqdm.auto import tqdm

    label = render(_PROGRESS[desc]) if desc in _PROGRESS else desc
    bar = tqdm(total=len(args), desc=label, unit=render("tiled.progress_unit"), disable=None if progress else True,
               leave=False)
    try:
        if client is None:
            out = []
            for a in args:
                out.append(fn(job, *a))
                bar.update()
            return out
        from distributed import as_completed

        jf = client.scatter(job, broadcast=True, hash=False)
        futures = [client.submit(fn, jf, *a, key=f"egovkit-tile-{desc}-{i}-{os.getpid()}-{id(job)}", pure=False)
                   for i, a in enumerate(args)]
        for _ in as_completed(futures):
            bar.update()
        return client.gather(futures)  # in submission order: the merge order does not depend on the cluster
    finally:
        bar.close()


def _tile_crs(tiles: RasterTiles, windows: list[tuple[int, int, int, int]]) -> tuple[list[str], float]:
    """The CRS of each tile (WKT) and the largest scale error over the tiles."""
    from ..geo import scale_error

    if tiles.metric:
        return [tiles.crs.to_wkt()] * len(windows), 0.0
    from pyproj import Transformer

    keys, worst = [], 0.0
    wkts: dict[int, str] = {}
    to_ll = Transformer.from_crs(tiles.crs, 4326, always_xy=True)
    for win in windows:
        ext = tiles._extent(win)
        lon, lat = to_ll.transform(float(ext.x.iloc[4]), float(ext.y.iloc[4]))  # the tile's centre
        if np.isfinite(lon) and np.isfinite(lat) and -80 <= lat <= 84:
            # its UTM zone (what egovkit.geo.projected_crs picks for a small extent, without the
            # 70 ms of estimate_utm_crs per tile)
            epsg = (32600 if lat >= 0 else 32700) + min(int((((lon + 180) % 360)) // 6) + 1, 60)
            if epsg not in wkts:
                wkts[epsg] = CRS.from_epsg(epsg).to_wkt()
            wkt = wkts[epsg]
        else:
            wkt = projected_crs(ext).to_wkt()
        keys.append(wkt)
        worst = max(worst, scale_error(CRS.from_wkt(wkt), gpd.GeoDataFrame(geometry=ext)))
    return keys, worst


def _site_xy(tiles: RasterTiles, sites: Any, keys: list[str], sites_crs: Any) -> dict[str, np.ndarray]:
    """Site coordinates in each tile CRS (WKT)."""
    site_xy: dict[str, np.ndarray] = {}
    for k in dict.fromkeys(keys):
        if isinstance(sites, (gpd.GeoDataFrame, gpd.GeoSeries)):
            site_xy[k] = site_coordinates(sites, CRS.from_wkt(k))
        elif tiles.metric or sites_crs is not None:
            arr = site_coordinates(sites, tiles.crs)
            if not tiles.metric and len(arr):
                arr = site_coordinates(gpd.GeoSeries.from_xy(arr[:, 0], arr[:, 1], crs=sites_crs), CRS.from_wkt(k))
            site_xy[k] = arr
        else:
            raise InputError(code="tiled.sites_array_not_metric", params={})
    return site_xy
