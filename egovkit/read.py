"""Read and validate census-style tables into a :class:`~egovkit.table.CensusTable`.

A census-style table gives, per area, how many households (or persons) have a device or a
connection, either as counts or as percentages/shares of a denominator column. Files come in
every shape: Latin-1 or UTF-8 with a BOM, ``,``/``;``/tab separated, decimal commas,
thousands separated by spaces, Excel sheets, one row per area (wide) or one row per
(area, indicator) (long), district rows mixed with national, rural/urban and sub-district rows.

:func:`read_table` recognises the columns (:mod:`egovkit.columns`), keeps totals and other
levels apart, converts every value to a count (``numerator``) with its ``denominator`` and
records every inference, repair and problem in a :class:`~egovkit.validate.ValidationReport`:
every data row of the input ends up ``used``, ``kept apart`` or ``dropped`` in
``report.row_fate``.

Reading: the encoding (UTF-8, UTF-8 with BOM, UTF-16 with or without BOM, else
Windows-1252/Latin-1), the separator (scored on the first lines: the one that gives the best
header row and the largest block of lines of the same width, so that title lines, notes and
ragged rows do not mislead it), title lines above the header (the row with the most recognised
column names among the first 20) and the decimal mark are detected and reported. Numbers may
carry thousands separators (``1 234 567`` with ordinary, no-break or narrow no-break spaces,
``1,234,567``, ``1.234.567``) and ``%`` signs; ``-``, ``..``, ``n/a`` and empty cells are
missing values. ``20,852`` in a ``;``/tab file is thousands when it stands in a households or
persons column or when other cells show decimal points; otherwise it is a decimal comma, with a
warning naming the cell.

Any input gives a table and its report, or an :class:`~egovkit.errors.InputError` naming the
file and the fix (never a parser's own exception): folders, empty and binary files (images,
PDF, archives) are refused; an Excel or OpenDocument workbook under a ``.csv`` name is read as a
spreadsheet (warning); NUL bytes are removed and a quote that opens a cell and never closes
(it would swallow the next rows) is removed, both reported with their lines; notes and sources
under the table (``Source: ...``, ``(1) ...``) are dropped with a note.

Row numbers: the row of a record is the physical line of the file where it starts (header line
= its own line; ``\r\n``, ``\n`` and a lone ``\r`` end a line). A quoted cell spanning lines
(``"Number of\nhouseholds"``) makes the next records start further down, and they keep their
true lines. A DataFrame's rows are numbered as a file's: header = 1, first row = 2.

Levels: totals rows are recognised by name, word-based, case- and accent-insensitive
(:func:`total_kind`: ``Total``, ``TOTAL*``, ``Total de la région``, ``Grand total``, ``Country
total``, ``Ensemble du territoire``, ``All districts``, ``Toplam``, ``Kenya``, ``Rural``...;
subtotals apart as ``subtotal``); a district row whose value is the sum of the other district
rows in two complete columns (households/persons, counts, or rates within their rounding; in
the only one if there is one) is a totals row under another name: kept apart with a warning.
With a level column the most frequent level is the districts'. Without one, a row whose name
equals its parent, or is the parent of other rows, or (no parent column) reads ``Region North``
among districts, is a higher level and kept apart; its denominator is checked against the sum
of its rows, which also tells apart a district named like its parent (Kenya's ``TANA RIVER``
sub-county).

Value-type rule (per column; ``value_type=`` replaces steps 2-4, a percent or share marker
still wins):

1. a ``%``/``pct``/``perc``/``pourcentage`` marker in the header or in the cells -> percent;
   ``share``/``proportion`` in the header -> share;
2. a ``taux``/``rate``/``part``/``ratio`` marker -> share when every value is <= 1, else percent;
3. no marker: every value <= 1 and some value not whole -> share; every value <= 100 and some
   value not whole (``10,0`` written with a decimal counts as not whole) -> percent;
4. otherwise counts. Whole numbers all <= 100 while the median denominator is above 100 are
   ambiguous: counts are assumed and a warning says how to pass ``value_type="percent"``; so
   are values with decimals, three quarters or more of them <= 100, with a median denominator
   above 100 (percentages with a typo above 100 would otherwise silently become counts).

Validation: a missing value drops that (area, indicator) value with a warning; a non-numeric,
negative, above-100 % / above-1 share or above-denominator value drops it with an error; a
duplicated district (same code, else same parent and normalised name) keeps the first row and
names both rows in an error; a missing denominator drops every indicator of its row. With
``errors="raise"`` a :class:`~egovkit.errors.ValidationError` lists every error at the end.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"district": ["A", "B", "Total"], "households": [100, 200, 300],
...                    "internet": [12.5, 25.0, 20.0]})
>>> t = read_table(df)
>>> t.value_type, t.data["numerator"].tolist(), t.other_levels["area_name"].tolist()
('percent', [12.5, 50.0], ['Total'])
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .columns import (
    ambiguous_indicators,
    catalogue,
    column_role,
    header_universe,
    indicator_names,
    is_breakdown_only,
    is_not_ict,
    normalise_name,
    recognise_indicator,
)
from .errors import EgovkitWarning, InputError
from .table import LONG_COLUMNS, CensusTable
from .validate import ValidationReport

__all__ = ["read_table", "TOTAL_NAMES", "total_kind"]

#: Area names (normalised) recognised as totals rows; a trailing ``*`` or words after
#: ``rural``/``urban`` are allowed (``RURAL*``, ``Urban areas``). Names built on a total word
#: are recognised too, see :func:`total_kind`.
TOTAL_NAMES = {"total", "totals", "grand total", "total general", "national", "nation", "country",
               "pays", "ensemble", "all", "all areas", "tous", "kenya", "republic of kenya",
               "france", "france entiere", "france metropolitaine", "united states", "usa",
               "rural", "urban", "urbain", "urbaine", "rurale", "total rural", "total urban",
               "milieu rural", "milieu urbain", "total population", "whole country", "tout le pays"}
# words that make a name a total wherever they stand (EN/FR/ES/PT/IT/DE/TR/NL...)
_TOTAL_WORDS = {"total", "totals", "totaux", "totale", "totales", "totaal", "totalt", "toplam", "gesamt",
                "insgesamt", "summe", "overall", "grandtotal", "subtotal", "subtotals", "soustotal", "nationwide",
                "countrywide"}
# words that make a name a total when they come first (``Ensemble du territoire``, ``All districts``)
_TOTAL_FIRST = {"ensemble", "sum", "somme", "suma", "soma", "national", "nacional", "nationale", "nazionale",
                "all", "tous", "toutes", "todo", "todos", "todas", "tutti", "tutto", "whole", "entire",
                "country", "pays"}
_AREA_WORDS = {"districts", "district", "areas", "area", "counties", "county", "communes", "commune", "regions",
               "region", "provinces", "province", "municipalities", "municipios", "municipalites", "departments",
               "departements", "departamentos", "zones", "zonas", "wards", "localities", "localites",
               "territory", "territoire", "territorio", "country", "pays", "pais", "nation", "level", "les", "la",
               "le", "du", "de", "des", "los", "las", "as", "os", "da", "do", "the", "of", "combined", "together",
               "states", "cities", "villes", "arrondissements", "cantons", "circles", "cercles", "prefectures",
               "subcounties", "sub", "constituencies", "neighbourhoods", "neighborhoods", "quartiers", "sum",
               "total", "totals", "nacional", "national", "general", "geral", "entier", "entiere", "entire",
               "whole", "all", "tous", "toutes", "todos", "todas", "a", "as", "and", "et", "y", "e", "el", "o",
               "population", "households", "menages", "persons", "personnes", "hogares", "domicilios"}
_SUB_WORDS = {"sub", "subtotal", "subtotals", "soustotal", "sous", "subtotaal", "subtotale", "zwischensumme"}


def total_kind(name: object) -> str | None:
    """``"national"`` when an area name says the row is a total of the table, ``"subtotal"`` for a
    subtotal, ``"rural"``/``"urban"`` for those totals, else ``None``.

    Word-based, case- and accent-insensitive, qualifiers allowed: ``Total``, ``TOTAL*``,
    ``Total de la région``, ``Grand total``, ``Country total``, ``Ensemble du territoire``,
    ``All districts``, ``National``, ``Toplam``, ``Total geral``... A district named with such a
    word in another sense (``All Saints``, ``Sumatra``) is not a total: ``all``/``sum``/
    ``national``... only count when every other word is a word about areas.

    Examples
    --------
    >>> [total_kind(x) for x in ["Total de la région", "All districts", "Sous-total Nord", "All Saints", "Kibra"]]
    ['national', 'national', 'subtotal', None, None]
    """
    norm = re.sub(r"[^a-z0-9]+", " ", normalise_name(str(name).replace("%", " "))).strip()
    return _total_kind(norm)


@lru_cache(maxsize=1)
def _total_trigger() -> frozenset[str]:
    return frozenset(_TOTAL_WORDS | _TOTAL_FIRST | _SUB_WORDS | {w for n in TOTAL_NAMES for w in n.split()}
                     | {"rural", "rurale", "urban", "urbain", "urbaine"})


def _maybe_total(norm: str) -> bool:
    return not _total_trigger().isdisjoint(norm.split()) or "subtotal" in norm or "soustotal" in norm \
        or "grandtotal" in norm


def _total_kinds(norm: pd.Series) -> pd.Series:
    """:func:`_total_kind` of normalised names ("" when not a total); only names holding a total
    word are looked at (one vectorised pass, so 10^5 district names stay fast)."""
    codes, uniq = pd.factorize(norm.to_numpy(dtype=object))  # long tables repeat every name
    kinds = np.full(len(uniq), "", dtype=object)
    for j, x in enumerate(uniq):
        if isinstance(x, str) and _maybe_total(x):
            kinds[j] = _total_kind(x) or ""
    return pd.Series(kinds[codes] if len(uniq) else np.full(len(norm), "", dtype=object), index=norm.index)


@lru_cache(maxsize=65536)
def _total_kind(norm: str) -> str | None:
    if not norm:
        return None
    toks = norm.split()
    joined = "".join(toks)
    if toks[0] in {"rural", "rurale"} or norm in {"total rural", "milieu rural", "zone rurale", "zones rurales"}:
        return "rural"
    if toks[0] in {"urban", "urbain", "urbaine"} or norm in {"total urban", "milieu urbain", "zone urbaine",
                                                               "zones urbaines"}:
        return "urban"
    if any(t in _SUB_WORDS for t in toks) or joined.startswith(("subtotal", "soustotal")):
        return "subtotal"
    if norm in TOTAL_NAMES:
        return "national"
    if any(t in _TOTAL_WORDS for t in toks) or joined in {"grandtotal", "totalgeneral"}:
        return "national"
    if toks[0] in _TOTAL_FIRST and all(t in _AREA_WORDS or t.isdigit() for t in toks[1:]):
        return "national"
    return None


_TOTAL_LEVELS = {"xxx", "national", "nation", "country", "total", "pays", "ensemble"}
_PLACEHOLDERS = {"", "xxx", "nan", "na", "none", "-"}
_MISSING_MARKERS = {"", "-", "\u2013", "\u2014", "..", "...", "n/a", "na", "nan", "null", "none",
                    "nd", "n.d.", "n.a.", "NA", "N/A", "NaN", "NULL", "None", "ND", "#N/A", "x", "X"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_GEO_SUFFIXES = {".geojson", ".gpkg", ".shp", ".fgb", ".kml", ".gml"}

# status codes of a parsed cell
_OK, _MISSING, _BAD = 0, 1, 2

_SPACE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009']\d{3})+(?:[.,]\d+)?$")
_DOT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+$")
# decimal-comma cells: 12,5 / 1 234,5 / 1.234,5 / 12,5 % (spaces may be no-break spaces)
_COMMA_FORM = re.compile(r"\s*[+-]?(?:\d{1,3}(?:[ \u00a0\u202f\u2009.]\d{3})+|\d+)(?:,\d+)?\s*%?\s*")
_COMMA_TABLE = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, "\u2009": None, ".": None,
                              "%": None, ",": ".", "\t": None})
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
# 1.234 / 12.500 / 1.234.567: thousands or decimals (0.125 is a decimal)
_DOT_THOUSANDS_ONLY = re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$")


# ----------------------------------------------------------------------------------------------
# loading
# ----------------------------------------------------------------------------------------------
def _decode(data: bytes, encoding: str | None, name: str, report: ValidationReport) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot decode the file as {encoding!r} ({exc})", file=name,
                             fix="leave encoding=None to detect it, or give the right encoding") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode text" exports
        report.add("info", "encoding", "encoding detected: UTF-16 with BOM", action="inferred")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"the file starts like UTF-16 text but is not ({exc})", file=name,
                             fix="save the table again as CSV UTF-8, or pass encoding=") from exc
    sample = data[:4000]
    if len(sample) >= 4 and sample.count(b"\x00") > 0.3 * len(sample):  # UTF-16 without its BOM
        odd, even = sample[1::2].count(b"\x00"), sample[0::2].count(b"\x00")
        enc = "utf-16-le" if odd > 0.8 * len(sample) / 2 else "utf-16-be" if even > 0.8 * len(sample) / 2 else None
        if enc:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                pass
            else:
                report.add("info", "encoding", f"encoding detected: {enc.upper()} (no BOM)", action="inferred",
                           fix=f"pass encoding='{enc}' to silence this")
                return text
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # a UTF-8 BOM on bytes of another encoding: decoded below
            data = data[3:]
        else:
            report.add("info", "encoding", "encoding detected: UTF-8 with BOM", action="inferred")
            return text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        report.add("info", "encoding", "encoding detected: UTF-8", action="inferred")
        return text
    for enc, label in (("cp1252", "Windows-1252 (Latin-1 family)"), ("latin-1", "Latin-1 (ISO-8859-1)")):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        report.add("info", "encoding", f"the file is not UTF-8; encoding detected: {label}",
                   action="inferred", fix=f"pass encoding='{enc}' to silence this, or save the file as UTF-8")
        return text
    raise AssertionError("latin-1 decodes any byte")  # pragma: no cover


#: Leading bytes of files that are not text tables: (signature, what it is).
_SIGNATURES = [(b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
               (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
               (b"Rar!", "a RAR archive"), (b"SQLite format 3", "an SQLite database"),
               (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ", "an xz archive")]
_SEPARATORS = (";", "\t", ",", "|")  # order breaks ties: decimal commas make "," look plausible
_SEP_LABEL = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}


def _not_a_table(name: str, what: str, fix: str | None = None) -> InputError:
    return InputError(f"the file is {what}, not a text or Excel table", file=name,
                      fix=fix or "give the census table as a CSV/TXT file (one header row, one row per district) "
                                 "or an Excel workbook")


def _sniff_binary(data: bytes, path: Path, name: str, sheet: int | str,
                  report: ValidationReport) -> pd.DataFrame | None:
    """Recognise a binary file given as a text table: an Excel workbook is read as one (with a
    warning), anything else is refused. Returns the sheet's cells, or None for a text file."""
    for sig, what in _SIGNATURES:
        if not data.startswith(sig):
            continue
        if what == "zip":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    names = set(z.namelist())
                    mimetype = z.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
            except (zipfile.BadZipFile, OSError, KeyError) as exc:
                raise _not_a_table(name, f"a damaged zip archive ({exc})") from exc
            if "xl/workbook.xml" in names:
                engine, kind = "openpyxl", "an Excel workbook (.xlsx)"
            elif "opendocument.spreadsheet" in mimetype:
                engine, kind = "odf", "an OpenDocument spreadsheet (.ods)"
            else:
                raise _not_a_table(name, f"a zip archive ({len(names)} file(s) inside)",
                                   fix="unzip it and give the table file inside")
        elif what == "ole":
            engine, kind = "xlrd", "an old Excel workbook (.xls) or another Office file"
        else:
            raise _not_a_table(name, what)
        report.add("warning", "file_format", f"the file is named {path.suffix or '(no suffix)'} but is {kind}: "
                   "read as a spreadsheet", action="inferred", fix="rename it with its real suffix (.xlsx, .xls, .ods)")
        return _read_sheet(path, name, sheet, engine=engine, what=kind)
    return None


