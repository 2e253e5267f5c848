"""Tidy both sides before they are joined: the user's overrides applied, a table row repeated exactly kept
once, the features of one district merged, and keys read twice refused.

>>> duplicates(pd.Series(["a", "b", "a"]), pd.Series(["A", "B", "A."]))
{'a': ['A', 'A.']}
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import JoinError
from ..shared.messages import render
from ..shared.names import normalise_name
from ..validate import ValidationReport
from .candidates import _candidates, examples, fmt_candidates
from .keys import keys_of

__all__ = ["apply_overrides", "check_duplicates", "drop_repeated_rows", "duplicates", "merge_parts"]


def apply_overrides(overrides: dict[str, str], traw: pd.Series, tk: pd.Series, braw: pd.Series,
                     bk: pd.Series, by: str, drop_words, report: ValidationReport) -> tuple[pd.Series, dict]:
    """The table keys with each override ``{table name: boundary name}`` applied, and the overrides used."""
    tk = tk.copy()
    used = {}
    tstr = traw.astype(str).str.strip()
    bstr = braw.astype(str).str.strip()
    for src, dst in overrides.items():
        src_s, dst_s = str(src).strip(), str(dst).strip()
        rows = np.flatnonzero((tstr == src_s).to_numpy())
        if not len(rows):
            k = keys_of(pd.Series([src_s]), pd.Series([src_s]), by, drop_words)[0].iloc[0]
            rows = np.flatnonzero((tk == k).fillna(False).to_numpy())
        target = np.flatnonzero((bstr == dst_s).to_numpy())
        if not len(target):
            k = keys_of(pd.Series([dst_s]), pd.Series([dst_s]), by, drop_words)[1].iloc[0]
            target = np.flatnonzero((bk == k).fillna(False).to_numpy())
        if not len(target):
            near = _candidates(pd.Series([normalise_name(dst_s)]), pd.Series([dst_s]), normalise_name(braw), braw)[0]
            raise JoinError(code="join.override_no_boundary",
                            params={"source": src_s, "target": dst_s, "candidates": fmt_candidates(near)})
        if len(np.unique(bk.iloc[target].to_numpy())) > 1:
            raise JoinError(code="join.override_several", params={"source": src_s, "target": dst_s})
        if not len(rows):
            report.add("warning", "join.unused_override", params={"source": src_s, "target": dst_s},
                       area=src_s, action="ignored")
            continue
        tk.iloc[rows] = bk.iloc[target[0]]
        used[src_s] = dst_s
        report.add("info", "join.override", params={"source": src_s, "target": dst_s}, area=src_s,
                   action="overridden")
    return tk, used


def duplicates(keys: pd.Series, raw: pd.Series) -> dict[str, list[str]]:
    """``{key: [the names read as it]}`` for every key read more than once."""
    dup = keys.duplicated(keep=False) & keys.notna()
    out: dict[str, list[str]] = {}
    for k, r in zip(keys[dup], raw[dup]):
        out.setdefault(k, []).append(str(r))
    return out


def drop_repeated_rows(tdf: pd.DataFrame, traw: pd.Series, tk: pd.Series, column: str,
                        report: ValidationReport) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Table rows repeating another row exactly (same key, same values) kept once, with one note."""
    dup = (tk.duplicated(keep=False) & tk.notna()).to_numpy()
    if not dup.any():
        return tdf, traw, tk
    text = tdf.astype("string").fillna("\x00").assign(_k=tk.to_numpy())
    repeat = (text.duplicated(keep="first").to_numpy() & dup)
    if not repeat.any():
        return tdf, traw, tk
    names = sorted({str(x) for x in traw[repeat]})
    report.add("info", "join.repeated_rows", params={"n": int(repeat.sum()), "names": examples(pd.Series(names))},
               column=column, action="kept once")
    keep = ~repeat
    return (tdf[keep].reset_index(drop=True), traw[keep].reset_index(drop=True), tk[keep].reset_index(drop=True))


