"""Numbers of text cells: decimal commas, thousands separators, hemisphere letters, degrees-minutes-seconds.

:func:`parse_numbers` reads coordinates and counts however they are written and says in the
report what it read and what it could not.

Examples
--------
>>> rep = ValidationReport()
>>> parse_numbers(pd.Series(["48,85", "40 42 46 N", "n/a"]), "lat", np.array([2, 3, 4]), rep,
...               degrees=True, comma_decimal=True)[0].round(4).tolist()
[48.85, 40.7128, nan]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..validate import ValidationReport
from .delimited import MAX_LISTED, _listed

__all__ = ["parse_numbers"]

_MISSING = {"", "na", "n/a", "n.a.", "nan", "null", "none", "-", "--", "?", "nd", "n.d.", "missing", "unknown",
            "#n/a", "#value!", "nil", "s/o", "s.o."}
_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_COMMA_DEC = re.compile(r"^[+-]?\d*,\d+$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DOT_THOUSANDS_COMMA_DEC = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")
_SPACE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009']\d{3})+(?:[.,]\d+)?$")
_DMS = re.compile(r"""^\s*([NSEW+-]?)\s*(\d+(?:[.,]\d+)?)\s*(?:°|º|˚|d|deg|\s)\s*
                      (?:(\d+(?:[.,]\d+)?)\s*(?:'|′|’|m|min|\s)\s*)?
                      (?:(\d+(?:[.,]\d+)?)\s*(?:"|″|''|s|sec)?\s*)?([NSEW]?)\s*$""", re.X | re.I)
_HEMI = re.compile(r"^\s*([NSEW])?\s*([+-]?\d+(?:[.,]\d+)?)\s*°?\s*([NSEW])?\s*$", re.I)


def parse_numbers(cells: pd.Series, column: str, lines: np.ndarray, report: ValidationReport, *,
                  degrees: bool = False, comma_decimal: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of a text column and a mask of cells that are present but not numbers.

    Decimal commas (``40,7128``), thousands separators (``1,234.5``, ``1.234,5``, ``1 234``), a
    Unicode minus and, when ``degrees``, hemisphere letters (``40.71 N``, ``W 73.9``) and
    degrees-minutes-seconds (``40°42'46"N``) are read and counted in the report; placeholders
    (``n/a``, ``-``, ``null``) are missing. A comma is a decimal mark when ``comma_decimal`` (latitudes
    and longitudes); by default it is a thousands separator only when the column says so
    (``1,234.5``, or every comma followed by three digits next to decimal points), which is reported.
    """
    n = len(cells)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    if not n:
        return out, bad
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        return pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float), bad
    text = pd.Series(cells.to_numpy(dtype=object), dtype="string").str.strip()
    text = text.str.replace("\u2212", "-", regex=False).str.replace("\u2013", "-", regex=False)
    present = (text.notna() & ~text.str.lower().isin(_MISSING)).to_numpy(dtype=bool)
    text = text.where(present)
    plain_text = text.where(text.str.fullmatch(_PLAIN.pattern).fillna(False).astype(bool))
    out = pd.to_numeric(plain_text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    plain = np.isfinite(out)
    out[~plain] = np.nan
    norm = text.astype(object).where(present, None).tolist()
    rest = np.flatnonzero(present & ~plain).tolist()
    if not rest:
        return out, bad
    vals = [norm[i] for i in rest]
    commas = [v for v in vals if _COMMA_DEC.match(v)]
    if any(_COMMA_THOUSANDS.match(v) and "." in v for v in vals) or any(
            v.count(",") > 1 and _COMMA_THOUSANDS.match(v) for v in vals):
        comma_decimal = False
    elif comma_decimal or any(len(v.split(",")[1]) != 3 or not _COMMA_THOUSANDS.match(v) for v in commas):
        comma_decimal = True
    else:  # every comma has three digits after it: 1,234 (thousands) or 1,234 (decimal)?
        comma_decimal = not any("." in (norm[i] or "") for i in np.flatnonzero(plain))
        if commas:
            report.add("warning",
                       "coverage.comma_guessed_decimal" if comma_decimal else "coverage.comma_guessed_thousands",
                       params={"n": len(commas), "example": commas[0], "fix_code": "coverage.comma_guessed_decimal"},
                       column=column, action="guessed")
    counts = {"decimal comma": 0, "thousands": 0, "hemisphere": 0, "dms": 0}
    for i, v in zip(rest, vals):
        x = None
        if _COMMA_DEC.match(v) and comma_decimal:
            x = float(v.replace(",", "."))
            counts["decimal comma"] += 1
        elif _COMMA_THOUSANDS.match(v) and not comma_decimal:
            x = float(v.replace(",", ""))
            counts["thousands"] += 1
        elif _DOT_THOUSANDS_COMMA_DEC.match(v):
            x = float(v.replace(".", "").replace(",", "."))
            counts["thousands"] += 1
        elif _SPACE_THOUSANDS.match(v):
            x = float(re.sub(r"[ \u00a0\u202f\u2009']", "", v).replace(",", "."))
            counts["thousands"] += 1
        elif degrees:
            x = _degrees(v)
            if x is not None:
                counts["hemisphere" if _HEMI.match(v) else "dms"] += 1
        if x is None or not np.isfinite(x):
            bad[i] = True
        else:
            out[i] = x
    for k, c in counts.items():
        if c:
            report.add("info", "coverage.number_decimal_comma" if k == "decimal comma"
                       else "coverage.number_thousands" if k == "thousands"
                       else "coverage.number_hemisphere" if k == "hemisphere" else "coverage.number_dms",
                       params={"n": c}, column=column, action="repaired")
    if bad.any():
        where = np.flatnonzero(bad)
        for i in where[:MAX_LISTED]:
            report.add("warning", "coverage.not_a_number", params={"value": norm[i]}, row=int(lines[i]), column=column,
                       action="kept apart")
        if len(where) > MAX_LISTED:
            report.add("warning", "coverage.not_a_number_more",
                       params={"n": len(where) - MAX_LISTED,
                               "rows": _listed([int(lines[i]) for i in where[MAX_LISTED:]])},
                       row=int(lines[where[MAX_LISTED]]), column=column, action="kept apart")
    return out, bad


def _degrees(v: str) -> float | None:
    m = _HEMI.match(v)
    if m and (m.group(1) or m.group(3)) and not (m.group(1) and m.group(3)):
        x = float(m.group(2).replace(",", "."))
        hemi = (m.group(1) or m.group(3)).upper()
        return -abs(x) if hemi in "SW" else x
    m = _DMS.match(v)
    if not m:
        return None
    sign_pre, d, mi, se, hemi = m.groups()
    if not (mi or se or hemi or "°" in v):
        return None
    def num(t: str | None) -> float:
        return float((t or "0").replace(",", "."))

    x = num(d) + num(mi) / 60 + num(se) / 3600
    h = (hemi or sign_pre or "").upper()
    if h in ("S", "W", "-"):
        x = -x
    return x
