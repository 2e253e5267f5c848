"""Stacked long tables (SDMX, Open SDG, I.Stat exports, tidy CSVs) and tables of published rates
without any denominator.

A stacked table has one value column (``Value``, ``OBS_VALUE``, ``Valor``...), several periods
stacked in a period column (``Year``, ``TIME_PERIOD``, ``Año``, ``Année``...: recognised by
:mod:`egovkit.concepts` or by cells that are all years) and breakdown columns (sex, age,
urban/rural...) where a blank cell or ``Total``/``_T``/``Ensemble``/``All`` means the total.
:func:`unstack` keeps, per series, the total breakdown and the latest period (``period=`` chooses
another one); the other rows are kept apart with a note and their fate. A row whose geography cells
are all blank is the territory's own row (Open SDG): its area becomes ``Total`` so that the levels
step keeps it apart as the territory's published figure. Years as columns (``2019``, ``2020``...)
keep the latest year with a value in most rows.

:func:`rate_only_denominator` lets a table of percentages or shares with no households/persons
column be read: the district rates are kept as published and no territory figure is weighted from
them (:func:`egovkit.indicators.territory_figures` gives the table's own territory row).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from egovkit.validate import ValidationReport
>>> raw = pd.DataFrame({"Year": ["2020", "2021", "2021", "2021"], "Sex": ["", "", "", "F"],
...                     "Region": ["A", "A", "", "A"], "Value": ["50", "60", "70", "55"]})
>>> out, lines = unstack(raw, np.arange(2, 6), ValidationReport(), "t.csv")
>>> out.values.tolist(), lines.tolist()
([['A', '60'], ['Total', '70']], [3, 4])
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..concepts import recognise
from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .levels import _country_names, total_kind
from .numbers import _text
from .periods import PERIOD
from .roles import _norm_series
from .row_issues import clauses

#: Name of the column that stands for the missing denominator of a table of published rates.
RATE_ONLY = "(no households/persons column: published rates)"

_TOTAL_CODE = re.compile(r"(^|[._\-])_?(T|Z|TOTAL|ALL)$", re.IGNORECASE)  # SDMX: SEX._T, _T, AGE_Y_GE16._T


def _is_time(header: str) -> bool:
    return "date or period" in recognise(header).reason


def _is_dimension(header: str) -> bool:
    return "breakdown dimension" in recognise(header).reason


def _year_like(text: pd.Series) -> bool:
    filled = text[text != ""]
    return len(filled) > 0 and bool(filled.str.match(PERIOD).mean() >= 0.95)


def _sdg_coded(col: pd.Series) -> bool:
    """True when the first cells of a column are SDG ids or SDG series codes (egovkit.read.sdg)."""
    from .sdg import sdg_coded

    return sdg_coded(_text(col.iloc[:500]))


def _urbanisation(values: pd.Series) -> bool:
    """True for a column of urban / rural and their total only (UN 'Location': ALLAREA, URBAN, RURAL):
    a breakdown, not areas."""
    vals = [v for v in pd.unique(values) if v]
    kinds = [total_kind(v) for v in vals]
    return 2 <= len(vals) <= 5 and any(k in ("urban", "rural") for k in kinds) and \
        all(k in ("urban", "rural") or _is_total(v) for v, k in zip(vals, kinds))


def _is_total(value: str) -> bool:
    v = str(value).strip()
    return v == "" or total_kind(v) == "national" or bool(_TOTAL_CODE.search(v)) or \
        v.lower() in ("both sexes", "both", "all ages", "ambos sexos", "deux sexes", "todos", "todas",
                      "bothsex", "allarea", "allage", "allages")  # UN SDG database codes


def unstack(raw: pd.DataFrame, lines: np.ndarray, report: ValidationReport, source: str, *,
            period: str | int | None = None, name: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Reduce a stacked table to one period and the total breakdown; return ``(raw, lines)``.

    Tables that are not stacked (no period column with several periods, no years as columns) are
    returned unchanged. Every row left out gets the fate ``kept apart`` in ``report.row_fate``.

    Raises
    ------
    InputError
        ``period=`` names a period absent from the table (the message lists those present).
    """
    if raw.attrs.get("egovkit_unstacked"):  # an SDG workbook reduced by egovkit.read.sdg
        return raw, lines
    years_as_columns = [c for c in raw.columns if PERIOD.match(str(c))]
    if len(years_as_columns) >= 2:
        text = {c: _text(raw[c]).str.strip() for c in years_as_columns}
        return _latest_year_column(raw, lines, report, source, years_as_columns, text, period)
    times = _time_columns(raw, name)
    if not times:
        if period is not None:
            raise InputError(code="read.no_period_column", params={"period": repr(period)}, file=source)
        return raw, lines
    text = {c: _text(raw[c]).str.strip() for c in raw.columns}
    main = max(times, key=lambda c: text[c].nunique())
    roles = {c: recognise(str(c)) for c in raw.columns}
    values = [c for c in raw.columns if roles[c].role == "value"]
    value = values[-1] if values else None
    if value is None:
        return raw, lines
    geo = _geography_columns(raw, text, roles, times, value, name)
    series = [c for c in raw.columns if c not in geo and c not in times and c != value
              and (roles[c].role in ("variable", "indicator"))]
    keep, notes, dropped_cols = _breakdown_totals(raw, text, geo, times, value, series, report)
    _series_said_in_words(text, series, dropped_cols, notes)
    if not keep.any():
        raise InputError(code="read.no_total_rows", params={"notes": clauses(notes) or render("read.kept_apart")},
                         file=source)
    chosen, how, present = _chosen_period(text, series, main, keep, period, source)
    n_other_period = int((keep & ~chosen).sum())
    keep &= chosen
    out = raw.loc[keep, [c for c in raw.columns if c not in dropped_cols]].copy()
    out = _territory_rows(out, raw, text, keep, geo, roles, name, report)
    left = np.flatnonzero(~keep)
    report.set_fate(lines[left].tolist(), "kept apart")
    what = clauses(notes + ([render("read.rows_of_other_periods", {"n": n_other_period})] if n_other_period else []))
    report.add("info", "stacked_table", params={
        "what": render("read.stacked_kept", {"how": how, "n": int(keep.sum())}),
        "apart": what or render("read.nothing"), "after": render("read.periods_present", {"present": present}),
        "fix_code": "read.another_period"}, column=main, action="kept apart")
    return out.reset_index(drop=True), lines[keep]


