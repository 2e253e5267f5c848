"""An R ``raster::RasterLayer`` saved in an ``.rda`` file -> a GeoTIFF, without R.

``rdata``'s converter cannot build S4 objects such as a RasterLayer (it stops on their
slots), so this module walks the parsed tree that ``rdata.parser`` returns and reads the
slots a RasterLayer needs: ``data@values`` (cell values, row by row from the top),
``extent`` (``xmin``, ``xmax``, ``ymin``, ``ymax``), ``ncols``, ``nrows``, ``crs@projargs``
and ``data@names`` (the layer name). Only in-memory layers can be converted: a layer that
points to a file on the author's disk holds no values.

Examples
--------
>>> import numpy as np
>>> layer = RasterLayer(np.array([[1.0, np.nan]]), xmin=0.0, xmax=2.0, ymin=0.0, ymax=1.0,
...                     projargs="+proj=longlat +datum=WGS84 +no_defs", name="pop")
>>> layer.transform.a, layer.transform.e, float(np.nansum(layer.values))
(1.0, -1.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["RasterLayer", "read_rasterlayer", "write_geotiff"]


@dataclass
class RasterLayer:
    """The grid of one R RasterLayer: ``values[row, col]`` from the top-left cell, NaN for NA."""

    values: np.ndarray
    xmin: float
    xmax: float
    ymin: float
    ymax: float
    projargs: str
    name: str = ""

    @property
    def transform(self) -> Any:
        """Affine transform (pixel corners) of the grid, as rasterio writes it."""
        from rasterio.transform import from_bounds

        nrows, ncols = self.values.shape
        return from_bounds(self.xmin, self.ymin, self.xmax, self.ymax, ncols, nrows)

    @property
    def crs(self) -> Any:
        """The layer's CRS (``rasterio.crs.CRS``); EPSG:4326 when the proj string is plain WGS84 lon/lat."""
        from rasterio.crs import CRS

        crs = CRS.from_proj4(self.projargs)
        epsg = crs.to_epsg()
        return CRS.from_epsg(epsg) if epsg else crs


def _name(obj: Any) -> str | None:
    """Text of a tag (a symbol, possibly a back-reference to one already seen)."""
    from rdata.parser import RObjectType as T

    while obj is not None and obj.info.type == T.REF:
        obj = obj.referenced_object
    if obj is None:
        return None
    if obj.info.type == T.SYM:
        return _name(obj.value)
    if obj.info.type == T.CHAR:
        return None if obj.value is None else obj.value.decode("utf-8", "replace")
    return None


def _slots(obj: Any) -> dict[str, Any]:
    """The attributes (S4 slots) of a parsed object, by name."""
    from rdata.parser import RObjectType as T

    out: dict[str, Any] = {}
    node = obj.attributes
    while node is not None and node.info.type == T.LIST:
        out[_name(node.tag) or ""] = node.value[0]
        node = node.value[1]
    return out


def _text(obj: Any) -> str:
    values = [] if obj is None or obj.value is None else obj.value
    return values[0].value.decode("utf-8", "replace") if len(values) and values[0].value is not None else ""


def _number(obj: Any) -> float:
    return float(np.asarray(obj.value).ravel()[0])


def read_rasterlayer(path: str | Path, object_name: str | None = None) -> RasterLayer:
    """Read an in-memory R RasterLayer from an ``.rda`` file.

    Parameters
    ----------
    path
        The ``.rda``/``.RData`` file.
    object_name
        Name of the R object; by default the only object of the file.

    Returns
    -------
    RasterLayer

    Raises
    ------
    InputError
        When the file is not an R data file, holds no such object, the object is not an
        in-memory RasterLayer, or its values do not fill ``nrows x ncols``.
    """
    import rdata

    path = Path(path)
    import warnings

    try:
        with warnings.catch_warnings():
            # rdata says "Wrong extension .rda for file in RDS format" for some files saved by usethis
            warnings.filterwarnings("ignore", message="Wrong extension", category=UserWarning)
            parsed = rdata.parser.parse_file(path)
    except Exception as exc:  # rdata raises bare ValueError/NotImplementedError/EOFError on bad files
        raise InputError(code="population.rda_unreadable", params={"detail": f"{type(exc).__name__}: {exc}"},
                         file=str(path)) from exc
    objects: dict[str, Any] = {}
    node = parsed.object
    from rdata.parser import RObjectType as T

    while node is not None and node.info.type == T.LIST:
        objects[_name(node.tag) or ""] = node.value[0]
        node = node.value[1]
    if object_name is None:
        if len(objects) != 1:
            raise InputError(code="population.rda_several_objects", params={"n": len(objects), "names": list(objects)},
                             file=str(path))
        object_name = next(iter(objects))
    if object_name not in objects:
        raise InputError(code="population.rda_no_object", params={"name": object_name, "names": list(objects)},
                         file=str(path))
    obj = objects[object_name]
    slots = _slots(obj)
    cls = _text(slots.get("class"))
    if obj.info.type != T.S4 or cls != "RasterLayer":
        raise InputError(code="population.rda_not_rasterlayer", params={"name": object_name,
                                                                         "kind": cls or obj.info.type.name},
                         file=str(path))
    data = _slots(slots["data"])
    if "values" not in data or not len(np.asarray(data["values"].value)):
        raise InputError(code="population.rda_no_values", params={"name": object_name}, file=str(path))
    ext = _slots(slots["extent"])
    ncols, nrows = int(_number(slots["ncols"])), int(_number(slots["nrows"]))
    values = np.asarray(data["values"].value, dtype="float64")
    if values.size != ncols * nrows:
        raise InputError(code="population.rda_wrong_size", params={"name": object_name, "n": int(values.size),
                                                                    "rows": nrows, "cols": ncols}, file=str(path))
    # R's NA is a signalling NaN (payload 1954): make it a quiet NaN, or casts and nanmax misbehave
    values = np.where(np.isnan(values), np.nan, values)
    names = data.get("names")
    return RasterLayer(
        values=values.reshape(nrows, ncols),  # raster stores cell values row by row from the top
        xmin=_number(ext["xmin"]), xmax=_number(ext["xmax"]),
        ymin=_number(ext["ymin"]), ymax=_number(ext["ymax"]),
        projargs=_text(_slots(slots["crs"]).get("projargs")) or "+proj=longlat +datum=WGS84 +no_defs",
        name=_text(names) if names is not None else "",
    )


def write_geotiff(layer: RasterLayer, path: str | Path, dtype: str = "float32") -> Path:
    """Write a :class:`RasterLayer` as a one-band GeoTIFF (deflate, nodata NaN).

    ``float32`` is what R's raster package keeps in memory for ``FLT4S`` layers, so nothing is lost.
    """
    import rasterio

    path = Path(path)
    profile = dict(driver="GTiff", dtype=dtype, nodata=np.nan, width=layer.values.shape[1],
                   height=layer.values.shape[0], count=1, crs=layer.crs, transform=layer.transform,
                   compress="deflate")
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(layer.values.astype(dtype), 1)
        if layer.name:
            dst.set_band_description(1, layer.name)
    return path
