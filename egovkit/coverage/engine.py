"""The radius engine: population within ``r`` metres of a Wi-Fi site, by district.

Coverage is decided per population point (a raster cell centre, a grid cell of a spread district
count, a tract centroid...) by its exact Euclidean distance to the nearest site: a point is covered
for radius ``r`` when that distance is ``<= r``. No buffer polygons are drawn, so circles are exact,
overlapping buffers cannot be double counted and a site on a district border covers both sides.

Three paths give the same distances (tests check them against brute-force distance matrices):

- regular grids (rasters, spread district counts), distances up to the largest radius: for every
  site, the cells within that radius are stamped on a distance grid with ``np.minimum.at``; work
  is linear in sites x disk cells, independent of the number of empty cells;
- arbitrary points, distances up to the largest radius: sites are bucketed in square cells of
  that radius and each point looks only at its own and the 8 neighbouring buckets;
- every exact distance (needed for the distance quantiles): one ``scipy.spatial.cKDTree`` query
  per point.

Per-district sums for all radii take one ``np.bincount`` pass (each point is binned by the smallest
radius that covers it, then cumulated).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from egovkit.coverage.population import population_from_points
>>> pts = gpd.GeoDataFrame({"pop": [10.0, 30.0]}, geometry=gpd.points_from_xy([0, 300], [0, 0]), crs=3857)
>>> sites = gpd.GeoSeries.from_xy([50], [0], crs=3857)
>>> t = coverage(population_from_points(pts, "pop"), sites, radii_m=[100, 500])
>>> t[["radius_m", "population_covered", "share_covered"]].to_numpy().tolist()
[[100.0, 10.0, 0.25], [500.0, 40.0, 1.0]]
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ._exactsum import collapse, exact_bincount
from .population import Grid, Population

__all__ = ["site_coordinates", "nearest_site_distance", "coverage", "covered_area", "weighted_quantiles"]


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


def weighted_quantiles(groups: np.ndarray, values: np.ndarray, weights: np.ndarray, qs: Sequence[float],
                       n_groups: int) -> np.ndarray:
    """Weighted quantiles of ``values`` per group: the smallest value whose cumulative weight
    reaches ``q`` of the group's total (the inverted-CDF definition; with integer weights it equals
    ``np.quantile(np.repeat(values, weights), q, method="inverted_cdf")``).

    Returns an array ``(n_groups, len(qs))``, ``nan`` for groups without weight.

    Examples
    --------
    >>> weighted_quantiles(np.array([0, 0, 0]), np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]), [0.5], 1)
    array([[2.]])
    """
    ok = (groups >= 0) & (weights > 0)
    g, v, w = groups[ok], values[ok], weights[ok]
    order = _group_value_order(g, v, n_groups)
    return _sorted_weighted_quantiles(g[order], v[order], w[order], qs, n_groups)


def _group_value_order(g: np.ndarray, v: np.ndarray, n_groups: int, by_value: np.ndarray | None = None) -> np.ndarray:
    """Order by group, then value: one sort by value, then a stable sort by group (a radix sort for
    small integer groups), instead of ``np.lexsort`` (several times slower on 10^7 points)."""
    ov = np.argsort(v) if by_value is None else by_value  # ties in v give the same quantile values
    dt = np.int16 if n_groups < 2**15 else np.int32 if n_groups < 2**31 else np.int64
    return ov[np.argsort(g[ov].astype(dt, copy=False), kind="stable")]


def _sorted_weighted_quantiles(g: np.ndarray, v: np.ndarray, w: np.ndarray, qs: Sequence[float],
                               n_groups: int) -> np.ndarray:
    """:func:`weighted_quantiles` on points already sorted by group then value (groups >= 0, weights > 0)."""
    out = np.full((n_groups, len(qs)), np.nan)
    if len(g) == 0:
        return out
    cw = np.cumsum(w)
    starts = np.searchsorted(g, np.arange(n_groups), side="left")
    ends = np.searchsorted(g, np.arange(n_groups), side="right")
    base = np.where(starts > 0, cw[np.maximum(starts - 1, 0)], 0.0)
    tot = np.where(ends > starts, cw[np.maximum(ends - 1, 0)] - base, 0.0)
    has = ends > starts
    for k, q in enumerate(qs):
        target = base + q * tot
        # tolerance guards against cumulative-sum rounding at exact hits
        pos = np.searchsorted(cw, target - 1e-9 * np.maximum(tot, 1.0), side="left")
        pos = np.clip(np.maximum(pos, starts), 0, len(v) - 1)
        pos = np.minimum(pos, np.maximum(ends - 1, 0))
        out[has, k] = v[pos[has]]
    return out


#: Above this many weighted points, distance quantiles come from :func:`_binned_weighted_quantiles`
#: (linear) rather than a full sort.
BINNED_QUANTILES_ABOVE = 1_000_000


def _binned_weighted_quantiles(g: np.ndarray, v: np.ndarray, w: np.ndarray, qs: Sequence[float],
                               n_groups: int) -> np.ndarray:
    """:func:`weighted_quantiles` without sorting every point (``g >= 0``, ``w > 0`` given).

    Values go to ordered bins; one weighted histogram per group finds, for each quantile, the
    bin where the cumulative weight reaches it; only the points of those bins are sorted. Same
    definition and tolerance as the sorted version: with exactly summable weights (integers) the
    results are identical, otherwise they may differ only where a cumulative weight lands within
    float rounding of a target.
    """
    out = np.full((n_groups, len(qs)), np.nan)
    if len(v) == 0:
        return out
    nb = int(min(4096, max(16, 20_000_000 // max(n_groups, 1))))
    finite = np.isfinite(v)
    vmax = float(v[finite].max()) if finite.any() else 0.0
    scale = (nb - 2) / vmax if vmax > 0 else 0.0
    b = np.empty(len(v), dtype=np.int64)  # bins 0..nb-2 for finite values (monotone in v), nb-1 for inf
    b[finite] = np.minimum((v[finite] * scale).astype(np.int64), nb - 2)
    b[~finite] = nb - 1
    key = g.astype(np.int64) * nb + b
    hist = np.bincount(key, weights=w, minlength=n_groups * nb).reshape(n_groups, nb)
    cum = np.cumsum(hist, axis=1)
    tot = cum[:, -1]
    has = tot > 0
    rows = np.flatnonzero(has)
    targets = np.outer(tot[rows], np.asarray(qs, dtype=float)) - 1e-9 * np.maximum(tot[rows], 1.0)[:, None]
    # first non-empty bin whose cumulative weight reaches each target (q = 0: the first non-empty bin)
    first = np.argmax(hist[rows] > 0, axis=1)
    tb = np.empty(targets.shape, dtype=np.int64)
    for k in range(targets.shape[1]):
        tb[:, k] = np.clip((cum[rows] < targets[:, [k]]).sum(axis=1), first, nb - 1)
    wanted = np.zeros(n_groups * nb, dtype=bool)
    wanted[(rows[:, None] * nb + tb).ravel()] = True
    idx = np.flatnonzero(wanted[key])
    sk, sv, sw = key[idx], v[idx], w[idx]
    order = np.lexsort((sv, sk))
    sk, sv, sw = sk[order], sv[order], sw[order]
    cw = np.cumsum(sw)
    for k in range(targets.shape[1]):
        kq = rows * nb + tb[:, k]
        start = np.searchsorted(sk, kq, side="left")
        end = np.searchsorted(sk, kq, side="right")
        before = np.where(tb[:, k] > 0, cum[rows, np.maximum(tb[:, k] - 1, 0)], 0.0)  # weight of lower bins
        seg0 = np.where(start > 0, cw[np.maximum(start - 1, 0)], 0.0)
        pos = np.searchsorted(cw, seg0 + (targets[:, k] - before), side="left")
        pos = np.minimum(np.maximum(pos, start), np.maximum(end - 1, 0))
        out[rows, k] = sv[pos]
    return out


def _district_and_territory_quantiles(dist_id: np.ndarray, d: np.ndarray, w: np.ndarray, qs: Sequence[float],
                                      nd: int) -> np.ndarray:
    """Weighted distance quantiles per district (rows 0..nd-1) and for the territory (last row, every
    point, also those outside the districts): one sort by distance shared by both, or binned
    histograms (:func:`_binned_weighted_quantiles`) for large inputs."""
    pos = np.flatnonzero(w > 0)
    v, ww, g = d[pos], w[pos], dist_id[pos]
    if len(pos) > BINNED_QUANTILES_ABOVE:
        inside = g >= 0
        qd = _binned_weighted_quantiles(g[inside], v[inside], ww[inside], qs, nd)
        qt = _binned_weighted_quantiles(np.zeros(len(v), dtype=np.int64), v, ww, qs, 1)
        return np.vstack([qd, qt])
    ov = np.argsort(v)
    qt = _sorted_weighted_quantiles(np.zeros(len(ov), dtype=np.int64), v[ov], ww[ov], qs, 1)
    inside = ov[g[ov] >= 0]
    order = _group_value_order(g, v, nd, by_value=inside)
    qd = _sorted_weighted_quantiles(g[order], v[order], ww[order], qs, nd)
    return np.vstack([qd, qt])


def district_and_territory(partials: np.ndarray, nd: int) -> np.ndarray:
    """Sums of districts ``0..nd-1`` and of the territory (every bucket, incl. ``nd`` = outside all
    districts) from exact partial sums ``(N_BINS, nd + 1)``."""
    return collapse(np.concatenate([partials[:, :nd], partials.sum(axis=1, keepdims=True)], axis=1))


def covered_sums(partials: np.ndarray, nd: int, nr: int) -> np.ndarray:
    """``(nd + 1, nr)`` weight within each radius per district (last row: the territory) from exact
    partial sums over ``district * (nr + 1) + smallest covering radius index`` keys."""
    cum = np.cumsum(partials.reshape(len(partials), nd + 1, nr + 1), axis=2)  # exact: no rounding
    return np.stack([district_and_territory(cum[:, :, j], nd) for j in range(nr)], axis=1)


def _levels(n: int) -> np.ndarray:
    return np.array(["district"] * n + ["territory"], dtype=object)


def _qname(q: float) -> str:
    return "median_distance_m" if q == 0.5 else f"p{q * 100:g}_distance_m"


def _site_groups(sites: Any, by: str | Mapping[str, Any] | None) -> dict[str, Any]:
    groups: dict[str, Any] = {"all": sites}
    if by is None:
        return groups
    if isinstance(by, str):
        if not isinstance(sites, gpd.GeoDataFrame) or by not in sites.columns:
            cols = list(sites.columns) if isinstance(sites, gpd.GeoDataFrame) else []
            raise InputError(code="coverage.no_sites_column", params={"column": by, "columns": repr(cols)}, column=by)
        for value, part in sites.groupby(by, sort=True, dropna=False):
            groups[f"{by}={value}"] = part
        return groups
    for name, mask in by.items():
        m = np.asarray(mask, dtype=bool)
        groups[str(name)] = sites[m] if isinstance(sites, (gpd.GeoDataFrame, gpd.GeoSeries)) else np.asarray(sites)[m]
    return groups


def coverage_frames(rows: dict[str, Any], radii_m: np.ndarray, pop_tot: np.ndarray, cum_p: np.ndarray,
                    hh_tot: np.ndarray | None, cum_h: np.ndarray | None, quantiles: Sequence[float] | None,
                    qall: np.ndarray | None) -> list[pd.DataFrame]:
    """One table per radius of the coverage table, from the per-district (and territory) sums.

    ``rows`` holds the columns common to every radius (``sites``, ``level``, ``district``);
    ``cum_p``/``cum_h`` the covered persons/households per district and radius; ``qall`` the
    distance quantiles per district. Shared by the in-memory and the tiled engines, so that both
    give the same columns and the same bits.
    """
    frames = []
    n = len(pop_tot)
    for j, r in enumerate(radii_m):
        frame = dict(rows)
        frame["radius_m"] = r
        frame["population"] = pop_tot
        pc = cum_p[:, j]
        frame["population_covered"] = pc
        frame["share_covered"] = np.divide(pc, pop_tot, out=np.full(n, np.nan), where=pop_tot > 0)
        if cum_h is not None and hh_tot is not None:
            hc = cum_h[:, j]
            frame["households"] = hh_tot
            frame["households_covered"] = hc
            frame["share_households_covered"] = np.divide(hc, hh_tot, out=np.full(n, np.nan), where=hh_tot > 0)
        if qall is not None and quantiles:
            for k, q in enumerate(quantiles):
                frame[_qname(q)] = qall[:, k]
        frames.append(pd.DataFrame(frame))
    return frames


@renamed(radii="radii_m", area="with_area")
def coverage(
    population: Population,
    sites: Any,
    radii_m: Sequence[float] = (100, 250, 500),
    *,
    by: str | Mapping[str, Any] | None = None,
    quantiles: Sequence[float] | None = (0.5, 0.9),
    with_area: bool = False,
) -> pd.DataFrame:
    """Population (and households) within each radius of a site, per district and for the territory.

    Parameters
    ----------
    population
        From :mod:`egovkit.coverage.population` (a :class:`~egovkit.coverage.tiled.RasterTiles`, a
        large raster on disk, goes to :func:`~egovkit.coverage.tiled.tiled_coverage`).
    sites
        Site points (GeoDataFrame/GeoSeries in any CRS, or an ``(n, 2)`` array in the population's CRS).
    radii_m
        Radii in metres (``radii=`` before).
    by
        Also compute coverage for subsets of sites in the same call: a column of ``sites`` (one
        group per value, e.g. ``"Type"`` or ``"Provider"``) or a mapping ``name -> boolean mask``
        (e.g. ``{"free only": sites.Type == "Free"}``). The group ``"all"`` is always there.
    quantiles
        Population-weighted quantiles of the distance to the nearest site (``None`` to skip; it
        needs exact distances for every point, which is slower on huge inputs).
    with_area
        Also give the district area within each radius (:func:`covered_area`, polygonal buffers;
        ``area=`` before).

    Returns
    -------
    DataFrame
        One row per (sites group, level, district, radius): ``sites``, ``level`` (``district`` or
        ``territory``), ``district``, ``radius_m``, ``population``, ``population_covered``,
        ``share_covered`` (0-1, of persons), ``households``/``households_covered``/
        ``share_households_covered`` when households are known, ``median_distance_m``,
        ``p90_distance_m`` (per quantile), and with ``with_area=True``: ``area_km2``,
        ``area_covered_km2``, ``share_area_covered``. The territory row counts every point,
        including points outside all districts.

    Examples
    --------
    See the module docstring.
    """
    if not isinstance(population, Population):
        from .tiled import RasterTiles, tiled_coverage

        if isinstance(population, RasterTiles):  # a raster too large for memory: read tile by tile
            if with_area:
                raise InputError(code="coverage.area_tiled")
            return tiled_coverage(population, sites, radii_m, by=by, quantiles=quantiles)
    radii_arr = np.array(sorted({float(r) for r in radii_m}))
    if len(radii_arr) == 0 or (radii_arr <= 0).any():
        raise InputError(code="coverage.bad_radii", params={"radii": str(list(radii_m))})
    rmax = float(radii_arr.max())
    if population.grid is not None and radii_arr[0] < 2 * population.grid.cell_m:
        # a cell counts whole or not at all, at its centre: a disk of a few cells is a coarse polygon
        warnings.warn(render("coverage.radius_below_cells", {"radius": float(radii_arr[0]),
                                                             "cell": float(population.grid.cell_m)}),
                      EgovkitWarning, stacklevel=3)
    names = population.district_names
    nd = len(names)
    dist_id = population.district
    w = population.weight
    hh = population.households
    outside = dist_id < 0

    def buckets(mult: int) -> np.ndarray:
        # bucket * mult, where points outside every district go to an extra bucket nd (counted for
        # the territory only); intp, as np.bincount wants it. Rebuilt when needed rather than kept:
        # with 10^7 points each such array is 80 MB, and fresh memory is slow to fill.
        b = np.multiply(dist_id, mult, dtype=np.intp)
        b[outside] = nd * mult
        return b

    out_frames = []
    area_tab = None
    if with_area and population.districts is None:
        raise InputError(code="coverage.area_without_districts")
    pop_tot = hh_tot = None  # from the first group's exact partial sums (one pass less over the points)
    nr = len(radii_arr)
    # regular grid without quantiles: stamp the index of the smallest covering radius directly
    rank_grid = (not quantiles and population.grid is not None and population.cell is not None
                 and nr < 255)
    for gname, gsites in _site_groups(sites, by).items():
        if rank_grid:
            assert population.grid is not None and population.cell is not None
            sxy = site_coordinates(gsites, population.crs)
            if len(sxy):
                first = _stamp_grid(population.grid, population.cell, sxy, rmax, radii_arr)
            else:
                first = np.full(len(population), nr, dtype=np.uint8)
        else:
            d = nearest_site_distance(population, gsites, None if quantiles else rmax)
            # d <= radii[j]  <=>  j >= searchsorted(radii, d, "left")
            first = np.searchsorted(radii_arr, d, side="left")
        rows: dict[str, Any] = {"sites": gname, "level": _levels(nd),
                                "district": np.r_[np.asarray(names, dtype=object), np.array([None], dtype=object)]}
        qall = _district_and_territory_quantiles(dist_id, d, w, list(quantiles), nd) if quantiles else None
        # one pass: the smallest radius index covering each point (nr = none), then cumulate
        key = buckets(nr + 1)
        key += first
        del first
        # exact, order-independent sums (egovkit.coverage._exactsum): the tiled engine gives the same bits
        part_p = exact_bincount(key, w, (nd + 1) * (nr + 1))
        part_h = exact_bincount(key, hh, (nd + 1) * (nr + 1)) if hh is not None else None
        if pop_tot is None:
            pop_tot = district_and_territory(part_p.reshape(len(part_p), nd + 1, nr + 1).sum(axis=2), nd)
            if part_h is not None:
                hh_tot = district_and_territory(part_h.reshape(len(part_h), nd + 1, nr + 1).sum(axis=2), nd)
        cum_p = covered_sums(part_p, nd, nr)
        cum_h = covered_sums(part_h, nd, nr) if part_h is not None else None
        del part_p, part_h
        out_frames += coverage_frames(rows, radii_arr, pop_tot, cum_p, hh_tot, cum_h, quantiles, qall)
        if with_area:
            a = covered_area(population.districts, gsites, radii_arr, name=names)
            a["sites"] = gname
            area_tab = a if area_tab is None else pd.concat([area_tab, a], ignore_index=True)
    out = pd.concat(out_frames, ignore_index=True)
    if area_tab is not None:
        out = out.merge(area_tab, on=["sites", "level", "district", "radius_m"], how="left")
    order = {g: i for i, g in enumerate(dict.fromkeys(out["sites"]))}
    key = out["sites"].map(order).to_numpy() * 10 + (out["level"] == "territory").to_numpy()
    out = out.iloc[np.lexsort((out["radius_m"].to_numpy(), key))].reset_index(drop=True)
    return out


@renamed(radii="radii_m", district_names="name")
def covered_area(
    districts: gpd.GeoDataFrame,
    sites: Any,
    radii_m: Sequence[float],
    *,
    name: str | Sequence[str] | None = None,
    quad_segs: int = 16,
) -> pd.DataFrame:
    """Area of each district (and of all of them) within ``r`` metres of a site: a secondary figure.

    Buffers are polygons with ``quad_segs`` segments per quarter circle (area about
    ``1 - 0.0016`` of the true circle at 16), unioned, then intersected with each district.
    ``districts`` must be in a projected CRS (as ``Population.districts`` is). The districts are
    labelled by ``name``: their label column, or one label per district (``district_names=``
    before); by default their index. ``radii_m`` was ``radii=``.

    Returns columns ``level``, ``district``, ``radius_m``, ``area_km2``, ``area_covered_km2``,
    ``share_area_covered``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs=3857)
    >>> t = covered_area(d, np.array([[0.0, 0.0]]), [100])
    >>> round(float(t.area_covered_km2.iloc[0]) * 1e6 / (np.pi * 100 ** 2 / 4), 3)
    0.998
    """
    crs = CRS(districts.crs)
    if not crs.is_projected:
        raise InputError(code="coverage.area_needs_projected_crs")
    sxy = site_coordinates(sites, crs)
    if isinstance(name, str):
        if name not in districts.columns:
            raise InputError(code="coverage.no_district_column", column=name,
                             params={"column": name, "columns": repr([str(c) for c in districts.columns])})
        name = districts[name].astype(str).tolist()
    names = np.asarray(name if name is not None else districts.index.astype(str), dtype=object)
    geoms = districts.geometry.values
    darea = shapely.area(geoms) / 1e6
    frames = []
    pts = shapely.points(sxy) if len(sxy) else None
    for r in radii_m:
        if pts is None:
            cov = np.zeros(len(geoms))
        else:
            u = shapely.union_all(shapely.buffer(pts, float(r), quad_segs=quad_segs))
            cov = shapely.area(shapely.intersection(geoms, u)) / 1e6
        a = np.r_[darea, darea.sum()]
        c = np.r_[cov, cov.sum()]
        frames.append(pd.DataFrame({
            "level": _levels(len(geoms)),
            "district": np.r_[names, np.array([None], dtype=object)],
            "radius_m": float(r), "area_km2": a, "area_covered_km2": c,
            "share_area_covered": np.divide(c, a, out=np.full(len(a), np.nan), where=a > 0)}))
    return pd.concat(frames, ignore_index=True)
