"""Delimited text and coordinate columns for the hotspot and population readers.

:func:`read_records` reads a CSV/TSV/TXT file into text cells with the physical line where each
record starts (quoted cells over several lines included), whatever its encoding, separator,
quoting or ragged rows, and turns everything it cannot read into an :class:`InputError` naming the
file and the fix. :func:`coordinate_columns` finds latitude/longitude (or x/y) columns by name;
:func:`parse_numbers` reads coordinates and counts written with a decimal comma, a thousands
separator, a hemisphere letter or in degrees-minutes-seconds.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
>>> _ = p.write_text('name;lat;lon\\n"Gare\\ncentrale";48,85;2,35;\\n')
>>> rep = ValidationReport()
>>> df, lines = read_records(p, rep, what="hotspot list")
>>> lines.tolist(), df["lat"].tolist()
([2], ['48,85'])
>>> parse_numbers(df["lat"], "lat", lines, rep)[0].tolist()
[48.85]
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validate import ValidationReport

__all__ = ["read_records", "coordinate_columns", "parse_numbers", "MAX_LISTED"]

#: Rows listed by name in a summary issue; beyond it, issues are summarised.
MAX_LISTED = 20

csv.field_size_limit(2**31 - 1)  # a long cell is data, not an error

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
_SEPS = (",", ";", "\t", "|")
_SEP_LABEL = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


# -- bytes -> text ---------------------------------------------------------------------------
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


def _decode(data: bytes, name: str, what: str, report: ValidationReport) -> str:
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


# -- text -> records -----------------------------------------------------------------------------
def _records(text: str, sep: str, limit: int | None = None,
             empty: list[int] | None = None) -> tuple[list[list[str]], list[int], list[int]]:
    """Records (quote-aware), the physical line where each starts and where each ends; the lines of
    records made only of separators go to ``empty`` (blank lines are not records)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    ends: list[int] = []
    prev = 0
    for row in reader:
        if row and "".join(row).strip():
            rows.append(row)
            starts.append(prev + 1)
            ends.append(reader.line_num)
            if limit is not None and len(rows) >= limit:
                break
        elif len(row) > 1 and empty is not None:
            empty.append(prev + 1)
        prev = reader.line_num
    return rows, starts, ends


def _header_index(rows: list[list[str]]) -> int:
    """Index of the header: title lines (one cell) above a header of several cells are skipped."""
    h = 0
    # a title is prose (one separator character at most) and narrower than the rows below it
    while h < min(10, len(rows) - 1) and len(rows[h]) - 1 + sum("".join(rows[h]).count(s) for s in _SEPS) <= 1:
        widths = pd.Series([len(_trim(r)) for r in rows[h + 1:h + 51]])
        widths = widths[widths >= 2]
        if widths.empty or len(_trim(rows[h])) >= int(widths.mode().max()):
            break
        h += 1
    return h


def _plausible_names(cells: list[str]) -> int:
    """Header cells that look like whole names: brackets balanced, no leading or trailing space."""
    return sum(c.count("(") == c.count(")") and c.count("[") == c.count("]") and c == c.strip() for c in cells)


def _sniff(text: str, name: str, report: ValidationReport) -> str:
    """The separator that splits the header into > 1 columns and the most rows into as many cells."""
    # line by line (a stray quote must not hide the separator); multi-line cells only lower every score
    lines = [ln for ln in io.StringIO(text[:200_000], newline=None).read().split("\n") if ln.strip()][:60]
    best, best_score = ",", (False, False, -99, -1.0, 0)
    for sep in _SEPS:
        rows = [next(csv.reader([ln], delimiter=sep, strict=False), []) for ln in lines]
        if not rows:
            continue
        h = _header_index(rows)
        hw = len(_trim(rows[h]))
        if hw < 2:
            continue
        body = [_unquoted(ln, sep, hw) if ln.count('"') % 2 else r for ln, r in zip(lines[h + 1:], rows[h + 1:])]
        same = sum(_full_row(r, hw) for r in body) / max(len(body), 1)
        # mostly consistent first, then without title lines skipped, then the most consistent
        # whole names in the header, then mostly consistent rows, then no title lines skipped
        score = (_plausible_names(rows[h]) == len(rows[h]), same >= 0.6, -h, same, hw)
        if score > best_score:
            best, best_score = sep, score
    if best_score[3] < 0:
        report.add("info", "separator", "no separator splits the header into several columns; read as one column",
                   action="inferred", fix="separate the columns with ',' or ';'")
    else:
        report.add("info", "separator", f"column separator detected: {_SEP_LABEL[best]} ({best!r})",
                   action="inferred")
    return best