def _time_columns(raw: pd.DataFrame, area: str | None) -> list:
    """The period columns of a table with one value column (none without a value column)."""
    if not any(recognise(str(c)).role == "value" for c in raw.columns):
        return []  # one value column is what a stacked table has; others are read as they are
    head = raw.iloc[:500]  # years are told from the first rows; the whole columns only when stacked
    return [c for c in raw.columns if _is_time(str(c)) or (
        recognise(str(c)).role not in ("value", "indicator") and c != area
        and _year_like(_text(head[c]).str.strip()))]


def _geography_columns(raw: pd.DataFrame, text: dict, roles: dict, times: list, value, area: str | None) -> list:
    """The columns that say where: area, code, parent and level columns (not series codes nor
    urban/rural), else the text column of most values, and every column one-to-one with one of them."""
    # a level column (country / NUTS 1 / NUTS 2) is geography, not a breakdown
    geo = [c for c in raw.columns if roles[c].role in ("area", "code", "parent", "level") or c == area]
    geo = [c for c in geo if c == area or not _sdg_coded(raw[c])]  # SeriesCode IT_USE_ii99: a series, not areas
    geo = [c for c in geo if c == area or not _urbanisation(text[c])]  # Location: ALLAREA, URBAN, RURAL
    if not geo:  # no header says geography: the text column of most values holds the areas, not a breakdown
        cand = [c for c in raw.columns if c not in times and c != value and roles[c].role != "variable"
                and not _is_dimension(str(c)) and text[c][text[c] != ""].nunique() > 1]
        # 'Sex', 'Age group' (a breakdown) and a column of one value ('%', a unit) are never the areas
        if cand:
            geo.append(max(cand, key=lambda c: text[c].nunique()))
    for c in [c for c in raw.columns if c not in geo and c not in times and c != value]:
        # a column one-to-one with a geography column is its code (or its name): geography too
        for g in list(geo):
            pairs = pd.DataFrame({"c": text[c], "g": text[g]}).drop_duplicates()
            if len(pairs) > 2 and pairs["c"].is_unique and pairs["g"].is_unique:
                geo.append(c)
                break
    return geo


