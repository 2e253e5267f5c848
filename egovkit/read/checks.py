"""Checks and row fates: every value of every block validated (missing, not a number, negative,
above 100 %/1/its denominator, duplicated district), the long table built, and the fate of every
input row (``used``, ``kept apart`` or ``dropped``) recorded in ``report.row_fate``.

Examples
--------
>>> import numpy as np
>>> _Coded(np.array(["internet", "computer"], dtype=object)).take(np.array([1, 1])).tolist()
['computer', 'computer']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..shared.messages import render
from ..table import LONG_COLUMNS
from .blocks import Block
from .context import _Context
from .numbers import _BAD, _MISSING, _OK
from .roles import catalogue
from .row_issues import report_rows


def _validate_and_build(ctx: _Context, rows: pd.DataFrame, blocks: list[Block]) -> tuple[pd.DataFrame, pd.DataFrame]:
    report = ctx.report
    cat = catalogue().set_index("name")
    row_lines = rows["line"].to_numpy()
    row_names = rows["area_name"].to_numpy()
    is_district = rows["is_district"].to_numpy()
    no_name = rows["no_name"].to_numpy()
    keys = rows["key"].to_numpy()
    dup_reported: set[int] = set()
    is_copy = _identical_copies(rows, blocks)
    if is_copy.any():
        _report_copies(ctx, rows, is_copy)
    parts = []
    for b in blocks:
        pos, v, st, den, dst = b.pos, b.values, b.status, b.den, b.den_status
        col, kind = b.column, b.kind
        lines, names = row_lines[pos], row_names[pos]
        text = b.text
        copy_b = is_copy[pos]  # identical copies of an earlier row: dropped, said once (not per cell)
        valid = (st == _OK) & (dst == _OK) & (den > 0) & ~no_name[pos] & ~copy_b  # den 0: said by _report_den

        def emit(mask: np.ndarray, severity: str, code: str, params, action: str = "dropped") -> None:
            for i in np.flatnonzero(mask & ~copy_b):  # noqa: B023 (emit is called in this same pass)
                report.add(severity, code, params=params(i), row=int(lines[i]), column=col,  # noqa: B023 (emit is called in this same pass)
                           area=names[i], action=action)  # noqa: B023 (emit is called in this same pass)

        miss = np.flatnonzero((st == _MISSING) & (dst != _MISSING) & ~copy_b)  # one line when they repeat
        report_rows(report, "warning", "missing_value", lines[miss], names[miss], {"indicator": b.indicator},
                    column=col, action="dropped for this indicator", explained=ctx.explained_rows)
        emit(st == _BAD, "error", "non_numeric",
             lambda i: {"cell": render("read.cell", {"cell": repr(text.iat[i] if text is not None and text.iat[i] != ''  # noqa: B023
                                                                 else f'{v[i]:g}')})})  # noqa: B023  # noqa: B023 (emit is called in this same pass)
        neg = (st == _OK) & (v < 0)
        emit(neg, "error", "negative_value", lambda i: {"value": f"{v[i]:g}"})  # noqa: B023 (emit is called in this same pass)
        over = np.zeros(len(v), dtype=bool)
        if kind == "percent":
            over = (st == _OK) & (v > 100)
            emit(over, "error", "percent_above_100", lambda i: {"value": float(v[i])})  # noqa: B023 (emit is called in this same pass)
        elif kind == "share":
            over = (st == _OK) & (v > 1)
            emit(over, "error", "share_above_1", lambda i: {"value": float(v[i])})  # noqa: B023 (emit is called in this same pass)
        else:
            over = (st == _OK) & (dst == _OK) & (v > den * (1 + 1e-9))
            emit(over, "error", "count_above_denominator",
                 lambda i: {"indicator": b.indicator, "value": float(v[i]), "den": float(den[i]),  # noqa: B023 (emit is called in this same pass)
                            "den_column": b.den_column})  # noqa: B023 (emit is called in this same pass)
        valid &= ~neg & ~over
        # duplicates among named district rows, whatever their values: the first row is the
        # district's row even when some of its values are invalid (never mix two rows); identical
        # copies are dropped with one note (below), the others are errors with the true count
        d_idx = np.flatnonzero(is_district[pos] & ~no_name[pos])
        k = pd.Series(keys[pos[d_idx]])
        dup = k.duplicated(keep="first").to_numpy()
        valid[d_idx[dup]] = False
        dup = dup & ~copy_b[d_idx]
        if dup.any():
            by_key = k.groupby(k.to_numpy(), sort=False)
            first_line = pd.Series(lines[d_idx]).groupby(k.to_numpy()).transform("first").to_numpy()
            first_name = pd.Series(names[d_idx], dtype=object).groupby(k.to_numpy()).transform("first").to_numpy()
            count = by_key.transform("size").to_numpy()
            lines_of = {key: lines[d_idx[ix]] for key, ix in by_key.indices.items() if len(ix) > 2}
            codes = rows["area_code"].to_numpy()[pos]
            for j in np.flatnonzero(dup):
                i = d_idx[j]
                tag = int(lines[i])  # one issue per input row, not per indicator
                if tag in dup_reported:
                    continue
                dup_reported.add(tag)
                n = int(count[j])
                params = {"n": n, "first": int(first_line[j]), "line": int(lines[i]), "name": repr(str(names[i])),
                          "first_name": repr(str(first_name[j])), "code": repr(str(codes[i])),
                          "rows": _and_list(lines_of[k.iat[j]]) if n > 2 else ""}
                by_code = str(codes[i]) != "" and str(first_name[j]) != str(names[i])  # same code, other names
                what = ("read.dup_code_twice" if n == 2 else "read.dup_code_times") if by_code else \
                    ("read.dup_name_twice" if n == 2 else "read.dup_name_times")
                params.update(what=render(what, params), fix_code=what)
                report.add("error", "duplicate_area", params=params, row=int(lines[i]), column=None, area=names[i],
                           action="dropped")
        parts.append(valid)  # the values are taken from the block when the table is built
    inds = np.array([b.indicator for b in blocks], dtype=object)
    itu = np.array([cat.loc[i, "itu_code"] or None for i in inds], dtype=object)
    uni = np.array([cat.loc[i, "unit"] for i in inds], dtype=object)
    ctx.parsed.clear()  # the denominators stay in the blocks until each block is written
    b = pos = v = st = den = dst = text = valid = lines = names = k = d_idx = None  # noqa: F841

    def part(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Input row, numerator and denominator of block ``i``'s valid values."""
        b, idx = blocks[i], np.flatnonzero(parts[i])
        vv, dd = b.values[idx], b.den[idx]
        if b.kind == "count":
            num = vv
        elif b.kind == "percent":
            num = vv / 100.0 * dd
        else:
            num = vv * dd
        return b.pos[idx], num.astype("float64"), dd.astype("float64")

    def na_if_empty(values: np.ndarray) -> np.ndarray:
        out = values.astype(object)
        out[out == ""] = None
        return out

    # typed arrays built once per input row / per indicator, then taken (fast for 1M cells)
    row_cols = {"area_code": pd.array(na_if_empty(rows["area_code"].to_numpy()), dtype="string"),
                "area_name": pd.array(rows["area_name"].to_numpy(dtype=object), dtype="str"),
                "level": _Coded(rows["level"].to_numpy(dtype=object)),
                "parent": pd.array(na_if_empty(rows["parent"].to_numpy()), dtype="string")}
    # columns of a few distinct words (indicator, ITU code, universe, level, file name) are categorical:
    # one byte per row instead of a pointer (8 bytes) for millions of rows
    blk_cols = {"indicator": _Coded(inds), "itu_code": _Coded(itu), "universe": _Coded(uni)}
    src = _Coded(np.array([ctx.name], dtype=object))

    # rows in input row order, then indicator order, written straight to their place in the
    # district (1) or other-level (0) table, with no concatenation and sort of millions of entries:
    # a block's positions are increasing (np.flatnonzero / np.arange), so row r's entries go to
    # start[r], start[r] + 1... in block order; each block is freed once written
    count = np.zeros((2, len(row_lines)), dtype=np.int64)
    for b, valid in zip(blocks, parts):
        pb = b.pos[valid]
        count[is_district[pb].astype(np.int64), pb] += 1
    nxt = np.cumsum(count, axis=1) - count
    total = count.sum(axis=1)
    del count
    cols = [dict(pm=np.empty(t, dtype=np.int64), bm=np.empty(t, dtype=np.int64), num=np.empty(t),
                 den=np.empty(t)) for t in total]
    for b in range(len(parts)):
        pb, nb, db = part(b)
        blocks[b].release()  # written: its millions of values are freed before the next block
        k = is_district[pb]
        for d, sel in ((1, k), (0, ~k)):
            q = pb[sel]
            at = nxt[d, q]
            nxt[d, q] += 1
            c = cols[d]
            c["pm"][at], c["bm"][at], c["num"][at], c["den"][at] = q, b, nb[sel], db[sel]
        del pb, nb, db, k, q, at, sel
    del nxt

    def frame(c: dict) -> pd.DataFrame:
        pm, bm = c.pop("pm"), c.pop("bm")
        out = {k: v.take(pm) for k, v in row_cols.items()}
        out.update({k: v.take(bm) for k, v in blk_cols.items()})
        del bm
        # the file name in every row: taken with a 0-stride index (no array of zeros)
        out.update(numerator=c.pop("num"), denominator=c.pop("den"),
                   source=src.take(np.broadcast_to(np.intp(0), pm.shape)),
                   source_row=row_lines[pm].astype("int64", copy=False), _pos=pm)
        # columns in their final order, not consolidated into 2-D blocks: no copy of millions of cells
        return pd.DataFrame({c: out[c] for c in LONG_COLUMNS + ["_pos"]}, copy=False)

    data = frame(cols[1])
    other = frame(cols[0])
    return data, other