def _trim(row: list[str]) -> list[str]:
    """A row without its trailing empty cells."""
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return row[:n]


def _unquoted(line: str, sep: str, hw: int) -> list[str]:
    """One physical line split on its own. With an odd number of quotes, the quote that opens a cell
    without closing it is read as a plain character: the first such quote whose removal gives a
    full row; failing that, the line is split without quote rules."""
    if line.count('"') % 2 == 0:
        return next(csv.reader([line], delimiter=sep, strict=False), [])
    mark = "\ue000"  # a private-use character stands for the stray quote while splitting
    for q in [m.start() for m in re.finditer('"', line)]:
        if q and line[q - 1] != sep:
            continue
        cells = next(csv.reader([line[:q] + mark + line[q + 1:]], delimiter=sep, strict=True), []) \
            if _balanced(line[:q] + line[q + 1:], sep) else None
        if cells is not None and _full_row(cells, hw):
            return [c.replace(mark, '"') for c in cells]
    cells = next(csv.reader([line], delimiter=sep, quoting=csv.QUOTE_NONE), [])
    out = []
    for c in cells:
        t = c.strip()
        out.append(t[1:-1].replace('""', '"') if len(t) > 1 and t[0] == t[-1] == '"' else c)
    return out


def _balanced(line: str, sep: str) -> bool:
    """Quotes of a line (or block of lines) that form well-closed quoted cells (no error in strict mode)."""
    try:
        for _ in csv.reader(io.StringIO(line, newline=""), delimiter=sep, strict=True):
            pass
    except csv.Error:
        return False
    return True


def _full_row(cells: list[str], hw: int) -> bool:
    """A line that holds a whole row on its own: the header's number of cells (trailing empty ones aside)."""
    return len(cells) >= hw and len(_trim(cells)) <= hw


def _repair_quotes(text: str, sep: str, hw: int, rows: list[list[str]], starts: list[int], ends: list[int],
                   name: str, report: ValidationReport) -> tuple[list[list[str]], list[int]]:
    """Records broken by an unbalanced quote, read again line by line (reported).

    A record over several lines comes from an unbalanced quote when it has fewer cells than the
    header, or when its quotes are not well formed and each of its lines holds a row on its own
    (the header's cells or more); a one-line record when its line
    has an odd number of quotes and a quoted cell that does not close before a separator.
    """
    if '"' not in text:
        return rows, starts
    physical = io.StringIO(text, newline=None).read().split("\n")
    out_rows: list[list[str]] = []
    out_lines: list[int] = []
    for row, s, e in zip(rows, starts, ends):
        split = False
        if e > s:
            parts = [_unquoted(physical[i - 1], sep, hw) for i in range(s, e + 1) if i - 1 < len(physical)]
            split = len(row) < hw or (not _balanced("\n".join(physical[s - 1:e]), sep) and all(
                len(p) >= hw for p in parts if any(c.strip() for c in p)))
        elif s - 1 < len(physical) and physical[s - 1].count('"') % 2 == 1 and not _balanced(physical[s - 1], sep):
            parts = [_unquoted(physical[s - 1], sep, hw)]
            split = _full_row(parts[0], hw) or len(parts[0]) > len(row)
        if split:
            kept = [(s + k, p) for k, p in enumerate(parts) if any(c.strip() for c in p)]
            where = f"line {s}" if e == s else f"lines {s}-{e}"
            report.add("warning", "unbalanced_quote", f"a quote opened on line {s} is not closed where a cell ends; "
                       f"{where} read without it ({len(kept)} row(s))", row=s, action="repaired",
                       fix='close the quote, or double a quote inside a quoted cell ("")')
            for line, p in kept:
                out_rows.append(p)
                out_lines.append(line)
            continue
        out_rows.append(row)
        out_lines.append(s)
    return out_rows, out_lines


