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
from ..shared.messages import render
from .context import _Context, _parsed_column
from .numbers import _BAD, _MISSING, _OK, _as_text, _decimals, _parse_numbers, _text
from .roles import Roles, catalogue, indicator_names, is_not_ict, recognise_indicator, variant_for_denominators
from .row_issues import report_rows
from .universe import universe_word


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
    n_over = int((v > 100).sum())
    said = {"vmax": vmax, "pct": 100 * vmax, "n_over": n_over, "n": len(v), "n_under": len(v) - n_over}

    def choice(kind: str, reason: str, conflict: str | None = None, other: str | None = None) -> _KindChoice:
        """The choice, its reason and conflict said from the catalogue (codes ``read.why_*``, ``read.conflict_*``)."""
        return _KindChoice(kind, render(reason, said), None if conflict is None else render(conflict, said), other)

    if pct_sign:
        return choice("percent", "read.why_percent_sign")
    if marker == "percent":
        if len(v) and vmax <= 1 and not whole:
            if vmax > 0.5:
                return choice("share", "read.why_percent_header_within_1", "read.conflict_percent_as_shares",
                              "percent")
            return choice("percent", "read.why_percent_header", "read.conflict_percent_below_1", "share")
        if mostly_above_100 and ok_den and big_den:
            return choice("count", "read.why_percent_header_above_100", "read.conflict_percent_as_counts", "percent")
        return choice("percent", "read.why_percent_marker")
    if marker == "share":
        if vmax <= 100 and len(v) and float((v > 1).mean()) >= 0.5:  # one typo above 1 stays an error
            return choice("percent", "read.why_share_header_above_1", "read.conflict_share_as_percent", "share")
        if mostly_above_100 and ok_den:
            return choice("count", "read.why_share_header_above_100", "read.conflict_share_as_counts", "share")
        return choice("share", "read.why_share_name")
    if marker == "rate":
        if vmax <= 1:
            return choice("share", "read.why_rate_within_1")
        if mostly_above_100 and ok_den and big_den:
            return choice("count", "read.why_rate_above_100", "read.conflict_rate_as_counts", "percent")
        return choice("percent", "read.why_rate_within_100")
    if not whole and vmax <= 1:
        return choice("share", "read.why_within_1")
    if not whole and vmax <= 100:
        if marker == "count" and big_den:
            return choice("percent", "read.why_decimals_within_100", "read.conflict_count_as_percent", "count")
        return choice("percent", "read.why_within_100")
    if marker == "count":
        return choice("count", "read.why_count_header")
    if whole and len(v) and vmax <= 100 and big_den:
        return choice("count?", "read.why_small_whole_numbers")
    if not whole and big_den:  # decimals above 100: percentages with a typo, or counts?
        if (v <= 100).mean() >= 0.75:
            return choice("count?", "read.why_percent_with_typos")
    return choice("count", "read.why_whole_or_above_100")


#: the fix of a conflict, per reading that ``value_type=`` restores
_KIND_FIX = {"count": "read.value_type_counts", "percent": "read.value_type_percent", "share": "read.value_type_share"}


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
        report.add("info", "value_type", params={"what": what, "kind": value_type, "rest": render("read.of_den", {
            "dcol": dcol, "reason": render("read.given_by_value_type")})},
                   column=col, action="given")
        return value_type
    if kind == "count?":
        report.add("warning", "ambiguous_value_type", params={"what": what, "reason": reason},
                   column=col, action="inferred")
        return "count"
    if conflict:
        report.add("warning", "value_type_conflict", params={"what": what, "conflict": conflict,
                                                             "fix_code": _KIND_FIX[other]},
                   column=col, action="inferred")
        return kind
    report.add("info", "value_type", params={"what": what, "kind": kind,
                                             "rest": render("read.of_den", {"dcol": dcol, "reason": reason}),
                                             "fix_code": "read.value_type_override"},
               column=col, action="inferred")
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
            raise InputError(code="read.no_denominator_for", params={"indicator": ind, "column": col,
                                                                     "columns": str(list(raw.columns))},
                             file=ctx.name, column=col)
        dvals, dstatus = den_parsed[dcol]
        what = render("read.what_column", {"column": col})
        kind = _choose_kind(ctx, what, col, vals, status, marker, pct_sign, dvals, text, dcol, value_type)
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
                report.add("warning", "duplicate_column", params={"first": primary.column, "other": other.column,
                                                                  "indicator": ind, "kind": other.kind},
                           column=other.column, action="ignored")
            else:
                _cross_check(ctx, rows, primary, other)
        blocks.append(primary)
    kinds = [b.kind for b in blocks]
    vtype = max(sorted(set(kinds)), key=kinds.count)
    if len(set(kinds)) > 1:
        report.add("info", "read.mixed_value_types",
                   params={"kinds": str(dict((b.column, b.kind) for b in blocks)), "vtype": vtype}, action="inferred")
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
    said = f" {render('read.and')} ".join(dict.fromkeys(universe_word(str(u)) for _, u in dens))
    ctx.report.add("warning", "universe_mismatch",
                   params={"indicator": ind, "uni": universe_word(uni), "cols": cols, "said": said},
                   column=dens[0][0], action="dropped")
    return None


