"""Population sources for the coverage engine, in three forms.

1. counts per district polygon, spread over the polygon on a fine grid of points, uniformly or by a
   user weight (areal / dasymetric): :func:`population_from_districts`;
2. population points (tract or block centroids, buildings) with a weight: :func:`population_from_points`;
3. a population raster (GeoTIFF such as WorldPop or GHSL), every cell with its exact value:
   :func:`population_from_raster` (or :func:`population_from_array` for an in-memory grid).

Each returns a :class:`Population`: a cloud of weighted points in a projected CRS (metres), each
assigned to at most one district, plus the regular grid they sit on when there is one (raster and
district forms), which the engine uses for its fast disk-stamping path. Whatever is dropped,
repaired or guessed is recorded in ``Population.report``.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"name": ["A"], "pop": [100.0]}, geometry=[box(0, 0, 1000, 1000)], crs=3857)
>>> p = population_from_districts(d, population="pop", district="name", cell_m=100)
>>> round(p.total, 6), len(p.x)
(100.0, 100)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import InputError
from ..validate import ValidationReport

__all__ = [
    "Population",
    "Grid",
    "population_from_points",
    "population_from_xy",
    "population_from_districts",
    "population_from_raster",
    "population_from_array",
    "projected_crs",
]


def projected_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """A metric CRS for ``gdf`` (:func:`egovkit.geo.projected_crs`): its own if projected in metres with
    at most 1 % scale error on the data, else the UTM zone of its extent (or a local equal-area CRS for
    very wide extents). Feet, Web Mercator or world projections are never used for radii.

    Examples
    --------
    >>> g = gpd.GeoSeries.from_xy([-73.9], [40.7], crs=4326)
    >>> projected_crs(g).to_epsg()
    32618
    """
    from ..geo import projected_crs as _geo_projected_crs

    if gdf.crs is None:
        raise InputError("the layer has no coordinate reference system",
                         fix="set one with gdf.set_crs(...) (EPSG:4326 for longitude/latitude)")
    frame = gdf if isinstance(gdf, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=gdf)
    return CRS.from_user_input(_geo_projected_crs(frame))


@dataclass
class Grid:
    """A regular grid in a projected CRS: top-left corner ``(x0, y0)``, square cells of ``cell_m``,
    ``shape = (rows, cols)``. Row ``i``, column ``j`` has its centre at
    ``(x0 + (j + 0.5) * cell_m, y0 - (i + 0.5) * cell_m)``."""

    x0: float
    y0: float
    cell_m: float
    shape: tuple[int, int]

    def centres(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre coordinates of flat cell indices."""
        i, j = np.divmod(np.asarray(flat, dtype=np.int64), self.shape[1])
        # x0 + (j + 0.5) * cell_m and y0 - (i + 0.5) * cell_m, in place (no temporaries)
        x = j.astype(np.float64)
        del j
        x += 0.5
        x *= self.cell_m
        x += self.x0
        y = i.astype(np.float64)
        del i
        y += 0.5
        y *= self.cell_m
        np.subtract(self.y0, y, out=y)
        return x, y

    @property
    def transform(self) -> Any:
        from affine import Affine
        return Affine(self.cell_m, 0.0, self.x0, 0.0, -self.cell_m, self.y0)


