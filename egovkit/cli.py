"""The ``egovkit`` command line (also ``python -m egovkit``).

    egovkit demo --out out/demo            # the main job on the embedded synthetic example
    egovkit run TABLE BOUNDARIES --out DIR # the same on your files
    egovkit report kenya|nyc --out DIR     # the report of a real public data set
    egovkit run --boundaries B --hotspots H --population P --out DIR   # coverage only
    egovkit inspect TABLE [BOUNDARIES]     # what is recognised, and the options to correct it
    egovkit validate TABLE [BOUNDARIES]    # print the validation report; exit 1 on errors
    egovkit app [--port N] [--no-browser]  # the browser app (http://localhost:N/, this computer only)
    egovkit datasets list | download NAME  # real public data sets
    egovkit assess template FILE.xlsx      # e-governance questionnaire to fill in
    egovkit assess score FILE.xlsx         # its scores, bands and action plan

Every line is said in the language of ``--lang`` (default ``EGOVKIT_LANG``, else English): the
commands print from the message catalogue (codes ``cli.*``, ``pipeline.*``). User mistakes give a
one-line error (no traceback) and exit code 2. Fixes printed name the command-line options
(``--value-type``, ``--columns "HEADER=INDICATOR"``...), never the Python keywords of the
library's messages (translated by :func:`egovkit.cli_messages.cli_message`).

Output folders (``--out``, ``assess score --save``) are written through a temporary folder
next to them and swapped in when complete (:mod:`egovkit.output_folder`): a folder holding a
previous egovkit report is replaced whole (after asking in a terminal, or with ``--force``), a
folder holding files of the user's is refused unless ``--force`` (they are then kept).

The commands live in :mod:`egovkit.cli_run` (demo, run, report, validate, inspect, app) and
:mod:`egovkit.cli_assess` (assess); what they share in :mod:`egovkit.cli_common`,
:mod:`egovkit.cli_options` and :mod:`egovkit.cli_messages`. This module assembles them.

Examples
--------
>>> terminal_text("Kopo\\x1b[2J town")
'Kopo\\\\x1b[2J town'
>>> _cli_message("Fix: pass value_type='share' to override, or district_level= one of ['County']")
"Fix: pass --value-type share to override, or --district-level one of ['County']"
>>> _cli_message("e.g. read_table(path, columns={'Internet access': 'internet'})")
'e.g. --columns "Internet access=internet"'
>>> _read_options(columns=["Internet access=internet"], value_type="share", sep="tab")
{'value_type': 'share', 'columns': {'Internet access': 'internet'}, 'sep': '\\t'}
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Optional

import typer

from . import cli_assess, cli_common, cli_run, output_folder, settings  # noqa: F401 (commands register on app)
from .cli_common import (
    INPUTS,
    app,
    assess_app,
    datasets_app,
    echo,
    error_line,
    fail_with,
    interactive,
    terminal_text,
)
from .cli_messages import cli_message, error_text, internal_error, os_message
from .cli_options import read_options
from .errors import EgovkitError

__all__ = ["app", "assess_app", "datasets_app", "main", "terminal_text"]

#: Older names of this module's helpers (tests and scripts import them from here).
_cli_message = cli_message
_read_options = read_options
_interactive = interactive


@datasets_app.command("list")
def datasets_list() -> None:
    """List the real public data sets egovkit can download (origin, licence, cached or not)."""
    from .datasets import list_datasets

    df = list_datasets()
    cols = [c for c in ("name", "publisher", "licence", "cached") if c in df.columns]
    echo(df[cols].to_string(index=False))


@datasets_app.command("download")
def datasets_download(name: list[str] = typer.Argument(..., help="Data set name(s) from 'egovkit datasets list', or "
                                                                 "'all'.")) -> None:
    """Download (or take from the mirror) data sets into the cache, checking their sha256."""
    from .datasets import fetch, list_datasets

    known = list(list_datasets()["name"])
    names = known if name == ["all"] else name
    unknown = [n for n in names if n not in known]
    if unknown:
        fail_with("cli.unknown_datasets", names=unknown)
    failed = 0
    for n in names:
        try:
            path = fetch(n)
        except EgovkitError as exc:
            typer.secho(terminal_text(f"{n}: {exc.text()}"), fg=typer.colors.YELLOW, err=True)
            failed += 1
            continue
        echo(f"{n}: {path}")
    if failed:
        raise typer.Exit(1)



def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: user mistakes end with a one-line error and exit code 2.

    egovkit's warnings are not repeated on the terminal: the validation report (printed
    summary, ``validation_report.txt``) lists every one with its row, column and fix.

    Exit codes: 0 done, 1 validation errors (``validate``) or a question answered no, 2 a user
    mistake (one line naming the file and the fix), 3 an internal error (a bug of egovkit: one
    line, the traceback saved to a file; ``EGOVKIT_DEBUG=1`` shows it instead).
    """
    import warnings

    from .errors import EgovkitWarning

    warnings.simplefilter("ignore", EgovkitWarning)
    # a damaged cache file that was rebuilt is in no validation report: that note is shown
    warnings.filterwarnings("always", message="egovkit cache:", category=EgovkitWarning)
    args = list(sys.argv[1:] if argv is None else argv)
    INPUTS.clear()  # inputs of an earlier command run in this process
    output_folder.command = "egovkit " + shlex.join(args)

    def fail(message: str, code: int) -> None:
        typer.secho(error_line(message), fg=typer.colors.RED, err=True)
        sys.exit(code)

    cli_common.run_language = None
    language = settings.language  # --lang sets it while one command runs: its error is said in it too
    try:
        app(args=args, prog_name="egovkit")
    except EgovkitError as exc:
        settings.language = cli_common.run_language or language
        fail(error_text(exc, args[0] if args else ""), 2)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        settings.language = cli_common.run_language or language
        fail(os_message(exc), 2)
    except Exception as exc:  # a bug: one line for the user, the traceback kept for the report
        if os.environ.get("EGOVKIT_DEBUG"):
            raise
        settings.language = cli_common.run_language or language
        fail(internal_error(exc), 3)
    finally:
        settings.language = language
