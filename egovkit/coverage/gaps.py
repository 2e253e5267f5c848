"""Coverage gaps: the largest populated zones out of reach of every Wi-Fi site.

The population beyond ``radius_m`` metres of its nearest site is summed on a regular grid (the raster's own
grid, or ``cell_m`` squares), cells holding uncovered people are merged into connected zones with
``scipy.ndimage.label`` (edge neighbours by default, corners too with ``connectivity=8``) and each
zone becomes one polygon (``rasterio.features.shapes``), ranked by uncovered population and given
the district holding most of its people.

Examples
--------
>>> import geopandas as gpd
>>> from egovkit.coverage.population import population_from_points
>>> pts = gpd.GeoDataFrame({"pop": [5.0, 7.0, 9.0]}, geometry=gpd.points_from_xy([50, 150, 950], [50, 50, 50]),
...                        crs=3857)
>>> z = coverage_gaps(population_from_points(pts, "pop"), np.array([[2000.0, 2000.0]]), 100, cell_m=100)
>>> z[["rank", "population", "n_cells"]].to_numpy().tolist()
[[1.0, 12.0, 2.0], [2.0, 9.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import ndimage

from ..errors import InputError
from ..shared.renamed import renamed
from .engine import nearest_site_distance
from .population import Grid, Population, _cells_of

__all__ = ["coverage_gaps"]


def _grid_for(population: Population, cell_m: float | None) -> Grid:
    if cell_m is None and population.grid is not None:
        return population.grid
    cell = float(cell_m or 100.0)
    if len(population) == 0:
        return Grid(0.0, 0.0, cell, (1, 1))
    x0 = np.floor(population.x.min() / cell) * cell
    y0 = (np.floor(population.y.max() / cell) + 1) * cell
    ncol = int(np.floor((population.x.max() - x0) / cell)) + 1
    nrow = int(np.floor((y0 - population.y.min()) / cell)) + 1
    return Grid(float(x0), float(y0), cell, (nrow, ncol))


def _label_by_district(pop_grid: np.ndarray, cells: np.ndarray, district: np.ndarray, weight: np.ndarray,
                       structure: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected components of cells that share the same dominant district."""
    # dominant district per cell: the (cell, district) pair with the largest weight
    key = cells.astype(np.int64) * (district.max() + 2) + (district.astype(np.int64) + 1)
    s = pd.Series(weight).groupby(key).sum()
    k = s.index.to_numpy()
    c, dd = k // (district.max() + 2), k % (district.max() + 2)  # dd = district + 1 (0: outside)
    order = np.lexsort((-s.to_numpy(), c))
    c, dd = c[order], dd[order]
    first = np.r_[True, c[1:] != c[:-1]]
    dgrid = np.zeros(pop_grid.size, dtype=np.int64)
    dgrid[c[first]] = dd[first] + 1  # 0 = no uncovered people; 1 = outside all districts; 2.. = districts
    dgrid = dgrid.reshape(pop_grid.shape)
    labels = np.zeros(pop_grid.shape, dtype=np.int64)
    nz = 0
    for value, sl in enumerate(ndimage.find_objects(dgrid), start=1):
        if sl is None:
            continue
        lab, n = ndimage.label(dgrid[sl] == value, structure=structure)
        labels[sl][lab > 0] = lab[lab > 0] + nz
        nz += n
    return labels, nz


