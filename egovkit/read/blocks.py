"""Value blocks: the values of one indicator with their denominators, as counts, percentages or
shares (inferred per column, see :func:`_infer_kind`), from a wide or a long table.

Examples
--------
>>> import numpy as np
>>> _infer_kind(np.array([0.93, 0.97]), np.array([0, 0]), None, False, None)
('share', 'every value is between 0 and 1 and not whole')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from .context import _Context, _parsed_column
from .numbers import _BAD, _MISSING, _OK, _as_text, _decimals, _parse_numbers, _text
from .roles import Roles, catalogue, indicator_names, is_not_ict, recognise_indicator, variant_for_denominators


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



def _infer_kind(values: np.ndarray, status: np.ndarray, marker: str | None, pct_sign: bool,
                den: np.ndarray | None, text: pd.Series | None = None) -> tuple[str, str]:
    """Return (kind, reason) following the module docstring rule.

    ``text``: cells written with a decimal part (``10,0``) are not whole-number counts even
    when their values are whole.
    """
    v = values[status == _OK]
    vmax = float(np.nanmax(v)) if len(v) else 0.0
    whole = bool(np.all(np.abs(v - np.round(v)) < 1e-9)) if len(v) else True
    if whole and vmax <= 100 and text is not None:
        whole = _decimals(text[status == _OK], v) == 0
    if marker == "percent" or pct_sign:
        return "percent", "the name or the cells carry a percent marker"
    if marker == "share":
        return "share", "the name says share/proportion"
    if marker == "rate":
        return ("share", "rate name, every value <= 1") if vmax <= 1 else ("percent", "rate name, values up to 100")
    if not whole and vmax <= 1:
        return "share", "every value is between 0 and 1 and not whole"
    if not whole and vmax <= 100:
        return "percent", "every value is between 0 and 100 and not every value is a whole number"
    if whole and len(v) and vmax <= 100 and den is not None:
        d = den[~np.isnan(den)]
        if len(d) and np.median(d) > 100:
            return "count?", "whole numbers all <= 100 while the denominators are larger"
    if not whole and den is not None:  # decimals above 100: percentages with a typo, or counts?
        d = den[~np.isnan(den)]
        n_over = int((v > 100).sum())
        if len(d) and np.median(d) > 100 and (v <= 100).mean() >= 0.75:
            return "count?", (f"values with decimals, {len(v) - n_over} of {len(v)} <= 100 while the denominators "
                              f"are larger: percentages with {n_over} value(s) above 100?")
    return "count", "whole numbers or values above 100"


def _wide_blocks(ctx: _Context, roles: Roles, rows: pd.DataFrame, dec: str,
                 value_type: str | None) -> tuple[list[Block], str]:
    raw, report = ctx.raw, ctx.report
    cat = catalogue().set_index("name")
    # parse denominators once per column and report their problems once per row
    den_parsed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for col, _ in roles.denominators:
        text, vals, status, _ = _parsed_column(ctx, col, dec)
        _report_den(ctx, rows, col, vals, status, text)
        den_parsed[col] = (vals, status)

    def den_for(ind: str) -> str | None:
        return _denominator_for(ctx, roles, ind, cat.loc[ind, "unit"])

    per_ind: dict[str, list[Block]] = {}
    every_row = np.arange(len(raw))  # one array shared by the blocks
    for col, ind, marker in roles.indicator_columns:
        text, nums = _as_text(raw[col])
        vals, status, pct_sign = _parse_numbers(text, nums, dec)
        dcol = den_for(ind)
        if dcol is None:
            raise InputError(f"no denominator column for indicator {ind!r} (column {col!r}) among "
                             f"{list(raw.columns)}", file=ctx.name, column=col,
                             fix="pass denominator='<column with the households or persons in scope>'")
        dvals, dstatus = den_parsed[dcol]
        if value_type is not None and marker not in ("percent", "share") and not pct_sign:
            kind, reason = value_type, "given by value_type="
            report.add("info", "value_type", f"column {col!r} read as {kind} of {dcol!r} ({reason})",
                       column=col, action="given")
        else:  # a percent/share marker in the header or the cells wins over value_type=
            kind, reason = _infer_kind(vals, status, marker, pct_sign, dvals, text)
            if kind == "count?":
                kind = "count"
                report.add("warning", "ambiguous_value_type", f"column {col!r}: {reason}; read as counts",
                           column=col, action="inferred", fix="pass value_type='percent' if they are percentages")
            else:
                report.add("info", "value_type", f"column {col!r} read as {kind} of {dcol!r} ({reason})",
                           column=col, action="inferred", fix="pass value_type= to override")
        per_ind.setdefault(ind, []).append(Block(column=col, indicator=ind, kind=kind, values=vals, status=status,
                                                 text=text, den=dvals, den_status=dstatus, den_column=dcol,
                                                 pos=every_row))
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
    (households/persons), else one whose universe is not said, else the first (with a warning)."""
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
    col = dens[0][0]
    ctx.report.add("warning", "universe_mismatch", f"indicator {ind!r} counts {uni} but the only denominator "
                   f"column {col!r} counts {dens[0][1]}", column=col, action="kept",
                   fix=f"pass denominator={{'{ind}': '<column of {uni}>'}}")
    return col


