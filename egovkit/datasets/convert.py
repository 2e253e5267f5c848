"""Conversions of the original files (R ``.rda``, sf objects) and the cache of converted outputs.

- :func:`rda_to_frame`: an R data frame in an ``.rda`` file -> ``DataFrame`` (pyreadr).
- :func:`sf_rda_to_geodataframe`: an R ``sf`` object (polygon or multipolygon geometry
  column stored as nested lists of coordinate matrices) -> ``GeoDataFrame`` (rdata + shapely,
  rings assembled in one vectorised call), invalid geometries repaired and reported.
- :func:`cached_frame` / :func:`cached_geoframe`: build once, then read the converted
  CSV / GeoPackage from ``<cache_dir>/converted/``, each checked on every read against its
  sidecar ``<file>.meta.json`` (own sha256 and size, sources' sha256, converter version) and
  rebuilt from the verified originals when it does not match (see :mod:`egovkit.datasets.cache`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import DownloadError, EgovkitWarning
from ..shared.messages import render
from ..validate import ValidationReport
from .cache import atomic_write, check_file, file_lock, write_sidecar
from .fetch import cache_root

log = logging.getLogger("egovkit.datasets")

#: Bump when a conversion changes, so that old converted files are not reused.
#: 2: sidecar ``<file>.meta.json`` with the file's and the sources' sha256 (replaces ``.dtypes.json``
#: and ``.report.json``).
#: 3: boundaries repaired by :func:`egovkit.geo.repair_geometries` (report code ``geometry_repaired``,
#: was ``invalid_geometry``, with the area change; an invalid Polygon repaired into one stays a Polygon).
#: 4: report codes of the catalogue (``geo.geometry_repaired``, ``datasets.not_a_county``...) with their params.
CONVERTER_VERSION = "4"


# -- R files ---------------------------------------------------------------------------------
def rda_to_frame(path: str | Path, object_name: str | None = None) -> pd.DataFrame:
    """Read one data frame from an R ``.rda``/``.RData`` file with pyreadr.

    Parameters
    ----------
    path
        The ``.rda`` file.
    object_name
        The R object to return; by default the object named like the file, else the only one.

    Examples
    --------
    >>> df = rda_to_frame("V4_T2.36.rda")  # doctest: +SKIP
    """
    import pyreadr

    path = Path(path)
    try:
        objects = pyreadr.read_r(str(path))
    except Exception as exc:  # pyreadr raises its own LibrdataError/PyreadrError types
        raise DownloadError(code="datasets.not_r_data", params={"path": str(path), "detail": str(exc)}) from exc
    return _pick(objects, path, object_name)


def _pick(objects: dict, path: Path, object_name: str | None) -> pd.DataFrame:
    if object_name is None:
        object_name = path.stem if path.stem in objects else None
    if object_name is None:
        if len(objects) != 1:
            raise DownloadError(code="datasets.several_r_objects", params={"path": str(path), "objects": list(objects)})
        object_name = next(iter(objects))
    if object_name not in objects:
        raise DownloadError(code="datasets.no_r_object",
                            params={"path": str(path), "object": object_name, "objects": list(objects)})
    df = objects[object_name]
    df = df.rename(columns=str)  # rdata gives numpy str_ column labels
    # rdata yields the NA-valued "string" dtype; use pandas' default ``str`` like pyreadr does
    text = [c for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)]
    if text:
        df = df.astype({c: "str" for c in text})
    return df.reset_index(drop=True)


def _read_rdata(path: Path) -> dict:
    import rdata

    with warnings.catch_warnings():
        # rdata warns for every R class it has no constructor for (sf, sfc, crs, ...)
        warnings.simplefilter("ignore", UserWarning)
        return rdata.read_rda(str(path))


def _sfg_parts(geom: object) -> list[list[np.ndarray]]:
    """Polygons of one sf geometry as lists of rings (POLYGON = list of rings, MULTIPOLYGON = list of those)."""
    if isinstance(geom, np.ndarray):
        raise ValueError("geometry is a single matrix (not a polygon)")
    geom = list(geom)
    if not geom:
        return []
    if isinstance(geom[0], np.ndarray):  # POLYGON
        return [geom]
    return [list(p) for p in geom]  # MULTIPOLYGON


def sf_geometries(values: "pd.Series | list", source: str = "<sf>") -> np.ndarray:
    """Build shapely MultiPolygons from an sf geometry column decoded by rdata.

    The rings are gathered into one coordinate array with offsets and handed to
    :func:`shapely.from_ragged_array` in a single call.

    Examples
    --------
    >>> ring = np.array([[0, 0], [1, 0], [1, 1], [0, 0]], dtype=float)
    >>> sf_geometries([[[ring]]])[0].area
    0.5
    """
    coords: list[np.ndarray] = []
    ring_off = [0]
    poly_off = [0]
    geom_off = [0]
    for i, geom in enumerate(values):
        try:
            polys = _sfg_parts(geom)
        except (TypeError, ValueError) as exc:
            raise DownloadError(code="datasets.sf_not_polygon",
                                params={"source": source, "n": i + 1, "detail": str(exc)}) from exc
        for rings in polys:
            for ring in rings:
                ring = np.asarray(ring, dtype=float)[:, :2]
                coords.append(ring)
                ring_off.append(ring_off[-1] + len(ring))
            poly_off.append(poly_off[-1] + len(rings))
        geom_off.append(geom_off[-1] + len(polys))
    xy = np.ascontiguousarray(np.concatenate(coords)) if coords else np.empty((0, 2))
    offsets = (np.asarray(ring_off), np.asarray(poly_off), np.asarray(geom_off))
    return shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, xy, offsets)


def _as_multipolygon(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys)


def sf_rda_to_geodataframe(path: str | Path, crs: str, object_name: str | None = None,
                           geometry_column: str = "geometry") -> gpd.GeoDataFrame:
    """Decode an R ``sf`` polygon object in an ``.rda`` file into a GeoDataFrame.

    Parameters
    ----------
    path
        The ``.rda`` file.
    crs
        CRS the sf object is stored in (rdata does not decode sf's ``crs`` class), e.g. ``"EPSG:2263"``.
    object_name, geometry_column
        R object (default: the only one / the one named like the file) and its geometry column.

    Returns
    -------
    GeoDataFrame
        Attribute columns as in R, MultiPolygon geometries in ``crs`` (not repaired; see
        :func:`egovkit.geo.repair_geometries`).

    Examples
    --------
    >>> gdf = sf_rda_to_geodataframe("nta_sf.rda", crs="EPSG:2263")  # doctest: +SKIP
    """
    path = Path(path)
    df = _pick(_read_rdata(path), path, object_name)
    if geometry_column not in df.columns:
        raise DownloadError(code="datasets.no_geometry_column",
                            params={"path": str(path), "column": geometry_column, "columns": list(df.columns)})
    geoms = sf_geometries(df[geometry_column], source=str(path))
    attrs = df.drop(columns=geometry_column)
    return gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, crs=crs, index=attrs.index), crs=crs)


# -- cache of converted outputs -----------------------------------------------------------
def converted_dir() -> Path:
    """``<cache_dir>/converted`` (read from the settings at call time)."""
    return cache_root() / "converted"


def source_sha(sources: Mapping[str, str]) -> str:
    """One sha256 for a set of originals (registry name -> sha256), independent of their order.

    Examples
    --------
    >>> source_sha({"a": "1", "b": "2"}) == source_sha({"b": "2", "a": "1"})
    True
    """
    h = hashlib.sha256()
    for name in sorted(sources):
        h.update(f"{name}:{sources[name]}\n".encode())
    return h.hexdigest()


def converted_path(key: str, sources: Mapping[str, str], suffix: str) -> Path:
    """Where the conversion ``key`` of ``sources`` is cached (``<key>-<sha16>-v<version><suffix>``)."""
    safe = key.replace("/", "__")
    return converted_dir() / f"{safe}-{source_sha(sources)[:16]}-v{CONVERTER_VERSION}{suffix}"


def _cached(key: str, sources: Mapping[str, str], suffix: str, build: Callable[[], Any],
            write: Callable[[Any, Path], dict], read: Callable[[bytes, dict], Any]) -> Any:
    """Read the converted file of ``key`` if it matches its sidecar, else (re)build it under a lock.

    ``write(obj, tmp)`` writes the built object and returns extra sidecar fields;
    ``read(data, meta)`` parses the checked bytes. Every caller, the builder included, gets
    what ``read`` makes of the cached bytes, so a run does not depend on who built the file.
    """
    path = converted_path(key, sources, suffix)
    expected = {"key": key, "sources": dict(sources), "converter_version": CONVERTER_VERSION}

    def attempt() -> tuple[bool, Any, str | None]:
        data, meta, problem = check_file(path, expected)
        if problem is not None:
            return False, None, problem
        try:
            return True, read(data, meta), None
        except Exception as exc:  # noqa: BLE001 - any parse failure means: rebuild
            return False, None, f"it matches its sidecar but cannot be read ({type(exc).__name__}: {exc})"

    ok, value, problem = attempt()  # the usual case: no lock needed, the bytes read are the bytes checked
    if ok:
        return value
    with file_lock(path):
        ok, value, problem = attempt()  # another process may have built it while we waited
        if ok:
            return value
        if problem == "missing":
            log.info("converting %s into %s", key, path)
        else:
            log.info("rebuilding %s (%s): %s", key, path.name, problem)
        obj = build()
        extra: dict = {}

        def write_tmp(tmp: Path) -> None:
            extra.update(write(obj, tmp))

        sha, size = atomic_write(path, write_tmp)
        write_sidecar(path, {**expected, "file": path.name, "sha256": sha, "size": size, **extra})
        if problem != "missing":
            warnings.warn(render("datasets.rebuilt", {"path": str(path), "key": key, "problem": problem}),
                          EgovkitWarning, stacklevel=4)
        ok, value, problem = attempt()
    if not ok:  # pragma: no cover - a converter that writes what it cannot read back
        raise DownloadError(code="datasets.converted_unusable",
                            params={"path": str(path), "key": key, "problem": problem, "folder": str(path.parent)})
    return value


def _dtype_name(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_integer_dtype(s):
        return "Int64" if s.isna().any() else str(s.dtype)
    if pd.api.types.is_float_dtype(s):
        return "float64"
    return "str"


def _write_csv(df: pd.DataFrame, tmp: Path) -> dict:
    df.to_csv(tmp, index=False, encoding="utf-8")
    return {"columns": [str(c) for c in df.columns], "dtypes": {str(c): _dtype_name(df[c]) for c in df.columns}}


def _read_csv(data: bytes, meta: dict) -> pd.DataFrame:
    df = pd.read_csv(io.BytesIO(data), dtype=meta["dtypes"], keep_default_na=False, na_values=[""],
                     encoding="utf-8")
    if list(df.columns) != meta["columns"]:
        raise ValueError(f"columns {list(df.columns)} are not the recorded {meta['columns']}")
    return df


def cached_frame(key: str, sources: Mapping[str, str], build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Return ``build()``, cached as CSV under ``<cache_dir>/converted`` with a checked sidecar.

    Parameters
    ----------
    key
        Name of the conversion, e.g. a registry name.
    sources
        The originals it is made from: registry name -> sha256. Their hash is part of the file
        name and recorded in the sidecar, so a new source is reconverted.
    build
        Makes the frame from the (verified) originals; called once per cache.

    The sidecar ``<file>.meta.json`` holds the file's sha256 and size, the sources, the
    converter version and the column dtypes; a file that does not match it (cut short, a line
    doubled, sidecar missing or of another source) is rebuilt, with an
    :class:`~egovkit.errors.EgovkitWarning`. Floats are written with full precision and read back
    exactly; the caller that builds the file also gets it as read back from the cache.

    Examples
    --------
    >>> df = cached_frame("demo", {"demo": "0" * 64}, lambda: pd.DataFrame({"a": ["01"], "b": [0.1]}))
    >>> df.dtypes.astype(str).tolist(), df.loc[0, "a"]
    (['str', 'float64'], '01')
    """
    return _cached(key, sources, ".csv", build, _write_csv, _read_csv)


def cached_raster(key: str, sources: Mapping[str, str], build: Callable[[], Any]) -> tuple[np.ndarray, Any, Any, Path]:
    """Return the grid ``build()`` makes, cached as a GeoTIFF with a checked sidecar.

    ``build`` returns a :class:`~egovkit.datasets.rasterlayer.RasterLayer`; it is written with
    :func:`~egovkit.datasets.rasterlayer.write_geotiff` (float32, nodata NaN) and every caller gets
    ``(array, transform, crs, path)`` read from the checked bytes, the array as float64 with NaN
    where the grid has no data. Same sidecar rules as :func:`cached_frame`.
    """
    from .rasterlayer import write_geotiff

    def write(layer: Any, tmp: Path) -> dict:
        write_geotiff(layer, tmp)
        return {"shape": list(layer.values.shape), "total": float(np.nansum(layer.values.astype("float32")))}

    def read(data: bytes, meta: dict) -> tuple[np.ndarray, Any, Any, Path]:
        from rasterio.io import MemoryFile

        with MemoryFile(data) as mem, mem.open() as src:
            arr = src.read(1, masked=True).astype("float64").filled(np.nan)
            if list(arr.shape) != meta["shape"]:
                raise ValueError(f"shape {arr.shape} is not the recorded {meta['shape']}")
            return arr, src.transform, src.crs, converted_path(key, sources, ".tif")

    return _cached(key, sources, ".tif", build, write, read)


def _report_to_dict(report: ValidationReport) -> dict:
    return {"source": report.source, "rows_in": report.rows_in, "issues": [asdict(i) for i in report.issues],
            "row_fate": {str(k): v for k, v in sorted(report.row_fate.items())}}


def _report_from_dict(payload: dict) -> ValidationReport:
    from ..validate import Issue

    rep = ValidationReport(source=payload.get("source"), rows_in=payload.get("rows_in", 0))
    rep.issues = [Issue(**i) for i in payload.get("issues", [])]
    rep.row_fate = {int(k): v for k, v in payload.get("row_fate", {}).items()}
    return rep


def cached_geoframe(key: str, sources: Mapping[str, str],
                    build: Callable[[], gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return ``build()``, cached as a GeoPackage (exact binary coordinates) with a checked sidecar.

    As :func:`cached_frame`; the validation report a build puts in ``.attrs["report"]`` is kept
    in the sidecar and restored, so a repair is still reported (as a warning) on later calls.
    """
    layer = key.replace("/", "__")

    def write(gdf: gpd.GeoDataFrame, tmp: Path) -> dict:
        gdf.to_file(tmp, driver="GPKG", layer=layer)
        report = gdf.attrs.get("report")
        return {"report": _report_to_dict(report) if isinstance(report, ValidationReport) else None}

    def read(data: bytes, meta: dict) -> gpd.GeoDataFrame:
        with warnings.catch_warnings():  # GDAL's in-memory copy of the bytes has no .gpkg name
            warnings.filterwarnings("ignore", "File /vsimem/.*non conformant file extension", RuntimeWarning)
            gdf = gpd.read_file(io.BytesIO(data), layer=layer)
        if meta.get("report") is not None:
            gdf.attrs["report"] = _report_from_dict(meta["report"])
        return gdf

    gdf = _cached(key, sources, ".gpkg", build, write, read)
    _warn_report(gdf.attrs.get("report"))
    return gdf


def _warn_report(report: object) -> None:
    """One :class:`EgovkitWarning` per repaired/dropped item, on every call (cached or not)."""
    if not isinstance(report, ValidationReport):
        return
    for issue in report.warnings:
        warnings.warn(render("datasets.see_report", {"issue": str(issue)}), EgovkitWarning, stacklevel=4)