def _and_list(lines: np.ndarray, limit: int = 10) -> str:
    """``2, 4 and 6`` (the first ``limit`` lines, then ``...``).

    >>> _and_list(np.array([2, 4, 6]))
    '2, 4 and 6'
    """
    items = [str(int(x)) for x in lines[:limit]]
    if len(lines) > limit:
        return ", ".join(items) + "..."
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " " + render("read.and") + " " + items[-1]


def _identical_copies(rows: pd.DataFrame, blocks: list[Block]) -> np.ndarray:
    """Input rows that repeat an earlier row exactly: same area (key, name, level) and the same
    cells in every block (value, status, text, denominator), e.g. the copies a spatial join makes.

    >>> rows = pd.DataFrame({"key": ["a", "a", "a", "b"], "area_name": ["A", "A", "A", "B"],
    ...                      "level": ["d"] * 4, "no_name": [False] * 4})
    >>> b = Block("internet", "internet", "count", np.array([5.0, 5.0, 6.0, 1.0]), np.zeros(4, dtype=np.int8),
    ...           None, np.full(4, 10.0), np.zeros(4, dtype=np.int8), "households", np.arange(4))
    >>> _identical_copies(rows, [b]).tolist()
    [False, True, False, False]
    """
    n = len(rows)
    keys = rows["key"].to_numpy(dtype=object)
    if not n or not pd.Series(keys).duplicated().any():
        return np.zeros(n, dtype=bool)
    named = ~rows["no_name"].to_numpy()
    later = np.zeros(n, dtype=bool)  # not the first row of its area in some block
    differs = np.zeros(n, dtype=bool)  # ... and not identical to an earlier row there
    names, levels = rows["area_name"].to_numpy(dtype=object), rows["level"].to_numpy(dtype=object)
    for b in blocks:
        idx = np.flatnonzero(named[b.pos])
        p = b.pos[idx]
        f = pd.DataFrame({"k": keys[p], "n": names[p], "l": levels[p], "v": b.values[idx], "s": b.status[idx],
                          "d": b.den[idx], "ds": b.den_status[idx]})
        if b.text is not None:
            f["t"] = b.text.to_numpy(dtype=object)[idx]
        dup = f["k"].duplicated().to_numpy()
        if not dup.any():
            continue
        same = f.duplicated().to_numpy()
        later[p[dup]] = True
        differs[p[dup & ~same]] = True
    return later & ~differs


