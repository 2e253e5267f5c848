"""The checks of a hotspot list, row by row: each flags the rows it concerns and says so in the report.

Each step of :func:`~egovkit.coverage.read_hotspots` after the coordinates are read:
:func:`flag_unusable` (no coordinates, the (0, 0) placeholder), :func:`fix_swapped_lat_lon`
(latitude and longitude exchanged, impossible values), :func:`check_far_points` (without
districts: points far from all the others), :func:`place_in_districts` (points outside every
district, swaps detected against them), :func:`group_sites` (rows at the same location form one
site) and :func:`parse_dates` (placeholder dates). Nothing is dropped: rows are flagged.

Examples
--------
>>> from pyproj import CRS
>>> c = Coordinates(np.array([40.7, 0.0, np.nan]), np.array([-73.9, 0.0, 1.0]), CRS(4326), "lat", "lon")
>>> flags = [[], [], []]
>>> missing, zero = flag_unusable(c, np.array([2, 3, 4]), flags, ValidationReport())
>>> flags
[[], ['zero_point'], ['missing_coordinates']]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ..validate import ValidationReport
from .hotspot_coordinates import Coordinates
from .population import projected_crs

__all__ = ["FAR_FACTOR", "FAR_MIN_KM", "check_far_points", "fix_swapped_lat_lon", "flag_unusable", "group_sites",
           "parse_dates", "place_in_districts"]

#: Rows listed one by one in the report; beyond, one issue says how many more.
_MAX_LISTED = 20
#: A point is "far from the others" beyond this many times the median distance of all points to their
#: median location (and beyond FAR_MIN_KM): a typo, a swap, a default location. The median keeps the
#: test valid with up to half of the points wrong.
FAR_FACTOR = 20.0
FAR_MIN_KM = 50.0


def _more(rows: list[int]) -> str:
    return f"{rows[:_MAX_LISTED]}{' ...' if len(rows) > _MAX_LISTED else ''}"


def flag_unusable(c: Coordinates, rows: np.ndarray, flags: list[list[str]],
                  report: ValidationReport) -> tuple[np.ndarray, np.ndarray]:
    """Rows without usable coordinates and rows at (0, 0), a placeholder (kept apart, listed)."""
    missing = ~(np.isfinite(c.a) & np.isfinite(c.b))
    for i in np.flatnonzero(missing):
        flags[i].append("missing_coordinates")
        report.add("warning", "hotspots.missing_coordinates", params={}, row=rows[i], column=c.label,
                   action="kept apart")
    zero = ~missing & (c.a == 0) & (c.b == 0)
    for i in np.flatnonzero(zero):
        flags[i].append("zero_point")
        report.add("warning", "hotspots.zero_point", params={}, row=rows[i], column=c.label, action="kept apart")
    return missing, zero


def _columns_swapped(swap: np.ndarray, ok: np.ndarray) -> bool:
    """The whole latitude column holds longitudes: most usable rows have a 'latitude' beyond +/-90."""
    return bool(swap.sum() >= 1 and swap.sum() * 2 > ok.sum())


def _report_swapped_rows(report: ValidationReport, rows: np.ndarray, idx: np.ndarray, c: Coordinates,
                         flags: list[list[str]], *, outside: bool) -> None:
    """One issue per swapped row up to ``_MAX_LISTED`` rows, then one for the others (every row is flagged)."""
    for k, i in enumerate(idx):
        flags[i].append("swapped_lat_lon")
        if k < _MAX_LISTED:
            report.add("warning", "hotspots.swapped_outside" if outside else "hotspots.swapped_beyond_90",
                       params={"lat": float(c.a[i]), "lon": float(c.b[i]), "fix_code": "hotspots.swapped_beyond_90"},
                       row=rows[i], column=c.label, action="repaired")
    if len(idx) > _MAX_LISTED:
        more = [int(rows[i]) for i in idx[_MAX_LISTED:]]
        report.add("warning", "hotspots.swapped_more", params={"n": len(more), "rows": _more(more)}, row=more[0],
                   column=c.label, action="repaired")


def fix_swapped_lat_lon(c: Coordinates, missing: np.ndarray, zero: np.ndarray, rows: np.ndarray,
                        flags: list[list[str]], report: ValidationReport) -> tuple[np.ndarray, bool]:
    """Latitudes beyond +/-90 whose longitude is a valid latitude swapped back (in ``c``): the whole
    file with ONE warning when most rows are; then the rows still not latitude/longitude (kept apart).
    Returns those invalid rows and whether the whole file was swapped."""
    ok = ~missing & ~zero
    swap = ok & (np.abs(c.a) > 90) & (np.abs(c.b) <= 90)
    swapped_file = _columns_swapped(swap, ok)
    if swapped_file:
        report.add("warning", "hotspots.swapped_columns", params={"lat": c.lat, "lon": c.lon, "n": int(swap.sum()),
                                                                  "of": int(ok.sum())},
                   column=c.label, action="repaired")
        swap = ok.copy()
        for i in np.flatnonzero(swap):
            flags[i].append("swapped_lat_lon")
    else:
        _report_swapped_rows(report, rows, np.flatnonzero(swap), c, flags, outside=False)
    c.a, c.b = np.where(swap, c.b, c.a), np.where(swap, c.a, c.b)
    invalid = ok & ((np.abs(c.a) > 90) | (np.abs(c.b) > 180))
    for i in np.flatnonzero(invalid):
        flags[i].append("invalid_coordinates")
        report.add("warning", "hotspots.invalid_coordinates", params={"lat": float(c.a[i]), "lon": float(c.b[i])},
                   row=rows[i], column=c.label, action="kept apart")
    return invalid, swapped_file


def check_far_points(c: Coordinates, usable: np.ndarray, flags: list[list[str]], report: ValidationReport,
                     rows: np.ndarray) -> None:
    """Without districts, points far from all the others are flagged (kept); a point that comes back among
    them once latitude and longitude are swapped is repaired (in ``c``)."""
    a, b, crs = c.a, c.b, c.crs
    idx = np.flatnonzero(usable)
    if len(idx) < 5:
        return
    if crs.is_geographic:
        lat, lon = a[idx], b[idx]
    else:
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
            report.add("warning", "hotspots.swapped_far", row=rows[i], column=c.label, action="repaired",
                       params={"lat": float(a[i]), "lon": float(b[i]), "km": float(d[k]),
                               "fix_code": "hotspots.swapped_beyond_90"})
            a[i], b[i] = b[i], a[i]
        else:
            flags[i].append("far_from_others")
            report.add("warning", "hotspots.far_from_others", params={"km": float(d[k]), "typical": typical},
                       row=rows[i], column=c.label, action="kept")


def place_in_districts(c: Coordinates, usable: np.ndarray, swapped_file: bool, districts: gpd.GeoDataFrame,
                       key: str | None, rows: np.ndarray, flags: list[list[str]],
                       report: ValidationReport) -> np.ndarray:
    """The code (column ``key``, else the index) of the district holding each usable point (None
    elsewhere). Points outside every district that fall inside one once latitude and longitude are
    exchanged are swapped back (in ``c``): the whole file with ONE warning when no point lies in a
    district as written; the points still outside are flagged (kept: they may cover people across
    the border)."""
    n = len(c.a)
    dcrs = projected_crs(districts)
    dd = districts.to_crs(dcrs)
    dd = dd.set_geometry(dd.geometry.make_valid())
    names = (dd[key].astype(str) if key else pd.Series(dd.index.astype(str))).to_numpy(dtype=object)
    tree = shapely.STRtree(dd.geometry.values)

    def locate(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        pts = gpd.GeoSeries.from_xy(xx, yy, crs=c.crs).to_crs(dcrs).values
        res = np.full(len(xx), -1)
        pi, di = tree.query(pts, predicate="intersects")
        order = np.lexsort((di, pi))
        pi, di = pi[order], di[order]
        first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.array([], dtype=bool)
        res[pi[first]] = di[first]
        return res

    a, b = c.a, c.b
    idx = np.flatnonzero(usable)
    where = np.full(n, -1)
    if len(idx):
        where[idx] = locate(b[idx], a[idx])
    out_idx = idx[where[idx] < 0]
    if c.geographic and len(out_idx):
        cand = out_idx[(np.abs(b[out_idx]) <= 90) & (np.abs(a[out_idx]) <= 180)]
        if len(cand):
            w2 = locate(a[cand], b[cand])
            fixed = cand[w2 >= 0]
            inside = int((where[idx] >= 0).sum())
            if not swapped_file and inside == 0 and len(fixed) * 2 > len(idx):
                # the whole file: one warning, every usable row swapped back
                report.add("warning", "hotspots.swapped_columns_districts",
                           params={"lat": c.lat, "lon": c.lon, "n": len(fixed), "of": len(idx),
                                   "fix_code": "hotspots.swapped_columns"}, column=c.label, action="repaired")
                for i in idx:
                    flags[i].append("swapped_lat_lon")
                rest = np.setdiff1d(idx, fixed)
                a[idx], b[idx] = b[idx].copy(), a[idx].copy()
                where[fixed] = w2[w2 >= 0]
                if len(rest):
                    where[rest] = locate(b[rest], a[rest])
            else:
                _report_swapped_rows(report, rows, fixed, c, flags, outside=True)
                where[fixed] = w2[w2 >= 0]
                a[fixed], b[fixed] = b[fixed].copy(), a[fixed].copy()
    for i in np.flatnonzero(usable & (where < 0)):
        flags[i].append("outside_districts")
        report.add("warning", "hotspots.outside_districts", params={"lat": float(a[i]), "lon": float(b[i])},
                   row=rows[i], column=c.label, action="kept")
    labels = np.full(n, None, dtype=object)
    labels[where >= 0] = names[where[where >= 0]]
    return labels


def group_sites(c: Coordinates, usable: np.ndarray, rows: np.ndarray, flags: list[list[str]],
                report: ValidationReport) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Rows at the same coordinates form one site: the site of each row (-1 if not usable), the
    number of rows at it, whether the row repeats an earlier one, and the number of sites."""
    n = len(c.a)
    at = pd.DataFrame({"a": np.round(c.a, 9), "b": np.round(c.b, 9)})
    at.loc[~usable, ["a", "b"]] = np.nan
    site_id = np.full(n, -1, dtype=np.int64)
    site_id[usable] = at[usable].groupby(["a", "b"], sort=False).ngroup().to_numpy()
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
        report.add("info", "hotspots.duplicate_location", row=rows[i], column=c.label, action="kept",
                   params={"first": int(first_row[site_id[i]]), "n": int(n_at[i])})
    if dup.any():
        report.add("info", "hotspots.duplicate_summary", params={"n": int(dup.sum()), "usable": int(usable.sum()),
                                                                 "sites": len(counts)}, action="kept")
    return site_id, n_at, dup, len(counts)


