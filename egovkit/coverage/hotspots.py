"""Read and check public Wi-Fi hotspot lists.

:func:`read_hotspots` reads a CSV (latitude/longitude columns, or x/y with a CRS), a GeoJSON /
GeoPackage / any vector file of points, or a (Geo)DataFrame, and checks it. Nothing is dropped:
every input row is in the result, under the physical line where it starts (quoted cells over
several lines included), with flags saying what was found, and in the report. Text files are read
by :mod:`egovkit.coverage._tabular` whatever their encoding, separator, title lines, ragged rows
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
from pyproj import CRS

from ..errors import InputError
from ..geo import _crs_tokens, crs_from_text
from ..validate import ValidationReport
from ._tabular import check_file, coordinate_columns, parse_numbers, read_records, split_pairs
from .population import projected_crs

__all__ = ["read_hotspots", "unique_sites"]

_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods"}
_VECTOR = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml"}
_MAX_LISTED = 20


def _read_vector(path: Path, report: ValidationReport) -> pd.DataFrame:
    """A vector layer read with pyogrio (a GeoDataFrame), or a JSON list of records (a DataFrame);
    any failure is an :class:`InputError` naming the file."""
    try:
        g = gpd.read_file(path)
    except Exception as exc:  # pyogrio DataSourceError, JSON errors, sqlite errors...
        records = _json_records(path) if path.suffix.lower() == ".json" else None
        if records is not None:
            report.add("info", "json_records", f"a JSON list of {len(records)} records (not GeoJSON): read as a "
                       "table", action="inferred")
            return records
        first = path.read_bytes()[:64].lstrip()
        hint = ("it is not JSON: give a CSV its .csv suffix" if path.suffix.lower() in (".json", ".geojson")
                and not first.startswith((b"{", b"[")) else "check that the file is complete (export it again)")
        raise InputError(f"cannot read the file as a {path.suffix} vector layer ({str(exc).splitlines()[0][:200]})",
                         file=str(path), fix=hint) from exc
    if len(g) == 0:
        raise InputError("the layer has no features", file=str(path), fix="export the hotspot points again")
    if not isinstance(g, gpd.GeoDataFrame) or g.geometry.name not in g.columns:
        return pd.DataFrame(g)  # a table without geometry: read its coordinate columns
    return g


def _json_records(path: Path) -> pd.DataFrame | None:
    """A JSON file holding a list of flat records (an open-data portal's export), or None."""
    import json

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
        raise InputError(f"cannot read {path.suffix} files here ({exc})", file=str(path),
                         fix="save the sheet as .xlsx or CSV") from exc
    except Exception as exc:  # zipfile.BadZipFile, xlrd errors, ValueError...
        raise InputError(f"cannot read the file as an Excel workbook ({exc})", file=str(path),
                         fix="save the sheet again as .xlsx or CSV (UTF-8)") from exc
    if df.empty:
        raise InputError("the first sheet has no rows", file=str(path), fix="put the hotspot list on the first sheet")
    return df


def _columns_swapped(swap: np.ndarray, ok: np.ndarray) -> bool:
    """The whole latitude column holds longitudes: most usable rows have a 'latitude' beyond +/-90."""
    return bool(swap.sum() >= 1 and swap.sum() * 2 > ok.sum())


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def _user_crs(crs: Any, source: str, near: gpd.GeoDataFrame | None) -> CRS:
    """The CRS the user gave: an EPSG code, a PROJ name, or a usual name such as "Lambert-93"."""
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj.exceptions.CRSError
        named = crs_from_text(str(crs), near=near) if isinstance(crs, str) else None
        if named is not None:
            return named
        raise InputError(f"unknown CRS {crs!r} ({exc})", file=source,
                         fix="give an EPSG code, e.g. 2154 for Lambert-93, 32631 for UTM zone 31N") from exc


_X_AXIS = {"x", "e", "east", "easting", "este", "coordx", "xcoord"}
_Y_AXIS = {"y", "n", "north", "northing", "norte", "coordy", "ycoord"}


def _named_crs_columns(cols: list[str], near: gpd.GeoDataFrame | None) -> dict[str, Any]:
    """x/y columns whose names also name a CRS (``UTM_E``/``UTM_N`` with districts to give the zone,
    ``E_L93``/``N_L93``, ``X (Lambert 93)``...), or {}: ``{"x", "y", "crs"}`` (or ``lat``/``lon``
    for a geographic CRS)."""
    xs, ys = [], []
    for c in cols:
        toks = set(_crs_tokens(c).split("_"))
        crs = crs_from_text(c, near=near)
        if crs is None:
            continue
        if toks & _X_AXIS and not toks & _Y_AXIS:
            xs.append((c, crs))
        elif toks & _Y_AXIS and not toks & _X_AXIS:
            ys.append((c, crs))
    if len(xs) != 1 or len(ys) != 1 or xs[0][1] != ys[0][1]:
        return {}
    (x, crs), (y, _) = xs[0], ys[0]
    if crs.is_geographic:
        return {"lat": y, "lon": x, "how": "names carry WGS84"}
    return {"x": x, "y": y, "crs": crs.to_epsg() or crs.to_wkt(), "how": "names"}


def _check_projected(x: np.ndarray, y: np.ndarray, crs: CRS, xname: str, yname: str,
                     report: ValidationReport) -> tuple[np.ndarray, np.ndarray, CRS]:
    """Projected coordinates checked against the CRS's area of use: columns named the wrong way round
    (x holds the northings) are swapped back with ONE warning; longitudes/latitudes in that area
    under a projected CRS's name are read as such (one warning)."""
    area = crs.area_of_use
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if area is None or not ok.any():
        return x, y, crs
    from pyproj import Transformer

    to_geo = Transformer.from_crs(crs, 4326, always_xy=True)
    w, s_, e, n_ = area.bounds
    margin = 1.0  # degrees around the area of use

    def inside(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            lon, lat = to_geo.transform(xx, yy)
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        return (np.isfinite(lon) & np.isfinite(lat) & (lon >= w - margin) & (lon <= e + margin)
                & (lat >= s_ - margin) & (lat <= n_ + margin))

    as_is = inside(x[ok], y[ok])
    if as_is.mean() >= 0.5:
        return x, y, crs
    xo, yo = x[ok], y[ok]
    degrees = ((xo >= w - margin) & (xo <= e + margin) & (yo >= s_ - margin) & (yo <= n_ + margin)).mean() > 0.5
    if degrees:
        report.add("warning", "crs_mismatch", f"the values of {xname!r}/{yname!r} are longitudes/latitudes in the "
                   f"area of {_crs_label(crs)}, not its coordinates (metres): read as longitude/latitude (WGS84)",
                   column=f"{yname}/{xname}", action="repaired", fix="pass crs=4326 (or name the columns lon/lat)")
        return x, y, CRS.from_epsg(4326)
    swapped = inside(y[ok], x[ok])
    if swapped.mean() > 0.5:
        report.add("warning", "swapped_xy", f"the columns {xname!r} and {yname!r} are the wrong way round: "
                   f"{int(swapped.sum())} of {int(ok.sum())} points fall in the area of {_crs_label(crs)} only once "
                   f"exchanged; read {yname!r} as x (easting) and {xname!r} as y (northing) for every row",
                   column=f"{yname}/{xname}", action="repaired",
                   fix=f"rename the columns ({xname!r} holds northings, {yname!r} eastings)")
        return y.copy(), x.copy(), crs
    report.add("warning", "crs_mismatch", f"{int((~as_is).sum())} of {int(ok.sum())} points lie outside the "
               f"area of use of {_crs_label(crs)} ({area.name})", column=f"{yname}/{xname}", action="kept",
               fix="check the CRS of the coordinates (pass crs=)")
    return x, y, crs


def _per_row(report: ValidationReport, code: str, rows: np.ndarray, idx: np.ndarray, message: Any, *,
             column: str, action: str, fix: str, flags: list[list[str]]) -> None:
    """One issue per row up to ``_MAX_LISTED`` rows, then one summary issue (every row is flagged)."""
    for k, i in enumerate(idx):
        flags[i].append(code)
        if k < _MAX_LISTED:
            report.add("warning", code, message(i), row=rows[i], column=column, action=action, fix=fix)
    if len(idx) > _MAX_LISTED:
        more = [int(rows[i]) for i in idx[_MAX_LISTED:]]
        report.add("warning", code, f"the same in {len(more)} more row(s): {more[:_MAX_LISTED]}"
                   f"{' ...' if len(more) > _MAX_LISTED else ''}", row=more[0], column=column, action=action, fix=fix)


def _parse_dates(df: pd.DataFrame, cols: list[str], report: ValidationReport, rows: np.ndarray) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        raw = out[c]
        if pd.api.types.is_datetime64_any_dtype(raw):
            continue
        text = raw.astype("string").str.strip()
        parsed = None
        for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S"):
            p = pd.to_datetime(text, format=fmt, errors="coerce")
            if p.notna().sum() >= 0.8 * text.notna().sum() and text.notna().any():
                parsed = p
                break
        if parsed is None:
            parsed = pd.to_datetime(text, errors="coerce", format="mixed")
        # placeholder years (9999, 1900, 1/1/1970...) are "unknown", not dates
        years = text.str.extract(r"(\d{4})", expand=False).astype("Float64")
        placeholder = (years >= 2100) | (years <= 1900)
        placeholder = placeholder.fillna(False).to_numpy(dtype=bool)
        unparsed = (parsed.isna() & text.notna()).to_numpy() & ~placeholder
        parsed = parsed.mask(placeholder)
        if placeholder.any():
            vals = text[placeholder].value_counts().index.tolist()
            listed = rows[placeholder][:_MAX_LISTED].tolist()
            report.add("info", "placeholder_date", f"{int(placeholder.sum())} placeholder date(s) {vals[:3]} read "
                       f"as unknown (NaT); rows {listed}{' ...' if placeholder.sum() > _MAX_LISTED else ''}",
                       column=c, action="repaired")
        if unparsed.any():
            listed = rows[unparsed][:_MAX_LISTED].tolist()
            report.add("warning", "bad_date", f"{int(unparsed.sum())} value(s) are not dates; read as NaT; rows "
                       f"{listed}", column=c, action="repaired", fix="write dates as YYYY-MM-DD")
        out[c] = parsed
        out[f"{c}_placeholder"] = placeholder
    return out


#: A point is "far from the others" beyond this many times the median distance of all points to their
#: median location (and beyond FAR_MIN_KM): a typo, a swap, a default location. The median keeps the
#: test valid with up to half of the points wrong.
FAR_FACTOR = 20.0
FAR_MIN_KM = 50.0


def _check_far_points(a: np.ndarray, b: np.ndarray, usable: np.ndarray, crs: CRS, flags: list[list[str]],
                      report: ValidationReport, rows: np.ndarray, column: str) -> None:
    """Without districts, points far from all the others are flagged (kept); a point that comes back among
    them once latitude and longitude are swapped is repaired (``a`` latitude/y, ``b`` longitude/x, in place)."""
    idx = np.flatnonzero(usable)
    if len(idx) < 5:
        return
    if crs.is_geographic:
        lat, lon = a[idx], b[idx]
    else:
        from pyproj import Transformer

        lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(b[idx], a[idx])
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    lat0, lon0 = np.median(lat), np.median(lon)

    def km(la: np.ndarray, lo: np.ndarray) -> np.ndarray:  # great-circle distance to the median location
        p1, p2, dl = np.radians(la), np.radians(lat0), np.radians(lo - lon0)
        h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))

    d = km(lat, lon)
    typical = float(np.median(d))
    limit = max(FAR_MIN_KM, FAR_FACTOR * typical)
    for k in np.flatnonzero(d > limit):
        i = idx[k]
        if crs.is_geographic and abs(b[i]) <= 90 and km(np.array([b[i]]), np.array([a[i]]))[0] <= limit:
            flags[i].append("swapped_lat_lon")
            report.add("warning", "swapped_lat_lon", f"({a[i]}, {b[i]}) is {d[k]:,.0f} km from the other sites but "
                       "among them once latitude and longitude are swapped: swapped", row=rows[i], column=column,
                       action="repaired", fix="swap the two values in the file")
            a[i], b[i] = b[i], a[i]
        else:
            flags[i].append("far_from_others")
            report.add("warning", "far_from_others", f"point is {d[k]:,.0f} km from the median location of the "
                       f"sites (half of them are within {typical:,.1f} km); kept as a site",
                       row=rows[i], column=column, action="kept",
                       fix="check the coordinates, or pass districts= to check them against the territory")


