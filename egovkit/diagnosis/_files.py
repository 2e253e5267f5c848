"""Reading the diagnosis' own spreadsheets (filled-in templates, stakeholder registers) safely.

Any file ends in a table or an :class:`~egovkit.errors.InputError` naming the file (and sheet,
row or column) and the fix: folders, empty, binary or cut-off files, an Excel workbook renamed
``.csv`` or a CSV renamed ``.xlsx``, old ``.xls``/``.ods`` files, text in another encoding,
a missing sheet. What is guessed (encoding, separator, sheet, header spelling) is recorded in
the report.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("Name;Type\\nA;ngo\\n", encoding="utf-8")
>>> df, sheet = read_table_file(p, what="register", required=["name", "type"])
>>> df.columns.tolist(), df["name"].tolist(), sheet
(['name', 'type'], ['A'], None)
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..export import restore_text
from ..validate import ValidationReport

#: Suffixes read as text (comma, semicolon or tab separated) and as Excel workbooks.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls (and other MS Office 97-2003 files)


def header_key(name: Any) -> str:
    """A column header as compared: trimmed, lower case, spaces and hyphens as ``_``.

    >>> header_key(" Question ID ")
    'question_id'
    """
    text = "" if name is None else str(name)
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def check_path(path: Path, what: str) -> None:
    """Refuse a missing path, a folder or an empty file with an :class:`InputError`."""
    if not path.exists():
        raise InputError("file not found", file=str(path), fix="check the path")
    if path.is_dir():
        raise InputError("is a folder, not a file", file=str(path), fix=f"give the {what} file (.xlsx or .csv)")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot open the file ({exc.strerror})", file=path.name,
                         fix="check the path and its permissions") from exc
    if size == 0:
        raise InputError("the file is empty (0 bytes)", file=path.name,
                         fix=f"give the filled-in {what} (.xlsx or .csv), saved completely")


def read_table_file(
    path: str | Path,
    *,
    what: str,
    required: list[str],
    sheet: str | None = None,
    rename: dict[str, str] | None = None,
    report: ValidationReport | None = None,
    fix: str = "",
) -> tuple[pd.DataFrame, str | None]:
    """Read a ``.csv`` or ``.xlsx`` file into a frame of text cells with normalised headers.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for the messages (``"assessment"``, ``"stakeholder register"``).
    required
        Columns (normalised with :func:`header_key`, after ``rename``) the table must have.
    sheet
        Preferred sheet of a workbook; when absent, the first sheet with the ``required``
        columns is read and the report says so.
    rename
        Other spellings of the headers (e.g. French labels) -> column names.
    report
        Report to record the guesses in (encoding, separator, sheet, header spellings).
    fix
        How to fix a file without the required columns.

    Returns
    -------
    (DataFrame, sheet)
        Every cell as ``str`` (blank as ``""``), rows in file order (row ``i`` of the frame is
        line ``i + 2`` of the file, header = 1); the sheet read (None for text files).
    """
    path = Path(path)
    report = report if report is not None else ValidationReport(source=path.name)
    check_path(path, what)
    suffix = path.suffix.lower()
    name = path.name
    with open(path, "rb") as fh:
        head = fh.read(8)
    if suffix == ".xls" or (head.startswith(_OLE_MAGIC) and suffix not in EXCEL_SUFFIXES):
        raise InputError("an old Excel 97-2003 workbook (.xls), which egovkit does not read", file=name,
                         fix="open it in a spreadsheet and save it as .xlsx (Excel workbook) or .csv")
    if suffix == ".ods":
        raise InputError("an OpenDocument spreadsheet (.ods), which egovkit does not read", file=name,
                         fix="save it as .xlsx (Excel workbook) or .csv")
    if suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES:
        raise InputError(f"unknown {what} format {suffix or '(no suffix)'!r}", file=name,
                         fix="give an .xlsx or .csv file")
    if suffix in TEXT_SUFFIXES:
        if head.startswith(_ZIP_MAGIC):
            raise InputError(f"this is an Excel workbook (or another zip file) named {suffix}", file=name,
                             fix=f"rename it {path.stem}.xlsx, or save it from the spreadsheet as CSV")
        df, where = _read_text(path, report), None
    else:
        if not head.startswith(_ZIP_MAGIC):
            if head.startswith(_OLE_MAGIC):
                raise InputError("an old Excel 97-2003 workbook (.xls) named .xlsx", file=name,
                                 fix="open it in a spreadsheet and save it as .xlsx (Excel workbook) or .csv")
            text_like = _decode(path.read_bytes()[:4096]) is not None
            raise InputError("not an Excel workbook" + (" (it holds text: a CSV file named .xlsx?)" if text_like
                                                         else " (damaged, cut off, or another format)"),
                             file=name, fix=f"rename it {path.stem}.csv if it is a CSV file" if text_like
                             else "save it again from the spreadsheet as .xlsx, or download it again")
        df, where = _read_excel(path, what, required, sheet, rename, report)
    df = _normalise_headers(df, name, where, rename, report)
    missing = [c for c in required if c not in df.columns]
    if missing:
        found = [c for c in df.columns if not str(c).startswith("unnamed")]
        hint = ""
        if len(found) <= 1 and len(df.columns) > 1:
            hint = " (is the header on the first row? a title above it must be removed)"
        raise InputError(f"missing column(s) {missing}; the columns are {found}{hint}",
                         file=name + (f", sheet {where!r}" if where else ""), column=", ".join(missing),
                         fix=fix or "add or rename the columns")
    return df, where


def _decode(data: bytes) -> str | None:
    """Text of UTF-8 (with or without BOM) or UTF-16 (with BOM) bytes, None otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a multi-byte character cut by the 4 kB sample
            try:
                return data[:exc.start].decode("utf-8-sig")
            except UnicodeDecodeError:
                return None
        return None


