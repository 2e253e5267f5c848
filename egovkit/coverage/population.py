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
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import InputError
from ..geo import projected_crs  # noqa: F401 - also imported from here by coverage/*.py (one release)
from ..validate import ValidationReport

if TYPE_CHECKING:
    from .tiled import RasterTiles

__all__ = [
    "Population",
    "Grid",
    "population_from_points",
    "population_from_xy",
    "read_population",
    "population_from_districts",
    "population_from_raster",
    "population_from_array",
]


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
        if n_neg:  # not persons: left out (not summed), like no data
            report.add("warning", "negative_cells", f"{n_neg:,} negative cell(s) (e.g. {float(flat[neg][0]):g}) are "
                       "not population counts; left out like no data", action="dropped",
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
    tiled: bool | None = None,
) -> Population | RasterTiles:
    """Read a population GeoTIFF (persons per cell) with rasterio; see :func:`population_from_array`.

    The raster's nodata value and ``nan`` are both read as "no data". A raster of more than
    :data:`egovkit.coverage.tiled.TILED_ABOVE_CELLS` cells (or any with ``tiled=True``) is not read
    here: a :class:`~egovkit.coverage.tiled.RasterTiles` is returned, which
    :func:`~egovkit.coverage.coverage` reads tile by tile (``tiled=False`` forces the in-memory path).

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
    if path.is_dir():
        raise InputError("this is a folder, not a raster", file=str(path), fix="give the .tif file inside it")
    fix = "give a GeoTIFF of persons per cell (check that the file is complete: download or export it again)"
    try:
        src = rasterio.open(path)
    except Exception as exc:  # RasterioIOError (not a raster, truncated), CPLE errors
        raise InputError(f"cannot read the file as a raster ({str(exc).splitlines()[0][:200]})", file=str(path),
                         fix=fix) from exc
    with src:
        if not 1 <= band <= src.count:
            raise InputError(f"the raster has {src.count} band(s); band {band} does not exist", file=str(path),
                             fix=f"pass band= between 1 and {src.count}")
        if src.crs is None:
            raise InputError("the raster has no CRS", file=str(path), fix="assign one (e.g. gdal_edit.py -a_srs)")
        from . import tiled as _tiled

        if tiled or (tiled is None and src.width * src.height > _tiled.TILED_ABOVE_CELLS):  # a national grid
            return _tiled.raster_tiles(path, districts=districts, district=district, band=band,
                                       households_per_person=households_per_person)
        try:
            arr = src.read(band, masked=True)
        except Exception as exc:  # truncated or corrupt blocks
            raise InputError(f"cannot read band {band} of the raster ({str(exc).splitlines()[0][:200]})",
                             file=str(path), fix=fix) from exc
        nodata, transform, crs = src.nodata, src.transform, src.crs
    mask = np.ma.getmaskarray(arr)
    values = np.ma.filled(arr.astype(np.float64), np.nan)
    del arr
    n_nodata = int(mask.sum())
    nan = np.isnan(values)
    n_nan = int(np.count_nonzero(nan & ~mask))
    del mask, nan
    n_neg = int(np.count_nonzero(values < 0))  # nan compares False
    n_inf = int(np.count_nonzero(np.isinf(values)))
    n_pos = int(np.count_nonzero((values > 0) & np.isfinite(values)))
    if n_pos == 0:
        n_zero = int(np.count_nonzero(values == 0))
        raise InputError(f"the raster holds no population: of {values.size:,} cells, {n_nodata:,} are nodata"
                         f"{f' (value {nodata:g})' if nodata is not None else ''}, {n_nan:,} NaN, {n_neg:,} "
                         f"negative, {n_zero:,} zero", file=str(path),
                         fix="check the band and the nodata value, or give the population raster of the territory")
    p = population_from_array(values, transform, crs, districts=districts, district=district,
                              households_per_person=households_per_person, source=path.name)
    p.report.add("info", "raster_read", f"{values.size:,} cells: {n_nodata:,} nodata"
                 f"{f' (value {nodata:g})' if nodata is not None else ''}, {n_nan:,} NaN, {n_neg:,} negative"
                 f"{f', {n_inf:,} infinite' if n_inf else ''} (left out, not summed), {n_pos:,} populated; "
                 f"total {p.total:,.1f} persons", action="kept")
    return p


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


# -- reading files ---------------------------------------------------------------------------------
_RASTER_SUFFIXES = {".tif", ".tiff", ".vrt", ".img", ".asc"}
_VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_POP_WORDS = ("population", "pop", "persons", "people", "residents", "inhabitants", "habitants", "poblacion",
              "poblacion_total", "pop_total", "total_population", "pop_count", "count")


def _population_column(columns: list[str], given: str | None, source: str) -> str:
    if given is not None:
        if given not in columns:
            raise InputError(f"no column {given!r}", file=source, column=given, fix=f"use one of {columns}")
        return given
    from ..join import normalise_name

    norm = {c: normalise_name(str(c)).replace(" ", "_") for c in columns}
    for w in _POP_WORDS:
        for c in columns:
            if norm[c] == w:
                return c
    for c in columns:  # "Population 2020", "pop_est", "total_pop"
        toks = norm[c].split("_")
        if any(t.startswith(("population", "habitant", "inhabitant", "poblacion")) or t in ("pop", "persons")
               for t in toks):
            return c
    raise InputError("no population column", file=source,
                     fix=f"name it 'population' or pass population=<column>; columns: {columns}")


def _households_column(columns: list[str], given: str | float | None) -> str | float | None:
    if given is not None:
        return given
    from ..join import normalise_name

    return next((c for c in columns if normalise_name(str(c)) in ("households", "menages", "hogares", "hh")), None)


def read_population(
    path: str | Path,
    *,
    districts: gpd.GeoDataFrame | None = None,
    district: str | None = None,
    population: str | None = None,
    households: str | float | None = None,
    crs: Any = None,
    cell_m: float | None = None,
) -> Population:
    """Read a population file of any of the three forms; every failure is an :class:`InputError`.

    - a raster (``.tif``): :func:`population_from_raster`;
    - points: a CSV/TSV/Excel table with latitude/longitude (or x/y with ``crs``) and a population
      column, or a GeoJSON/GeoPackage of points: :func:`population_from_points`;
    - counts by district: a table with a district code or name column matching ``districts`` (or
      a polygon layer with a population column), spread over the polygons with
      :func:`population_from_districts`.

    Every data row of a table is accounted for in ``Population.report.row_fate`` with its line in
    the file (header = 1): ``used`` or ``dropped`` (no coordinates, no matching district), and each
    drop or repair is an issue of the report.

    Parameters
    ----------
    path
        The file.
    districts, district
        District polygons and their label column (needed for counts by district).
    population, households
        Column names (found by name when not given); ``households`` may be a ratio per person.
    crs
        CRS of x/y columns (latitude/longitude columns are WGS84).
    cell_m
        Grid size for counts by district (default: 50 m, coarser for large territories).

    Examples
    --------
    >>> p = read_population("worldpop.tif", districts=counties, district="name")  # doctest: +SKIP
    """
    from ._tabular import check_file

    path = Path(path)
    check_file(path, "population")
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(4)
    if suffix in _RASTER_SUFFIXES or head in (b"II*\x00", b"MM\x00*"):
        return population_from_raster(path, districts=districts, district=district,
                                      households_per_person=households if isinstance(households, float) else None)
    report = ValidationReport(source=path.name)
    if suffix in _VECTOR_SUFFIXES:
        return _population_from_vector(path, report, districts, district, population, households, cell_m)
    if suffix in _EXCEL_SUFFIXES:
        try:
            df = pd.read_excel(path, dtype=object)
        except Exception as exc:  # ImportError, BadZipFile, ValueError...
            raise InputError(f"cannot read the file as an Excel workbook ({exc})", file=str(path),
                             fix="save the sheet again as .xlsx or CSV (UTF-8)") from exc
        if df.empty:
            raise InputError("the first sheet has no rows", file=str(path), fix="put the table on the first sheet")
        lines = np.arange(2, len(df) + 2)
    else:
        from ._tabular import coordinate_columns, read_records

        def numeric(names: list[str]) -> list[int]:
            found = coordinate_columns(names)
            return [names.index(c) for c in (found.get("lat"), found.get("lon"), found.get("x"), found.get("y"))
                    if c in names]

        df, lines = read_records(path, report, what="population", numeric=numeric)
    df.columns = [str(c) for c in df.columns]
    return _population_from_table(df, lines, report, str(path), districts, district, population, households, crs,
                                  cell_m)


def _population_from_table(df: pd.DataFrame, lines: np.ndarray, report: ValidationReport, source: str,
                           districts: gpd.GeoDataFrame | None, district: str | None, population: str | None,
                           households: str | float | None, crs: Any, cell_m: float | None) -> Population:
    from ._tabular import MAX_LISTED, coordinate_columns, parse_numbers

    cols = list(df.columns)
    report.rows_in = len(df)
    pcol = _population_column(cols, population, source)
    hcol = _households_column([c for c in cols if c != pcol], households)
    pop, bad = parse_numbers(df[pcol], pcol, lines, report)
    neg = np.flatnonzero(pop < 0)
    if len(neg):
        raise InputError(f"{len(neg)} negative population value(s) (rows "
                         f"{', '.join(str(int(r)) for r in lines[neg][:MAX_LISTED])})", file=source,
                         row=int(lines[neg[0]]), column=pcol, fix="population counts must be >= 0")
    missing_pop = ~np.isfinite(pop)
    if missing_pop.any():
        report.add("warning", "missing_population", f"{int(missing_pop.sum())} row(s) have no population figure; "
                   f"counted as 0: rows {_rows_text(lines[missing_pop])}", row=int(lines[missing_pop][0]),
                   column=pcol, action="repaired", fix="fill the population in the file")
        pop = np.where(missing_pop, 0.0, pop)
    hh: Any = None
    if isinstance(hcol, str):
        hh, _ = parse_numbers(df[hcol], hcol, lines, report)
        hh = np.where(np.isfinite(hh) & (hh >= 0), hh, 0.0)
    elif hcol is not None:
        hh = float(hcol)
    found = coordinate_columns(cols)
    if found.get("lat") or (found.get("x") and (crs is not None or found.get("crs"))):
        if found.get("lat"):
            ycol, xcol = str(found["lat"]), str(found["lon"])
            a, _ = parse_numbers(df[ycol], ycol, lines, report, degrees=True, comma_decimal=True)
            b, _ = parse_numbers(df[xcol], xcol, lines, report, degrees=True, comma_decimal=True)
            pcrs = CRS.from_epsg(4326)
        else:
            ycol, xcol = str(found["y"]), str(found["x"])
            a, _ = parse_numbers(df[ycol], ycol, lines, report)
            b, _ = parse_numbers(df[xcol], xcol, lines, report)
            try:
                pcrs = CRS.from_user_input(crs if crs is not None else found["crs"])
            except Exception as exc:  # pyproj CRSError
                raise InputError(f"unknown CRS {crs!r} ({exc})", file=source, fix="pass an EPSG code") from exc
        ok = np.isfinite(a) & np.isfinite(b)
        if pcrs.is_geographic:
            swap = ok & (np.abs(a) > 90) & (np.abs(b) <= 90)
            if swap.sum() * 2 > ok.sum():
                report.add("warning", "swapped_lat_lon", f"the columns {ycol!r} and {xcol!r} are the wrong way round "
                           f"({int(swap.sum())} of {int(ok.sum())} 'latitudes' are beyond +/-90); swapped back for "
                           "every row", column=f"{ycol}/{xcol}", action="repaired",
                           fix=f"rename the columns ({ycol!r} holds longitudes)")
                a, b = np.where(ok, b, a), np.where(ok, a, b)
            ok &= (np.abs(a) <= 90) & (np.abs(b) <= 180) & ~((a == 0) & (b == 0))
        drop = np.flatnonzero(~ok)
        if len(drop):
            report.add("warning", "missing_coordinates", f"{len(drop)} row(s) without usable coordinates were left "
                       f"out ({pop[drop].sum():,.1f} persons): rows {_rows_text(lines[drop])}",
                       row=int(lines[drop[0]]), column=f"{ycol}/{xcol}", action="dropped",
                       fix="give every row a location (latitude and longitude)")
        if not ok.any():
            raise InputError("no row has usable coordinates", file=source, column=f"{ycol}/{xcol}",
                             fix="fill latitude and longitude (WGS84 degrees) in the file")
        keep = np.flatnonzero(ok)
        pts = gpd.GeoDataFrame({"population": pop[keep]}, geometry=gpd.points_from_xy(b[keep], a[keep]), crs=pcrs)
        hh_arg: Any = hh
        if isinstance(hh, np.ndarray):
            pts["households"] = hh[keep]
            hh_arg = "households"
        p = population_from_points(pts, "population", households=hh_arg, districts=districts, district=district)
        report.extend(p.report)
        p.report = report
        report.set_fate(lines[keep], "used")
        report.set_fate(lines[drop], "dropped")
        report.add("info", "population_read", f"{len(df)} rows: {len(keep)} points holding {p.total:,.1f} persons, "
                   f"{len(drop)} left out", action="kept")
        return p
    if districts is None:
        raise InputError("the population table has no coordinate columns, and no districts were given to spread "
                         "counts by district over", file=source,
                         fix="add latitude/longitude columns, or give the district boundaries (counts by district)")
    return _spread_table(df, lines, pop, hh, report, source, districts, district, cell_m)


def _rows_text(lines: np.ndarray, limit: int = 20) -> str:
    out = ", ".join(str(int(r)) for r in lines[:limit])
    return out + (" ..." if len(lines) > limit else "")


def _spread_table(df: pd.DataFrame, lines: np.ndarray, pop: np.ndarray, hh: Any, report: ValidationReport,
                  source: str, districts: gpd.GeoDataFrame, district: str | None, cell_m: float | None) -> Population:
    """Counts by district: the table's key column matched to the districts' labels (codes or names)."""
    from ..join import normalise_code, normalise_name

    if not isinstance(districts, gpd.GeoDataFrame):
        raise InputError("districts must be a GeoDataFrame of polygons", fix="read them with geopandas.read_file")
    if district is not None and district not in districts.columns:
        raise InputError(f"no column {district!r} in the districts", column=district,
                         fix=f"use one of {[str(c) for c in districts.columns]}")
    labels = districts[district] if district is not None else pd.Series(districts.index, index=districts.index)
    targets = {"code": normalise_code(labels.astype(str)), "name": normalise_name(labels.astype(str))}
    best: tuple[int, str, str] | None = None
    for c in df.columns:
        vals = df[c].astype(object).where(df[c].notna(), None)
        for how, norm in (("code", normalise_code), ("name", normalise_name)):
            try:
                keys = norm(vals.map(lambda v: None if v is None else str(v)))
            except Exception:  # a column that cannot be a key
                continue
            hits = int(keys.isin(set(targets[how].dropna())).sum())
            if hits and (best is None or hits > best[0]):
                best = (hits, str(c), how)
    if best is None:
        raise InputError("no column of the population table matches the district labels "
                         f"({', '.join(map(str, labels.astype(str).head(3)))}...)", file=source,
                         fix="add a column with the district codes or names, or pass district= (the districts' "
                             "label column)")
    _, key, how = best
    norm = normalise_code if how == "code" else normalise_name
    keys = norm(df[key].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)))
    index = {k: i for i, k in enumerate(targets[how].tolist())}
    pos = np.array([index.get(k, -1) if isinstance(k, str) else -1 for k in keys], dtype=np.int64)
    unmatched = np.flatnonzero(pos < 0)
    dup = np.flatnonzero((pos >= 0) & pd.Series(pos).duplicated().to_numpy())
    for what, idx, fix in (("match no district", unmatched, "correct the code or name, or add the district"),
                           ("repeat a district already given above (the first row is used)", dup,
                            "keep one row per district")):
        if len(idx):
            report.add("warning", "population_row_dropped", f"{len(idx)} row(s) {what}; left out "
                       f"({pop[idx].sum():,.1f} persons): rows {_rows_text(lines[idx])}", row=int(lines[idx[0]]),
                       column=key, action="dropped", fix=fix)
    used = np.setdiff1d(np.flatnonzero(pos >= 0), dup)
    d = districts.copy()
    d["__population"] = 0.0
    d.iloc[pos[used], d.columns.get_loc("__population")] = pop[used]
    absent = np.setdiff1d(np.arange(len(d)), pos[used])
    if len(absent):
        report.add("warning", "district_without_population", f"{len(absent)} district(s) have no row in the "
                   f"population table; counted as 0: {labels.astype(str).iloc[absent].head(10).tolist()}",
                   action="repaired", fix="add a row for every district")
    hh_arg: Any = None
    if isinstance(hh, np.ndarray):
        d["__households"] = 0.0
        d.iloc[pos[used], d.columns.get_loc("__households")] = hh[used]
        hh_arg = "__households"
    elif hh is not None:
        hh_arg = hh
    if cell_m is None:
        area = float(d.to_crs(projected_crs(d)).area.sum()) if d.crs is not None else 0.0
        cell_m = max(50.0, float(np.ceil(np.sqrt(area / 2e6) / 10) * 10)) if area > 0 else 50.0
    p = population_from_districts(d, "__population", district=district, households=hh_arg, cell_m=cell_m)
    report.extend(p.report)
    p.report = report
    report.set_fate(lines[used], "used")
    report.set_fate(lines[np.r_[unmatched, dup].astype(np.int64)], "dropped")
    report.add("info", "population_read", f"{len(df)} rows: {len(used)} districts matched by {how} in column "
               f"{key!r}, {p.total:,.1f} persons spread over a {cell_m:g} m grid", action="kept")
    return p


def _population_from_vector(path: Path, report: ValidationReport, districts: gpd.GeoDataFrame | None,
                            district: str | None, population: str | None, households: str | float | None,
                            cell_m: float | None) -> Population:
    try:
        g = gpd.read_file(path)
    except Exception as exc:  # pyogrio DataSourceError, JSON and sqlite errors...
        raise InputError(f"cannot read the file as a {path.suffix} vector layer ({str(exc).splitlines()[0][:200]})",
                         file=str(path), fix="check that the file is complete and of its suffix's format "
                                             "(export it again)") from exc
    if len(g) == 0:
        raise InputError("the layer has no features", file=str(path), fix="export the population layer again")
    lines = np.arange(1, len(g) + 1)  # feature number
    report.rows_in = len(g)
    if not isinstance(g, gpd.GeoDataFrame) or g.geometry.name not in g.columns:
        df = pd.DataFrame(g)
        df.columns = [str(c) for c in df.columns]
        return _population_from_table(df, lines, report, str(path), districts, district, population, households,
                                      None, cell_m)
    if g.crs is None:
        raise InputError("the population layer has no CRS", file=str(path), fix="set it (EPSG:4326 for lon/lat)")
    cols = [str(c) for c in g.columns if c != g.geometry.name]
    pcol = _population_column(cols, population, str(path))
    from ._tabular import parse_numbers

    pop, _ = parse_numbers(g[pcol].astype(object), pcol, lines, report)
    if (pop < 0).any():
        bad = np.flatnonzero(pop < 0)
        raise InputError(f"{len(bad)} negative population value(s)", file=str(path), row=int(lines[bad[0]]),
                         column=pcol, fix="population counts must be >= 0")
    pop = np.where(np.isfinite(pop), pop, 0.0)
    empty = (g.geometry.isna() | g.geometry.is_empty).to_numpy()
    if empty.all():
        raise InputError("no feature has a geometry", file=str(path), fix="export the layer with its geometries")
    gg = g.loc[~empty].copy()
    gg["__population"] = pop[~empty]
    hcol = _households_column(cols, households)
    polygons = gg.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if polygons.mean() > 0.5:
        p = population_from_districts(gg.reset_index(drop=True), "__population", cell_m=cell_m or 50.0,
                                      households=hcol if isinstance(hcol, (str, float)) else None)
        if districts is not None:
            p = population_from_xy(p.x, p.y, p.weight, crs=p.crs, households=p.households, districts=districts,
                                   district=district)
    else:
        p = population_from_points(gg, "__population", households=hcol if isinstance(hcol, (str, float)) else None,
                                   districts=districts, district=district)
    if empty.any():
        report.add("warning", "empty_geometry", f"{int(empty.sum())} feature(s) without geometry left out "
                   f"({pop[empty].sum():,.1f} persons): features {_rows_text(lines[empty])}",
                   row=int(lines[empty][0]), action="dropped", fix="give every feature a location")
    report.extend(p.report)
    p.report = report
    report.set_fate(lines[~empty], "used")
    report.set_fate(lines[empty], "dropped")
    return p
