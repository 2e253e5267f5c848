"""Measure-stacked long tables: one value column, and columns that say which measure each row is.

Statistical offices' long exports (Swiss BFS STAT-TAB, PC-Axis conversions, many survey tables)
put every number in one column (``num``, ``Wert``, ``Value``) and say in other columns what the
number is: a count or a percentage (``Absolut / relativ``: ``Anzahl Haushalte`` / ``Anteil (in %
aller Haushalte)``), an estimate or its precision (``Resultat``: ``Wert`` / ``Konfidenzintervall
+/-``; ``Estimate`` / ``Standard error``). Read as they are, counts, percentages and confidence
intervals of the same cell would be mixed.

:func:`select_measures` finds such measure columns by what their values say (egovkit's concept
catalogue: precision words, count and percent words), keeps the estimate rows (confidence
intervals, standard errors and margins are kept apart) and, when counts and percentages of all
households or persons are both given, the percentages: the table has no number of all households
to divide the counts by, the published percentages are its figures. Each decision is a note of the
report; the value column is then named ``Value`` (``Value (%)`` for percentages) for the stacked reader.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from egovkit.validate import ValidationReport
>>> raw = pd.DataFrame({"num": ["3647712", "31023", "96.2", "0.8"], "Region": ["Schweiz"] * 4,
...                     "Absolut / relativ": ["Anzahl Haushalte"] * 2 + ["Anteil (in % aller Haushalte)"] * 2,
...                     "Resultat": ["Wert", "Konfidenzintervall +/-"] * 2})
>>> out, lines = select_measures(raw, np.arange(2, 6), "t.csv", ValidationReport())
>>> out.to_dict("list"), lines.tolist()
({'Value (%)': ['96.2'], 'Region': ['Schweiz']}, [4])
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..concepts import recognise
from ..shared.messages import render
from ..validate import ValidationReport
from .numbers import _text

_NUMBER = re.compile(r"^\s*[-+]?(\d[\d\s'\u00a0\u202f,.]*)?\d(\.\d+)?\s*%?\s*$")
#: Placeholders of statistical offices for a value not given (BFS '...', '.....', 'x', '-').
_PLACEHOLDER = re.compile(r'^\s*"*\s*(\.{2,}|x|X|-|–|:|\(.*\))?\s*"*\s*$')


def _measure_of(value: str) -> str | None:
    """What a measure label says: ``precision``, ``estimate``, ``percent``, ``count`` or None.

    >>> labels = ["Konfidenzintervall +/-", "Wert", "Anteil (in % aller Haushalte)", "Anzahl Haushalte", "Zürich"]
    >>> [_measure_of(v) for v in labels]
    ['precision', 'estimate', 'percent', 'count', None]
    """
    rec = recognise(value)
    reason = rec.reason
    if "precision" in reason or "margin, error" in reason:
        return "precision"
    if rec.indicator:
        return None
    if "value_kind percent" in reason or "value_kind share" in reason:
        return "percent"
    if rec.role == "value":
        return "estimate"
    if "value_kind count" in reason:
        return "count"
    return None


def _numeric_share(text: pd.Series) -> float:
    filled = text[~text.str.match(_PLACEHOLDER)]
    if not len(filled):
        return 0.0
    return float(filled.str.match(_NUMBER).mean())


def select_measures(raw: pd.DataFrame, lines: np.ndarray, name: str,
                    report: ValidationReport) -> tuple[pd.DataFrame, np.ndarray]:
    """Keep the estimate rows of one measure of a measure-stacked table; others returned unchanged."""
    if raw.shape[1] < 3 or len(raw) < 2:
        return raw, lines
    head = raw.iloc[:2000]
    text = {c: _text(head[c]).str.strip() for c in raw.columns}
    measure_cols: dict[str, dict[str, str]] = {}
    for c in raw.columns:
        vals = [v for v in pd.unique(text[c]) if v]
        if not 2 <= len(vals) <= 6 or _numeric_share(text[c]) > 0.5:
            continue
        kinds = {v: _measure_of(v) for v in vals}
        if all(kinds.values()) and len(set(kinds.values())) >= 2:
            measure_cols[c] = kinds
    if not measure_cols:
        return raw, lines
    # the value column: the numbers (not years, not codes) beside the measure columns
    numeric = [c for c in raw.columns if c not in measure_cols and _numeric_share(text[c]) >= 0.9
               and not (text[c].str.fullmatch(r"(1[89]|20)\d\d").mean() > 0.9)
               and recognise(str(c)).role not in ("code", "area", "parent", "level")]
    if len(numeric) > 1:  # several numeric columns: the one whose header says value (Wert, Value...)
        numeric = [c for c in numeric if recognise(str(c)).role == "value"]
    if len(numeric) != 1:
        return raw, lines
    value = numeric[0]
    full = {c: _text(raw[c]).str.strip() for c in measure_cols}
    keep = np.ones(len(raw), dtype=bool)
    said: list[str] = []
    chosen_kind = None
    for c, kinds in measure_cols.items():
        of = {k: ", ".join(repr(v) for v, kk in kinds.items() if kk == k) for k in set(kinds.values())}
        kind_of = full[c].map(lambda v: kinds.get(v) or _measure_of(v) if v else None)  # noqa: B023 (map runs now, in this same pass)
        if "precision" in kinds.values():
            drop = (kind_of == "precision").to_numpy()
            said.append(render("read.measure_precision_apart", {"n": int((keep & drop).sum()),
                                                                 "values": of["precision"], "column": c}))
            keep &= ~drop
            if {k for k in kinds.values() if k != "precision"} == {"percent"}:
                chosen_kind = "percent"
        elif "percent" in kinds.values():
            pick = (kind_of == "percent").to_numpy()
            others = [v for v, k in kinds.items() if k != "percent"]
            said.append(render("read.measure_percentages_read", {"column": c, "values": of["percent"],
                                                                  "n": int((keep & ~pick).sum()), "others": others}))
            keep &= pick
            chosen_kind = "percent"
        else:
            pick = (kind_of == "estimate").to_numpy()
            if pick.any():
                said.append(render("read.measure_rows_read", {"column": c, "rows": [v for v, k in kinds.items()
                                                                                   if k == "estimate"],
                                                               "n": int((keep & ~pick).sum())}))
                keep &= pick
    if not keep.any():
        return raw, lines
    new = "Value (%)" if chosen_kind == "percent" else "Value"
    cols = [c for c in raw.columns if c not in measure_cols]
    renames = {value: new}
    # a text column headed by an indicator word ('Internetzugang') whose cells name the series
    # ('Haushalte mit Internetzugang') is the indicator-name column of the long table
    if not any(recognise(str(c)).role == "variable" for c in cols):
        for c in cols:
            if c == value or recognise(str(c)).role != "indicator" or _numeric_share(text[c]) > 0.1:
                continue
            if any(recognise(v).indicator for v in pd.unique(text[c])[:50] if v):
                renames[c] = "Indicator"
                said.append(render("read.measure_indicator_column", {"column": c}))
                break
    out = raw.loc[keep, cols].rename(columns=renames)
    report.set_fate(lines[~keep].tolist(), "kept apart")
    report.add("info", "measure_columns", params={"value": value, "measures": list(measure_cols),
                                                   "said": "; ".join(said)}, column=value, action="kept apart")
    return out.reset_index(drop=True), lines[keep]