def _read_text(path: Path, report: ValidationReport) -> pd.DataFrame:
    name = path.name
    data = path.read_bytes()
    text = _decode(data)
    if text is None:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError("not a text file (binary content), so not CSV", file=name,
                             fix="give the .csv or .xlsx file the spreadsheet saved")
        text = data.decode("cp1252", errors="replace")
        report.add("warning", "encoding_guessed", "the file is not UTF-8; read as Windows-1252 (Western "
                   "European)", action="inferred", fix="save the CSV as UTF-8 if accents look wrong")
    if not text.strip():
        raise InputError("the file holds only blank space", file=name, fix="give the filled-in .xlsx or .csv")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda k: (counts[k], k == ","))
    if sep != ",":
        report.add("info", "separator", f"columns separated by {sep!r}", action="inferred")
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError as exc:
        raise InputError("the file has no header row", file=name, fix="give the filled-in .xlsx or .csv") from exc
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(f"cannot read the file as CSV ({str(exc).strip()})", file=name,
                         row=int(line.group(1)) if line else None,
                         fix=f"keep one header row, then rows with the same number of {sep!r}-separated cells "
                             "(quote cells that hold the separator)") from exc
    return df.map(cell_text).astype("str") if len(df.columns) else df


def _read_excel(path: Path, what: str, required: list[str], sheet: str | None,
                rename: dict[str, str] | None, report: ValidationReport) -> tuple[pd.DataFrame, str]:
    name = path.name
    try:
        xl = pd.ExcelFile(path, engine="openpyxl")
        sheets = [str(s) for s in xl.sheet_names]
    except Exception as exc:  # BadZipFile, InvalidFileException, KeyError, zlib.error, XML errors...
        raise InputError(f"cannot open the file as an Excel workbook ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:120] if str(exc) else ''})", file=name,
                         fix="save it again from the spreadsheet as .xlsx (it may be damaged or cut off)") from exc
    if not sheets:
        raise InputError("the workbook has no sheet", file=name, fix="save it again as .xlsx")

    def load(s: str) -> pd.DataFrame:
        try:
            return pd.read_excel(xl, sheet_name=s, dtype=object)
        except Exception as exc:  # noqa: BLE001 - a damaged sheet
            raise InputError(f"cannot read the sheet ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})",
                             file=f"{name}, sheet {s!r}", fix="save the workbook again as .xlsx") from exc

    if sheet is not None and sheet in sheets:
        chosen, df = sheet, load(sheet)
    else:
        chosen, df = None, None
        for s in sheets:
            cand = load(s)
            keys = {(rename or {}).get(str(c).strip(), header_key(c)) for c in cand.columns}
            if set(required) <= keys:
                chosen, df = s, cand
                break
        if chosen is None:
            wanted = f"no sheet {sheet!r} and " if sheet else ""
            raise InputError(f"{wanted}no sheet with the columns {required} (the sheets are {sheets})", file=name,
                             column=", ".join(required),
                             fix=f"keep the {what} on a sheet named {sheet!r} with its header on the first row"
                             if sheet else "put the header on the first row of the first sheet")
        if sheet is not None:
            report.add("warning", "sheet_guessed", f"no sheet {sheet!r}; read sheet {chosen!r}, the first with "
                       f"the columns {required}", action="inferred", fix=f"name the sheet {sheet!r}")
    df = df.map(cell_text).astype("str") if len(df.columns) else df
    return df, chosen


def _normalise_headers(df: pd.DataFrame, name: str, sheet: str | None, rename: dict[str, str] | None,
                       report: ValidationReport) -> pd.DataFrame:
    where = name + (f", sheet {sheet!r}" if sheet else "")
    rename = rename or {}
    cols = []
    for c in df.columns:
        raw = str(c)
        key = rename.get(raw.strip(), rename.get(header_key(raw), header_key(raw)))
        if key.startswith("unnamed:"):
            key = key.replace("unnamed:_", "unnamed:")
        cols.append(key)
    seen: dict[str, int] = {}
    dups = []
    for raw, key in zip(df.columns, cols):
        if key in seen and not key.startswith("unnamed"):
            dups.append(str(raw))
        seen[key] = seen.get(key, 0) + 1
    if dups:
        raise InputError(f"column(s) {dups} appear twice", file=where, column=", ".join(dups),
                         fix="keep one column of each name")
    for raw, key in zip(df.columns, cols):
        if str(raw) != key and str(raw).strip() not in rename and not key.startswith("unnamed"):
            report.add("info", "header_normalised", f"column {str(raw)!r} read as {key!r}", column=key,
                       action="repaired")
    df = df.copy()
    df.columns = cols
    return df


def cell_text(v: Any) -> str:
    """A cell as text: blank for empty/NaN, ``YYYY-MM-DD`` for dates, ``3`` for 3.0."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    if hasattr(v, "isoformat"):
        try:
            return v.date().isoformat() if hasattr(v, "date") and callable(v.date) else v.isoformat()
        except (ValueError, TypeError):
            return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return restore_text(str(v).strip())  # "'=..." written by egovkit.export back to "=..."


def row_has_content(df: pd.DataFrame, columns: list[str] | None = None) -> pd.Series:
    """Rows with at least one non-blank cell (in ``columns``, default all)."""
    sub = df[columns] if columns is not None else df
    if not len(sub.columns):
        return pd.Series(False, index=df.index)
    return (sub != "").any(axis=1)
