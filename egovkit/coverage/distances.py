"""Exact distance from each population point to its nearest Wi-Fi site.

A point is covered for radius ``r`` when this distance is ``<= r``. Three paths give the same
distances: regular grids stamp each site's disk on a distance grid (``np.minimum.at``); other
points look only at the sites in their own and the 8 neighbouring square buckets of side
``max_distance_m``; without a maximum, a ``scipy.spatial.cKDTree`` gives every distance.

Examples
--------
>>> from affine import Affine
>>> from egovkit.coverage.population import population_from_array
>>> p = population_from_array(np.ones((1, 3)), Affine(100, 0, 0, 0, -100, 100), 3857)
>>> nearest_site_distance(p, np.array([[50.0, 50.0]]), max_distance_m=150).tolist()
[0.0, 100.0, inf]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from ..errors import InputError
from .population import Grid, Population

__all__ = ["site_coordinates", "nearest_site_distance"]


def site_coordinates(sites: Any, crs: CRS) -> np.ndarray:
    """``(n, 2)`` array of site coordinates in ``crs``.

    ``sites`` is a GeoDataFrame/GeoSeries of points (reprojected to ``crs``) or an ``(n, 2)`` array
    already in ``crs``. Rows of a GeoDataFrame whose ``is_site`` column is False (e.g. (0, 0) points
    flagged by :func:`~egovkit.coverage.read_hotspots`) and empty geometries are left out.

    Examples
    --------
    >>> site_coordinates(np.array([[1.0, 2.0]]), CRS(3857)).tolist()
    [[1.0, 2.0]]
    """
    if isinstance(sites, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if isinstance(sites, gpd.GeoDataFrame) and "is_site" in sites.columns:
            sites = sites[sites["is_site"].fillna(False).astype(bool)]
        geom = sites.geometry if isinstance(sites, gpd.GeoDataFrame) else sites
        if geom.crs is None:
            raise InputError(code="coverage.sites_without_crs")
        if CRS(geom.crs) != crs:
            geom = geom.to_crs(crs)
        geom = geom[~(geom.isna() | geom.is_empty)]
        if len(geom) and not (geom.geom_type == "Point").all():
            geom = geom.representative_point()
        return np.column_stack([shapely.get_x(geom.values), shapely.get_y(geom.values)]).astype(float)
    arr = np.asarray(sites, dtype=float)
    if arr.size == 0:
        return arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(code="coverage.sites_shape", params={"shape": str(arr.shape)})
    return arr


def _stamp_grid(grid: Grid, cells: np.ndarray, sxy: np.ndarray, rmax: float,
                radii: np.ndarray | None = None) -> np.ndarray:
    """Exact distance from each cell centre in ``cells`` to its nearest site, ``inf`` beyond ``rmax``.

    With ``radii`` (sorted, at most 254, largest ``rmax``), returns instead the index of the smallest
    radius covering each cell (``len(radii)`` for none) as ``uint8``: the same as
    ``np.searchsorted(radii, distance, "left")``, since the rank is monotone in the distance, but
    stamped on a grid of bytes instead of floats (8 times less memory to fill and gather)."""
    nrow, ncol = grid.shape
    c = grid.cell_m
    if radii is None:
        best = np.full(nrow * ncol, np.inf)
    else:
        best = np.full(nrow * ncol, len(radii), dtype=np.uint8)
    sx, sy = sxy[:, 0], sxy[:, 1]
    i0 = np.rint((grid.y0 - sy) / c - 0.5).astype(np.int64)
    j0 = np.rint((sx - grid.x0) / c - 0.5).astype(np.int64)
    reach = int(np.ceil(rmax / c)) + 1
    keep = (i0 >= -reach) & (i0 < nrow + reach) & (j0 >= -reach) & (j0 < ncol + reach)
    sx, sy, i0, j0 = sx[keep], sy[keep], i0[keep], j0[keep]
    for di in range(-reach, reach + 1):
        for dj in range(-reach, reach + 1):
            # a site is within half a cell of its nearest centre: skip offsets that cannot reach
            if (max(abs(di) - 1, 0) ** 2 + max(abs(dj) - 1, 0) ** 2) * c * c > rmax * rmax:
                continue
            ii = i0 + di
            jj = j0 + dj
            dx = grid.x0 + (jj + 0.5) * c - sx
            dy = grid.y0 - (ii + 0.5) * c - sy
            d = np.sqrt(dx * dx + dy * dy)
            ok = (d <= rmax) & (ii >= 0) & (ii < nrow) & (jj >= 0) & (jj < ncol)
            val = d[ok] if radii is None else np.searchsorted(radii, d[ok], side="left").astype(np.uint8)
            np.minimum.at(best, ii[ok] * ncol + jj[ok], val)
    return best[cells]


def _bucket_nearest(px: np.ndarray, py: np.ndarray, sxy: np.ndarray, rmax: float,
                    max_cells: int = 50_000_000) -> np.ndarray | None:
    """Exact nearest-site distance within ``rmax`` (``inf`` beyond) by bucketing sites into square
    cells of side ``rmax``: a point can only be within ``rmax`` of sites in its own cell and the 8
    around it. Linear in points; returns None when the cell grid would be too large."""
    # slightly larger than rmax so that rounding can never put a site within rmax two cells away
    c = float(rmax) * (1 + 1e-9) + 1e-9
    inv = 1.0 / c
    minx = min(px.min(), sxy[:, 0].min())
    miny = min(py.min(), sxy[:, 1].min())
    maxx = max(px.max(), sxy[:, 0].max())
    maxy = max(py.max(), sxy[:, 1].max())
    ncol = int((maxx - minx) * inv) + 3  # one padding cell on each side: offsets never leave the grid
    nrow = int((maxy - miny) * inv) + 3
    if ncol * nrow > max_cells:
        return None
    scell = (((sxy[:, 1] - miny) * inv).astype(np.intp) + 1) * ncol + ((sxy[:, 0] - minx) * inv).astype(np.intp) + 1
    order = np.argsort(scell, kind="stable")
    sx, sy, scell = sxy[order, 0], sxy[order, 1], scell[order]
    count = np.bincount(scell, minlength=ncol * nrow).astype(np.int32)
    start = np.zeros(ncol * nrow, dtype=np.intp)
    np.cumsum(count[:-1], out=start[1:])
    # the same monotone cell mapping for points (multiply + truncate: floor_divide is slow)
    tmp = np.subtract(py, miny)
    tmp *= inv
    pcell = tmp.astype(np.intp)
    pcell += 1
    pcell *= ncol
    np.subtract(px, minx, out=tmp)
    tmp *= inv
    pcell += tmp.astype(np.intp)
    pcell += 1
    del tmp
    cell = np.empty_like(pcell)
    best = np.full(len(px), np.inf)  # squared distances; sqrt is monotone, so min commutes with it
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            np.add(pcell, di * ncol + dj, out=cell)
            cnt = count[cell]  # (np.take with out= is several times slower here)
            idx = np.flatnonzero(cnt)
            k = 0
            while len(idx):
                si = start[cell[idx]] + k
                dx = px[idx] - sx[si]
                dy = py[idx] - sy[si]
                best[idx] = np.minimum(best[idx], dx * dx + dy * dy)
                k += 1
                idx = idx[cnt[idx] > k]
    np.sqrt(best, out=best)
    best[best > rmax] = np.inf
    return best


def nearest_site_distance(population: Population, sites: Any, max_distance_m: float | None = None) -> np.ndarray:
    """Exact distance (m) from each population point to its nearest site.

    With ``max_distance_m``, distances beyond it are returned as ``inf`` (faster): regular grids
    stamp each site's disk on the grid, other points look only at the sites in their own and the
    8 neighbouring cells of side ``max_distance_m``. Without it, a k-d tree gives every distance.

    Examples
    --------
    >>> from egovkit.coverage.population import population_from_array
    >>> from affine import Affine
    >>> p = population_from_array(np.ones((1, 3)), Affine(100, 0, 0, 0, -100, 100), 3857)
    >>> nearest_site_distance(p, np.array([[50.0, 50.0]])).tolist()
    [0.0, 100.0, 200.0]
    """
    sxy = site_coordinates(sites, population.crs)
    n = len(population)
    if len(sxy) == 0:
        return np.full(n, np.inf)
    if max_distance_m is not None and population.grid is not None and population.cell is not None:
        return _stamp_grid(population.grid, population.cell, sxy, float(max_distance_m))
    if max_distance_m is not None and n:
        d = _bucket_nearest(population.x, population.y, sxy, float(max_distance_m))
        if d is not None:
            return d
    tree = cKDTree(sxy)
    pts = np.column_stack([population.x, population.y])
    if max_distance_m is None:
        d, _ = tree.query(pts, k=1, workers=-1)
        return d
    bound = float(max_distance_m) * (1 + 1e-9) + 1e-6
    d, _ = tree.query(pts, k=1, workers=-1, distance_upper_bound=bound)
    d[d > max_distance_m] = np.inf
    return d