def _report_copies(ctx: _Context, rows: pd.DataFrame, is_copy: np.ndarray) -> None:
    """One note for every identical copy: how many, of which areas, which rows; the copies are dropped."""
    lines, names = rows["line"].to_numpy(), rows["area_name"].to_numpy(dtype=object)
    at = np.flatnonzero(is_copy)
    per_key = pd.Series(rows["key"].to_numpy(dtype=object)[at]).value_counts()
    k_top = per_key.index[0]
    top = np.flatnonzero(rows["key"].to_numpy(dtype=object) == k_top)
    ctx.report.set_fate(lines[at], "dropped")
    ctx.explained_rows.update(int(x) for x in lines[at])
    example = render("read.identical_example", {"name": repr(names[top[0]]), "n": len(top),
                                                "rows": _and_list(lines[top])})
    more = render("read.identical_more", {"n": len(per_key)}) if len(per_key) > 1 else ""
    ctx.report.add("info", "identical_rows", params={"n": len(at), "rows": _and_list(lines[at]),
                                                     "example": example, "more": more},
                   row=int(lines[at[0]]), area=str(names[at[0]]), action="dropped", rows=lines[at].tolist())


class _Coded:
    """Values of a column with few distinct words, taken into a categorical column (sorted categories).

    Examples
    --------
    >>> c = _Coded(np.array(["internet", "computer", None], dtype=object))
    >>> c.take(np.array([0, 0, 2, 1])).tolist()
    ['internet', 'internet', nan, 'computer']
    """

    def __init__(self, values: np.ndarray) -> None:
        codes, self.categories = pd.factorize(np.asarray(values, dtype=object), sort=True, use_na_sentinel=True)
        self.codes = codes.astype(np.int8 if len(self.categories) < 127 else np.int32)
        self.categories = pd.Index(self.categories, dtype="str")

    def take(self, idx: np.ndarray) -> pd.Categorical:
        # only the words present in these rows (value_counts() lists no word with 0 rows)
        return pd.Categorical.from_codes(self.codes[idx], categories=self.categories).remove_unused_categories()