def _read_sheet(path: Path, name: str, sheet: int | str, engine: str | None = None,
                what: str = "a spreadsheet") -> pd.DataFrame:
    """All cells of one sheet (no header), or an InputError that says why not."""
    try:
        grid = pd.read_excel(path, sheet_name=sheet, dtype=object, header=None, engine=engine)
    except ImportError as exc:  # .xls needs xlrd, .ods needs odfpy
        raise InputError(f"cannot read {what} here ({exc})", file=name,
                         fix="open it in a spreadsheet program and save the sheet as .xlsx or CSV") from exc
    except (ValueError, KeyError, IndexError) as exc:
        if isinstance(sheet, str) or "sheet" in str(exc).lower() or "worksheet" in str(exc).lower():
            raise InputError(f"cannot read sheet {sheet!r} ({exc})", file=name,
                             fix="pass sheet= with an existing sheet name or position") from exc
        raise InputError(f"cannot read {what} ({exc})", file=name,
                         fix="open it in a spreadsheet program and save it again as .xlsx or CSV") from exc
    except Exception as exc:  # noqa: BLE001 - damaged workbooks raise anything (BadZipFile, XLRDError...)
        raise InputError(f"cannot read {what}: the file is damaged or not a workbook "
                         f"({type(exc).__name__}: {exc})", file=name,
                         fix="open it in a spreadsheet program and save it again as .xlsx or CSV") from exc
    if grid.empty:
        raise InputError(f"sheet {sheet!r} is empty", file=name, fix="pass sheet= with the sheet of the table")
    return grid


def _clean_text(text: str, name: str, report: ValidationReport) -> str:
    """Line ends as ``\\n`` (``\\r\\n`` and a lone ``\\r`` end a line too) and NUL bytes removed
    (reported with their lines); a text made mostly of control characters is refused as binary."""
    head = text[:100_000]
    ctrl = sum(1 for ch in head if ch < " " and ch not in "\t\n\r") + head.count("\x7f")
    if ctrl > max(0.05 * len(head), 8) or head.count("\x00") > 0.3 * len(head):
        raise _not_a_table(name, f"binary ({ctrl} control characters in the first {len(head):,})")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip("\x1a")  # DOS end-of-file mark
    if "\x00" in text:
        where = [m.start() for m in re.finditer("\x00", text)]
        lines = sorted({text.count("\n", 0, p) + 1 for p in where[:1000]})
        report.add("warning", "nul_bytes", f"{len(where)} NUL byte(s) removed (line(s) {_lines_text(np.array(lines))})",
                   row=lines[0], action="repaired",
                   fix="check these lines; save the table again as plain text (CSV UTF-8) from its program")
        text = text.replace("\x00", "")
    return text


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


def _header_score(cells: list[object]) -> int:
    """How many cells of a row are recognised column names."""
    n = 0
    for c in cells:
        if c is None or (isinstance(c, float) and np.isnan(c)) or not str(c).strip():
            continue
        if len(str(c)) > 200:
            continue
        if column_role(c) or recognise_indicator(c).indicator or is_not_ict(c):
            n += 1
    return n


def _find_header(first_rows: list[list[object]]) -> int:
    """Index of the header row among the first 20: the row with the most recognised column names
    (at least two, and no number), the first one on ties; row 0 when none has two."""
    best, best_score = 0, 1
    for i, cells in enumerate(first_rows[:20]):
        score = _header_score(cells)
        if score > best_score and (i == 0 or not any(_is_number(c) for c in cells)):
            best, best_score = i, score
    return best


