"""Value blocks: the values of one indicator with their denominators, as counts, percentages or
shares (inferred per column, see :func:`_infer_kind`), from a wide or a long table.

Examples
--------
>>> import numpy as np
>>> _infer_kind(np.array([0.93, 0.97]), np.array([0, 0]), None, False, None)[:2]
('share', 'every value is between 0 and 1 and not whole')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..concepts import recognise as recognise_concept
from ..errors import InputError
from .context import _Context, _parsed_column
from .numbers import _BAD, _MISSING, _OK, _as_text, _decimals, _parse_numbers, _text
from .roles import Roles, catalogue, indicator_names, is_not_ict, recognise_indicator, variant_for_denominators
from .row_issues import report_rows


@dataclass
class Block:
    """The values of one indicator: per input row ``pos``, the parsed ``values`` and ``status``,
    their ``text`` (for rounding), the denominator ``den`` (``den_status``) of ``den_column``, and
    ``kind`` (``"count"``, ``"percent"`` or ``"share"``).

    Examples
    --------
    >>> b = Block("internet", "internet", "count", np.array([5.0]), np.array([0]), None, np.array([10.0]),
    ...           np.array([0]), "households", np.array([0]))
    >>> b.release(); b.values is None
    True
    """

    column: str
    indicator: str
    kind: str
    values: np.ndarray | None
    status: np.ndarray | None
    text: pd.Series | None
    den: np.ndarray | None
    den_status: np.ndarray | None
    den_column: str
    pos: np.ndarray | None

    def release(self) -> None:
        """Free the arrays once the block is written into the long table."""
        self.values = self.status = self.text = self.den = self.den_status = self.pos = None



class _KindChoice(NamedTuple):
    """How the values of a column are read: ``kind`` (``count``, ``percent``, ``share`` or
    ``count?``: counts, ambiguous), why, and, when the header and the values disagree, the
    ``conflict`` (said in a warning) and the ``other`` reading (the ``value_type=`` that restores it)."""

    kind: str
    reason: str
    conflict: str | None = None
    other: str | None = None


def _infer_kind(values: np.ndarray, status: np.ndarray, marker: str | None, pct_sign: bool,
                den: np.ndarray | None, text: pd.Series | None = None) -> _KindChoice:
    """Return how a column is read, following the module docstring rule, the reading that gives
    sensible figures when the header and the values disagree.

    ``marker``: what the header says (``percent``, ``share``, ``rate``, ``count`` or None);
    ``pct_sign``: the cells carry ``%``; ``text``: cells written with a decimal part (``10,0``) are
    not whole-number counts even when their values are whole. A ``%`` header over values within
    0-1 (largest above 0.5) is read as shares; a percent header over values mostly above 100, within
    the denominators, as counts; a share header over values mostly above 1 as percentages (or counts
    above 100); a count header over values with decimals within 0-100 as percentages. A few values
    beyond the header's range stay errors of their cells.

    Examples
    --------
    >>> ok = np.zeros(3, dtype=np.int8)
    >>> _infer_kind(np.array([0.93, 0.97, 0.88]), ok, "percent", False, None)[:2]
    ('share', 'the header says percent but every value lies within 0-1')
    >>> _infer_kind(np.array([45.5, 62.0, 80.1]), ok, "share", False, None).kind
    'percent'
    """
    v = values[status == _OK]
    vmax = float(np.nanmax(v)) if len(v) else 0.0
    whole = bool(np.all(np.abs(v - np.round(v)) < 1e-9)) if len(v) else True
    if whole and vmax <= 100 and text is not None:
        whole = _decimals(text[status == _OK], v) == 0
    d = den[~np.isnan(den)] if den is not None else np.zeros(0)
    big_den = bool(len(d)) and float(np.median(d)) > 100
    ok_den = den is not None and len(v) == len(values) and bool(np.all(values[status == _OK] <= den[status == _OK]
                                                                       * (1 + 1e-9)))
    if den is not None and len(v) != len(values):  # compare where both are known
        both = (status == _OK) & ~np.isnan(den)
        ok_den = bool(both.any()) and bool(np.all(values[both] <= den[both] * (1 + 1e-9)))
    mostly_above_100 = bool(len(v)) and float((v > 100).mean()) >= 0.5
    if pct_sign:
        return _KindChoice("percent", "the cells carry a percent sign")
    if marker == "percent":
        if len(v) and vmax <= 1 and not whole:
            if vmax > 0.5:
                return _KindChoice("share", "the header says percent but every value lies within 0-1",
                                   f"the header says percent but every value lies within 0-1 (largest {vmax:g}): "
                                   f"read as shares ({vmax:g} = {100 * vmax:g} %)", "percent")
            return _KindChoice("percent", "the header says percent",
                               f"the header says percent but every value lies within 0-1 (largest {vmax:g}): read as "
                               f"percentages (every value below 1 %), as the header says", "share")
        if mostly_above_100 and ok_den and big_den:
            return _KindChoice("count", "the header says percent but most values are above 100",
                               f"the header says percent but {int((v > 100).sum())} of {len(v)} values are above 100 "
                               "and none above its denominator: read as counts", "percent")
        return _KindChoice("percent", "the name carries a percent marker")
    if marker == "share":
        if vmax <= 100 and len(v) and float((v > 1).mean()) >= 0.5:  # one typo above 1 stays an error
            return _KindChoice("percent", "the header says share but values go above 1",
                               f"the header says share (0-1) but values go up to {vmax:g}: read as percentages "
                               "(0-100)", "share")
        if mostly_above_100 and ok_den:
            return _KindChoice("count", "the header says share but values go above 100",
                               f"the header says share (0-1) but values go up to {vmax:g}, none above its "
                               "denominator: read as counts", "share")
        return _KindChoice("share", "the name says share/proportion")
    if marker == "rate":
        if vmax <= 1:
            return _KindChoice("share", "rate name, every value <= 1")
        if mostly_above_100 and ok_den and big_den:
            return _KindChoice("count", "rate name but most values are above 100",
                               f"the header says rate but {int((v > 100).sum())} of {len(v)} values are above 100 "
                               "and none above its denominator: read as counts", "percent")
        return _KindChoice("percent", "rate name, values up to 100")
    if not whole and vmax <= 1:
        return _KindChoice("share", "every value is between 0 and 1 and not whole")
    if not whole and vmax <= 100:
        if marker == "count" and big_den:
            return _KindChoice("percent", "values with decimals within 0-100",
                               f"the header says a number (count) but the values have decimals and lie within 0-100 "
                               f"(largest {vmax:g}) while the denominators are larger: read as percentages", "count")
        return _KindChoice("percent", "every value is between 0 and 100 and not every value is a whole number")
    if marker == "count":
        return _KindChoice("count", "the header says a number (count)")
    if whole and len(v) and vmax <= 100 and big_den:
        return _KindChoice("count?", "whole numbers all <= 100 while the denominators are larger")
    if not whole and big_den:  # decimals above 100: percentages with a typo, or counts?
        n_over = int((v > 100).sum())
        if (v <= 100).mean() >= 0.75:
            return _KindChoice("count?", f"values with decimals, {len(v) - n_over} of {len(v)} <= 100 while the "
                                         f"denominators are larger: percentages with {n_over} value(s) above 100?")
    return _KindChoice("count", "whole numbers or values above 100")


_KIND_WORDS = {"count": "counts", "percent": "percentages (0-100)", "share": "shares (0-1)"}


def _fits(kind: str, values: np.ndarray, status: np.ndarray) -> bool:
    """Whether the values can be of this kind (shares within 0-1, percentages within 0-100)."""
    v = values[status == _OK]
    vmax = float(np.nanmax(v)) if len(v) else 0.0
    return kind == "count" or (kind == "percent" and vmax <= 100) or (kind == "share" and vmax <= 1)


def _choose_kind(ctx: _Context, what: str, col: str, values: np.ndarray, status: np.ndarray, marker: str | None,
                 pct_sign: bool, den: np.ndarray, text: pd.Series | None, dcol: str,
                 value_type: str | None) -> str:
    """The kind of a column (or of one indicator of a long table), reported: ``value_type=`` when
    given (unless the cells carry ``%``, or the header says another kind and the values fit it),
    else :func:`_infer_kind`; a conflict between header and values is a warning that says the
    reading chosen and the ``value_type=`` that gives the other one."""
    report = ctx.report
    if marker is None and recognise_concept(col).value_kind == "count":
        marker = "count"
    kind, reason, conflict, other = _infer_kind(values, status, marker, pct_sign, den, text)
    if value_type is not None and not pct_sign and (
            marker in (None, "rate", "count", value_type) or not _fits(marker, values, status)
            or value_type in (kind, other)):
        report.add("info", "value_type", f"{what} read as {value_type} of {dcol!r} (given by value_type=)",
                   column=col, action="given")
        return value_type
    if kind == "count?":
        report.add("warning", "ambiguous_value_type", f"{what}: {reason}; read as counts",
                   column=col, action="inferred", fix="pass value_type='percent' if they are percentages")
        return "count"
    if conflict:
        report.add("warning", "value_type_conflict", f"{what}: {conflict}", column=col, action="inferred",
                   fix=f"pass value_type='{other}' if they are {_KIND_WORDS[other]}")
        return kind
    report.add("info", "value_type", f"{what} read as {kind} of {dcol!r} ({reason})",
               column=col, action="inferred", fix="pass value_type= to override")
    return kind


def _wide_blocks(ctx: _Context, roles: Roles, rows: pd.DataFrame, dec: str,
                 value_type: str | None) -> tuple[list[Block], str]:
    raw, report = ctx.raw, ctx.report
    cat = catalogue().set_index("name")
    # parse denominators once per column and report their problems once per row
    den_parsed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    den_text: dict[str, pd.Series | None] = {}
    for col, _ in roles.denominators:
        text, vals, status, _ = _parsed_column(ctx, col, dec)
        den_text[col] = text
        den_parsed[col] = (vals, status)
    all_zero = np.ones(len(raw), dtype=bool)  # rows whose every indicator cell is 0 (or empty)

    def den_for(ind: str) -> str | None:
        return _denominator_for(ctx, roles, ind, cat.loc[ind, "unit"])

    per_ind: dict[str, list[Block]] = {}
    refused: list[tuple[str, str]] = []  # (column, indicator) without a denominator of its universe
    every_row = np.arange(len(raw))  # one array shared by the blocks
    for col, ind, marker in roles.indicator_columns:
        text, nums = _as_text(raw[col])
        vals, status, pct_sign = _parse_numbers(text, nums, dec)
        all_zero &= ((status == _OK) & (vals == 0)) | (status == _MISSING)
        dcol = den_for(ind)
        if dcol is None and roles.denominators:  # only denominators of the other universe: not read (warned)
            refused.append((col, ind))
            continue
        if dcol is None:
            raise InputError(f"no denominator column for indicator {ind!r} (column {col!r}) among "
                             f"{list(raw.columns)}", file=ctx.name, column=col,
                             fix="pass denominator='<column with the households or persons in scope>'")
        dvals, dstatus = den_parsed[dcol]
        kind = _choose_kind(ctx, f"column {col!r}", col, vals, status, marker, pct_sign, dvals, text, dcol, value_type)
        per_ind.setdefault(ind, []).append(Block(column=col, indicator=ind, kind=kind, values=vals, status=status,
                                                 text=text, den=dvals, den_status=dstatus, den_column=dcol,
                                                 pos=every_row))
    if not per_ind:
        _refuse_universes(ctx, roles, refused)
    if not roles.indicator_columns:
        all_zero[:] = False
    for col, _ in roles.denominators:  # once per row, after the indicators (an empty area is one note)
        _report_den(ctx, rows, col, *den_parsed[col], den_text[col], empty=all_zero)
    blocks = []
    order = {"count": 0, "percent": 1, "share": 2}
    for ind, cols in per_ind.items():
        cols.sort(key=lambda b: order[b.kind])
        primary = cols[0]
        for other in cols[1:]:
            if other.kind == primary.kind:
                report.add("warning", "duplicate_column", f"columns {primary.column!r} and {other.column!r} "
                           f"both give {ind!r} as {other.kind}; {other.column!r} ignored",
                           column=other.column, action="ignored",
                           fix=f"map the right one with columns={{{other.column!r}: 'ignore'}}")
            else:
                _cross_check(ctx, rows, primary, other)
        blocks.append(primary)
    kinds = [b.kind for b in blocks]
    vtype = max(sorted(set(kinds)), key=kinds.count)
    if len(set(kinds)) > 1:
        report.add("info", "value_type", f"mixed value types {dict((b.column, b.kind) for b in blocks)}; "
                   f"table labelled {vtype!r}", action="inferred")
    return blocks, vtype


def _denominator_for(ctx: _Context, roles: Roles, ind: str, uni: str) -> str | None:
    """Denominator column of an indicator: explicit, else the one counting the same universe
    (households/persons), else one whose universe is not said; else None (a household indicator is
    never divided by persons, nor a persons indicator by households: a warning says so)."""
    if ind in roles.den_map:
        return roles.den_map[ind]
    dens = roles.denominators
    if not dens:
        return None
    same = [c for c, u in dens if u == uni]
    if same:
        return same[0]
    unknown = [c for c, u in dens if u is None]
    if unknown:
        return unknown[0]
    cols = ", ".join(repr(c) for c, _ in dens)
    said = " and ".join(dict.fromkeys(str(u) for _, u in dens))
    ctx.report.add("warning", "universe_mismatch", f"indicator {ind!r} counts {uni} but the denominator column(s) "
                   f"{cols} count {said}: not read (a rate of {uni} is never computed over {said})", column=dens[0][0],
                   action="dropped", fix=f"pass denominator={{'{ind}': '<column of {uni}>'}}")
    return None


def _refuse_universes(ctx: _Context, roles: Roles, refused: list[tuple[str, str]]) -> None:
    """Every indicator lacks a denominator of its universe: an InputError naming them and the fix."""
    cat = catalogue().set_index("name")
    what = ", ".join(f"{ind!r} ({cat.loc[ind, 'unit']}, column {col!r})" for col, ind in refused)
    dens = ", ".join(f"{c!r} ({u})" for c, u in roles.denominators)
    ind, uni = refused[0][1], cat.loc[refused[0][1], "unit"]
    raise InputError(f"no denominator of the right universe: {what}; the table only has {dens}, and a rate of "
                     "households is never computed over persons (nor the reverse)", file=ctx.name, column=refused[0][0],
                     fix=f"add the column of {uni} and pass denominator={{'{ind}': '<column of {uni}>'}}")


def _report_den(ctx: _Context, rows: pd.DataFrame, col: str, vals: np.ndarray, status: np.ndarray,
                text: pd.Series | None, empty: np.ndarray | None = None) -> None:
    """Problems of a denominator column, per row (one line when they repeat). ``empty``: rows whose
    every indicator is 0 too; with a denominator of 0 they are empty areas (one note for all)."""
    report, lines, names = ctx.report, rows["line"].to_numpy(), rows["area_name"].to_numpy()
    miss = np.flatnonzero(status == _MISSING)
    report_rows(report, "warning", "missing_denominator", lines[miss], names[miss],
                "denominator is missing: every indicator of this row dropped", column=col, action="dropped",
                fix="fill in the denominator", explained=ctx.explained_rows)
    for i in np.flatnonzero(status == _BAD):
        cell = text.iat[i] if text is not None and str(text.iat[i]) != "" else f"{vals[i]:g}"
        report.add("error", "non_numeric", f"denominator cell {cell!r} is not a number", row=lines[i],
                   column=col, area=names[i], action="dropped", fix="write a number (e.g. 1234 or 1 234)")
    for i in np.flatnonzero((status == _OK) & (vals < 0)):
        report.add("error", "negative_value", f"denominator {vals[i]:g} is negative", row=lines[i], column=col,
                   area=names[i], action="dropped", fix="correct the count in the file")
    zero = (status == _OK) & (vals == 0)
    hollow = zero & (empty if empty is not None else np.zeros(len(zero), dtype=bool))
    if hollow.any():  # nobody and nothing: an empty area (a pseudo-area of a code list), not a faulty row
        at = np.flatnonzero(hollow)
        shown = ", ".join(f"{int(lines[i])} ({str(names[i])!r})" for i in at[:10]) + (", ..." if len(at) > 10 else "")
        report.add("info", "empty_area", f"{len(at)} row(s) with 0 in {col!r} and 0 in every indicator are empty "
                   f"areas (no households or persons, e.g. the pseudo-areas 'no usual address' or 'migratory' of a "
                   f"code list): left out, no rate; rows {shown}", row=int(lines[at[0]]), column=col, action="dropped",
                   fix="nothing to do; remove these rows from the table to silence this note",
                   rows=[int(lines[i]) for i in at])
        ctx.explained_rows.update(int(lines[i]) for i in at)
    at = np.flatnonzero(zero & ~hollow)
    report_rows(report, "warning", "zero_denominator", lines[at], names[at], "denominator is 0 but some indicator "
                "is not: no rate can be computed, every indicator of this row dropped" if empty is not None else
                "denominator is 0: no rate can be computed, every indicator of this row dropped", column=col,
                action="dropped", fix="check the count; an area with no households or persons can be left out "
                                      "of the table", explained=ctx.explained_rows)


def _cross_check(ctx: _Context, rows: pd.DataFrame, primary: dict, other: dict) -> None:
    """Check a percent/share column against the count column of the same indicator."""
    ok = (primary.status == _OK) & (other.status == _OK) & (primary.den_status == _OK) & \
        (primary.den > 0)
    scale = 100.0 if other.kind == "percent" else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share_p = primary.values / primary.den
        if primary.kind == "percent":
            share_p = primary.values / 100.0
        elif primary.kind == "share":
            share_p = primary.values
    d = _decimals(other.text, other.values)
    tol = 0.5 * 10.0 ** (-d) + 1e-6 * scale
    bad = ok & (np.abs(share_p * scale - other.values) > tol)
    report, lines, names = ctx.report, rows["line"].to_numpy(), rows["area_name"].to_numpy()
    for i in np.flatnonzero(bad):
        report.add("warning", "inconsistent_columns",
                   f"{other.column!r} = {other.values[i]:g} but {primary.column!r} / {primary.den_column!r}"
                   f" gives {share_p[i] * scale:.{d + 2}f}", row=lines[i], column=other.column, area=names[i],
                   action="kept", fix=f"check the file; {primary.column!r} is used")
    report.add("info", "cross_check", f"column {other.column!r} ({other.kind}) checked against "
               f"{primary.column!r}: {int(bad.sum())} disagreement(s) beyond rounding (±{tol:.3g}) "
               f"out of {int(ok.sum())} rows", column=other.column, action="checked")


def _long_blocks(ctx: _Context, roles: Roles, rows: pd.DataFrame, dec: str, value_type: str | None,
                 columns: dict[str, str]) -> tuple[list[Block], str]:
    raw, report = ctx.raw, ctx.report
    cat = catalogue().set_index("name")
    ind_col, val_col = roles.indicator_column, roles.value_column
    labels = _text(raw[ind_col]).str.strip()
    lut: dict[str, tuple[str | None, str | None]] = {}
    val_marker = recognise_indicator(val_col).kind
    for lab in pd.unique(labels):
        if lab in columns:
            ind = None if columns[lab] == "ignore" else columns[lab]
            lut[lab] = (ind, recognise_indicator(lab).kind)
            continue
        m = recognise_indicator(lab)
        ind = None if m.indicator is None else variant_for_denominators(m.indicator, lab, roles, report, ind_col)
        lut[lab] = (ind if m.breakdown is None else None, m.kind)
    ind_of = labels.map(lambda x: lut[x][0])
    unknown = ind_of.isna().to_numpy() & ~ctx.den_rows  # denominator rows are not indicators
    known = ind_of.notna().to_numpy()
    lines = rows["line"].to_numpy()
    for lab in pd.unique(labels[unknown]):
        where = np.flatnonzero((labels == lab).to_numpy())
        ctx.explained_rows.update(int(x) for x in lines[where])
        severity, why = ("info", "not an ICT indicator") if is_not_ict(lab) or lab in columns else \
            ("warning", "not a recognised indicator")
        report.add(severity, "unknown_indicator", f"indicator {lab!r} is {why}: {len(where)} row(s) dropped "
                   f"(rows {', '.join(map(str, lines[where][:10]))}{'...' if len(where) > 10 else ''})",
                   row=int(lines[where[0]]), column=ind_col, action="dropped",
                   fix=f"map it with columns={{{lab!r}: '<indicator>'}}; indicators: {', '.join(indicator_names())}")
    text, nums = _as_text(raw[val_col])
    vals, status, pct_sign = _parse_numbers(text, nums, dec)
    if not roles.denominators:  # rows labelled 'households' would have become one (_denominator_rows)
        raise InputError(f"no denominator column among {list(raw.columns)}", file=ctx.name,
                         fix="add a column with the households or persons in scope and pass denominator='<column>', "
                             f"or rows labelled 'households' or 'population' in column {ind_col!r}")
    den_parsed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for dcol, _ in roles.denominators:
        den_parsed[dcol] = _parsed_column(ctx, dcol, dec)[1:3]
    reported_den: set[str] = set()
    refused: list[tuple[str, str]] = []
    blocks, kinds = [], []
    for ind in pd.unique(ind_of[known]):
        pos = np.flatnonzero((ind_of == ind).to_numpy())
        dcol = _denominator_for(ctx, roles, ind, cat.loc[ind, "unit"])
        if dcol is None:  # only denominators of the other universe: not read (warned)
            refused.append((ind_col, ind))
            ctx.explained_rows.update(int(x) for x in lines[pos])
            continue
        dvals, dstatus = den_parsed[dcol]
        if dcol not in reported_den:  # report denominator problems once per row
            reported_den.add(dcol)
            _report_den(ctx, rows, dcol, dvals, dstatus, _parsed_column(ctx, dcol, dec)[0])
        marker = next((lut[lab][1] for lab in pd.unique(labels.iloc[pos]) if lut[lab][1]), None) or val_marker
        # a '%' in the cells of this indicator (not of another one sharing the value column)
        pct_b = pct_sign and text is not None and bool(text.iloc[pos].str.contains("%", regex=False).any())
        kind = _choose_kind(ctx, f"indicator {ind!r}", val_col, vals[pos], status[pos], marker, pct_b, dvals[pos],
                            None if text is None else text.iloc[pos], dcol, value_type)
        kinds.append(kind)
        blocks.append(Block(column=val_col, indicator=ind, kind=kind, values=vals[pos], status=status[pos],
                            text=None if text is None else text.iloc[pos], den=dvals[pos], den_status=dstatus[pos],
                            den_column=dcol, pos=pos))
    if not blocks and refused:
        _refuse_universes(ctx, roles, refused)
    if not blocks:
        raise InputError(f"no row of column {ind_col!r} names a catalogue indicator "
                         f"(found {list(pd.unique(labels))[:10]})", file=ctx.name, column=ind_col,
                         fix="map the labels with columns={'<label>': '<indicator>'}; indicators: "
                             + ", ".join(indicator_names()))
    vtype = max(sorted(set(kinds)), key=kinds.count)
    return blocks, vtype
