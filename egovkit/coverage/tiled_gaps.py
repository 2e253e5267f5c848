"""Gap zones of a population raster on disk (:func:`tiled_coverage_gaps`): the uncovered persons
found tile by tile, summed on blocks of cells, grouped into connected zones.

Examples
--------
>>> import rasterio, tempfile, os
>>> from affine import Affine
>>> from egovkit.coverage.tiled_raster import raster_tiles
>>> path = os.path.join(tempfile.mkdtemp(), "pop.tif")
>>> with rasterio.open(path, "w", driver="GTiff", width=6, height=2, count=1, dtype="float32",
...                    crs="EPSG:32633", transform=Affine(100, 0, 500000, 0, -100, 4000200)) as dst:
...     dst.write(np.ones((1, 2, 6), dtype="float32"))
>>> z = tiled_coverage_gaps(raster_tiles(path, tile_size=4), np.array([[500050.0, 4000150.0]]), 150,
...                         progress=False)
>>> z["population"].tolist()
[8.0]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS

from ..errors import InputError
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .population_grid import Grid
from .tiled_raster import RasterTiles
from .tiled_tile import _Job, _map_tiles, _site_xy, _tile_cells, _tile_crs

__all__ = ["GAPS_MAX_BLOCKS", "tiled_coverage_gaps"]

#: Gap zones of a tiled raster are found on blocks of ``block x block`` cells, ``block`` chosen so
#: that the grid of blocks has at most this many cells (8 bytes each: 200 MB).
GAPS_MAX_BLOCKS = 25_000_000

def _gap_tile(job: _Job, win: tuple[int, int, int, int], crs_key: str, block: int,
              nbc: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uncovered persons of a tile per (block, district): block index, district, weight."""
    cells = _tile_cells(job, win, crs_key)
    unc = cells["first"] >= 1  # beyond the radius
    local, w, dist = cells["local"][unc], cells["w"][unc], cells["dist"][unc]
    r0, c0, _, wd = win
    rows, cols = np.divmod(local, wd)
    blk = ((rows + r0) // block) * nbc + (cols + c0) // block
    if block == 1:  # one cell per block: kept as they are (the in-memory gap zones, bit for bit)
        return blk, dist.astype(np.int32), w
    key = blk.astype(np.int64) * (job.nd + 1) + (dist.astype(np.int64) + 1)
    uk, inv = np.unique(key, return_inverse=True)
    return uk // (job.nd + 1), (uk % (job.nd + 1) - 1).astype(np.int32), np.bincount(inv, weights=w)


@renamed(radius="radius_m")
def tiled_coverage_gaps(
    tiles: RasterTiles,
    sites: Any,
    radius_m: float,
    *,
    block: int | None = None,
    min_population: float = 0.0,
    top: int | None = None,
    connectivity: int = 4,
    split_by_district: bool = False,
    client: Any = None,
    progress: bool | None = None,
    sites_crs: Any = None,
) -> gpd.GeoDataFrame:
    """:func:`~egovkit.coverage.coverage_gaps` of a raster on disk: uncovered persons are found tile by
    tile (ground metres, halo of ``radius_m``), summed on blocks of ``block x block`` cells, and the
    zones are the connected groups of blocks holding uncovered people.

    ``block`` defaults to the smallest size giving at most :data:`GAPS_MAX_BLOCKS` blocks (1, the
    raster's own cells, below that: then the zones equal those of ``coverage_gaps`` on the
    in-memory population of a metric raster). Polygons are in the raster's CRS; ``area_km2`` is
    measured in an equal-area CRS when that CRS is not metric. Other parameters as for
    ``coverage_gaps``.

    Examples
    --------
    >>> z = tiled_coverage_gaps(raster_tiles("africa_100m.tif"), hotspots, 500, top=20)  # doctest: +SKIP
    """
    from .gaps import coverage_gaps
    from .population_grid import Population

    radius = radius_m
    if radius <= 0:
        raise InputError(code="tiled.bad_radius", params={"radius": radius})
    t = tiles.transform
    if t.b != 0 or t.d != 0 or (tiles.metric and t.a != -t.e):
        raise InputError(code="tiled.not_north_up", params={}, file=str(tiles.path))
    h, w = tiles.shape
    if block is None:
        block = max(1, int(np.ceil(np.sqrt(h * w / GAPS_MAX_BLOCKS))))
    if progress is None:
        from .. import settings

        progress = bool(settings.progress)
    import dataclasses

    tt = dataclasses.replace(tiles, tile_size=max(block, (tiles.tile_size // block) * block))  # blocks within tiles
    windows = tt.windows()
    keys, _ = _tile_crs(tt, windows)
    nbr, nbc = -(-h // block), -(-w // block)
    geoms = None if tiles.districts is None else np.asarray(tiles.districts.geometry.values)
    job = _Job(str(tiles.path), tiles.band, tiles.shape, t, tiles.crs.to_wkt(), tiles.metric, geoms,
               len(tiles.district_names), np.array([float(radius)]), _site_xy(tiles, sites, keys, sites_crs), False,
               None)
    parts = _map_tiles(_gap_tile, job, [(win, k, block, nbc) for win, k in zip(windows, keys)], client, progress,
                       "gaps")
    blk = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    dist = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int32)
    wt = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
    # a metric raster: the blocks on its own grid; otherwise zones are found in block index space
    # (cells of 1 x 1) and their polygons moved to the raster's CRS afterwards
    grid = Grid(float(t.c), float(t.f), float(t.a) * block, (nbr, nbc)) if tiles.metric else \
        Grid(0.0, 0.0, 1.0, (nbr, nbc))
    report = ValidationReport(source=tiles.path.name)
    pop = Population(None, None, wt, tiles.crs if tiles.metric else CRS.from_epsg(3857), dist, tiles.district_names,
                     None, None, grid, blk, "raster", report)
    z = coverage_gaps(pop, np.empty((0, 2)), float(radius), min_population=min_population, top=top,
                      connectivity=connectivity, split_by_district=split_by_district)
    if not tiles.metric:
        from ..geo import equal_area_crs

        # index space (x = column, y = -row) to the raster's CRS
        moved = gpd.GeoSeries(z.geometry.values, index=z.index).affine_transform(
            [t.a * block, 0, 0, -t.e * block, t.c, t.f])
        z = z.set_geometry(moved.set_crs(tiles.crs, allow_override=True))
        if len(z):
            z["area_km2"] = z.geometry.to_crs(equal_area_crs(z)).area.to_numpy() / 1e6
    z.attrs["block"] = block
    return z