@dataclass
class Population:
    """Weighted population points in a projected CRS.

    Attributes
    ----------
    x, y : coordinates in metres (``crs``); for points on a regular grid they may be left out
        (``None``) and are then computed from ``grid`` and ``cell`` on first access
    weight : persons at each point
    households : households at each point, or None
    district : index into ``district_names`` for each point, -1 when outside every district
    district_names : labels of the districts (an ``Index``), empty when no districts were given
    districts : the district polygons in ``crs`` (or None)
    grid, cell : when the points are the cells of a regular grid, the grid and each point's flat
        cell index (the engine then stamps disks on the grid instead of querying a tree)
    form : ``"points"``, ``"districts"`` or ``"raster"``
    report : what was dropped, repaired or guessed
    """

    x: np.ndarray | None
    y: np.ndarray | None
    weight: np.ndarray
    crs: CRS
    district: np.ndarray
    district_names: pd.Index
    districts: gpd.GeoDataFrame | None = None
    households: np.ndarray | None = None
    grid: Grid | None = None
    cell: np.ndarray | None = None
    form: str = "points"
    report: ValidationReport = field(default_factory=ValidationReport)

    def _centres(self) -> None:
        if self.grid is None or self.cell is None:
            raise InputError("population points have no coordinates and no grid to compute them from",
                             fix="give x and y, or grid and cell")
        self._x, self._y = self.grid.centres(self.cell)

    @property
    def total(self) -> float:
        """Total population (persons)."""
        return float(self.weight.sum())

    def __len__(self) -> int:
        return len(self.weight)

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The points as a GeoDataFrame (columns ``population``, ``households``, ``district``)."""
        names = np.asarray(self.district_names, dtype=object)
        lab = np.where(self.district >= 0, names[np.clip(self.district, 0, None)] if len(names) else None, None)
        data = {"population": self.weight, "district": pd.array(lab, dtype="object")}
        if self.households is not None:
            data["households"] = self.households
        return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(self.x, self.y), crs=self.crs)


# x and y are properties over the dataclass fields of the same name: on a regular grid the
# coordinates of millions of cells are only computed (once) when something asks for them.
def _get_x(self: Population) -> np.ndarray:
    if self._x is None:
        self._centres()
    return self._x


def _get_y(self: Population) -> np.ndarray:
    if self._y is None:
        self._centres()
    return self._y


def _set_x(self: Population, value: np.ndarray | None) -> None:
    self._x = value


def _set_y(self: Population, value: np.ndarray | None) -> None:
    self._y = value


Population.x = property(_get_x, _set_x, doc="x coordinates in metres (computed from the grid on demand)")  # type: ignore[assignment]
Population.y = property(_get_y, _set_y, doc="y coordinates in metres (computed from the grid on demand)")  # type: ignore[assignment]


# -- helpers --------------------------------------------------------------------------------------
def _prepare_districts(districts: gpd.GeoDataFrame | None, district: str | None, crs: CRS | None,
                       report: ValidationReport) -> tuple[gpd.GeoDataFrame | None, pd.Index]:
    if districts is None:
        return None, pd.Index([], dtype=object)
    if not isinstance(districts, gpd.GeoDataFrame):
        raise InputError("districts must be a GeoDataFrame of polygons", fix="read them with geopandas.read_file")
    if crs is None:
        crs = projected_crs(districts)
    d = districts.to_crs(crs) if districts.crs is not None and CRS(districts.crs) != crs else districts
    if d is not districts:
        report.add("info", "crs_chosen", f"districts moved from {CRS(districts.crs).name} to {crs.name} for "
                   "distances in metres", action="inferred")
    if district is None:
        names = pd.Index(d.index.astype(str), name="district")
    else:
        if district not in d.columns:
            raise InputError(f"no column {district!r} in the districts",
                             column=district, fix=f"use one of {list(d.columns)}")
        names = pd.Index(d[district].astype(str), name="district")
    if names.has_duplicates:
        dup = names[names.duplicated()].unique().tolist()
        raise InputError(f"district labels are not unique: {dup[:5]}", column=district,
                         fix="dissolve the districts first or choose a unique key column")
    bad = ~d.geometry.is_valid
    if bad.any():
        geom = d.geometry.make_valid()
        d = d.set_geometry(geom)
        for name in names[bad.to_numpy()]:
            report.add("warning", "invalid_district_geometry", "district polygon was invalid and was repaired "
                       "with make_valid", area=name, action="repaired")
    d = d.reset_index(drop=True)
    return d, names


def _assign_points(x: np.ndarray, y: np.ndarray, d: gpd.GeoDataFrame | None,
                   names: pd.Index, report: ValidationReport, what: str = "population point") -> np.ndarray:
    """District index of each point (first district containing it; boundary points included).

    Exact for any number of points: small inputs use an STRtree; large ones (> 200,000 points) first
    look points up on a rasterised district grid, and test with shapely only the points in cells that
    a district boundary touches (dilated by one cell), where the grid could be wrong.
    """
    out = np.full(len(x), -1, dtype=np.int32)
    if d is None or len(x) == 0:
        return out
    geoms = d.geometry.values
    if len(x) > 200_000:
        return _assign_points_grid(x, y, geoms, report, what)
    n_multi = _assign_exact(x, y, geoms, out, np.arange(len(x)))
    if n_multi:
        report.add("warning", "point_in_several_districts",
                   f"{n_multi} {what}(s) lie in more than one district (overlapping polygons or a shared "
                   "border); each was given to the first district", action="guessed")
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
    n_multi = _assign_exact(x, y, geoms, out, hard)
    if n_multi:
        report.add("warning", "point_in_several_districts",
                   f"{n_multi} {what}(s) lie in more than one district (overlapping polygons or a shared "
                   "border); each was given to the first district", action="guessed")
    return out


def _dedupe_weight(values: Any, name: str, n: int, report: ValidationReport, file: str | None = None) -> np.ndarray:
    w = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w)
    if bad.any():
        report.add("warning", "missing_weight", f"{int(bad.sum())} value(s) of {name!r} are missing or not "
                   "numbers; counted as 0", column=name, action="repaired", fix="fill them in the input")
        w = np.where(bad, 0.0, w)
    if (w < 0).any():
        raise InputError(f"{int((w < 0).sum())} negative value(s) in {name!r}", file=file, column=name,
                         fix="population and household counts must be >= 0")
    return w


# -- form 2: points -------------------------------------------------------------------------------
def population_from_xy(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    crs: Any,
    households: np.ndarray | float | None = None,
    districts: gpd.GeoDataFrame | None = None,
    district: str | None = None,
) -> Population:
    """Population points given as coordinate arrays in a projected ``crs`` (for millions of points,
    without building geometries); see :func:`population_from_points`.

    Examples
    --------
    >>> population_from_xy(np.array([0.0, 10.0]), np.array([0.0, 0.0]), np.array([2.0, 3.0]), crs=3857).total
    5.0
    """
    report = ValidationReport(source="population points")
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        raise InputError("population_from_xy needs coordinates in a projected CRS (metres)",
                         fix="project them first, or use population_from_points with a GeoDataFrame")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y, crs = _to_metric(x, y, crs, report)
    report.rows_in = len(x)
    w = np.ones(len(x)) if weight is None else _dedupe_weight(weight, "weight", len(x), report)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        report.add("warning", "missing_coordinates", f"{int(bad.sum())} point(s) without coordinates were left "
                   f"out ({w[bad].sum():,.1f} persons)", action="dropped", fix="give every point a location")
        x, y, w = x[~bad], y[~bad], w[~bad]
    hh = None
    if households is not None:
        hh = w * float(households) if np.isscalar(households) else _dedupe_weight(
            np.asarray(households)[~bad], "households", len(x), report)
    d, names = _prepare_districts(districts, district, crs, report)
    dist = _assign_points(x, y, d, names, report)
    _report_outside(dist, w, d, report)
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
    report.add("info", "crs_chosen", f"coordinates in {crs.name} are not metres on the ground there (units or scale "
               f"error over 1 %); moved to {target.name} for distances", action="repaired",
               fix="give coordinates in a local metric CRS (e.g. the UTM zone) to skip this")
    return (*_transform_xy(x, y, crs, target), target)


def _transform_xy(x: np.ndarray, y: np.ndarray, src: Any, dst: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate arrays from CRS ``src`` to ``dst`` (x = easting/longitude first)."""
    from pyproj import Transformer

    tx, ty = Transformer.from_crs(src, dst, always_xy=True).transform(x, y)
    return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)


