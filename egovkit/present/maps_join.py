"""The join of a map: values to district geometry, every mismatch reported on both sides.

:func:`check_map_join` (formerly ``check_join``, whose arguments were in the reverse order of
:func:`egovkit.join.check_join`) keeps every district: one without a value is drawn in the grey
"No data" class and listed in the validation report, never left blank silently.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"area_code": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
>>> j, r = check_map_join(d, pd.DataFrame({"area_code": ["A", "B"], "share": [0.5, 0.1]}), name=None)
>>> j["share"].tolist(), r.issues
([0.5, 0.1], [])
"""

from __future__ import annotations

import warnings
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import EgovkitWarning, InputError, JoinError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport

__all__ = ["LISTED_PER_DISTRICT", "check_map_join", "clean_keys"]

#: Up to this many districts without value (or values without district) are reported one by one;
#: beyond, one summary line with the count and a few examples.
LISTED_PER_DISTRICT = 5


def clean_keys(s: pd.Series) -> pd.Series:
    """District codes as stripped strings; blank codes are missing.

    >>> clean_keys(pd.Series([" A", "", None, 7])).tolist()
    ['A', <NA>, <NA>, '7']
    """
    k = s.astype("string").str.strip()
    return k.mask(k == "")


def _examples(names: Sequence[str], n: int = 5) -> str:
    shown = ", ".join(repr(str(x)) for x in list(names)[:n])
    return shown + (" ..." if len(names) > n else "")


def _one_row_per_key(values: pd.DataFrame, vkey: pd.Series, key: str, report: ValidationReport) -> np.ndarray:
    """Positions of the value rows to draw: one per key. Rows repeating another row exactly are one
    note (kept once); rows giving different values for the same key are an InputError."""
    dup = (vkey.duplicated(keep=False) & vkey.notna()).to_numpy()
    keep = vkey.notna().to_numpy() & ~(vkey.duplicated(keep="first").to_numpy() & dup)
    if not dup.any():
        return np.flatnonzero(keep)
    cols = [c for c in values.columns if c != key
            and not (isinstance(values, gpd.GeoDataFrame) and c == values.geometry.name)]
    same = pd.DataFrame(values.loc[dup, cols]).astype("string").assign(_k=vkey[dup].to_numpy())
    n_distinct = same.drop_duplicates().groupby("_k").size()
    conflict = n_distinct[n_distinct > 1].index.tolist()
    if conflict:
        raise InputError(code="maps.conflicting_values",
                         params={"n": len(conflict), "examples": sorted(map(str, conflict))[:5]}, column=key)
    repeated = sorted(set(vkey[dup].astype(str)))
    report.add("info", "maps.repeated_values", params={"n": int(dup.sum()), "districts": len(repeated),
                                                       "examples": _examples(repeated)},
               column=key, action="kept once")
    return np.flatnonzero(keep)


def _check_keys(districts: gpd.GeoDataFrame, values: pd.DataFrame, key: str) -> None:
    if key not in districts.columns:
        raise JoinError(code="maps.boundaries_no_key", params={"key": key, "columns": list(districts.columns)})
    if key not in values.columns:
        raise JoinError(code="maps.values_no_key", params={"key": key, "columns": list(values.columns)})


def _district_names(districts: gpd.GeoDataFrame, dkey: pd.Series, rows: np.ndarray, name: str | None) -> list[str]:
    """The districts at ``rows`` named by ``name``, else their code, else their feature number (never "nan")."""
    out = []
    has_names = bool(name) and name in districts.columns
    for i in rows:
        label = districts[name].iloc[i] if has_names else None
        if label is None or pd.isna(label) or str(label).strip() in ("", "nan", "<NA>"):
            label = dkey.iloc[i] if pd.notna(dkey.iloc[i]) else render("maps.feature", {"n": int(i) + 1})
        out.append(str(label))
    return out


def _report_no_data(report: ValidationReport, dkey: pd.Series, rows: np.ndarray, names: list[str], key: str,
                    total: int) -> None:
    if len(names) > LISTED_PER_DISTRICT:
        report.add("warning", "maps.no_data_many", params={"n": len(names), "total": total,
                                                           "examples": _examples(names)},
                   column=key, action="kept as no data")
        return
    for i, label in zip(rows, names):
        code = dkey.iloc[i]
        if pd.notna(code):
            report.add("warning", "maps.no_data", params={"code": str(code)}, column=key, area=label,
                       action="kept as no data")
        else:
            report.add("warning", "maps.no_data_no_key", params={"n": int(i) + 1, "key": key,
                                                                  "fix_code": "maps.no_data"},
                       column=key, area=label, action="kept as no data")


