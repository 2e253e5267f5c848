"""Notes and sources under (or inside) a table (``Source: ...``, ``(1) ...``, ``* provisional``):
rows that are not districts, dropped with one note naming their lines.

Examples
--------
>>> bool(_NOTE_START.match("Source: KNBS 2019")), bool(_NOTE_START.match("Mombasa"))
(True, False)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..validate import ValidationReport
from .numbers import _lines_text, _text

#: First words of notes and sources under (or inside) a table: "Source: ...", "(1) ...", "* ...".
_NOTE_START = re.compile(r"^\s*(?:sources?|notes?|notas?|fuentes?|fontes?|remarques?|lecture|reading|champ|scope|"
                         r"footnotes?|avertissement|n\.\s?b\.?|nb|definitions?|d[ée]finitions?)\s*[:.\-]"
                         r"|^\s*(?:[*\u2020\u2021\u00b9\u00b2\u00b3]|\(\w{1,3}\)|\[\w{1,3}\]|\w\))", re.IGNORECASE)


def _drop_note_rows(raw: pd.DataFrame, lines: np.ndarray,
                    report: ValidationReport) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows that are notes, not districts: the first cell opens like a note (``Source: ...``,
    ``(1) ...``, ``* provisional``) and no other cell is a number (a note split at its commas
    or semicolons still is one), or the first cell is a sentence of 60+ characters and the others
    are empty. Dropped (their fate) with one note naming their lines."""
    if raw.shape[1] < 2 or not len(raw):
        return raw, lines
    col0 = raw.iloc[:, 0]
    if pd.api.types.is_numeric_dtype(col0.dtype):
        return raw, lines
    codes, uniq = pd.factorize(col0.to_numpy(dtype=object))  # once per distinct text (long tables repeat)
    u_marked = np.array([isinstance(x, str) and _NOTE_START.match(x) is not None for x in uniq], dtype=bool)
    u_long = np.array([isinstance(x, str) and len(x) > 60 for x in uniq], dtype=bool)
    ok = codes >= 0
    marked, long_ = np.zeros(len(col0), dtype=bool), np.zeros(len(col0), dtype=bool)
    marked[ok], long_[ok] = u_marked[codes[ok]], u_long[codes[ok]]
    if not (marked.any() or long_.any()):
        return raw, lines
    first = _text(raw.iloc[:, 0]).str.strip()
    idx = np.flatnonzero(marked | long_)
    rest = raw.iloc[idx, 1:]
    filled = np.zeros(len(idx), dtype=bool)
    number = np.zeros(len(idx), dtype=bool)
    for j in range(rest.shape[1]):
        col = rest.iloc[:, j]
        txt = _text(col).str.strip()
        filled |= (txt != "").to_numpy() & col.notna().to_numpy()
        number |= txt.str.fullmatch(r"[+-]?[\d\s.,\u00a0\u202f]*\d[\d\s.,\u00a0\u202f]*%?").to_numpy(dtype=bool) \
            & col.notna().to_numpy()
    notes = idx[(marked[idx] & ~number) | (long_[idx] & ~filled)]
    if not len(notes):
        return raw, lines
    report.set_fate(lines[notes], "dropped")
    report.add("info", "note_rows", params={"n": len(notes), "rows": _lines_text(lines[notes]),
                                            "first": repr(first.iat[notes[0]][:60])},
               row=int(lines[notes[0]]), action="dropped")
    keep = np.ones(len(raw), dtype=bool)
    keep[notes] = False
    return raw.loc[keep].reset_index(drop=True), lines[keep]
