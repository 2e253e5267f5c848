"""Delimited text (CSV/TSV/TXT) read into text cells, never shifting a column.

:func:`read_records` reads a file into text cells with the physical line where each record starts
(quoted cells over several lines included), whatever its encoding (:mod:`.text_file`), separator,
title lines, quoting or ragged rows, and turns everything it cannot read into an
:class:`InputError` naming the file and the fix.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
>>> _ = p.write_text('name;lat;lon\\n"Gare\\ncentrale";48,85;2,35;\\n')
>>> df, lines = read_records(p, ValidationReport(), what="hotspot list")
>>> lines.tolist(), df["lat"].tolist()
([2], ['48,85'])
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .text_file import check_file, decode_text, what_text

__all__ = ["read_records", "MAX_LISTED"]

#: Rows listed by name in a summary issue; beyond it, issues are summarised.
MAX_LISTED = 20

csv.field_size_limit(2**31 - 1)  # a long cell is data, not an error

_SEPS = (",", ";", "\t", "|")
_SEP_LABEL = {",": "coverage.sep_comma", ";": "coverage.sep_semicolon", "\t": "coverage.sep_tab",
              "|": "coverage.sep_pipe"}


# -- text -> records -----------------------------------------------------------------------------
def _records(text: str, sep: str, limit: int | None = None,
             empty: list[int] | None = None) -> tuple[list[list[str]], list[int], list[int]]:
    """Records (quote-aware), the physical line where each starts and where each ends; the lines of
    records made only of separators go to ``empty`` (blank lines are not records)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    ends: list[int] = []
    prev = 0
    for row in reader:
        if row and "".join(row).strip():
            rows.append(row)
            starts.append(prev + 1)
            ends.append(reader.line_num)
            if limit is not None and len(rows) >= limit:
                break
        elif len(row) > 1 and empty is not None:
            empty.append(prev + 1)
        prev = reader.line_num
    return rows, starts, ends


def _header_index(rows: list[list[str]]) -> int:
    """Index of the header: title lines (one cell) above a header of several cells are skipped."""
    h = 0
    # a title is prose (one separator character at most) and narrower than the rows below it
    while h < min(10, len(rows) - 1) and len(rows[h]) - 1 + sum("".join(rows[h]).count(s) for s in _SEPS) <= 1:
        widths = pd.Series([len(_trim(r)) for r in rows[h + 1:h + 51]])
        widths = widths[widths >= 2]
        if widths.empty or len(_trim(rows[h])) >= int(widths.mode().max()):
            break
        h += 1
    return h


def _plausible_names(cells: list[str]) -> int:
    """Header cells that look like whole names: brackets balanced, no leading or trailing space."""
    return sum(c.count("(") == c.count(")") and c.count("[") == c.count("]") and c == c.strip() for c in cells)


def _sniff(text: str, name: str, report: ValidationReport) -> str:
    """The separator that splits the header into > 1 columns and the most rows into as many cells."""
    # line by line (a stray quote must not hide the separator); multi-line cells only lower every score
    lines = [ln for ln in io.StringIO(text[:200_000], newline=None).read().split("\n") if ln.strip()][:60]
    best, best_score = ",", (False, False, -99, -1.0, 0)
    for sep in _SEPS:
        rows = [next(csv.reader([ln], delimiter=sep, strict=False), []) for ln in lines]
        if not rows:
            continue
        h = _header_index(rows)
        hw = len(_trim(rows[h]))
        if hw < 2:
            continue
        body = [_unquoted(ln, sep, hw) if ln.count('"') % 2 else r for ln, r in zip(lines[h + 1:], rows[h + 1:])]
        same = sum(_full_row(r, hw) for r in body) / max(len(body), 1)
        # mostly consistent first, then without title lines skipped, then the most consistent
        # whole names in the header, then mostly consistent rows, then no title lines skipped
        score = (_plausible_names(rows[h]) == len(rows[h]), same >= 0.6, -h, same, hw)
        if score > best_score:
            best, best_score = sep, score
    if best_score[3] < 0:
        report.add("info", "coverage.one_column", params={}, action="inferred")
    else:
        report.add("info", "coverage.separator", params={"label": render(_SEP_LABEL[best]), "sep": repr(best)},
                   action="inferred")
    return best


def _trim(row: list[str]) -> list[str]:
    """A row without its trailing empty cells."""
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return row[:n]


