"""Conversions of the original files (R ``.rda``, sf objects) and the cache of converted outputs.

- :func:`rda_to_frame`: an R data frame in an ``.rda`` file -> ``DataFrame`` (pyreadr).
- :func:`sf_rda_to_geodataframe`: an R ``sf`` object (polygon or multipolygon geometry
  column stored as nested lists of coordinate matrices) -> ``GeoDataFrame`` (rdata + shapely,
  rings assembled in one vectorised call), invalid geometries repaired and reported.
- :func:`cached_frame` / :func:`cached_geoframe`: build once, then read the converted
  CSV / GeoPackage from ``<cache_dir>/converted/``.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import DownloadError, EgovkitWarning
from ..validate import ValidationReport
from .fetch import cache_root

#: Bump when a conversion changes, so that old converted files are not reused.
CONVERTER_VERSION = "1"


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
        raise DownloadError(f"{path}: cannot be read as an R data file ({exc}). Fix: delete the cached "
                            "file so it is fetched again") from exc
    return _pick(objects, path, object_name)


def _pick(objects: dict, path: Path, object_name: str | None) -> pd.DataFrame:
    if object_name is None:
        object_name = path.stem if path.stem in objects else None
    if object_name is None:
        if len(objects) != 1:
            raise DownloadError(f"{path}: holds several R objects {list(objects)}; pass object_name=")
        object_name = next(iter(objects))
    if object_name not in objects:
        raise DownloadError(f"{path}: has no R object {object_name!r} (it has {list(objects)})")
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
            raise DownloadError(f"{source}: geometry {i + 1} is not a polygon or multipolygon ({exc})") from exc
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


def repair_geometries(gdf: gpd.GeoDataFrame, report: ValidationReport, id_column: str,
                      source: str) -> gpd.GeoDataFrame:
    """Repair invalid polygons with ``make_valid`` (polygonal parts kept); record each one.

    Examples
    --------
    >>> bow = shapely.from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
    >>> g = gpd.GeoDataFrame({"id": ["a"]}, geometry=[bow])
    >>> r = ValidationReport()
    >>> bool(repair_geometries(g, r, "id", "x").is_valid.all()), len(r.by_code("invalid_geometry"))
    (True, 1)
    """
    bad = ~gdf.geometry.is_valid.to_numpy()
    if not bad.any():
        return gdf
    geoms = gdf.geometry.to_numpy().copy()
    reasons = shapely.is_valid_reason(geoms[bad])
    fixed = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    fixed = np.array([_as_multipolygon(g) for g in fixed], dtype=object)
    for (idx, reason, before, after) in zip(np.flatnonzero(bad), reasons, geoms[bad], fixed):
        area = str(gdf[id_column].iloc[idx])
        change = 0.0 if before.area == 0 else 100 * (after.area - before.area) / before.area
        report.add("warning", "invalid_geometry", f"invalid polygon ({reason}) repaired with make_valid; "
                   f"area changed by {change:+.3f} %", row=int(idx) + 1, column="geometry", area=area,
                   action="repaired", source=source,
                   fix="none needed; check the district's outline if its area matters")
    geoms[bad] = fixed
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out


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
        :func:`repair_geometries`).

    Examples
    --------
    >>> gdf = sf_rda_to_geodataframe("nta_sf.rda", crs="EPSG:2263")  # doctest: +SKIP
    """
    path = Path(path)
    df = _pick(_read_rdata(path), path, object_name)
    if geometry_column not in df.columns:
        raise DownloadError(f"{path}: no geometry column {geometry_column!r} (columns: {list(df.columns)})")
    geoms = sf_geometries(df[geometry_column], source=str(path))
    attrs = df.drop(columns=geometry_column)
    return gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, crs=crs, index=attrs.index), crs=crs)


# -- cache of converted outputs -----------------------------------------------------------
def converted_dir() -> Path:
    """``<cache_dir>/converted`` (read from the settings at call time)."""
    return cache_root() / "converted"


def _key_path(key: str, sha: str, suffix: str) -> Path:
    safe = key.replace("/", "__")
    return converted_dir() / f"{safe}-{sha[:16]}-v{CONVERTER_VERSION}{suffix}"


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.stem + ".", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # some writers refuse to overwrite an existing (empty) file
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _dtype_name(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_integer_dtype(s):
        return "Int64" if s.isna().any() else str(s.dtype)
    if pd.api.types.is_float_dtype(s):
        return "float64"
    return "str"


def cached_frame(key: str, sha: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Return ``build()``, cached as CSV (+ a JSON of dtypes) under ``<cache_dir>/converted``.

    ``sha`` (the source file's hash) is part of the file name, so a new source is reconverted.
    Floats are written with full precision and read back exactly.

    Examples
    --------
    >>> df = cached_frame("demo", "0" * 64, lambda: pd.DataFrame({"a": ["01"], "b": [0.1]}))
    >>> df.dtypes.astype(str).tolist(), df.loc[0, "a"]
    (['str', 'float64'], '01')
    """
    path = _key_path(key, sha, ".csv")
    meta = path.with_suffix(".dtypes.json")
    if path.is_file() and meta.is_file():
        dtypes = json.loads(meta.read_text(encoding="utf-8"))
        df = pd.read_csv(path, dtype=dtypes, keep_default_na=False,
                         na_values=[""], encoding="utf-8")
        return df[list(dtypes)]
    df = build()
    dtypes = {str(c): _dtype_name(df[c]) for c in df.columns}
    _atomic_write(path, lambda p: df.to_csv(p, index=False, encoding="utf-8"))
    _atomic_write(meta, lambda p: p.write_text(json.dumps(dtypes), encoding="utf-8"))
    return df


def cached_geoframe(key: str, sha: str, build: Callable[[], gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return ``build()``, cached as a GeoPackage (exact binary coordinates) under ``<cache_dir>/converted``.

    The validation report a build puts in ``.attrs["report"]`` is cached next to it (JSON) and
    restored, so a repair is still reported on later calls.
    """
    path = _key_path(key, sha, ".gpkg")
    rep_path = path.with_suffix(".report.json")
    if path.is_file():
        gdf = gpd.read_file(path)
        if rep_path.is_file():
            gdf.attrs["report"] = _report_from_json(rep_path)
    else:
        gdf = build()
        report = gdf.attrs.get("report")
        _atomic_write(path, lambda p: gdf.to_file(p, driver="GPKG", layer=path.stem.split("-")[0]))
        if isinstance(report, ValidationReport):
            _atomic_write(rep_path, report.save)  # the temporary name keeps the .json suffix
    _warn_report(gdf.attrs.get("report"))
    return gdf


def _warn_report(report: object) -> None:
    """One :class:`EgovkitWarning` per repaired/dropped item, on every call (cached or not)."""
    if not isinstance(report, ValidationReport):
        return
    for issue in report.warnings:
        warnings.warn(f"{issue}; see .attrs['report']", EgovkitWarning, stacklevel=4)


def _report_from_json(path: Path) -> ValidationReport:
    from ..validate import Issue

    payload = json.loads(path.read_text(encoding="utf-8"))
    rep = ValidationReport(source=payload.get("source"), rows_in=payload.get("rows_in", 0))
    rep.issues = [Issue(**i) for i in payload.get("issues", [])]
    rep.row_fate = {int(k): v for k, v in payload.get("row_fate", {}).items()}
    return rep