def _is_number(cell: object) -> bool:
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        return not (isinstance(cell, float) and np.isnan(cell))
    try:
        float(str(cell).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        return False
    return True


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
            report.add("warning", "duplicate_column_name",
                       f"column {n!r} appears twice in the header (columns {seen[n] + 1} and {j + 1}); "
                       f"column {j + 1} is ignored", column=n, action="ignored",
                       fix="rename one of the two columns (or delete the copy)")
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
    spanning lines makes the next rows start further down)."""
    if isinstance(source, pd.DataFrame):
        raw = _drop_duplicate_columns(source.copy(), [str(c).strip() for c in source.columns], report)
        lines = np.arange(len(raw)) + 2
        return raw.reset_index(drop=True), lines, None
    path = Path(source)
    name = path.name
    if not path.exists():
        raise InputError("file not found", file=str(path), fix="check the path")
    if path.is_dir():
        raise InputError("this is a folder, not a table file", file=str(path),
                         fix="give the path of the CSV or Excel file of the table")
    if path.suffix.lower() in _GEO_SUFFIXES:
        raise InputError(f"a {path.suffix} file holds boundaries, not a census table", file=name,
                         fix="give the table as a CSV or Excel file, and this file as the boundaries "
                             "(egovkit.geo.read_boundaries; the BOUNDARIES argument of the command line)")
    try:
        size = path.stat().st_size
        data = b"" if size == 0 or path.suffix.lower() in _EXCEL_SUFFIXES else path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=str(path),
                         fix="check that the file exists, is readable and is not open in another program") from exc
    if size == 0:
        raise InputError("the file is empty", file=name, fix="export the table again with its header and rows")
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        grid = _read_sheet(path, name, sheet)
    else:
        grid = _sniff_binary(data, path, name, sheet, report)
    if grid is not None:
        h = _find_header(grid.head(20).values.tolist())
        if h:
            report.add("info", "header_row", f"header found on row {h + 1}; {h} title row(s) above it ignored",
                       row=h + 1, action="inferred")
        header = [f"Unnamed: {j}" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
                  for j, v in enumerate(grid.iloc[h])]
        raw = _drop_duplicate_columns(grid.iloc[h + 1:].reset_index(drop=True), header, report)
        lines = np.arange(len(raw)) + h + 2
        return raw, lines, None
    text = _clean_text(_decode(data, encoding, name, report), name, report)
    data = b""  # the decoded text is all that is needed now: do not hold the file twice
    if not text.strip():
        raise InputError("the file is empty", file=name, fix="export the table again with its header and rows")
    phys = text.split("\n")
    if text.endswith("\n"):
        phys.pop()
    if sep is None:
        sep = _sniff_sep(phys[:200], report)
    elif not isinstance(sep, str) or len(sep) != 1 or sep in '"\n\r':
        raise InputError(f"sep={sep!r} cannot separate columns", file=name, fix="pass one character, e.g. sep=';'")
    if '"' in text:
        text, records, starts = _records(text, sep, name, report)
    else:  # no quoting: one record per physical line (split lazily, only the head is needed)
        records, starts = None, list(range(1, len(phys) + 1))
    head = records[:25] if records is not None else [ln.split(sep) for ln in phys[:25]]
    h = _find_header(head)
    if h:
        report.add("info", "header_row", f"header found on line {starts[h]}; {h} title line(s) above it ignored",
                   row=starts[h], action="inferred")
    # name-like columns stay text (codes keep their leading zeros); the C parser reads the
    # other columns, exactly, as numbers when every cell is a plain number, else as text that
    # _parse_numbers repairs (thousands separators, decimal commas, "-", "n/a"...)
    header = [str(c).strip() for c in (head[h] if head else [])]
    if not any(header):
        raise InputError("the file has no header row", file=name, fix="export the table with a header row")
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
        report.add("warning", "extra_cells", f"the row has {len(cells)} cells but the header {width}: extra cell(s) "
                   f"{[c[:40] for c in extra[:5]]} ignored", row=line, action="ignored",
                   fix="check the row for a stray separator (a decimal comma in a comma-separated file?) or add "
                       "the missing column name to the header")
    if len(long_rows) > 50:
        report.add("warning", "extra_cells", f"{len(long_rows) - 50} more row(s) with extra cells (rows "
                   f"{', '.join(str(x) for x, _ in long_rows[50:60])}...)", row=long_rows[50][0], action="ignored",
                   fix="check the separator (pass sep=)")


# ----------------------------------------------------------------------------------------------
# numbers
# ----------------------------------------------------------------------------------------------
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


_COMMA_MULTI = re.compile(r"^[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?$|^[+-]?\d{1,3}(?:,\d{3})+\.\d+$")
_DOT_MIXED = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")  # 1.234,5
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

    def cells(groups: list) -> str:
        col, k, ex = groups[0]
        more = sum(x[1] for x in groups) - 1
        return f"{ex!r} (column {col!r}{f', and {more} more cell(s)' if more else ''})"

    if n_comma and not n_dot:
        decimal = ","
        if amb["den"]:
            report.add("warning", "comma_thousands", f"households/persons cells such as {cells(amb['den'])} are "
                       f"read with a decimal comma ({amb['den'][0][2]!r} = {amb['den'][0][2].replace(',', '.')}) "
                       "because other cells have decimal commas; they may be thousands", column=amb["den"][0][0],
                       action="inferred", fix=f"check them; pass decimal='.' if {amb['den'][0][2]!r} means "
                                              f"{amb['den'][0][2].replace(',', '')}")
    elif n_comma and n_dot:
        decimal = "." if n_dot >= n_comma else ","
        report.add("warning", "mixed_decimal", f"both decimal commas ({n_comma} cells) and decimal points "
                   f"({n_dot} cells) found; using {decimal!r}", action="inferred",
                   fix="pass decimal=',' or decimal='.'")
    elif n_amb and not n_dot and customary_comma and not amb["den"]:
        decimal = ","
        groups = amb["count"] + amb["rate"]  # in percent/share columns only, thousands are impossible
        report.add("warning" if amb["count"] else "info", "comma_thousands",
                   f"cells such as {cells(groups)} are read with a decimal comma "
                   f"({groups[0][2]!r} = {groups[0][2].replace(',', '.')}) as is usual in files separated by ';' or "
                   "tabs, but they may be thousands", column=groups[0][0], action="inferred",
                   fix=f"check them; pass decimal='.' if {groups[0][2]!r} means {groups[0][2].replace(',', '')}")
    elif n_dthou and not n_dot and customary_comma:
        decimal = ","
        report.add("info", "dot_thousands", f"{n_dthou} cell(s) such as {dthou_example!r} read with a dot as "
                   f"thousands separator ({dthou_example!r} = {dthou_example.replace('.', '')}), as is usual in "
                   "files separated by ';' or tabs", action="inferred",
                   fix="pass decimal='.' if the dots are decimal points")
    else:
        decimal = "."
        if n_amb and customary_comma:
            groups = amb["den"] + amb["count"] + amb["rate"]
            why = "other cells have decimal points" if n_dot else "households and persons are whole counts"
            report.add("info", "comma_thousands", f"cells such as {cells(groups)} read with a comma as thousands "
                       f"separator ({groups[0][2]!r} = {groups[0][2].replace(',', '')}) because {why}",
                       column=groups[0][0], action="inferred", fix="pass decimal=',' if the commas are decimal commas")
        if n_dthou:
            # '1.234' reads as a decimal; '1.234.567' cannot, and is reported per cell when parsed
            as_num = pd.to_numeric(pd.Series([dthou_example]), errors="coerce").iat[0]
            how = (f"are read as decimals ({dthou_example!r} = {as_num:g})" if pd.notna(as_num) else
                   "are read as decimals where they have one dot, else reported as not numbers")
            report.add("warning", "dot_thousands", f"{n_dthou} cell(s) such as {dthou_example!r} {how} because "
                       "other cells have decimal points; they may be thousands", action="inferred",
                       fix=f"check them; pass decimal=',' if {dthou_example!r} means "
                           f"{dthou_example.replace('.', '')}")
    if decimal == ",":
        report.add("info", "decimal", "decimal separator detected: comma (12,5 = 12.5)", action="inferred",
                   fix="pass decimal='.' if the commas are thousands separators")
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


# ----------------------------------------------------------------------------------------------
# the public function
# ----------------------------------------------------------------------------------------------
def _check_totals_rows(data: pd.DataFrame, other: pd.DataFrame, value_type: str, report: ValidationReport,
                       *, rel_tol: float = 0.005) -> None:
    """Compare the table's own territory-total row(s) with the sum of its districts.

    Denominators must agree within ``rel_tol`` (0.5 %); rates within the rounding of the
    published values (0.1 percentage point when they were given as percentages, else
    ``rel_tol``). Agreement is noted, disagreement is a warning naming the total row, the
    indicator and both figures; nothing is changed.
    """
    if data.empty or other.empty or "level" not in other:
        return
    tot = other[other["level"] == "national"]
    if tot.empty:
        return
    sums = data.groupby("indicator")[["numerator", "denominator"]].sum()
    # an indicator with dropped district values cannot add up to the total: not compared
    n_rows = data.groupby("indicator")["source_row"].nunique()
    partial = set(n_rows.index[n_rows < n_rows.max()])
    checked, bad = 0, 0
    for _, r in tot.iterrows():
        ind = r["indicator"]
        if ind not in sums.index or not (r["denominator"] > 0) or ind in partial:
            continue
        num, den = sums.loc[ind, "numerator"], sums.loc[ind, "denominator"]
        if not den > 0:
            continue
        checked += 1
        share_d, share_t = num / den, r["numerator"] / r["denominator"]
        tol_share = 0.001 if value_type == "percent" else rel_tol * max(share_t, 1e-9)
        problems = []
        if abs(den - r["denominator"]) > rel_tol * r["denominator"]:
            problems.append(f"denominator {r['denominator']:,.0f} in the total row vs {den:,.0f} summed over the districts")
        if abs(share_d - share_t) > tol_share + 1e-12:
            problems.append(f"rate {100 * share_t:.2f} % in the total row vs {100 * share_d:.2f} % from the districts")
        if problems:
            bad += 1
            row = r.get("source_row")
            report.add("warning", "total_row_disagrees",
                       f"{ind}: the total row {r['area_name']!r} does not match its districts: " + "; ".join(problems),
                       row=None if pd.isna(row) else int(row), area=str(r["area_name"]),
                       fix="check for missing or duplicated districts, or a total of another scope (e.g. another year)")
    if checked and not bad:
        report.add("info", "total_row_agrees", f"the total row(s) agree with the sum of the districts for {checked} "
                   "indicator(s) (denominators within 0.5 %, rates within rounding)", action="kept apart")
    if partial & set(tot["indicator"]):
        report.add("info", "total_row_not_compared", f"the total row(s) not compared with the districts for "
                   f"{sorted(partial & set(tot['indicator']))}: some district values of these indicators were dropped "
                   "(see above)", action="kept apart")


def read_table(
    source: str | Path | pd.DataFrame,
    *,
    area: str | None = None,
    code: str | None = None,
    level: str | None = None,
    district_level: str | None = None,
    parent: str | None = None,
    denominator: str | dict[str, str] | None = None,
    universe: Literal["households", "persons"] | None = None,
    value_type: Literal["count", "percent", "share"] | None = None,
    columns: dict[str, str] | None = None,
    layout: Literal["wide", "long"] | None = None,
    sheet: int | str = 0,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    errors: Literal["raise", "report"] = "report",
) -> CensusTable:
    """Read a census-style table (CSV or Excel, wide or long) into a validated ``CensusTable``.

    Parameters
    ----------
    source
        A CSV/TXT file (any common encoding and separator), an Excel file (``.xlsx``), or a
        DataFrame (rows are numbered as if it were a file: header = 1, first row = 2).
    area, code
        Columns with the area name and code (inferred from common names: ``name``,
        ``district``, ``county``, ``commune``, ``nom``, ``libellé``...; ``code``, ``GEO_ID``,
        ``FIPS``, ``insee``...). With two name columns (e.g. ``County`` and ``SubCounty``), the
        one with more distinct values is the area and the other the parent.
    level
        Column telling the hierarchy level of each row (e.g. Kenya ``AdminArea``).
    district_level
        Which value of ``level`` marks the districts. Default: the most frequent level among
        rows that are not totals (reported). Rows of other levels are kept apart.
    parent
        Column with the enclosing area's name.
    denominator
        Denominator column (households or persons in scope), or ``{indicator: column}``.
        Default: recognised from its name (``households``, ``ConventionalHouseholds``,
        ``population``, ``ménages``, ``Total``...).
    universe
        What the single denominator column counts when its name does not say.
    value_type
        ``"count"``, ``"percent"`` (0-100) or ``"share"`` (0-1) for every indicator column;
        default: inferred per column (see the module docstring) and reported.
    columns
        Explicit ``{column in the file: canonical indicator}`` (``"ignore"`` to skip one); it
        wins over the recognised aliases. In long tables it maps indicator labels.
    layout
        ``"wide"`` (one row per area) or ``"long"`` (area, indicator, value); default inferred.
    sheet, encoding, sep, decimal
        Excel sheet; CSV encoding, separator and decimal mark (default: detected and reported).
    errors
        ``"report"`` (default) returns the table with every problem in ``.report`` (invalid
        values are dropped, see ``report.row_fate``); ``"raise"`` raises
        :class:`~egovkit.errors.ValidationError` listing every error after checking everything.

    Returns
    -------
    CensusTable
        ``.data`` (district rows, long format), ``.other_levels``, ``.report``, ``.value_type``.

    Raises
    ------
    InputError
        Not a table (folder, empty, binary, archive, damaged workbook), no data rows, no area
        column, no indicator or denominator column; it names the file and the fix. No other
        exception comes out of reading a file (checked by ``benchmarks/fuzz_tables.py``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"Nom": ["A", "B"], "Ménages": [1000, 2000], "Ordinateur": [200, 300]})
    >>> t = read_table(df)
    >>> t.data[["area_name", "indicator", "itu_code", "numerator", "denominator"]].values.tolist()
    [['A', 'computer', 'HH4', 200.0, 1000.0], ['B', 'computer', 'HH4', 300.0, 2000.0]]
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    if value_type not in (None, "count", "percent", "share"):
        raise ValueError(f"value_type must be 'count', 'percent' or 'share', not {value_type!r}")
    # a DataFrame may carry its origin's name (the dataset loaders set it) for the messages
    name = (str(source.attrs.get("egovkit_source", "<DataFrame>")) if isinstance(source, pd.DataFrame)
            else Path(source).name)
    report = ValidationReport(source=name)
    hint = frozenset(c for c in (area, code, level, parent) if c is not None)
    raw, lines, used_sep = _load(source, sheet=sheet, encoding=encoding, sep=sep, report=report, text_columns=hint,
                                 decimal=decimal)
    if raw.shape[1] == 0 or (len(raw) == 0 and raw.shape[1] <= 1 and not any(raw.columns)):
        raise InputError("the file has no columns", file=name, fix="export the table with a header row")

    # blank rows are not data rows
    empty = np.ones(len(raw), dtype=bool)
    for c in raw.columns:  # narrowed to the rows still blank, so clean files stay fast
        idx = np.flatnonzero(empty)
        if not len(idx):
            break
        col = raw[c].iloc[idx]
        blank = col.isna().to_numpy().copy()
        if not pd.api.types.is_numeric_dtype(col.dtype):
            blank |= (_text(col).str.strip() == "").to_numpy()
        empty[idx] = blank
    if empty.any():
        report.add("info", "blank_rows", f"{int(empty.sum())} blank row(s) ignored "
                   f"(rows {', '.join(map(str, lines[empty][:10]))}{'...' if empty.sum() > 10 else ''})",
                   action="ignored")
        raw = raw.loc[~empty].reset_index(drop=True)
        lines = lines[~empty]
    if len(raw) == 0:
        raise InputError("the table has a header but no data rows", file=name,
                         fix="check that the right file or sheet was given")
    report.rows_in = len(raw)
    raw, lines = _drop_note_rows(raw, lines, report)
    if len(raw) == 0:
        raise InputError("the table has a header but only notes below it, no data rows", file=name,
                         fix="check that the right file or sheet was given")

    ctx = _Context(raw=raw, lines=lines, name=name, report=report)
    roles = _assign_roles(ctx, area=area, code=code, level=level, parent=parent, denominator=denominator,
                          universe=universe, columns=columns, layout=layout)
    texts = [None if (c not in raw.columns) else _as_text(raw[c])[0]
             for c in roles["numeric_columns"]]
    kinds = [(c, "den") for c, _ in roles["denominators"]]
    kinds += [(c, "rate" if recognise_indicator(c).kind else "count") for c in roles["numeric_columns"][len(kinds):]]
    dec = decimal or _detect_decimal(texts, used_sep, report, kinds)
    rows = _classify_rows(ctx, roles, district_level, dec)

    if roles["layout"] == "wide":
        blocks, vtype = _wide_blocks(ctx, roles, rows, dec, value_type)
    else:
        blocks, vtype = _long_blocks(ctx, roles, rows, dec, value_type, columns or {})

    # the raw cells are parsed into the blocks and rows now: free them before the long table is built
    ctx.raw = raw = texts = None  # type: ignore[assignment]
    hidden = _find_hidden_totals(rows, blocks)
    data, other = _validate_and_build(ctx, rows, blocks)  # frees the blocks' arrays once checked
    data, other = _hidden_totals(ctx, rows, hidden, data, other)
    data, other = _record_fates(ctx, rows, data, other)
    _check_totals_rows(data, other, vtype, report)
    if data.empty:
        report.add("warning", "no_district_rows", "no usable district row: every row was kept apart or dropped",
                   fix="check district_level= and the totals rows, see the notes above")

    n_warn = len(report.warnings)
    n_err = len(report.errors)
    if errors == "raise":
        report.raise_if_errors()
    if n_warn or n_err:
        warnings.warn(f"{name}: {n_err} error(s) and {n_warn} warning(s) while reading; "
                      "print table.report for the rows, columns and fixes", EgovkitWarning, stacklevel=2)
    return CensusTable(data=data, other_levels=other, report=report, value_type=vtype, source=name)