def _unquoted(line: str, sep: str, hw: int) -> list[str]:
    """One physical line split on its own. With an odd number of quotes, the quote that opens a cell
    without closing it is read as a plain character: the first such quote whose removal gives a
    full row; failing that, the line is split without quote rules."""
    if line.count('"') % 2 == 0:
        return next(csv.reader([line], delimiter=sep, strict=False), [])
    mark = "\ue000"  # a private-use character stands for the stray quote while splitting
    for q in [m.start() for m in re.finditer('"', line)]:
        if q and line[q - 1] != sep:
            continue
        cells = next(csv.reader([line[:q] + mark + line[q + 1:]], delimiter=sep, strict=True), []) \
            if _balanced(line[:q] + line[q + 1:], sep) else None
        if cells is not None and _full_row(cells, hw):
            return [c.replace(mark, '"') for c in cells]
    cells = next(csv.reader([line], delimiter=sep, quoting=csv.QUOTE_NONE), [])
    out = []
    for c in cells:
        t = c.strip()
        out.append(t[1:-1].replace('""', '"') if len(t) > 1 and t[0] == t[-1] == '"' else c)
    return out


def _balanced(line: str, sep: str) -> bool:
    """Quotes of a line (or block of lines) that form well-closed quoted cells (no error in strict mode)."""
    try:
        for _ in csv.reader(io.StringIO(line, newline=""), delimiter=sep, strict=True):
            pass
    except csv.Error:
        return False
    return True


def _full_row(cells: list[str], hw: int) -> bool:
    """A line that holds a whole row on its own: the header's number of cells (trailing empty ones aside)."""
    return len(cells) >= hw and len(_trim(cells)) <= hw


def _repair_quotes(text: str, sep: str, hw: int, rows: list[list[str]], starts: list[int], ends: list[int],
                   name: str, report: ValidationReport) -> tuple[list[list[str]], list[int]]:
    """Records broken by an unbalanced quote, read again line by line (reported).

    A record over several lines comes from an unbalanced quote when it has fewer cells than the
    header, or when its quotes are not well formed and each of its lines holds a row on its own
    (the header's cells or more); a one-line record when its line
    has an odd number of quotes and a quoted cell that does not close before a separator.
    """
    if '"' not in text:
        return rows, starts
    physical = io.StringIO(text, newline=None).read().split("\n")
    out_rows: list[list[str]] = []
    out_lines: list[int] = []
    for row, s, e in zip(rows, starts, ends):
        split = False
        if e > s:
            parts = [_unquoted(physical[i - 1], sep, hw) for i in range(s, e + 1) if i - 1 < len(physical)]
            split = len(row) < hw or (not _balanced("\n".join(physical[s - 1:e]), sep) and all(
                len(p) >= hw for p in parts if any(c.strip() for c in p)))
        elif s - 1 < len(physical) and physical[s - 1].count('"') % 2 == 1 and not _balanced(physical[s - 1], sep):
            parts = [_unquoted(physical[s - 1], sep, hw)]
            split = _full_row(parts[0], hw) or len(parts[0]) > len(row)
        if split:
            kept = [(s + k, p) for k, p in enumerate(parts) if any(c.strip() for c in p)]
            report.add("warning", "coverage.unbalanced_quote" if e == s else "coverage.unbalanced_quote_lines",
                       params={"line": s, "last": e, "n": len(kept), "fix_code": "coverage.unbalanced_quote"},
                       row=s, action="repaired")
            for line, p in kept:
                out_rows.append(p)
                out_lines.append(line)
            continue
        out_rows.append(row)
        out_lines.append(s)
    return out_rows, out_lines


def _text_and_separator(path: Path, what: str, report: ValidationReport) -> tuple[str, str]:
    """The file's text and its column separator (Excel's ``sep=;`` first line, or sniffed)."""
    name = str(path)
    check_file(path, what)
    text = decode_text(path.read_bytes(), name, what, report)
    if not text.strip():
        raise InputError(code="coverage.blank_lines_only", params={"what": what_text(what)}, file=name)
    first = text.lstrip("\ufeff").split("\n", 1)
    hint = re.fullmatch(r"\s*sep=(.)\s*", first[0])
    if hint and len(first) > 1:  # Excel's "sep=;" first line
        sep = hint.group(1)
        report.add("info", "coverage.separator_given", params={"quoted": repr(sep), "sep": sep}, row=1,
                   action="inferred")
        text = " " * len(first[0]) + "\n" + first[1]  # keeps the line numbers
        return text, sep
    return text, _sniff(text, name, report)


