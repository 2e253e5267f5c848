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

The distances are in :mod:`.distances`, their population-weighted quantiles in
:mod:`.distance_quantiles` (both re-exported here). Per-district sums for all radii take one pass
(each point is binned by the smallest radius that covers it, then cumulated).

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

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ._exactsum import collapse, exact_bincount
from .distance_quantiles import (  # noqa: F401 (_binned_weighted_quantiles: importable from here as before)
    BINNED_QUANTILES_ABOVE,
    _binned_weighted_quantiles,
    _district_and_territory_quantiles,
    weighted_quantiles,
)
from .distances import _bucket_nearest, _stamp_grid, nearest_site_distance, site_coordinates  # noqa: F401 (tiled_tile)
from .population import Population

__all__ = ["site_coordinates", "nearest_site_distance", "coverage", "covered_area", "weighted_quantiles",
           "BINNED_QUANTILES_ABOVE", "coverage_frames", "covered_sums", "district_and_territory"]


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