def _breakdown_totals(raw: pd.DataFrame, text: dict, geo: list, times: list, value, series: list,
                      report: ValidationReport) -> tuple[np.ndarray, list[str], list]:
    """Breakdowns: text columns with several values, one of which says 'total' (blank, Total, _T...):
    the total rows kept; a column of women and men only kept apart (warned); a column without a
    total is a series of its own (added to ``series``). Returns the rows kept, the notes and the
    columns left out of the table."""
    keep = np.ones(len(raw), dtype=bool)
    notes: list[str] = []
    dropped_cols = list(times)
    for c in raw.columns:
        if c in geo or c in times or c == value or c in series:
            continue
        vals = pd.unique(text[c])
        filled = [v for v in vals if v != ""]
        said = bool(filled) and (_is_dimension(str(c)) or "breakdown" in recognise(filled[0]).reason)
        if len(filled) <= 1 and not said:
            dropped_cols.append(c)  # a constant column (unit, flag, dataflow)
            continue
        total = np.array([_is_total(v) for v in vals])
        if total.any() and not total.all() and (~total).sum() <= 20:  # a breakdown has few categories
            is_tot = text[c].isin(set(vals[total])).to_numpy()
            n_other = int((keep & ~is_tot).sum())
            if n_other:
                notes.append(render("read.breakdown_rows_of", {
                    "n": n_other, "column": c,
                    "values": ", ".join(map(repr, vals[~total][:5])) + ("..." if (~total).sum() > 5 else "")}))
            keep &= is_tot
            dropped_cols.append(c)
        elif not total.any() and 2 <= len(filled) <= 4 and all("= breakdown" in recognise(v).reason for v in filled):
            # only women and men (Hombres / Mujeres), never both: no figure of all persons to read
            blank_c = (text[c] == "").to_numpy(dtype=bool)
            n_sexed = int((keep & ~blank_c).sum())
            keep &= blank_c
            dropped_cols.append(c)
            who = f" {render('read.and')} ".join(map(repr, filled))
            notes.append(render("read.rows_only_for", {"n": n_sexed, "column": c, "who": who}))
            report.add("warning", "sex_specific", params={"detail": render("read.sex_column_only", {
                "column": c, "who": who, "n": n_sexed}), "fix_code": "read.sex_column_only"},
                       column=c, action="kept apart")
        elif not total.any() and recognise(str(c)).role == "other" and c not in series:
            # no total among its values: each value is a series of its own (units, sources)
            series.append(c)
    return keep, notes, dropped_cols


def _series_said_in_words(text: dict, series: list, dropped_cols: list, notes: list[str]) -> None:
    """A code column beside the column that says the same series in words: the words are read; a
    column of one value tells no series apart. Both are taken out of ``series``."""
    said = [c for c in series if any(recognise(v).indicator for v in pd.unique(text[c])[:50])]
    for c in [c for c in series if c not in said and said]:
        if all(pd.DataFrame({"c": text[c], "s": text[s]}).drop_duplicates()["c"].is_unique for s in said):
            series.remove(c)
            dropped_cols.append(c)
            notes.append(render("read.series_codes_left_out", {"column": c, "named": said[0]}))
    for c in [c for c in series if c not in said and text[c][text[c] != ""].nunique() <= 1]:
        series.remove(c)  # one value in every row (a unit, a measure): it tells no series apart
        dropped_cols.append(c)


