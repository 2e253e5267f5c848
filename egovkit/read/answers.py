"""Long tables of the answers to one question: the answers partition the households.

Census portals often serve a question as one row per area and answer, with the count of
households giving it and no households column, no total row::

    geo_level  geo_code  access to internet      total    geo_version
    province   EC        From home               83721    2011
    province   EC        From cell phone         215844   2011
    province   EC        No access to internet   1280643  2011

The column of answers is headed by the question (``access to internet``: an ICT indicator of the
catalogue). Its answers are exhaustive and mutually exclusive, so row after row they add up to the
households the question was asked of: :func:`pivot_answers` turns such a table into one row per
area with the households (the sum of the answers, reported) and the indicator (the answers that are
not a 'no', nor 'not stated'; said which). A column with one value everywhere (``geo_version``) is
never an area: it is left out with a note. A level column stays, so the reader keeps the levels
apart as usual (the most frequent level = the districts, ``district_level=`` to choose).

Only a table of this exact shape is turned: one count column, one column of 2 to 12 answers headed
by an ICT indicator with at least one 'no' answer (``No access to internet``, ``No``, ``None``)
and none named like a total, each answer once per area. Everything else is left to the reader.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from egovkit.validate import ValidationReport
>>> raw = pd.DataFrame({"code": ["A", "A", "B", "B", "C", "C"], "Internet access": ["Yes", "No"] * 3,
...                     "total": [30, 70, 10, 90, 50, 50], "version": ["2011"] * 6})
>>> wide, lines, groups = pivot_answers(raw, np.arange(2, 8), ValidationReport())
>>> wide.values.tolist()
[['A', 100.0, 30.0], ['B', 100.0, 10.0], ['C', 100.0, 50.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..concepts import recognise
from ..shared.messages import render
from ..validate import ValidationReport
from .column_headers import catalogue, normalise_header, recognise_indicator
from .numbers import _as_text, _text
from .universe import _NO, universe_word

#: most answers a question has in such a table
MAX_ANSWERS = 12
#: words of an answer that is no answer (included in the households, not in the indicator)
_UNKNOWN = {"not stated", "unspecified", "unknown", "not specified", "no answer", "dont know", "don t know",
            "do not know", "non declare", "no especificado", "no sabe", "nao sabe", "ignorado", "sem declaracao"}
_NONE = {"none", "nothing", "neither", "aucun", "aucune", "ninguno", "ninguna", "nenhum", "nenhuma", "keine", "kein"}
_TOTALS = {"total", "totals", "all", "ensemble", "todos", "todas", "insgesamt", "gesamt"}


def _kind(answer: str) -> str:
    """``no``, ``unknown``, ``total`` or ``yes`` for one answer.

    >>> [_kind(a) for a in ["No access to internet", "From home", "Not stated", "Total", "None"]]
    ['no', 'yes', 'unknown', 'total', 'no']
    """
    norm = normalise_header(answer)
    toks = norm.split()
    if not toks:
        return "unknown"
    if norm in _TOTALS or toks[0] in _TOTALS:
        return "total"
    if any(u == norm or norm.startswith(u + " ") for u in _UNKNOWN):
        return "unknown"
    if toks[0] in _NO or norm in _NONE or toks[0] in {"without", "sans", "sin", "sem", "ohne", "senza"} \
            or recognise(answer).negated:
        return "no"
    return "yes"


def _counts(col: pd.Series) -> np.ndarray | None:
    """Whole non-negative counts of a column (NaN where empty), or None when it is not one.

    Not :func:`~egovkit.read.numbers._parse_numbers`: this only asks whether a column of a long
    table of answers *is* a column of counts, before any decimal mark is known. A comma is always a
    thousands separator here (a count has no decimals), and one cell that is not a whole
    non-negative number says the column is no count column (None), where ``_parse_numbers`` keeps
    the column and marks the cell bad.

    >>> _counts(pd.Series(["1,234", "56", ""])).tolist()[:2], _counts(pd.Series(["1,5", "2.5"]))
    ([1234.0, 56.0], None)
    """
    text, nums = _as_text(col)
    if text is None:
        vals = np.asarray(nums, dtype=float)
    else:
        vals = pd.to_numeric(text.str.strip().str.replace(r"[\s\u00a0\u202f,]", "", regex=True),
                             errors="coerce").to_numpy(dtype=float)
        if nums is not None:
            vals = np.where(np.isnan(nums), vals, nums)
        filled = (text.str.strip() != "").to_numpy()
        if np.isnan(vals[filled]).any():
            return None
    ok = vals[~np.isnan(vals)]
    if not len(ok) or (ok < 0).any() or (ok != np.round(ok)).any():
        return None
    return vals


def pivot_answers(raw: pd.DataFrame, lines: np.ndarray, report: ValidationReport,
                  name: str = "") -> tuple[pd.DataFrame, np.ndarray, dict[int, list[int]]]:
    """One row per area from a long table of answers (see the module docstring); unchanged otherwise.

    Returns the table, the file line of each row (the first line of each area's answers) and, for
    each such line, the other lines of its answers (they share its fate in ``report.row_fate``)."""
    same = (raw, lines, {})
    if len(raw) < 6 or raw.shape[1] < 3:
        return same
    cols = [c for c in raw.columns if isinstance(c, str)]
    constant = [c for c in cols if _text(raw[c]).str.strip().nunique() <= 1]
    counts = {c: v for c in cols if c not in constant and (v := _counts(raw[c])) is not None}
    texts = [c for c in cols if c not in constant and c not in counts]
    if len(counts) != 1 or len(texts) < 2:
        return same
    answer_col = next((c for c in texts if recognise_indicator(c).indicator), None)
    if answer_col is None:
        return same
    answers = _text(raw[answer_col]).str.strip()
    values = pd.unique(answers)
    if (answers == "").any() or pd.to_numeric(pd.Series(values), errors="coerce").notna().any() \
            or any(len(normalise_header(a)) < 2 for a in values):
        return same  # answers are words: no empty cell, no number, no 'n/a'-like marker
    kinds = {a: _kind(a) for a in values}
    if not 2 <= len(values) <= MAX_ANSWERS or "total" in kinds.values() or "no" not in kinds.values() \
            or "yes" not in kinds.values():
        return same
    keys = [c for c in texts if c != answer_col]
    key = _text(raw[keys[0]]).str.strip()
    for c in keys[1:]:
        key = key + "\x1f" + _text(raw[c]).str.strip()
    if pd.DataFrame({"k": key, "a": answers}).duplicated().any() or key.nunique() < 3:
        return same  # an answer twice for one area: not one question's answers per area
    (count_col, vals), = counts.items()
    ind = recognise_indicator(answer_col).indicator
    unit = str(catalogue().set_index("name").loc[ind, "unit"])
    frame = pd.DataFrame({"k": key.to_numpy(), "a": answers.to_numpy(), "v": vals})
    first = ~key.duplicated().to_numpy()
    wide = raw.loc[first, keys].reset_index(drop=True)
    order = key[first].to_numpy()
    grid = frame.pivot(index="k", columns="a", values="v").reindex(order)
    complete = grid.notna().all(axis=1).to_numpy()
    yes = [a for a in values if kinds[a] == "yes"]
    no = [a for a in values if kinds[a] == "no"]
    unknown = [a for a in values if kinds[a] == "unknown"]
    den_col = f"{unit.capitalize()} (sum of the answers)"
    wide[den_col] = np.where(complete, grid.sum(axis=1, min_count=1).to_numpy(), np.nan)
    wide[answer_col] = np.where(complete, grid[yes].sum(axis=1).to_numpy(), np.nan)
    if constant:
        report.add("info", "constant_column", params={"columns": constant}, column=constant[0], action="ignored")
    n_lacking = int((~complete).sum())
    report.add("info", "answers_partition", params={
        "answer": answer_col, "n_answers": len(values), "count": count_col, "unit": universe_word(unit),
        "den": den_col, "indicator": ind, "yes": yes, "no": no,
        "unknown": render("read.answers_unknown", {"unknown": unknown}) if unknown else "",
        "n_areas": len(wide), "n_rows": len(raw),
        "lacking": render("read.answers_lacking", {"n": n_lacking}) if n_lacking else ""},
        column=answer_col, action="inferred")
    all_lines = np.asarray(lines)
    out_lines = all_lines[first]
    first_of = pd.Series(all_lines).groupby(key.to_numpy(), sort=False).transform("first").to_numpy()
    groups: dict[int, list[int]] = {}
    for ln, f in zip(all_lines.tolist(), first_of.tolist()):
        if ln != f:
            groups.setdefault(int(f), []).append(int(ln))
    return wide, out_lines, groups
