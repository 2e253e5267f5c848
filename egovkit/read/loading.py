"""Loading a table file into raw cells: refusing what is not a table, decoding, separators,
records, the header row, and notes under the table.

The steps live in their own modules: :mod:`~egovkit.read.file_kinds` (what kind of file it is),
:mod:`~egovkit.read.decoding` (the encoding, line ends, NUL bytes), :mod:`~egovkit.read.records`
(the separator, quoted cells), :mod:`~egovkit.read.header_row` (title lines above the header) and
:mod:`~egovkit.read.note_rows` (notes under the table); their names stay importable from here.

Examples
--------
>>> _find_header([["Census 2019", None], ["county", "households"], ["Mombasa", 1000]])
1
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport

# names imported from here by crosstab_grid and the package: kept importable from this module
from .decoding import _clean_text, _decode  # noqa: F401
from .eurostat import is_bulk_tsv, read_bulk_tsv
from .file_kinds import _EXCEL_SUFFIXES, _GEO_SUFFIXES, _read_sheet, _sniff_binary, _zipped_boundaries
from .header_row import _find_header
from .note_rows import _NOTE_START, _drop_note_rows  # noqa: F401
from .records import _records, _sniff_sep
from .roles import column_role

_TEXT_ROLES = {"area", "code", "level", "parent", "indicator"}


def _raw_names(first: list[list[str]], h: int, stripped: list[str]) -> list[str]:
    """Header cells as pandas will name them (unstripped) for the given stripped names."""
    if not first:
        return []
    keep = set(stripped)
    return [c for c in first[h] if c.strip() in keep]


def _drop_duplicate_columns(raw: pd.DataFrame, names: list[str],
                            report: ValidationReport) -> pd.DataFrame:
    """Keep the first of columns with the same header (``names``: the header as written, by
    position) and report the others: an indicator given twice cannot be told apart."""
    if len(names) != raw.shape[1]:
        return raw
    seen: dict[str, int] = {}
    keep = []
    for j, n in enumerate(names):
        if n in seen and n.strip():
            report.add("warning", "duplicate_column_name", params={"column": n, "first": seen[n] + 1, "other": j + 1},
                       column=n, action="ignored")
            continue
        seen.setdefault(n, j)
        keep.append(j)
    out = raw.iloc[:, keep]
    out.columns = [names[j] if names[j].strip() else f"Unnamed: {j}" for j in keep]  # blank names stay apart
    return out



def _load(source: str | Path | pd.DataFrame, *, sheet: int | str, encoding: str | None,
          sep: str | None, report: ValidationReport,
          text_columns: frozenset[str] = frozenset(),
          decimal: str | None = None) -> tuple[pd.DataFrame, np.ndarray, str | None]:
    """Return the raw cells, the 1-based line number of each row and the separator used.

    The line of a row is the physical line of the file where its record starts (a quoted cell
    spanning lines makes the next rows start further down). Known publication formats are
    turned into the tidy shape the reader understands (:func:`~egovkit.read.formats.known_format`:
    Eurostat SDMX-CSV, measure-stacked long tables); a boundary file is read by its attribute table
    when that holds census columns (:mod:`~egovkit.read.geo_table`), else refused."""
    from .formats import known_format

    raw, lines, used_sep = _load_cells(source, sheet=sheet, encoding=encoding, sep=sep, report=report,
                                       text_columns=text_columns, decimal=decimal)
    name = str(source.attrs.get("egovkit_source", "<DataFrame>")) if isinstance(source, pd.DataFrame) \
        else Path(source).name
    raw, lines = known_format(raw, lines, name, report)
    return raw, lines, used_sep


def _load_cells(source: str | Path | pd.DataFrame, *, sheet: int | str, encoding: str | None,
                sep: str | None, report: ValidationReport,
                text_columns: frozenset[str] = frozenset(),
                decimal: str | None = None) -> tuple[pd.DataFrame, np.ndarray, str | None]:
    """The cells of the file as they are (see :func:`_load`)."""
    if isinstance(source, pd.DataFrame):
        raw = _drop_duplicate_columns(source.copy(), [str(c).strip() for c in source.columns], report)
        lines = np.arange(len(raw)) + 2
        return raw.reset_index(drop=True), lines, None
    path = Path(source)
    name = path.name
    if not path.exists():
        raise InputError(code="read.file_not_found", file=str(path))
    if path.is_dir():
        raise InputError(code="read.folder_not_file", file=str(path))
    if path.suffix.lower() in _GEO_SUFFIXES or _zipped_boundaries(path):
        from .geo_table import read_attribute_table

        attrs = read_attribute_table(path, report)
        if attrs is not None:
            return attrs, np.arange(len(attrs)) + 2, None
        raise InputError(code="read.boundaries_not_table", params={"suffix": path.suffix}, file=name)
    try:
        size = path.stat().st_size
        data = b"" if size == 0 or path.suffix.lower() in _EXCEL_SUFFIXES else path.read_bytes()
    except OSError as exc:
        raise InputError(code="read.cannot_read_file", params={"detail": str(exc.strerror or exc)},
                         file=str(path)) from exc
    if size == 0:
        raise InputError(code="read.empty_file", file=name)
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        grid = _read_sheet(path, name, sheet)
    else:
        grid = _sniff_binary(data, path, name, sheet, report)
    if grid is not None:
        h = _find_header(grid.head(20).values.tolist())
        if h:
            report.add("info", "header_row", params={"unit": render("read.unit_row"), "line": h + 1, "n": h},
                       row=h + 1, action="inferred")
        header = [f"Unnamed: {j}" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
                  for j, v in enumerate(grid.iloc[h])]
        raw = _drop_duplicate_columns(grid.iloc[h + 1:].reset_index(drop=True), header, report)
        lines = np.arange(len(raw)) + h + 2
        return raw, lines, None
    text = _clean_text(_decode(data, encoding, name, report), name, report)
    data = b""  # the decoded text is all that is needed now: do not hold the file twice
    if not text.strip():
        raise InputError(code="read.empty_file", file=name)
    phys = text.split("\n")
    if text.endswith("\n"):
        phys.pop()
    if sep in (None, "\t") and phys and is_bulk_tsv(phys[0]):  # Eurostat bulk TSV: keys joined by commas
        long, lines = read_bulk_tsv(phys, name, report)
        return long, lines, "\t"
    if sep is None:
        sep = _sniff_sep(phys[:200], report)
    elif not isinstance(sep, str) or len(sep) != 1 or sep in '"\n\r':
        raise InputError(code="read.bad_sep", params={"sep": repr(sep)}, file=name)
    if '"' in text:
        text, records, starts = _records(text, sep, name, report)
    else:  # no quoting: one record per physical line (split lazily, only the head is needed)
        records, starts = None, list(range(1, len(phys) + 1))
    head = records[:25] if records is not None else [ln.split(sep) for ln in phys[:25]]
    h = _find_header(head)
    if h:
        report.add("info", "header_row", params={"unit": render("read.unit_line"), "line": starts[h], "n": h},
                   row=starts[h], action="inferred")
    # name-like columns stay text (codes keep their leading zeros); the C parser reads the
    # other columns, exactly, as numbers when every cell is a plain number, else as text that
    # _parse_numbers repairs (thousands separators, decimal commas, "-", "n/a"...)
    header = [str(c).strip() for c in (head[h] if head else [])]
    if not any(header):
        raise InputError(code="read.no_header_row", file=name)
    width = len(header)
    if sep == "," and decimal != ",":  # the decimal mark can only be "."
        textual = [c for c in header if c in text_columns or (column_role(c) or ("", None))[0] in _TEXT_ROLES]
        dtypes: type | dict = {c: str for c in _raw_names(head, h, textual)}
    else:  # decimal comma or "1.234" thousands possible: every cell is text, parsed later
        dtypes = str
    body_start = starts[h] - 1  # physical lines before the header
    offset = 0
    for _ in range(body_start):
        offset = text.index("\n", offset) + 1
    n_rows = (len(records) if records is not None else len(phys)) - h - 1
    raw = None
    try:
        # usecols: cells beyond the header's width are ignored on every row alike (and reported
        # by _report_long_rows) instead of refusing the file when a later row has them
        raw = pd.read_csv(_text_buffer(text[offset:]), sep=sep, dtype=dtypes, keep_default_na=False, na_values=[""],
                          skip_blank_lines=False, index_col=False, usecols=list(range(width)),
                          quoting=csv.QUOTE_MINIMAL if records is not None else csv.QUOTE_NONE)
    except (pd.errors.ParserError, ValueError, IndexError, csv.Error, OverflowError):
        raw = None  # built from the records below
    if raw is None or len(raw) != n_rows or raw.shape[1] != width:
        if records is None:
            records = [ln.split(sep) for ln in phys]
        body = [(r + [""] * width)[:width] for r in records[h + 1:]]
        names = [str(c) if str(c).strip() else f"Unnamed: {j}" for j, c in enumerate(head[h])]
        raw = pd.DataFrame(body, columns=names, dtype=object).replace("", np.nan)
    raw.columns = [str(c).strip() for c in raw.columns]
    _report_long_rows(records, phys, sep, h, starts, width, report)
    if len(set(header)) < len(header):  # pandas renamed the copies "x.1": name them as written
        raw = _drop_duplicate_columns(raw, header, report)
    lines = np.asarray(starts[h + 1:], dtype=np.int64)
    return raw, lines, sep


def _text_buffer(text: str) -> io.BytesIO | io.StringIO:
    """The text for ``pandas.read_csv`` as UTF-8 bytes: a ``StringIO`` holds 4 bytes per character
    (260 MB for a 65 MB file), the bytes 1 (a text that cannot be encoded stays a ``StringIO``)."""
    try:
        return io.BytesIO(text.encode("utf-8"))
    except UnicodeEncodeError:
        return io.StringIO(text)


def _report_long_rows(records: list[list[str]] | None, phys: list[str], sep: str, h: int, starts: list[int],
                      width: int, report: ValidationReport) -> None:
    """Warn for each row with more non-empty cells than the header: the extra cells are ignored."""
    if not width:
        return
    if records is None:  # no quoting: counting separators is exact and fast
        counts = pd.Series(phys, dtype=object).str.count(re.escape(sep)).to_numpy() + 1
        idx = [i for i in np.flatnonzero(counts > width) if i > h]
        long_rows = [(starts[i], phys[i].split(sep)) for i in idx]
    else:
        long_rows = [(starts[i], r) for i, r in enumerate(records) if i > h and len(r) > width]
    long_rows = [(line, cells) for line, cells in long_rows if any(c.strip() for c in cells[width:])]  # not "A,1,"
    for line, cells in long_rows[:50]:
        extra = cells[width:]
        report.add("warning", "extra_cells", params={"n": len(cells), "width": width,
                                                     "cells": str([c[:40] for c in extra[:5]])},
                   row=line, action="ignored")
    if len(long_rows) > 50:
        report.add("warning", "read.more_extra_cells", params={"n": len(long_rows) - 50,
                                                               "rows": [x for x, _ in long_rows[50:60]]},
                   row=long_rows[50][0], action="ignored")
