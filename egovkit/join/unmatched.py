"""What did not match, on each side: the lists of :class:`~egovkit.join.JoinResult` with the closest
candidates of the other side, and one warning per item (or one for many) in the report.

>>> import pandas as pd
>>> t, b = pd.Series(["alfa"]), pd.Series(["alpha"])
>>> lists, bests = unmatched_candidates(t, t, b, b, pd.Series([False]), codes=False)
>>> bests[0][0]
'alpha'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..validate import ValidationReport
from .candidates import (
    LISTED_UNMATCHED,
    MIN_SUGGEST_SCORE,
    _candidates,
    _code_candidates,
    _unmatched_frame,
    examples,
    fmt_candidates,
)

__all__ = ["report_unmatched_boundaries", "report_unmatched_table", "unmatched_candidates", "unmatched_lists"]


def unmatched_candidates(keys: pd.Series, raw: pd.Series, o_keys: pd.Series, o_raw: pd.Series, o_match: pd.Series,
                         *, codes: bool) -> tuple[list, list]:
    """For each key, the 3 closest names of the other side (score > 0), and as ``best`` the closest one
    that is itself unmatched and scores at least :data:`MIN_SUGGEST_SCORE` (an override to a district
    that already has its partner would make the join ambiguous). Codes are compared as codes (one
    begins or ends with the other), never by spelling."""
    near = _code_candidates if codes else _candidates
    free = near(keys, raw, o_keys[~o_match], o_raw[~o_match])
    taken = near(keys, raw, o_keys[o_match], o_raw[o_match]) if o_match.any() else [[]] * len(free)
    lists, bests = [], []
    for f, t in zip(free, taken):
        tagged = [(n, sc, True) for n, sc in f] + [(n, sc, False) for n, sc in t]
        tagged = sorted((x for x in tagged if x[1] > 0), key=lambda x: (-x[1], not x[2]))
        lists.append([(n, sc) for n, sc, _ in tagged[:3]])
        ok = [(n, sc) for n, sc, is_free in tagged[:3] if is_free and sc >= MIN_SUGGEST_SCORE]
        bests.append(ok[0] if ok else (None, np.nan))
    return lists, bests


def unmatched_lists(tk: pd.Series, traw: pd.Series, bk: pd.Series, braw: pd.Series, t_match: pd.Series,
                    b_match: pd.Series, table_rows: np.ndarray | None,
                    codes: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The unmatched table rows and boundaries, each with its candidates (``row``: the file line of a
    CensusTable's district, else the 1-based position)."""
    t_c, t_best = unmatched_candidates(tk.where(~t_match)[~t_match], traw[~t_match], bk, braw, b_match, codes=codes)
    b_c, b_best = unmatched_candidates(bk[~b_match], braw[~b_match], tk, traw, t_match, codes=codes)
    un_t = _unmatched_frame(np.flatnonzero(~t_match.to_numpy()), traw[~t_match], tk[~t_match], t_c, t_best)
    if table_rows is not None:  # a CensusTable: its rows are pivoted, the file line is what the user can find
        un_t["row"] = pd.Series(table_rows[np.flatnonzero(~t_match.to_numpy())], dtype="int64")
    un_b = _unmatched_frame(np.flatnonzero(~b_match.to_numpy()), braw[~b_match], bk[~b_match], b_c, b_best)
    return un_t, un_b


def report_unmatched_table(un_t: pd.DataFrame, report: ValidationReport, *, column: str, how: str, codes: bool,
                           census_rows: bool, source: str | None) -> None:
    """One warning per unmatched table row, the rest beyond :data:`LISTED_UNMATCHED` said in one."""
    action = "kept without geometry" if how == "outer" else "not on the map"
    for k, r in enumerate(un_t.itertuples()):
        if k == LISTED_UNMATCHED and len(un_t) > LISTED_UNMATCHED + 1:
            rest = un_t.iloc[k:]
            report.add("warning", "join.unmatched_table_more", params={"n": len(rest), "names": examples(rest["name"])},
                       column=column, action=action, source=source)
            break
        params = {"name": r.name, "candidates": fmt_candidates(r.candidates), "best": r.best,
                  "fix_code": "join.fix_override_table" if r.best is not None else "join.fix_add_to_boundaries"}
        where = {"column": column, "area": str(r.name), "action": action, "row": r.row if census_rows else None,
                 "source": source}
        if pd.isna(r.key):
            report.add("warning", "join.unmatched_table_no_key_codes" if codes else "join.unmatched_table_no_key",
                       params=params, **where)
        else:
            report.add("warning", "join.unmatched_table_codes" if codes else "join.unmatched_table", params=params,
                       **where)


def report_unmatched_boundaries(un_b: pd.DataFrame, n_boundaries: int, report: ValidationReport, *, column: str,
                                how: str, codes: bool) -> None:
    """One warning per boundary without data, or one for all when there are more than :data:`LISTED_UNMATCHED`
    (a partial table against a larger, national, file)."""
    action = "dropped" if how == "inner" else "kept without data (drawn as no data)"
    if len(un_b) > LISTED_UNMATCHED:
        report.add("warning", "join.unmatched_boundary_left_out" if how == "inner" else "join.unmatched_boundary_many",
                   params={"n": len(un_b), "total": n_boundaries, "names": examples(un_b["name"])}, column=column,
                   action=action)
        return
    for r in un_b.itertuples():
        params = {"name": r.name, "feature": r.row, "candidates": fmt_candidates(r.candidates), "best": r.best,
                  "fix_code": "join.fix_override_boundary" if r.best is not None else "join.fix_add_to_table"}
        report.add("warning", "join.unmatched_boundary_codes" if codes else "join.unmatched_boundary", params=params,
                   column=column, area=str(r.name), action=action)
