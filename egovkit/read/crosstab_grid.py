"""Grids of a statistical table-tool download (title lines, multi-row headers, units, periods,
footnotes) parsed into blocks of labelled columns (:mod:`egovkit.read.crosstab` builds the table).

Examples
--------
>>> _is_year("2022"), _is_year("Sim")
(True, False)
>>> _variable_parts("Domicílios (Mil unidades)")
('Domicílios', 'Mil unidades')
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError
from ..validate import ValidationReport
from .column_headers import normalise_header
from .periods import YEAR, is_year
from .total_names import _country_names

#: Files larger than this are not examined (table-tool downloads are small; big files keep their speed).
MAX_BYTES = 5_000_000
#: Rows examined first to tell the shape.
HEAD_ROWS = 60
#: A year alone in a cell (the readers' one pattern, :data:`egovkit.read.periods.YEAR`; cells are stripped here).
_YEAR = YEAR
_PLACEHOLDERS = {"-", "--", "...", "..", "…", "x", "X", "—", "–", "(x)", "(-)", ":", "n/a", "na", "nd", "s/d"}
_SEGMENT = re.compile(r"\s+[-–]\s+")


@lru_cache(maxsize=1)
def _words() -> dict:
    """The catalogue of words (``crosstab_words.yaml``), normalised like headers."""
    raw = yaml.safe_load(Path(__file__).with_name("crosstab_words.yaml").read_text(encoding="utf-8"))
    out = {k: frozenset(normalise_header(w) for w in v) for k, v in raw.items() if k != "units"}
    out["units"] = [(frozenset(normalise_header(w) for w in u["words"]), u["scale"]) for u in raw["units"]]
    return out


# -- cells -------------------------------------------------------------------------------------
def _cell(v: object) -> object:
    """None for a blank, a float for a number, else the stripped text."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    s = str(v).strip()
    return s or None


def _number(v: object) -> float | None:
    """The number of a cell (thousands separators and a decimal comma understood), else None.

    Not :func:`~egovkit.read.numbers._parse_numbers`: it reads one cell of a grid (a spreadsheet's
    float or a text) while the shape of a table-tool download is still being told, one cell at a
    time, with no decimal mark decided for the table; each cell's own form decides (``1.234`` and
    ``1,234`` thousands, ``12,5`` a decimal comma), and a text that is no number is None (a label).

    >>> _number("1.234"), _number("12,5"), _number("Sim")
    (1234.0, 12.5, None)
    """
    if isinstance(v, float):
        return v
    if not isinstance(v, str):
        return None
    s = re.sub(r"[\s\u00a0\u202f]", "", v)
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    elif re.fullmatch(r"-?\d{1,3}(,\d{3})+", s):
        s = s.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d+", s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


#: Whether a cell (a float or a stripped text, see :func:`_cell`) is a year: :func:`egovkit.read.periods.is_year`.
_is_year = is_year


def _year_text(v: object) -> str:
    return str(int(v)) if isinstance(v, float) else str(v)


# -- one sheet -----------------------------------------------------------------------------------
@dataclass
class _Block:
    """One table of a sheet, cut into its parts."""

    sheet: str
    titles: list[str]
    stub_name: str | None
    stub: list[str | None]            # the label of each data row (None: unlabelled)
    labels: list[str]                 # combined header of each value column ('' when none)
    periods: list[str | None]         # period of each value column
    values: np.ndarray                # data rows x value columns (NaN: blank or placeholder)
    lines: list[int]                  # 1-based rows of the data in the sheet
    dims: list[str] = field(default_factory=list)      # header rows with one text over every column
    units: list[str] = field(default_factory=list)     # texts of the units columns
    header_rows: int = 0              # header rows that differ from column to column (periods included)
    named_dims: int = 0               # dimension rows beside the stub's own name (a table tool's header)

    @property
    def variable(self) -> str | None:
        """The variable named in a title line (``Variável - Domicílios (Mil unidades)``), if any."""
        for t in self.titles:
            parts = re.split(r"\s*[-–:]\s+", t, maxsplit=1)
            if len(parts) == 2 and normalise_header(parts[0]) in _words()["variable_prefixes"]:
                return parts[1].strip()
        return None

    @property
    def unit_line_text(self) -> str | None:
        """A title line giving the unit of the values (``Unidades: Porcentaje``, ``Unit: %``), if any."""
        for t in self.titles:
            parts = re.split(r"\s*[:]\s*|\s+[-–]\s+", t, maxsplit=1)
            if len(parts) == 2 and normalise_header(parts[0]) in _words()["unit_prefixes"]:
                return t
        return None

    @property
    def unit_line(self) -> str | None:
        """The unit of a unit title line (``Porcentaje``)."""
        t = self.unit_line_text
        return re.split(r"\s*[:]\s*|\s+[-–]\s+", t, maxsplit=1)[1].strip() if t else None

    @property
    def territory(self) -> str | None:
        """A title line naming a country (``Brasil``), if any."""
        countries = _country_names()
        for t in self.titles:
            if normalise_header(t) in countries:
                return t
        return None


