"""Splitting a text table into records: the column separator (scored on the first lines), quoted
cells spanning lines, and quotes that are never closed (removed, reported).

Examples
--------
>>> from egovkit.validate import ValidationReport
>>> _sniff_sep(["county;households", "Mombasa;1000", "Kwale;800"], ValidationReport())
';'
"""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .header_row import _header_score, _is_number
from .numbers import _lines_text

_SEPARATORS = (";", "\t", ",", "|")  # order breaks ties: decimal commas make "," look plausible
_SEP_LABEL = {"\t": "read.sep_tab", ",": "read.sep_comma", ";": "read.sep_semicolon", "|": "read.sep_pipe"}


@contextmanager
def _big_fields():
    """csv cells may be long (a note, a runaway quote): lift the 128 kB field limit for a while."""
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _split(lines: list[str], sep: str) -> list[list[str]]:
    """Quote-aware cells of a few lines (one record per line; a broken quote ends at the line)."""
    out = []
    with _big_fields():
        for ln in lines:
            if '"' in ln and _open_quote(ln, sep) is not None:  # an unclosed quote: split as if absent
                out.append(ln.split(sep))
                continue
            try:
                out.append(next(csv.reader([ln], delimiter=sep), []))
            except csv.Error:
                out.append(ln.split(sep))
    return out


def _sniff_sep(lines: list[str], report: ValidationReport) -> str:
    """The separator of the table, scored on the first non-blank lines.

    For each candidate: the best header row (most recognised column names) and the number of
    lines of the most common width (> 1 cell). Title lines, notes and ragged rows are outvoted by
    the consistent block of rows; ties go to ``;`` then tab then ``,`` then ``|``."""
    lines = [ln for ln in lines if ln.strip()][:60]
    best, best_key = ",", None
    for rank, cand in enumerate(_SEPARATORS):
        rows = _split(lines, cand)
        # trailing empty cells do not count (ragged exports: "A;1;2;;"), unless the rows are more alike
        # with them (a last column left empty in some rows: "00105;Ñuñoa;1,000;")
        n_mode, width = 0, 0
        for trim in (True, False):
            widths = pd.Series([len(r) - (next((k for k, c in enumerate(reversed(r)) if c.strip()), len(r))
                                          if trim else 0) for r in rows], dtype="int64")
            widths = widths[widths > 1]
            if widths.empty:
                continue
            counts = widths.value_counts()
            if int(counts.max()) > n_mode:
                n_mode = int(counts.max())
                width = int(counts[counts == n_mode].index.max())
        if not n_mode:
            continue
        head = max((_header_score(r) for r in rows[:25] if len(r) > 1 and not sum(map(_is_number, r))),
                   default=0)
        key = (min(head, 2), n_mode, head, width, -rank)
        if best_key is None or key > best_key:
            best, best_key = cand, key
    params = {"label": render(_SEP_LABEL[best]), "sep": repr(best)}
    if not best_key:
        params["fix_code"] = "read.no_separator"
    report.add("info", "separator", params=params, action="inferred")
    return best


def _open_quote(line: str, sep: str) -> int | None:
    """Position of the quote that opens a cell of ``line`` and is still open at its end."""
    in_q, start, pos = False, True, None
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if in_q:
            if c == '"':
                if i + 1 < n and line[i + 1] == '"':
                    i += 2
                    continue
                in_q = False
        elif c == sep:
            start = True
            i += 1
            continue
        elif c == '"' and start:
            in_q, pos = True, i
        start = False
        i += 1
    return pos if in_q else None


def _well_quoted(record: str, sep: str) -> bool:
    """Whether every quoted cell of a record closes right before a separator or a line end
    (``"12"3`` or a quote closing on the next line in front of text is a broken quote)."""
    in_q, start, i, n = False, True, 0, len(record)
    while i < n:
        c = record[i]
        if in_q:
            if c == '"':
                if i + 1 < n and record[i + 1] == '"':
                    i += 2
                    continue
                in_q = False
                if i + 1 < n and record[i + 1] not in (sep, "\n", "\r"):
                    return False
        elif c in (sep, "\n"):
            start = True
            i += 1
            continue
        elif c == '"' and start:
            in_q = True
        start = False
        i += 1
    return True


def _records(text: str, sep: str, name: str, report: ValidationReport) -> tuple[str, list[list[str]], list[int]]:
    """Split the text into records with the physical line where each starts (1-based).

    A quoted cell may span lines (a header ``"Number of\\nhouseholds"``); a quote that is never
    closed would swallow the next rows: when a multi-line cell holds a separator or more than five
    line ends, closes in front of text, or reaches the end of the file, its opening quote is
    removed (reported) and the text split again. Returns the (repaired) text, the records and their first lines."""
    repaired: list[int] = []
    for _ in range(51):
        records, starts, bad = [], [], None
        n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        reader = csv.reader(io.StringIO(text), delimiter=sep)
        prev = 0
        with _big_fields():
            try:
                for row in reader:
                    start, prev = prev + 1, reader.line_num
                    if any("\n" in c for c in row):  # (on one line: a quote open at the end of the file)
                        cell = next(c for c in row if "\n" in c)
                        last = prev >= n_lines and not text.rstrip().endswith('"')
                        if sep in cell or last or cell.count("\n") > 5 or \
                                not _well_quoted("\n".join(text.split("\n", prev)[start - 1:prev]), sep):
                            bad = start
                            break
                    records.append(row)
                    starts.append(start)
            except csv.Error as exc:
                raise InputError(code="read.cannot_split_rows", params={"line": prev + 1, "detail": str(exc)},
                                 file=name) from exc
        if bad is None:
            break
        lines = text.split("\n")
        k = bad - 1
        while k < len(lines) and _open_quote(lines[k], sep) is None:
            k += 1  # the runaway cell may open on a later line of the record
        if k >= len(lines):
            raise InputError(code="read.quote_never_closed", params={"line": bad}, file=name, row=bad)
        p = _open_quote(lines[k], sep)
        lines[k] = lines[k][:p] + lines[k][p + 1:]
        text = "\n".join(lines)
        repaired.append(k + 1)
    else:
        raise InputError(code="read.too_many_open_quotes", params={"lines": _lines_text(np.array(repaired))},
                         file=name, row=repaired[0])
    if repaired:
        report.add("warning", "unclosed_quote", params={"lines": _lines_text(np.array(repaired))},
                   row=repaired[0], action="repaired")
    return text, records, starts

