"""Decoding the bytes of a text table: the encoding (UTF-8, UTF-8 with BOM, UTF-16 with or without
BOM, else Windows-1252/Latin-1), then clean line ends and NUL bytes.

Examples
--------
>>> from egovkit.validate import ValidationReport
>>> _decode("Mombasa;1\\n".encode("utf-8"), None, "t.csv", ValidationReport())
'Mombasa;1\\n'
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import InputError
from ..validate import ValidationReport
from .file_kinds import _not_a_table
from .numbers import _lines_text


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

