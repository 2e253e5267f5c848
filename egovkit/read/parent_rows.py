"""Rows that are parents of other rows (a region above its districts, named in the parent column
or by a word such as ``Region`` or ``Province``): kept apart, their sizes checked against the rows
below them.

Examples
--------
>>> sorted(_UPPER_LAST)
['division', 'province', 'region']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..shared.formatting import format_number
from ..shared.messages import render
from .context import _Context, _parsed_column
from .numbers import _OK, _lines_text, _text
from .roles import Roles

#: First or last word of an area name that says the row is a higher level (``Region North``,
#: ``Western Province``); "county", "district", "commune" name ordinary districts.
_UPPER_FIRST = {"region", "regions", "province", "state", "division", "departement"}
_UPPER_LAST = {"region", "province", "division"}


def _parent_rows(ctx: _Context, roles: Roles, norm_name: pd.Series, par_norm: pd.Series, is_total: np.ndarray,
                 dec: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows that total other rows of the same table, when no level column says so.

    A row is a parent level when its name equals its own parent (``North,North``) or is the
    parent of other rows; its denominator is checked against the sum of those rows, which
    also tells apart a district named like its parent (Kenya's ``TANA RIVER`` sub-county). Without
    a parent column, a name such as ``Region North`` marks a higher level when some rows lack
    such a word; its denominator is checked against the rows below it. Everything is reported.

    Returns (is_parent_level, level label per row).
    """
    report, lines = ctx.report, np.asarray(ctx.lines)
    n = len(norm_name)
    upper = np.zeros(n, dtype=bool)
    label = np.full(n, "", dtype=object)
    nn = norm_name.to_numpy(dtype=object)
    pn = par_norm.to_numpy(dtype=object)
    names = _text(ctx.raw[roles.area]).to_numpy(dtype=object)
    den = np.full(n, np.nan)
    den_col = roles.denominators[0][0] if roles.denominators else None
    if den_col is not None and den_col in ctx.raw.columns:
        _, dv, dst, _ = _parsed_column(ctx, den_col, dec)
        den = np.where(dst == _OK, dv, np.nan)
    # long tables repeat each area once per indicator: each (parent, name, denominator) counts once
    long = roles.layout == "long"
    first = ~pd.DataFrame({"p": pn, "n": nn, "d": den}).duplicated().to_numpy() if long else np.ones(n, dtype=bool)
    valid = ~is_total & (nn != "")

    def close(a: float, b: float) -> bool:
        return bool(np.isfinite(a) and np.isfinite(b) and b > 0 and abs(a - b) <= 0.005 * b)

    def fmt(x: float) -> str:
        return format_number(x) if np.isfinite(x) else render("read.unknown_figure")

    if roles.parent:
        pcol = roles.parent
        named_parents = set(pn[valid & (pn != "") & (pn != nn)])
        own = valid & (pn != "") & (nn == pn)
        # hash look-ups and one grouping: np.isin on object arrays compares every row to every name
        cand = own | (valid & pd.Series(nn).isin(named_parents).to_numpy())
        cand_idx = np.flatnonzero(cand & first)
        members_of = pd.Series(cand_idx).groupby(nn[cand_idx], sort=False).indices
        kid_idx = np.flatnonzero(valid & first)
        kid_idx = kid_idx[pd.Series(pn[kid_idx]).isin(members_of.keys()).to_numpy()]
        kids_of = pd.Series(kid_idx).groupby(pn[kid_idx], sort=False).indices if len(kid_idx) else {}
        no_kids = np.array([], dtype=np.int64)
        confirmed, unchecked, as_district, alone = [], [], [], []
        for name in pd.unique(nn[cand_idx]):
            members = cand_idx[members_of[name]]
            kids = kid_idx[kids_of[name]] if name in kids_of else no_kids
            sums = {int(c): float(np.nansum(den[kids[kids != c]])) if np.isfinite(den[kids[kids != c]]).any()
                    else np.nan for c in members}
            if not len(kids[~np.isin(kids, members)]) and len(members) == 1:
                alone.append(int(members[0]))  # no other row under this name: the district itself
                continue
            match = [c for c in members if close(den[c], sums[int(c)])]
            if match:
                confirmed += match
                as_district += [int(c) for c in members if c not in match]
                continue
            # smaller than the rows under its name: it cannot be their total (a district named
            # like its parent, the parent row being absent); no figures: the name decides
            smaller = [c for c in members if np.isfinite(den[c]) and den[c] < 0.995 * sums[int(c)]]
            mine = [c for c in members if own[c] and c not in smaller]
            pick = mine[:1] or [c for c in members if c not in smaller][:1]
            unchecked += [(int(c), len(kids) - 1, sums[int(c)]) for c in pick]
            as_district += [int(c) for c in members if c not in pick]
        chosen = np.array(confirmed + [c for c, _, _ in unchecked], dtype=np.int64)
        upper[chosen] = True
        if long and len(chosen):  # the other rows of a chosen area (a NaN denominator matches no other row)
            keys = pd.MultiIndex.from_arrays([pn[chosen], nn[chosen], den[chosen]])
            same = pd.MultiIndex.from_arrays([pn, nn, den]).isin(keys) & ~np.isnan(den)
            upper |= valid & same
        label[upper] = pcol
        if confirmed:
            c = np.array(sorted(confirmed))
            report.add("info", "parent_rows", params={"n": len(c), "parent": pcol, "den": den_col,
                                                      "names": list(names[c][:10]), "rows": _lines_text(lines[c])},
                       row=int(lines[c[0]]), column=pcol, action="kept apart")
        blind = [c for c, _, tot in unchecked if den_col is None or not (np.isfinite(den[c]) and np.isfinite(tot))]
        if blind:  # no figures to compare (published rates, empty cells): the name decides, said once
            b = np.array(sorted(blind))
            report.add("info", "read.parent_rows_unsized", params={
                "n": len(b), "parent": pcol, "names": list(names[b][:10]), "rows": _lines_text(lines[b])},
                row=int(lines[b[0]]), column=pcol, action="kept apart")
        for c, k, tot in unchecked:
            if c in blind:
                continue
            report.add("warning", "read.parent_row_not_sum", params={
                "name": names[c], "parent": pcol, "den": den_col, "value": fmt(den[c]), "n": k, "sum": fmt(tot)},
                row=int(lines[c]), column=pcol, area=names[c], action="kept apart")
        if as_district:
            d = np.array(sorted(as_district))
            report.add("info", "parent_name_district", params={
                "n": len(d), "parent": pcol, "names": list(names[d][:10]), "rows": _lines_text(lines[d])},
                row=int(lines[d[0]]), column=pcol, action="used")
        if alone:
            a = np.array(sorted(alone))
            report.add("info", "read.parent_name_alone", params={
                "n": len(a), "parent": pcol, "names": list(names[a][:10]), "rows": _lines_text(lines[a])},
                row=int(lines[a[0]]), column=pcol, action="used")
        return upper, label
    # no parent column: "Region North" among districts
    toks = [str(x).split() for x in nn]
    flagged = np.array([bool(t) and (t[0] in _UPPER_FIRST or t[-1] in _UPPER_LAST) for t in toks]) & valid
    if not flagged.any() or flagged[valid].all():
        return upper, label
    f_idx = np.flatnonzero(flagged & first)
    agree, disagree = [], []
    for j, c in enumerate(f_idx):  # the rows below it, down to the next such row or a total
        stop = f_idx[j + 1] if j + 1 < len(f_idx) else n
        below = np.arange(c + 1, stop)
        tot_after = np.flatnonzero(is_total[below])
        if len(tot_after):
            below = below[:tot_after[0]]
        below = below[first[below] & valid[below]]
        tot = float(np.nansum(den[below])) if np.isfinite(den[below]).any() else np.nan
        (agree if close(den[c], tot) else disagree).append((int(c), len(below), tot))
    keys = set(nn[f_idx])
    upper = flagged & pd.Series(nn).isin(keys).to_numpy()
    label[upper] = "region"
    if agree:
        c = np.array([x[0] for x in agree])
        report.add("info", "read.upper_rows", params={"n": len(c), "den": den_col, "names": list(names[c][:10]),
                                                      "rows": _lines_text(lines[c])},
                   row=int(lines[c[0]]), column=roles.area, action="kept apart")
    for c, k, tot in disagree:
        report.add("warning", "read.upper_row_not_sum", params={"name": names[c], "den": den_col,
                                                                 "value": fmt(den[c]), "n": k, "sum": fmt(tot)},
                   row=int(lines[c]), column=roles.area, area=names[c], action="kept apart")
    return upper, label
