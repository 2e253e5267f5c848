"""A text file's bytes as text: what cannot be read as delimited text is an :class:`InputError`.

:func:`check_file` refuses a missing path, a folder or an empty file; :func:`decode_text` reads
UTF-8 (with or without byte-order mark), UTF-16 or cp1252/latin-1 text and refuses workbooks,
archives, images and other binary files, naming the fix. Every guess and repair is in the report.

Examples
--------
>>> rep = ValidationReport()
>>> decode_text("lat;lon\\n".encode("cp1252"), "h.csv", "hotspot list", rep)
'lat;lon\\n'
>>> decode_text("é;1\\n".encode("cp1252"), "h.csv", "hotspot list", rep)
'é;1\\n'
>>> [i.code for i in rep.issues]
['encoding_guessed']
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..validate import ValidationReport

__all__ = ["check_file", "decode_text"]

_MAGIC = [
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook, a zipped shapefile...)",
     "save the sheet as CSV (UTF-8), or give the file its real suffix (.xlsx, .zip)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook", "save the sheet as CSV (UTF-8)"),
    (b"SQLite format 3\x00", "a GeoPackage / SQLite database", "give the file its .gpkg suffix"),
    (b"%PDF", "a PDF document", "export the table from its source as CSV"),
    (b"\x89PNG", "a PNG image", "give a table or a vector file of the points"),
    (b"\xff\xd8\xff", "a JPEG image", "give a table or a vector file of the points"),
    (b"GIF8", "a GIF image", "give a table or a vector file of the points"),
    (b"II*\x00", "a TIFF raster", "give it a .tif suffix (a population raster) or a table of points"),
    (b"MM\x00*", "a TIFF raster", "give it a .tif suffix (a population raster) or a table of points"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "unpack it first"),
    (b"Rar!", "a RAR archive", "unpack it first"),
]


def check_file(path: Path, what: str) -> None:
    """An :class:`InputError` for a missing path, a folder or an empty file."""
    if not path.exists():
        raise InputError(f"{what} not found", file=str(path), fix="check the path")
    if path.is_dir():
        raise InputError(f"this is a folder, not a {what} file", file=str(path),
                         fix="give the file inside it (a CSV, GeoJSON, GeoPackage...)")
    if path.stat().st_size == 0:
        raise InputError(f"the {what} file is empty (0 bytes)", file=str(path),
                         fix="export the file again with its header and rows")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:  # permission denied, a socket...
        raise InputError(f"cannot open the {what} file ({exc.strerror or exc})", file=str(path),
                         fix="check the file's permissions") from exc


def decode_text(data: bytes, name: str, what: str, report: ValidationReport) -> str:
    for magic, kind, fix in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"this is {kind}, not a delimited text {what}", file=name, fix=fix)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"the file starts like UTF-16 text but cannot be decoded ({exc.reason})", file=name,
                             fix="save it again as CSV UTF-8") from exc
        report.add("info", "encoding", "encoding detected: UTF-16 with byte-order mark", action="inferred")
        return text
    head = data[:4096]
    if len(head) >= 4 and head.count(b"\x00") >= len(head) // 3:  # UTF-16 without BOM: every other byte is 0
        even, odd = head[0::2].count(0), head[1::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_textual(text):
            report.add("warning", "encoding", f"encoding detected: {enc.upper()} without byte-order mark",
                       action="guessed", fix="save the file as CSV UTF-8")
            return text
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        report.add("info", "utf8_bom", "file starts with a UTF-8 byte-order mark (removed)", action="repaired")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            report.add("warning", "bad_bytes", "some bytes are not UTF-8 although the file says it is; they were "
                       "replaced by \ufffd", action="repaired", fix="save the file as UTF-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")
            enc = "cp1252" if _cp1252_ok(data) else "latin-1"
            report.add("warning", "encoding_guessed", f"file is not UTF-8; read as {enc}", action="guessed",
                       fix="save the file as UTF-8")
    if not _looks_textual(text):
        raise InputError(f"this is a binary file, not a delimited text {what}", file=name,
                         fix="give a CSV (UTF-8) with a header row, or a vector file with its real suffix")
    if "\x00" in text:
        report.add("warning", "nul_bytes", f"{text.count(chr(0))} NUL byte(s) removed", action="repaired",
                   fix="save the file again as CSV UTF-8")
        text = text.replace("\x00", "")
    return text


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _looks_textual(text: str) -> bool:
    """False for binary content: many control characters (other than tab/newlines) or NULs."""
    sample = text[:20000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7f <= ord(ch) < 0xa0
              or ch == "\ufffd")
    return bad <= max(2, 0.02 * len(sample))

