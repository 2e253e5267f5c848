"""Population given as a count per district, spread over each district's polygon on a fine grid of
points, uniformly or by a weight layer (areal / dasymetric): :func:`population_from_districts`.

Examples
--------
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"name": ["A"], "pop": [100.0]}, geometry=[box(0, 0, 1000, 1000)], crs=3857)
>>> p = population_from_districts(d, population="pop", key="name", cell_m=100)
>>> round(p.total, 6), len(p.x)
(100.0, 100)
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS

from ..errors import InputError
from ..geo import projected_crs
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .population_assign import prepare_districts
from .population_grid import Grid, Population, cells_of
from .population_points import count_weights, transform_xy

__all__ = ["population_from_districts"]


@renamed(district="key")
def population_from_districts(
    districts: gpd.GeoDataFrame,
    population: str,
    *,
    key: str | None = None,
    households: str | float | None = None,
    cell_m: float = 50.0,
    weight: Population | None = None,
    crs: Any = None,
) -> Population:
    """Spread a count per district over its polygon on a regular grid of ``cell_m`` metres.

    Every grid cell whose centre lies in a district gets an equal share of the district's count
    (areal weighting), or a share proportional to ``weight`` (dasymetric: e.g. a building or
    land-use raster given as a :class:`Population`, summed per cell). ``households`` is a column of
    household counts spread the same way, or a number of households per person. A district too small to hold
    a cell centre, or with zero weight everywhere, puts its whole count at its representative point
    (reported). District totals are kept exactly. The spatial resolution of the result is
    ``cell_m``: a coverage radius ``r`` is resolved to about ``cell_m / 2``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"k": ["a", "b"], "pop": [10.0, 30.0]},
    ...                      geometry=[box(0, 0, 100, 100), box(100, 0, 300, 100)], crs=3857)
    >>> p = population_from_districts(d, "pop", key="k", cell_m=50)
    >>> np.bincount(p.district, weights=p.weight).tolist()
    [10.0, 30.0]
    """
    report = ValidationReport(source=render("population.source_districts"))
    if population not in districts.columns:
        raise InputError(code="population.no_district_column",
                         params={"column": population, "columns": str(list(districts.columns))}, column=population)
    crs = CRS.from_user_input(crs) if crs is not None else projected_crs(districts)
    d, names = prepare_districts(districts, key, crs, report)
    assert d is not None
    report.rows_in = len(d)
    pop = count_weights(d[population].to_numpy(), population, len(d), report)
    if isinstance(households, str):
        hh = count_weights(d[households].to_numpy(), households, len(d), report)
    elif households is not None:
        hh = pop * float(households)  # households per person
    else:
        hh = None
    minx, miny, maxx, maxy = d.total_bounds
    x0 = np.floor(minx / cell_m) * cell_m
    y0 = np.ceil(maxy / cell_m) * cell_m
    ncol = int(np.ceil((maxx - x0) / cell_m)) + 1
    nrow = int(np.ceil((y0 - miny) / cell_m)) + 1
    grid = Grid(float(x0), float(y0), float(cell_m), (nrow, ncol))
    from rasterio.features import rasterize
    lab = rasterize(((g, i) for i, g in enumerate(d.geometry.values)), out_shape=grid.shape,
                    transform=grid.transform, fill=-1, dtype="int32").ravel()
    cells = np.flatnonzero(lab >= 0)
    dist = lab[cells]
    if weight is not None:
        wx, wy = weight.x, weight.y
        if CRS.from_user_input(weight.crs) != crs:
            wx, wy = transform_xy(wx, wy, weight.crs, crs)
            report.add("info", "population.weight_reprojected",
                       params={"src": CRS.from_user_input(weight.crs).name, "dst": crs.name}, action="repaired")
        wi = cells_of(np.asarray(wx, dtype=float), np.asarray(wy, dtype=float), grid)
        cw = np.bincount(wi[wi >= 0], weights=weight.weight[wi >= 0], minlength=lab.size)[cells]
    else:
        cw = np.ones(len(cells))
    wsum = np.bincount(dist, weights=cw, minlength=len(d))
    x, y = grid.centres(cells)
    share = np.divide(cw, wsum[dist], out=np.zeros(len(cells)), where=wsum[dist] > 0)
    w = pop[dist] * share
    h = hh[dist] * share if hh is not None else None
    missing = np.flatnonzero(wsum <= 0)
    if len(missing):
        rp = d.geometry.iloc[missing].representative_point()
        x = np.r_[x, rp.x.to_numpy()]
        y = np.r_[y, rp.y.to_numpy()]
        w = np.r_[w, pop[missing]]
        if h is not None:
            h = np.r_[h, hh[missing]]
        dist = np.r_[dist, missing.astype(np.int32)]
        for i in missing:
            report.add("info", "population.district_weighted_at_point" if weight is not None
                       else "population.district_at_point", params={"cell_m": float(cell_m), "persons": float(pop[i]),
                                                                    "fix_code": "population.district_at_point"},
                       area=names[i], action="guessed")
        grid_cells = None
        grid_used = None
    else:
        grid_cells = cells
        grid_used = grid
    report.add("info", "population.spread_by_weight" if weight is not None else "population.spread_uniformly",
               params={"cell_m": float(cell_m), "n": len(cells)}, action="kept")
    return Population(x, y, w, crs, dist.astype(np.int32), names, d, h, grid_used, grid_cells, "districts", report)
