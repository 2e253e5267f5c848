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
from ..validate import ValidationReport
from .header_row import _header_score, _is_number
from .numbers import _lines_text

_SEPARATORS = (";", "\t", ",", "|")  # order breaks ties: decimal commas make "," look plausible
_SEP_LABEL = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}


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
        # trailing empty cells do not count (ragged exports: "A;1;2;;")
        widths = pd.Series([len(r) - next((k for k, c in enumerate(reversed(r)) if c.strip()), len(r))
                            for r in rows], dtype="int64")
        widths = widths[widths > 1]
        if widths.empty:
            continue
        counts = widths.value_counts()
        n_mode = int(counts.max())
        width = int(counts[counts == n_mode].index.max())
        head = max((_header_score(r) for r in rows[:25] if len(r) > 1 and not sum(map(_is_number, r))),
                   default=0)
        key = (min(head, 2), n_mode, head, width, -rank)
        if best_key is None or key > best_key:
            best, best_key = cand, key
    report.add("info", "separator", f"column separator detected: {_SEP_LABEL[best]} ({best!r})", action="inferred",
               fix=None if best_key else "no separator splits the lines; pass sep=")
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
                raise InputError(f"cannot split the rows into cells near line {prev + 1} ({exc})", file=name,
                                 fix="check the quotes and the separator of that line (pass sep=)") from exc
        if bad is None:
            break
        lines = text.split("\n")
        k = bad - 1
        while k < len(lines) and _open_quote(lines[k], sep) is None:
            k += 1  # the runaway cell may open on a later line of the record
        if k >= len(lines):
            raise InputError(f"a quoted cell starting on line {bad} is never closed", file=name, row=bad,
                             fix='close the quote (") or remove it')
        p = _open_quote(lines[k], sep)
        lines[k] = lines[k][:p] + lines[k][p + 1:]
        text = "\n".join(lines)
        repaired.append(k + 1)
    else:
        raise InputError(f"more than 50 quotes are never closed (lines {_lines_text(np.array(repaired))})",
                         file=name, row=repaired[0], fix='check the quoting of the file: a cell that opens with " '
                                                         'must close with "')
    if repaired:
        report.add("warning", "unclosed_quote", f"a quote opening a cell is never closed on line(s) "
                   f"{_lines_text(np.array(repaired))}: it would have swallowed the next rows; removed",
                   row=repaired[0], action="repaired", fix='check these lines; close the quote (") or remove it')
    return text, records, starts

