"""Population given as points: coordinate arrays (:func:`population_from_xy`) or a point layer
(:func:`population_from_points`), each point with a weight (persons) and its district.

Examples
--------
>>> population_from_xy(np.array([0.0, 10.0]), np.array([0.0, 0.0]), np.array([2.0, 3.0]), crs=3857).total
5.0
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import InputError
from ..geo import projected_crs
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .population_assign import assign_points, prepare_districts
from .population_grid import Population

__all__ = ["population_from_xy", "population_from_points", "count_weights", "transform_xy", "report_outside"]


def count_weights(values: Any, name: str, n: int, report: ValidationReport, file: str | None = None) -> np.ndarray:
    """Counts (persons, households) as floats: missing ones are 0 (reported), a negative one raises.

    >>> count_weights([1, None, "2"], "pop", 3, ValidationReport()).tolist()
    [1.0, 0.0, 2.0]
    """
    w = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w)
    if bad.any():
        report.add("warning", "population.missing_weight", params={"n": int(bad.sum()), "column": name},
                   column=name, action="repaired")
        w = np.where(bad, 0.0, w)
    if (w < 0).any():
        raise InputError(code="population.negative_weight", params={"n": int((w < 0).sum()), "column": name},
                         file=file, column=name)
    return w


@renamed(district="key")
def population_from_xy(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    crs: Any,
    households: np.ndarray | float | None = None,
    districts: gpd.GeoDataFrame | None = None,
    key: str | None = None,
) -> Population:
    """Population points given as coordinate arrays in a projected ``crs`` (for millions of points,
    without building geometries); see :func:`population_from_points`.

    Examples
    --------
    >>> population_from_xy(np.array([0.0, 10.0]), np.array([0.0, 0.0]), np.array([2.0, 3.0]), crs=3857).total
    5.0
    """
    report = ValidationReport(source=render("population.source_points"))
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        raise InputError(code="population.xy_not_projected", params={})
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y, crs = _to_metric(x, y, crs, report)
    report.rows_in = len(x)
    w = np.ones(len(x)) if weight is None else count_weights(weight, "weight", len(x), report)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        report.add("warning", "population.points_without_coordinates",
                   params={"n": int(bad.sum()), "persons": float(w[bad].sum())}, action="dropped")
        x, y, w = x[~bad], y[~bad], w[~bad]
    hh = None
    if households is not None:
        hh = w * float(households) if np.isscalar(households) else count_weights(
            np.asarray(households)[~bad], "households", len(x), report)
    d, names = prepare_districts(districts, key, crs, report)
    dist = assign_points(x, y, d, names, report)
    report_outside(dist, w, d, report)
    return Population(x, y, w, crs, dist, names, d, hh, None, None, "points", report)


def _to_metric(x: np.ndarray, y: np.ndarray, crs: CRS, report: ValidationReport) -> tuple[np.ndarray, np.ndarray, CRS]:
    """Coordinates moved to :func:`projected_crs` of their extent when ``crs`` is not fit for radii in metres."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return x, y, crs
    corners = gpd.GeoSeries.from_xy([x[ok].min(), x[ok].max()], [y[ok].min(), y[ok].max()], crs=crs)
    target = projected_crs(corners)
    if target == crs:
        return x, y, crs
    report.add("info", "population.coordinates_reprojected", params={"src": crs.name, "dst": target.name},
               action="repaired")
    return (*transform_xy(x, y, crs, target), target)


def transform_xy(x: np.ndarray, y: np.ndarray, src: Any, dst: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate arrays from CRS ``src`` to ``dst`` (x = easting/longitude first).

    >>> [round(float(v[0])) for v in transform_xy(np.array([0.0]), np.array([0.0]), 4326, 3857)]
    [0, 0]
    """
    from pyproj import Transformer

    tx, ty = Transformer.from_crs(src, dst, always_xy=True).transform(x, y)
    return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)


@renamed(district="key")
def population_from_points(
    points: gpd.GeoDataFrame,
    weight: str | None = None,
    *,
    households: str | float | None = None,
    districts: gpd.GeoDataFrame | None = None,
    key: str | None = None,
    crs: Any = None,
) -> Population:
    """Population given as points (tract or block centroids, buildings, survey households).

    Parameters
    ----------
    points
        Point GeoDataFrame (polygons are replaced by their representative point, reported).
    weight
        Column with persons at each point; ``None`` counts 1 per point.
    households
        Column with households at each point, or a number of households per person (a ratio).
    districts, key
        Optional district polygons and their label column (codes or names); each point goes to the district that
        contains it (points on a shared border go to the first one, reported).
    crs
        Projected CRS for distances; default: ``points``' own if projected, else its UTM zone.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame({"pop": [10, 20]}, geometry=gpd.points_from_xy([0, 100], [0, 0]), crs=3857)
    >>> population_from_points(pts, "pop").total
    30.0
    """
    report = ValidationReport(source=render("population.source_points"))
    if not isinstance(points, gpd.GeoDataFrame):
        raise InputError(code="population.points_not_geodataframe", params={})
    crs = CRS.from_user_input(crs) if crs is not None else projected_crs(points)
    g = points.to_crs(crs) if CRS(points.crs) != crs else points
    geom = g.geometry
    empty = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    if empty.any():
        report.add("warning", "population.rows_without_geometry", params={"n": int(empty.sum())}, action="dropped")
        g = g[~empty]
        geom = g.geometry
    notpt = (geom.geom_type != "Point").to_numpy()
    if notpt.any():
        report.add("info", "population.not_points", params={"n": int(notpt.sum())}, action="repaired")
        geom = gpd.GeoSeries(np.where(notpt, geom.representative_point().values, geom.values), crs=crs)
    n = len(g)
    w = np.ones(n) if weight is None else count_weights(g[weight], weight, n, report)
    hh: Any = None
    if isinstance(households, str):
        hh = count_weights(g[households], households, n, report)
    elif households is not None:
        hh = float(households)
    x = shapely.get_x(geom.values).astype(float)
    y = shapely.get_y(geom.values).astype(float)
    p = population_from_xy(x, y, w, crs=crs, households=hh, districts=districts, key=key)
    report.rows_in = len(points)
    report.extend(p.report)
    p.report = report
    return p


def report_outside(dist: np.ndarray, w: np.ndarray, d: gpd.GeoDataFrame | None, report: ValidationReport) -> None:
    """Say (a warning) how many points (district ``-1``) and persons lie outside every district of ``d``.

    >>> r = ValidationReport()
    >>> report_outside(np.array([0, -1]), np.array([1.0, 2.0]), gpd.GeoDataFrame(geometry=[]), r)
    >>> r.issues[0].message
    '1 population point(s) holding 2.0 persons lie outside every district; they count for the whole territory only'
    """
    if d is None:
        return
    out = dist < 0
    if out.any():
        report.add("warning", "population.outside_districts",
                   params={"n": int(out.sum()), "persons": float(w[out].sum())}, action="kept")