def _chosen_period(text: dict, series: list, main, keep: np.ndarray, period, name: str
                   ) -> tuple[np.ndarray, str, list]:
    """The rows of the period read: the latest one of each series, or the one asked for; how it was
    chosen and the periods present."""
    key = pd.Series([""] * len(keep))
    for c in series:
        key = key + "|" + text[c]
    periods = text[main]
    present = sorted(pd.unique(periods[keep & (periods != "").to_numpy()]))
    if period is not None:
        want = str(period).strip()
        if want not in present:
            raise InputError(code="read.period_not_present", params={"period": want, "column": main,
                                                                     "present": present},
                             file=name, column=main)
        chosen = (periods == want).to_numpy()
        how = render("read.period_given", {"period": want})
    else:
        latest = pd.Series(periods.where(keep).to_numpy()).groupby(key.to_numpy()).transform("max")
        chosen = (periods.to_numpy() == latest.to_numpy())
        lat = sorted(pd.unique(latest.dropna()))
        how = render("read.latest_period", {"periods": ", ".join(map(str, lat)), "column": main})
    return chosen, how, present


def _territory_rows(out: pd.DataFrame, raw: pd.DataFrame, text: dict, keep: np.ndarray, geo: list, roles: dict,
                    area: str | None, report: ValidationReport) -> pd.DataFrame:
    """The territory's own rows named ``Total``: every geography cell blank, a code that begins every
    other code, the one country's name among areas that are not countries, or no geography at all."""
    names = [c for c in geo if roles[c].role in ("area", "parent") or c == area] or geo
    if names:
        blank = np.all([text[c][keep].to_numpy() == "" for c in names], axis=0)
        if blank.any():
            out.loc[out.index[blank], names[0]] = "Total"
            notes_terr = int(blank.sum())
            report.add("info", "territory_row", params={"detail": render("read.territory_blank_geography", {
                "n": notes_terr, "columns": names})}, column=names[0], action="kept apart")
        # a coarser geography filled, the finer one blank: the row of the coarser area
        if len(names) > 1:
            finest = max(names, key=lambda c: text[c].nunique())
            for c in names:
                if c == finest:
                    continue
                fill = (text[finest][keep].to_numpy() == "") & (text[c][keep].to_numpy() != "")
                out.loc[out.index[fill], finest] = text[c][keep].to_numpy()[fill]
        # a code that begins every other code (NUTS, ISTAT: IT above ITC1, ITC2...) is the territory's
        for c in geo:
            codes = text[c][keep].to_numpy()
            # codes of letters then letters/digits (NUTS-like); numeric class codes beside them are not areas
            uniq = [u for u in pd.unique(codes) if re.fullmatch(r"[A-Za-z]{2}[A-Za-z0-9]*", u)]
            top = [u for u in uniq
                   if len(uniq) >= 2 and all(o.startswith(u) and len(o) > len(u) for o in uniq if o != u)]
            if len(top) == 1:
                at = codes == top[0]
                label = out.loc[out.index[at], names[0]].astype(str)
                out.loc[out.index[at], names[0]] = "Total (" + label + ")"
                report.add("info", "territory_row", params={"detail": render("read.territory_code_prefix", {
                    "code": top[0], "column": c, "n": int(at.sum())})}, column=c, action="kept apart")
                break
        # one country's name among areas that are not countries (Jamaica beside Urban, Rural): the territory's
        if not blank.any() and not out[names[0]].astype(str).str.startswith("Total (").any():
            c = names[0]
            uniq = pd.Series(pd.unique(text[c][text[c] != ""]))
            norm = _norm_series(uniq)
            countries = uniq[norm.isin(_country_names()).to_numpy()]
            # the first area of the file, the only country among them (not 'Georgia' among US states)
            if len(countries) == 1 and countries.iloc[0] == uniq.iloc[0]:
                at = (out[c].astype(str).str.strip() == countries.iloc[0]).to_numpy()
                if at.any():
                    out.loc[out.index[at], c] = f"Total ({countries.iloc[0]})"
                    report.add("info", "territory_row", params={"detail": render("read.territory_country_name", {
                        "country": countries.iloc[0], "column": c, "others": len(uniq) - 1, "n": int(at.sum())}),
                        "fix_code": "read.territory_country_name"}, column=c, action="kept apart")
    elif len(out):  # no geography column at all (Year, Sex, Value): every row is the territory's own
        out.insert(0, "Area", "Total")
        report.add("info", "territory_row", params={"detail": render("read.territory_no_geography", {
            "columns": str(list(raw.columns)), "n": len(out)}), "fix_code": "read.territory_no_geography"},
                   column="Area", action="kept apart")
    return out


