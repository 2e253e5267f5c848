"""Districts of a population: the district polygons made ready (projected, labelled, repaired) and each
population point given the district that contains it.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from egovkit.validate import ValidationReport
>>> report = ValidationReport()
>>> d = gpd.GeoDataFrame({"k": ["a", "b"]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=3857)
>>> d, names = prepare_districts(d, "k", None, report)
>>> list(names), assign_points(np.array([5.0, 15.0, 50.0]), np.array([5.0, 5.0, 5.0]), d, names, report).tolist()
(['a', 'b'], [0, 1, -1])
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import InputError
from ..geo import projected_crs
from ..validate import ValidationReport
from .population_grid import Grid

__all__ = ["prepare_districts", "assign_points"]


def prepare_districts(districts: gpd.GeoDataFrame | None, key: str | None, crs: CRS | None,
                      report: ValidationReport) -> tuple[gpd.GeoDataFrame | None, pd.Index]:
    """The districts in ``crs`` (default: :func:`~egovkit.geo.projected_crs` of theirs), indexed 0..n-1,
    invalid polygons repaired, and their labels (column ``key``, default the index; unique).

    >>> prepare_districts(None, None, None, ValidationReport())[1].tolist()
    []
    """
    if districts is None:
        return None, pd.Index([], dtype=object)
    if not isinstance(districts, gpd.GeoDataFrame):
        raise InputError(code="population.districts_not_geodataframe", params={})
    if crs is None:
        crs = projected_crs(districts)
    d = districts.to_crs(crs) if districts.crs is not None and CRS(districts.crs) != crs else districts
    if d is not districts:
        report.add("info", "population.districts_reprojected", params={"src": CRS(districts.crs).name,
                                                                       "dst": crs.name}, action="inferred")
    if key is None:
        names = pd.Index(d.index.astype(str), name="district")
    else:
        if key not in d.columns:
            raise InputError(code="population.no_district_column",
                             params={"column": key, "columns": str(list(d.columns))}, column=key)
        names = pd.Index(d[key].astype(str), name="district")
    if names.has_duplicates:
        dup = names[names.duplicated()].unique().tolist()
        raise InputError(code="population.duplicate_district_labels", params={"labels": str(dup[:5])}, column=key)
    bad = ~d.geometry.is_valid
    if bad.any():
        geom = d.geometry.make_valid()
        d = d.set_geometry(geom)
        for name in names[bad.to_numpy()]:
            report.add("warning", "population.invalid_district_geometry", params={}, area=name, action="repaired")
    d = d.reset_index(drop=True)
    return d, names


def _report_several(report: ValidationReport, n_multi: int, what: str) -> None:
    if n_multi:
        report.add("warning", "population.sites_in_several_districts" if what == "chosen site"
                   else "population.points_in_several_districts", params={"n": n_multi}, action="guessed")


def assign_points(x: np.ndarray, y: np.ndarray, d: gpd.GeoDataFrame | None,
                  names: pd.Index, report: ValidationReport, what: str = "population point") -> np.ndarray:
    """District index of each point (first district containing it; boundary points included), -1 outside.

    ``d`` and ``names`` come from :func:`prepare_districts`; ``what`` (``"population point"`` or
    ``"chosen site"``) says what the points are when some lie in several districts (reported).
    Exact for any number of points: small inputs use an STRtree; large ones (> 200,000 points) first
    look points up on a rasterised district grid, and test with shapely only the points in cells that
    a district boundary touches (dilated by one cell), where the grid could be wrong.

    >>> assign_points(np.array([1.0]), np.array([1.0]), None, pd.Index([]), ValidationReport()).tolist()
    [-1]
    """
    out = np.full(len(x), -1, dtype=np.int32)
    if d is None or len(x) == 0:
        return out
    geoms = d.geometry.values
    if len(x) > 200_000:
        return _assign_points_grid(x, y, geoms, report, what)
    _report_several(report, _assign_exact(x, y, geoms, out, np.arange(len(x))), what)
    return out


def _assign_exact(x: np.ndarray, y: np.ndarray, geoms: np.ndarray, out: np.ndarray, idx: np.ndarray,
                  chunk: int = 2_000_000) -> int:
    """Point-in-polygon for the points ``idx``: bounding-box candidates from an STRtree, then
    ``shapely.intersects_xy`` on prepared polygons (boundary included)."""
    geoms = np.asarray(geoms).copy()
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    tree = shapely.STRtree(shapely.box(*bounds.T))
    n_multi = 0
    for s in range(0, len(idx), chunk):
        sub = idx[s:s + chunk]
        xs, ys = x[sub], y[sub]
        pi, di = tree.query(shapely.points(xs, ys))
        if len(pi) == 0:
            continue
        hit = shapely.intersects_xy(geoms[di], xs[pi], ys[pi])
        pi, di = pi[hit], di[hit]
        order = np.lexsort((di, pi))
        pi, di = pi[order], di[order]
        first = np.r_[True, pi[1:] != pi[:-1]]
        out[sub[pi[first]]] = di[first]
        n_multi += int((~first).sum())
    return n_multi


def _assign_points_grid(x: np.ndarray, y: np.ndarray, geoms: np.ndarray, report: ValidationReport,
                        what: str) -> np.ndarray:
    from rasterio.features import rasterize
    from scipy import ndimage

    minx, miny, maxx, maxy = float(x.min()), float(y.min()), float(x.max()), float(y.max())
    # about one point per cell on average, at most 50 M cells
    cell = max(np.sqrt((maxx - minx + 1) * (maxy - miny + 1) / max(len(x), 1)), 1e-6)
    ncol = int((maxx - minx) / cell) + 3
    nrow = int((maxy - miny) / cell) + 3
    while ncol * nrow > 50_000_000:
        cell *= 1.5
        ncol, nrow = int((maxx - minx) / cell) + 3, int((maxy - miny) / cell) + 3
    x0, y0 = minx - cell, maxy + cell
    grid = Grid(x0, y0, cell, (nrow, ncol))
    lab = rasterize(((g, i) for i, g in enumerate(geoms)), out_shape=grid.shape, transform=grid.transform,
                    fill=-1, dtype="int32")
    edges = rasterize(((b, 1) for b in shapely.boundary(geoms) if b is not None and not b.is_empty),
                      out_shape=grid.shape, transform=grid.transform, fill=0, dtype="uint8", all_touched=True)
    amb = ndimage.binary_dilation(edges.astype(bool), structure=np.ones((3, 3), bool))
    j = np.floor((x - x0) / cell).astype(np.int64)
    i = np.floor((y0 - y) / cell).astype(np.int64)
    flat = i * ncol + j
    out = lab.ravel()[flat].astype(np.int32)
    hard = np.flatnonzero(amb.ravel()[flat])
    out[hard] = -1
    _report_several(report, _assign_exact(x, y, geoms, out, hard), what)
    return out
