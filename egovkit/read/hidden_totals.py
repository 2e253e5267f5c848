"""District rows that are totals under another name (the territory's own name, a country's name
above its regions, a code ``00``): found by their sizes (the sum of the other rows) and kept apart.

Examples
--------
>>> _of_countries(2, 28), len(_HiddenTotals().hidden)
(False, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..shared.messages import render
from .area_keys import area_keys
from .blocks import Block
from .context import _Context
from .numbers import _OK, _decimals
from .total_names import _country_names, _of_countries


@dataclass
class _HiddenTotals:
    """District rows that are totals under another name (:func:`_find_hidden_totals`)."""

    hidden: set = field(default_factory=set)  # keys kept apart
    votes: dict = field(default_factory=dict)  # key -> columns where the row is the sum of the others
    against: dict = field(default_factory=dict)  # key -> complete columns where it is the largest but not the sum
    n_others: dict = field(default_factory=dict)  # key -> number of other district rows
    row: dict = field(default_factory=dict)  # key -> its input row (position)
    countries: set = field(default_factory=set)  # keys of rows named like a country, as large as the rest
    unsized: set = field(default_factory=set)  # of those, rows of published rates (first row, no size to compare)
    zero_code: set = field(default_factory=set)  # keys of the one row of an all-zero code (00, 000)
    at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # input rows kept apart


def _find_hidden_totals(rows: pd.DataFrame, blocks: list[Block]) -> _HiddenTotals:
    """Find the district rows :func:`_hidden_totals` keeps apart: a district row that is the total
    of the others under another name (the territory's own name, ``Lyon`` above its arrondissements,
    ``Brasil`` above its states). Run on the parsed blocks before the long table is built, so that
    they can be freed first.

    Every denominator column and every indicator column that is complete (a valid value in every
    district row, whatever was dropped later) is checked: the row holding the largest value is a
    total when that value is the sum of the other rows (within 0.5 %, or within the rounding of the
    rates shown) in two such columns, or in the only one there is (four district rows at least).
    Dropped cells only remove their column from the vote, so a
    dropped cell in one indicator does not hide the total. A row named like a country (the
    table's territory among its districts) whose denominator is at least 90 % of the other rows'
    sum is a total too. A row that is the sum of the others in some column only is a possible
    total: a warning names it, and it stays a district."""
    found = _HiddenTotals()
    is_d = rows["is_district"].to_numpy() & ~rows["no_name"].to_numpy()
    has_value = np.zeros(len(rows), dtype=bool)  # a row without any figure is no district to sum
    for b in blocks:
        has_value[b.pos] |= (b.status == _OK) | (b.den_status == _OK)
    is_d &= has_value
    keys = rows["key"].to_numpy()
    n_complete = 0
    seen_den: set[str] = set()
    first_den: tuple[np.ndarray, np.ndarray] | None = None
    for b in blocks:
        sel = is_d[b.pos]
        p = b.pos[sel]
        den, den_ok = b.den[sel], (b.den_status[sel] == _OK) & (b.den[sel] >= 0)
        if first_den is None:
            first_den = (p, np.where(den_ok, den, np.nan))
        if len(p) < 4:  # with 2 or 3 districts a sum is too easily a coincidence
            continue
        checks = []
        if b.den_column not in seen_den:
            seen_den.add(b.den_column)
            checks.append((repr(b.den_column), den, den_ok, 0.0))
        v, ok = b.values[sel], (b.status[sel] == _OK) & (b.values[sel] >= 0)
        label = repr(b.column) if sum(x.column == b.column for x in blocks) == 1 else b.indicator
        if b.kind == "count":
            checks.append((label, v, ok, 0.0))
        else:  # rates become counts (rate x denominator), known within the rounding of the rate shown
            scale = 100.0 if b.kind == "percent" else 1.0
            half = 0.5 * 10.0 ** -_decimals(b.text, b.values) / scale
            checks.append((label, v / scale * den, ok & den_ok, float(np.nansum(den)) * half))
        for label, vals, good, err in checks:
            if not good.all() or not (vals > 0).any():  # a district without a value, or nothing but 0s:
                continue  # the sum proves nothing either way
            n_complete += 1
            i = int(np.argmax(vals))
            top, rest = float(vals[i]), float(vals.sum() - vals[i])
            key = keys[p[i]]
            found.n_others[key] = len(p) - 1
            found.row.setdefault(key, int(p[i]))
            if rest > 0 and abs(top - rest) <= max(0.005 * rest, err):
                found.votes.setdefault(key, []).append(label)
            else:
                found.against.setdefault(key, []).append(label)
    for k, labels in found.votes.items():
        if len(labels) >= min(2, n_complete):
            found.hidden.add(k)
    # a country's name among districts (not a table of countries), as large as the other rows together
    norm = area_keys(rows["area_name"]).to_numpy(dtype=object)
    country = is_d & pd.Series(norm).isin(_country_names()).to_numpy()
    from .stacked import RATE_ONLY

    rates_only = bool(blocks) and all(b.den_column == RATE_ONLY for b in blocks)
    if country.any() and _of_countries(int(country.sum()), int(is_d.sum())):
        country[:] = False
    # an all-zero code (00, 000: 'national' in many code lists) beside codes of sub-national areas
    codes = rows["area_code"].astype(str).str.strip()
    zero = is_d & codes.str.fullmatch(r"0+").to_numpy() & (int((is_d & (codes != "").to_numpy()).sum()) >= 3)
    zero &= int(zero.sum()) == 1
    found.zero_code = {keys[i] for i in np.flatnonzero(zero)}
    country |= zero
    if country.any() and first_den is not None:
        p, den = first_den
        for j in np.flatnonzero(country[p]):
            rest = np.nansum(np.delete(den, j))
            # published rates have no size: the country's name on the first district row is the territory's,
            # and so is the one row of an all-zero code wherever it stands
            first = rates_only and len(p) >= 2 and (
                (j == 0 and int(country[p].sum()) == 1) or keys[p[j]] in found.zero_code)
            if first or (not rates_only and np.isfinite(den[j]) and rest > 0 and den[j] >= 0.9 * rest):
                found.countries.add(keys[p[j]])
                found.n_others[keys[p[j]]] = len(p) - 1
                found.row.setdefault(keys[p[j]], int(p[j]))
                if first:
                    found.unsized.add(keys[p[j]])
    out = found.hidden | found.countries
    if out:
        found.at = np.flatnonzero(is_d & pd.Series(keys).isin(out).to_numpy())
    return found


def _hidden_totals(ctx: _Context, rows: pd.DataFrame, found: _HiddenTotals, data: pd.DataFrame,
                   other: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep apart the rows found by :func:`_find_hidden_totals` (level 'national'): a note for a row
    named like the country, a warning for a total under another name; a warning for a possible
    total that stays a district."""
    lines, names = rows["line"].to_numpy(), rows["area_name"].to_numpy()
    for k, labels in found.votes.items():
        if k in found.hidden or k in found.countries:
            continue
        p = found.row[k]
        against = ", ".join(dict.fromkeys(found.against.get(k, []))) or render("read.other_complete_columns")
        ctx.report.add("warning", "possible_total", params={
            "name": names[p], "line": int(lines[p]), "n": found.n_others[k],
            "columns": ", ".join(dict.fromkeys(labels)), "against": against},
            row=int(lines[p]), area=names[p], action="used")
    if not len(found.at):
        return data, other
    at = found.at
    for k in sorted(found.hidden | found.countries, key=lambda k: found.row[k]):
        p = found.row[k]
        if k in found.countries:
            also = render("read.total_also_sum", {"columns": ", ".join(dict.fromkeys(found.votes[k]))}) \
                if k in found.votes else ""
            size = render("read.total_first_of_rates", {"n": found.n_others[k] + 1}) if k in found.unsized else \
                render("read.total_as_large", {"n": found.n_others[k], "also": also})
            what = render("read.total_zero_code" if k in found.zero_code else "read.total_country_name")
            ctx.report.add("info", "country_total", params={
                "name": names[p], "line": int(lines[p]), "what": what, "size": size,
                "checked": "" if k in found.unsized else render("read.total_and_checked")},
                row=int(lines[p]), area=names[p], action="kept apart")
            continue
        ctx.report.add("warning", "looks_like_total", params={
            "name": names[p], "line": int(lines[p]), "n": found.n_others[k],
            "columns": ", ".join(dict.fromkeys(found.votes[k]))}, row=int(lines[p]), area=names[p],
            action="kept apart")
    rows.loc[rows.index[at], "is_district"] = False
    rows.loc[rows.index[at], "is_total"] = True
    move = data["_pos"].isin(at).to_numpy()
    if not move.any():
        return data, other
    moved = data[move].copy()
    moved["level"] = pd.array(["national"] * len(moved), dtype="str")
    moved["parent"] = pd.array([pd.NA] * len(moved), dtype="string")
    return data[~move].reset_index(drop=True), pd.concat([other, moved]).sort_values("_pos", kind="stable") \
        .reset_index(drop=True)