def _refuse_universes(ctx: _Context, roles: Roles, refused: list[tuple[str, str]]) -> None:
    """Every indicator lacks a denominator of its universe: an InputError naming them and the fix."""
    cat = catalogue().set_index("name")
    what = ", ".join(render("read.refused_indicator", {"indicator": ind, "uni": universe_word(cat.loc[ind, "unit"]),
                                                      "column": col})
                     for col, ind in refused)
    dens = ", ".join(f"{c!r} ({u})" for c, u in roles.denominators)
    ind, uni = refused[0][1], cat.loc[refused[0][1], "unit"]
    raise InputError(code="read.no_denominator_of_universe", params={"what": what, "dens": dens, "indicator": ind,
                                                                    "uni": universe_word(uni)},
                     file=ctx.name, column=refused[0][0])


def _report_den(ctx: _Context, rows: pd.DataFrame, col: str, vals: np.ndarray, status: np.ndarray,
                text: pd.Series | None, empty: np.ndarray | None = None) -> None:
    """Problems of a denominator column, per row (one line when they repeat). ``empty``: rows whose
    every indicator is 0 too; with a denominator of 0 they are empty areas (one note for all)."""
    report, lines, names = ctx.report, rows["line"].to_numpy(), rows["area_name"].to_numpy()
    miss = np.flatnonzero(status == _MISSING)
    report_rows(report, "warning", "missing_denominator", lines[miss], names[miss], column=col, action="dropped",
                explained=ctx.explained_rows)
    for i in np.flatnonzero(status == _BAD):
        cell = text.iat[i] if text is not None and str(text.iat[i]) != "" else f"{vals[i]:g}"
        report.add("error", "non_numeric", params={"cell": render("read.denominator_cell", {"cell": repr(cell)}),
                                                   "fix_code": "read.write_a_count"},
                   row=lines[i], column=col, area=names[i], action="dropped")
    for i in np.flatnonzero((status == _OK) & (vals < 0)):
        report.add("error", "negative_value", params={"value": f"{vals[i]:g}", "fix_code": "read.correct_the_count"},
                   row=lines[i], column=col, area=names[i], action="dropped")
    zero = (status == _OK) & (vals == 0)
    hollow = zero & (empty if empty is not None else np.zeros(len(zero), dtype=bool))
    if hollow.any():  # nobody and nothing: an empty area (a pseudo-area of a code list), not a faulty row
        at = np.flatnonzero(hollow)
        shown = ", ".join(f"{int(lines[i])} ({str(names[i])!r})" for i in at[:10]) + (", ..." if len(at) > 10 else "")
        report.add("info", "empty_area", params={"n": len(at), "column": col, "rows": shown},
                   row=int(lines[at[0]]), column=col, action="dropped", rows=[int(lines[i]) for i in at])
        ctx.explained_rows.update(int(lines[i]) for i in at)
    at = np.flatnonzero(zero & ~hollow)
    report_rows(report, "warning", "zero_denominator", lines[at], names[at],
                {"but": render("read.but_some_indicator_not") if empty is not None else ""}, column=col,
                action="dropped", explained=ctx.explained_rows)


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
                   params={"column": other.column, "value": float(other.values[i]), "primary": primary.column,
                           "den_column": primary.den_column, "gives": f"{share_p[i] * scale:.{d + 2}f}"},
                   row=lines[i], column=other.column, area=names[i], action="kept")
    report.add("info", "cross_check", params={"column": other.column, "kind": other.kind, "primary": primary.column,
                                              "n_bad": int(bad.sum()), "tol": f"{tol:.3g}", "n": int(ok.sum())},
               column=other.column, action="checked")


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
        severity, why = ("info", "read.why_not_ict") if is_not_ict(lab) or lab in columns else \
            ("warning", "read.why_not_recognised")
        report.add(severity, "unknown_indicator",
                   params={"label": lab, "why": render(why), "n": len(where),
                           "rows": ", ".join(map(str, lines[where][:10])) + ("..." if len(where) > 10 else ""),
                           "indicators": ", ".join(indicator_names()), "fix_code": "read.map_the_label"},
                   row=int(lines[where[0]]), column=ind_col, action="dropped")
    text, nums = _as_text(raw[val_col])
    vals, status, pct_sign = _parse_numbers(text, nums, dec)
    if not roles.denominators:  # rows labelled 'households' would have become one (_denominator_rows)
        raise InputError(code="read.no_denominator_column", params={"columns": str(list(raw.columns)),
                                                                    "ind_col": ind_col}, file=ctx.name)
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
        what = render("read.what_indicator", {"indicator": ind})
        kind = _choose_kind(ctx, what, val_col, vals[pos], status[pos], marker, pct_b, dvals[pos],
                            None if text is None else text.iloc[pos], dcol, value_type)
        kinds.append(kind)
        blocks.append(Block(column=val_col, indicator=ind, kind=kind, values=vals[pos], status=status[pos],
                            text=None if text is None else text.iloc[pos], den=dvals[pos], den_status=dstatus[pos],
                            den_column=dcol, pos=pos))
    if not blocks and refused:
        _refuse_universes(ctx, roles, refused)
    if not blocks:
        raise InputError(code="read.no_indicator_row", params={"column": ind_col,
                                                               "found": str(list(pd.unique(labels))[:10]),
                                                               "indicators": ", ".join(indicator_names())},
                         file=ctx.name, column=ind_col)
    vtype = max(sorted(set(kinds)), key=kinds.count)
    return blocks, vtype
