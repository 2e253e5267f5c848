"""Numbers in table cells: the decimal mark of a table and the parsing of its cells.

Cells may carry thousands separators (``1 234 567`` with ordinary, no-break or narrow no-break
spaces, ``1,234,567``, ``1.234.567``), a decimal comma and ``%`` signs; ``-``, ``..``, ``n/a``
and empty cells are missing values. Each parsed cell gets a status: ``_OK``, ``_MISSING`` or
``_BAD`` (not a number).

Three other readers of cells stay apart on purpose (each docstring says why, with an example):
``answers._counts`` (is a column whole counts, before any decimal mark is known),
``universe._numbers`` (household sums compared while the roles are chosen) and
``crosstab_grid._number`` (one grid cell at a time, while the shape of a download is told).
They read ``1.234``, ``1,234`` and ``12,5`` differently from :func:`_parse_numbers`, which reads
a whole column with the table's decimal mark: merging them would change figures.

Examples
--------
>>> import pandas as pd
>>> values, status, pct = _parse_numbers(pd.Series(["1 234", "12,5 %", "n/a"]), None, ",")
>>> values[:2].tolist(), status.tolist(), pct
([1234.0, 12.5], [0, 0, 1], True)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..shared.messages import render
from ..validate import ValidationReport

_MISSING_MARKERS = {"", "-", "\u2013", "\u2014", "..", "...", "n/a", "na", "nan", "null", "none",
                    "nd", "n.d.", "n.a.", "NA", "N/A", "NaN", "NULL", "None", "ND", "#N/A", "x", "X"}

# status codes of a parsed cell
_OK, _MISSING, _BAD = 0, 1, 2

_SPACE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009']\d{3})+(?:[.,]\d+)?$")
# a thousands group never follows a leading 0: "0,153" and "0.153" are decimals
_DOT_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+$")
# decimal-comma cells: 12,5 / 1 234,5 / 1.234,5 / 12,5 % (spaces may be no-break spaces)
_COMMA_FORM = re.compile(r"\s*[+-]?(?:\d{1,3}(?:[ \u00a0\u202f\u2009.]\d{3})+|\d+)(?:,\d+)?\s*%?\s*")
_COMMA_TABLE = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, "\u2009": None, ".": None,
                              "%": None, ",": ".", "\t": None})
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
# 1.234 / 12.500 / 1.234.567: thousands or decimals (0.125 is a decimal)
_DOT_THOUSANDS_ONLY = re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$")


def _as_text(col: pd.Series) -> tuple[pd.Series | None, np.ndarray | None]:
    """Text of the cells (not stripped) and, for numeric or object columns, the cells that are
    already numbers (NaN elsewhere)."""
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return None, col.to_numpy(dtype="float64", na_value=np.nan)
    if col.dtype == object:
        isnum = col.map(lambda x: isinstance(x, (int, float, np.integer, np.floating))
                        and not isinstance(x, bool)).to_numpy(dtype=bool)
        nums = None
        if isnum.any():
            nums = np.full(len(col), np.nan)
            nums[isnum] = col[isnum].astype("float64").to_numpy()
            col = col.where(~isnum, "")
        text = col.map(lambda x: "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x))
        return text.astype(str), nums
    return col.fillna("").astype(str), None


_COMMA_MULTI = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3}){2,}(?:\.\d+)?$|^[+-]?[1-9]\d{0,2}(?:,\d{3})+\.\d+$")
_DOT_MIXED = re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+,\d+$")  # 1.234,5
_COMMA_ONE_GROUP = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")


def _detect_decimal(texts: list[pd.Series | None], sep: str | None, report: ValidationReport,
                    columns: list[tuple[str, str]] | None = None) -> str:
    """The decimal mark of the numeric columns (as text), from the cells that can only be one.

    ``columns``: (name, kind) of each text, kind ``"den"`` (households/persons: counts),
    ``"rate"`` (a percent/share marker) or ``"count"`` (no marker).

    Unambiguous cells decide: ``12,5`` and ``1.234,5`` say comma; ``12.5``,
    ``0.125``, ``1,234,567`` and ``1,234.5`` say point (both: the majority, with a warning).
    Otherwise ``20,852`` (one group of three digits after a comma) is thousands when it stands in a
    households/persons column (counts are expected; a note says so), a decimal comma when it only
    stands in indicator columns (a warning names the cell and ``decimal='.'``); ``1.234``/``12.500``
    are thousands in ``;``/tab files (a note), decimals elsewhere (a warning)."""
    n_comma = n_dot = n_dthou = 0
    dthou_example = ""
    amb: dict[str, list] = {"den": [], "rate": [], "count": []}  # one-group comma cells, per column kind
    columns = columns or [("", "count")] * len(texts)
    for t, (col, kind) in zip(texts, columns):
        if t is None:
            continue
        t = t.iloc[:5000]  # a sample is enough to tell the decimal mark
        bad = t[pd.to_numeric(t, errors="coerce").isna() & (t != "")]
        dots = t[t.str.contains(".", regex=False)].str.strip()
        if len(bad):
            b = bad.str.replace(r"[\s\u00a0\u202f%]", "", regex=True)
            cd = b.str.match(_COMMA_DECIMAL.pattern) & ~b.str.match(_COMMA_THOUSANDS.pattern)
            n_comma += int(cd.sum()) + int(b.str.match(_DOT_MIXED.pattern).sum())
            n_dot += int(b.str.match(_COMMA_MULTI.pattern).sum())
            one = b[b.str.match(_COMMA_ONE_GROUP.pattern)]
            if len(one):
                amb[kind if kind in amb else "count"].append((col, len(one), str(one.iloc[0])))
        if len(dots):
            thou = dots.str.match(_DOT_THOUSANDS_ONLY.pattern)
            dd = dots.str.match(_DOT_DECIMAL.pattern) & ~thou
            n_dot += int(dd.sum())
            n_dthou += int(thou.sum())
            if thou.any() and not dthou_example:
                dthou_example = str(dots[thou].iloc[0])
    customary_comma = sep in (";", "\t")
    n_amb = sum(k for v in amb.values() for _, k, _ in v)

    def cells(groups: list) -> dict:
        """The params naming the first cell of ``groups``: ``cells`` (said in the catalogue's words),
        ``ex`` (the cell), ``as_decimal`` and ``as_thousands`` (what it reads as)."""
        col, k, ex = groups[0]
        more = sum(x[1] for x in groups) - 1
        said = render("read.cells_such_as_more" if more else "read.cells_such_as", {"ex": ex, "column": col,
                                                                                     "more": more})
        return {"cells": said, "ex": ex, "as_decimal": ex.replace(",", "."), "as_thousands": ex.replace(",", "")}

    if n_comma and not n_dot:
        decimal = ","
        if amb["den"]:
            report.add("warning", "read.comma_decimal_counts", params=cells(amb["den"]), column=amb["den"][0][0],
                       action="inferred")
    elif n_comma and n_dot:
        decimal = "." if n_dot >= n_comma else ","
        report.add("warning", "mixed_decimal", params={"n_comma": n_comma, "n_dot": n_dot, "decimal": decimal},
                   action="inferred")
    elif n_amb and not n_dot and customary_comma and not amb["den"]:
        decimal = ","
        groups = amb["count"] + amb["rate"]  # in percent/share columns only, thousands are impossible
        params = cells(groups)
        params.update(how=render("read.comma_read_as_decimal", params), fix_code="read.comma_read_as_decimal")
        report.add("warning" if amb["count"] else "info", "comma_thousands", params=params,
                   column=groups[0][0], action="inferred")
    elif n_dthou and not n_dot and customary_comma:
        decimal = ","
        params = {"n": n_dthou, "ex": dthou_example, "as_thousands": dthou_example.replace(".", "")}
        params["how"] = render("read.dot_read_as_thousands", params)
        report.add("info", "dot_thousands", params=params, action="inferred")
    else:
        decimal = "."
        if n_amb and customary_comma:
            groups = amb["den"] + amb["count"] + amb["rate"]
            params = cells(groups)
            params["why"] = render("read.why_decimal_points" if n_dot else "read.why_whole_counts")
            params["how"] = render("read.comma_read_as_thousands", params)
            report.add("info", "comma_thousands", params=params, column=groups[0][0], action="inferred")
        if n_dthou:
            # '1.234' reads as a decimal; '1.234.567' cannot, and is reported per cell when parsed
            as_num = pd.to_numeric(pd.Series([dthou_example]), errors="coerce").iat[0]
            params = {"n": n_dthou, "ex": dthou_example, "as_thousands": dthou_example.replace(".", ""),
                      "as_decimal": f"{as_num:g}" if pd.notna(as_num) else ""}
            params["how"] = render("read.dot_read_as_decimals" if pd.notna(as_num) else
                                   "read.dot_read_as_decimals_one_dot", params)
            report.add("warning", "dot_thousands", params={**params, "fix_code": "read.dot_read_as_decimals"},
                       action="inferred")
    if decimal == ",":
        report.add("info", "decimal", params={}, action="inferred")
    return decimal


def _parse_numbers(text: pd.Series | None, nums: np.ndarray | None,
                   decimal: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Parse a column: values (float), status (ok/missing/bad), whether cells carried a ``%``.

    Plain numbers go through ``pd.to_numeric`` directly; only the other cells are stripped and
    repaired (thousands separators, decimal comma, ``%`` sign), so clean files stay fast.
    """
    if text is None:  # already numeric (an infinite value is not a number of households)
        values = nums.astype("float64")
        status = np.where(np.isnan(values), _MISSING, np.where(np.isfinite(values), _OK, _BAD)).astype(np.int8)
        return values, status, False
    n = len(text)
    values = np.full(n, np.nan)
    status = np.full(n, _OK, dtype=np.int8)
    has_num = np.zeros(n, dtype=bool) if nums is None else ~np.isnan(nums)
    if nums is not None:
        values[has_num] = nums[has_num]
        status[has_num & ~np.isfinite(values)] = _BAD
    todo = ~has_num
    pct_flag = False
    if decimal == ".":
        direct = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    else:  # one regex pass validates the usual decimal-comma forms, one translate repairs them
        well = text.str.fullmatch(_COMMA_FORM.pattern).to_numpy(dtype=bool, na_value=False)
        direct = np.full(n, np.nan)
        if well.any():
            fixed = text[well].str.translate(_COMMA_TABLE)
            direct[well] = pd.to_numeric(fixed, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            if text[well].str.contains("%", regex=False).any():
                pct_flag = True
    ok = todo & np.isfinite(direct)
    values[ok] = direct[ok]
    todo &= ~ok
    pct_sign = pct_flag
    if todo.any():
        idx = np.flatnonzero(todo)
        t = text.iloc[idx].str.strip()
        miss = t.isin(_MISSING_MARKERS).to_numpy()
        status[idx[miss]] = _MISSING
        idx, t = idx[~miss], t[~miss]
        pct = t.str.endswith("%")
        if pct.any():
            pct_sign = True
            t = t.str.rstrip("%").str.strip()
        spaced = t.str.match(_SPACE_THOUSANDS.pattern)
        if spaced.any():
            t = t.where(~spaced, t.str.replace(r"[ \u00a0\u202f\u2009']", "", regex=True))
        if decimal == ",":
            dotted = t.str.match(_DOT_THOUSANDS.pattern)
            t = t.where(~dotted, t.str.replace(".", "", regex=False))
            t = t.str.replace(",", ".", regex=False)
        else:
            commas = t.str.match(_COMMA_THOUSANDS.pattern)
            t = t.where(~commas, t.str.replace(",", "", regex=False))
        parsed = pd.to_numeric(t, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        values[idx] = parsed
        status[idx[~np.isfinite(parsed)]] = _BAD
        values[idx[~np.isfinite(parsed)]] = np.nan
    return values, status, pct_sign


def _decimals(text: pd.Series | None, values: np.ndarray) -> int:
    """Largest number of decimals shown in a column (for rounding tolerances)."""
    if text is not None:
        frac = text.str.extract(r"[.,](\d+)\s*%?\s*$", expand=False).dropna()
        return int(frac.str.len().max()) if len(frac) else 0
    v = values[~np.isnan(values)]
    for d in range(7):
        if np.allclose(v, np.round(v, d), atol=1e-9):
            return d
    return 6


def _text(s: pd.Series) -> pd.Series:
    if s.dtype == object:
        return s.map(lambda x: "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)).astype(str)
    return s.fillna("").astype(str) if not pd.api.types.is_numeric_dtype(s.dtype) else \
        s.astype(str).where(s.notna(), "")


def _lines_text(lines: np.ndarray, limit: int = 10) -> str:
    return ", ".join(map(str, lines[:limit])) + ("..." if len(lines) > limit else "")
