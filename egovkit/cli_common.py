"""What every ``egovkit`` command shares: the Typer apps, the options, one-line errors, the language
(``--lang``) and the checks of output folders and files (:mod:`egovkit.cli` assembles the commands).

Every line a command prints is said from the message catalogue (codes ``cli.*``) in the language
of ``--lang`` (default :data:`egovkit.settings.language`, i.e. ``EGOVKIT_LANG`` or English).

Examples
--------
>>> terminal_text("Kopo\\x1b[2J town")
'Kopo\\\\x1b[2J town'
>>> say("cli.saved", path="out", lang="fr")
'enregistré dans out'
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import typer

from . import output_folder, settings
from .shared.formatting import speaking
from .shared.messages import render

F = TypeVar("F", bound=Callable[..., Any])
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="egovkit: digital diagnosis of a territory (device penetration, its spread, "
                       "public Wi-Fi coverage, e-governance maturity).",
                  epilog="Output folders are written whole or not at all: into a temporary folder beside them, "
                         "then moved into place. A folder holding an earlier egovkit report is replaced whole "
                         "(asked first in a terminal; --force otherwise); a folder holding other files is refused "
                         "unless --force (they are kept). Exit codes: 0 done, 1 validation errors or answer no, "
                         "2 a mistake in the command or its files (one line says which and how to fix it), "
                         "3 a bug of egovkit (the traceback is saved to a file to report).")
datasets_app = typer.Typer(no_args_is_help=True, help="List or download the real public data sets.")
app.add_typer(datasets_app, name="datasets")
assess_app = typer.Typer(no_args_is_help=True,
                         help="E-governance maturity assessment: a fill-in template, then scores and an action plan.")
app.add_typer(assess_app, name="assess")

LangOpt = typer.Option(None, "--lang", help="Language of the report and of every line printed: en or fr "
                                            "(default: the EGOVKIT_LANG environment variable, else en).")
OUT_HELP = ("Output folder (created if needed). A previous egovkit report there is replaced whole (asked first, "
             "or --force); a folder holding other files is refused unless --force.")
OutOpt = typer.Option(Path("out"), "--out", "-o", help=OUT_HELP)
QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress bars.")
ForceOpt = typer.Option(False, "--force", "-f",
                        help="Replace the egovkit report already in the output folder without asking; write beside "
                             "other files there (they are kept, files with the report's names are replaced).")


def terminal_text(text: object) -> str:
    """``text`` with control characters shown as ``\\xNN`` (a name from a user file cannot drive the terminal).

    Examples
    --------
    >>> terminal_text("Kopo\\x1b[2J town\\nnext")
    'Kopo\\\\x1b[2J town\\nnext'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def say(code: str, lang: Optional[str] = None, **params: Any) -> str:
    """The catalogue's text of ``code`` in ``lang`` (default :data:`egovkit.settings.language`)."""
    return render(code, params, lang=lang)


def echo(text: object = "", **kwargs: Any) -> None:
    """Print a line (control characters neutralised)."""
    typer.echo(terminal_text(text), **kwargs)


def error_line(message: str) -> str:
    """``error: <message>`` in the user's language."""
    return say("cli.error", message=terminal_text(message))


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error and end the command with exit ``code``."""
    typer.secho(error_line(message), fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def fail_with(code: str, exit_code: int = 2, **params: Any) -> None:
    """:func:`fail` with the catalogue's text of ``code``."""
    fail(say(code, **params), exit_code)


#: The language of the command being run (``--lang``), kept for the error :func:`egovkit.cli.main`
#: prints after the command ended (None: :data:`egovkit.settings.language`).
run_language: Optional[str] = None


def check_lang(lang: Optional[str]) -> str:
    """The language of a command: ``--lang``, else :data:`egovkit.settings.language`; it is the
    language of every message while the command runs (a command decorated :func:`in_its_language`
    gives the previous one back when it ends) and of the error :func:`egovkit.cli.main` prints."""
    global run_language
    lang = settings.language if lang is None else lang
    if lang not in ("en", "fr"):
        fail_with("cli.lang_invalid", value=lang)
    settings.language = run_language = lang
    return lang


def in_its_language(command: F) -> F:
    """Decorate a command whose ``--lang`` (:func:`check_lang`) holds while it runs only."""
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with speaking(None):  # the language as it is now comes back after the command
            return command(*args, **kwargs)

    return run  # type: ignore[return-value]


def interactive() -> bool:
    """A person at a terminal can answer a question (stdin and stderr are terminals)."""
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def check_output_folder(out: Path, force: bool, *, option: str = "--out", replace_silently: str = "") -> bool:
    """Check the output folder before any work; say what will be replaced; return ``force`` to pass on.

    A previous egovkit report is replaced after saying so: with ``--force``, after a yes in a
    terminal, or without asking when its manifest says it is a ``replace_silently`` report
    (``egovkit demo`` replaces its own earlier demo). Anything else refused is a one-line error.
    """
    names = {"option": option, "force_option": "--force"}
    state = output_folder.inspect_folder(out, option=option)
    if state.kind == "report":
        own = bool(replace_silently) and (state.manifest or {}).get("report") == replace_silently
        if not (force or own):
            if not _is_interactive():
                fail(output_folder.refusal(state, **names))
            question = "cli.replace_question" if state.complete else "cli.replace_question_incomplete"
            if not typer.confirm(say(question, out=out, written=state.written or say("cli.unknown_time")),
                                 default=False, err=True):
                fail_with("cli.nothing_written", 1, out=out, option=option)
        echo(say("cli.replacing", what=state.describe()), err=True)
        force = True
    elif state.kind in ("mixed", "other"):
        if not force:
            fail(output_folder.refusal(state, **names))
        said = {"out": out, "n": len(state.user_files)}
        echo(say("cli.writing_beside_replacing", what=state.describe(), **said) if state.kind == "mixed"
             else say("cli.writing_beside", **said), err=True)
    output_folder.check_folder(out, force=force, **names)  # can it be written?
    return force


def _is_interactive() -> bool:
    """:func:`interactive`, looked up on :mod:`egovkit.cli` so that a test can stand in for a terminal."""
    from . import cli

    return getattr(cli, "_interactive", interactive)()


def check_file_target(path: Path, option: str) -> None:
    """A file to write: not a folder, not under a file, its folder writable."""
    if path.is_dir():
        fail_with("cli.target_is_folder", path=path, option=option, example=path / "report.csv")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                fail_with("cli.target_under_file", path=path, parent=parent, option=option)
            if not os.access(parent, os.W_OK | os.X_OK):
                fail_with("cli.target_not_writable", path=path, parent=parent, option=option)
            break


#: The input each file given on the command line is (path or name -> table, boundaries,
#: hotspots, population, assessment): a message about that file is translated for that input.
INPUTS: dict[str, str] = {}


def remember_inputs(**paths: Optional[Path]) -> None:
    """Remember which input each file is (its messages are then translated for that input)."""
    INPUTS.clear()
    for role, p in paths.items():
        if p is not None:
            INPUTS[str(p)] = role
            INPUTS.setdefault(Path(p).name, role)