def read_hotspots(  # noqa: C901 (reading decisions in one place; split in issue 11 part 3)
    path_or_df: str | Path | pd.DataFrame,
    *,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: Any = None,
    districts: gpd.GeoDataFrame | None = None,
    district: str | None = None,
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
    districts, district
        Optional district polygons (any CRS) and label column: points outside them are reported,
        swapped coordinates are detected against them, and a ``district`` column is added.
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
    gdf_in: gpd.GeoDataFrame | None = None
    wanted = [c for c in (lat, lon, x, y) if c]
    if isinstance(path_or_df, (str, Path)):
        path = Path(path_or_df)
        check_file(path, "hotspot list")
        suffix = path.suffix.lower()
        if suffix in _VECTOR:
            layer = _read_vector(path, report)
            if isinstance(layer, gpd.GeoDataFrame):
                df = pd.DataFrame(layer.drop(columns=layer.geometry.name))
                # a layer without geometries but with coordinate columns is read from its columns
                if wanted or not layer.geometry.isna().all() or not coordinate_columns([str(c) for c in df.columns]):
                    gdf_in = layer
            else:
                df = layer
            rows = np.arange(1, len(df) + 1)  # feature (or JSON record) number
        elif suffix in _EXCEL:
            df = _read_excel(path)
            rows = np.arange(2, len(df) + 2)  # the sheet's row number
        else:
            def numeric(names: list[str]) -> list[int]:
                found = coordinate_columns(names)
                cols = [found.get(k) for k in ("lat", "lon", "x", "y", "pair")] + wanted
                return [names.index(c) for c in cols if c in names]

            df, rows = read_records(path, report, what="hotspot list", numeric=numeric)
    elif isinstance(path_or_df, gpd.GeoDataFrame):
        gdf_in = path_or_df
        df = pd.DataFrame(path_or_df.drop(columns=path_or_df.geometry.name))
        rows = np.arange(2, len(df) + 2)
    elif isinstance(path_or_df, pd.DataFrame):
        df = path_or_df.copy()
        rows = np.arange(2, len(df) + 2)
    else:
        raise InputError(f"cannot read hotspots from {type(path_or_df).__name__}",
                         fix="give a file path or a (Geo)DataFrame")
    df = df.reset_index(drop=True)
    n = len(df)
    report.rows_in = n
    cols = [str(c) for c in df.columns]
    df.columns = cols
    flags: list[list[str]] = [[] for _ in range(n)]
    if districts is not None and district is not None and district not in districts.columns:
        raise InputError(f"no column {district!r} in the districts", column=district,
                         fix=f"use one of {[str(c) for c in districts.columns]}")
    for c in wanted:
        if c not in cols:
            raise InputError(f"no column {c!r}", file=source, column=c, fix=f"use one of {cols}")

    # -- coordinates -----------------------------------------------------------------------
    found: dict[str, Any] = {}
    if not (lat and lon) and not (x and y) and not (gdf_in is not None and not gdf_in.geometry.isna().all()):
        found = coordinate_columns(cols)
        if not found or ("x" in found and not found.get("crs") and crs is None):
            found = _named_crs_columns(cols, districts) or found
        lat, lon = lat or found.get("lat"), lon or found.get("lon")  # type: ignore[assignment]
        if not (lat and lon):
            x, y = x or found.get("x"), y or found.get("y")  # type: ignore[assignment]
            if crs is None and found.get("crs"):
                crs = found["crs"]
                named = CRS.from_user_input(crs)
                report.add("info", "crs_from_name", f"CRS {_crs_label(named)} read from the column names {x!r}, "
                           f"{y!r}", column=f"{y}/{x}", action="inferred", fix="pass crs= to choose another")
        if found.get("how") == "names carry WGS84":
            report.add("info", "coordinate_columns", f"{lat!r} and {lon!r} read as latitude and longitude "
                       "(WGS84 in their names)", column=f"{lat}/{lon}", action="inferred")
    pair = found.get("pair") if not (lat and lon) and not (x and y) else None
    if pair:
        scratch = ValidationReport(source=report.source)
        lat_t, lon_t, n_wkt = split_pairs(df[pair], bool(found.get("lon_first")))
        a, bad_a = parse_numbers(lat_t, pair, rows, scratch, degrees=True, comma_decimal=True)
        b, bad_b = parse_numbers(lon_t, pair, rows, scratch, degrees=True, comma_decimal=True)
        if not (np.isfinite(a) & np.isfinite(b)).any() and df[pair].notna().any():
            raise InputError(f"no coordinate columns found (column {pair!r} holds no coordinate pairs)", file=source,
                             fix=f"name them latitude/longitude or pass lat=, lon= (or x=, y=, crs=); columns: {cols}")
        report.extend(scratch)
        order = "WKT points, longitude first" if n_wkt else \
            f"pairs, {'longitude' if found.get('lon_first') else 'latitude'} first"
        report.add("info", "coordinate_pairs", f"latitude and longitude read from column {pair!r} ({order})",
                   column=pair, action="inferred", fix="give latitude and longitude in two columns")
        pcrs = CRS.from_epsg(4326)
        geographic = True
        lat = lon = pair
    elif lat and lon:
        a, bad_a = parse_numbers(df[lat], lat, rows, report, degrees=True, comma_decimal=True)  # latitude
        b, bad_b = parse_numbers(df[lon], lon, rows, report, degrees=True, comma_decimal=True)  # longitude
        pcrs = CRS.from_epsg(4326)
        geographic = True
    elif x and y:
        b, bad_b = parse_numbers(df[x], x, rows, report, degrees=True)
        a, bad_a = parse_numbers(df[y], y, rows, report, degrees=True)
        if crs is None:
            ok = np.isfinite(a) & np.isfinite(b) & ~((a == 0) & (b == 0))
            if not ok.any() or np.mean(((np.abs(b[ok]) <= 180) & (np.abs(a[ok]) <= 90))
                                    | ((np.abs(a[ok]) <= 180) & (np.abs(b[ok]) <= 90))) >= 0.9:
                report.add("warning", "xy_as_lon_lat", f"no CRS given for {x!r}/{y!r}; their values are degrees, "
                           "read as longitude/latitude (WGS84)", column=f"{y}/{x}", action="guessed",
                           fix="pass crs= if they are in another CRS")
                crs = 4326
            else:
                raise InputError(f"x/y columns ({x!r}, {y!r}) need their CRS", file=source, column=x,
                                 fix="pass crs= (e.g. crs=2263 for NY State Plane feet), or give latitude/longitude "
                                     "columns")
        pcrs = _user_crs(crs, source, districts)
        if not pcrs.is_geographic:
            b, a, pcrs = _check_projected(b, a, pcrs, x, y, report)
        geographic = pcrs.is_geographic
        lat, lon = y, x
    elif gdf_in is not None:
        g = gdf_in.geometry
        gp = g.where(g.geom_type == "Point", g.representative_point())
        empty = (g.isna() | g.is_empty).to_numpy()
        for i in np.flatnonzero(~empty & (g.geom_type != "Point").to_numpy()):
            flags[i].append("not_a_point")
            report.add("info", "not_a_point", f"{g.iloc[i].geom_type} geometry; its representative point is used "
                       "as the site", row=rows[i], column="geometry", action="repaired",
                       fix="give the access point's location as a point")
        b = np.where(empty, np.nan, shapely.get_x(gp.values))
        a = np.where(empty, np.nan, shapely.get_y(gp.values))
        bad_a = bad_b = np.zeros(n, dtype=bool)
        if gdf_in.crs is None:
            raise InputError("the hotspot layer has no CRS", file=source, fix="set it (EPSG:4326 for lon/lat)")
        pcrs = CRS(gdf_in.crs)
        geographic = pcrs.is_geographic
        lat, lon = "geometry", "geometry"
    else:
        raise InputError("no coordinate columns found", file=source,
                         fix=f"name them latitude/longitude or pass lat=, lon= (or x=, y=, crs=); columns: {cols}")
    del bad_a, bad_b  # reported by parse_numbers; the rows are "missing coordinates" below
    a = np.asarray(a, dtype=float).copy()
    b = np.asarray(b, dtype=float).copy()

    missing = ~(np.isfinite(a) & np.isfinite(b))
    for i in np.flatnonzero(missing):
        flags[i].append("missing_coordinates")
        report.add("warning", "missing_coordinates", "no usable coordinates; listed but not a site",
                   row=rows[i], column=f"{lat}/{lon}", action="kept apart", fix="geocode the address")
    zero = ~missing & (a == 0) & (b == 0)
    for i in np.flatnonzero(zero):
        flags[i].append("zero_point")
        report.add("warning", "zero_point", "point at (0, 0), a placeholder for an unknown location; listed "
                   "but not used for coverage", row=rows[i], column=f"{lat}/{lon}", action="kept apart",
                   fix="geocode the address")
    invalid = np.zeros(n, dtype=bool)
    swapped_file = False
    if geographic:
        ok = ~missing & ~zero
        swap = ok & (np.abs(a) > 90) & (np.abs(b) <= 90)
        if _columns_swapped(swap, ok):
            swapped_file = True
            report.add("warning", "swapped_lat_lon", f"the columns {lat!r} and {lon!r} are the wrong way round: "
                       f"{int(swap.sum())} of {int(ok.sum())} values of {lat!r} are beyond +/-90 (longitudes); "
                       "the two columns were swapped back for every row", column=f"{lat}/{lon}", action="repaired",
                       fix=f"rename the columns ({lat!r} holds longitudes, {lon!r} latitudes)")
            swap = ok.copy()
            for i in np.flatnonzero(swap):
                flags[i].append("swapped_lat_lon")
        else:
            _per_row(report, "swapped_lat_lon", rows, np.flatnonzero(swap), lambda i: (
                f"latitude {a[i]} is beyond +/-90 while longitude {b[i]} is a valid latitude: the two were swapped"),
                column=f"{lat}/{lon}", action="repaired", fix="swap the two values in the file", flags=flags)
        a, b = np.where(swap, b, a), np.where(swap, a, b)
        invalid = ok & ((np.abs(a) > 90) | (np.abs(b) > 180))
        for i in np.flatnonzero(invalid):
            flags[i].append("invalid_coordinates")
            report.add("warning", "invalid_coordinates", f"({a[i]}, {b[i]}) is not a latitude/longitude; listed "
                       "but not a site", row=rows[i], column=f"{lat}/{lon}", action="kept apart",
                       fix="correct the coordinates")
    usable = ~missing & ~zero & ~invalid
    if districts is None:
        _check_far_points(a, b, usable, pcrs, flags, report, rows, f"{lat}/{lon}")

    # -- districts: outside points and swaps detected against them ----------------------------
    dlab = np.full(n, None, dtype=object)
    if districts is not None:
        dcrs = projected_crs(districts)
        dd = districts.to_crs(dcrs)
        dd = dd.set_geometry(dd.geometry.make_valid())
        names = (dd[district].astype(str) if district else pd.Series(dd.index.astype(str))).to_numpy(dtype=object)
        tree = shapely.STRtree(dd.geometry.values)

        def locate(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
            pts = gpd.GeoSeries.from_xy(xx, yy, crs=pcrs).to_crs(dcrs).values
            res = np.full(len(xx), -1)
            pi, di = tree.query(pts, predicate="intersects")
            order = np.lexsort((di, pi))
            pi, di = pi[order], di[order]
            first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.array([], dtype=bool)
            res[pi[first]] = di[first]
            return res

        idx = np.flatnonzero(usable)
        where = np.full(n, -1)
        if len(idx):
            where[idx] = locate(b[idx], a[idx])
        out_idx = idx[where[idx] < 0]
        if geographic and len(out_idx):
            ok_swap = (np.abs(b[out_idx]) <= 90) & (np.abs(a[out_idx]) <= 180)
            cand = out_idx[ok_swap]
            if len(cand):
                w2 = locate(a[cand], b[cand])
                fixed = cand[w2 >= 0]
                inside = int((where[idx] >= 0).sum())
                if not swapped_file and inside == 0 and len(fixed) * 2 > len(idx):
                    # the whole file: one warning, every usable row swapped back
                    report.add("warning", "swapped_lat_lon", f"the columns {lat!r} and {lon!r} are the wrong way "
                               f"round: no site lies in a district as written, {len(fixed)} of {len(idx)} do once "
                               "latitude and longitude are exchanged; the two columns were swapped back for every "
                               "row", column=f"{lat}/{lon}", action="repaired",
                               fix=f"rename the columns ({lat!r} holds longitudes, {lon!r} latitudes)")
                    for i in idx:
                        flags[i].append("swapped_lat_lon")
                    rest = np.setdiff1d(idx, fixed)
                    a[idx], b[idx] = b[idx].copy(), a[idx].copy()
                    where[fixed] = w2[w2 >= 0]
                    if len(rest):
                        where[rest] = locate(b[rest], a[rest])
                else:
                    _per_row(report, "swapped_lat_lon", rows, fixed, lambda i: (
                        "point lies outside every district but inside one once latitude and longitude are swapped: "
                        "swapped"), column=f"{lat}/{lon}", action="repaired", fix="swap the two values in the file",
                        flags=flags)
                    where[fixed] = w2[w2 >= 0]
                    a[fixed], b[fixed] = b[fixed].copy(), a[fixed].copy()
        for i in np.flatnonzero(usable & (where < 0)):
            flags[i].append("outside_districts")
            report.add("warning", "outside_districts", f"point ({a[i]:.6f}, {b[i]:.6f}) lies outside every "
                       "district; kept as a site (it may cover people across the border)", row=rows[i],
                       column=f"{lat}/{lon}", action="kept", fix="check the coordinates or the district layer")
        dlab[where >= 0] = names[where[where >= 0]]

    # -- duplicates by coordinates -----------------------------------------------------------
    key = pd.DataFrame({"a": np.round(a, 9), "b": np.round(b, 9)})
    key.loc[~usable, ["a", "b"]] = np.nan
    site_id = np.full(n, -1, dtype=np.int64)
    site_id[usable] = key[usable].groupby(["a", "b"], sort=False).ngroup().to_numpy()
    counts = np.bincount(site_id[usable]) if usable.any() else np.array([], dtype=np.int64)
    n_at = np.ones(n, dtype=np.int64)
    n_at[usable] = counts[site_id[usable]]
    dup = np.zeros(n, dtype=bool)
    dup[usable] = pd.Series(site_id[usable]).duplicated().to_numpy()
    first_row = {}
    for i in np.flatnonzero(usable):
        first_row.setdefault(site_id[i], rows[i])
    for i in np.flatnonzero(dup):
        flags[i].append("duplicate_location")
        report.add("info", "duplicate_location", f"same coordinates as row {first_row[site_id[i]]} "
                   f"({n_at[i]} rows at this site); kept, counted as one site", row=rows[i],
                   column=f"{lat}/{lon}", action="kept")
    if dup.any():
        report.add("info", "duplicate_summary", f"{int(dup.sum())} row(s) repeat the coordinates of another row: "
                   f"{int(usable.sum())} usable rows form {len(counts)} distinct sites", action="kept")

    # -- dates -------------------------------------------------------------------------------
    if date_columns is None:
        date_columns = [c for c in df.columns if re.search(r"date|activat|install", str(c), re.I)]
    date_columns = [c for c in date_columns if c in df.columns]
    try:
        df = _parse_dates(df, date_columns, report, rows)
    except (ValueError, TypeError, OverflowError) as exc:  # dates are extras: never a reason to refuse the list
        report.add("warning", "bad_date", f"date columns {date_columns} could not be read ({exc}); kept as text",
                   action="kept", fix="write dates as YYYY-MM-DD")

    geom = np.full(n, None, dtype=object)
    geom[~missing & ~invalid] = shapely.points(b[~missing & ~invalid], a[~missing & ~invalid])
    out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, crs=pcrs), crs=pcrs)
    out["row"] = rows
    out["is_site"] = usable
    out["site_id"] = pd.array(np.where(usable, site_id, -1), dtype="Int64").astype("Int64")
    out.loc[~usable, "site_id"] = pd.NA
    out["n_at_site"] = n_at
    out["duplicate"] = dup
    out["issues"] = [";".join(f) for f in flags]
    out["district"] = pd.array(dlab, dtype="string") if districts is not None else pd.array([pd.NA] * n, dtype="string")
    report.set_fate(rows[usable], "used")
    report.set_fate(rows[~usable], "kept apart")
    report.add("info", "hotspots_read", f"{n} rows: {int(usable.sum())} usable points forming "
               f"{len(counts)} distinct sites; {int(zero.sum())} at (0, 0), {int(missing.sum())} without "
               f"coordinates, {int(invalid.sum())} invalid, "
               f"{sum('swapped_lat_lon' in f for f in flags)} swapped lat/lon (repaired), "
               f"{sum('outside_districts' in f for f in flags)} outside the districts, {int(dup.sum())} duplicates",
               action="kept")
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