# ----------------------------------------------------------------------------------------------
# internals
# ----------------------------------------------------------------------------------------------
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
    report.add("info", "note_rows", f"{len(notes)} line(s) of notes or sources below or inside the table ignored "
               f"(rows {_lines_text(lines[notes])}): {first.iat[notes[0]][:60]!r}", row=int(lines[notes[0]]),
               action="dropped", fix="nothing to do if they are notes; if one is a district, fill in its figures")
    keep = np.ones(len(raw), dtype=bool)
    keep[notes] = False
    return raw.loc[keep].reset_index(drop=True), lines[keep]


class _Context:
    def __init__(self, raw: pd.DataFrame, lines: np.ndarray, name: str, report: ValidationReport) -> None:
        self.raw = raw
        self.lines = lines
        self.name = name
        self.report = report
        self.explained_rows: set[int] = set()  # dropped rows already named by a grouped issue
        self.den_rows = np.zeros(len(raw), dtype=bool)  # long rows giving their area's denominator
        self.parsed: dict[tuple[str, str], tuple] = {}  # (column, decimal) -> _parsed_column


def _parsed_column(ctx: _Context, col: str, dec: str) -> tuple[pd.Series | None, np.ndarray, np.ndarray, bool]:
    """(text, values, status, pct_sign) of a column, parsed once per read (the parent-row check and
    the blocks share the denominators)."""
    if (col, dec) not in ctx.parsed:
        text, nums = _as_text(ctx.raw[col])
        ctx.parsed[col, dec] = (text, *_parse_numbers(text, nums, dec))
    return ctx.parsed[col, dec]


def _check_column(ctx: _Context, col: str | None, arg: str) -> None:
    if col is not None and col not in ctx.raw.columns:
        raise InputError(f"column {col!r} given as {arg}= is not in the table", file=ctx.name, column=col,
                         fix=f"use one of the columns {list(ctx.raw.columns)}")


def _looks_numeric(col: pd.Series) -> bool:
    """At least half of the filled cells (of the first 5,000) read as numbers."""
    text, nums = _as_text(col.iloc[:5000])
    if text is None:
        return True
    cleaned = text.str.replace(r"[\s\u00a0\u202f%]", "", regex=True).str.replace(",", ".", regex=False)
    ok = pd.to_numeric(cleaned, errors="coerce").notna().to_numpy().copy()
    filled = (text.str.strip() != "").to_numpy().copy()
    if nums is not None:
        ok |= ~np.isnan(nums)
        filled |= ~np.isnan(nums)
    return bool(filled.any()) and ok[filled].mean() >= 0.5


def _assign_roles(ctx: _Context, *, area, code, level, parent, denominator, universe, columns, layout) -> dict:
    raw, report, name = ctx.raw, ctx.report, ctx.name
    for col, arg in ((area, "area"), (code, "code"), (level, "level"), (parent, "parent")):
        _check_column(ctx, col, arg)
    columns = dict(columns or {})
    valid = set(indicator_names()) | {"ignore"}
    for col, ind in columns.items():
        if ind not in valid:
            raise InputError(f"{ind!r} is not a catalogue indicator", file=name, column=col,
                             fix=f"map it to one of {sorted(valid - {'ignore'})} or 'ignore'")
        if layout == "wide":
            _check_column(ctx, col, "columns")
    den_map: dict[str, str] = {}
    if isinstance(denominator, dict):
        den_map = dict(denominator)
        for col in den_map.values():
            _check_column(ctx, col, "denominator")
    elif denominator is not None:
        _check_column(ctx, denominator, "denominator")

    explicit = {area, code, level, parent} | ({denominator} if isinstance(denominator, str) else set()) \
        | set(den_map.values())
    by_role: dict[str, list[str]] = {r: [] for r in ("area", "code", "level", "parent", "indicator", "value")}
    dens: list[tuple[str, str | None]] = []
    ind_cols: list[tuple[str, str, str | None]] = []  # (column, indicator, kind)
    breakdowns, not_ict, unknown_num, ignored_text, ignored = [], [], [], [], []
    for col in raw.columns:
        if col in explicit:
            continue
        match = recognise_indicator(col)
        if col in columns and layout != "long":
            if columns[col] == "ignore":
                ignored.append(col)
            else:
                ind_cols.append((col, columns[col], match.kind))
            continue
        role = column_role(col)
        if role is not None:
            if role[0] == "denominator":
                dens.append((col, role[1]))
            else:
                by_role[role[0]].append(col)
            continue
        if match.indicator is not None:
            if match.breakdown is not None:
                breakdowns.append(col)
            else:
                ind_cols.append((col, match.indicator, match.kind))
                said = header_universe(col)
                unit = catalogue().set_index("name").loc[match.indicator, "unit"]
                if said is not None and said != unit:  # no variant of this device in that universe
                    report.add("warning", "universe_mismatch", f"column {col!r} speaks of {said} but indicator "
                               f"{match.indicator!r} counts {unit}: read as {unit}", column=col, action="inferred",
                               fix=f"check what the column counts; map it with columns={{{col!r}: '<indicator>'}} "
                                   "or 'ignore'")
        elif ambiguous_indicators(col):
            options = ambiguous_indicators(col)
            report.add("warning", "ambiguous_column", f"column {col!r} may mean {' or '.join(map(repr, options))} "
                       "(French 'portable': téléphone portable or ordinateur portable): ignored rather than guessed",
                       column=col, action="ignored",
                       fix=f"say which with columns={{{col!r}: {options[0]!r}}} (or {options[1]!r})")
        elif is_breakdown_only(col):
            breakdowns.append(col)
        elif is_not_ict(col):
            not_ict.append(col)
        elif _looks_numeric(raw[col]):
            unknown_num.append(col)
        else:
            ignored_text.append(col)

    # layout
    if layout is None:
        layout = "wide" if ind_cols or not (by_role["indicator"] and by_role["value"]) else "long"
        if layout == "long":
            report.add("info", "layout", f"long layout inferred: indicator column {by_role['indicator'][0]!r}, "
                       f"value column {by_role['value'][0]!r}", action="inferred", fix="pass layout='wide' if not")
    roles: dict = {"layout": layout}

    # area, code, parent
    names = by_role["area"]
    if area is None:
        if not names:
            if code is None and by_role["code"]:
                area = by_role["code"][0]
                report.add("warning", "area_column", f"no area-name column found; the codes of column {area!r} "
                           "are used as names", column=area, action="inferred", fix="pass area='<column>'")
            else:
                raise InputError(f"no area-name column recognised among {list(raw.columns)}", file=name,
                                 fix="pass area='<column with the district names>'")
        else:
            nun = {c: raw[c].nunique() for c in names}
            area = max(names, key=lambda c: (nun[c], -names.index(c)))
            if len(names) > 1:
                report.add("info", "area_column", f"area column: {area!r} (most distinct names among {names})",
                           column=area, action="inferred", fix="pass area= to choose another")
    if parent is None:  # a coarser name column (fewer distinct names) is the parent
        n_area = raw[area].nunique()
        others = [c for c in names if c != area and raw[c].nunique() < n_area] + \
            [c for c in by_role["parent"] if c != area]
        if others:
            parent = min(others, key=lambda c: raw[c].nunique())
            report.add("info", "parent_column", f"parent column: {parent!r}", column=parent, action="inferred",
                       fix="pass parent= to choose another")
    if code is None and by_role["code"]:
        code = by_role["code"][0]
    if level is None and by_role["level"]:
        level = by_role["level"][0]
    roles.update(area=area, code=code, parent=parent, level=level)

    # denominators
    if isinstance(denominator, str):
        dens = [(denominator, universe)]
    elif den_map:
        dens = [(c, universe) for c in dict.fromkeys(den_map.values())]
    elif universe is not None and len(dens) == 1:
        dens = [(dens[0][0], universe)]
    roles["denominators"] = dens
    roles["den_map"] = den_map

    if layout == "wide":
        acs = [c for c in raw.columns if re.match(r"S2801_C0\d_\d{3}", str(c))]
        if not ind_cols and acs:
            raise InputError(f"this is a raw ACS S2801 download ({len(acs)} columns such as {acs[0]!r}): its "
                             "estimate, margin-of-error and percent columns need their own reader", file=name,
                             fix="read it with egovkit.acs.read_acs_s2801(path) (optionally with the "
                                 "'..._metadata.csv' file), which returns the same kind of table")
        if not ind_cols:
            cat = catalogue()
            raise InputError(
                f"no ICT indicator column recognised among {list(raw.columns)}", file=name,
                fix="name the columns with the catalogue names " + ", ".join(cat["name"]) +
                    " (or their English/French aliases), or map them explicitly, e.g. "
                    "read_table(path, columns={'Internet access': 'internet'})")
        roles["indicator_columns"] = ind_cols
        for role_name in ("indicator", "value"):
            unknown_num += [c for c in by_role[role_name] if _looks_numeric(raw[c])]
    else:
        ind_col = by_role["indicator"][0] if by_role["indicator"] else None
        val_col = by_role["value"][0] if by_role["value"] else None
        if ind_col is None or val_col is None:
            raise InputError(f"long layout needs an indicator column and a value column; found {list(raw.columns)}",
                             file=name, fix="name them 'indicator' and 'value', or pass layout='wide'")
        roles["indicator_column"], roles["value_column"] = ind_col, val_col
        ignored_text += [c for c, _, _ in ind_cols]
        if not dens:
            dens = _denominator_rows(ctx, area=area, code=code, parent=parent, ind_col=ind_col, val_col=val_col)
            roles["denominators"] = dens

    if breakdowns:
        report.add("info", "breakdown_columns", f"sub-population columns ignored (only totals are read): "
                   f"{breakdowns}", action="ignored",
                   fix="map one explicitly with columns={'<column>': '<indicator>'} to read it instead")
    if not_ict:
        report.add("info", "not_ict", f"not an ICT indicator: ignored: {not_ict}", action="ignored")
    for col in unknown_num:
        report.add("warning", "unknown_column", f"numeric column {col!r} is not a recognised indicator: ignored",
                   column=col, action="ignored",
                   fix=f"map it with columns={{{col!r}: '<indicator>'}}; indicators: {', '.join(indicator_names())}")
    if ignored_text:
        report.add("info", "ignored_columns", f"columns not used: {ignored_text}", action="ignored")
    if ignored:
        report.add("info", "ignored_columns", f"columns ignored as asked: {ignored}", action="ignored")

    numeric = [c for c, _ in dens]
    numeric += [c for c, _, _ in ind_cols] if layout == "wide" else [roles["value_column"]]
    roles["numeric_columns"] = numeric
    return roles


