"""The ``egovkit`` command line (also ``python -m egovkit``).

    egovkit demo --out out/demo            # the main job on the embedded synthetic example
    egovkit run TABLE BOUNDARIES --out DIR # the same on your files
    egovkit report kenya|nyc --out DIR     # the report of a real public data set
    egovkit validate TABLE [BOUNDARIES]    # print the validation report; exit 1 on errors
    egovkit datasets list | download NAME  # real public data sets
    egovkit assess template FILE.xlsx      # e-governance questionnaire to fill in
    egovkit assess score FILE.xlsx         # its scores, bands and action plan

User mistakes give a one-line error (no traceback) and exit code 2.

Output folders (``--out``, ``assess score --save``) are written through a temporary folder
next to them and swapped in when complete (:mod:`egovkit.output_folder`): a folder holding a
previous egovkit report is replaced whole (after asking in a terminal, or with ``--force``), a
folder holding files of the user's is refused unless ``--force`` (they are then kept).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Optional

import typer

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

from . import output_folder, settings
from .errors import EgovkitError

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

LangOpt = typer.Option("en", "--lang", help="Language of the report and sentences: en or fr.")
_OUT_HELP = ("Output folder (created if needed). A previous egovkit report there is replaced whole (asked first, "
             "or --force); a folder holding other files is refused unless --force.")
OutOpt = typer.Option(Path("out"), "--out", "-o", help=_OUT_HELP)
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


def _echo(text: object = "", **kwargs) -> None:
    typer.echo(terminal_text(text), **kwargs)


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {terminal_text(message)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _check_lang(lang: str) -> str:
    if lang not in ("en", "fr"):
        _fail(f"--lang must be 'en' or 'fr', not {lang!r}")
    return lang


def _interactive() -> bool:
    """A person at a terminal can answer a question (stdin and stderr are terminals)."""
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _output_folder(out: Path, force: bool, *, option: str = "--out", replace_silently: str = "") -> bool:
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
            if not _interactive():
                _fail(output_folder.refusal(state, **names))
            what = "an egovkit report" if state.complete else "an incomplete egovkit report"
            if not typer.confirm(f"{out} holds {what} (written {state.written or 'at an unknown time'}). "
                                 "Replace it?", default=False, err=True):
                _fail(f"nothing written: {out} is as it was (choose another folder with {option})", code=1)
        _echo(f"replacing {state.describe()}", err=True)
        force = True
    elif state.kind in ("mixed", "other"):
        if not force:
            _fail(output_folder.refusal(state, **names))
        _echo(f"writing into {out} beside {len(state.user_files)} file(s) egovkit did not write (kept)"
                   + (f"; replacing {state.describe()}" if state.kind == "mixed" else ""), err=True)
    output_folder.check_folder(out, force=force, **names)  # can it be written?
    return force


def _check_file_target(path: Path, option: str) -> None:
    """A file to write: not a folder, not under a file, its folder writable."""
    if path.is_dir():
        _fail(f"{path} is a folder: {option} takes a file name (e.g. {path / 'report.csv'})")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                _fail(f"cannot write {path}: {parent} is a file, not a folder; choose another path with {option}")
            if not os.access(parent, os.W_OK | os.X_OK):
                _fail(f"cannot write {path}: the folder {parent} is not writable; choose another path with {option}")
            break


@app.command()
def demo(out: Path = typer.Option(Path("out/demo"), "--out", "-o",
                                  help=_OUT_HELP + " An earlier demo report there is replaced without asking."),
         lang: str = LangOpt,
         seed: int = typer.Option(42, help="Seed of the synthetic territory (same seed, same territory)."),
         force: bool = ForceOpt,
         quiet: bool = QuietOpt) -> None:
    """Run the whole diagnosis on the embedded SYNTHETIC example territory (works offline)."""
    from .pipeline import diagnose_example

    settings.progress = not quiet
    lang = _check_lang(lang)
    force = _output_folder(out, force, replace_silently="demo")
    result = diagnose_example(out, lang=lang, seed=seed, force=force)
    _echo(result.summary())


@app.command()
def run(table: Path = typer.Argument(..., help="Census-style table (CSV or Excel), one row per district."),
        boundaries: Path = typer.Argument(..., help="District boundaries (GeoJSON, GeoPackage, shapefile, .zip, FlatGeobuf)."),
        out: Path = OutOpt,
        hotspots: Optional[Path] = typer.Option(None, help="Public Wi-Fi sites (CSV with latitude/longitude, or GeoJSON/GPKG points)."),
        population: Optional[Path] = typer.Option(None, help="Population: points CSV/GeoJSON with a population column, or a GeoTIFF raster."),
        area: Optional[str] = typer.Option(None, help="Column of the table with the district names."),
        code: Optional[str] = typer.Option(None, help="Column of the table with the district codes."),
        boundary_key: Optional[str] = typer.Option(None, help="Column of the boundaries to join on (name or code)."),
        denominator: Optional[str] = typer.Option(None, help="Denominator column (households or persons in scope)."),
        district_level: Optional[str] = typer.Option(None, help="Value of the level column that marks district rows (e.g. County)."),
        level: Optional[str] = typer.Option(None, help="Column telling the level of each row (e.g. AdminArea)."),
        name: str = typer.Option("Territory", help="Name of the territory in the report."),
        radius: list[float] = typer.Option([100.0, 250.0, 500.0], help="Wi-Fi radii in metres (repeat the option)."),
        lang: str = LangOpt,
        force: bool = ForceOpt,
        quiet: bool = QuietOpt) -> None:
    """Run the diagnosis on your own files and write the report, tables and figures to OUT."""
    from .pipeline import diagnose_files

    settings.progress = not quiet
    lang = _check_lang(lang)
    force = _output_folder(out, force)
    result = diagnose_files(table, boundaries, out, hotspots=hotspots, population=population, area=area,
                            code=code, boundary_key=boundary_key, denominator=denominator,
                            district_level=district_level, level=level, territory_name=name,
                            radii_m=tuple(radius), lang=lang, force=force)
    _echo(result.summary())


@app.command()
def report(case: str = typer.Argument(..., help="kenya (2019 census by county) or nyc (public Wi-Fi by neighbourhood)."),
           out: Optional[Path] = typer.Option(None, "--out", "-o",
                                              help="Output folder (default out/<case>). " + _OUT_HELP.split(". ", 1)[1]),
           level: str = typer.Option("nta", help="nyc only: nta (195 neighbourhoods) or tract (2,166 tracts)."),
           lang: str = LangOpt,
           force: bool = ForceOpt,
           quiet: bool = QuietOpt) -> None:
    """Build the diagnosis report of a real public data set (downloaded and cached on first use)."""
    from .pipeline import diagnose_kenya, diagnose_nyc

    settings.progress = not quiet
    lang = _check_lang(lang)
    if case not in ("kenya", "nyc"):
        _fail(f"unknown case {case!r}: use kenya or nyc")
    if case == "nyc" and level not in ("nta", "tract"):
        _fail(f"--level must be nta or tract, not {level!r}")
    out = out or Path("out") / case
    force = _output_folder(out, force)
    if case == "kenya":
        result = diagnose_kenya(out, lang=lang, force=force)
    else:
        result = diagnose_nyc(out, lang=lang, level=level, force=force)
    _echo(result.summary())


@app.command()
def validate(table: Path = typer.Argument(..., help="Census-style table (CSV or Excel)."),
             boundaries: Optional[Path] = typer.Argument(None, help="Boundaries to check the join against."),
             area: Optional[str] = typer.Option(None, help="Column with the district names."),
             code: Optional[str] = typer.Option(None, help="Column with the district codes."),
             boundary_key: Optional[str] = typer.Option(None, help="Column of the boundaries to join on."),
             denominator: Optional[str] = typer.Option(None, help="Denominator column."),
             level: Optional[str] = typer.Option(None, help="Column telling the level of each row."),
             district_level: Optional[str] = typer.Option(None, help="Level value of district rows."),
             save: Optional[Path] = typer.Option(None, help="Also save the report to this FILE (.csv, .xlsx, .json "
                                                            "or text); an existing file is replaced.")) -> None:
    """Print the validation report of a table (and of its join to boundaries); exit 1 on errors."""
    import tempfile

    from .pipeline import validate_files

    if save:
        _check_file_target(save, "--save")
    report = validate_files(table, boundaries, area=area, code=code, boundary_key=boundary_key,
                            denominator=denominator, level=level, district_level=district_level)
    _echo(str(report))
    if save:
        save.parent.mkdir(parents=True, exist_ok=True)
        # written beside, then renamed: a failed save leaves the previous file whole
        fd, tmp = tempfile.mkstemp(prefix=f".{save.stem}.", suffix=save.suffix, dir=save.parent)
        os.close(fd)
        try:
            report.save(tmp)
            os.replace(tmp, save)
        finally:
            Path(tmp).unlink(missing_ok=True)
        _echo(f"report saved to {save}")
    raise typer.Exit(1 if report.has_errors else 0)


@assess_app.command("template")
def assess_template(path: Path = typer.Argument(..., help="Template to write: .xlsx (with drop-down lists) or .csv."),
                    territory: str = typer.Option("", help="Name of the local authority assessed."),
                    date: str = typer.Option("", help="Date of the assessment (YYYY-MM-DD)."),
                    assessor: str = typer.Option("", "--assessor", help="Who fills it in."),
                    lang: str = LangOpt,
                    force: bool = typer.Option(False, "--force", "-f",
                                               help="Replace PATH if it exists (it may hold answers).")) -> None:
    """Write the questionnaire as a spreadsheet to fill in (one row per question, allowed answers listed)."""
    from .diagnosis import write_template
    from .diagnosis.template import COLUMN_LABELS_FR
    from .present.i18n import translations

    lang = _check_lang(lang)
    _check_file_target(path, "PATH")
    if path.exists() and not force:
        _fail(f"{path} already exists (it may hold answers): choose another file name, or add --force to replace it")
    out = write_template(path, territory=territory, date=date, assessed_by=assessor, lang=lang)
    tr = translations(lang)
    _echo(tr["cli_assess_written"].format(path=out))
    blank = [c for c, v in (("territory", territory), ("assessment_date", date)) if not v]
    if blank:
        labels = COLUMN_LABELS_FR if lang == "fr" else {}
        cols = tr["cli_assess_and"].join(tr["cli_assess_column"].format(column=labels.get(c, c)) for c in blank)
        _echo(tr["cli_assess_fill_in"].format(columns=cols))


@assess_app.command("score")
def assess_score(path: Path = typer.Argument(..., help="A filled-in template (.xlsx or .csv)."),
                 date: Optional[str] = typer.Option(None, help="Which assessment, when the file holds several."),
                 assessor: Optional[str] = typer.Option(None, "--assessor", help="Which assessor, when several."),
                 actions: int = typer.Option(10, help="How many actions of the plan to print."),
                 save: Optional[Path] = typer.Option(None, help="Also save the scores and the plan into this FOLDER "
                                                                "(same rules as --out of egovkit run)."),
                 lang: str = LangOpt,
                 force: bool = ForceOpt) -> None:
    """Score a filled-in assessment (0-1 per dimension and LOSI criterion, bands) and draw up the action plan."""
    import pandas as pd

    from .diagnosis import action_plan, read_template, score_assessment
    from .present.diagnosis_plots import report_text
    from .present.i18n import format_number, format_percent, translations

    lang = _check_lang(lang)
    tr = translations(lang)
    if save:
        force = _output_folder(save, force, option="--save")
    result = score_assessment(read_template(path, date=date, assessed_by=assessor))
    if not result.share_answered > 0:
        _fail(f"{path}: no question is answered yet; fill in the answer column (the allowed answers are "
              "listed on each row, and in a drop-down list in the .xlsx template)")
    plan = action_plan(result, lang=lang)
    q = result.assessment.questionnaire
    t = report_text(lang)
    label = f"label_{lang}"
    dims = result.dimensions

    def band(b: str, provisional: bool) -> str:
        if not b:
            return tr["cli_assess_no_answer"]
        return q.label("band", b, lang).lower() + (f", {t['provisional']}" if provisional else "")

    answered = format_percent(result.share_answered, lang, 0)
    _echo(tr["cli_assess_head"].format(
        territory=result.assessment.territory or path.name, date=result.assessment.date,
        score=format_number(result.overall, lang, 2), band=band(result.overall_band, result.provisional),
        answered=answered))
    if result.provisional:
        _echo("  " + t["provisional_note"].format(answered=answered,
                                                       min=format_percent(result.min_share_answered, lang, 0)))
    for _, r in dims.iterrows():
        score = "  -  " if pd.isna(r["score"]) else format_number(r["score"], lang, 2)
        _echo(f"  {r[label] if label in dims else r['dimension']:<45} {score}  {band(r['band'], r['provisional'])}")
    if len(plan):
        _echo(tr["cli_assess_first_actions"])
        for _, r in plan.head(actions).iterrows():
            _echo(f"  {int(r['rank']):>2}. [{r['area_label']}] {r['action']}")
    if save:
        from .export import write_csv

        with output_folder.staged_folder(save, force=force, what="assess score", option="--save",
                                         force_option="--force") as tmp:
            write_csv(dims, tmp / "dimension_scores.csv")
            write_csv(result.losi, tmp / "losi_scores.csv")
            write_csv(result.questions, tmp / "question_scores.csv")
            write_csv(plan, tmp / "action_plan.csv")
        _echo(tr["cli_assess_saved"].format(path=save))


@datasets_app.command("list")
def datasets_list() -> None:
    """List the real public data sets egovkit can download (origin, licence, cached or not)."""
    from .datasets import list_datasets

    df = list_datasets()
    cols = [c for c in ("name", "publisher", "licence", "cached") if c in df.columns]
    _echo(df[cols].to_string(index=False))


@datasets_app.command("download")
def datasets_download(name: list[str] = typer.Argument(..., help="Data set name(s) from 'egovkit datasets list', or 'all'.")) -> None:
    """Download (or take from the mirror) data sets into the cache, checking their sha256."""
    from .datasets import fetch, list_datasets

    known = list(list_datasets()["name"])
    names = known if name == ["all"] else name
    unknown = [n for n in names if n not in known]
    if unknown:
        _fail(f"unknown data set(s) {unknown}: 'egovkit datasets list' shows the names")
    failed = 0
    for n in names:
        try:
            path = fetch(n)
        except EgovkitError as exc:
            typer.secho(terminal_text(f"{n}: {exc}"), fg=typer.colors.YELLOW, err=True)
            failed += 1
            continue
        _echo(f"{n}: {path}")
    if failed:
        raise typer.Exit(1)


#: Python argument names in library messages, as the command line spells them.
_CLI_NAMES = {"boundary_on=": "--boundary-key", "right_on=": "--boundary-key", "table_on=": "--area or --code",
              "left_on=": "--area or --code", "area=": "--area", "code=": "--code", "level=": "--level",
              "district_level=": "--district-level", "denominator=": "--denominator", "out_dir=": "--out",
              "force=True": "--force"}


def _cli_message(text: str) -> str:
    import re

    return re.sub(r"\b(" + "|".join(re.escape(k) for k in _CLI_NAMES) + ")",
                  lambda m: _CLI_NAMES[m.group(1)], text)


#: What a problem with a path given on the command line means, and what to do.
_OS_ERRORS: dict[type, str] = {
    FileNotFoundError: "file not found: {path}. Check the path",
    IsADirectoryError: "{path} is a folder where a file is expected: give the path of the file itself",
    NotADirectoryError: "{path}: a part of this path is a file, not a folder. Check the path",
    PermissionError: "{path}: permission denied. Check its permissions, or choose another path",
}


def _os_message(exc: OSError) -> str:
    """One line for an OSError about a user's path (the file named, never a traceback)."""
    kind = next(t for t in _OS_ERRORS if isinstance(exc, t))
    path = exc.filename if exc.filename is not None else str(exc)
    return _OS_ERRORS[kind].format(path=path)


