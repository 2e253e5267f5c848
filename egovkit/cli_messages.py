"""Library messages said the command line's way, and the one line of an error.

A message of the library names Python keywords (``value_type='share'``, ``columns={...}``): on the
command line they become the options (``--value-type share``, ``--columns "A=b"``). An error on a
user's path, and a bug of egovkit (its traceback saved to a file), each end in one line in the
user's language.

Examples
--------
>>> cli_message("pass sep=';' and decimal=','")
'pass --sep ";" and --decimal ","'
"""

from __future__ import annotations

import os
import re
import sys
from typing import Optional

from . import output_folder
from .cli_common import INPUTS
from .errors import EgovkitError
from .shared.messages import render

#: Python keyword arguments of library messages, as the command line spells them.
_CLI_NAMES = {
    "area": "--area", "code": "--code", "name": "--area", "key": "--boundary-key", "parent": "--parent",
    "level": "--level",
    "district_level": "--district-level", "denominator": "--denominator", "universe": "--universe",
    "value_type": "--value-type", "columns": "--columns", "layout": "--layout", "sheet": "--sheet",
    "encoding": "--encoding", "sep": "--sep", "decimal": "--decimal", "period": "--period",
    "boundary_on": "--boundary-key", "right_on": "--boundary-key", "boundary_key": "--boundary-key",
    "id_column": "--boundary-key", "district": "--boundary-key", "table_on": "--area or --code",
    "left_on": "--area or --code", "overrides": "--override", "out_dir": "--out", "force": "--force",
    "hotspots": "--hotspots", "population": "--population", "districts": "--boundaries", "layer": "--layer",
    "crs": "--crs", "radii_m": "--radius", "territory_name": "--name", "assessment": "--assessment",
    "assessment_date": "--assessment-date", "assessor": "--assessor", "assessed_by": "--assessor",
}
#: The same keyword names another option in the reader of one input.
_INPUT_NAMES = {"hotspots": {"crs": "--hotspots-crs"}, "population": {"population": "--population-column"},
                "table": {"key": "--code"}}  # read_table(key=) is the table's code column
#: Whole phrases first (calls and dictionaries of the Python API).
_PHRASES: list[tuple[str, str]] = [
    (r"\s*\(and by='code' or by='name'\)", ""),
    (r"--population \(population=\)", "--population"),
    (r"\bor keep one level\b", "or keep the districts' level only (--level COLUMN --district-level VALUE)"),
    (r"or pass lat=, lon= \(or x=, y=, crs=\)", "(or x and y with --hotspots-crs)"),
    (r",? or call \w+\([^()]*\)", ""),
    (r"read_template\(path, date=\.\.\., assessed_by=\.\.\.\) or use read_assessments",
     "assessment_date= and/or assessor="),
    (r"\bread_(?:table|boundaries)\((?:path|\.\.\.|\w+), ([^()]*)\)", r"\1"),
]
_KEYWORD = re.compile(r"(?<![\w-])([a-z][a-z_]*)=('[^']*'|\"[^\"]*\"|<[^>]*>|\.\.\.|[\w.:+-]+)?")
_PAIRS = re.compile(r"\b(columns|overrides)=\{([^{}]*)\}")


def _option_pairs(m: re.Match) -> str:
    """``columns={'A': 'b'}`` as ``--columns "A=b"`` (one option per pair)."""
    import ast

    option = "--columns" if m.group(1) == "columns" else "--override"
    try:
        pairs = ast.literal_eval("{" + m.group(2) + "}")
    except (ValueError, SyntaxError):
        pairs = dict(re.findall(r"'([^']*)'\s*:\s*'([^']*)'", m.group(2)))
    return " ".join(f'{option} "{k}={v}"' for k, v in pairs.items()) or option


def report_text(text: str, source: Optional[str]) -> str:
    """:func:`cli_message` for a message of the report about ``source`` (the input it names)."""
    if not source:
        return cli_message(text)
    return cli_message(f"{source}\x00{text}").split("\x00", 1)[-1]


def _input_of(text: str) -> str:
    """Which input ``text`` is about: the first input file it names ("" when none)."""
    hits = [(text.find(p), role) for p, role in INPUTS.items() if p and p in text]
    return min(hits)[1] if hits else ""


def cli_message(text: str) -> str:
    """A library message with its Python keyword arguments written as command-line options.

    Examples
    --------
    >>> cli_message("Fix: pass value_type='share' to override, or district_level= one of ['County']")
    "Fix: pass --value-type share to override, or --district-level one of ['County']"
    >>> cli_message("e.g. read_table(path, columns={'Internet access': 'internet'})")
    'e.g. --columns "Internet access=internet"'
    >>> cli_message("pass sep=';' and decimal=','")
    'pass --sep ";" and --decimal ","'
    """
    for pattern, repl in _PHRASES:
        text = re.sub(pattern, repl, text)
    text = _PAIRS.sub(_option_pairs, text)
    names = {**_CLI_NAMES, **_INPUT_NAMES.get(_input_of(text), {})}

    def option(m: re.Match) -> str:
        name, value = m.group(1), m.group(2)
        if name not in names:
            return m.group(0)
        if value is None or value in ("True", "..."):
            return names[name]
        value = value.strip("'\"") if value[:1] in "'\"" else value
        plain = re.fullmatch(r"[\w.:/+-]+", value)  # else quoted: --sep ";" can be pasted into a shell
        return f"{names[name]} " + (value if plain else f'"{value}"')

    # not inside double quotes (a header written in a --columns "HEADER=INDICATOR" pair)
    parts = re.split(r"(\"[^\"]*\")", text)
    return "".join(p if i % 2 else _KEYWORD.sub(option, p) for i, p in enumerate(parts))


#: What a problem with a path given on the command line means (catalogue codes).
_OS_ERRORS: dict[type, str] = {
    FileNotFoundError: "cli.file_not_found",
    IsADirectoryError: "cli.is_a_folder",
    NotADirectoryError: "cli.not_a_folder",
    PermissionError: "cli.permission_denied",
}


def os_message(exc: OSError) -> str:
    """One line for an OSError about a user's path (the file named, never a traceback).

    >>> os_message(FileNotFoundError(2, "No such file", "t.csv"))
    'file not found: t.csv. Check the path'
    """
    kind = next(t for t in _OS_ERRORS if isinstance(exc, t))
    path = exc.filename if exc.filename is not None else str(exc)
    return render(_OS_ERRORS[kind], {"path": path})


def error_text(exc: EgovkitError, command: str = "") -> str:
    """An egovkit error in the user's language, its Python keywords as the command's options."""
    if exc.code == "diagnosis.assessments_match" and exc.params is not None:
        exc.params["fix_code"] = "cli.assessments_match_assess" if command == "assess" else "cli.assessments_match"
    return cli_message(exc.text())


def internal_error(exc: BaseException) -> str:
    """Save the traceback of an unexpected error to a file; the one line that points to it."""
    import datetime as dt
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        fd, name = tempfile.mkstemp(prefix=f"egovkit-error-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"egovkit {_version()}\ncommand: {output_folder.command}\n\n{text}")
        where = render("cli.traceback_saved", {"path": name})
    except OSError:
        sys.stderr.write(text)
        where = render("cli.traceback_above")
    first = (str(exc).splitlines() or [""])[0][:200]
    return render("cli.internal_error", {"error": f"{type(exc).__name__}: {first}", "where": where})


def _version() -> str:
    from . import __version__

    return __version__