def _denominator_rows(ctx: _Context, *, area: str, code: str | None, parent: str | None, ind_col: str,
                      val_col: str) -> list[tuple[str, str | None]]:
    """Long tables giving the denominator as rows (``A,households,1000``): one denominator column
    per such label, each row holding the value of its area's denominator row (same code, else
    same parent and name). Returns the new columns with their universes."""
    raw, report = ctx.raw, ctx.report
    labels = _text(raw[ind_col]).str.strip()
    role_of = {lab: column_role(lab) for lab in pd.unique(labels)}
    den_labels = [lab for lab, r in role_of.items() if r is not None and r[0] == "denominator"]
    if not den_labels:
        return []
    key = _norm_series(raw[area])
    if parent is not None:
        key = _norm_series(raw[parent]) + "\x1f" + key
    if code is not None:
        codes = _text(raw[code]).str.strip()
        key = codes.where(codes != "", key)
    values = _text(raw[val_col]).str.strip()
    lines = np.asarray(ctx.lines)
    out = []
    for lab in den_labels:
        is_den = (labels == lab).to_numpy()
        den_idx = np.flatnonzero(is_den)
        k, v = key[is_den].to_numpy(dtype=object), values[is_den].to_numpy(dtype=object)
        first = ~pd.Series(k).duplicated().to_numpy()
        lut = dict(zip(k[first], v[first]))
        # each later row against its key's first row, all at once (no pass over all rows per key)
        first_line_of = dict(zip(k[first], lines[den_idx[first]]))
        later = np.flatnonzero(~first)
        differs = later[v[later] != pd.Series(k[later]).map(lut).to_numpy(dtype=object)]
        for i in differs:
            j = int(den_idx[i])
            report.add("warning", "duplicate_denominator", f"a second {lab!r} row for this area ({v[i]!r}; "
                       f"row {int(first_line_of[k[i]])} gives {lut[k[i]]!r}): the first is used", row=int(lines[j]),
                       column=val_col, area=str(raw[area].iat[j]), action="ignored",
                       fix="keep one denominator row per area")
        col = lab if lab not in raw.columns else f"{lab} (rows)"
        raw[col] = key.map(lut).fillna("").astype(str)
        ctx.den_rows |= is_den
        where = lines[is_den]
        out.append((col, role_of[lab][1]))
        report.add("info", "denominator_rows", f"{int(is_den.sum())} row(s) labelled {lab!r} in column {ind_col!r} "
                   f"give the denominator of their area (rows {_lines_text(where)}): used as the denominator column "
                   f"{col!r} of the other rows of the same area", row=int(where[0]), column=ind_col, action="used",
                   fix="pass denominator= with a column of your own to use another")
    return out