def _internal_error(exc: BaseException) -> str:
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
        where = f"the traceback is saved in {name}"
    except OSError:
        sys.stderr.write(text)
        where = "the traceback is above"
    first = (str(exc).splitlines() or [""])[0][:200]
    return (f"internal error ({type(exc).__name__}: {first}). This is a bug of egovkit, not a mistake of yours: "
            f"please report it; {where}")


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: user mistakes end with a one-line error and exit code 2.

    egovkit's warnings are not repeated on the terminal: the validation report (printed
    summary, ``validation_report.txt``) lists every one with its row, column and fix.

    Exit codes: 0 done, 1 validation errors (``validate``) or a question answered no, 2 a user
    mistake (one line naming the file and the fix), 3 an internal error (a bug of egovkit: one
    line, the traceback saved to a file; ``EGOVKIT_DEBUG=1`` shows it instead).
    """
    import shlex
    import warnings

    from .errors import EgovkitWarning

    warnings.simplefilter("ignore", EgovkitWarning)
    # a damaged cache file that was rebuilt is in no validation report: that note is shown
    warnings.filterwarnings("always", message="egovkit cache:", category=EgovkitWarning)
    args = list(sys.argv[1:] if argv is None else argv)
    output_folder.command = "egovkit " + shlex.join(args)

    def fail(message: str, code: int) -> None:
        typer.secho(f"error: {terminal_text(message)}", fg=typer.colors.RED, err=True)
        sys.exit(code)

    try:
        app(args=args, prog_name="egovkit")
    except EgovkitError as exc:
        fail(_cli_message(str(exc)), 2)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        fail(_os_message(exc), 2)
    except Exception as exc:  # a bug: one line for the user, the traceback kept for the report
        if os.environ.get("EGOVKIT_DEBUG"):
            raise
        fail(_internal_error(exc), 3)