def read_records(path: Path, report: ValidationReport, *, what: str,  # noqa: C901 (reading decisions in one place; split in issue 11 part 3)
                 numeric: Callable[[list[str]], Iterable[int]] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Text cells of a delimited file and the physical line where each record starts (header = line 1).

    Never shifts columns: rows with more cells than the header keep the header's columns (a decimal
    comma that split a number in a comma-separated file is joined back when ``numeric`` says which
    columns hold numbers and the repair is unambiguous; other extra cells are reported), shorter rows
    are padded with empty cells. Blank lines are skipped (they are not records).

    Parameters
    ----------
    path
        The file.
    report
        Where repairs and guesses are recorded.
    what
        What the file is, for messages ("hotspot list").
    numeric
        Given the header, the positions of the columns that hold decimal numbers (coordinates).

    Returns
    -------
    (DataFrame of str or None cells, line of each row)
    """
    name = str(path)
    check_file(path, what)
    text = _decode(path.read_bytes(), name, what, report)
    if not text.strip():
        raise InputError(f"the {what} file holds only blank lines", file=name,
                         fix="export the file again with its header and rows")
    first = text.lstrip("\ufeff").split("\n", 1)
    hint = re.fullmatch(r"\s*sep=(.)\s*", first[0])
    if hint and len(first) > 1:  # Excel's "sep=;" first line
        sep = hint.group(1)
        report.add("info", "separator", f"column separator {sep!r} given by the file's first line 'sep={sep}'",
                   row=1, action="inferred")
        text = " " * len(first[0]) + "\n" + first[1]  # keeps the line numbers
    else:
        sep = _sniff(text, name, report)
    empty: list[int] = []
    rows, starts, ends = _records(text, sep, empty=empty)
    if not rows:
        raise InputError(f"the {what} file holds no values (only separators)", file=name,
                         fix="export the file again with its header and rows")
    h = _header_index(rows)
    if numeric is not None and not list(numeric(_names(rows[h]))):
        # the header is the first of the top rows that names coordinate columns (titles above it)
        h = next((k for k in range(h + 1, min(h + 11, len(rows))) if list(numeric(_names(rows[k])))), h)
    if h:
        report.add("info", "title_lines", f"{h} title line(s) above the header ignored (lines "
                   f"{', '.join(str(x) for x in starts[:h])}); header on line {starts[h]}", row=starts[h],
                   action="ignored")
        rows, starts, ends = rows[h:], starts[h:], ends[h:]
    empty = [e for e in empty if e > starts[0]]
    if empty:
        report.add("info", "empty_rows", f"{len(empty)} row(s) hold only separators (no value) and were skipped: "
                   f"rows {_listed(empty)}", row=empty[0], action="dropped")
        report.set_fate(empty, "dropped")
    header = _names(rows[0])
    if ends[0] > starts[0]:
        report.add("warning", "multiline_header", f"the header runs over lines {starts[0]}-{ends[0]}", row=starts[0],
                   action="kept", fix="put the column names on one line")
    hw = len(_trim(header)) or 1
    rows, lines = _repair_quotes(text, sep, hw, rows[1:], starts[1:], ends[1:], name, report)
    if not rows:
        raise InputError(f"the {what} file has a header ({', '.join(header[:6])}) but no rows", file=name,
                         fix="add the rows, or leave this file out")
    header = header[:hw]
    # names: empty -> column_N, repeated -> name.1 (as pandas does)
    seen: dict[str, int] = {}
    names = []
    for j, h in enumerate(header):
        h = h or f"column_{j + 1}"
        if h in seen:
            seen[h] += 1
            report.add("warning", "duplicate_column_name", f"column {h!r} appears twice in the header; the copy is "
                       f"named {h}.{seen[h]}", column=h, action="repaired", fix="rename one of the two columns")
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        names.append(h)
    num_cols = sorted(set(numeric(names))) if numeric is not None else []
    cells: list[list[str | None]] = []
    trailing, short, extra, joined = [], [], [], []
    for row, line in zip(rows, lines):
        if len(row) == hw:  # the common case
            cells.append(row)
            continue
        t = _trim(row)
        if len(t) > hw:
            # a decimal comma in a comma-separated file splits a number over two cells (the row's
            # empty last cells count: "-1,29,36,82,," may be two numbers and an empty column)
            fixed = None
            for end in range(min(len(row), hw + 4), len(t) - 1, -1):
                fixed = _join_decimal_commas(row[:end], hw, num_cols)
                if fixed is not None:
                    break
            if fixed is not None:
                joined.append((line, fixed[1]))
                t = fixed[0]
            else:
                extra.append((line, t[hw:]))
                t = t[:hw]
        elif len(row) > hw:
            trailing.append((line, len(cells), row))
        if len(t) < hw:
            if len(row) < hw:
                short.append(line)
            t = t + [""] * (hw - len(t))
        cells.append(t[:hw])
    if joined and trailing:
        # the file splits decimal-comma numbers: a row whose extra cells are empty may be one of them
        # ("1,29,36,82,," with its last two columns empty)
        still = []
        for line, k, row in trailing:
            fixed = None
            for end in range(min(len(row), hw + 4), hw, -1):
                fixed = _join_decimal_commas(row[:end], hw, num_cols)
                if fixed is not None:
                    break
            if fixed is not None:
                joined.append((line, fixed[1]))
                cells[k] = fixed[0][:hw] + [""] * (hw - len(fixed[0][:hw]))
            else:
                still.append((line, k, row))
        trailing = still
        joined.sort()
    trailing = [t[0] for t in trailing]
    if joined:
        report.add("warning", "decimal_comma_split", f"{len(joined)} row(s) hold numbers written with a decimal "
                   "comma in a comma-separated file, each split over two cells; joined back where the row then "
                   f"fits the header (e.g. row {joined[0][0]}: {', '.join(joined[0][1])}): rows "
                   f"{_listed([j[0] for j in joined])}", row=joined[0][0], action="repaired",
                   fix='quote such numbers ("40,7128"), or separate the columns with ";"')
    if trailing:
        report.add("info", "trailing_separator", f"{len(trailing)} row(s) end with extra separator(s) (empty cells "
                   f"beyond the header's {hw} columns, ignored; columns not shifted): rows "
                   f"{_listed(trailing)}", row=trailing[0], action="ignored")
    for line, ex in extra[:MAX_LISTED]:
        report.add("warning", "extra_cells", f"the row has {hw + len(ex)} cells but the header {hw}: extra cell(s) "
                   f"{ex[:5]} ignored (the header's columns are read as they are)", row=line, action="ignored",
                   fix="remove the stray separator, quote cells that contain it, or name the extra column")
    if len(extra) > MAX_LISTED:
        report.add("warning", "extra_cells", f"{len(extra) - MAX_LISTED} more row(s) with extra cells: rows "
                   f"{_listed([e[0] for e in extra[MAX_LISTED:]])}", row=extra[MAX_LISTED][0], action="ignored",
                   fix="check the separator")
    if short:
        report.add("info", "short_rows", f"{len(short)} row(s) have fewer cells than the header; the missing cells "
                   f"are read as empty: rows {_listed(short)}", row=short[0], action="repaired")
    df = pd.DataFrame(cells, columns=names, dtype=object)
    for c in df.columns:  # blank cells are missing
        col = df[c]
        blank = col.str.strip().eq("").to_numpy(dtype=bool)
        if blank.any():
            df[c] = col.mask(blank, None)
    return df, np.asarray(lines, dtype=np.int64)


def _names(row: list[str]) -> list[str]:
    return [c.strip().lstrip("\ufeff").strip() for c in row]


def _listed(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:MAX_LISTED]) + (" ..." if len(rows) > MAX_LISTED else "")


_INT = re.compile(r"^\s*[+-]?\d{1,3}\s*$")
_DIGITS = re.compile(r"^\d+\s*$")


def _join_decimal_commas(cells: list[str], hw: int, num_cols: list[int]) -> tuple[list[str], list[str]] | None:
    """Join ``k = len(cells) - hw`` pairs (integer, digits) back into decimal-comma numbers so that every
    joined cell lands on a numeric column; None unless exactly one such way exists."""
    k = len(cells) - hw
    if not num_cols or k > len(num_cols) or k > 4:
        return None
    cand = [i for i in range(len(cells) - 1) if _INT.match(cells[i]) and _DIGITS.match(cells[i + 1])]
    if len(cand) > 12:
        return None
    found: list[tuple[int, ...]] = []

    def rec(start: int, chosen: tuple[int, ...]) -> None:
        if len(found) > 1:
            return
        if len(chosen) == k:
            # position of each joined cell after the joins before it
            pos = [c - n for n, c in enumerate(chosen)]
            if all(p in num_cols for p in pos):
                found.append(chosen)
            return
        for _idx, c in enumerate(cand):
            if c >= start:
                rec(c + 2, chosen + (c,))

    rec(0, ())
    if len(found) != 1:
        return None
    chosen = set(found[0])
    out, joined, i = [], [], 0
    while i < len(cells):
        if i in chosen:
            out.append(f"{cells[i].strip()},{cells[i + 1].strip()}")
            joined.append(out[-1])
            i += 2
        else:
            out.append(cells[i])
            i += 1
    return out, joined


# -- column names --------------------------------------------------------------------------------
_LAT_WORDS = {"lat", "lati", "latitude", "latitud", "latitudine", "breite", "breitengrad", "latdd", "latdeg", "ylat",
              "latwgs84", "latitudewgs84", "latdec"}
_LON_WORDS = {"lon", "lng", "long", "longi", "longitude", "longitud", "longitudine", "laenge", "länge", "laengengrad",
              "londd", "londeg", "xlon", "lngwgs84", "lonwgs84", "longitudewgs84", "londec"}
_X_WORDS = {"x", "easting", "east", "este", "pointx", "coordx", "xcoord", "xcoordinate"}
_Y_WORDS = {"y", "northing", "north", "norte", "pointy", "coordy", "ycoord", "ycoordinate"}
_GEOGRAPHIC_WORDS = {"wgs84", "wgs", "4326", "epsg4326", "crs84", "gps", "deg", "degrees", "dd", "decimal", "dec",
                     "geo", "geographic"}


def _tokens(name: str) -> list[str]:
    low = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name)).lower()
    return [t for t in re.split(r"[^0-9a-zäöüéèñ]+", low) if t]


def _kind(name: str) -> str | None:
    """'lat', 'lon', 'x' or 'y' for a column name, or None (a name holding both, like
    'Location (Lat, Long)', is neither)."""
    toks = _tokens(name)
    joined = "".join(toks)
    kinds = set()
    for t in toks + [joined]:
        if t in _LAT_WORDS:
            kinds.add("lat")
        elif t in _LON_WORDS:
            kinds.add("lon")
        elif t in _X_WORDS:
            kinds.add("x")
        elif t in _Y_WORDS:
            kinds.add("y")
    if len(kinds) != 1:
        if kinds == {"lat", "y"}:
            return "lat"
        if kinds == {"lon", "x"}:
            return "lon"
        return None
    return kinds.pop()


_PAIR_WORDS = {"location", "coordinates", "coords", "coordinate", "latlon", "latlng", "latlong", "lonlat", "lnglat",
               "geometry", "wkt", "geom", "the_geom", "geo_point", "geopoint", "point", "position", "gps"}
_WKT_POINT = re.compile(r"^\s*POINT\s*(?:Z\s*)?\(\s*([^\s,()]+)\s+([^\s,()]+)(?:\s+[^\s,()]+)?\s*\)\s*$", re.I)
_PAIR = re.compile(r"^\s*[\[(]?\s*([^,;\s()\[\]]+)\s*[,;]?\s+([^,;\s()\[\]]+)\s*[\])]?\s*$|"
                   r"^\s*[\[(]?\s*([^,;\s()\[\]]+)\s*[,;]\s*([^,;\s()\[\]]+)\s*[\])]?\s*$")


def split_pairs(cells: pd.Series, lon_first: bool) -> tuple[pd.Series, pd.Series, int]:
    """Latitude and longitude texts of a column holding both (``(40.71, -73.98)``, ``40.71 -73.98``, WKT
    ``POINT (-73.98 40.71)``, which is always longitude first); and how many cells were WKT."""
    lat, lon, n_wkt = [], [], 0
    for v in cells.tolist():
        t = None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        m = _WKT_POINT.match(t) if t else None
        if m:
            n_wkt += 1
            lon.append(m.group(1))
            lat.append(m.group(2))
            continue
        m = _PAIR.match(t) if t else None
        if m:
            a, b = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
            if lon_first:
                a, b = b, a
            lat.append(a)
            lon.append(b)
        else:
            lat.append(t)
            lon.append(None)
    return pd.Series(lat, dtype=object), pd.Series(lon, dtype=object), n_wkt


def _epsg_in(name: str) -> int | None:
    for t in _tokens(name):
        m = re.fullmatch(r"(?:epsg)?(\d{4,5})", t)
        if m:
            return int(m.group(1))
    return None


def coordinate_columns(columns: list[str]) -> dict[str, object]:
    """The coordinate columns of a table, by name.

    Returns a dict with ``lat``/``lon`` (WGS84 degrees) or ``x``/``y`` (and ``crs`` when the names
    carry it: ``wgs84_x`` is a longitude, ``x_2263`` has EPSG:2263), or an empty dict.

    Examples
    --------
    >>> coordinate_columns(["Name", "wgs84_y", "wgs84_x"])
    {'lat': 'wgs84_y', 'lon': 'wgs84_x', 'how': 'names carry WGS84'}
    >>> coordinate_columns(["id", "LAT_DD", "Long"])["lon"]
    'Long'
    """
    exact_lat = ("latitude", "lat", "y_lat", "lat_dd", "latitud")
    exact_lon = ("longitude", "lon", "lng", "long", "x_lon", "lon_dd", "longitud")
    low = {c.strip().lower(): c for c in columns}
    lat = next((low[w] for w in exact_lat if w in low), None)
    lon = next((low[w] for w in exact_lon if w in low), None)
    if lat and lon:
        return {"lat": lat, "lon": lon, "how": "names"}
    kinds: dict[str, list[str]] = {"lat": [], "lon": [], "x": [], "y": []}
    for c in columns:
        k = _kind(c)
        if k:
            kinds[k].append(c)
    lat = lat or (kinds["lat"][0] if kinds["lat"] else None)
    lon = lon or (kinds["lon"][0] if kinds["lon"] else None)
    if lat and lon:
        return {"lat": lat, "lon": lon, "how": "names"}
    if lat and kinds["x"]:  # "lat" with "x", "wgs84_y" with "lon": the pair is still latitude/longitude
        return {"lat": lat, "lon": kinds["x"][0], "how": "names"}
    if lon and kinds["y"]:
        return {"lat": kinds["y"][0], "lon": lon, "how": "names"}
    if not (kinds["x"] and kinds["y"]):
        for c in columns:  # one column holding both: "Location (Lat, Long)", "coordinates", WKT "geometry"
            toks = _tokens(c)
            both = [_kind(t) for t in toks]
            if ("lat" in both and "lon" in both) or set(toks) & _PAIR_WORDS or "".join(toks) in _PAIR_WORDS:
                lon_first = "lon" in both and "lat" in both and both.index("lon") < both.index("lat")
                return {"pair": c, "lon_first": lon_first, "how": "names"}
    if kinds["x"] and kinds["y"]:
        x, y = kinds["x"][0], kinds["y"][0]
        geo = any(set(_tokens(c)) & _GEOGRAPHIC_WORDS for c in (x, y))
        if geo:
            return {"lat": y, "lon": x, "how": "names carry WGS84"}
        code = _epsg_in(x) or _epsg_in(y)
        out: dict[str, object] = {"x": x, "y": y, "how": "names"}
        if code:
            out["crs"] = code
        return out
    return {}


# -- numbers ---------------------------------------------------------------------------------------
_MISSING = {"", "na", "n/a", "n.a.", "nan", "null", "none", "-", "--", "?", "nd", "n.d.", "missing", "unknown",
            "#n/a", "#value!", "nil", "s/o", "s.o."}
_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_COMMA_DEC = re.compile(r"^[+-]?\d*,\d+$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DOT_THOUSANDS_COMMA_DEC = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")
_SPACE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009']\d{3})+(?:[.,]\d+)?$")
_DMS = re.compile(r"""^\s*([NSEW+-]?)\s*(\d+(?:[.,]\d+)?)\s*(?:°|º|˚|d|deg|\s)\s*
                      (?:(\d+(?:[.,]\d+)?)\s*(?:'|′|’|m|min|\s)\s*)?
                      (?:(\d+(?:[.,]\d+)?)\s*(?:"|″|''|s|sec)?\s*)?([NSEW]?)\s*$""", re.X | re.I)
_HEMI = re.compile(r"^\s*([NSEW])?\s*([+-]?\d+(?:[.,]\d+)?)\s*°?\s*([NSEW])?\s*$", re.I)


def parse_numbers(cells: pd.Series, column: str, lines: np.ndarray, report: ValidationReport, *,
                  degrees: bool = False, comma_decimal: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of a text column and a mask of cells that are present but not numbers.

    Decimal commas (``40,7128``), thousands separators (``1,234.5``, ``1.234,5``, ``1 234``), a
    Unicode minus and, when ``degrees``, hemisphere letters (``40.71 N``, ``W 73.9``) and
    degrees-minutes-seconds (``40°42'46"N``) are read and counted in the report; placeholders
    (``n/a``, ``-``, ``null``) are missing. A comma is a decimal mark when ``comma_decimal`` (latitudes
    and longitudes); by default it is a thousands separator only when the column says so
    (``1,234.5``, or every comma followed by three digits next to decimal points), which is reported.
    """
    n = len(cells)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    if not n:
        return out, bad
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        return pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float), bad
    text = pd.Series(cells.to_numpy(dtype=object), dtype="string").str.strip()
    text = text.str.replace("\u2212", "-", regex=False).str.replace("\u2013", "-", regex=False)
    present = (text.notna() & ~text.str.lower().isin(_MISSING)).to_numpy(dtype=bool)
    text = text.where(present)
    plain_text = text.where(text.str.fullmatch(_PLAIN.pattern).fillna(False).astype(bool))
    out = pd.to_numeric(plain_text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    plain = np.isfinite(out)
    out[~plain] = np.nan
    norm = text.astype(object).where(present, None).tolist()
    rest = np.flatnonzero(present & ~plain).tolist()
    if not rest:
        return out, bad
    vals = [norm[i] for i in rest]
    commas = [v for v in vals if _COMMA_DEC.match(v)]
    if any(_COMMA_THOUSANDS.match(v) and "." in v for v in vals) or any(
            v.count(",") > 1 and _COMMA_THOUSANDS.match(v) for v in vals):
        comma_decimal = False
    elif comma_decimal or any(len(v.split(",")[1]) != 3 or not _COMMA_THOUSANDS.match(v) for v in commas):
        comma_decimal = True
    else:  # every comma has three digits after it: 1,234 (thousands) or 1,234 (decimal)?
        comma_decimal = not any("." in (norm[i] or "") for i in np.flatnonzero(plain))
        if commas:
            report.add("warning", "comma_guessed", f"{len(commas)} value(s) like {commas[0]!r} read as "
                       f"{'decimal numbers' if comma_decimal else 'thousands'}", column=column, action="guessed",
                       fix="write numbers without thousands separators, with a decimal point")
    counts = {"decimal comma": 0, "thousands": 0, "hemisphere": 0, "dms": 0}
    for i, v in zip(rest, vals):
        x = None
        if _COMMA_DEC.match(v) and comma_decimal:
            x = float(v.replace(",", "."))
            counts["decimal comma"] += 1
        elif _COMMA_THOUSANDS.match(v) and not comma_decimal:
            x = float(v.replace(",", ""))
            counts["thousands"] += 1
        elif _DOT_THOUSANDS_COMMA_DEC.match(v):
            x = float(v.replace(".", "").replace(",", "."))
            counts["thousands"] += 1
        elif _SPACE_THOUSANDS.match(v):
            x = float(re.sub(r"[ \u00a0\u202f\u2009']", "", v).replace(",", "."))
            counts["thousands"] += 1
        elif degrees:
            x = _degrees(v)
            if x is not None:
                counts["hemisphere" if _HEMI.match(v) else "dms"] += 1
        if x is None or not np.isfinite(x):
            bad[i] = True
        else:
            out[i] = x
    labels = {"decimal comma": "written with a decimal comma", "thousands": "written with a thousands separator",
              "hemisphere": "with a hemisphere letter (N/S/E/W)", "dms": "in degrees-minutes-seconds"}
    for k, c in counts.items():
        if c:
            report.add("info", f"number_{k.replace(' ', '_')}", f"{c} value(s) {labels[k]} read as numbers",
                       column=column, action="repaired")
    if bad.any():
        where = np.flatnonzero(bad)
        for i in where[:MAX_LISTED]:
            report.add("warning", "not_a_number", f"{norm[i]!r} is not a number; read as missing",
                       row=int(lines[i]), column=column, action="kept apart", fix="write a number (e.g. 40.7128)")
        if len(where) > MAX_LISTED:
            report.add("warning", "not_a_number", f"{len(where) - MAX_LISTED} more value(s) are not numbers: rows "
                       f"{_listed([int(lines[i]) for i in where[MAX_LISTED:]])}", row=int(lines[where[MAX_LISTED]]),
                       column=column, action="kept apart", fix="write numbers")
    return out, bad


def _degrees(v: str) -> float | None:
    m = _HEMI.match(v)
    if m and (m.group(1) or m.group(3)) and not (m.group(1) and m.group(3)):
        x = float(m.group(2).replace(",", "."))
        hemi = (m.group(1) or m.group(3)).upper()
        return -abs(x) if hemi in "SW" else x
    m = _DMS.match(v)
    if not m:
        return None
    sign_pre, d, mi, se, hemi = m.groups()
    if not (mi or se or hemi or "°" in v):
        return None
    def num(t: str | None) -> float:
        return float((t or "0").replace(",", "."))

    x = num(d) + num(mi) / 60 + num(se) / 3600
    h = (hemi or sign_pre or "").upper()
    if h in ("S", "W", "-"):
        x = -x
    return x
