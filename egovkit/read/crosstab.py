"""Spreadsheet downloads of statistical table tools read as one tidy table.

Table tools (IBGE SIDRA, INE Portugal and Spain's INEbase, CBS StatLine, KOSIS...) write their
downloads for the eye, not for a reader: title lines above the table (the title, ``Variável -
Domicílios (Mil unidades)``, the territory ``Brasil``, the fixed classifications), a header on
several rows (a year row above a category row, a blank cell meaning "same as left"), a units
column after every value (``Mil unidades``), notes and the source below (``Fonte: IBGE ...``),
sometimes the indicators as rows and the breakdowns (income classes, urban/rural) as columns,
sometimes one data row with no area label (the territory is named only in a title line), and
sometimes one sheet per variable (households / households with Internet / percentage).

:func:`read_crosstab` recognises these shapes in the cells of the file and returns the tidy
table the reader understands (one row per area: the area, the households, one column per
indicator), every decision recorded in the report (code ``crosstab``; the period chosen with
``crosstab_period``, the breakdown columns left out with ``crosstab_breakdown``). A table in none
of these shapes gives ``None`` and is read as before.

Decisions, in order:

- header rows are combined into one header per column (blank = same as left); a header row whose
  cells are all years is the period: the latest one is read (``period=`` chooses another); a
  header row with one text over every column names a dimension (kept as a prefix for bare
  answers such as ``Sim`` / ``Não``);
- a units column is dropped; its unit (``Mil`` = thousands) is noted: shares are unaffected;
- indicators as rows (recognised by the indicator words of the first column) are read as the
  territory's row, in the ``Total`` column of the breakdown (the other columns noted, left out);
- the territory of a table without area labels is a country named in a title line, else
  ``Territory`` (not ``Total``, which would be kept apart as a totals row);
- the denominator is a ``Total`` column (or row) or a households variable; without one, the sum
  of the exhaustive answers of one question: the positive answer (``Havia microcomputador ou
  tablet``) + the negative one (``Não havia ...``) + ``não sabe`` / ``sem declaração``;
- categories that are exclusive combinations (``somente celular``, ``somente fixo``, ``celular e
  fixo``) give the households with a device as the sum of the combinations holding it, unless
  one category already says it (``Havia microcomputador ou tablet``);
- answers grouped by a breakdown in the header (``Urbana / Rural / Total`` over ``Sim / Não``) are
  read in the ``Total`` group, with the denominator of that group; the breakdowns are noted;
- with one sheet per variable, the sheets are read together: a counts sheet over a households
  sheet, the percentage sheet only when no counts are there (checked against them otherwise);
- a ``Unidades: Porcentaje`` title line or a ``(%)`` variable marks percentages (a ``Total`` of 100
  is then neither an indicator nor a denominator); a single unnamed variable is named by the title.

Where it stops: a table whose values hold text (names, codes, flags), a stub of more than one
column, several unlabelled rows, or files over :data:`MAX_BYTES` are left to the ordinary reader,
and so is a plain table (one header row, areas as rows, nothing above but titles). The rows of
the report keep the lines of the file (of the first sheet read).

Examples
--------
>>> import pandas as pd
>>> from egovkit.validate import ValidationReport
>>> grid = [["Tabela 1 - Domicílios por existência de Internet", None, None],
...         ["Variável - Domicílios (Mil unidades)", None, None],
...         ["Região", "2022", None], [None, "Sim", "Não"],
...         ["Norte", 30, 10], ["Sul", 60, 20], ["Fonte: IBGE", None, None]]
>>> tidy = crosstab_table({"Tabela": grid}, ValidationReport(source="t.xlsx"), name="t.xlsx")
>>> tidy.columns.tolist()
['Região', 'Domicílios', 'Tabela 1 - Domicílios por existência de Internet - Sim']
>>> tidy["Domicílios"].tolist()  # no Total column: Sim + Não
[40.0, 80.0]
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

from ..concepts import recognise
from ..errors import InputError
from ..validate import ValidationReport
from .levels import _country_names, total_kind
from .roles import column_role, normalise_name, recognise_indicator

#: Files larger than this are not examined (table-tool downloads are small; big files keep their speed).
MAX_BYTES = 5_000_000
#: Rows examined first to tell the shape.
HEAD_ROWS = 60
_YEAR = re.compile(r"^(1[89]|20)\d{2}$")
_PLACEHOLDERS = {"-", "--", "...", "..", "…", "x", "X", "—", "–", "(x)", "(-)", ":", "n/a", "na", "nd", "s/d"}
_SEGMENT = re.compile(r"\s+[-–]\s+")


@lru_cache(maxsize=1)
def _words() -> dict:
    """The catalogue of words (``crosstab_words.yaml``), normalised like headers."""
    raw = yaml.safe_load(Path(__file__).with_name("crosstab_words.yaml").read_text(encoding="utf-8"))
    out = {k: frozenset(normalise_name(w) for w in v) for k, v in raw.items() if k != "units"}
    out["units"] = [(frozenset(normalise_name(w) for w in u["words"]), u["scale"]) for u in raw["units"]]
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
    """The number of a cell (thousands separators and a decimal comma understood), else None."""
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


def _is_year(v: object) -> bool:
    if isinstance(v, float):
        return v.is_integer() and bool(_YEAR.match(str(int(v))))
    return isinstance(v, str) and bool(_YEAR.match(v))


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
            if len(parts) == 2 and normalise_name(parts[0]) in _words()["variable_prefixes"]:
                return parts[1].strip()
        return None

    @property
    def unit_line_text(self) -> str | None:
        """A title line giving the unit of the values (``Unidades: Porcentaje``, ``Unit: %``), if any."""
        for t in self.titles:
            parts = re.split(r"\s*[:]\s*|\s+[-–]\s+", t, maxsplit=1)
            if len(parts) == 2 and normalise_name(parts[0]) in _words()["unit_prefixes"]:
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
            if normalise_name(t) in countries:
                return t
        return None


def _scale(texts: list[str]) -> tuple[object, str] | None:
    """The scale (1000, 1, 'percent') said by unit texts, and the text that says it."""
    for t in texts:
        norm = normalise_name(t)
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


# -- from blocks to a tidy table -----------------------------------------------------------------
@dataclass(eq=False)  # compared by identity: the values are arrays
class _Column:
    label: str          # as written (combined header, item of a row, or the sheet's variable)
    full: str           # with the dimension prefix a bare answer needs to be recognised
    values: np.ndarray  # one value per area
    sheet: str
    percent: bool = False


def _segments(label: str) -> list[str]:
    return [s for s in _SEGMENT.split(label) if s]


def _prefix(label: str) -> str:
    return " - ".join(_segments(label)[:-1])


def _tokens(label: str) -> set[str]:
    return set(normalise_name(label).split())


def _is_total(label: str) -> bool:
    last = (_segments(label) or [label])[-1]
    return total_kind(last) == "national" or \
        normalise_name(last) in {"total", "totais", "totaal", "gesamt", "insgesamt"}


def _is_unknown(label: str) -> bool:
    last = normalise_name((_segments(label) or [label])[-1])
    return last in _words()["unknown_answers"]


def _is_answer(label: str) -> bool:
    """Whether the last part of a header is a yes or no answer (``Domicílios - Sim``)."""
    from .universe import _NO, _YES

    last = normalise_name((_segments(label) or [label])[-1]).split()
    return len(last) == 1 and last[0] in _YES | _NO


def _is_negative(col: _Column) -> bool:
    return recognise(col.full).negated or recognise(col.label).negated


def _only_part(label: str) -> bool:
    last = (_segments(label) or [label])[-1]
    return bool(_tokens(last) & _words()["only_words"])


def _without_only(label: str) -> str:
    """``'Telefone - tinham - somente celular'`` -> ``'Telefone - tinham - celular'``."""
    segs = _segments(label) or [label]
    kept = [w for w in segs[-1].split() if normalise_name(w) not in _words()["only_words"]]
    return " - ".join([*segs[:-1], " ".join(kept)])


def _and_sides(label: str) -> list[str] | None:
    """The two sides of an ``A e B`` category (the prefix kept on the first), None when not one."""
    segs = _segments(label) or [label]
    words = normalise_name(segs[-1]).split()
    if set(words) & _words()["or_words"] or set(words) & _words()["only_words"]:
        return None
    raw = re.split(r"\s+(?:" + "|".join(map(re.escape, sorted(_words()["and_words"]))) + r")\s+", segs[-1],
                   maxsplit=1, flags=re.IGNORECASE)
    if len(raw) != 2:
        return None
    pre = " - ".join(segs[:-1])
    return [f"{pre} - {raw[0]}" if pre else raw[0], raw[1]]


def _device(text: str) -> str | None:
    return recognise_indicator(text).indicator


def _territory(blocks: list[_Block]) -> tuple[str, str]:
    for b in blocks:
        if b.territory:
            return b.territory, f"the territory named in the title line {b.territory!r}"
    # not 'Total': the levels step would keep a 'Total' row apart as a totals row, and no district would be left
    return "Territory", "no area label and no country named in the title lines: named 'Territory'"


def _pick_period(blocks: list[_Block], period: str | int | None, report: ValidationReport,
                 name: str) -> InputError | None:
    """Keep the columns of one period (the latest, or ``period=``) in every block; the error to raise
    (once the table is known to be a table-tool download) when ``period=`` is not among them."""
    found = sorted({p for b in blocks for p in b.periods if p is not None})
    if not found:
        return None
    if period is not None:
        want = str(period).strip()
        if want not in found:
            return InputError(f"period {want!r} is not among the periods of the table's columns: {found}", file=name,
                              fix=f"pass period= with one of {found}")
        chosen, how = want, "as asked (period=)"
    else:
        chosen, how = found[-1], "the latest"
    for b in blocks:
        if any(p is not None for p in b.periods):
            keep = [k for k, p in enumerate(b.periods) if p == chosen]
            b.labels = [b.labels[k] for k in keep]
            b.periods = [b.periods[k] for k in keep]
            b.values = b.values[:, keep]
    if len(found) > 1:
        report.add("info", "crosstab_period", f"the periods are columns ({', '.join(found)}): {chosen} read, {how}",
                   action="inferred", fix="pass period='<year>' to read another period")
    return None


def _columns_of(b: _Block, report: ValidationReport, name: str) -> tuple[list[str], list[_Column], str] | None:
    """The areas and the value columns of a block, turned so that areas are rows."""
    variable = b.variable
    var_label, var_unit = _variable_parts(variable) if variable else (None, None)
    var_unit = var_unit or b.unit_line
    percent = var_unit is not None and _scale([var_unit]) is not None and _scale([var_unit])[0] == "percent"
    if not var_label and b.titles and not any(b.labels):  # one variable, named only by the table's title
        var_label = next((t for t in b.titles if t != b.territory and t != b.unit_line_text), None)
        if var_label:
            report.add("info", "crosstab", f"sheet {b.sheet!r}: no header names the values: the title "
                       f"{var_label!r} read as their name", action="inferred")
    stub_ind = [s for s in b.stub if s and (recognise_indicator(s).indicator or recognise(s).negated)]
    col_ind = [c for c in b.labels if c and recognise_indicator(c).indicator]
    labelled = [s for s in b.stub if s]
    if len(stub_ind) >= 2 and len(stub_ind) > len(col_ind) and len(set(labelled)) == len(labelled) == len(b.stub):
        # indicators as rows (each once: a long table repeats them, one block per area)
        k = 0
        if len(b.labels) > 1:
            totals = [i for i, c in enumerate(b.labels) if _is_total(c)]
            if totals:
                k = totals[0]
                report.add("info", "crosstab_breakdown", f"sheet {b.sheet!r}: breakdown columns "
                           f"{[c for i, c in enumerate(b.labels) if i != k]} left out, the {b.labels[k]!r} column read",
                           action="ignored", fix="read a breakdown by saving its column alone with the item labels")
            else:
                report.add("warning", "crosstab_breakdown", f"sheet {b.sheet!r}: no 'Total' among the breakdown "
                           f"columns {b.labels}: the first one, {b.labels[0]!r}, read as the territory",
                           action="inferred", fix="save the column of the whole territory alone with the item labels")
        area, why = _territory([b])
        cols = [_Column(s, s, np.array([b.values[i, k]]), b.sheet, percent) for i, s in enumerate(b.stub) if s]
        report.add("info", "crosstab", f"sheet {b.sheet!r}: the indicators are rows ({len(cols)} items in the first "
                   f"column): read as one area, {area!r} ({why})", action="inferred")
        return [area], cols, "Área"
    if not any(b.stub):
        if len(b.stub) != 1:
            return None
        area, why = _territory([b])
        labels = b.labels if any(b.labels) else [var_label or ""]
        if len(labels) != b.values.shape[1] or not all(labels):
            return None
        cols = [_Column(c, c, b.values[0, [k]], b.sheet, percent) for k, c in enumerate(labels)]
        report.add("info", "crosstab", f"sheet {b.sheet!r}: one data row without an area label (row {b.lines[0]}): "
                   f"read as {area!r} ({why})", action="inferred",
                   fix="add an area column to read it under another name")
        return [area], cols, "Área"
    areas = [s or "" for s in b.stub]
    labels = b.labels if any(b.labels) else [var_label or ""]
    if len(labels) != b.values.shape[1] or not all(labels):
        return None
    cols = [_Column(c, c, b.values[:, k], b.sheet, percent) for k, c in enumerate(labels)]
    role = column_role(b.stub_name) if b.stub_name else None
    return areas, cols, (b.stub_name if role and role[0] == "area" else "Área")


def _name_bare_answers(cols: list[_Column], blocks: list[_Block]) -> None:
    """Bare answers (``Sim``/``Não``) get the nearest dimension or title line before them as a prefix."""
    if any(recognise_indicator(c.full).indicator for c in cols):
        return
    lines = [d for b in blocks for d in reversed(b.dims)] + [t for b in blocks for t in reversed(b.titles)
                                                            if t != b.territory]
    for pre in lines:
        if any(recognise_indicator(f"{pre} - {c.label}").indicator for c in cols if not _is_total(c.label)):
            for c in cols:
                c.full = f"{pre} - {c.label}"
            return


def crosstab_table(grids: dict[str, list[list[object]]], report: ValidationReport, *, name: str,
                   period: str | int | None = None, force: bool = False) -> pd.DataFrame | None:
    """The tidy table of a table-tool download (see the module doc), or None when it is not one.

    ``grids`` maps sheet names to their cells (rows of values, no header); ``force`` reads a plain
    table too (tests).
    """
    blocks = [b for s, g in grids.items() if (b := _parse(g, s)) is not None]
    if not blocks:
        return None
    shaped = any(b.units or b.header_rows >= 2 or b.named_dims or b.variable or not any(b.stub)
                 or len({p for p in b.periods if p}) > 1 for b in blocks) \
        or (len(blocks) > 1 and all(b.variable for b in blocks))
    scratch = ValidationReport(source=name)
    missing = _pick_period(blocks, period, scratch, name)
    if missing is not None:  # the columns of no period are read: tell it if the shape is a table tool's
        if shaped and any(len({p for p in b.periods if p}) > 1 for b in blocks):
            raise missing
        return None
    parts = [(b, r) for b in blocks if (r := _columns_of(b, scratch, name)) is not None]
    if not parts:
        return None
    areas, _, area_name = parts[0][1]
    cols: list[_Column] = []
    used = []
    for b, (ar, cs, _) in parts:
        if ar != areas:
            scratch.add("info", "crosstab", f"sheet {b.sheet!r} left out: its areas differ from those of sheet "
                        f"{parts[0][0].sheet!r}", action="ignored", fix="pass sheet= to read it alone")
            continue
        known = {c.label for c in cols}
        new = [c for c in cs if c.label not in known]
        if not new:
            scratch.add("info", "crosstab", f"sheet {b.sheet!r} left out: the same columns as sheet "
                        f"{parts[0][0].sheet!r}", action="ignored", fix="pass sheet= to read it alone")
            continue
        cols += new
        used.append(b)
    transposed = any(r.code == "crosstab" and "are rows" in r.message for r in scratch.issues)
    _name_bare_answers(cols, used)
    tidy = _tidy(cols, areas, area_name, used, scratch, name)
    if tidy is None:
        return None
    if not (shaped or transposed or force or tidy.attrs.get("summed_denominator")):
        return None
    if len(used) > 1:
        scratch.add("info", "crosstab", f"one sheet per variable: sheets {[b.sheet for b in used]} read together",
                    action="inferred", fix="pass sheet= to read one sheet alone")
    for b in used:
        sc = _scale(b.units) or (_scale([_variable_parts(b.variable)[1] or ""]) if b.variable else None)
        if b.units:
            scratch.add("info", "crosstab_units", f"sheet {b.sheet!r}: units columns dropped ({b.units})"
                        + (f"; values in {'thousands' if sc[0] == 1000 else 'millions'} ({sc[1]!r}), shares "
                           "unaffected, counts read as written" if sc and sc[0] in (1000, 1000000) else ""),
                        action="dropped")
        elif sc and sc[0] in (1000, 1000000):
            scratch.add("info", "crosstab_units", f"sheet {b.sheet!r}: values in "
                        f"{'thousands' if sc[0] == 1000 else 'millions'} ({sc[1]!r}): shares unaffected, counts read "
                        "as written", action="kept")
    lines = sorted({ln for b in used for ln in b.lines})
    scratch.add("info", "crosstab", f"statistical table-tool layout: title lines {sum(len(b.titles) for b in used)}, "
                f"data rows {', '.join(map(str, lines[:10]))}{'...' if len(lines) > 10 else ''} of "
                f"{'sheets ' + ', '.join(repr(b.sheet) for b in used) if any(b.sheet for b in used) else 'the file'}; "
                "notes and sources below ignored; rows of this report are the lines of the data in the file",
                action="inferred")
    first = parts[0][0]
    tidy.attrs["egovkit_lines"] = np.asarray(first.lines if len(first.lines) == len(tidy) else
                                             [first.lines[0]] * len(tidy), dtype=np.int64)
    report.extend(scratch)
    return tidy


def _tidy(cols: list[_Column], areas: list[str], area_name: str, blocks: list[_Block], report: ValidationReport,
          name: str) -> pd.DataFrame | None:
    """Choose the denominator and one column per indicator."""
    den_name = "Total"
    for b in blocks:
        if b.variable:
            lab = _variable_parts(b.variable)[0]
            role = column_role(lab)
            if role and role[0] == "denominator":
                den_name = lab
                break
    totals = [c for c in cols if _is_total(c.label) and not c.percent]
    cols = [c for c in cols if not (c.percent and _is_total(c.label))]  # 100 %: not an indicator
    den_vars = [c for c in cols if (r := column_role(c.label)) and r[0] == "denominator" and r[1] and not c.percent
                and not recognise_indicator(c.label).indicator and c not in totals and not _is_answer(c.label)]
    negatives = [c for c in cols if _is_negative(c)]
    unknown = [c for c in cols if _is_unknown(c.label)]
    rest = [c for c in cols if c not in totals and c not in den_vars and c not in negatives and c not in unknown]
    # exclusive combinations: "somente A", "somente B", "A e B" of one parent
    only = [c for c in rest if _only_part(c.label)]
    combos = [c for c in rest if any(_prefix(c.label) == _prefix(o.label) for o in only) and _and_sides(c.label)
              and any(_device(s) for s in _and_sides(c.label))]
    part_set = {id(c) for c in only + combos}
    direct: dict[str, list[_Column]] = {}
    for c in rest:
        if id(c) in part_set:
            continue
        ind = recognise_indicator(c.full).indicator
        if ind:
            direct.setdefault(ind, []).append(c)
    chosen, checks = _choose(direct, bool(totals or den_vars or negatives), report)
    extra = _sum_parts(only, combos, direct, report)
    if not chosen and not extra:
        return None
    den, summed = None, False
    lead = chosen[0] if chosen else None  # the denominator of the same breakdown as the first indicator
    if totals:
        den = next((t for t in totals if lead is not None and _prefix(t.label) == _prefix(lead.label)), totals[0])
        den_vals = den.values
        how = f"the {den.label!r} {'row' if len(areas) == 1 else 'column'}"
    elif den_vars:
        den = den_vars[0]
        den_vals, how, den_name = den.values, f"{den.label!r} (sheet {den.sheet!r})", den.label
    elif negatives:
        same = [n for n in negatives if lead is not None and _prefix(n.full) == _prefix(lead.full)]
        parts = _partition(same + [n for n in negatives if n not in same], rest, unknown, part_set)
        if parts is None:
            den_vals = None
        else:
            den_vals = np.sum([c.values for c in parts], axis=0)
            summed = True
            for seg in _segments(parts[0].label)[:-1] if den_name == "Total" else []:  # 'Domicílios (Mil...) - Sim'
                role = column_role(_variable_parts(seg)[0])
                if role and role[0] == "denominator" and role[1]:
                    den_name = _variable_parts(seg)[0]
                    break
            how = "no households column: the sum of the exhaustive answers " + " + ".join(repr(c.label) for c in parts)
            for n in negatives:  # the other questions' answers must add up to the same households
                if n in parts:
                    continue
                other = _partition([n], rest, unknown, part_set)
                if other is None:
                    continue
                alt = np.sum([c.values for c in other], axis=0)
                gap = np.nanmax(np.abs(alt / den_vals - 1)) if np.all(den_vals > 0) else 0.0
                if gap > 0.02:
                    report.add("warning", "crosstab_denominator", f"the answers {[c.label for c in other]} add up "
                               f"to households up to {gap:.1%} away from those of {[c.label for c in parts]}: the "
                               "questions do not cover the same households", action="kept",
                               fix="check the table's notes; save a households column and pass denominator=")
    else:
        den_vals = None
    out = {area_name: areas}
    if den_vals is not None:
        if den_name in out or den_name in {c.label for c in chosen} | set(extra):
            den_name = f"{den_name} (total)"
        out[den_name] = np.asarray(den_vals, dtype=float)
        report.add("info", "crosstab_denominator",
                   f"denominator: {how}", column=den_name, action="inferred",
                   fix="pass denominator= after saving the table tidy, if another total is meant")
    for c in chosen:
        head = c.full if c.percent is False else (c.full if "%" in c.full else f"{c.full} (%)")
        if head in out:
            continue
        out[head] = c.values
        _check_percentages(c, head, checks.get(id(c), []), den_vals, report)
    for label, vals in extra.items():
        if label not in out:
            out[label] = vals
    checked = {id(p) for ps in checks.values() for p in ps}
    left = [c.label for c in cols if c not in chosen and c is not den and id(c) not in part_set | checked]
    if left:
        report.add("info", "crosstab", f"not read as indicators: {left[:12]}{'...' if len(left) > 12 else ''}",
                   action="ignored")
    tidy = pd.DataFrame(out)
    tidy.attrs["egovkit_source"] = name
    tidy.attrs["summed_denominator"] = summed
    return tidy


def _choose(direct: dict[str, list[_Column]], has_den: bool,
            report: ValidationReport) -> tuple[list[_Column], dict[int, list[_Column]]]:
    """One column per indicator: counts before percentages (checked against them when a denominator
    is there), the 'Total' group before its breakdowns, else the largest (a warning)."""
    chosen: list[_Column] = []
    checks: dict[int, list[_Column]] = {}  # percentages left out for counts: checked against them
    for ind, cs in direct.items():
        counts = [c for c in cs if not c.percent and recognise_indicator(c.full).kind is None]
        pcts = [c for c in cs if c not in counts]
        pick = counts or pcts
        best = pick[0]
        overall = [c for c in pick if any(_is_total(seg) for seg in _segments(c.label)[:-1])]
        if len(pick) > 1 and len(overall) == 1:  # 'Total - Sim' beside 'Urbana - Sim', 'Rural - Sim'
            best = overall[0]
            report.add("info", "crosstab_breakdown", f"{ind!r}: {best.label!r} read, the breakdowns "
                       f"{[c.label for c in pick if c is not best]} left out", column=best.label, action="ignored",
                       fix="save a breakdown's columns alone to read it")
        elif len(pick) > 1:
            best = max(pick, key=lambda c: np.nansum(c.values))
            report.add("warning", "crosstab_choice", f"{len(pick)} columns say {ind!r} ({[c.label for c in pick]}): "
                       f"the largest, {best.label!r}, read", column=best.label, action="inferred",
                       fix=f"pass columns={{'{best.label}': '{ind}'}} after saving the table tidy")
        if counts and pcts and has_den:
            report.add("info", "crosstab_choice", f"{ind!r}: the counts {best.label!r} read, the percentages "
                       f"{[c.label for c in pcts]} left out", action="ignored")
            checks[id(best)] = pcts
        chosen.append(best)
    return chosen, checks


def _check_percentages(c: _Column, head: str, pcts: list[_Column], den_vals: np.ndarray | None,
                       report: ValidationReport) -> None:
    """Warn when published percentages left out differ from the counts over the denominator."""
    for p in pcts:
        if den_vals is not None:
            got = 100 * np.asarray(c.values, float) / np.asarray(den_vals, float)
            diff = np.nanmax(np.abs(got - p.values)) if len(got) else 0
            if diff > 0.15:
                report.add("warning", "crosstab_check", f"the percentages {p.label!r} (sheet {p.sheet!r}) differ "
                           f"from {c.label!r} over the denominator by up to {diff:.2f} points", column=head,
                           action="kept", fix="check which sheet holds the published figure")


def _sum_parts(only: list[_Column], combos: list[_Column], direct: dict[str, list[_Column]],
               report: ValidationReport) -> dict[str, np.ndarray]:
    """Households with a device no category names alone: the sum of the exclusive combinations
    holding it (``somente celular`` + ``celular e fixo``), keyed by a header naming the device."""
    derived: dict[str, tuple[list[_Column], str]] = {}
    for c in only + combos:
        sides = _and_sides(c.label) if c in combos else [_without_only(c.label)]
        for side in sides or []:
            dev = _device(side)
            if dev and dev not in direct:
                derived.setdefault(dev, ([], side))[0].append(c)
    extra = {}
    for dev, (cs, side) in derived.items():
        label = side if _device(side) == dev else cs[0].label
        extra[label] = np.sum([c.values for c in cs], axis=0)
        report.add("info", "crosstab_parts", f"{dev!r}: the categories {[c.label for c in cs]} are exclusive "
                   f"combinations; their sum read as {label!r}", column=label, action="inferred",
                   fix="save a column of the households with the device and name it with columns=")
    return extra


def _partition(negatives: list[_Column], rest: list[_Column], unknown: list[_Column],
               part_set: set[int]) -> list[_Column] | None:
    """The answers of one question that together are every household: its positive answer (the
    union, not a combination), the negative one and the unknown ones of the same parent."""
    from .universe import _NO

    neg = negatives[0]
    pre = _prefix(neg.full)
    words = _tokens(neg.full) - _NO - {"nem", "sem", "not", "without", "ni", "ne", "pas", "kein", "keine", "geen"}
    cands = [c for c in rest if id(c) not in part_set and _prefix(c.full) == pre and not c.percent]
    if not cands:
        return None
    pos = max(cands, key=lambda c: (len(_tokens(c.full) & words), np.nansum(c.values)))
    if not _tokens(pos.full) & words and pre == "":
        return None
    return [pos, neg] + [u for u in unknown if _prefix(u.full) == pre]


def read_crosstab(source: object, *, sheet: int | str = 0, encoding: str | None = None, sep: str | None = None,
                  period: str | int | None = None, report: ValidationReport, name: str) -> pd.DataFrame | None:
    """The tidy table of a table-tool download (file path), or None to read the file as usual.

    Examples
    --------
    >>> read_crosstab(pd.DataFrame({"a": [1]}), report=ValidationReport(), name="x") is None
    True
    """
    if isinstance(source, pd.DataFrame):
        return None
    grids, complete = _grids(source, sheet, encoding, sep, name, rows=HEAD_ROWS + 1)
    if not grids:
        return None
    try:
        # the first rows tell the shape: a large plain table is not examined cell by cell
        if any(len(g) > HEAD_ROWS for g in grids.values()):
            try:
                heads = {k: g[:HEAD_ROWS] for k, g in grids.items()}
                if crosstab_table(heads, ValidationReport(source=name), name=name, period=period) is None:
                    return None
            except InputError:
                pass
        if not complete:  # a table-tool layout: the whole text file is parsed now
            grids, _ = _grids(source, sheet, encoding, sep, name)
            if not grids:
                return None
        return crosstab_table(grids, report, name=name, period=period)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a shape this module misjudges is still read the ordinary way
        report.add("info", "crosstab", f"not read as a table-tool layout ({type(exc).__name__}: {exc}); read as an "
                   "ordinary table", action="ignored")
        return None