def _report_no_geometry(report: ValidationReport, orphan: list[str], key: str) -> None:
    if len(orphan) > LISTED_PER_DISTRICT:
        report.add("warning", "maps.no_geometry_many", params={"n": len(orphan), "examples": _examples(orphan)},
                   column=key, action="dropped from the map")
        return
    for code in orphan:
        report.add("warning", "maps.no_geometry", params={"code": code}, column=key, area=code,
                   action="dropped from the map")


@renamed(name_column="name")
def check_map_join(
    districts: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    key: str = "area_code",
    name: str | None = "area_name",
    report: ValidationReport | None = None,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Join values to district geometry and report mismatches on both sides.

    Every district is kept: those without a value (no value row, or no ``key`` at all) get NaN
    and are drawn in the grey "No data" class; several features with the same key (parts of one
    district) each get its value. Values whose key has no geometry, or no key, are not drawn and
    are recorded. Up to :data:`LISTED_PER_DISTRICT` districts are reported one by one, more as
    one summary line (a partial table against a national boundary file). ``key`` is the column
    of the district code in both tables, ``name`` the column of the district label (to name the
    districts without value).

    Returns
    -------
    (GeoDataFrame, ValidationReport)
        The districts with the value columns added, and the report with codes
        ``maps.no_data`` / ``maps.no_data_no_key`` / ``maps.no_data_many`` (districts without a
        value) and ``maps.no_geometry`` / ``maps.no_geometry_no_key`` / ``maps.no_geometry_many``
        (values without district). ``gdf.attrs["egovkit_join"]`` counts them:
        ``{"no_data": n, "no_geometry": m}``.

    Raises
    ------
    JoinError
        If no key matches at all, or a key column is missing from either side.
    InputError
        If the values give different values for the same key.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"area_code": ["A", "B", None]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1),
    ...                                                                   box(2, 0, 3, 1)])
    >>> j, r = check_map_join(d, pd.DataFrame({"area_code": ["A", "Z"], "share": [0.5, 0.1]}), name=None)
    >>> j["share"].isna().tolist(), j.attrs["egovkit_join"]
    ([False, True, True], {'no_data': 2, 'no_geometry': 1})
    >>> [i.code for i in r.issues]
    ['maps.no_data', 'maps.no_data_no_key', 'maps.no_geometry']
    """
    report = report if report is not None else ValidationReport(source=render("maps.source_join"))
    _check_keys(districts, values, key)
    vkey = clean_keys(values[key]).reset_index(drop=True)
    values = values.reset_index(drop=True)
    without_key = int(vkey.isna().sum())
    if without_key:
        report.add("warning", "maps.no_geometry_no_key", params={"n": without_key, "key": key}, column=key,
                   action="dropped from the map")
    rows = _one_row_per_key(values, vkey, key, report)
    dkey = clean_keys(districts[key]).reset_index(drop=True)
    matched = dkey.isin(set(vkey.dropna())).to_numpy()
    if len(rows) and not matched.any():
        raise JoinError(code="maps.no_match", params={"key": key, "values": list(vkey.dropna().unique()[:3]),
                                                      "boundaries": list(dkey.dropna().unique()[:3])})
    shared = dkey[dkey.duplicated(keep=False) & dkey.notna()]
    if len(shared):
        report.add("info", "maps.shared_key", params={"n": len(shared), "codes": shared.nunique(),
                                                      "examples": _examples(sorted(shared.unique()))},
                   column=key, action="kept")
    missing = np.flatnonzero(~matched)
    names = _district_names(districts, dkey, missing, name)
    _report_no_data(report, dkey, missing, names, key, len(districts))
    dset = set(dkey.dropna())
    orphan = [str(c) for c in vkey.iloc[rows] if c not in dset]
    _report_no_geometry(report, orphan, key)
    if names or orphan or without_key:
        warnings.warn(render("maps.join_summary", {"key": key, "no_data": len(names),
                                                   "no_geometry": len(orphan) + without_key}),
                      EgovkitWarning, stacklevel=3)
    drop = [c for c in values.columns if c in districts.columns and c != key]
    if isinstance(values, gpd.GeoDataFrame):
        drop.append(values.geometry.name)
    right = pd.DataFrame(values.drop(columns=drop)).iloc[rows].drop(columns=key).reset_index(drop=True)
    pos = pd.Index(vkey.iloc[rows].astype(object)).get_indexer(dkey.astype(object).where(dkey.notna(), None))
    part = right.reindex(pos).reset_index(drop=True)  # -1 (no value) -> missing values
    left = pd.DataFrame(districts.drop(columns=districts.geometry.name)).reset_index(drop=True).assign(**{key: dkey})
    out = pd.concat([left, part], axis=1)
    out[districts.geometry.name] = districts.geometry.to_numpy()
    gdf = gpd.GeoDataFrame(out, geometry=districts.geometry.name, crs=districts.crs)
    gdf.attrs["egovkit_join"] = {"no_data": len(names), "no_geometry": len(orphan) + without_key}
    return gdf, report