def merge_parts(bdf: gpd.GeoDataFrame, braw: pd.Series, bk: pd.Series, used: set, column: str,
                 report: ValidationReport) -> tuple[gpd.GeoDataFrame, pd.Series, pd.Series]:
    """Features of one district (same key, same attributes) that the table uses, merged into one."""
    dup = (bk.duplicated(keep=False) & bk.notna() & bk.isin(used)).to_numpy()
    if not dup.any():
        return bdf, braw, bk
    geom = bdf.geometry.name
    attrs = pd.DataFrame(bdf.drop(columns=geom)).reset_index(drop=True).astype("string").fillna("\x00")
    attrs["_k"] = bk.to_numpy()
    same = attrs[dup].drop_duplicates().groupby("_k").size()
    parts = set(same[same == 1].index)  # keys whose features differ only by their geometry
    if not parts:
        return bdf, braw, bk
    out = bdf.reset_index(drop=True).copy()
    drop: list[int] = []
    merged = []
    for k in sorted(parts):
        pos = np.flatnonzero((bk == k).fillna(False).to_numpy())
        out.iloc[pos[0], out.columns.get_loc(geom)] = shapely.union_all(out.geometry.iloc[pos].to_numpy())
        drop += pos[1:].tolist()
        merged.append(render("join.merged_item", {"name": braw.iloc[pos[0]], "n": len(pos)}))
    report.add("info", "join.parts_merged", params={"n": len(merged), "merged": ", ".join(merged[:5]),
                                                    "more": " ..." if len(merged) > 5 else ""},
               column=column, action="repaired")
    keep = np.setdiff1d(np.arange(len(out)), drop)
    return (out.iloc[keep].reset_index(drop=True), braw.iloc[keep].reset_index(drop=True),
            bk.iloc[keep].reset_index(drop=True))


def check_duplicates(tk: pd.Series, traw: pd.Series, bk: pd.Series, braw: pd.Series, used: dict[str, str],
                     by: str, table_on: str, boundary_on: str, report: ValidationReport) -> None:
    """Keys read twice: in the table always an error, in the boundaries when the table uses them (each
    reported); any such error raises one :class:`~egovkit.errors.JoinError` naming them all."""
    tdup, bdup = duplicates(tk, traw), duplicates(bk, braw)
    problems, by_override = [], []
    for k, names in tdup.items():
        via = [n for n in names if str(n).strip() in used]
        if via:  # an override sent a row to a boundary that already had its table row
            others = [n for n in names if n not in via]
            pairs = ", ".join(f"{str(n).strip()!r} -> {used[str(n).strip()]!r}" for n in via)
            problems.append(render("join.problem_override", {"pairs": pairs, "others": str(others)}))
            by_override.append(True)
            report.add("error", "join.duplicate_override", params={"via": str(via), "others": str(others)},
                       column=table_on, area=str(via[0]))
            continue
        problems.append(render("join.problem_table", {"names": str(names), "key": k}))
        by_override.append(False)
        report.add("error", "join.duplicate_key_table",
                   params={"n": len(names), "key": k, "names": str(names),
                           "fix_code": "join.fix_one_row" if by == "code" else "join.fix_one_row_or_code"},
                   column=table_on, area=names[0])
    tset = set(tk.dropna())
    for k, names in bdup.items():
        params = {"n": len(names), "key": k, "names": str(names)}
        if k in tset:
            problems.append(render("join.problem_boundaries", {"names": str(names), "key": k}))
            by_override.append(False)
            report.add("error", "join.duplicate_key_boundaries",
                       params={**params, "fix_code": "join.fix_boundary_codes" if by == "code" else "join.fix_by_code"},
                       column=boundary_on, area=names[0])
        else:
            report.add("warning", "join.duplicate_key_unused", params=params, column=boundary_on, area=names[0],
                       action="kept")
    if problems:
        fix = ("join.fix_overrides" if all(by_override) else "join.fix_table_codes" if by == "code" and tdup
               else "join.fix_boundary_file_codes" if by == "code" else "join.fix_name_join")
        raise JoinError(code="join.ambiguous", params={"table_on": table_on, "boundary_on": boundary_on, "by": by,
                                                       "problems": "; ".join(problems), "fix_code": fix})