def _scale(texts: list[str]) -> tuple[object, str] | None:
    """The scale (1000, 1, 'percent') said by unit texts, and the text that says it."""
    for t in texts:
        norm = normalise_header(t)
        for words, scale in _words()["units"]:
            if norm in words:
                return scale, t
    return None


def _variable_parts(variable: str) -> tuple[str, str | None]:
    """``'Domicílios (Mil unidades)'`` -> ``('Domicílios', 'Mil unidades')``."""
    m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)\s*", variable)
    if m and _scale([m.group(2)]) is not None:
        return m.group(1).strip(), m.group(2).strip()
    return variable.strip(), None


def _parse(grid: list[list[object]], sheet: str) -> _Block | None:
    """Cut a sheet into title lines, header rows, data rows and notes; None when no table is found."""
    rows = [[_cell(v) for v in r] for r in grid]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    if width < 2 or len(rows) < 2:
        return None

    def numeric(r: list[object]) -> list[int]:
        return [j for j, v in enumerate(r) if _number(v) is not None]

    def year_row(i: int) -> bool:
        filled = [v for v in rows[i][1:] if v is not None]
        return bool(filled) and all(_is_year(v) for v in filled) and len(set(map(_year_text, filled))) == len(filled)

    first = next((i for i, r in enumerate(rows) if numeric(r) and not year_row(i)), None)
    if first is None or first == 0:
        return None
    data = []
    for i in range(first, len(rows)):
        r = rows[i]
        filled = [j for j, v in enumerate(r) if v is not None]
        if not filled:
            continue  # a blank line inside or below the table
        rest = [r[j] for j in filled if j > 0]
        if not any(_number(v) is not None or v in _PLACEHOLDERS for v in rest) and not numeric(r):
            break  # notes and the source below the table
        data.append(i)
    # stub: leading columns with text (no number) in every data row
    stub_w = 0
    while stub_w < width - 1 and all(_number(rows[i][stub_w]) is None and rows[i][stub_w] not in _PLACEHOLDERS
                                     for i in data):
        stub_w += 1
    if stub_w > 1:
        return None  # code + name stubs: left to the ordinary reader
    # header rows: the rows right above the data with a cell over the value columns
    top = first
    from .loading import _NOTE_START

    while top > 0 and any(v is not None for v in rows[top - 1][stub_w:]):
        if stub_w == 0 and sum(v is not None for v in rows[top - 1]) < 2 and width > 1:
            break
        if isinstance(rows[top - 1][0], str) and _NOTE_START.match(rows[top - 1][0]):
            break  # 'Source: ...; provisional' split at its separator: a note, not a header row
        top -= 1
    if top == first:
        return None
    titles = [str(r[0]) for r in rows[:top] if r[0] is not None and sum(v is not None for v in r) == 1]
    cols = list(range(stub_w, width))
    # a units column: every data cell a unit word (Mil unidades, %, Unidades...)
    units = [j for j in cols if all(rows[i][j] is None or (_number(rows[i][j]) is None
                                                           and _scale([str(rows[i][j])]) is not None) for i in data)
             and any(rows[i][j] is not None for i in data)]
    unit_texts = sorted({str(rows[i][j]) for j in units for i in data if rows[i][j] is not None})
    cols = [j for j in cols if j not in units and any(rows[i][j] is not None for i in data)]
    if not cols:
        return None
    if any(rows[i][j] is not None and _number(rows[i][j]) is None and rows[i][j] not in _PLACEHOLDERS
           for i in data for j in cols):
        return None  # a text column among the values (names, codes, flags): an ordinary table
    header = []
    for i in range(top, first):  # blank cells are "same as left" (merged or spanning cells)
        last, filled = None, []
        for j in range(stub_w, width):
            last = rows[i][j] if rows[i][j] is not None else last
            if j in cols:
                filled.append(last)
        header.append(filled)
    stub_name = next((str(rows[i][0]) for i in range(first - 1, top - 1, -1)
                      if stub_w and rows[i][0] is not None), None)
    periods: list[str | None] = [None] * len(cols)
    levels, dims, n_varying, named_dims = [], [], 0, 0
    for i, h in zip(range(top, first), header):
        texts = [None if v is None else (_year_text(v) if _is_year(v) else str(v)) for v in h]
        if all(t is not None and _YEAR.match(t) for t in texts):
            periods = texts
            n_varying += 1
        elif len(cols) > 1 and len({t for t in texts}) == 1:
            if texts[0] is not None:
                dims.append(texts[0])
                # 'Grande Região | Ano x Existência de...': the stub's dimension beside the columns' (a title
                # split at its separator, 'Tableau 3 ; Équipement des ménages', is not one)
                named_dims += stub_name is not None and rows[i][0] is not None and str(rows[i][0]) == stub_name
        else:
            levels.append(texts)
            n_varying += 1
    labels = [" - ".join(t for t in (lv[k] for lv in levels) if t) for k in range(len(cols))]
    values = np.array([[np.nan if (x := _number(rows[i][j])) is None else x for j in cols] for i in data], dtype=float)
    stub = [None if not stub_w or rows[i][0] is None else str(rows[i][0]) for i in data]
    return _Block(sheet=sheet, titles=titles, stub_name=stub_name, stub=stub, labels=labels, periods=periods,
                  values=values, lines=[i + 1 for i in data], dims=dims, units=unit_texts, header_rows=n_varying,
                  named_dims=named_dims)


