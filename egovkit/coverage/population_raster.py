"""Population given as a raster of persons per cell: an in-memory grid (:func:`population_from_array`)
or a GeoTIFF such as WorldPop or GHSL (:func:`population_from_raster`), every cell with its exact value.

Examples
--------
>>> from affine import Affine
>>> population_from_array(np.array([[1.0, 2.0]]), Affine(100, 0, 0, 0, -100, 100), 3857).total
3.0
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
from pyproj import CRS

from ..errors import InputError
from ..geo import projected_crs
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .population_assign import prepare_districts
from .population_grid import Grid, Population
from .population_points import report_outside

if TYPE_CHECKING:
    from .tiled_raster import RasterTiles

__all__ = ["population_from_array", "population_from_raster"]


@renamed(district="key")
def population_from_array(
    values: np.ndarray,
    transform: Any,
    crs: Any,
    *,
    districts: gpd.GeoDataFrame | None = None,
    key: str | None = None,
    district_raster: np.ndarray | None = None,
    households_per_person: float | None = None,
    source: str | None = None,
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
    source = source or render("population.source_raster")
    report = ValidationReport(source=source)
    values = np.asarray(values)
    if values.ndim != 2:
        raise InputError(code="population.raster_not_2d", params={"shape": str(values.shape)}, file=source)
    crs = CRS.from_user_input(crs)
    flat = values.ravel()
    # few passes over the (possibly 10^7-cell) grid and no large temporaries: nan compares False,
    # so ``flat > 0`` is "populated or +inf" and ``flat < 0`` is "negative or -inf"
    neg = flat < 0
    if neg.any():
        n_neg = int(np.count_nonzero(flat[neg] > -np.inf))  # -inf is no data, like nan
        if n_neg:  # not persons: left out (not summed), like no data
            report.add("warning", "population.negative_cells", params={"n": n_neg, "example": float(flat[neg][0])},
                       action="dropped")
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
    report.add("info", "population.raster_cells",
               params={"n": int(flat.size), "nodata": int(flat.size - n_zero - len(cells)), "zero": n_zero,
                       "populated": len(cells), "persons": float(total)}, action="kept")
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
        report.add("info", "population.raster_to_points", params={"src": crs.name, "dst": pcrs.name},
                   action="repaired")
    dproj, names = prepare_districts(districts, key, pcrs, report)
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
    report_outside(dist, w, dproj, report)
    hh = w * households_per_person if households_per_person is not None else None
    return Population(x, y, w, pcrs, dist, names, dproj, hh, grid, cells if grid is not None else None,
                      "raster", report)


@renamed(district="key")
def population_from_raster(
    path: str | Path,
    *,
    districts: gpd.GeoDataFrame | None = None,
    key: str | None = None,
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
        raise InputError(code="population.raster_not_found", params={}, file=str(path))
    if path.is_dir():
        raise InputError(code="population.raster_is_folder", params={}, file=str(path))
    try:
        src = rasterio.open(path)
    except Exception as exc:  # RasterioIOError (not a raster, truncated), CPLE errors
        raise InputError(code="population.not_a_raster", params={"detail": str(exc).splitlines()[0][:200],
                                                                 "fix_code": "population.raster_incomplete"},
                         file=str(path)) from exc
    with src:
        if not 1 <= band <= src.count:
            raise InputError(code="population.no_such_band", params={"count": src.count, "band": band},
                             file=str(path))
        if src.crs is None:
            raise InputError(code="population.raster_without_crs", params={}, file=str(path))
        from . import tiled as _tiled

        if tiled or (tiled is None and src.width * src.height > _tiled.TILED_ABOVE_CELLS):  # a national grid
            return _tiled.raster_tiles(path, districts=districts, key=key, band=band,
                                       households_per_person=households_per_person)
        try:
            arr = src.read(band, masked=True)
        except Exception as exc:  # truncated or corrupt blocks
            raise InputError(code="population.unreadable_band", params={"band": band,
                                                                        "detail": str(exc).splitlines()[0][:200]},
                             file=str(path)) from exc
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
        raise InputError(code="population.raster_without_population",
                         params={"n": int(values.size), "nodata": n_nodata, "nodata_value": nodata_value(nodata),
                                 "nan": n_nan, "negative": n_neg, "zero": n_zero}, file=str(path))
    p = population_from_array(values, transform, crs, districts=districts, key=key,
                              households_per_person=households_per_person, source=path.name)
    p.report.add("info", "population.raster_read",
                 params={"n": int(values.size), "nodata": n_nodata, "nodata_value": nodata_value(nodata), "nan": n_nan,
                         "negative": n_neg, "infinite": infinite_text(n_inf), "populated": n_pos,
                         "persons": p.total}, action="kept")
    return p


def nodata_value(nodata: float | None, lang: str | None = None) -> str:
    """`` (value -9999)`` when a raster declares a nodata value, else an empty text (in ``lang``).

    >>> nodata_value(-9999.0), nodata_value(None)
    (' (value -9999)', '')
    """
    return "" if nodata is None else render("population.nodata_value", {"value": float(nodata)}, lang=lang)


def infinite_text(n: int, lang: str | None = None) -> str:
    """``, 3 infinite`` when there are infinite cells, else an empty text (in ``lang``).

    >>> infinite_text(3), infinite_text(0)
    (', 3 infinite', '')
    """
    return "" if not n else render("population.infinite_cells", {"n": int(n)}, lang=lang)
