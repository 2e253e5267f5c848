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

The raster and its tiles are :mod:`~egovkit.coverage.tiled_raster`, the work on one tile
:mod:`~egovkit.coverage.tiled_tile`, the gap zones :mod:`~egovkit.coverage.tiled_gaps`; this module
merges the tiles into the coverage table and gathers them (the import path of earlier releases).

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

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyproj import CRS

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ._exactsum import N_BINS
from .engine import _levels, _site_groups, coverage_frames, covered_sums, district_and_territory
from .population_raster import infinite_text, nodata_value
from .tiled_gaps import GAPS_MAX_BLOCKS, tiled_coverage_gaps
from .tiled_raster import TILED_ABOVE_CELLS, RasterTiles, raster_tiles
from .tiled_tile import _QBINS, _dense, _Job, _map_tiles, _qbin, _run_tile, _site_xy, _tile_crs

__all__ = ["GAPS_MAX_BLOCKS", "TILED_ABOVE_CELLS", "RasterTiles", "raster_tiles", "tiled_coverage",
           "tiled_coverage_gaps"]


@renamed(radii="radii_m")
def tiled_coverage(
    tiles: RasterTiles,
    sites: Any,
    radii_m: Sequence[float] = (100, 250, 500),
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
    sites, radii_m, by, quantiles
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
    radii_arr = np.array(sorted({float(r) for r in radii_m}))
    if len(radii_arr) == 0 or (radii_arr <= 0).any():
        raise InputError(code="tiled.bad_radii", params={"radii": str(list(radii_m))})
    if len(radii_arr) > 254:
        raise InputError(code="tiled.too_many_radii", params={})
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
        warnings.warn(render("tiled.radius_below_two_cells", {"radius": float(radii_arr[0]),
                                                               "cell": float(tiles.transform.a)}),
                      EgovkitWarning, stacklevel=3)
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
        rep.add("warning", "tiled.negative_cells", params={"n": c["negative"],
                                                           "fix_code": "population.negative_cells"}, action="dropped")
    nodata = nodata_value(tiles.nodata)
    rep.rows_in = c["cells"]
    rep.add("info", "tiled.raster_read",
            params={"n": c["cells"], "tiles": len(windows), "size": tiles.tile_size, "nodata": c["nodata"],
                    "nodata_value": nodata, "nan": c["nan"], "negative": c["negative"],
                    "infinite": infinite_text(c["infinite"]), "zero": c["zero"], "populated": n_pop,
                    "persons": total}, action="kept")
    if not tiles.metric:
        n_crs = len(set(keys))
        names = sorted({CRS.from_wkt(k).name for k in keys})
        rep.add("info", "tiled.tiles_reprojected",
                params={"src": tiles.crs.name, "n": n_crs, "names": ", ".join(names[:5]),
                        "more": "..." if n_crs > 5 else "", "error": 100 * worst}, action="repaired")
        if worst > MAX_SCALE_ERROR:
            rep.add("warning", "tiled.scale_error", params={"error": 100 * worst, "limit": 100 * MAX_SCALE_ERROR},
                    action="kept")
    n_out, w_out = sum(p["outside"][0] for p in parts), sum(p["outside"][1] for p in parts)
    if tiles.districts is not None and n_out:
        rep.add("warning", "tiled.outside_districts", params={"n": n_out, "persons": w_out,
                                                              "fix_code": "population.outside_districts"},
                action="kept")
    if n_pop == 0:
        raise InputError(code="population.raster_without_population",
                         params={"n": c["cells"], "nodata": c["nodata"], "nodata_value": nodata, "nan": c["nan"],
                                 "negative": c["negative"], "zero": c["zero"], "fix_code": "tiled.check_band"},
                         file=str(tiles.path))
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