def _latest_year_column(raw: pd.DataFrame, lines: np.ndarray, report: ValidationReport, name: str,
                        years: list, text: dict, period) -> tuple[pd.DataFrame, np.ndarray]:
    """Years as columns: keep the asked year, else the latest one filled in most rows."""
    present = [str(c).strip() for c in years]
    if period is not None:
        want = str(period).strip()
        if want not in present:
            raise InputError(code="read.period_not_a_column", params={"period": want, "present": present}, file=name)
        col = years[present.index(want)]
        how = render("read.given_by_period_bare")
    else:
        filled = {c: float((text[c] != "").mean()) for c in years}
        best = max(filled.values())
        complete = [c for c in years if filled[c] >= 0.5 * best]
        col = max(complete, key=lambda c: str(c))
        how = render("read.latest_year_most_rows")
    others = [c for c in years if c != col]
    out = raw.drop(columns=others).rename(columns={col: "Value"})
    report.add("info", "read.year_columns", params={"column": col, "how": how, "n": len(others),
                                                    "others": str(list(map(str, others))[:10])},
               column=str(col), action="kept apart")
    return out, lines


def rate_only_denominator(raw: pd.DataFrame, roles) -> bool:
    """Give a table with no denominator column the stand-in column :data:`RATE_ONLY` (1 per row),
    so that its percentages and shares are read as published; True when it was added."""
    if roles.denominators or roles.den_map:
        return False
    raw[RATE_ONLY] = "1"
    roles.denominators.append((RATE_ONLY, None))
    return True


def check_rate_only(blocks, name: str, report: ValidationReport) -> None:
    """A table of published rates: refuse counts (they need a denominator), warn once that no
    territory figure can be weighted from the districts."""
    for b in blocks:
        v = b.values[b.status == 0] if b.values is not None else np.zeros(0)
        if b.kind == "count" and len(v) and float(np.nanmax(v)) <= 100 and float(np.nanmin(v)) >= 0:
            # no households or persons to count: values within 0-100 are percentages
            b.kind = "percent" if float(np.nanmax(v)) > 1 else "share"
            report.add("warning", "value_type", params={
                "what": render("read.rate_only_what", {"indicator": b.indicator, "column": b.column}),
                "kind": b.kind, "rest": "", "fix_code": "read.value_type_override"}, column=b.column,
                       action="inferred")
    counts = [b for b in blocks if b.kind == "count"]
    if counts:
        b = counts[0]
        raise InputError(code="read.counts_without_denominator", params={"indicator": b.indicator,
                                                                         "column": b.column},
                         file=name, column=b.column)
    inds = sorted({b.indicator for b in blocks})
    report.add("warning", "no_weights", params={"indicators": inds}, action="kept")