@renamed(radius="radius_m")
def coverage_gaps(
    population: Population,
    sites: Any,
    radius_m: float,
    *,
    cell_m: float | None = None,
    min_population: float = 0.0,
    top: int | None = None,
    connectivity: int = 4,
    split_by_district: bool = False,
) -> gpd.GeoDataFrame:
    """Uncovered populated zones as polygons, largest uncovered population first.

    Parameters
    ----------
    population, sites
        As for :func:`~egovkit.coverage.coverage`.
    radius_m
        Coverage radius in metres (``radius=`` before): a person farther than this from every site
        is uncovered.
    cell_m
        Cell size of the zone grid; default the population's own grid (raster or spread
        districts), else 100 m.
    min_population
        Leave out zones with fewer uncovered persons.
    top
        Keep only the ``top`` largest zones.
    connectivity
        4 (cells sharing an edge form a zone) or 8 (corners too).
    split_by_district
        Cut zones at district borders (each cell belongs to the district holding most of its
        uncovered people), so that every zone lies in one district. Useful when uncovered land is
        contiguous over a whole city.

    Returns
    -------
    GeoDataFrame
        ``rank``, ``population`` (uncovered persons), ``households`` (when known), ``n_cells``,
        ``area_km2``, ``district`` (holding most of the zone's uncovered people, ``<NA>`` if
        outside all districts), ``share_in_district`` (0-1), polygons in the population's CRS.
    """
    from rasterio.features import shapes

    if not isinstance(population, Population):
        from .tiled import RasterTiles, tiled_coverage_gaps

        if isinstance(population, RasterTiles):  # a raster too large for memory: tile by tile
            return tiled_coverage_gaps(population, sites, radius_m, min_population=min_population, top=top,
                                       connectivity=connectivity, split_by_district=split_by_district)
    if connectivity not in (4, 8):
        raise InputError(code="coverage.bad_connectivity", params={"connectivity": str(connectivity)})
    if radius_m <= 0:
        raise InputError(code="coverage.bad_radius", params={"radius": str(radius_m)})
    d = nearest_site_distance(population, sites, float(radius_m))
    unc = (d > radius_m) & (population.weight > 0)
    grid = _grid_for(population, cell_m)
    if population.grid is not None and grid is population.grid and population.cell is not None:
        cells = population.cell
    else:
        cells = _cells_of(population.x, population.y, grid)
    unc &= cells >= 0
    ncell = grid.shape[0] * grid.shape[1]
    pop_grid = np.bincount(cells[unc], weights=population.weight[unc], minlength=ncell).reshape(grid.shape)
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    if split_by_district and len(population.district_names):
        labels, nz = _label_by_district(pop_grid, cells[unc], population.district[unc],
                                        population.weight[unc], structure)
    else:
        labels, nz = ndimage.label(pop_grid > 0, structure=structure)
    cols = ["rank", "population", "households", "n_cells", "area_km2", "district", "share_in_district"]
    if nz == 0:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=population.crs)
    lab_flat = labels.ravel()
    zpop = np.bincount(lab_flat, weights=pop_grid.ravel(), minlength=nz + 1)
    zcells = np.bincount(lab_flat, minlength=nz + 1)
    keep = np.flatnonzero(zpop >= max(min_population, 1e-12))
    keep = keep[keep > 0]
    keep = keep[np.argsort(-zpop[keep], kind="stable")]
    if top is not None:
        keep = keep[:top]
    # district holding most of each zone's uncovered people
    pz = lab_flat[cells[unc]]
    nd = len(population.district_names)
    key = pz.astype(np.int64) * (nd + 1) + (population.district[unc].astype(np.int64) + 1)
    s = pd.Series(population.weight[unc]).groupby(key).sum()
    zone_of = s.index.to_numpy() // (nd + 1)
    dist_of = s.index.to_numpy() % (nd + 1) - 1
    t = pd.DataFrame({"zone": zone_of, "district": dist_of, "w": s.to_numpy()})
    t = t.sort_values(["zone", "w"], ascending=[True, False], kind="stable").drop_duplicates("zone")
    best = t.set_index("zone")
    hh = None
    if population.households is not None:
        hh_grid = np.bincount(cells[unc], weights=population.households[unc], minlength=ncell)
        hh = np.bincount(lab_flat, weights=hh_grid, minlength=nz + 1)
    # polygons: only for the kept zones
    sel = np.zeros(nz + 1, dtype=bool)
    sel[keep] = True
    zone_mask = sel[labels]
    import shapely
    from shapely.geometry import shape
    polys: dict[int, list[Any]] = {}
    for geom, val in shapes(labels.astype(np.int32), mask=zone_mask, connectivity=connectivity,
                            transform=grid.transform):
        polys.setdefault(int(val), []).append(shape(geom))
    geoms = [shapely.union_all(polys[z]) if len(polys[z]) > 1 else polys[z][0] for z in keep]
    names = np.asarray(population.district_names, dtype=object)
    dz = best.loc[keep, "district"].to_numpy()
    out = pd.DataFrame({
        "rank": np.arange(1, len(keep) + 1),
        "population": zpop[keep],
        "households": hh[keep] if hh is not None else np.nan,
        "n_cells": zcells[keep],
        "area_km2": zcells[keep] * grid.cell_m ** 2 / 1e6,
        "district": pd.array([names[i] if i >= 0 else None for i in dz], dtype="string"),
        "share_in_district": np.where(dz >= 0, best.loc[keep, "w"].to_numpy() / zpop[keep], np.nan),
    })
    if hh is None:
        out = out.drop(columns="households")
    return gpd.GeoDataFrame(out, geometry=geoms, crs=population.crs)
