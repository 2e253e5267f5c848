"""Fill-in templates: write the questionnaire as an Excel or CSV sheet, read the answers back.

One row per question. The columns are ``TEMPLATE_COLUMNS``: who/what/when
(``questionnaire_version``, ``territory``, ``assessment_date``, ``assessed_by``), the question
(``question_id``, ``dimension``, ``question``, ``allowed_answers``) and what the assessor fills
in (``answer``, ``evidence_url``, ``evidence_document``, ``evidence_date``, ``assessor``,
``comment``). In Excel the ``answer`` cells carry a drop-down list of the allowed answers.
A file may hold several assessments (e.g. two assessors, or two dates): one per
(``territory``, ``assessment_date``, ``assessed_by``).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "assessment.csv"
>>> _ = write_template(path, territory="Example town", date="2024-03-01", assessed_by="Team")
>>> a = read_template(path)
>>> a.territory, int((a.answers["answer"] != "").sum())
('Example town', 0)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ..errors import InputError
from ..export import neutralise_text, write_csv
from ..validate import ValidationReport
from ._files import read_table_file, row_has_content
from .questionnaire import (
    ANSWER_COLUMNS,
    Assessment,
    Questionnaire,
    _cell_text,
    _iso_date,
    load_questionnaire,
    make_assessment,
)

META_COLUMNS = ["questionnaire_version", "territory", "assessment_date", "assessed_by"]
QUESTION_COLUMNS = ["question_id", "dimension", "question", "allowed_answers"]
#: Columns of a fill-in template, in order.
TEMPLATE_COLUMNS = META_COLUMNS + QUESTION_COLUMNS + ANSWER_COLUMNS[1:]
_SHEET = "answers"
#: Column headers of a French template (read back to ``TEMPLATE_COLUMNS``).
COLUMN_LABELS_FR = {
    "questionnaire_version": "version_questionnaire", "territory": "territoire", "assessment_date": "date_évaluation",
    "assessed_by": "évalué_par", "question_id": "id_question", "dimension": "dimension", "question": "question",
    "allowed_answers": "réponses_possibles", "answer": "réponse", "evidence_url": "justificatif_url",
    "evidence_document": "justificatif_document", "evidence_date": "date_justificatif", "assessor": "évaluateur",
    "comment": "commentaire",
}
#: The invented example assessments shipped with egovkit.
DATA_FILE = Path(__file__).resolve().parent / "data" / "example_assessment.csv"
#: Texts of the Excel template's "about" sheet and drop-down errors, in English and French.
TEXT_FILE = Path(__file__).resolve().parent / "data" / "template_text.yaml"


@lru_cache(maxsize=1)
def _about_texts() -> dict[str, dict]:
    with open(TEXT_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def template_frame(
    questionnaire: Questionnaire | None = None,
    *,
    territory: str = "",
    date: str = "",
    assessed_by: str = "",
    prefill: Assessment | pd.DataFrame | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """The template as a DataFrame (``TEMPLATE_COLUMNS``), optionally pre-filled with answers.

    >>> template_frame().loc[0, ["question_id", "allowed_answers"]].tolist()
    ['EQ1', 'very_low | low | medium | high']
    """
    q = questionnaire or (prefill.questionnaire if isinstance(prefill, Assessment) else load_questionnaire())
    if isinstance(prefill, Assessment):
        territory = territory or prefill.territory
        date = date or prefill.date
        assessed_by = assessed_by or prefill.assessor
        answers = prefill.answers
    else:
        answers = prefill
    lang = "fr" if lang == "fr" else "en"
    df = pd.DataFrame({
        "questionnaire_version": q.version,
        "territory": territory,
        "assessment_date": _iso_date(date, "assessment_date") if date else "",
        "assessed_by": assessed_by,
        "question_id": q.questions["question_id"],
        "dimension": [q.label("dimension", d, lang) for d in q.questions["dimension"]],
        "question": q.questions[lang],
        "allowed_answers": [" | ".join(q.allowed_answers(i)) for i in q.questions["question_id"]],
    })
    for c in ANSWER_COLUMNS[1:]:
        df[c] = ""
    if answers is not None:
        filled = answers.set_index("question_id")
        for c in ANSWER_COLUMNS[1:]:
            if c in filled:
                df[c] = df["question_id"].map(filled[c].map(_cell_text)).fillna("").astype("str")
    return df[TEMPLATE_COLUMNS]


def write_template(
    path: str | Path,
    questionnaire: Questionnaire | None = None,
    *,
    territory: str = "",
    date: str = "",
    assessed_by: str = "",
    prefill: Assessment | pd.DataFrame | None = None,
    lang: str = "en",
) -> Path:
    """Write a fill-in template as ``.xlsx`` (with drop-down lists) or ``.csv``.

    With ``lang="fr"`` the column headers, the texts and the ``about`` sheet are in French; the
    answers stay codes (``end_to_end``), so that any template reads back the same.

    Parameters
    ----------
    path
        Output file; its suffix chooses the format.
    questionnaire
        Default: the shipped questionnaire (or the one of ``prefill``).
    territory, date, assessed_by
        Written on every row (``date`` as ``YYYY-MM-DD``).
    prefill
        An :class:`Assessment` or answers table to pre-fill (e.g. from ``autofill_equipment``).
    lang
        Language of the headers, dimension and question texts and instructions (``en`` or ``fr``).
    """
    path = Path(path)
    lang = "fr" if lang == "fr" else "en"
    df = template_frame(questionnaire, territory=territory, date=date, assessed_by=assessed_by,
                        prefill=prefill, lang=lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        out = df.rename(columns=COLUMN_LABELS_FR) if lang == "fr" else df
        write_csv(out, path, encoding="utf-8-sig")  # with a BOM so that Excel reads the accents
    elif path.suffix.lower() == ".xlsx":
        _write_xlsx(path, df, questionnaire or (prefill.questionnaire if isinstance(prefill, Assessment)
                                                else load_questionnaire()), lang)
    else:
        raise InputError(f"unknown template format {path.suffix!r}", file=str(path), fix="use .xlsx or .csv")
    return path


def _write_xlsx(path: Path, df: pd.DataFrame, q: Questionnaire, lang: str = "en") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = _SHEET
    head = [COLUMN_LABELS_FR[c] if lang == "fr" else c for c in TEMPLATE_COLUMNS]
    ws.append(head)
    for rec in df.itertuples(index=False):
        # openpyxl stores text starting with "=" as a live formula: neutralised (restored when read back)
        ws.append([neutralise_text(v) if v != "" else None for v in rec])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "F2"
    widths = {"question": 60, "allowed_answers": 40, "comment": 30, "evidence_url": 30, "evidence_document": 25}
    answer_col = TEMPLATE_COLUMNS.index("answer") + 1
    for i, c in enumerate(TEMPLATE_COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = widths.get(c, 16)
    fill = PatternFill("solid", fgColor="FFF2CC")
    letter = ws.cell(1, answer_col).column_letter
    by_list: dict[str, list[int]] = {}
    for r, qid in enumerate(df["question_id"], start=2):
        by_list.setdefault(",".join(q.allowed_answers(qid)), []).append(r)
        ws.cell(r, answer_col).fill = fill
        ws.cell(r, TEMPLATE_COLUMNS.index("question") + 1).alignment = Alignment(wrap_text=True)
    about_text = _about_texts()[lang]
    for allowed, rows in by_list.items():
        dv = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True, showErrorMessage=True,
                            errorTitle=about_text["error_title"],
                            error=about_text["error"].format(allowed=allowed.replace(",", ", ")))
        ws.add_data_validation(dv)
        for r in rows:
            dv.add(f"{letter}{r}")
    about = wb.create_sheet("about")
    names = dict(zip(TEMPLATE_COLUMNS, head))
    about.append([about_text["title"]])
    for key, text in about_text["rows"].items():
        about.append([key, text.format(id=q.id, version=q.version, territory=names["territory"],
                                       date=names["assessment_date"], answer=names["answer"])])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    wb.save(path)


_FILE_FIX = "start from a template written by egovkit (egovkit assess template FILE.xlsx) and keep its header row"


def _read_frame(path: Path, report: ValidationReport | None = None) -> tuple[pd.DataFrame, str]:
    """The answers sheet of a template as text, with ``source_row``, and where it was read
    (``"file.xlsx, sheet 'answers'"``); rows without a question id are left out (blank ones
    noted in ``report``, an error when they hold an answer)."""
    report = report if report is not None else ValidationReport(source=path.name)
    from_fr = {v: k for k, v in COLUMN_LABELS_FR.items()}
    df, sheet = read_table_file(path, what="assessment", required=["question_id", "answer", "territory",
                                                                    "assessment_date"],
                                sheet=_SHEET, rename=from_fr, report=report, fix=_FILE_FIX)
    where = path.name + (f", sheet {sheet!r}" if sheet else "")
    for c in TEMPLATE_COLUMNS:
        if c not in df:
            df[c] = ""
    df["source_row"] = range(2, len(df) + 2)
    report.rows_in = len(df)
    no_id = df["question_id"] == ""
    filled = row_has_content(df, ANSWER_COLUMNS[1:])
    orphan = df.loc[no_id & filled, "source_row"].tolist()
    if orphan:
        raise InputError(f"{len(orphan)} row(s) hold an answer but no question_id (rows {orphan[:10]})",
                         file=where, row=int(orphan[0]), column="question_id",
                         fix="write the question id (e.g. PR2) on each answered row, or delete the row")
    content = row_has_content(df, TEMPLATE_COLUMNS)
    for mask, what in ((no_id & content, "without question_id nor answer"), (no_id & ~content, "blank")):
        rows = df.loc[mask, "source_row"].tolist()
        if rows:
            report.add("info", "row_without_question", f"{len(rows)} {what} row(s) ignored (rows {rows[:10]}"
                       f"{' ...' if len(rows) > 10 else ''})", row=int(rows[0]), column="question_id",
                       action="dropped")
            report.set_fate(rows, "dropped")
    return df.loc[~no_id], where


def read_assessments(path: str | Path, questionnaire: Questionnaire | None = None) -> list[Assessment]:
    """Read every assessment of a filled-in template (one per territory, date and ``assessed_by``).

    Any file ends in assessments or an egovkit error naming the file (and sheet, row, column or
    question) and the fix: empty, binary, cut-off or renamed files (an ``.xlsx`` named ``.csv``
    or the reverse), a workbook without the ``answers`` sheet, answers outside the drop-down
    lists. Each assessment's report records what was guessed (encoding, separator, sheet) and
    the rows left out.

    Raises
    ------
    egovkit.errors.InputError
        Unreadable file, missing column, blank territory or date, questionnaire version mismatch,
        an answer without question id.
    egovkit.errors.ValidationError
        Answers not allowed (naming the question, the row and the allowed answers).
    """
    path = Path(path)
    q = questionnaire or load_questionnaire()
    file_report = ValidationReport(source=path.name)
    df, where = _read_frame(path, file_report)
    if df.empty:
        raise InputError("no row with a question_id", file=where, column="question_id", fix=_FILE_FIX)
    for col in ("territory", "assessment_date"):
        blank = df.loc[df[col] == "", "source_row"]
        if len(blank):
            raise InputError(f"{col} is blank", file=where, row=int(blank.iloc[0]), column=col,
                             fix=f"write the {col.replace('_', ' ')} on every row (or write the template with "
                                 "egovkit assess template FILE --territory NAME --date YYYY-MM-DD)")
    bad = df.loc[(df["questionnaire_version"] != "") & (df["questionnaire_version"] != q.version)]
    if len(bad):
        raise InputError(f"answers are for questionnaire version {bad['questionnaire_version'].iloc[0]!r}, "
                         f"not {q.version!r}", file=where, row=int(bad["source_row"].iloc[0]),
                         column="questionnaire_version",
                         fix="load the matching questionnaire with load_questionnaire(path)")
    out = []
    for (terr, date, by), sub in df.groupby(["territory", "assessment_date", "assessed_by"], sort=False):
        iso = _iso_date(date, "assessment_date", row=int(sub["source_row"].iloc[0]), file=where)
        a = make_assessment(sub[ANSWER_COLUMNS + ["source_row"]], territory=terr, date=iso, assessor=by,
                            questionnaire=q, source=where)
        a.report.extend(file_report.issues)
        a.report.set_fate(list(file_report.row_fate), "dropped")
        out.append(a)
    return out


def read_template(
    path: str | Path,
    questionnaire: Questionnaire | None = None,
    *,
    date: str | None = None,
    assessed_by: str | None = None,
) -> Assessment:
    """Read one filled-in template (``.xlsx`` or ``.csv``) into an :class:`Assessment`.

    When the file holds several assessments, choose one with ``date`` and/or ``assessed_by``.
    """
    found = read_assessments(path, questionnaire)
    if date is not None:
        found = [a for a in found if a.date == _iso_date(date, "date")]
    if assessed_by is not None:
        found = [a for a in found if a.assessor == assessed_by]
    if len(found) != 1:
        all_ = [(a.territory, a.date, a.assessor) for a in read_assessments(path, questionnaire)]
        raise InputError(f"{len(found)} assessments match (the file holds {all_})", file=str(path),
                         column="assessment_date, assessed_by",
                         fix="choose one with read_template(path, date=..., assessed_by=...) or use read_assessments")
    return found[0]


def example_assessments() -> list[Assessment]:
    """The invented example assessments shipped with egovkit (``data/example_assessment.csv``).

    An INVENTED example for teaching (territory "Example county (INVENTED EXAMPLE)"): two
    assessors in 2024 and one re-assessment in 2025. It describes no real local authority.
    """
    return read_assessments(DATA_FILE)