def _header_row(rows: list[list[str]], starts: list[int], ends: list[int], empty: list[int],
                numeric: Callable[[list[str]], Iterable[int]] | None,
                report: ValidationReport) -> tuple[list[list[str]], list[int], list[int]]:
    """The records from the header on: title lines above it and rows of separators only are reported."""
    h = _header_index(rows)
    if numeric is not None and not list(numeric(_names(rows[h]))):
        # the header is the first of the top rows that names coordinate columns (titles above it)
        h = next((k for k in range(h + 1, min(h + 11, len(rows))) if list(numeric(_names(rows[k])))), h)
    if h:
        report.add("info", "coverage.title_lines", params={"n": h, "lines": ", ".join(str(x) for x in starts[:h]),
                                                          "header": starts[h]}, row=starts[h], action="ignored")
        rows, starts, ends = rows[h:], starts[h:], ends[h:]
    empty = [e for e in empty if e > starts[0]]
    if empty:
        report.add("info", "coverage.empty_rows", params={"n": len(empty), "rows": _listed(empty)}, row=empty[0],
                   action="dropped")
        report.set_fate(empty, "dropped")
    if ends[0] > starts[0]:
        report.add("warning", "coverage.multiline_header", params={"first": starts[0], "last": ends[0]},
                   row=starts[0], action="kept")
    return rows, starts, ends


def _column_names(header: list[str], report: ValidationReport) -> list[str]:
    """Names of the header's cells: empty -> ``column_N``, repeated -> ``name.1`` (as pandas does)."""
    seen: dict[str, int] = {}
    names = []
    for j, h in enumerate(header):
        h = h or f"column_{j + 1}"
        if h in seen:
            seen[h] += 1
            report.add("warning", "coverage.duplicate_column_name", params={"column": h, "copy": f"{h}.{seen[h]}"},
                       column=h, action="repaired")
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        names.append(h)
    return names


def _joined(row: list[str], stop: int, hw: int, num_cols: list[int]) -> tuple[list[str], list[str]] | None:
    """The row with decimal-comma numbers joined back, trying its first ``hw + 4`` cells down to ``stop + 1``."""
    for end in range(min(len(row), hw + 4), stop, -1):
        fixed = _join_decimal_commas(row[:end], hw, num_cols)
        if fixed is not None:
            return fixed
    return None


def _fit_rows(rows: list[list[str]], lines: list[int], hw: int, num_cols: list[int]) -> tuple[
        list[list[str]], dict[str, list[Any]]]:
    """Every row cut or padded to the header's ``hw`` cells, never shifting a column; and what was
    done: ``joined`` (line, joined numbers), ``trailing`` (lines of empty extra cells), ``extra``
    (line, extra cells ignored), ``short`` (lines padded)."""
    cells: list[list[str]] = []
    trailing, short, extra, joined = [], [], [], []
    for row, line in zip(rows, lines):
        if len(row) == hw:  # the common case
            cells.append(row)
            continue
        t = _trim(row)
        if len(t) > hw:
            # a decimal comma in a comma-separated file splits a number over two cells (the row's
            # empty last cells count: "-1,29,36,82,," may be two numbers and an empty column)
            fixed = _joined(row, len(t) - 1, hw, num_cols)
            if fixed is not None:
                joined.append((line, fixed[1]))
                t = fixed[0]
            else:
                extra.append((line, t[hw:]))
                t = t[:hw]
        elif len(row) > hw:
            trailing.append((line, len(cells), row))
        if len(t) < hw:
            if len(row) < hw:
                short.append(line)
            t = t + [""] * (hw - len(t))
        cells.append(t[:hw])
    if joined and trailing:
        # the file splits decimal-comma numbers: a row whose extra cells are empty may be one of them
        # ("1,29,36,82,," with its last two columns empty)
        still = []
        for line, k, row in trailing:
            fixed = _joined(row, hw, hw, num_cols)
            if fixed is not None:
                joined.append((line, fixed[1]))
                cells[k] = fixed[0][:hw] + [""] * (hw - len(fixed[0][:hw]))
            else:
                still.append((line, k, row))
        trailing = still
        joined.sort()
    return cells, {"joined": joined, "trailing": [t[0] for t in trailing], "extra": extra, "short": short}