def population_from_points(
    points: gpd.GeoDataFrame,
    weight: str | None = None,
    *,
    households: str | float | None = None,
    districts: gpd.GeoDataFrame | None = None,
    district: str | None = None,
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
    districts, district
        Optional district polygons and their label column; each point goes to the district that
        contains it (points on a shared border go to the first one, reported).
    crs
        Projected CRS for distances; default: ``points``' own if projected, else its UTM zone.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame({"pop": [10, 20]}, geometry=gpd.points_from_xy([0, 100], [0, 0]), crs=3857)
    >>> population_from_points(pts, "pop").total
    30.0
    """
    report = ValidationReport(source="population points")
    if not isinstance(points, gpd.GeoDataFrame):
        raise InputError("population points must be a GeoDataFrame", fix="build one with geopandas.points_from_xy")
    crs = CRS.from_user_input(crs) if crs is not None else projected_crs(points)
    g = points.to_crs(crs) if CRS(points.crs) != crs else points
    geom = g.geometry
    empty = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    if empty.any():
        report.add("warning", "empty_geometry", f"{int(empty.sum())} population row(s) without geometry were "
                   "left out", action="dropped", fix="give every row a location")
        g = g[~empty]
        geom = g.geometry
    notpt = (geom.geom_type != "Point").to_numpy()
    if notpt.any():
        report.add("info", "not_points", f"{int(notpt.sum())} non-point geometries replaced by their "
                   "representative point", action="repaired")
        geom = gpd.GeoSeries(np.where(notpt, geom.representative_point().values, geom.values), crs=crs)
    n = len(g)
    w = np.ones(n) if weight is None else _dedupe_weight(g[weight], weight, n, report)
    hh: Any = None
    if isinstance(households, str):
        hh = _dedupe_weight(g[households], households, n, report)
    elif households is not None:
        hh = float(households)
    x = shapely.get_x(geom.values).astype(float)
    y = shapely.get_y(geom.values).astype(float)
    p = population_from_xy(x, y, w, crs=crs, households=hh, districts=districts, district=district)
    report.rows_in = len(points)
    report.extend(p.report)
    p.report = report
    return p


def _report_outside(dist: np.ndarray, w: np.ndarray, d: gpd.GeoDataFrame | None, report: ValidationReport) -> None:
    if d is None:
        return
    out = dist < 0
    if out.any():
        report.add("warning", "population_outside_districts",
                   f"{int(out.sum())} population point(s) holding {w[out].sum():,.1f} persons lie outside every "
                   "district; they count for the whole territory only", action="kept",
                   fix="check the CRS and extent of the districts")


# -- form 3: rasters ------------------------------------------------------------------------------
def population_from_array(
    values: np.ndarray,
    transform: Any,
    crs: Any,
    *,
    districts: gpd.GeoDataFrame | None = None,
    district: str | None = None,
    district_raster: np.ndarray | None = None,
    households_per_person: float | None = None,
    source: str = "population raster",
) -> Population:
    """Population given as a 2-D grid of persons per cell (``nan`` = no data).

    Cells are used with their exact values, located at their centres. When ``crs`` is projected and
    the cells are square (no rotation) the grid is kept for the engine's fast path; a lon/lat grid
    becomes plain points in its UTM zone. ``district_raster`` (same shape, district index or -1)
    skips rasterising the districts.

    Examples
    --------
    >>> from affine import Affine
    >>> p = population_from_array(np.array([[1.0, np.nan], [0.0, 2.5]]), Affine(100, 0, 0, 0, -100, 200), 3857)
    >>> p.total, len(p)
    (3.5, 2)
    """
    report = ValidationReport(source=source)
    values = np.asarray(values)
    if values.ndim != 2:
        raise InputError(f"the population raster must be 2-D, got shape {values.shape}", file=source)
    crs = CRS.from_user_input(crs)
    flat = values.ravel()
    # few passes over the (possibly 10^7-cell) grid and no large temporaries: nan compares False,
    # so ``flat > 0`` is "populated or +inf" and ``flat < 0`` is "negative or -inf"
    neg = flat < 0
    if neg.any():
        n_neg = int(np.count_nonzero(flat[neg] > -np.inf))  # -inf is no data, like nan
        if n_neg:
            raise InputError(f"{n_neg} negative cell value(s)", file=source,
                             fix="set the raster's nodata value so that negative fill values are read as missing")
    del neg
    cells = np.flatnonzero(flat > 0)
    w = flat[cells].astype(np.float64, copy=False)
    total = w.sum()
    if not np.isfinite(total):  # +inf cells are no data
        ok = np.isfinite(w)
        if not ok.all():
            cells, w = cells[ok], w[ok]
            total = w.sum()
    n_zero = int(np.count_nonzero(flat == 0))
    report.rows_in = int(flat.size)
    report.add("info", "raster_cells", f"{flat.size:,} cells: {flat.size - n_zero - len(cells):,} no data, "
               f"{n_zero:,} zero, {len(cells):,} populated (total {total:,.1f} persons)", action="kept")
    a, b, c, dd, e, f = transform.a, transform.b, transform.c, transform.d, transform.e, transform.f
    # the fast grid path needs cells that are squares in metres on the ground (not feet, Web Mercator, Mollweide)
    h, wdt = values.shape
    extent = gpd.GeoSeries.from_xy([c, c + wdt * a + h * b], [f, f + wdt * dd + h * e], crs=crs)
    metric = crs.is_projected and projected_crs(extent) == crs
    regular = metric and b == 0 and dd == 0 and np.isclose(a, -e)
    dproj: gpd.GeoDataFrame | None
    x: np.ndarray | None
    y: np.ndarray | None
    if regular:
        pcrs = crs
        grid: Grid | None = Grid(float(c), float(f), float(a), values.shape)
        if e == -a:
            x = y = None  # exactly the grid's cell centres: computed on demand (Population.x / .y)
        else:
            rows, cols = np.divmod(cells, values.shape[1])
            x = c + (cols + 0.5) * a + (rows + 0.5) * b
            y = f + (cols + 0.5) * dd + (rows + 0.5) * e
    else:
        rows, cols = np.divmod(cells, values.shape[1])
        xs = c + (cols + 0.5) * a + (rows + 0.5) * b
        ys = f + (cols + 0.5) * dd + (rows + 0.5) * e
        g = gpd.GeoSeries.from_xy(xs[:1] if len(xs) else [c], ys[:1] if len(ys) else [f], crs=crs)
        if len(xs):
            g = gpd.GeoSeries.from_xy(xs, ys, crs=crs)
        pcrs = projected_crs(g)
        pg = g.to_crs(pcrs)
        x, y = pg.x.to_numpy(), pg.y.to_numpy()
        grid = None
        report.add("info", "raster_to_points", f"raster in {crs.name} is not a square grid in metres on the ground: "
                   f"its cell "
                   f"centres were projected to {pcrs.name} and used as points", action="repaired")
    dproj, names = _prepare_districts(districts, district, pcrs, report)
    if district_raster is not None:
        dist = np.asarray(district_raster).ravel()[cells].astype(np.int32)
    elif dproj is not None:
        # rasterise the districts once on the raster's own grid (cell-centre rule)
        from rasterio.features import rasterize
        dn = dproj.to_crs(crs) if not regular else dproj
        lab = rasterize(((geom, i) for i, geom in enumerate(dn.geometry.values)), out_shape=values.shape,
                        transform=transform, fill=-1, dtype="int32")
        dist = lab.ravel()[cells]
    else:
        dist = np.full(len(cells), -1, dtype=np.int32)
    _report_outside(dist, w, dproj, report)
    hh = w * households_per_person if households_per_person is not None else None
    return Population(x, y, w, pcrs, dist, names, dproj, hh, grid, cells if grid is not None else None,
                      "raster", report)


def population_from_raster(
    path: str | Path,
    *,
    districts: gpd.GeoDataFrame | None = None,
    district: str | None = None,
    band: int = 1,
    households_per_person: float | None = None,
) -> Population:
    """Read a population GeoTIFF (persons per cell) with rasterio; see :func:`population_from_array`.

    The raster's nodata value and ``nan`` are both read as "no data".

    Examples
    --------
    >>> p = population_from_raster("sg_pop.tif")  # doctest: +SKIP
    >>> round(p.total)  # doctest: +SKIP
    5399000
    """
    import rasterio

    path = Path(path)
    if not path.exists():
        raise InputError("population raster not found", file=str(path), fix="check the path")
    with rasterio.open(path) as src:
        if src.crs is None:
            raise InputError("the raster has no CRS", file=str(path), fix="assign one (e.g. gdal_edit.py -a_srs)")
        arr = src.read(band, masked=True)
        values = np.ma.filled(arr.astype(np.float64), np.nan)
        return population_from_array(values, src.transform, src.crs, districts=districts, district=district,
                                     households_per_person=households_per_person, source=path.name)


# -- form 1: district counts ----------------------------------------------------------------------
def population_from_districts(
    districts: gpd.GeoDataFrame,
    population: str,
    *,
    district: str | None = None,
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
    >>> p = population_from_districts(d, "pop", district="k", cell_m=50)
    >>> np.bincount(p.district, weights=p.weight).tolist()
    [10.0, 30.0]
    """
    report = ValidationReport(source="district population")
    if population not in districts.columns:
        raise InputError(f"no column {population!r} in the districts", column=population,
                         fix=f"use one of {list(districts.columns)}")
    crs = CRS.from_user_input(crs) if crs is not None else projected_crs(districts)
    d, names = _prepare_districts(districts, district, crs, report)
    assert d is not None
    report.rows_in = len(d)
    pop = _dedupe_weight(d[population].to_numpy(), population, len(d), report)
    if isinstance(households, str):
        hh = _dedupe_weight(d[households].to_numpy(), households, len(d), report)
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
            wx, wy = _transform_xy(wx, wy, weight.crs, crs)
            report.add("info", "weight_reprojected", f"the weight layer ({CRS.from_user_input(weight.crs).name}) was "
                       f"moved to the districts' CRS ({crs.name})", action="repaired")
        wi = _cells_of(np.asarray(wx, dtype=float), np.asarray(wy, dtype=float), grid)
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
            report.add("info", "district_at_point", f"district holds no grid cell centre of {cell_m:g} m"
                       + (" with weight" if weight is not None else "")
                       + f"; its {pop[i]:,.1f} persons were put at its representative point",
                       area=names[i], action="guessed", fix="use a smaller cell_m")
        grid_cells = None
        grid_used = None
    else:
        grid_cells = cells
        grid_used = grid
    report.add("info", "spread_on_grid", f"district counts spread {'by weight' if weight is not None else 'uniformly'}"
               f" over a {cell_m:g} m grid ({len(cells):,} cells)", action="kept")
    return Population(x, y, w, crs, dist.astype(np.int32), names, d, h, grid_used, grid_cells, "districts", report)


def _cells_of(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """Flat cell index of each point ``(x, y)`` on ``grid`` (-1 outside)."""
    j = np.floor((x - grid.x0) / grid.cell_m).astype(np.int64)
    i = np.floor((grid.y0 - y) / grid.cell_m).astype(np.int64)
    ok = (i >= 0) & (i < grid.shape[0]) & (j >= 0) & (j < grid.shape[1])
    return np.where(ok, i * grid.shape[1] + j, -1)
