"""The ``egovkit`` command line (also ``python -m egovkit``).

    egovkit demo --out out/demo            # the main job on the embedded synthetic example
    egovkit run TABLE BOUNDARIES --out DIR # the same on your files
    egovkit report kenya|nyc --out DIR     # the report of a real public data set
    egovkit validate TABLE [BOUNDARIES]    # print the validation report; exit 1 on errors
    egovkit datasets list | download NAME  # real public data sets
    egovkit assess template FILE.xlsx      # e-governance questionnaire to fill in
    egovkit assess score FILE.xlsx         # its scores, bands and action plan

User mistakes give a one-line error (no traceback) and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from . import settings
from .errors import EgovkitError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="egovkit: digital diagnosis of a territory (device penetration, its spread, "
                       "public Wi-Fi coverage, e-governance maturity).")
datasets_app = typer.Typer(no_args_is_help=True, help="List or download the real public data sets.")
app.add_typer(datasets_app, name="datasets")
assess_app = typer.Typer(no_args_is_help=True,
                         help="E-governance maturity assessment: a fill-in template, then scores and an action plan.")
app.add_typer(assess_app, name="assess")

LangOpt = typer.Option("en", "--lang", help="Language of the report and sentences: en or fr.")
OutOpt = typer.Option(Path("out"), "--out", "-o", help="Output folder (created if needed).")
QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress bars.")


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _check_lang(lang: str) -> str:
    if lang not in ("en", "fr"):
        _fail(f"--lang must be 'en' or 'fr', not {lang!r}")
    return lang


@app.command()
def demo(out: Path = typer.Option(Path("out/demo"), "--out", "-o", help="Output folder (created if needed)."),
         lang: str = LangOpt,
         seed: int = typer.Option(42, help="Seed of the synthetic territory (same seed, same territory)."),
         quiet: bool = QuietOpt) -> None:
    """Run the whole diagnosis on the embedded SYNTHETIC example territory (works offline)."""
    from .pipeline import diagnose_example

    settings.progress = not quiet
    result = diagnose_example(out, lang=_check_lang(lang), seed=seed)
    typer.echo(result.summary())


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
        quiet: bool = QuietOpt) -> None:
    """Run the diagnosis on your own files and write the report, tables and figures to OUT."""
    from .pipeline import diagnose_files

    settings.progress = not quiet
    result = diagnose_files(table, boundaries, out, hotspots=hotspots, population=population, area=area,
                            code=code, boundary_key=boundary_key, denominator=denominator,
                            district_level=district_level, level=level, territory_name=name,
                            radii_m=tuple(radius), lang=_check_lang(lang))
    typer.echo(result.summary())


@app.command()
def report(case: str = typer.Argument(..., help="kenya (2019 census by county) or nyc (public Wi-Fi by neighbourhood)."),
           out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default out/<case>)."),
           level: str = typer.Option("nta", help="nyc only: nta (195 neighbourhoods) or tract (2,166 tracts)."),
           lang: str = LangOpt,
           quiet: bool = QuietOpt) -> None:
    """Build the diagnosis report of a real public data set (downloaded and cached on first use)."""
    from .pipeline import diagnose_kenya, diagnose_nyc

    settings.progress = not quiet
    lang = _check_lang(lang)
    if case == "kenya":
        result = diagnose_kenya(out or Path("out/kenya"), lang=lang)
    elif case == "nyc":
        result = diagnose_nyc(out or Path("out/nyc"), lang=lang, level=level)
    else:
        _fail(f"unknown case {case!r}: use kenya or nyc")
    typer.echo(result.summary())


@app.command()
def validate(table: Path = typer.Argument(..., help="Census-style table (CSV or Excel)."),
             boundaries: Optional[Path] = typer.Argument(None, help="Boundaries to check the join against."),
             area: Optional[str] = typer.Option(None, help="Column with the district names."),
             code: Optional[str] = typer.Option(None, help="Column with the district codes."),
             boundary_key: Optional[str] = typer.Option(None, help="Column of the boundaries to join on."),
             denominator: Optional[str] = typer.Option(None, help="Denominator column."),
             level: Optional[str] = typer.Option(None, help="Column telling the level of each row."),
             district_level: Optional[str] = typer.Option(None, help="Level value of district rows."),
             save: Optional[Path] = typer.Option(None, help="Also save the report (.csv, .json or .txt).")) -> None:
    """Print the validation report of a table (and of its join to boundaries); exit 1 on errors."""
    from .pipeline import validate_files

    report = validate_files(table, boundaries, area=area, code=code, boundary_key=boundary_key,
                            denominator=denominator, level=level, district_level=district_level)
    typer.echo(str(report))
    if save:
        report.save(save)
        typer.echo(f"report saved to {save}")
    raise typer.Exit(1 if report.has_errors else 0)


@assess_app.command("template")
def assess_template(path: Path = typer.Argument(..., help="Template to write: .xlsx (with drop-down lists) or .csv."),
                    territory: str = typer.Option("", help="Name of the local authority assessed."),
                    date: str = typer.Option("", help="Date of the assessment (YYYY-MM-DD)."),
                    assessor: str = typer.Option("", "--assessor", help="Who fills it in."),
                    lang: str = LangOpt) -> None:
    """Write the questionnaire as a spreadsheet to fill in (one row per question, allowed answers listed)."""
    from .diagnosis import write_template
    from .diagnosis.template import COLUMN_LABELS_FR
    from .present.i18n import translations

    lang = _check_lang(lang)
    out = write_template(path, territory=territory, date=date, assessed_by=assessor, lang=lang)
    tr = translations(lang)
    typer.echo(tr["cli_assess_written"].format(path=out))
    blank = [c for c, v in (("territory", territory), ("assessment_date", date)) if not v]
    if blank:
        labels = COLUMN_LABELS_FR if lang == "fr" else {}
        cols = tr["cli_assess_and"].join(tr["cli_assess_column"].format(column=labels.get(c, c)) for c in blank)
        typer.echo(tr["cli_assess_fill_in"].format(columns=cols))


@assess_app.command("score")
def assess_score(path: Path = typer.Argument(..., help="A filled-in template (.xlsx or .csv)."),
                 date: Optional[str] = typer.Option(None, help="Which assessment, when the file holds several."),
                 assessor: Optional[str] = typer.Option(None, "--assessor", help="Which assessor, when several."),
                 actions: int = typer.Option(10, help="How many actions of the plan to print."),
                 save: Optional[Path] = typer.Option(None, help="Also save the scores and the plan (a folder)."),
                 lang: str = LangOpt) -> None:
    """Score a filled-in assessment (0-1 per dimension and LOSI criterion, bands) and draw up the action plan."""
    import pandas as pd

    from .diagnosis import action_plan, read_template, score_assessment
    from .present.diagnosis_plots import report_text
    from .present.i18n import format_number, format_percent, translations

    lang = _check_lang(lang)
    tr = translations(lang)
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
    typer.echo(tr["cli_assess_head"].format(
        territory=result.assessment.territory or path.name, date=result.assessment.date,
        score=format_number(result.overall, lang, 2), band=band(result.overall_band, result.provisional),
        answered=answered))
    if result.provisional:
        typer.echo("  " + t["provisional_note"].format(answered=answered,
                                                       min=format_percent(result.min_share_answered, lang, 0)))
    for _, r in dims.iterrows():
        score = "  -  " if pd.isna(r["score"]) else format_number(r["score"], lang, 2)
        typer.echo(f"  {r[label] if label in dims else r['dimension']:<45} {score}  {band(r['band'], r['provisional'])}")
    if len(plan):
        typer.echo(tr["cli_assess_first_actions"])
        for _, r in plan.head(actions).iterrows():
            typer.echo(f"  {int(r['rank']):>2}. [{r['area_label']}] {r['action']}")
    if save:
        save.mkdir(parents=True, exist_ok=True)
        dims.to_csv(save / "dimension_scores.csv", index=False)
        result.losi.to_csv(save / "losi_scores.csv", index=False)
        result.questions.to_csv(save / "question_scores.csv", index=False)
        plan.to_csv(save / "action_plan.csv", index=False)
        typer.echo(tr["cli_assess_saved"].format(path=save))


@datasets_app.command("list")
def datasets_list() -> None:
    """List the real public data sets egovkit can download (origin, licence, cached or not)."""
    from .datasets import list_datasets

    df = list_datasets()
    cols = [c for c in ("name", "publisher", "licence", "cached") if c in df.columns]
    typer.echo(df[cols].to_string(index=False))


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
            typer.secho(f"{n}: {exc}", fg=typer.colors.YELLOW, err=True)
            failed += 1
            continue
        typer.echo(f"{n}: {path}")
    if failed:
        raise typer.Exit(1)


#: Python argument names in library messages, as the command line spells them.
_CLI_NAMES = {"boundary_on=": "--boundary-key", "right_on=": "--boundary-key", "table_on=": "--area or --code",
              "left_on=": "--area or --code", "area=": "--area", "code=": "--code", "level=": "--level",
              "district_level=": "--district-level", "denominator=": "--denominator"}


def _cli_message(text: str) -> str:
    import re

    return re.sub(r"\b(" + "|".join(re.escape(k) for k in _CLI_NAMES) + ")",
                  lambda m: _CLI_NAMES[m.group(1)], text)


def main() -> None:
    """Entry point: user mistakes end with a one-line error and exit code 2.

    egovkit's warnings are not repeated on the terminal: the validation report (printed
    summary, ``validation_report.txt``) lists every one with its row, column and fix.
    """
    import warnings

    from .errors import EgovkitWarning

    warnings.simplefilter("ignore", EgovkitWarning)
    try:
        app()
    except EgovkitError as exc:
        typer.secho(f"error: {_cli_message(str(exc))}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except FileNotFoundError as exc:
        typer.secho(f"error: file not found: {exc.filename or exc}. Check the path.", fg=typer.colors.RED, err=True)
        sys.exit(2)
