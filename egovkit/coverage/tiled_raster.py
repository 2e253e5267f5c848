"""A population raster on disk cut into tiles (:class:`RasterTiles`, opened by :func:`raster_tiles`):
the input of the tiled coverage, gap zones and siting (nothing is read until they run).

Examples
--------
>>> import rasterio, tempfile, os
>>> from affine import Affine
>>> path = os.path.join(tempfile.mkdtemp(), "pop.tif")
>>> with rasterio.open(path, "w", driver="GTiff", width=4, height=3, count=1, dtype="float32",
...                    crs="EPSG:32633", transform=Affine(100, 0, 500000, 0, -100, 4000300)) as dst:
...     dst.write(np.ones((1, 3, 4), dtype="float32"))
>>> t = raster_tiles(path, tile_size=2)
>>> t.metric, t.windows()[:2], t.total
(True, [(0, 0, 2, 2), (0, 2, 2, 2)], 12.0)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from ..errors import InputError
from ..geo import projected_crs
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .population_assign import prepare_districts

__all__ = ["TILED_ABOVE_CELLS", "RasterTiles", "raster_tiles"]

#: Rasters with more cells than this go through the tiled path (``population_from_raster`` and
#: ``egovkit run --population``). The in-memory engine peaks at about 120 bytes per cell with the
#: default quantiles (1.5 GB for 10^7 cells, docs/coverage_at_scale.md): 2x10^7 cells is about
#: 2.7 GB, what a laptop with 8 GB can still spare; below it the in-memory path is as fast or faster
#: (one pass for the quantiles) and keeps siting. Override with EGOVKIT_TILED_ABOVE_CELLS.
TILED_ABOVE_CELLS = int(os.environ.get("EGOVKIT_TILED_ABOVE_CELLS", 20_000_000))

@dataclass
class RasterTiles:
    """A population raster on disk, cut into tiles, with its districts: the tiled counterpart of a
    :class:`~egovkit.coverage.Population` (nothing is read until :func:`tiled_coverage`).

    Attributes
    ----------
    path, band : the GeoTIFF and its band
    shape, transform, crs, nodata : of the raster
    tile_size : rows and columns per tile
    metric : True when the cells are squares in metres on the ground (the raster's own grid is used)
    districts : the district polygons in the raster's CRS (for rasterising), or None
    district_names : their labels
    households_per_person : households = persons x this, or None
    report : what was read, dropped or chosen (filled by :func:`tiled_coverage`)
    """

    path: Path
    band: int
    shape: tuple[int, int]
    transform: Any
    crs: CRS
    nodata: float | None
    tile_size: int
    metric: bool
    districts: gpd.GeoDataFrame | None
    district_names: pd.Index
    households_per_person: float | None = None
    report: ValidationReport = field(default_factory=ValidationReport)
    _stats: dict[str, float] | None = None

    @property
    def n_cells(self) -> int:
        """Cells of the raster (all of them, populated or not)."""
        return int(self.shape[0]) * int(self.shape[1])

    def windows(self) -> list[tuple[int, int, int, int]]:
        """``(row_off, col_off, height, width)`` of each tile, row by row (the fixed merge order)."""
        h, w = self.shape
        t = self.tile_size
        return [(r, c, min(t, h - r), min(t, w - c)) for r in range(0, h, t) for c in range(0, w, t)]

    def __len__(self) -> int:
        return self.n_cells

    @property
    def total(self) -> float:
        """Total population (persons), from the last :func:`tiled_coverage` run (or one pass over the tiles)."""
        if self._stats is None:
            from .tiled import tiled_coverage

            tiled_coverage(self, np.empty((0, 2)), [1.0], quantiles=None, progress=False,
                           sites_crs=self._site_crs())
        assert self._stats is not None
        return float(self._stats["total"])

    def _site_crs(self) -> CRS:
        return self.crs if self.metric else projected_crs(self._extent())

    def _extent(self, window: tuple[int, int, int, int] | None = None) -> gpd.GeoSeries:
        r, c, h, w = window if window is not None else (0, 0, *self.shape)
        xs, ys = [], []
        for i in (r, r + h / 2, r + h):
            for j in (c, c + w / 2, c + w):
                t = self.transform
                x, y = t.c + j * t.a + i * t.b, t.f + j * t.d + i * t.e
                xs.append(x)
                ys.append(y)
        return gpd.GeoSeries.from_xy(xs, ys, crs=self.crs)


@renamed(district="key")
def raster_tiles(
    path: str | Path,
    *,
    districts: gpd.GeoDataFrame | None = None,
    key: str | None = None,
    band: int = 1,
    households_per_person: float | None = None,
    tile_size: int = 1024,
) -> RasterTiles:
    """Open a population GeoTIFF for :func:`tiled_coverage` (reads its header only).

    Parameters
    ----------
    path, band
        The raster (persons per cell; nodata and NaN are no data) and its band.
    districts, key
        District polygons and their label column (codes or names).
    households_per_person
        Households per person, for household shares.
    tile_size
        Rows and columns per tile: memory is about 110-150 bytes per tile cell (1024: about 150 MB
        above the libraries; docs/coverage_at_scale.md).

    Examples
    --------
    >>> raster_tiles("africa_100m.tif", districts=regions, key="name")  # doctest: +SKIP
    """
    import rasterio

    path = Path(path)
    if not path.exists():
        raise InputError(code="population.raster_not_found", params={}, file=str(path))
    if tile_size < 1:
        raise InputError(code="tiled.bad_tile_size", params={"tile_size": tile_size})
    try:
        src = rasterio.open(path)
    except Exception as exc:  # RasterioIOError (not a raster, truncated), CPLE errors
        raise InputError(code="population.not_a_raster", params={"detail": str(exc).splitlines()[0][:200],
                                                                 "fix_code": "tiled.persons_raster"},
                         file=str(path)) from exc
    with src:
        if not 1 <= band <= src.count:
            raise InputError(code="population.no_such_band", params={"count": src.count, "band": band},
                             file=str(path))
        if src.crs is None:
            raise InputError(code="population.raster_without_crs", params={}, file=str(path))
        shape, transform, crs, nodata = (src.height, src.width), src.transform, CRS.from_user_input(src.crs), src.nodata
    report = ValidationReport(source=path.name)
    a, b, d, e = transform.a, transform.b, transform.d, transform.e
    tiles = RasterTiles(path, band, shape, transform, crs, nodata, int(tile_size), False, None,
                        pd.Index([], dtype=object), households_per_person, report)
    # the same test as population_from_array: square cells in metres on the ground keep the grid
    extent = gpd.GeoSeries.from_xy([transform.c, transform.c + shape[1] * a + shape[0] * b],
                                   [transform.f, transform.f + shape[1] * d + shape[0] * e], crs=crs)
    tiles.metric = bool(crs.is_projected and projected_crs(extent) == crs and b == 0 and d == 0 and e == -a)
    if districts is not None:
        pcrs = crs if tiles.metric else projected_crs(tiles._extent())
        dproj, names = prepare_districts(districts, key, pcrs, report)
        assert dproj is not None
        tiles.districts = dproj if tiles.metric else dproj.to_crs(crs)
        tiles.district_names = names
    return tiles
