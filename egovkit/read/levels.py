"""Levels and totals: which rows are districts, which are totals or higher levels (kept apart).

Totals rows are recognised by name, word-based, case- and accent-insensitive
(:func:`total_kind`); rows that are parents of other rows (:func:`_parent_rows`) and district
rows that equal the sum of the others (:func:`_find_hidden_totals`) are kept apart too; the
table's own total rows are checked against its districts (:func:`_check_totals_rows`).

Totals by name are in :mod:`egovkit.read.total_names`, parent rows in
:mod:`egovkit.read.parent_rows`, hidden totals in :mod:`egovkit.read.hidden_totals`; their names
stay importable from here.

Examples
--------
>>> total_kind("Total de la région"), total_kind("Kibra")
('national', None)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .area_keys import area_keys
from .context import _Context
from .hidden_totals import _find_hidden_totals, _hidden_totals, _HiddenTotals  # noqa: F401
from .numbers import _lines_text, _text
from .parent_rows import _parent_rows  # noqa: F401
from .roles import Roles
from .total_names import TOTAL_NAMES, _country_names, _of_countries, _total_kind, _total_kinds, total_kind  # noqa: F401

_TOTAL_LEVELS = {"xxx", "national", "nation", "country", "total", "pays", "ensemble"}
_PLACEHOLDERS = {"", "xxx", "nan", "na", "none", "-"}




# ----------------------------------------------------------------------------------------------
# the table's own totals against its districts
# ----------------------------------------------------------------------------------------------
def _check_totals_rows(data: pd.DataFrame, other: pd.DataFrame, value_type: str, report: ValidationReport,
                       *, rel_tol: float = 0.005, n_districts: int | None = None) -> None:
    """Compare the table's own territory-total row(s) with the sum of its districts.

    Denominators must agree within ``rel_tol`` (0.5 %); rates within the rounding of the
    published values (0.1 percentage point when they were given as percentages, else
    ``rel_tol``). Agreement is noted, disagreement is a warning naming the total row, the
    indicator and both figures; nothing is changed. An indicator with a value dropped in one of the
    ``n_districts`` district areas is not compared (said in a note).
    """
    if data.empty or other.empty or "level" not in other:
        return
    tot = other[other["level"] == "national"]
    if tot.empty:
        return
    if "rate_only" in data.columns:  # published rates without weights: an unweighted mean says nothing
        report.add("info", "totals_check", params={"names": tot["area_name"].astype(str).unique().tolist()[:3]},
                   action="kept apart")
        return
    sums = data.groupby("indicator")[["numerator", "denominator"]].sum()
    # an indicator with dropped district values cannot add up to the total: not compared
    n_rows = data.groupby("indicator", observed=True)["source_row"].nunique()
    # n_districts: the named district rows (an indicator missing in one of them is partial too)
    partial = set(n_rows.index[n_rows < max(n_rows.max(), n_districts or 0)])
    checked, bad = 0, 0
    for _, r in tot.iterrows():
        ind = r["indicator"]
        if ind not in sums.index or not (r["denominator"] > 0) or ind in partial:
            continue
        num, den = sums.loc[ind, "numerator"], sums.loc[ind, "denominator"]
        if not den > 0:
            continue
        checked += 1
        share_d, share_t = num / den, r["numerator"] / r["denominator"]
        tol_share = 0.001 if value_type == "percent" else rel_tol * max(share_t, 1e-9)
        problems = []
        if abs(den - r["denominator"]) > rel_tol * r["denominator"]:
            problems.append(render("read.total_denominator_differs", {"total": float(r["denominator"]),
                                                                       "summed": float(den)}))
        if abs(share_d - share_t) > tol_share + 1e-12:
            problems.append(render("read.total_rate_differs", {"total": float(100 * share_t),
                                                                "summed": float(100 * share_d)}))
        if problems:
            bad += 1
            row = r.get("source_row")
            report.add("warning", "total_row_disagrees", params={"indicator": ind, "name": r["area_name"],
                                                                 "problems": "; ".join(problems)},
                       row=None if pd.isna(row) else int(row), area=str(r["area_name"]))
    if checked and not bad:
        report.add("info", "total_row_agrees", params={"n": checked}, action="kept apart")
    if partial & set(tot["indicator"]):
        report.add("info", "total_row_not_compared", params={"indicators": sorted(partial & set(tot["indicator"]))},
                   action="kept apart")


def _classify_rows(ctx: _Context, roles: Roles, district_level: str | None, dec: str = ".") -> pd.DataFrame:
    """Per input row: names, code, level, parent, is_total, is_district, duplicate key.

    Without a level column, rows that are the totals of other rows (a region row among its
    districts) are found by :func:`_parent_rows` and kept apart."""
    raw, report = ctx.raw, ctx.report
    n = len(raw)
    area_name = _text(raw[roles.area])
    norm_name = area_keys(raw[roles.area])
    kind = _total_kinds(norm_name)
    kind, area_name, norm_name = _totals_elsewhere(ctx, roles, kind, area_name, norm_name)
    country = norm_name.isin(_country_names())
    if _of_countries(int(country.sum()), n):  # a table of countries: 'France' is one of them, not a total
        kind = kind.where(~country, "")
    rural, urban, sub = (kind == "rural"), (kind == "urban"), (kind == "subtotal")
    is_total = kind != ""
    area_code = (_text(raw[roles.code]).str.strip() if roles.code else pd.Series([""] * n))
    if roles.level:
        lvl = _text(raw[roles.level]).str.strip()
        is_total |= lvl.str.lower().isin(_TOTAL_LEVELS)
    else:
        lvl = pd.Series(["district"] * n)
    total_label = np.where(rural, "rural", np.where(urban, "urban", np.where(sub, "subtotal", "national")))
    if roles.level:
        candidates = lvl[~is_total]
        if district_level is None:
            counts = candidates[candidates != ""].value_counts()
            if counts.empty:
                district_level = ""
            else:
                district_level = str(counts.index[0])
                others = {k: int(v) for k, v in counts.items() if k != district_level}
                report.add("info", "district_level", params={
                    "column": roles.level, "level": district_level, "n": int(counts.iloc[0]), "others": str(others),
                    "levels": list(counts.index)}, column=roles.level, action="inferred")
        elif district_level not in set(lvl):
            raise InputError(code="read.district_level_unknown", params={
                "level": district_level, "column": roles.level, "levels": sorted(set(lvl))},
                file=ctx.name, column=roles.level)
        is_district = ~is_total & (lvl == district_level)
    else:
        is_district = ~is_total
    level_out = lvl.where(~is_total, pd.Series(total_label, index=lvl.index))
    par_norm = area_keys(raw[roles.parent]) if roles.parent else pd.Series([""] * n)
    if not roles.level:
        upper, upper_level = _parent_rows(ctx, roles, norm_name, par_norm, is_total.to_numpy(), dec)
        if upper.any():
            is_district &= ~upper
            level_out = level_out.where(~upper, pd.Series(upper_level, index=lvl.index))
    else:
        upper = np.zeros(n, dtype=bool)
    if roles.parent:
        par = _text(raw[roles.parent]).str.strip()
        placeholder = par.str.lower().isin(_PLACEHOLDERS) | is_total | upper
        if roles.level:  # the level column tells the parent rows; theirs is their own name
            placeholder |= par_norm == norm_name
        par = par.where(~placeholder, "")
    else:
        par = pd.Series([""] * n)
    rows = pd.DataFrame({
        "area_name": area_name.to_numpy(),
        "area_code": area_code.to_numpy(),
        "level": level_out.to_numpy(),
        "parent": par.to_numpy(),
        "is_total": is_total.to_numpy(),
        "is_district": is_district.to_numpy(),
        "line": ctx.lines,
    })
    # duplicate key: code when there is one, else (parent, normalised name)
    if roles.code:
        rows["key"] = np.where(rows["area_code"] != "", rows["area_code"], norm_name.to_numpy())
    else:
        rows["key"] = rows["parent"].str.upper().to_numpy() + "\x1f" + norm_name.to_numpy()
    missing_name = (norm_name == "").to_numpy() & (rows["area_code"] == "").to_numpy()
    rows["no_name"] = missing_name
    for i in np.flatnonzero(missing_name):
        report.add("error", "missing_area", params={}, row=int(rows["line"].iat[i]), column=roles.area,
                   action="dropped")
    n_tot = int(rows["is_total"].sum())
    n_other = int((~rows["is_district"] & ~rows["is_total"] & ~upper).sum())
    if n_tot or n_other:
        tot = rows.loc[rows["is_total"]]
        tot_names = tot["area_name"].unique().tolist()[:10]
        where = render("read.at_rows", {"rows": _lines_text(tot["line"].to_numpy())}) if n_tot else ""
        report.add("info", "kept_apart", params={"n_totals": n_tot, "names": tot_names, "where": where,
                                                 "n_other": n_other},
                   action="kept apart", row=int(tot["line"].iat[0]) if n_tot else None)
    return rows


def _totals_elsewhere(ctx: _Context, roles: Roles, kind: pd.Series, area_name: pd.Series,
                      norm_name: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Totals rows said outside the area cell: a code cell ``TOTAL``, or (when the area cell is
    empty, or the area column holds codes because no name column was recognised) a total word in
    another text cell of the row (``Total de la région`` under the region's column). A column
    counts only where such words are in a minority of its rows (a parent column reading ``Kenya``
    on every row says nothing). The row is then named by that cell.

    Examples
    --------
    >>> import numpy as np
    >>> from egovkit.validate import ValidationReport
    >>> raw = pd.DataFrame({"Région": ["Bretagne", "Bretagne", "Total de la région"], "code": ["1", "2", "53"],
    ...                     "commune": ["Brest", "Rennes", None]})
    >>> ctx = _Context(raw, np.arange(3) + 2, "t.csv", ValidationReport())
    >>> roles = Roles(layout="wide", area="commune", code="code", parent="Région")
    >>> name = _text(raw["commune"])
    >>> k, n, _ = _totals_elsewhere(ctx, roles, _total_kinds(area_keys(raw["commune"])), name, area_keys(name))
    >>> k.tolist(), n.tolist()
    (['', '', 'national'], ['Brest', 'Rennes', 'Total de la région'])
    """
    raw = ctx.raw
    n = len(raw)
    found = np.zeros(n, dtype=bool)
    roles_used = {roles.area, roles.level, roles.indicator_column, roles.value_column, *roles.numeric_columns}
    empty = (norm_name == "").to_numpy()
    as_codes = roles.code is not None and roles.area == roles.code
    cols: list[tuple[str, np.ndarray]] = []
    if roles.code and roles.code != roles.area:
        cols.append((roles.code, np.ones(n, dtype=bool)))
    if empty.any() or as_codes:
        where = np.ones(n, dtype=bool) if as_codes else empty
        for c in raw.columns:
            if c in roles_used or c == roles.code or pd.api.types.is_numeric_dtype(raw[c].dtype):
                continue
            if c != roles.parent and as_codes and not empty.any() and c != raw.columns[0]:
                continue  # codes as names: only the parent and the first column may name the row
            cols.append((c, where))
    if not cols:
        return kind, area_name, norm_name
    kind, area_name, norm_name = kind.copy(), area_name.copy(), norm_name.copy()
    for c, where in cols:
        todo = where & (kind == "").to_numpy() & ~found
        if not todo.any():
            continue
        k = _total_kinds(area_keys(raw[c]))
        hit = (k != "").to_numpy().copy()
        if not hit.any() or 2 * hit.sum() > n:
            continue  # none, or on most rows: a word of the whole table, not of a totals row
        hit &= todo
        if not hit.any():
            continue
        text = _text(raw[c]).str.strip()
        kind[hit] = k[hit].to_numpy()
        area_name[hit] = text[hit].to_numpy()
        norm_name[hit] = area_keys(text[hit]).to_numpy()
        found |= hit
    return kind, area_name, norm_name
