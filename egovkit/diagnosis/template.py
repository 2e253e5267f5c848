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
from ..shared.messages import render
from ..validate import ValidationReport
from ._files import read_table_file, row_has_content, sheet_where
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
#: the sheets of the template (answers, about) in each language; either answers sheet is read back
_SHEETS = {"en": ("answers", "about"), "fr": ("réponses", "à propos")}
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

    The answers (offered and pre-filled) are the codes in English, the labels in French
    (:meth:`~egovkit.diagnosis.questionnaire.Questionnaire.answer_choices`): both read back the same.

    >>> template_frame().loc[0, ["question_id", "allowed_answers"]].tolist()
    ['EQ1', 'very_low | low | medium | high']
    >>> template_frame(lang="fr").loc[0, "allowed_answers"]
    'Très faible | Faible | Moyen | Élevé'
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
        "allowed_answers": [" | ".join(q.answer_choices(i, lang)) for i in q.questions["question_id"]],
    })
    for c in ANSWER_COLUMNS[1:]:
        df[c] = ""
    if answers is not None:
        filled = answers.set_index("question_id")
        for c in ANSWER_COLUMNS[1:]:
            if c in filled:
                df[c] = df["question_id"].map(filled[c].map(_cell_text)).fillna("").astype("str")
        if lang == "fr":  # the answers as the drop-down lists offer them
            df["answer"] = [_offered(q, i, a) for i, a in zip(df["question_id"], df["answer"])]
    return df[TEMPLATE_COLUMNS]


def _offered(q: Questionnaire, question_id: str, answer: str) -> str:
    """A pre-filled answer as the French template offers it (its label); kept as given when unknown."""
    code = q.answer_code(question_id, answer) if answer else None
    return q.answer_label(question_id, code, "fr") if code else answer


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

    With ``lang="fr"`` the column headers, the texts, the ``about`` sheet and the answers offered
    in the drop-down lists are in French (``Entièrement dématérialisée`` for ``end_to_end``);
    :func:`read_template` reads French labels, English labels and codes alike, so a French and an
    English template (and templates written before) score the same.

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
        raise InputError(code="diagnosis.template_format", params={"suffix": path.suffix}, file=str(path))
    return path


def _write_xlsx(path: Path, df: pd.DataFrame, q: Questionnaire, lang: str = "en") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = _SHEETS.get(lang, _SHEETS["en"])[0]
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
        by_list.setdefault(",".join(q.answer_choices(qid, lang)), []).append(r)
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
    about = wb.create_sheet(_SHEETS.get(lang, _SHEETS["en"])[1])
    names = dict(zip(TEMPLATE_COLUMNS, head))
    about.append([about_text["title"]])
    for key, text in about_text["rows"].items():
        about.append([key, text.format(id=q.id, version=q.version, territory=names["territory"],
                                       date=names["assessment_date"], answer=names["answer"])])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    wb.save(path)


def _read_frame(path: Path, report: ValidationReport | None = None) -> tuple[pd.DataFrame, str]:
    """The answers sheet of a template as text, with ``source_row``, and where it was read
    (``"file.xlsx, sheet 'answers'"``); rows without a question id are left out (blank ones
    noted in ``report``, an error when they hold an answer)."""
    report = report if report is not None else ValidationReport(source=path.name)
    from_fr = {v: k for k, v in COLUMN_LABELS_FR.items()}
    df, sheet = read_table_file(path, what="assessment", required=["question_id", "answer", "territory",
                                                                    "assessment_date"],
                                sheet=tuple(s[0] for s in _SHEETS.values()), rename=from_fr, report=report,
                                fix_code="diagnosis.template_file")
    where = sheet_where(path.name, sheet)
    for c in TEMPLATE_COLUMNS:
        if c not in df:
            df[c] = ""
    df["source_row"] = range(2, len(df) + 2)
    report.rows_in = len(df)
    no_id = df["question_id"] == ""
    filled = row_has_content(df, ANSWER_COLUMNS[1:])
    orphan = df.loc[no_id & filled, "source_row"].tolist()
    if orphan:
        raise InputError(code="diagnosis.answer_without_question", params={"n": len(orphan), "rows": orphan[:10]},
                         file=where, row=int(orphan[0]), column="question_id")
    content = row_has_content(df, TEMPLATE_COLUMNS)
    for mask, blank in ((no_id & content, False), (no_id & ~content, True)):
        rows = df.loc[mask, "source_row"].tolist()
        if rows:
            what = render("diagnosis.rows_what_blank" if blank else "diagnosis.rows_what_no_id")
            report.add("info", "diagnosis.row_without_question",
                       params={"n": len(rows), "what": what, "rows": rows[:10],
                               "more": " ..." if len(rows) > 10 else ""},
                       row=int(rows[0]), column="question_id", action="dropped")
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
        raise InputError(code="diagnosis.no_question_rows", file=where, column="question_id")
    shown = df.attrs.get("egovkit_headers", {})  # the headers as the file writes them (French ones)
    for col in ("territory", "assessment_date"):
        blank = df.loc[df[col] == "", "source_row"]
        if len(blank):
            said = shown.get(col, col)
            raise InputError(code="diagnosis.territory_blank" if col == "territory" else "diagnosis.date_blank",
                             params={"column": said}, file=where, row=int(blank.iloc[0]), column=said)
    bad = df.loc[(df["questionnaire_version"] != "") & (df["questionnaire_version"] != q.version)]
    if len(bad):
        raise InputError(code="diagnosis.version_mismatch", file=where, row=int(bad["source_row"].iloc[0]),
                         params={"found": bad["questionnaire_version"].iloc[0], "expected": q.version},
                         column="questionnaire_version")
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
        raise InputError(code="diagnosis.assessments_match", params={"n": len(found), "found": all_},
                         file=str(path), column="assessment_date, assessed_by")
    return found[0]


def example_assessments() -> list[Assessment]:
    """The invented example assessments shipped with egovkit (``data/example_assessment.csv``).

    An INVENTED example for teaching (territory "Example county (INVENTED EXAMPLE)"): two
    assessors in 2024 and one re-assessment in 2025. It describes no real local authority.
    """
    return read_assessments(DATA_FILE)


