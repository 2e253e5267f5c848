"""The table of a hotspot list, whatever it comes in: a delimited text, a vector layer, a workbook, a (Geo)DataFrame.

:func:`hotspot_table` reads what :func:`~egovkit.coverage.read_hotspots` is given into a table of
text (or typed) cells, the number of each row in the input (the physical line of a text file,
header = 1; the feature number of a layer; the sheet's row) and, for a layer of geometries, the
layer itself. A file that cannot be read at all is an :class:`~egovkit.errors.InputError` naming
it and the fix.

Examples
--------
>>> t = hotspot_table(pd.DataFrame({"lat": [1.0], "lon": [2.0]}), ValidationReport(), [])
>>> t.rows.tolist(), t.layer is None
([2], True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from ..validate import ValidationReport
from .coordinate_names import coordinate_columns
from .delimited import read_records
from .text_file import check_file

__all__ = ["HotspotTable", "hotspot_table"]

_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods"}
_VECTOR = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml"}


@dataclass
class HotspotTable:
    """A hotspot list as read: its cells, the input row of each, and the layer when it has geometries."""

    #: the columns of the input (a layer's without its geometry)
    cells: pd.DataFrame
    #: the number of each row in the input (line of a text file, feature, sheet row)
    rows: np.ndarray
    #: the layer whose geometries are the sites, or None when the sites are in coordinate columns
    layer: gpd.GeoDataFrame | None = None


def _read_vector(path: Path, report: ValidationReport) -> pd.DataFrame:
    """A vector layer read with pyogrio (a GeoDataFrame), or a JSON list of records (a DataFrame);
    any failure is an :class:`InputError` naming the file."""
    try:
        g = gpd.read_file(path)
    except Exception as exc:  # pyogrio DataSourceError, JSON errors, sqlite errors...
        records = _json_records(path) if path.suffix.lower() == ".json" else None
        if records is not None:
            report.add("info", "hotspots.json_records", params={"n": len(records)}, action="inferred")
            return records
        first = path.read_bytes()[:64].lstrip()
        not_json = path.suffix.lower() in (".json", ".geojson") and not first.startswith((b"{", b"["))
        raise InputError(code="hotspots.unreadable_layer",
                         params={"suffix": path.suffix, "detail": str(exc).splitlines()[0][:200],
                                 "fix_code": "hotspots.not_json" if not_json else "hotspots.incomplete_file"},
                         file=str(path)) from exc
    if len(g) == 0:
        raise InputError(code="hotspots.no_features", file=str(path))
    if not isinstance(g, gpd.GeoDataFrame) or g.geometry.name not in g.columns:
        return pd.DataFrame(g)  # a table without geometry: read its coordinate columns
    return g


def _json_records(path: Path) -> pd.DataFrame | None:
    """A JSON file holding a list of flat records (an open-data portal's export), or None."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
        return None
    df = pd.json_normalize(data)
    return df.astype(object).where(df.notna(), None)


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_excel(path, dtype=object)
    except ImportError as exc:
        raise InputError(code="hotspots.excel_unsupported", params={"suffix": path.suffix, "detail": str(exc)},
                         file=str(path)) from exc
    except Exception as exc:  # zipfile.BadZipFile, xlrd errors, ValueError...
        raise InputError(code="hotspots.unreadable_workbook", params={"detail": str(exc)}, file=str(path)) from exc
    if df.empty:
        raise InputError(code="hotspots.empty_sheet", file=str(path))
    return df


def _read_file(path: Path, report: ValidationReport, wanted: list[str]) -> HotspotTable:
    """A hotspot file by its suffix: a vector layer, a workbook or delimited text."""
    check_file(path, "hotspot list")
    suffix = path.suffix.lower()
    if suffix in _VECTOR:
        layer = _read_vector(path, report)
        rows = np.arange(1, len(layer) + 1)  # feature (or JSON record) number
        if not isinstance(layer, gpd.GeoDataFrame):
            return HotspotTable(layer, rows)
        df = pd.DataFrame(layer.drop(columns=layer.geometry.name))
        # a layer without geometries but with coordinate columns is read from its columns
        if wanted or not layer.geometry.isna().all() or not coordinate_columns([str(c) for c in df.columns]):
            return HotspotTable(df, rows, layer)
        return HotspotTable(df, rows)
    if suffix in _EXCEL:
        df = _read_excel(path)
        return HotspotTable(df, np.arange(2, len(df) + 2))  # the sheet's row number

    def numeric(names: list[str]) -> list[int]:
        found = coordinate_columns(names)
        cols = [found.get(k) for k in ("lat", "lon", "x", "y", "pair")] + wanted
        return [names.index(c) for c in cols if c in names]

    df, rows = read_records(path, report, what="hotspot list", numeric=numeric)
    return HotspotTable(df, rows)


def hotspot_table(path_or_df: Any, report: ValidationReport, wanted: list[str]) -> HotspotTable:
    """The cells of a hotspot list (a file path or a (Geo)DataFrame), their row numbers and the layer.

    ``wanted`` are the coordinate columns the user named (a layer with them is read from its
    columns). Row numbers: the line of a text file (header = 1), the feature of a layer, the row of
    a sheet; for a DataFrame, position + 2. The cells have string column names and a fresh index.
    """
    if isinstance(path_or_df, (str, Path)):
        t = _read_file(Path(path_or_df), report, wanted)
    elif isinstance(path_or_df, gpd.GeoDataFrame):
        t = HotspotTable(pd.DataFrame(path_or_df.drop(columns=path_or_df.geometry.name)),
                         np.arange(2, len(path_or_df) + 2), path_or_df)
    elif isinstance(path_or_df, pd.DataFrame):
        t = HotspotTable(path_or_df.copy(), np.arange(2, len(path_or_df) + 2))
    else:
        raise InputError(code="hotspots.unknown_input", params={"kind": type(path_or_df).__name__})
    t.cells = t.cells.reset_index(drop=True)
    t.cells.columns = [str(c) for c in t.cells.columns]
    return t
