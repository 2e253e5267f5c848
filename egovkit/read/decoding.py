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
from ..shared.messages import render
from ..validate import ValidationReport
from .file_kinds import _not_a_table
from .numbers import _lines_text


def _detected(label_code: str, enc: str = "", fix_code: str | None = None, not_utf8: bool = False) -> dict:
    """The params of an ``encoding`` finding: the encoding's name (``label_code``), and the fix (if any)."""
    params = {"label": render(label_code, {"enc": enc.upper()}),
              "not_utf8": render("read.not_utf8") if not_utf8 else "", "enc": enc}
    if fix_code:
        params["fix_code"] = fix_code
    return params


def _decode(data: bytes, encoding: str | None, name: str, report: ValidationReport) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(code="read.cannot_decode", params={"encoding": encoding, "detail": str(exc)},
                             file=name) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode text" exports
        report.add("info", "encoding", params=_detected("read.encoding_utf16_bom"), action="inferred")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(code="read.false_utf16", params={"detail": str(exc)}, file=name) from exc
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
                report.add("info", "encoding", params=_detected("read.encoding_no_bom", enc,
                                                                "read.encoding_silence"), action="inferred")
                return text
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # a UTF-8 BOM on bytes of another encoding: decoded below
            data = data[3:]
        else:
            report.add("info", "encoding", params=_detected("read.encoding_utf8_bom"), action="inferred")
            return text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        report.add("info", "encoding", params=_detected("read.encoding_utf8"), action="inferred")
        return text
    for enc, label in (("cp1252", "read.encoding_cp1252"), ("latin-1", "read.encoding_latin1")):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        report.add("info", "encoding", params=_detected(label, enc, "read.encoding_save_utf8", not_utf8=True),
                   action="inferred")
        return text
    raise AssertionError("latin-1 decodes any byte")  # pragma: no cover



def _clean_text(text: str, name: str, report: ValidationReport) -> str:
    """Line ends as ``\\n`` (``\\r\\n`` and a lone ``\\r`` end a line too) and NUL bytes removed
    (reported with their lines); a text made mostly of control characters is refused as binary."""
    head = text[:100_000]
    ctrl = sum(1 for ch in head if ch < " " and ch not in "\t\n\r") + head.count("\x7f")
    if ctrl > max(0.05 * len(head), 8) or head.count("\x00") > 0.3 * len(head):
        raise _not_a_table(name, render("read.kind_binary", {"n": ctrl, "of": len(head)}))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.rstrip("\x1a")  # DOS end-of-file mark
    if "\x00" in text:
        where = [m.start() for m in re.finditer("\x00", text)]
        lines = sorted({text.count("\n", 0, p) + 1 for p in where[:1000]})
        report.add("warning", "nul_bytes", params={"n": len(where), "lines": _lines_text(np.array(lines))},
                   row=lines[0], action="repaired")
        text = text.replace("\x00", "")
    return text