def _text(s: pd.Series) -> pd.Series:
    if s.dtype == object:
        return s.map(lambda x: "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)).astype(str)
    return s.fillna("").astype(str) if not pd.api.types.is_numeric_dtype(s.dtype) else \
        s.astype(str).where(s.notna(), "")


def _norm_series(s: pd.Series) -> pd.Series:
    """Area names as keys: lower case, no accents, punctuation as single spaces.

    Computed once per distinct name (long tables repeat names); vectorised for ASCII names,
    :func:`normalise_name` (without its ``%``/digit splitting, which is for column headers) for
    the others."""
    codes, uniques = pd.factorize(_text(s))
    txt = pd.Series(uniques, dtype=str)
    out = txt.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    ascii_ = txt.str.isascii().to_numpy()
    if not ascii_.all():
        rest = txt[~ascii_]
        lut = {u: re.sub(r"[^a-z0-9]+", " ", normalise_name(u.replace("%", " "))).strip() for u in rest}
        out = out.where(ascii_, rest.map(lut))
    return pd.Series(out.to_numpy(dtype=object)[codes], index=s.index, dtype=str)


def _classify_rows(ctx: _Context, roles: dict, district_level: str | None, dec: str = ".") -> pd.DataFrame:
    """Per input row: names, code, level, parent, is_total, is_district, duplicate key.

    Without a level column, rows that are the totals of other rows (a region row among its
    districts) are found by :func:`_parent_rows` and kept apart."""
    raw, report = ctx.raw, ctx.report
    n = len(raw)
    area_name = _text(raw[roles["area"]])
    norm_name = _norm_series(raw[roles["area"]])
    kind = _total_kinds(norm_name)
    rural, urban, sub = (kind == "rural"), (kind == "urban"), (kind == "subtotal")
    is_total = kind != ""
    area_code = (_text(raw[roles["code"]]).str.strip() if roles["code"] else pd.Series([""] * n))
    if roles["level"]:
        lvl = _text(raw[roles["level"]]).str.strip()
        is_total |= lvl.str.lower().isin(_TOTAL_LEVELS)
    else:
        lvl = pd.Series(["district"] * n)
    total_label = np.where(rural, "rural", np.where(urban, "urban", np.where(sub, "subtotal", "national")))
    if roles["level"]:
        candidates = lvl[~is_total]
        if district_level is None:
            counts = candidates[candidates != ""].value_counts()
            if counts.empty:
                district_level = ""
            else:
                district_level = str(counts.index[0])
                others = {k: int(v) for k, v in counts.items() if k != district_level}
                report.add("info", "district_level",
                           f"district level inferred from column {roles['level']!r}: {district_level!r} "
                           f"({int(counts.iloc[0])} rows, the most frequent); other levels kept apart: {others}",
                           column=roles["level"], action="inferred",
                           fix=f"pass district_level= one of {list(counts.index)} to choose another")
        elif district_level not in set(lvl):
            raise InputError(f"district_level {district_level!r} is not a value of column {roles['level']!r}",
                             file=ctx.name, column=roles["level"],
                             fix=f"use one of {sorted(set(lvl))}")
        is_district = ~is_total & (lvl == district_level)
    else:
        is_district = ~is_total
    level_out = lvl.where(~is_total, pd.Series(total_label, index=lvl.index))
    par_norm = _norm_series(raw[roles["parent"]]) if roles["parent"] else pd.Series([""] * n)
    if not roles["level"]:
        upper, upper_level = _parent_rows(ctx, roles, norm_name, par_norm, is_total.to_numpy(), dec)
        if upper.any():
            is_district &= ~upper
            level_out = level_out.where(~upper, pd.Series(upper_level, index=lvl.index))
    else:
        upper = np.zeros(n, dtype=bool)
    if roles["parent"]:
        par = _text(raw[roles["parent"]]).str.strip()
        placeholder = par.str.lower().isin(_PLACEHOLDERS) | is_total | upper
        if roles["level"]:  # the level column tells the parent rows; theirs is their own name
            placeholder |= par_norm == norm_name
        par = par.where(~placeholder, "")
    else:
        par = pd.Series([""] * n)
    rows = pd.DataFrame({
        "area_name": area_name.to_numpy(),
        "area_code": area_code.to_numpy(),
        "level": level_out.to_numpy(),
        "parent": par.to_numpy(),
        "is_total": is_total.to_numpy(),
        "is_district": is_district.to_numpy(),
        "line": ctx.lines,
    })
    # duplicate key: code when there is one, else (parent, normalised name)
    if roles["code"]:
        rows["key"] = np.where(rows["area_code"] != "", rows["area_code"], norm_name.to_numpy())
    else:
        rows["key"] = rows["parent"].str.upper().to_numpy() + "\x1f" + norm_name.to_numpy()
    missing_name = (norm_name == "").to_numpy() & (rows["area_code"] == "").to_numpy()
    rows["no_name"] = missing_name
    for i in np.flatnonzero(missing_name):
        report.add("error", "missing_area", "the row has no area name or code", row=int(rows["line"].iat[i]),
                   column=roles["area"], action="dropped", fix="fill in the district name")
    n_tot = int(rows["is_total"].sum())
    n_other = int((~rows["is_district"] & ~rows["is_total"] & ~upper).sum())
    if n_tot or n_other:
        tot_names = rows.loc[rows["is_total"], "area_name"].unique().tolist()[:10]
        report.add("info", "kept_apart", f"{n_tot} totals row(s) {tot_names} and {n_other} row(s) of other "
                   "levels kept apart in .other_levels (never mixed with the districts)", action="kept apart")
    return rows


#: First or last word of an area name that says the row is a higher level (``Region North``,
#: ``Western Province``); "county", "district", "commune" name ordinary districts.
_UPPER_FIRST = {"region", "regions", "province", "state", "division", "departement"}
_UPPER_LAST = {"region", "province", "division"}


def _lines_text(lines: np.ndarray, limit: int = 10) -> str:
    return ", ".join(map(str, lines[:limit])) + ("..." if len(lines) > limit else "")


def _parent_rows(ctx: _Context, roles: dict, norm_name: pd.Series, par_norm: pd.Series, is_total: np.ndarray,
                 dec: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows that total other rows of the same table, when no level column says so.

    A row is a parent level when its name equals its own parent (``North,North``) or is the
    parent of other rows; its denominator is checked against the sum of those rows, which
    also tells apart a district named like its parent (Kenya's ``TANA RIVER`` sub-county). Without
    a parent column, a name such as ``Region North`` marks a higher level when some rows lack
    such a word; its denominator is checked against the rows below it. Everything is reported.

    Returns (is_parent_level, level label per row).
    """
    report, lines = ctx.report, np.asarray(ctx.lines)
    n = len(norm_name)
    upper = np.zeros(n, dtype=bool)
    label = np.full(n, "", dtype=object)
    nn = norm_name.to_numpy(dtype=object)
    pn = par_norm.to_numpy(dtype=object)
    names = _text(ctx.raw[roles["area"]]).to_numpy(dtype=object)
    den = np.full(n, np.nan)
    den_col = roles["denominators"][0][0] if roles.get("denominators") else None
    if den_col is not None and den_col in ctx.raw.columns:
        _, dv, dst, _ = _parsed_column(ctx, den_col, dec)
        den = np.where(dst == _OK, dv, np.nan)
    # long tables repeat each area once per indicator: each (parent, name, denominator) counts once
    long = roles.get("layout") == "long"
    first = ~pd.DataFrame({"p": pn, "n": nn, "d": den}).duplicated().to_numpy() if long else np.ones(n, dtype=bool)
    valid = ~is_total & (nn != "")

    def close(a: float, b: float) -> bool:
        return bool(np.isfinite(a) and np.isfinite(b) and b > 0 and abs(a - b) <= 0.005 * b)

    def fmt(x: float) -> str:
        return f"{x:,.0f}" if np.isfinite(x) else "unknown"

    if roles["parent"]:
        pcol = roles["parent"]
        named_parents = set(pn[valid & (pn != "") & (pn != nn)])
        own = valid & (pn != "") & (nn == pn)
        # hash look-ups and one grouping: np.isin on object arrays compares every row to every name
        cand = own | (valid & pd.Series(nn).isin(named_parents).to_numpy())
        cand_idx = np.flatnonzero(cand & first)
        members_of = pd.Series(cand_idx).groupby(nn[cand_idx], sort=False).indices
        kid_idx = np.flatnonzero(valid & first)
        kid_idx = kid_idx[pd.Series(pn[kid_idx]).isin(members_of.keys()).to_numpy()]
        kids_of = pd.Series(kid_idx).groupby(pn[kid_idx], sort=False).indices if len(kid_idx) else {}
        no_kids = np.array([], dtype=np.int64)
        confirmed, unchecked, as_district, alone = [], [], [], []
        for name in pd.unique(nn[cand_idx]):
            members = cand_idx[members_of[name]]
            kids = kid_idx[kids_of[name]] if name in kids_of else no_kids
            sums = {int(c): float(np.nansum(den[kids[kids != c]])) if np.isfinite(den[kids[kids != c]]).any()
                    else np.nan for c in members}
            if not len(kids[~np.isin(kids, members)]) and len(members) == 1:
                alone.append(int(members[0]))  # no other row under this name: the district itself
                continue
            match = [c for c in members if close(den[c], sums[int(c)])]
            if match:
                confirmed += match
                as_district += [int(c) for c in members if c not in match]
                continue
            # smaller than the rows under its name: it cannot be their total (a district named
            # like its parent, the parent row being absent); no figures: the name decides
            smaller = [c for c in members if np.isfinite(den[c]) and den[c] < 0.995 * sums[int(c)]]
            mine = [c for c in members if own[c] and c not in smaller]
            pick = mine[:1] or [c for c in members if c not in smaller][:1]
            unchecked += [(int(c), len(kids) - 1, sums[int(c)]) for c in pick]
            as_district += [int(c) for c in members if c not in pick]
        chosen = np.array(confirmed + [c for c, _, _ in unchecked], dtype=np.int64)
        upper[chosen] = True
        if long and len(chosen):  # the other rows of a chosen area (a NaN denominator matches no other row)
            keys = pd.MultiIndex.from_arrays([pn[chosen], nn[chosen], den[chosen]])
            same = pd.MultiIndex.from_arrays([pn, nn, den]).isin(keys) & ~np.isnan(den)
            upper |= valid & same
        label[upper] = pcol
        if confirmed:
            c = np.array(sorted(confirmed))
            report.add("info", "parent_rows", f"{len(c)} row(s) are totals of the rows that name them in column "
                       f"{pcol!r} (their {den_col!r} equals the sum of those rows): {list(names[c][:10])} "
                       f"(rows {_lines_text(lines[c])}); kept apart in .other_levels with level {pcol!r}, never "
                       "counted with the districts", row=int(lines[c[0]]), column=pcol, action="kept apart",
                       fix="pass level= with a column telling each row's level to choose otherwise")
        for c, k, tot in unchecked:
            report.add("warning", "parent_rows", f"row {names[c]!r} is named as the {pcol!r} of other rows; it is "
                       f"kept apart as their total, but its {den_col!r} ({fmt(den[c])}) is not the sum of those "
                       f"{k} row(s) ({fmt(tot)}): some rows may be missing or the figures of another scope",
                       row=int(lines[c]), column=pcol, area=names[c], action="kept apart",
                       fix="check the rows of this area; if the row is a district, give it another name "
                           "or pass level=")
        if as_district:
            d = np.array(sorted(as_district))
            report.add("info", "parent_name_district", f"{len(d)} row(s) carry the name of a {pcol!r} but are not "
                       f"the total of its rows: read as districts: {list(names[d][:10])} (rows "
                       f"{_lines_text(lines[d])})", row=int(lines[d[0]]), column=pcol, action="used",
                       fix="pass level= with a column telling each row's level if that is wrong")
        if alone:
            a = np.array(sorted(alone))
            report.add("info", "parent_name_district", f"{len(a)} row(s) have the name of their {pcol!r} and no "
                       f"other row under it: read as districts: {list(names[a][:10])} (rows "
                       f"{_lines_text(lines[a])})", row=int(lines[a[0]]), column=pcol, action="used",
                       fix="remove the row if it is only the total of districts missing from the file")
        return upper, label
    # no parent column: "Region North" among districts
    toks = [str(x).split() for x in nn]
    flagged = np.array([bool(t) and (t[0] in _UPPER_FIRST or t[-1] in _UPPER_LAST) for t in toks]) & valid
    if not flagged.any() or flagged[valid].all():
        return upper, label
    f_idx = np.flatnonzero(flagged & first)
    agree, disagree = [], []
    for j, c in enumerate(f_idx):  # the rows below it, down to the next such row or a total
        stop = f_idx[j + 1] if j + 1 < len(f_idx) else n
        below = np.arange(c + 1, stop)
        tot_after = np.flatnonzero(is_total[below])
        if len(tot_after):
            below = below[:tot_after[0]]
        below = below[first[below] & valid[below]]
        tot = float(np.nansum(den[below])) if np.isfinite(den[below]).any() else np.nan
        (agree if close(den[c], tot) else disagree).append((int(c), len(below), tot))
    keys = set(nn[f_idx])
    upper = flagged & pd.Series(nn).isin(keys).to_numpy()
    label[upper] = "region"
    if agree:
        c = np.array([x[0] for x in agree])
        report.add("info", "parent_rows", f"{len(c)} row(s) named as a higher level (region, province...) and equal "
                   f"to the sum of the rows below them (their {den_col!r}): {list(names[c][:10])} (rows {_lines_text(lines[c])}); kept "
                   "apart in .other_levels with level 'region'", row=int(lines[c[0]]), column=roles["area"],
                   action="kept apart", fix="pass level= with a column telling each row's level to choose otherwise")
    for c, k, tot in disagree:
        report.add("warning", "parent_rows", f"row {names[c]!r} is named as a higher level (region, province...): "
                   f"kept apart, but its {den_col!r} ({fmt(den[c])}) is not the sum of the {k} row(s) below it "
                   f"({fmt(tot)})", row=int(lines[c]), column=roles["area"], area=names[c], action="kept apart",
                   fix="check the rows of this region; if the row is a district, rename it or pass level=")
    return upper, label


def _infer_kind(values: np.ndarray, status: np.ndarray, marker: str | None, pct_sign: bool,
                den: np.ndarray | None, text: pd.Series | None = None) -> tuple[str, str]:
    """Return (kind, reason) following the module docstring rule.

    ``text``: cells written with a decimal part (``10,0``) are not whole-number counts even
    when their values are whole.
    """
    v = values[status == _OK]
    vmax = float(np.nanmax(v)) if len(v) else 0.0
    whole = bool(np.all(np.abs(v - np.round(v)) < 1e-9)) if len(v) else True
    if whole and vmax <= 100 and text is not None:
        whole = _decimals(text[status == _OK], v) == 0
    if marker == "percent" or pct_sign:
        return "percent", "the name or the cells carry a percent marker"
    if marker == "share":
        return "share", "the name says share/proportion"
    if marker == "rate":
        return ("share", "rate name, every value <= 1") if vmax <= 1 else ("percent", "rate name, values up to 100")
    if not whole and vmax <= 1:
        return "share", "every value is between 0 and 1 and not whole"
    if not whole and vmax <= 100:
        return "percent", "every value is between 0 and 100 and not every value is a whole number"
    if whole and len(v) and vmax <= 100 and den is not None:
        d = den[~np.isnan(den)]
        if len(d) and np.median(d) > 100:
            return "count?", "whole numbers all <= 100 while the denominators are larger"
    if not whole and den is not None:  # decimals above 100: percentages with a typo, or counts?
        d = den[~np.isnan(den)]
        n_over = int((v > 100).sum())
        if len(d) and np.median(d) > 100 and (v <= 100).mean() >= 0.75:
            return "count?", (f"values with decimals, {len(v) - n_over} of {len(v)} <= 100 while the denominators "
                              f"are larger: percentages with {n_over} value(s) above 100?")
    return "count", "whole numbers or values above 100"


def _wide_blocks(ctx: _Context, roles: dict, rows: pd.DataFrame, dec: str,
                 value_type: str | None) -> tuple[list[dict], str]:
    raw, report = ctx.raw, ctx.report
    cat = catalogue().set_index("name")
    # parse denominators once per column and report their problems once per row
    den_parsed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for col, _ in roles["denominators"]:
        text, vals, status, _ = _parsed_column(ctx, col, dec)
        _report_den(ctx, rows, col, vals, status, text)
        den_parsed[col] = (vals, status)

    def den_for(ind: str) -> str | None:
        return _denominator_for(ctx, roles, ind, cat.loc[ind, "unit"])

    per_ind: dict[str, list[dict]] = {}
    every_row = np.arange(len(raw))  # one array shared by the blocks
    for col, ind, marker in roles["indicator_columns"]:
        text, nums = _as_text(raw[col])
        vals, status, pct_sign = _parse_numbers(text, nums, dec)
        dcol = den_for(ind)
        if dcol is None:
            raise InputError(f"no denominator column for indicator {ind!r} (column {col!r}) among "
                             f"{list(raw.columns)}", file=ctx.name, column=col,
                             fix="pass denominator='<column with the households or persons in scope>'")
        dvals, dstatus = den_parsed[dcol]
        if value_type is not None and marker not in ("percent", "share") and not pct_sign:
            kind, reason = value_type, "given by value_type="
            report.add("info", "value_type", f"column {col!r} read as {kind} of {dcol!r} ({reason})",
                       column=col, action="given")
        else:  # a percent/share marker in the header or the cells wins over value_type=
            kind, reason = _infer_kind(vals, status, marker, pct_sign, dvals, text)
            if kind == "count?":
                kind = "count"
                report.add("warning", "ambiguous_value_type", f"column {col!r}: {reason}; read as counts",
                           column=col, action="inferred", fix="pass value_type='percent' if they are percentages")
            else:
                report.add("info", "value_type", f"column {col!r} read as {kind} of {dcol!r} ({reason})",
                           column=col, action="inferred", fix="pass value_type= to override")
        per_ind.setdefault(ind, []).append(dict(column=col, indicator=ind, kind=kind, values=vals, status=status,
                                                text=text, den=dvals, den_status=dstatus, den_column=dcol,
                                                pos=every_row))
    blocks = []
    order = {"count": 0, "percent": 1, "share": 2}
    for ind, cols in per_ind.items():
        cols.sort(key=lambda b: order[b["kind"]])
        primary = cols[0]
        for other in cols[1:]:
            if other["kind"] == primary["kind"]:
                report.add("warning", "duplicate_column", f"columns {primary['column']!r} and {other['column']!r} "
                           f"both give {ind!r} as {other['kind']}; {other['column']!r} ignored",
                           column=other["column"], action="ignored",
                           fix=f"map the right one with columns={{{other['column']!r}: 'ignore'}}")
            else:
                _cross_check(ctx, rows, primary, other)
        blocks.append(primary)
    kinds = [b["kind"] for b in blocks]
    vtype = max(sorted(set(kinds)), key=kinds.count)
    if len(set(kinds)) > 1:
        report.add("info", "value_type", f"mixed value types {dict((b['column'], b['kind']) for b in blocks)}; "
                   f"table labelled {vtype!r}", action="inferred")
    return blocks, vtype


def _denominator_for(ctx: _Context, roles: dict, ind: str, uni: str) -> str | None:
    """Denominator column of an indicator: explicit, else the one counting the same universe
    (households/persons), else one whose universe is not said, else the first (with a warning)."""
    if ind in roles["den_map"]:
        return roles["den_map"][ind]
    dens = roles["denominators"]
    if not dens:
        return None
    same = [c for c, u in dens if u == uni]
    if same:
        return same[0]
    unknown = [c for c, u in dens if u is None]
    if unknown:
        return unknown[0]
    col = dens[0][0]
    ctx.report.add("warning", "universe_mismatch", f"indicator {ind!r} counts {uni} but the only denominator "
                   f"column {col!r} counts {dens[0][1]}", column=col, action="kept",
                   fix=f"pass denominator={{'{ind}': '<column of {uni}>'}}")
    return col


def _report_den(ctx: _Context, rows: pd.DataFrame, col: str, vals: np.ndarray, status: np.ndarray,
                text: pd.Series | None) -> None:
    report, lines, names = ctx.report, rows["line"].to_numpy(), rows["area_name"].to_numpy()
    for i in np.flatnonzero(status == _MISSING):
        report.add("warning", "missing_denominator", "denominator is missing: every indicator of this row dropped",
                   row=lines[i], column=col, area=names[i], action="dropped", fix="fill in the denominator")
    for i in np.flatnonzero(status == _BAD):
        cell = text.iat[i] if text is not None and str(text.iat[i]) != "" else f"{vals[i]:g}"
        report.add("error", "non_numeric", f"denominator cell {cell!r} is not a number", row=lines[i],
                   column=col, area=names[i], action="dropped", fix="write a number (e.g. 1234 or 1 234)")
    for i in np.flatnonzero((status == _OK) & (vals < 0)):
        report.add("error", "negative_value", f"denominator {vals[i]:g} is negative", row=lines[i], column=col,
                   area=names[i], action="dropped", fix="correct the count in the file")
    for i in np.flatnonzero((status == _OK) & (vals == 0)):
        report.add("warning", "zero_denominator", "denominator is 0: no rate can be computed, every indicator of "
                   "this row dropped", row=lines[i], column=col, area=names[i], action="dropped",
                   fix="check the count; an area with no households or persons can be left out of the table")


def _cross_check(ctx: _Context, rows: pd.DataFrame, primary: dict, other: dict) -> None:
    """Check a percent/share column against the count column of the same indicator."""
    ok = (primary["status"] == _OK) & (other["status"] == _OK) & (primary["den_status"] == _OK) & \
        (primary["den"] > 0)
    scale = 100.0 if other["kind"] == "percent" else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share_p = primary["values"] / primary["den"]
        if primary["kind"] == "percent":
            share_p = primary["values"] / 100.0
        elif primary["kind"] == "share":
            share_p = primary["values"]
    d = _decimals(other["text"], other["values"])
    tol = 0.5 * 10.0 ** (-d) + 1e-6 * scale
    bad = ok & (np.abs(share_p * scale - other["values"]) > tol)
    report, lines, names = ctx.report, rows["line"].to_numpy(), rows["area_name"].to_numpy()
    for i in np.flatnonzero(bad):
        report.add("warning", "inconsistent_columns",
                   f"{other['column']!r} = {other['values'][i]:g} but {primary['column']!r} / {primary['den_column']!r}"
                   f" gives {share_p[i] * scale:.{d + 2}f}", row=lines[i], column=other["column"], area=names[i],
                   action="kept", fix=f"check the file; {primary['column']!r} is used")
    report.add("info", "cross_check", f"column {other['column']!r} ({other['kind']}) checked against "
               f"{primary['column']!r}: {int(bad.sum())} disagreement(s) beyond rounding (±{tol:.3g}) "
               f"out of {int(ok.sum())} rows", column=other["column"], action="checked")


def _long_blocks(ctx: _Context, roles: dict, rows: pd.DataFrame, dec: str, value_type: str | None,
                 columns: dict[str, str]) -> tuple[list[dict], str]:
    raw, report = ctx.raw, ctx.report
    cat = catalogue().set_index("name")
    ind_col, val_col = roles["indicator_column"], roles["value_column"]
    labels = _text(raw[ind_col]).str.strip()
    lut: dict[str, tuple[str | None, str | None]] = {}
    val_marker = recognise_indicator(val_col).kind
    for lab in pd.unique(labels):
        if lab in columns:
            ind = None if columns[lab] == "ignore" else columns[lab]
            lut[lab] = (ind, recognise_indicator(lab).kind)
            continue
        m = recognise_indicator(lab)
        lut[lab] = (m.indicator if m.breakdown is None else None, m.kind)
    ind_of = labels.map(lambda x: lut[x][0])
    unknown = ind_of.isna().to_numpy() & ~ctx.den_rows  # denominator rows are not indicators
    known = ind_of.notna().to_numpy()
    lines = rows["line"].to_numpy()
    for lab in pd.unique(labels[unknown]):
        where = np.flatnonzero((labels == lab).to_numpy())
        ctx.explained_rows.update(int(x) for x in lines[where])
        severity, why = ("info", "not an ICT indicator") if is_not_ict(lab) or lab in columns else \
            ("warning", "not a recognised indicator")
        report.add(severity, "unknown_indicator", f"indicator {lab!r} is {why}: {len(where)} row(s) dropped "
                   f"(rows {', '.join(map(str, lines[where][:10]))}{'...' if len(where) > 10 else ''})",
                   row=int(lines[where[0]]), column=ind_col, action="dropped",
                   fix=f"map it with columns={{{lab!r}: '<indicator>'}}; indicators: {', '.join(indicator_names())}")
    text, nums = _as_text(raw[val_col])
    vals, status, pct_sign = _parse_numbers(text, nums, dec)
    if not roles["denominators"]:  # rows labelled 'households' would have become one (_denominator_rows)
        raise InputError(f"no denominator column among {list(raw.columns)}", file=ctx.name,
                         fix="add a column with the households or persons in scope and pass denominator='<column>', "
                             f"or rows labelled 'households' or 'population' in column {ind_col!r}")
    den_parsed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for dcol, _ in roles["denominators"]:
        den_parsed[dcol] = _parsed_column(ctx, dcol, dec)[1:3]
    reported_den: set[str] = set()
    blocks, kinds = [], []
    for ind in pd.unique(ind_of[known]):
        pos = np.flatnonzero((ind_of == ind).to_numpy())
        dcol = _denominator_for(ctx, roles, ind, cat.loc[ind, "unit"])
        dvals, dstatus = den_parsed[dcol]
        if dcol not in reported_den:  # report denominator problems once per row
            reported_den.add(dcol)
            _report_den(ctx, rows, dcol, dvals, dstatus, _parsed_column(ctx, dcol, dec)[0])
        marker = next((lut[lab][1] for lab in pd.unique(labels.iloc[pos]) if lut[lab][1]), None) or val_marker
        # a '%' in the cells of this indicator (not of another one sharing the value column)
        pct_b = pct_sign and text is not None and bool(text.iloc[pos].str.contains("%", regex=False).any())
        if value_type is not None and marker not in ("percent", "share") and not pct_b:
            kind = value_type
        else:
            kind, reason = _infer_kind(vals[pos], status[pos], marker, pct_b, dvals[pos],
                                       None if text is None else text.iloc[pos])
            if kind == "count?":
                kind = "count"
                report.add("warning", "ambiguous_value_type", f"indicator {ind!r}: {reason}; read as counts",
                           column=val_col, action="inferred", fix="pass value_type='percent' if they are percentages")
            else:
                report.add("info", "value_type", f"indicator {ind!r} read as {kind} of {dcol!r} ({reason})",
                           column=val_col, action="inferred", fix="pass value_type= to override")
        kinds.append(kind)
        blocks.append(dict(column=val_col, indicator=ind, kind=kind, values=vals[pos], status=status[pos],
                           text=None if text is None else text.iloc[pos], den=dvals[pos], den_status=dstatus[pos],
                           den_column=dcol, pos=pos, nums=None))
    if not blocks:
        raise InputError(f"no row of column {ind_col!r} names a catalogue indicator "
                         f"(found {list(pd.unique(labels))[:10]})", file=ctx.name, column=ind_col,
                         fix="map the labels with columns={'<label>': '<indicator>'}; indicators: "
                             + ", ".join(indicator_names()))
    vtype = max(sorted(set(kinds)), key=kinds.count)
    return blocks, vtype


def _validate_and_build(ctx: _Context, rows: pd.DataFrame, blocks: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    report = ctx.report
    cat = catalogue().set_index("name")
    row_lines = rows["line"].to_numpy()
    row_names = rows["area_name"].to_numpy()
    is_district = rows["is_district"].to_numpy()
    no_name = rows["no_name"].to_numpy()
    keys = rows["key"].to_numpy()
    dup_reported: set[int] = set()
    parts = []
    for b in blocks:
        pos, v, st, den, dst = b["pos"], b["values"], b["status"], b["den"], b["den_status"]
        col, kind = b["column"], b["kind"]
        lines, names = row_lines[pos], row_names[pos]
        text = b["text"]
        valid = (st == _OK) & (dst == _OK) & (den > 0) & ~no_name[pos]  # den 0: reported by _report_den

        def emit(mask: np.ndarray, severity: str, code: str, msg, fix: str, action: str = "dropped") -> None:
            for i in np.flatnonzero(mask):
                report.add(severity, code, msg(i), row=int(lines[i]), column=col, area=names[i],
                           action=action, fix=fix)

        emit((st == _MISSING) & (dst != _MISSING), "warning", "missing_value",
             lambda i: f"{b['indicator']}: value is missing", "fill in the value if it is known",
             action="dropped for this indicator")
        emit(st == _BAD, "error", "non_numeric",
             lambda i: f"cell {text.iat[i] if text is not None and text.iat[i] != '' else f'{v[i]:g}'!r} "
                       "is not a number",
             "write a number (e.g. 12.5, 12,5 or 1 234)")
        neg = (st == _OK) & (v < 0)
        emit(neg, "error", "negative_value", lambda i: f"{b['indicator']} value {v[i]:g} is negative",
             "correct the value in the file")
        over = np.zeros(len(v), dtype=bool)
        if kind == "percent":
            over = (st == _OK) & (v > 100)
            emit(over, "error", "percent_above_100", lambda i: f"percentage {v[i]:g} is above 100",
                 "check the value (percentages are 0-100; pass value_type='count' if these are counts)")
        elif kind == "share":
            over = (st == _OK) & (v > 1)
            emit(over, "error", "share_above_1", lambda i: f"share {v[i]:g} is above 1",
                 "check the value (shares are 0-1; pass value_type='percent' for 0-100 values)")
        else:
            over = (st == _OK) & (dst == _OK) & (v > den * (1 + 1e-9))
            emit(over, "error", "count_above_denominator",
                 lambda i: f"{b['indicator']} count {v[i]:g} is above its denominator {den[i]:g} "
                           f"({b['den_column']!r})",
                 "check both numbers; a count cannot exceed the households/persons in scope")
        valid &= ~neg & ~over
        # duplicates among named district rows, whatever their values: the first row is the
        # district's row even when some of its values are invalid (never mix two rows)
        d_idx = np.flatnonzero(is_district[pos] & ~no_name[pos])
        k = pd.Series(keys[pos[d_idx]])
        dup = k.duplicated(keep="first").to_numpy()
        if dup.any():
            first_line = pd.Series(lines[d_idx]).groupby(k.to_numpy()).transform("first").to_numpy()
            first_name = pd.Series(names[d_idx], dtype=object).groupby(k.to_numpy()).transform("first").to_numpy()
            codes = rows["area_code"].to_numpy()[pos]
            for j in np.flatnonzero(dup):
                i = d_idx[j]
                valid[i] = False
                tag = int(lines[i])  # one issue per input row, not per indicator
                if tag in dup_reported:
                    continue
                dup_reported.add(tag)
                if str(codes[i]) != "" and str(first_name[j]) != str(names[i]):  # same code, other names
                    what = (f"code {str(codes[i])!r} appears twice: rows {int(first_line[j])} "
                            f"({str(first_name[j])!r}) and {int(lines[i])} ({str(names[i])!r})")
                    fix = "correct the code of one of the two rows"
                else:
                    what = f"district {names[i]!r} appears twice: rows {int(first_line[j])} and {int(lines[i])}"
                    fix = "remove or rename one of the two rows (or give area codes)"
                report.add("error", "duplicate_area", f"{what}; only row {int(first_line[j])} is read",
                           row=int(lines[i]), column=None, area=names[i], action="dropped", fix=fix)
        parts.append(valid)  # the values are taken from the block when the table is built
    inds = np.array([b["indicator"] for b in blocks], dtype=object)
    itu = np.array([cat.loc[i, "itu_code"] or None for i in inds], dtype=object)
    uni = np.array([cat.loc[i, "unit"] for i in inds], dtype=object)
    ctx.parsed.clear()  # the denominators stay in the blocks until each block is written
    b = pos = v = st = den = dst = text = valid = lines = names = k = d_idx = None  # noqa: F841

    def part(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Input row, numerator and denominator of block ``i``'s valid values."""
        b, idx = blocks[i], np.flatnonzero(parts[i])
        vv, dd = b["values"][idx], b["den"][idx]
        if b["kind"] == "count":
            num = vv
        elif b["kind"] == "percent":
            num = vv / 100.0 * dd
        else:
            num = vv * dd
        return b["pos"][idx], num.astype("float64"), dd.astype("float64")

    def na_if_empty(values: np.ndarray) -> np.ndarray:
        out = values.astype(object)
        out[out == ""] = None
        return out

    # typed arrays built once per input row / per indicator, then taken (fast for 1M cells)
    row_cols = {"area_code": pd.array(na_if_empty(rows["area_code"].to_numpy()), dtype="string"),
                "area_name": pd.array(rows["area_name"].to_numpy(dtype=object), dtype="str"),
                "level": _Coded(rows["level"].to_numpy(dtype=object)),
                "parent": pd.array(na_if_empty(rows["parent"].to_numpy()), dtype="string")}
    # columns of a few distinct words (indicator, ITU code, universe, level, file name) are categorical:
    # one byte per row instead of a pointer (8 bytes) for millions of rows
    blk_cols = {"indicator": _Coded(inds), "itu_code": _Coded(itu), "universe": _Coded(uni)}
    src = _Coded(np.array([ctx.name], dtype=object))

    # rows in input row order, then indicator order, written straight to their place in the
    # district (1) or other-level (0) table, with no concatenation and sort of millions of entries:
    # a block's positions are increasing (np.flatnonzero / np.arange), so row r's entries go to
    # start[r], start[r] + 1... in block order; each block is freed once written
    count = np.zeros((2, len(row_lines)), dtype=np.int64)
    for b, valid in zip(blocks, parts):
        pb = b["pos"][valid]
        count[is_district[pb].astype(np.int64), pb] += 1
    nxt = np.cumsum(count, axis=1) - count
    total = count.sum(axis=1)
    del count
    cols = [dict(pm=np.empty(t, dtype=np.int64), bm=np.empty(t, dtype=np.int64), num=np.empty(t),
                 den=np.empty(t)) for t in total]
    for b in range(len(parts)):
        pb, nb, db = part(b)
        blocks[b].clear()  # written: its millions of values are freed before the next block
        k = is_district[pb]
        for d, sel in ((1, k), (0, ~k)):
            q = pb[sel]
            at = nxt[d, q]
            nxt[d, q] += 1
            c = cols[d]
            c["pm"][at], c["bm"][at], c["num"][at], c["den"][at] = q, b, nb[sel], db[sel]
        del pb, nb, db, k, q, at, sel
    del nxt

    def frame(c: dict) -> pd.DataFrame:
        pm, bm = c.pop("pm"), c.pop("bm")
        out = {k: v.take(pm) for k, v in row_cols.items()}
        out.update({k: v.take(bm) for k, v in blk_cols.items()})
        del bm
        # the file name in every row: taken with a 0-stride index (no array of zeros)
        out.update(numerator=c.pop("num"), denominator=c.pop("den"),
                   source=src.take(np.broadcast_to(np.intp(0), pm.shape)),
                   source_row=row_lines[pm].astype("int64", copy=False), _pos=pm)
        # columns in their final order, not consolidated into 2-D blocks: no copy of millions of cells
        return pd.DataFrame({c: out[c] for c in LONG_COLUMNS + ["_pos"]}, copy=False)

    data = frame(cols[1])
    other = frame(cols[0])
    return data, other


class _Coded:
    """Values of a column with few distinct words, taken into a categorical column (sorted categories).

    Examples
    --------
    >>> c = _Coded(np.array(["internet", "computer", None], dtype=object))
    >>> c.take(np.array([0, 0, 2, 1])).tolist()
    ['internet', 'internet', nan, 'computer']
    """

    def __init__(self, values: np.ndarray) -> None:
        codes, self.categories = pd.factorize(np.asarray(values, dtype=object), sort=True, use_na_sentinel=True)
        self.codes = codes.astype(np.int8 if len(self.categories) < 127 else np.int32)
        self.categories = pd.Index(self.categories, dtype="str")

    def take(self, idx: np.ndarray) -> pd.Categorical:
        # only the words present in these rows (value_counts() lists no word with 0 rows)
        return pd.Categorical.from_codes(self.codes[idx], categories=self.categories).remove_unused_categories()


def _find_hidden_totals(rows: pd.DataFrame, blocks: list[dict]) -> tuple[set, dict, dict, np.ndarray]:
    """Find the district rows :func:`_hidden_totals` keeps apart: a district row that is the total
    of the others under another name (the territory's own name, ``Lyon`` above its arrondissements).
    Run on the parsed blocks before the long table is built, so that they can be freed first.

    Every denominator column and every indicator column that is complete (a valid value in every
    district row, whatever was dropped later) is checked: the row holding the largest value is a
    total when that value is the sum of the other rows (within 0.5 %, or within the rounding of the
    rates shown) in two such columns, or in the only one there is. Reported as a warning."""
    is_d = rows["is_district"].to_numpy() & ~rows["no_name"].to_numpy()
    has_value = np.zeros(len(rows), dtype=bool)  # a row without any figure is no district to sum
    for b in blocks:
        has_value[b["pos"]] |= (b["status"] == _OK) | (b["den_status"] == _OK)
    is_d &= has_value
    keys = rows["key"].to_numpy()
    votes: dict[str, list[str]] = {}
    n_others: dict[str, int] = {}
    n_complete = 0
    seen_den: set[str] = set()
    for b in blocks:
        sel = is_d[b["pos"]]
        p = b["pos"][sel]
        if len(p) < 4:  # with 2 or 3 districts a sum is too easily a coincidence
            continue
        den, den_ok = b["den"][sel], (b["den_status"][sel] == _OK) & (b["den"][sel] >= 0)
        checks = []
        if b["den_column"] not in seen_den:
            seen_den.add(b["den_column"])
            checks.append((repr(b["den_column"]), den, den_ok, 0.0))
        v, ok = b["values"][sel], (b["status"][sel] == _OK) & (b["values"][sel] >= 0)
        label = repr(b["column"]) if sum(x["column"] == b["column"] for x in blocks) == 1 else b["indicator"]
        if b["kind"] == "count":
            checks.append((label, v, ok, 0.0))
        else:  # rates become counts (rate x denominator), known within the rounding of the rate shown
            scale = 100.0 if b["kind"] == "percent" else 1.0
            half = 0.5 * 10.0 ** -_decimals(b["text"], b["values"]) / scale
            checks.append((label, v / scale * den, ok & den_ok, float(np.nansum(den)) * half))
        for label, vals, good, err in checks:
            if not good.all():  # a district without a value: the sum proves nothing
                continue
            n_complete += 1
            i = int(np.argmax(vals))
            top, rest = float(vals[i]), float(vals.sum() - vals[i])
            if rest > 0 and abs(top - rest) <= max(0.005 * rest, err):
                key = keys[p[i]]
                votes.setdefault(key, []).append(label)
                n_others[key] = len(p) - 1
    hidden = {k for k, labels in votes.items() if len(labels) >= min(2, n_complete)}
    at = np.flatnonzero(is_d & pd.Series(keys).isin(hidden).to_numpy()) if hidden else np.zeros(0, dtype=np.int64)
    return hidden, votes, n_others, at


def _hidden_totals(ctx: _Context, rows: pd.DataFrame, found: tuple[set, dict, dict, np.ndarray], data: pd.DataFrame,
                   other: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep apart the rows found by :func:`_find_hidden_totals` (level 'national'), with a warning."""
    hidden, votes, n_others, at = found
    if not hidden:
        return data, other
    keys = rows["key"].to_numpy()
    lines, names = rows["line"].to_numpy(), rows["area_name"].to_numpy()
    for k in hidden:
        p = at[keys[at] == k][0]
        ctx.report.add("warning", "looks_like_total", f"row {names[p]!r} equals the sum of the {n_others[k]} other "
                       f"district rows in {', '.join(dict.fromkeys(votes[k]))}: it is a totals row under another "
                       "name and is kept apart (level 'national'), not counted as a district", row=int(lines[p]),
                       area=names[p], action="kept apart",
                       fix="name the row 'Total' (or remove it); if it really is a district, a row of the table may "
                           "be missing")
    rows.loc[rows.index[at], "is_district"] = False
    rows.loc[rows.index[at], "is_total"] = True
    move = data["_pos"].isin(at).to_numpy()
    if not move.any():
        return data, other
    moved = data[move].copy()
    moved["level"] = pd.array(["national"] * len(moved), dtype="str")
    moved["parent"] = pd.array([pd.NA] * len(moved), dtype="string")
    return data[~move].reset_index(drop=True), pd.concat([other, moved]).sort_values("_pos", kind="stable") \
        .reset_index(drop=True)


def _record_fates(ctx: _Context, rows: pd.DataFrame, data: pd.DataFrame,
                  other: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    fate = np.full(len(rows), "dropped", dtype=object)
    fate[other["_pos"].to_numpy()] = "kept apart"
    fate[data["_pos"].to_numpy()] = "used"
    if ctx.den_rows.any():  # a denominator row shares the best fate of its area's rows
        rank = {"dropped": 0, "kept apart": 1, "used": 2}
        key = rows["key"].to_numpy()
        best: dict[str, str] = {}
        for k, f in zip(key[~ctx.den_rows], fate[~ctx.den_rows]):
            if rank[f] > rank[best.get(k, "dropped")]:
                best[k] = f
        for i in np.flatnonzero(ctx.den_rows):
            fate[i] = best.get(key[i], "dropped")
            if fate[i] == "dropped":
                ctx.report.add("warning", "row_dropped", "denominator row of an area with no usable indicator row",
                               row=int(rows["line"].iat[i]), area=rows["area_name"].iat[i], action="dropped",
                               fix="add the area's indicator rows, or remove this row")
    lines = rows["line"].to_numpy()
    ctx.report.row_fate.update(zip(lines.tolist(), fate.tolist()))
    dropped = np.flatnonzero(fate == "dropped")
    covered = {i.row for i in ctx.report.issues if i.row is not None} | ctx.explained_rows
    for i in dropped:
        if int(lines[i]) not in covered:
            ctx.report.add("warning", "row_dropped", "no usable value in this row", row=int(lines[i]),
                           area=rows["area_name"].iat[i], action="dropped", fix="check the row")
    return data.drop(columns="_pos"), other.drop(columns="_pos")
