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
from ..validate import ValidationReport

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_GEO_SUFFIXES = {".geojson", ".gpkg", ".shp", ".fgb", ".kml", ".gml"}

#: Leading bytes of files that are not text tables: (signature, what it is).
_SIGNATURES = [(b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
               (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
               (b"Rar!", "a RAR archive"), (b"SQLite format 3", "an SQLite database"),
               (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ", "an xz archive")]


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



def _zipped_boundaries(path: Path) -> bool:
    """Whether ``path`` is a zip archive holding a boundary file (a zipped shapefile, GeoPackage...)."""
    if path.suffix.lower() != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith(tuple(_GEO_SUFFIXES)) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False  # refused below as a damaged archive