def _report_den(ctx: _Context, rows: pd.DataFrame, col: str, vals: np.ndarray, status: np.ndarray,
                text: pd.Series | None) -> None:
    report, lines, names = ctx.report, rows["line"].to_numpy(), rows["area_name"].to_numpy()
    for i in np.flatnonzero(status == _MISSING):
        report.add("warning", "missing_denominator", "denominator is missing: every indicator of this row dropped",
                   row=lines[i], column=col, area=names[i], action="dropped", fix="fill in the denominator")
    for i in np.flatnonzero(status == _BAD):
        cell = text.iat[i] if text is not None and str(text.iat[i]) != "" else f"{vals[i]:g}"
        report.add("error", "non_numeric", f"denominator cell {cell!r} is not a number", row=lines[i],
                   column=col, area=names[i], action="dropped", fix="write a number (e.g. 1234 or 1 234)")
    for i in np.flatnonzero((status == _OK) & (vals < 0)):
        report.add("error", "negative_value", f"denominator {vals[i]:g} is negative", row=lines[i], column=col,
                   area=names[i], action="dropped", fix="correct the count in the file")
    for i in np.flatnonzero((status == _OK) & (vals == 0)):
        report.add("warning", "zero_denominator", "denominator is 0: no rate can be computed, every indicator of "
                   "this row dropped", row=lines[i], column=col, area=names[i], action="dropped",
                   fix="check the count; an area with no households or persons can be left out of the table")


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
    blocks, kinds = [], []
    for ind in pd.unique(ind_of[known]):
        pos = np.flatnonzero((ind_of == ind).to_numpy())
        dcol = _denominator_for(ctx, roles, ind, cat.loc[ind, "unit"])
        dvals, dstatus = den_parsed[dcol]
        if dcol not in reported_den:  # report denominator problems once per row
            reported_den.add(dcol)
            _report_den(ctx, rows, dcol, dvals, dstatus, _parsed_column(ctx, dcol, dec)[0])
        marker = next((lut[lab][1] for lab in pd.unique(labels.iloc[pos]) if lut[lab][1]), None) or val_marker
        # a '%' in the cells of this indicator (not of another one sharing the value column)
        pct_b = pct_sign and text is not None and bool(text.iloc[pos].str.contains("%", regex=False).any())
        if value_type is not None and marker not in ("percent", "share") and not pct_b:
            kind = value_type
        else:
            kind, reason = _infer_kind(vals[pos], status[pos], marker, pct_b, dvals[pos],
                                       None if text is None else text.iloc[pos])
            if kind == "count?":
                kind = "count"
                report.add("warning", "ambiguous_value_type", f"indicator {ind!r}: {reason}; read as counts",
                           column=val_col, action="inferred", fix="pass value_type='percent' if they are percentages")
            else:
                report.add("info", "value_type", f"indicator {ind!r} read as {kind} of {dcol!r} ({reason})",
                           column=val_col, action="inferred", fix="pass value_type= to override")
        kinds.append(kind)
        blocks.append(Block(column=val_col, indicator=ind, kind=kind, values=vals[pos], status=status[pos],
                            text=None if text is None else text.iloc[pos], den=dvals[pos], den_status=dstatus[pos],
                            den_column=dcol, pos=pos))
    if not blocks:
        raise InputError(f"no row of column {ind_col!r} names a catalogue indicator "
                         f"(found {list(pd.unique(labels))[:10]})", file=ctx.name, column=ind_col,
                         fix="map the labels with columns={'<label>': '<indicator>'}; indicators: "
                             + ", ".join(indicator_names()))
    vtype = max(sorted(set(kinds)), key=kinds.count)
    return blocks, vtype