def _record_fates(ctx: _Context, rows: pd.DataFrame, data: pd.DataFrame,
                  other: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    fate = np.full(len(rows), "dropped", dtype=object)
    fate[other["_pos"].to_numpy()] = "kept apart"
    fate[data["_pos"].to_numpy()] = "used"
    if ctx.den_rows.any():  # a denominator row shares the best fate of its area's rows
        rank = {"dropped": 0, "kept apart": 1, "used": 2}
        key = rows["key"].to_numpy()
        best: dict[str, str] = {}
        for k, f in zip(key[~ctx.den_rows], fate[~ctx.den_rows]):
            if rank[f] > rank[best.get(k, "dropped")]:
                best[k] = f
        for i in np.flatnonzero(ctx.den_rows):
            fate[i] = best.get(key[i], "dropped")
            if fate[i] == "dropped":
                ctx.report.add("warning", "row_dropped", params={"why": render("read.denominator_row_unused"),
                                                                 "fix_code": "read.denominator_row_unused"},
                               row=int(rows["line"].iat[i]), area=rows["area_name"].iat[i], action="dropped")
    lines = rows["line"].to_numpy()
    ctx.report.row_fate.update(zip(lines.tolist(), fate.tolist()))
    dropped = np.flatnonzero(fate == "dropped")
    covered = {i.row for i in ctx.report.issues if i.row is not None} | ctx.explained_rows
    for i in dropped:
        if int(lines[i]) not in covered:
            ctx.report.add("warning", "row_dropped", params={"why": render("read.no_usable_value"),
                                                             "fix_code": "read.no_usable_value"},
                           row=int(lines[i]), area=rows["area_name"].iat[i], action="dropped")
    return data.drop(columns="_pos"), other.drop(columns="_pos")
