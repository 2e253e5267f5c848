"""Read and check public Wi-Fi hotspot lists.

:func:`read_hotspots` reads a CSV (latitude/longitude columns, or x/y with a CRS), a GeoJSON /
GeoPackage / any vector file of points, or a (Geo)DataFrame, and checks it. Nothing is dropped:
every input row is in the result, under the physical line where it starts (quoted cells over
several lines included), with flags saying what was found, and in the report. Text files are read
by :mod:`egovkit.coverage.delimited` whatever their encoding, separator, title lines, ragged rows
(never shifting columns), unbalanced quotes or decimal commas; a file that cannot be read at all
(empty, header only, binary, a workbook renamed .csv, truncated GeoPackage, broken JSON) is an
:class:`~egovkit.errors.InputError` naming it and the fix. Flags:

- ``missing_coordinates``: no usable coordinates (``is_site`` False);
- ``zero_point``: the (0, 0) placeholder (kept and listed, ``is_site`` False);
- ``swapped_lat_lon``: latitude and longitude exchanged (a latitude beyond +/-90 whose longitude
  is a valid latitude, or a point outside the districts that falls inside them once swapped):
  repaired; when most rows are, the two columns are swapped back with ONE warning for the file;
- ``outside_districts``: a point outside every district (kept: it may still cover people across
  the border);
- ``far_from_others``: without districts, a point more than 20 times the median distance (and 50 km)
  from the median location of the sites (kept); one that falls among them once swapped is repaired
  as ``swapped_lat_lon``;
- ``not_a_point``: a line or polygon feature, used through its representative point;
- ``duplicate_location``: several rows at the same coordinates (kept; they form one site, with
  ``site_id`` and ``n_at_site``);
- ``placeholder_date``: date columns with placeholder values such as ``09/09/9999`` (read as NaT).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"lat": [40.7, 40.7, 0.0, -122.4], "lon": [-73.9, -73.9, 0.0, 37.8]})
>>> h, rep = read_hotspots(df)
>>> h[["is_site", "n_at_site", "issues"]].to_numpy().tolist()
[[True, 2, ''], [True, 2, 'duplicate_location'], [False, 1, 'zero_point'], [True, 1, 'swapped_lat_lon']]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .hotspot_checks import (
    FAR_FACTOR,
    FAR_MIN_KM,
    check_far_points,
    fix_swapped_lat_lon,
    flag_unusable,
    group_sites,
    parse_dates,
    place_in_districts,
)
from .hotspot_coordinates import hotspot_coordinates
from .hotspot_files import hotspot_table

__all__ = ["read_hotspots", "unique_sites", "FAR_FACTOR", "FAR_MIN_KM"]


@renamed(district="key")
def read_hotspots(
    path_or_df: str | Path | pd.DataFrame,
    *,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: Any = None,
    districts: gpd.GeoDataFrame | None = None,
    key: str | None = None,
    date_columns: list[str] | None = None,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Read a hotspot list and report what was found; never drop a row.

    Parameters
    ----------
    path_or_df
        CSV (any of UTF-8 with or without BOM, or cp1252; separator sniffed), a vector file
        (GeoJSON, GeoPackage, shapefile, FlatGeobuf...) of points, or a (Geo)DataFrame.
    lat, lon
        Latitude / longitude columns (WGS84). Found by name when not given.
    x, y, crs
        Projected coordinate columns and their CRS, used when there are no lat/lon columns.
    districts, key
        Optional district polygons (any CRS) and their code column (``district=`` before; default
        their index): points outside them are reported, swapped coordinates are detected against
        them, and a ``district`` column gives the code of the district holding each point.
    date_columns
        Date columns; default: columns named like ``date``, ``activated``, ``installed``.

    Returns
    -------
    (GeoDataFrame, ValidationReport)
        All input rows, in their order, with the input columns plus ``row`` (line in the file,
        header = 1; for a DataFrame, position + 2), ``is_site`` (usable location), ``site_id``
        (rows at the same coordinates share it), ``n_at_site``, ``duplicate`` (not the first row at
        its location), ``issues`` (``;``-separated codes of what was found) and ``district``.

    Examples
    --------
    >>> h, rep = read_hotspots("NYC_Wi-Fi_Hotspot_Locations.csv")  # doctest: +SKIP
    >>> int(h.is_site.sum()), int(h.site_id.nunique())  # doctest: +SKIP
    """
    source = str(path_or_df) if isinstance(path_or_df, (str, Path)) else "hotspots"
    report = ValidationReport(source=Path(source).name if isinstance(path_or_df, (str, Path)) else source)
    wanted = [c for c in (lat, lon, x, y) if c]
    t = hotspot_table(path_or_df, report, wanted)
    df, rows = t.cells, t.rows
    n = len(df)
    report.rows_in = n
    cols = list(df.columns)
    flags: list[list[str]] = [[] for _ in range(n)]
    if districts is not None and key is not None and key not in districts.columns:
        raise InputError(code="hotspots.no_district_column",
                         params={"column": key, "columns": repr([str(c) for c in districts.columns])}, column=key)
    for c in wanted:
        if c not in cols:
            raise InputError(code="hotspots.no_column", params={"column": c, "columns": repr(cols)}, file=source,
                             column=c)

    co = hotspot_coordinates(t, report, flags, source=source, lat=lat, lon=lon, x=x, y=y, crs=crs,
                             districts=districts)
    missing, zero = flag_unusable(co, rows, flags, report)
    invalid = np.zeros(n, dtype=bool)
    swapped_file = False
    if co.geographic:
        invalid, swapped_file = fix_swapped_lat_lon(co, missing, zero, rows, flags, report)
    usable = ~missing & ~zero & ~invalid
    if districts is None:
        check_far_points(co, usable, flags, report, rows)
        labels = np.full(n, None, dtype=object)
    else:
        labels = place_in_districts(co, usable, swapped_file, districts, key, rows, flags, report)
    site_id, n_at, dup, n_sites = group_sites(co, usable, rows, flags, report)

    if date_columns is None:
        date_columns = [c for c in df.columns if re.search(r"date|activat|install", str(c), re.I)]
    date_columns = [c for c in date_columns if c in df.columns]
    try:
        df = parse_dates(df, date_columns, report, rows)
    except (ValueError, TypeError, OverflowError) as exc:  # dates are extras: never a reason to refuse the list
        report.add("warning", "hotspots.bad_date_columns", params={"columns": str(date_columns), "detail": str(exc),
                                                                   "fix_code": "hotspots.bad_date"}, action="kept")

    placed = ~missing & ~invalid
    geom = np.full(n, None, dtype=object)
    geom[placed] = shapely.points(co.b[placed], co.a[placed])
    out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, crs=co.crs), crs=co.crs)
    out["row"] = rows
    out["is_site"] = usable
    out["site_id"] = pd.array(np.where(usable, site_id, -1), dtype="Int64").astype("Int64")
    out.loc[~usable, "site_id"] = pd.NA
    out["n_at_site"] = n_at
    out["duplicate"] = dup
    out["issues"] = [";".join(f) for f in flags]
    out["district"] = pd.array(labels, dtype="string") if districts is not None else pd.array([pd.NA] * n,
                                                                                              dtype="string")
    report.set_fate(rows[usable], "used")
    report.set_fate(rows[~usable], "kept apart")
    report.add("info", "hotspots.read", params={
        "n": n, "usable": int(usable.sum()), "sites": n_sites, "zero": int(zero.sum()), "missing": int(missing.sum()),
        "invalid": int(invalid.sum()), "swapped": sum("swapped_lat_lon" in f for f in flags),
        "outside": sum("outside_districts" in f for f in flags), "duplicates": int(dup.sum())}, action="kept")
    return out, report


def unique_sites(hotspots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per distinct usable location (the first row at it), with ``n_at_site``.

    Examples
    --------
    >>> h, _ = read_hotspots(pd.DataFrame({"lat": [1.0, 1.0, 2.0], "lon": [3.0, 3.0, 4.0]}))
    >>> unique_sites(h)["n_at_site"].tolist()
    [2, 1]
    """
    h = hotspots[hotspots["is_site"].astype(bool) & ~hotspots["duplicate"].astype(bool)]
    return h.reset_index(drop=True)