# -- reading the cells of a file -----------------------------------------------------------------
def _grids(source: str | Path, sheet: int | str, encoding: str | None, sep: str | None,
           name: str, rows: int | None = None) -> tuple[dict[str, list[list[object]]] | None, bool]:
    """The cells of every sheet (a workbook, unless ``sheet=`` names one) or of the text file, and
    whether they are complete: with ``rows``, a text file without quotes is parsed for its first
    ``rows`` records only (enough to tell the shape; the rest is parsed when it is a table-tool layout)."""
    from .loading import _EXCEL_SUFFIXES, _GEO_SUFFIXES, _clean_text, _decode, _records, _sniff_sep

    path = Path(source)
    if path.suffix.lower() in _GEO_SUFFIXES:
        return None, True
    try:
        if not path.is_file() or not 0 < path.stat().st_size <= MAX_BYTES:
            return None, True
        data = path.read_bytes()
    except OSError:
        return None, True
    head = data[:8]
    scratch = ValidationReport(source=name)
    if path.suffix.lower() in _EXCEL_SUFFIXES or head.startswith(b"PK\x03\x04"):
        try:
            which = None if sheet == 0 else sheet
            book = pd.read_excel(path, sheet_name=which, dtype=object, header=None)
        except Exception:  # noqa: BLE001 - the ordinary loader says what is wrong with the file
            return None, True
        if isinstance(book, pd.DataFrame):
            book = {str(sheet): book}
        return {str(k): v.values.tolist() for k, v in book.items() if not v.empty}, True
    if head.startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\x1f\x8b")):
        return None, True
    try:
        text = _clean_text(_decode(data, encoding, name, scratch), name, scratch)
        use = sep or _sniff_sep(text.split("\n", 200)[:200], scratch)
        complete = True
        if '"' in text:
            text, records, _ = _records(text, use, name, scratch)
        else:
            records = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=use), rows))
            complete = rows is None or len(records) < rows
    except (InputError, csv.Error, ValueError):
        return None, True
    return {"": [[c if c.strip() else None for c in r] for r in records]}, complete
