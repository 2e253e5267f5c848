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
['coverage.encoding_guessed']
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport

__all__ = ["check_file", "decode_text", "what_text"]

#: the first bytes of files that are not delimited text, and the code saying what each is (and its fix)
_MAGIC = [
    (b"PK\x03\x04", "coverage.magic_zip"),
    (b"\xd0\xcf\x11\xe0", "coverage.magic_xls"),
    (b"SQLite format 3\x00", "coverage.magic_sqlite"),
    (b"%PDF", "coverage.magic_pdf"),
    (b"\x89PNG", "coverage.magic_png"),
    (b"\xff\xd8\xff", "coverage.magic_jpeg"),
    (b"GIF8", "coverage.magic_gif"),
    (b"II*\x00", "coverage.magic_tiff"),
    (b"MM\x00*", "coverage.magic_tiff"),
    (b"\x1f\x8b", "coverage.magic_gzip"),
    (b"7z\xbc\xaf", "coverage.magic_7z"),
    (b"Rar!", "coverage.magic_rar"),
]
#: what a file is, as its readers say it (``what=``), and the code of its words in each language
_WHAT = {"hotspot list": "coverage.what_hotspot_list", "population": "coverage.what_population"}


def what_text(what: str, lang: str | None = None) -> str:
    """The words for what a file is (``"hotspot list"``) in ``lang`` (default: the settings' language).

    >>> what_text("hotspot list", "fr"), what_text("district table", "fr")
    ("liste de points d'accès Wi-Fi", 'district table')
    """
    return render(_WHAT[what], lang=lang) if what in _WHAT else what


def check_file(path: Path, what: str) -> None:
    """An :class:`InputError` for a missing path, a folder or an empty file."""
    params = {"what": what_text(what)}
    if not path.exists():
        raise InputError(code="coverage.file_not_found", params=params, file=str(path))
    if path.is_dir():
        raise InputError(code="coverage.file_is_folder", params=params, file=str(path))
    if path.stat().st_size == 0:
        raise InputError(code="coverage.file_empty", params=params, file=str(path))
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:  # permission denied, a socket...
        raise InputError(code="coverage.file_unopenable", params={**params, "detail": str(exc.strerror or exc)},
                         file=str(path)) from exc


def decode_text(data: bytes, name: str, what: str, report: ValidationReport) -> str:
    """The text of a file's bytes (``name`` and ``what`` it is name it in errors); what was guessed
    or repaired (encoding, byte-order mark, NUL bytes) goes to ``report``."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(code="coverage.not_delimited_text",
                             params={"kind": render(kind), "what": what_text(what), "fix_code": kind}, file=name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(code="coverage.bad_utf16", params={"detail": exc.reason}, file=name) from exc
        report.add("info", "coverage.encoding_utf16_bom", params={}, action="inferred")
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
            report.add("warning", "coverage.encoding_utf16", params={"encoding": enc.upper()}, action="guessed")
            return text
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        report.add("info", "coverage.utf8_bom", params={}, action="repaired")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            report.add("warning", "coverage.bad_bytes", params={}, action="repaired")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")
            enc = "cp1252" if _cp1252_ok(data) else "latin-1"
            report.add("warning", "coverage.encoding_guessed", params={"encoding": enc}, action="guessed")
    if not _looks_textual(text):
        raise InputError(code="coverage.binary_file", params={"what": what_text(what)}, file=name)
    if "\x00" in text:
        report.add("warning", "coverage.nul_bytes", params={"n": text.count(chr(0))}, action="repaired")
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

