"""Loading a table file into raw cells: refusing what is not a table, decoding, separators,
records, the header row, and notes under the table.

Reading: the encoding (UTF-8, UTF-8 with BOM, UTF-16 with or without BOM, else
Windows-1252/Latin-1), the separator (scored on the first lines: the one that gives the best
header row and the largest block of lines of the same width, so that title lines, notes and
ragged rows do not mislead it), title lines above the header (the row with the most recognised
column names among the first 20) are detected and reported.

Examples
--------
>>> _find_header([["Census 2019", None], ["county", "households"], ["Mombasa", 1000]])
1
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validate import ValidationReport
from .eurostat import is_bulk_tsv, read_bulk_tsv
from .numbers import _lines_text, _text
from .roles import column_role, is_not_ict, recognise_indicator

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_GEO_SUFFIXES = {".geojson", ".gpkg", ".shp", ".fgb", ".kml", ".gml"}
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


def _zipped_boundaries(path: Path) -> bool:
    """Whether ``path`` is a zip archive holding a boundary file (a zipped shapefile, GeoPackage...)."""
    if path.suffix.lower() != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith(tuple(_GEO_SUFFIXES)) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False  # refused below as a damaged archive


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
        raise InputError("file not found", file=str(path), fix="check the path")
    if path.is_dir():
        raise InputError("this is a folder, not a table file", file=str(path),
                         fix="give the path of the CSV or Excel file of the table")
    if path.suffix.lower() in _GEO_SUFFIXES or _zipped_boundaries(path):
        from .geo_table import read_attribute_table

        attrs = read_attribute_table(path, report)
        if attrs is not None:
            return attrs, np.arange(len(attrs)) + 2, None
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
    if sep in (None, "\t") and phys and is_bulk_tsv(phys[0]):  # Eurostat bulk TSV: keys joined by commas
        long, lines = read_bulk_tsv(phys, name, report)
        return long, lines, "\t"
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
