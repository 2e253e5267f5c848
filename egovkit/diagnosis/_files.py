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
from typing import Any, Sequence

import pandas as pd

from ..errors import InputError
from ..export import restore_text
from ..shared.messages import has_message, render
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


def what_text(what: str, lang: str | None = None) -> str:
    """What a file is (``assessment``, ``register``, ``partnerships``), said in ``lang``.

    >>> what_text("register", "fr")
    'registre des parties prenantes'
    """
    code = f"diagnosis.what_{what}"
    return render(code, lang=lang) if has_message(code) else what


def sheet_where(name: str, sheet: str | None) -> str:
    """``"file.xlsx, sheet 'answers'"`` (in :data:`egovkit.settings.language`), the file alone without a sheet.

    >>> sheet_where("t.xlsx", None)
    't.xlsx'
    """
    return render("diagnosis.where_sheet", {"file": name, "sheet": sheet}) if sheet else name


def check_path(path: Path, what: str) -> None:
    """Refuse a missing path, a folder or an empty file with an :class:`InputError`."""
    said = {"what": what_text(what)}
    if not path.exists():
        raise InputError(code="diagnosis.file_not_found", params=said, file=str(path))
    if path.is_dir():
        raise InputError(code="diagnosis.file_is_folder", params=said, file=str(path))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(code="diagnosis.file_unopenable", params={"reason": exc.strerror},
                         file=path.name) from exc
    if size == 0:
        raise InputError(code="diagnosis.file_empty", params=said, file=path.name)


def read_table_file(
    path: str | Path,
    *,
    what: str,
    required: list[str],
    sheet: str | Sequence[str] | None = None,
    rename: dict[str, str] | None = None,
    report: ValidationReport | None = None,
    fix_code: str = "",
) -> tuple[pd.DataFrame, str | None]:
    """Read a ``.csv`` or ``.xlsx`` file into a frame of text cells with normalised headers.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for the messages (``"assessment"``, ``"register"``, ``"partnerships"``).
    required
        Columns (normalised with :func:`header_key`, after ``rename``) the table must have.
    sheet
        Preferred sheet of a workbook (or its names in several languages, the first present is
        read); when absent, the first sheet with the ``required`` columns is read and the report
        says so.
    rename
        Other spellings of the headers (e.g. French labels) -> column names.
    report
        Report to record the guesses in (encoding, separator, sheet, header spellings).
    fix_code
        The catalogue code of the fix of a file without the required columns.

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
        raise InputError(code="diagnosis.file_xls", file=name)
    if suffix == ".ods":
        raise InputError(code="diagnosis.file_ods", file=name)
    if suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES:
        raise InputError(code="diagnosis.file_format", file=name,
                         params={"what": what_text(what), "suffix": suffix or render("diagnosis.no_suffix")})
    if suffix in TEXT_SUFFIXES:
        if head.startswith(_ZIP_MAGIC):
            raise InputError(code="diagnosis.file_zip_as_text", params={"suffix": suffix, "stem": path.stem},
                             file=name)
        df, where = _read_text(path, report), None
    else:
        if not head.startswith(_ZIP_MAGIC):
            if head.startswith(_OLE_MAGIC):
                raise InputError(code="diagnosis.file_xls_as_xlsx", file=name)
            text_like = _decode(path.read_bytes()[:4096]) is not None
            raise InputError(code="diagnosis.file_text_as_xlsx" if text_like else "diagnosis.file_not_xlsx",
                             params={"stem": path.stem}, file=name)
        df, where = _read_excel(path, what, required, sheet, rename, report)
    df = _normalise_headers(df, name, where, rename, report)
    missing = [c for c in required if c not in df.columns]
    if missing:
        found = [c for c in df.columns if not str(c).startswith("unnamed")]
        header = len(found) <= 1 and len(df.columns) > 1
        said = {"missing": missing, "found": found, **({"fix_code": fix_code} if fix_code else {})}
        raise InputError(code="diagnosis.missing_columns_header" if header else "diagnosis.missing_columns",
                         params=said, file=sheet_where(name, where), column=", ".join(missing))
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
            raise InputError(code="diagnosis.file_binary", file=name)
        text = data.decode("cp1252", errors="replace")
        report.add("warning", "diagnosis.encoding_guessed", params={}, action="inferred")
    if not text.strip():
        raise InputError(code="diagnosis.file_blank", file=name)
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda k: (counts[k], k == ","))
    if sep != ",":
        report.add("info", "diagnosis.separator", params={"sep": repr(sep)}, action="inferred")
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError as exc:
        raise InputError(code="diagnosis.no_header", file=name) from exc
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(code="diagnosis.csv_unreadable", params={"error": str(exc).strip(), "sep": repr(sep)},
                         file=name, row=int(line.group(1)) if line else None) from exc
    return df.map(cell_text).astype("str") if len(df.columns) else df


def _read_excel(path: Path, what: str, required: list[str], sheet: str | Sequence[str] | None,
                rename: dict[str, str] | None, report: ValidationReport) -> tuple[pd.DataFrame, str]:
    name = path.name
    try:
        xl = pd.ExcelFile(path, engine="openpyxl")
        sheets = [str(s) for s in xl.sheet_names]
    except Exception as exc:  # BadZipFile, InvalidFileException, KeyError, zlib.error, XML errors...
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
        raise InputError(code="diagnosis.xlsx_unreadable", params={"error": error}, file=name) from exc
    if not sheets:
        raise InputError(code="diagnosis.no_sheet", file=name)

    def load(s: str) -> pd.DataFrame:
        try:
            return pd.read_excel(xl, sheet_name=s, dtype=object)
        except Exception as exc:  # noqa: BLE001 - a damaged sheet
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            raise InputError(code="diagnosis.sheet_unreadable", params={"error": error},
                             file=sheet_where(name, s)) from exc

    names = [sheet] if isinstance(sheet, str) else list(sheet or [])
    sheet = next((s for s in names if s in sheets), names[0] if names else None)
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
            said = {"sheet": sheet, "required": required, "sheets": sheets, "what": what_text(what)}
            raise InputError(code="diagnosis.sheet_missing" if sheet else "diagnosis.no_sheet_with_columns",
                             params=said, file=name, column=", ".join(required))
        if sheet is not None:
            report.add("warning", "diagnosis.sheet_guessed", params={"sheet": sheet, "chosen": chosen,
                                                                     "required": required}, action="inferred")
    df = df.map(cell_text).astype("str") if len(df.columns) else df
    return df, chosen


def _normalise_headers(df: pd.DataFrame, name: str, sheet: str | None, rename: dict[str, str] | None,
                       report: ValidationReport) -> pd.DataFrame:
    where = sheet_where(name, sheet)
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
        raise InputError(code="diagnosis.duplicate_columns", params={"columns": dups}, file=where,
                         column=", ".join(dups))
    for raw, key in zip(df.columns, cols):
        if str(raw) != key and str(raw).strip() not in rename and not key.startswith("unnamed"):
            report.add("info", "diagnosis.header_normalised", params={"raw": str(raw), "key": key}, column=key,
                       action="repaired")
    headers = {key: str(raw).strip() for raw, key in zip(df.columns, cols)}  # as the file writes them
    df = df.copy()
    df.columns = cols
    df.attrs["egovkit_headers"] = headers
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
