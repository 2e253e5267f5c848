"""Coverage of a population raster on disk, tile by tile: memory bounded by the tile, not the country.

A national 100 m grid (WorldPop, GHSL: 10^8 cells for a Kenya-size country, 3x10^9 for Africa)
does not fit the in-memory engine (about 170 bytes per cell at its peak). Here the raster is read
in windows of ``tile_size`` x ``tile_size`` cells (``rasterio`` windowed reads); each tile

1. counts its nodata, NaN, negative, infinite, zero and populated cells (reported, never summed);
2. gives each populated cell its district (the districts rasterised on the tile's window, the
   cell-centre rule of :func:`~egovkit.coverage.population_from_array`);
3. finds for each cell the smallest radius within which a site lies, looking at the sites within
   the largest radius of the tile (the "halo": a site outside the tile still covers its cells);
4. returns exact partial sums per (district, radius) (:mod:`egovkit.coverage._exactsum`) and,
   for the distance quantiles, a weighted histogram of distances per district.

Partial sums merge by addition without rounding, so the table is the same to the last bit
whatever the tile size, the order of the tiles or the machine that ran them, and equal to the
in-memory :func:`~egovkit.coverage.coverage` on the same raster (which sums the same way).
Distance quantiles take a second pass: the merged histograms say in which distance bin each
quantile of each district falls, and only the cells of those bins are collected and sorted.

Distances are in metres on the ground. A raster in a metric CRS with square cells (a UTM zone, a
national grid) is used on its own grid. Any other raster (longitude/latitude as WorldPop ships
it, Mollweide as GHSL does, Web Mercator) has each tile's cell centres and the sites projected
to the UTM zone of the tile's centre (beyond 80S-84N: :func:`egovkit.geo.projected_crs`, a local
Lambert azimuthal equal-area CRS); the largest scale error of those CRSs over their tiles is
checked and reported (in a UTM zone at most about 0.15 % for a tile straddling a zone border:
0.75 m on a 500 m radius; above 1 % a warning says to use smaller tiles).

The tiles run one after the other, or as tasks of a ``dask.distributed`` cluster
(``client=Client(...)``): the same code on a ``LocalCluster`` or on any scheduler address.

Examples
--------
>>> import numpy as np, rasterio, tempfile, os
>>> from affine import Affine
>>> path = os.path.join(tempfile.mkdtemp(), "pop.tif")
>>> with rasterio.open(path, "w", driver="GTiff", width=4, height=3, count=1, dtype="float32",
...                    crs="EPSG:32633", transform=Affine(100, 0, 500000, 0, -100, 4000300)) as dst:
...     dst.write(np.ones((1, 3, 4), dtype="float32"))
>>> t = tiled_coverage(raster_tiles(path, tile_size=2), np.array([[500050.0, 4000250.0]]), [250],
...                    quantiles=None, progress=False)
>>> t[["population", "population_covered"]].to_numpy().tolist()
[[12.0, 8.0]]
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from scipy.spatial import cKDTree

from ..errors import EgovkitWarning, InputError
from ..validate import ValidationReport
from ._exactsum import N_BINS, exact_bincount
from .engine import (
    _bucket_nearest,
    _levels,
    _site_groups,
    coverage_frames,
    covered_sums,
    district_and_territory,
    site_coordinates,
)
from .population import Grid, _prepare_districts, projected_crs

__all__ = ["TILED_ABOVE_CELLS", "RasterTiles", "raster_tiles", "tiled_coverage", "tiled_coverage_gaps"]

#: Gap zones of a tiled raster are found on blocks of ``block x block`` cells, ``block`` chosen so
#: that the grid of blocks has at most this many cells (8 bytes each: 200 MB).
GAPS_MAX_BLOCKS = 25_000_000

#: Rasters with more cells than this go through the tiled path (``population_from_raster`` and
#: ``egovkit run --population``). The in-memory engine peaks at about 120 bytes per cell with the
#: default quantiles (1.5 GB for 10^7 cells, docs/coverage_at_scale.md): 2x10^7 cells is about
#: 2.7 GB, what a laptop with 8 GB can still spare; below it the in-memory path is as fast or faster
#: (one pass for the quantiles) and keeps siting. Override with EGOVKIT_TILED_ABOVE_CELLS.
TILED_ABOVE_CELLS = int(os.environ.get("EGOVKIT_TILED_ABOVE_CELLS", 20_000_000))

#: Distance bins of the quantile histograms: ``floor(K log(1 + d / 10 m))``, 1,022 finite bins up
#: to 40,000 km (each about 1.5 % of its distance wide) and one for "no site at all".
_QBINS = 1024
_QSCALE_M = 10.0
_QK = (_QBINS - 2) / np.log1p(4e7 / _QSCALE_M)


@dataclass
class RasterTiles:
    """A population raster on disk, cut into tiles, with its districts: the tiled counterpart of a
    :class:`~egovkit.coverage.Population` (nothing is read until :func:`tiled_coverage`).

    Attributes
    ----------
    path, band : the GeoTIFF and its band
    shape, transform, crs, nodata : of the raster
    tile_size : rows and columns per tile
    metric : True when the cells are squares in metres on the ground (the raster's own grid is used)
    districts : the district polygons in the raster's CRS (for rasterising), or None
    district_names : their labels
    households_per_person : households = persons x this, or None
    report : what was read, dropped or chosen (filled by :func:`tiled_coverage`)
    """

    path: Path
    band: int
    shape: tuple[int, int]
    transform: Any
    crs: CRS
    nodata: float | None
    tile_size: int
    metric: bool
    districts: gpd.GeoDataFrame | None
    district_names: pd.Index
    households_per_person: float | None = None
    report: ValidationReport = field(default_factory=ValidationReport)
    _stats: dict[str, float] | None = None

    @property
    def n_cells(self) -> int:
        """Cells of the raster (all of them, populated or not)."""
        return int(self.shape[0]) * int(self.shape[1])

    def windows(self) -> list[tuple[int, int, int, int]]:
        """``(row_off, col_off, height, width)`` of each tile, row by row (the fixed merge order)."""
        h, w = self.shape
        t = self.tile_size
        return [(r, c, min(t, h - r), min(t, w - c)) for r in range(0, h, t) for c in range(0, w, t)]

    def __len__(self) -> int:
        return self.n_cells

    @property
    def total(self) -> float:
        """Total population (persons), from the last :func:`tiled_coverage` run (or one pass over the tiles)."""
        if self._stats is None:
            tiled_coverage(self, np.empty((0, 2)), [1.0], quantiles=None, progress=False,
                           sites_crs=self._site_crs())
        assert self._stats is not None
        return float(self._stats["total"])

    def _site_crs(self) -> CRS:
        return self.crs if self.metric else projected_crs(self._extent())

    def _extent(self, window: tuple[int, int, int, int] | None = None) -> gpd.GeoSeries:
        r, c, h, w = window if window is not None else (0, 0, *self.shape)
        xs, ys = [], []
        for i in (r, r + h / 2, r + h):
            for j in (c, c + w / 2, c + w):
                t = self.transform
                x, y = t.c + j * t.a + i * t.b, t.f + j * t.d + i * t.e
                xs.append(x)
                ys.append(y)
        return gpd.GeoSeries.from_xy(xs, ys, crs=self.crs)


def raster_tiles(
    path: str | Path,
    *,
    districts: gpd.GeoDataFrame | None = None,
    district: str | None = None,
    band: int = 1,
    households_per_person: float | None = None,
    tile_size: int = 1024,
) -> RasterTiles:
    """Open a population GeoTIFF for :func:`tiled_coverage` (reads its header only).

    Parameters
    ----------
    path, band
        The raster (persons per cell; nodata and NaN are no data) and its band.
    districts, district
        District polygons and their label column.
    households_per_person
        Households per person, for household shares.
    tile_size
        Rows and columns per tile: memory is about 110-150 bytes per tile cell (1024: about 150 MB
        above the libraries; docs/coverage_at_scale.md).

    Examples
    --------
    >>> raster_tiles("africa_100m.tif", districts=regions, district="name")  # doctest: +SKIP
    """
    import rasterio

    path = Path(path)
    if not path.exists():
        raise InputError("population raster not found", file=str(path), fix="check the path")
    if tile_size < 1:
        raise InputError(f"tile_size must be a positive number of cells, not {tile_size}")
    try:
        src = rasterio.open(path)
    except Exception as exc:  # RasterioIOError (not a raster, truncated), CPLE errors
        raise InputError(f"cannot read the file as a raster ({str(exc).splitlines()[0][:200]})", file=str(path),
                         fix="give a GeoTIFF of persons per cell") from exc
    with src:
        if not 1 <= band <= src.count:
            raise InputError(f"the raster has {src.count} band(s); band {band} does not exist", file=str(path),
                             fix=f"pass band= between 1 and {src.count}")
        if src.crs is None:
            raise InputError("the raster has no CRS", file=str(path), fix="assign one (e.g. gdal_edit.py -a_srs)")
        shape, transform, crs, nodata = (src.height, src.width), src.transform, CRS.from_user_input(src.crs), src.nodata
    report = ValidationReport(source=path.name)
    a, b, d, e = transform.a, transform.b, transform.d, transform.e
    tiles = RasterTiles(path, band, shape, transform, crs, nodata, int(tile_size), False, None,
                        pd.Index([], dtype=object), households_per_person, report)
    # the same test as population_from_array: square cells in metres on the ground keep the grid
    extent = gpd.GeoSeries.from_xy([transform.c, transform.c + shape[1] * a + shape[0] * b],
                                   [transform.f, transform.f + shape[1] * d + shape[0] * e], crs=crs)
    tiles.metric = bool(crs.is_projected and projected_crs(extent) == crs and b == 0 and d == 0 and e == -a)
    if districts is not None:
        pcrs = crs if tiles.metric else projected_crs(tiles._extent())
        dproj, names = _prepare_districts(districts, district, pcrs, report)
        assert dproj is not None
        tiles.districts = dproj if tiles.metric else dproj.to_crs(crs)
        tiles.district_names = names
    return tiles


# -- one tile ------------------------------------------------------------------------------------------
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
def _map_tiles(fn: Any, job: _Job, args: list[tuple[Any, ...]], client: Any, progress: bool, desc: str) -> list[Any]:
    """``fn(job, *a)`` for every ``a``, in order: here one after the other, or as dask tasks."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(args), desc=desc, unit="tile", disable=None if progress else True, leave=False)
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
            raise InputError("sites given as an array, but the raster is not in a metric CRS",
                             fix="give the sites as a GeoDataFrame/GeoSeries with their CRS")
    return site_xy


def tiled_coverage(
    tiles: RasterTiles,
    sites: Any,
    radii: Sequence[float] = (100, 250, 500),
    *,
    by: str | Mapping[str, Any] | None = None,
    quantiles: Sequence[float] | None = (0.5, 0.9),
    client: Any = None,
    progress: bool | None = None,
    sites_crs: Any = None,
) -> pd.DataFrame:
    """:func:`~egovkit.coverage.coverage` of a raster on disk, tile by tile (same table, same bits).

    Parameters
    ----------
    tiles
        From :func:`raster_tiles` (or :func:`~egovkit.coverage.population_from_raster` on a large raster).
    sites, radii, by, quantiles
        As for :func:`~egovkit.coverage.coverage`. Sites given as an ``(n, 2)`` array are in the
        raster's CRS when it is metric, else in ``sites_crs``; a GeoDataFrame/GeoSeries may be in any CRS.
    client
        A ``dask.distributed.Client``: the tiles run as tasks of its cluster (``None``: here, one
        after the other). The table is identical either way.
    progress
        A progress bar, one step per tile (in a terminal or a notebook); default
        ``egovkit.settings.progress``.

    Returns
    -------
    DataFrame
        The columns of :func:`~egovkit.coverage.coverage` (not ``area``). ``tiles.report`` says
        what was read: cells by kind (nodata, NaN, negative, infinite: left out), the total
        population, the tiles' CRSs and their largest scale error.

    Examples
    --------
    See the module docstring.
    """
    radii_arr = np.array(sorted({float(r) for r in radii}))
    if len(radii_arr) == 0 or (radii_arr <= 0).any():
        raise InputError(f"radii must be positive numbers of metres, got {list(radii)}")
    if len(radii_arr) > 254:
        raise InputError("at most 254 radii in one call", fix="split the radii over several calls")
    nr = len(radii_arr)
    if progress is None:
        from .. import settings

        progress = bool(settings.progress)
    names = tiles.district_names
    nd = len(names)
    windows = tiles.windows()
    keys, worst = _tile_crs(tiles, windows)
    geoms = None if tiles.districts is None else np.asarray(tiles.districts.geometry.values)
    if tiles.metric and abs(tiles.transform.a) * 2 > radii_arr[0]:
        warnings.warn(f"radius {radii_arr[0]:g} m is less than two population cells ({tiles.transform.a:g} m): "
                      "each cell counts whole at its centre, so shares within it are approximate",
                      EgovkitWarning, stacklevel=2)
    frames = []
    stats: dict[str, Any] | None = None
    for gname, gsites in _site_groups(sites, by).items():
        site_xy = _site_xy(tiles, gsites, keys, sites_crs)
        job = _Job(str(tiles.path), tiles.band, tiles.shape, tiles.transform, tiles.crs.to_wkt(), tiles.metric,
                   geoms, nd, radii_arr, site_xy, bool(quantiles), tiles.households_per_person,
                   -1 if client is None else 1)
        parts = _map_tiles(_run_tile, job, [(win, k) for win, k in zip(windows, keys)], client, progress,
                           "coverage")
        shape = (N_BINS, (nd + 1) * (nr + 1))
        pop = _dense([p["pop"] for p in parts], shape)  # exact partial sums: any order gives the same
        hh = _dense([p["hh"] for p in parts], shape) if tiles.households_per_person is not None else None
        if stats is None:
            stats = _summarise(tiles, parts, pop, nd, nr, windows, keys, worst)
        cum_p = covered_sums(pop, nd, nr)
        pop_tot = district_and_territory(pop.reshape(len(pop), nd + 1, nr + 1).sum(axis=2), nd)
        cum_h = hh_tot = None
        if hh is not None:
            cum_h = covered_sums(hh, nd, nr)
            hh_tot = district_and_territory(hh.reshape(len(hh), nd + 1, nr + 1).sum(axis=2), nd)
        qall = None
        if quantiles:
            qall = _merge_quantiles(job, parts, [(win, k) for win, k in zip(windows, keys)], list(quantiles), nd,
                                    client, progress)
        rows: dict[str, Any] = {"sites": gname, "level": _levels(nd),
                                "district": np.r_[np.asarray(names, dtype=object), np.array([None], dtype=object)]}
        frames += coverage_frames(rows, radii_arr, pop_tot, cum_p, hh_tot, cum_h, quantiles, qall)
    out = pd.concat(frames, ignore_index=True)
    order = {g: i for i, g in enumerate(dict.fromkeys(out["sites"]))}
    key = out["sites"].map(order).to_numpy() * 10 + (out["level"] == "territory").to_numpy()
    return out.iloc[np.lexsort((out["radius_m"].to_numpy(), key))].reset_index(drop=True)


def _summarise(tiles: RasterTiles, parts: list[dict[str, Any]], pop: np.ndarray, nd: int, nr: int,
               windows: list[Any], keys: list[str], worst: float) -> dict[str, Any]:
    """Cell counts and total population into ``tiles.report`` (and ``tiles._stats``), once per raster."""
    from ..geo import MAX_SCALE_ERROR

    if tiles._stats is not None:
        return tiles._stats

    c = {k: sum(p["counts"][k] for p in parts) for k in parts[0]["counts"]}
    n_pop = sum(p["n_pop"] for p in parts)
    total = float(district_and_territory(pop.reshape(len(pop), nd + 1, nr + 1).sum(axis=2), nd)[-1])
    rep = tiles.report
    if c["negative"]:
        rep.add("warning", "negative_cells", f"{c['negative']:,} negative cell(s) are not population counts; left "
                "out like no data", action="dropped",
                fix="set the raster's nodata value so that negative fill values are read as missing")
    nodata = f" (value {tiles.nodata:g})" if tiles.nodata is not None else ""
    rep.rows_in = c["cells"]
    inf_text = f", {c['infinite']:,} infinite" if c["infinite"] else ""
    rep.add("info", "raster_read", f"{c['cells']:,} cells in {len(windows):,} tile(s) of up to {tiles.tile_size} x "
            f"{tiles.tile_size}: {c['nodata']:,} nodata{nodata}, {c['nan']:,} NaN, {c['negative']:,} negative"
            f"{inf_text} (left out, not summed), "
            f"{c['zero']:,} zero, {n_pop:,} populated; total {total:,.1f} persons", action="kept")
    if not tiles.metric:
        n_crs = len(set(keys))
        names = sorted({CRS.from_wkt(k).name for k in keys})
        rep.add("info", "crs_chosen", f"raster in {tiles.crs.name} is not a square grid in metres: each tile's cell "
                f"centres and the sites were projected to the tile's own metric CRS ({n_crs}: "
                f"{', '.join(names[:5])}{'...' if n_crs > 5 else ''}); largest scale error over a tile "
                f"{100 * worst:.3f} %", action="repaired")
        if worst > MAX_SCALE_ERROR:
            rep.add("warning", "scale_error", f"a tile's CRS has a scale error of {100 * worst:.2f} % (above "
                    f"{100 * MAX_SCALE_ERROR:g} %): distances there are off by as much", action="kept",
                    fix="use a smaller tile_size")
    n_out, w_out = sum(p["outside"][0] for p in parts), sum(p["outside"][1] for p in parts)
    if tiles.districts is not None and n_out:
        rep.add("warning", "population_outside_districts", f"{n_out:,} populated cell(s) holding {w_out:,.1f} persons "
                "lie outside every district; they count for the whole territory only", action="kept",
                fix="check the CRS and extent of the districts")
    if n_pop == 0:
        raise InputError(f"the raster holds no population: of {c['cells']:,} cells, {c['nodata']:,} are nodata"
                         f"{nodata}, {c['nan']:,} NaN, {c['negative']:,} negative, {c['zero']:,} zero",
                         file=str(tiles.path), fix="check the band and the nodata value")
    tiles._stats = {"total": total, "n_populated": n_pop, **c}
    return tiles._stats


def _merge_quantiles(job: _Job, parts: list[dict[str, Any]], args: list[tuple[Any, ...]], qs: list[float], nd: int,
                     client: Any, progress: bool) -> np.ndarray:
    """Weighted distance quantiles (inverted CDF, as :func:`~egovkit.coverage.weighted_quantiles`) per
    district and for the territory from the tiles' histograms, then the cells of the bins where they fall."""
    hd = np.zeros((max(nd, 1), _QBINS))
    ht = np.zeros(_QBINS)
    hdf = hd.ravel()
    for p in parts:  # tile order: the float sums do not depend on the cluster
        hdf[p["hist"][0]] += p["hist"][1]
        ht[p["hist"][2]] += p["hist"][3]
    out = np.full((nd + 1, len(qs)), np.nan)
    plans = {}
    wanted = {}
    for name, hist in (("district", hd[:nd] if nd else np.zeros((0, _QBINS))), ("territory", ht[None, :])):
        cum = np.cumsum(hist, axis=1)
        tot = cum[:, -1] if hist.shape[0] else np.zeros(0)
        rows = np.flatnonzero(tot > 0)
        targets = np.outer(tot[rows], qs) - 1e-9 * np.maximum(tot[rows], 1.0)[:, None]
        first = np.argmax(hist[rows] > 0, axis=1)
        tb = np.empty(targets.shape, dtype=np.int64)
        for k in range(len(qs)):
            tb[:, k] = np.clip((cum[rows] < targets[:, [k]]).sum(axis=1), first, _QBINS - 1)
        m = np.zeros(max(hist.shape[0], 1) * _QBINS, dtype=bool)
        m[(rows[:, None] * _QBINS + tb).ravel()] = True
        wanted[name] = m
        plans[name] = (rows, tb, targets, cum)
    got = _map_tiles(_run_tile, job, [(*a, wanted) for a in args], client, progress, "quantiles")
    for name, row0 in (("district", 0), ("territory", nd)):
        rows, tb, targets, cum = plans[name]
        g = np.concatenate([p[name][0] for p in got]) if got else np.zeros(0, np.int64)
        v = np.concatenate([p[name][1] for p in got]) if got else np.zeros(0)
        w = np.concatenate([p[name][2] for p in got]) if got else np.zeros(0)
        b = _qbin(v)
        kk = g.astype(np.int64) * _QBINS + b
        order = np.lexsort((v, kk))  # by (group, bin), then value
        kk, v, w = kk[order], v[order], w[order]
        cw = np.cumsum(w)
        for k in range(len(qs)):
            kq = rows * _QBINS + tb[:, k]
            start = np.searchsorted(kk, kq, side="left")
            end = np.searchsorted(kk, kq, side="right")
            before = np.where(tb[:, k] > 0, cum[rows, np.maximum(tb[:, k] - 1, 0)], 0.0)
            seg0 = np.where(start > 0, cw[np.maximum(start - 1, 0)], 0.0)
            pos = np.searchsorted(cw, seg0 + (targets[:, k] - before), side="left")
            pos = np.minimum(np.maximum(pos, start), np.maximum(end - 1, 0))
            out[row0 + rows, k] = v[pos] if len(v) else np.nan
    return out


# -- gap zones --------------------------------------------------------------------------------------------
def _gap_tile(job: _Job, win: tuple[int, int, int, int], crs_key: str, block: int,
              nbc: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uncovered persons of a tile per (block, district): block index, district, weight."""
    cells = _tile_cells(job, win, crs_key)
    unc = cells["first"] >= 1  # beyond the radius
    local, w, dist = cells["local"][unc], cells["w"][unc], cells["dist"][unc]
    r0, c0, _, wd = win
    rows, cols = np.divmod(local, wd)
    blk = ((rows + r0) // block) * nbc + (cols + c0) // block
    if block == 1:  # one cell per block: kept as they are (the in-memory gap zones, bit for bit)
        return blk, dist.astype(np.int32), w
    key = blk.astype(np.int64) * (job.nd + 1) + (dist.astype(np.int64) + 1)
    uk, inv = np.unique(key, return_inverse=True)
    return uk // (job.nd + 1), (uk % (job.nd + 1) - 1).astype(np.int32), np.bincount(inv, weights=w)


def tiled_coverage_gaps(
    tiles: RasterTiles,
    sites: Any,
    radius: float,
    *,
    block: int | None = None,
    min_population: float = 0.0,
    top: int | None = None,
    connectivity: int = 4,
    split_by_district: bool = False,
    client: Any = None,
    progress: bool | None = None,
    sites_crs: Any = None,
) -> gpd.GeoDataFrame:
    """:func:`~egovkit.coverage.coverage_gaps` of a raster on disk: uncovered persons are found tile by
    tile (ground metres, halo of ``radius``), summed on blocks of ``block x block`` cells, and the
    zones are the connected groups of blocks holding uncovered people.

    ``block`` defaults to the smallest size giving at most :data:`GAPS_MAX_BLOCKS` blocks (1, the
    raster's own cells, below that: then the zones equal those of ``coverage_gaps`` on the
    in-memory population of a metric raster). Polygons are in the raster's CRS; ``area_km2`` is
    measured in an equal-area CRS when that CRS is not metric. Other parameters as for
    ``coverage_gaps``.

    Examples
    --------
    >>> z = tiled_coverage_gaps(raster_tiles("africa_100m.tif"), hotspots, 500, top=20)  # doctest: +SKIP
    """
    from .gaps import coverage_gaps
    from .population import Population

    if radius <= 0:
        raise InputError(f"radius must be a positive number of metres, not {radius}")
    t = tiles.transform
    if t.b != 0 or t.d != 0 or (tiles.metric and t.a != -t.e):
        raise InputError("gap zones of a tiled raster need north-up cells", file=str(tiles.path),
                         fix="warp the raster (gdalwarp)")
    h, w = tiles.shape
    if block is None:
        block = max(1, int(np.ceil(np.sqrt(h * w / GAPS_MAX_BLOCKS))))
    if progress is None:
        from .. import settings

        progress = bool(settings.progress)
    import dataclasses

    tt = dataclasses.replace(tiles, tile_size=max(block, (tiles.tile_size // block) * block))  # blocks within tiles
    windows = tt.windows()
    keys, _ = _tile_crs(tt, windows)
    nbr, nbc = -(-h // block), -(-w // block)
    geoms = None if tiles.districts is None else np.asarray(tiles.districts.geometry.values)
    job = _Job(str(tiles.path), tiles.band, tiles.shape, t, tiles.crs.to_wkt(), tiles.metric, geoms,
               len(tiles.district_names), np.array([float(radius)]), _site_xy(tiles, sites, keys, sites_crs), False,
               None)
    parts = _map_tiles(_gap_tile, job, [(win, k, block, nbc) for win, k in zip(windows, keys)], client, progress,
                       "gaps")
    blk = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    dist = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int32)
    wt = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
    # a metric raster: the blocks on its own grid; otherwise zones are found in block index space
    # (cells of 1 x 1) and their polygons moved to the raster's CRS afterwards
    grid = Grid(float(t.c), float(t.f), float(t.a) * block, (nbr, nbc)) if tiles.metric else \
        Grid(0.0, 0.0, 1.0, (nbr, nbc))
    report = ValidationReport(source=tiles.path.name)
    pop = Population(None, None, wt, tiles.crs if tiles.metric else CRS.from_epsg(3857), dist, tiles.district_names,
                     None, None, grid, blk, "raster", report)
    z = coverage_gaps(pop, np.empty((0, 2)), float(radius), min_population=min_population, top=top,
                      connectivity=connectivity, split_by_district=split_by_district)
    if not tiles.metric:
        from ..geo import equal_area_crs

        # index space (x = column, y = -row) to the raster's CRS
        moved = gpd.GeoSeries(z.geometry.values, index=z.index).affine_transform(
            [t.a * block, 0, 0, -t.e * block, t.c, t.f])
        z = z.set_geometry(moved.set_crs(tiles.crs, allow_override=True))
        if len(z):
            z["area_km2"] = z.geometry.to_crs(equal_area_crs(z)).area.to_numpy() / 1e6
    z.attrs["block"] = block
    return z