def _report_fitting(done: dict[str, list[Any]], hw: int, report: ValidationReport) -> None:
    """The repairs of :func:`_fit_rows`, one issue each (extra cells: one per row up to ``MAX_LISTED``)."""
    joined, trailing, extra, short = done["joined"], done["trailing"], done["extra"], done["short"]
    if joined:
        report.add("warning", "coverage.decimal_comma_split",
                   params={"n": len(joined), "row": joined[0][0], "cells": ", ".join(joined[0][1]),
                           "rows": _listed([j[0] for j in joined])}, row=joined[0][0], action="repaired")
    if trailing:
        report.add("info", "coverage.trailing_separator", params={"n": len(trailing), "hw": hw,
                                                                  "rows": _listed(trailing)},
                   row=trailing[0], action="ignored")
    for line, ex in extra[:MAX_LISTED]:
        report.add("warning", "coverage.extra_cells", params={"n": hw + len(ex), "hw": hw, "cells": str(ex[:5])},
                   row=line, action="ignored")
    if len(extra) > MAX_LISTED:
        report.add("warning", "coverage.extra_cells_more",
                   params={"n": len(extra) - MAX_LISTED, "rows": _listed([e[0] for e in extra[MAX_LISTED:]])},
                   row=extra[MAX_LISTED][0], action="ignored")
    if short:
        report.add("info", "coverage.short_rows", params={"n": len(short), "rows": _listed(short)}, row=short[0],
                   action="repaired")


def read_records(path: Path, report: ValidationReport, *, what: str,
                 numeric: Callable[[list[str]], Iterable[int]] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Text cells of a delimited file and the physical line where each record starts (header = line 1).

    Never shifts columns: rows with more cells than the header keep the header's columns (a decimal
    comma that split a number in a comma-separated file is joined back when ``numeric`` says which
    columns hold numbers and the repair is unambiguous; other extra cells are reported), shorter rows
    are padded with empty cells. Blank lines are skipped (they are not records).

    Parameters
    ----------
    path
        The file.
    report
        Where repairs and guesses are recorded.
    what
        What the file is, for messages ("hotspot list", "population").
    numeric
        Given the header, the positions of the columns that hold decimal numbers (coordinates).

    Returns
    -------
    (DataFrame of str or None cells, line of each row)
    """
    name = str(path)
    text, sep = _text_and_separator(path, what, report)
    empty: list[int] = []
    rows, starts, ends = _records(text, sep, empty=empty)
    if not rows:
        raise InputError(code="coverage.only_separators", params={"what": what_text(what)}, file=name)
    rows, starts, ends = _header_row(rows, starts, ends, empty, numeric, report)
    header = _names(rows[0])
    hw = len(_trim(header)) or 1
    rows, lines = _repair_quotes(text, sep, hw, rows[1:], starts[1:], ends[1:], name, report)
    if not rows:
        raise InputError(code="coverage.header_only", params={"what": what_text(what), "columns": header[:6]},
                         file=name)
    names = _column_names(header[:hw], report)
    num_cols = sorted(set(numeric(names))) if numeric is not None else []
    cells, done = _fit_rows(rows, lines, hw, num_cols)
    _report_fitting(done, hw, report)
    df = pd.DataFrame(cells, columns=names, dtype=object)
    for c in df.columns:  # blank cells are missing
        col = df[c]
        blank = col.str.strip().eq("").to_numpy(dtype=bool)
        if blank.any():
            df[c] = col.mask(blank, None)
    return df, np.asarray(lines, dtype=np.int64)


def _names(row: list[str]) -> list[str]:
    return [c.strip().lstrip("\ufeff").strip() for c in row]


def _listed(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:MAX_LISTED]) + (" ..." if len(rows) > MAX_LISTED else "")


_INT = re.compile(r"^\s*[+-]?\d{1,3}\s*$")
_DIGITS = re.compile(r"^\d+\s*$")


def _join_decimal_commas(cells: list[str], hw: int, num_cols: list[int]) -> tuple[list[str], list[str]] | None:
    """Join ``k = len(cells) - hw`` pairs (integer, digits) back into decimal-comma numbers so that every
    joined cell lands on a numeric column; None unless exactly one such way exists."""
    k = len(cells) - hw
    if not num_cols or k > len(num_cols) or k > 4:
        return None
    cand = [i for i in range(len(cells) - 1) if _INT.match(cells[i]) and _DIGITS.match(cells[i + 1])]
    if len(cand) > 12:
        return None
    found: list[tuple[int, ...]] = []

    def rec(start: int, chosen: tuple[int, ...]) -> None:
        if len(found) > 1:
            return
        if len(chosen) == k:
            # position of each joined cell after the joins before it
            pos = [c - n for n, c in enumerate(chosen)]
            if all(p in num_cols for p in pos):
                found.append(chosen)
            return
        for _idx, c in enumerate(cand):
            if c >= start:
                rec(c + 2, chosen + (c,))

    rec(0, ())
    if len(found) != 1:
        return None
    chosen = set(found[0])
    out, joined, i = [], [], 0
    while i < len(cells):
        if i in chosen:
            out.append(f"{cells[i].strip()},{cells[i + 1].strip()}")
            joined.append(out[-1])
            i += 2
        else:
            out.append(cells[i])
            i += 1
    return out, joined

