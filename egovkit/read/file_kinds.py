"""What kind of file a table file is: spreadsheet suffixes, boundary files, and the leading bytes of
binary files given as text tables (an Excel workbook named ``.csv`` is read as one; a PDF, an image
or an archive is refused with an error that says what it is).

Examples
--------
>>> ".xlsx" in _EXCEL_SUFFIXES, ".gpkg" in _GEO_SUFFIXES
(True, True)
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_GEO_SUFFIXES = {".geojson", ".gpkg", ".shp", ".fgb", ".kml", ".gml"}

#: Leading bytes of files that are not text tables: (signature, what it is: a message code).
_SIGNATURES = [(b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
               (b"%PDF", "read.kind_pdf"), (b"\x89PNG", "read.kind_png"), (b"\xff\xd8\xff", "read.kind_jpeg"),
               (b"GIF8", "read.kind_gif"), (b"\x1f\x8b", "read.kind_gzip"), (b"7z\xbc\xaf", "read.kind_7zip"),
               (b"Rar!", "read.kind_rar"), (b"SQLite format 3", "read.kind_sqlite"),
               (b"BZh", "read.kind_bzip2"), (b"\xfd7zXZ", "read.kind_xz")]


def _not_a_table(name: str, what: str, fix_code: str | None = None) -> InputError:
    """The error refusing a file that is not a table; ``what`` says what it is (rendered from the catalogue)."""
    params = {"what": what}
    if fix_code:
        params["fix_code"] = fix_code
    return InputError(code="read.not_a_table", params=params, file=name)


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
                raise _not_a_table(name, render("read.kind_damaged_zip", {"detail": str(exc)})) from exc
            if "xl/workbook.xml" in names:
                engine, kind = "openpyxl", render("read.kind_xlsx")
            elif "opendocument.spreadsheet" in mimetype:
                engine, kind = "odf", render("read.kind_ods")
            else:
                raise _not_a_table(name, render("read.kind_zip", {"n": len(names)}), fix_code="read.unzip_it")
        elif what == "ole":
            engine, kind = "xlrd", render("read.kind_xls")
        else:
            raise _not_a_table(name, render(what))
        report.add("warning", "file_format", params={"suffix": path.suffix or render("read.no_suffix"), "kind": kind},
                   action="inferred")
        return _read_sheet(path, name, sheet, engine=engine, what=kind)
    return None


def _read_sheet(path: Path, name: str, sheet: int | str, engine: str | None = None,
                what: str | None = None) -> pd.DataFrame:
    """All cells of one sheet (no header), or an InputError that says why not (``what``: the kind of file)."""
    what = what or render("read.kind_spreadsheet")
    try:
        grid = pd.read_excel(path, sheet_name=sheet, dtype=object, header=None, engine=engine)
    except ImportError as exc:  # .xls needs xlrd, .ods needs odfpy
        raise InputError(code="read.no_reader_here", params={"what": what, "detail": str(exc)}, file=name) from exc
    except (ValueError, KeyError, IndexError) as exc:
        if isinstance(sheet, str) or "sheet" in str(exc).lower() or "worksheet" in str(exc).lower():
            raise InputError(code="read.cannot_read_sheet", params={"sheet": sheet, "detail": str(exc)},
                             file=name) from exc
        raise InputError(code="read.cannot_read_spreadsheet", params={"what": what, "detail": str(exc)},
                         file=name) from exc
    except Exception as exc:  # noqa: BLE001 - damaged workbooks raise anything (BadZipFile, XLRDError...)
        raise InputError(code="read.damaged_workbook",
                         params={"what": what, "detail": f"{type(exc).__name__}: {exc}"}, file=name) from exc
    if grid.empty:
        raise InputError(code="read.empty_sheet", params={"sheet": sheet}, file=name)
    return grid



def _zipped_boundaries(path: Path) -> bool:
    """Whether ``path`` is a zip archive holding a boundary file (a zipped shapefile, GeoPackage...)."""
    if path.suffix.lower() != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith(tuple(_GEO_SUFFIXES)) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False  # refused below as a damaged archive