def _parse_date_column(text: pd.Series) -> pd.Series:
    """Dates of a text column: the first usual format that reads 80 % of it, else any format."""
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S"):
        p = pd.to_datetime(text, format=fmt, errors="coerce")
        if p.notna().sum() >= 0.8 * text.notna().sum() and text.notna().any():
            return p
    return pd.to_datetime(text, errors="coerce", format="mixed")


def parse_dates(df: pd.DataFrame, cols: list[str], report: ValidationReport, rows: np.ndarray) -> pd.DataFrame:
    """The date columns ``cols`` read as dates; placeholder years (9999, 1900...) are unknown (NaT) and
    flagged in a ``<column>_placeholder`` column; values that are not dates are NaT (reported)."""
    out = df.copy()
    for c in cols:
        raw = out[c]
        if pd.api.types.is_datetime64_any_dtype(raw):
            continue
        text = raw.astype("string").str.strip()
        parsed = _parse_date_column(text)
        # placeholder years (9999, 1900, 1/1/1970...) are "unknown", not dates
        years = text.str.extract(r"(\d{4})", expand=False).astype("Float64")
        placeholder = (years >= 2100) | (years <= 1900)
        placeholder = placeholder.fillna(False).to_numpy(dtype=bool)
        unparsed = (parsed.isna() & text.notna()).to_numpy() & ~placeholder
        parsed = parsed.mask(placeholder)
        if placeholder.any():
            vals = text[placeholder].value_counts().index.tolist()
            report.add("info", "hotspots.placeholder_date",
                       params={"n": int(placeholder.sum()), "values": str(vals[:3]),
                               "rows": _more(rows[placeholder].tolist())}, column=c, action="repaired")
        if unparsed.any():
            report.add("warning", "hotspots.bad_date", params={"n": int(unparsed.sum()),
                                                               "rows": str(rows[unparsed][:_MAX_LISTED].tolist())},
                       column=c, action="repaired")
        out[c] = parsed
        out[f"{c}_placeholder"] = placeholder
    return out
