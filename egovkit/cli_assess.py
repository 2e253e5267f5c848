"""``egovkit assess template`` and ``egovkit assess score``: the e-governance self-assessment on
the command line, every line in the language of ``--lang`` (the French template offers French
answers; either template scores the same).

Examples
--------
>>> import tempfile, pathlib
>>> from typer.testing import CliRunner
>>> from egovkit.cli_common import app
>>> out = pathlib.Path(tempfile.mkdtemp()) / "q.xlsx"
>>> CliRunner().invoke(app, ["assess", "template", str(out), "--territory", "X", "--date", "2024-01-01",
...                          "--lang", "fr"]).output.startswith("modèle écrit")
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import output_folder
from .cli_common import (
    ForceOpt,
    LangOpt,
    assess_app,
    check_file_target,
    check_lang,
    check_output_folder,
    echo,
    fail_with,
    in_its_language,
    say,
)


@assess_app.command("template")
@in_its_language
def assess_template(path: Path = typer.Argument(..., help="Template to write: .xlsx (with drop-down lists) or .csv."),
                    territory: str = typer.Option("", help="Name of the local authority assessed."),
                    date: str = typer.Option("", help="Date of the assessment (YYYY-MM-DD)."),
                    assessor: str = typer.Option("", "--assessor", help="Who fills it in."),
                    lang: Optional[str] = LangOpt,
                    force: bool = typer.Option(False, "--force", "-f",
                                               help="Replace PATH if it exists (it may hold answers).")) -> None:
    """Write the questionnaire as a spreadsheet to fill in (one row per question, allowed answers listed)."""
    from .diagnosis import write_template
    from .diagnosis.template import COLUMN_LABELS_FR

    lang = check_lang(lang)
    check_file_target(path, "PATH")
    if path.exists() and not force:
        fail_with("cli.template_exists", path=path)
    out = write_template(path, territory=territory, date=date, assessed_by=assessor, lang=lang)
    echo(say("cli.template_written", path=out))
    blank = [c for c, v in (("territory", territory), ("assessment_date", date)) if not v]
    if blank:
        labels = COLUMN_LABELS_FR if lang == "fr" else {}
        cols = [say("cli.template_column", column=labels.get(c, c)) for c in blank]
        columns = cols[0] if len(cols) == 1 else say("cli.template_columns", first=cols[0], second=cols[1])
        echo(say("cli.template_fill_in", columns=columns))


@assess_app.command("score")
@in_its_language
def assess_score(path: Path = typer.Argument(..., help="A filled-in template (.xlsx or .csv)."),
                 date: Optional[str] = typer.Option(None, help="Which assessment, when the file holds several."),
                 assessor: Optional[str] = typer.Option(None, "--assessor", help="Which assessor, when several."),
                 actions: int = typer.Option(10, help="How many actions of the plan to print."),
                 save: Optional[Path] = typer.Option(None, help="Also save the scores and the plan into this FOLDER "
                                                                "(same rules as --out of egovkit run)."),
                 lang: Optional[str] = LangOpt,
                 force: bool = ForceOpt) -> None:
    """Score a filled-in assessment (0-1 per dimension and LOSI criterion, bands) and draw up the action plan."""
    import pandas as pd

    from .diagnosis import action_plan, read_template, score_assessment
    from .diagnosis.questionnaire import DATA_DIR
    from .shared.formatting import format_number, format_percent
    from .shared.texts import load_texts

    lang = check_lang(lang)
    if save:
        force = check_output_folder(save, force, option="--save")
    result = score_assessment(read_template(path, date=date, assessed_by=assessor))
    if not result.share_answered > 0:
        fail_with("cli.no_answer_yet", path=path)
    plan = action_plan(result, lang=lang)
    q = result.assessment.questionnaire
    t = load_texts(DATA_DIR / "report_text.yaml", lang)
    label = f"label_{lang}"
    dims = result.dimensions

    def band(b: str, provisional: bool) -> str:
        if not b:
            return say("cli.no_answer")
        return q.label("band", b, lang).lower() + (f", {t['provisional']}" if provisional else "")

    answered = format_percent(result.share_answered, lang, 0)
    echo(say("cli.score_head", territory=result.assessment.territory or path.name, date=result.assessment.date,
             score=format_number(result.overall, lang, 2), band=band(result.overall_band, result.provisional),
             answered=answered))
    if result.provisional:
        echo("  " + t["provisional_note"].format(answered=answered,
                                                  min=format_percent(result.min_share_answered, lang, 0)))
    for _, r in dims.iterrows():
        score = "  -  " if pd.isna(r["score"]) else format_number(r["score"], lang, 2)
        echo(f"  {r[label] if label in dims else r['dimension']:<45} {score}  {band(r['band'], r['provisional'])}")
    if len(plan):
        echo(say("cli.first_actions"))
        for _, r in plan.head(actions).iterrows():
            echo(f"  {int(r['rank']):>2}. [{r['area_label']}] {r['action']}")
    if save:
        from .export import write_csv

        with output_folder.staged_folder(save, force=force, what="assess score", option="--save",
                                         force_option="--force") as tmp:
            write_csv(dims, tmp / "dimension_scores.csv")
            write_csv(result.losi, tmp / "losi_scores.csv")
            write_csv(result.questions, tmp / "question_scores.csv")
            write_csv(plan, tmp / "action_plan.csv")
        echo(say("cli.saved", path=save))
