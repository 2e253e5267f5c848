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
from .questionnaire import (ANSWER_COLUMNS, Assessment, Questionnaire, _cell_text, _iso_date,
                            load_questionnaire, make_assessment)

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
        out.to_csv(path, index=False, encoding="utf-8-sig")  # with a BOM so that Excel reads the accents
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
        ws.append([v if v != "" else None for v in rec])
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


def _read_frame(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError("file not found", file=str(path), fix="check the path")
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig") as f:
            head = f.readline()
        # spreadsheets set to a French (or other comma-decimal) locale save CSV with ";"
        sep = ";" if head.count(";") > head.count(",") else ","
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        xl = pd.ExcelFile(path, engine="openpyxl")
        sheet = _SHEET if _SHEET in xl.sheet_names else xl.sheet_names[0]
        df = pd.read_excel(xl, sheet_name=sheet, dtype=object)
    else:
        raise InputError(f"unknown template format {path.suffix!r}", file=str(path), fix="use .xlsx or .csv")
    from_fr = {v: k for k, v in COLUMN_LABELS_FR.items()}
    df.columns = [from_fr.get(str(c).strip(), str(c).strip()) for c in df.columns]
    missing = [c for c in ["question_id", "answer", "territory", "assessment_date"] if c not in df.columns]
    if missing:
        raise InputError(f"missing column(s) {missing}", file=str(path), column=", ".join(missing),
                         fix="start from a template written by egovkit.diagnosis.write_template")
    df = df.map(_cell_text).astype("str")
    for c in TEMPLATE_COLUMNS:
        if c not in df:
            df[c] = ""
    df["source_row"] = range(2, len(df) + 2)
    return df.loc[df["question_id"] != ""]


def read_assessments(path: str | Path, questionnaire: Questionnaire | None = None) -> list[Assessment]:
    """Read every assessment of a filled-in template (one per territory, date and ``assessed_by``).

    Raises
    ------
    egovkit.errors.InputError
        Missing column, blank territory or date, questionnaire version mismatch.
    egovkit.errors.ValidationError
        Answers not allowed (naming the question, the row and the allowed answers).
    """
    path = Path(path)
    q = questionnaire or load_questionnaire()
    df = _read_frame(path)
    for col in ("territory", "assessment_date"):
        blank = df.loc[df[col] == "", "source_row"]
        if len(blank):
            raise InputError(f"{col} is blank", file=str(path), row=int(blank.iloc[0]), column=col,
                             fix=f"write the {col.replace('_', ' ')} on every row (or write the template with "
                                 "egovkit assess template FILE --territory NAME --date YYYY-MM-DD)")
    bad = df.loc[(df["questionnaire_version"] != "") & (df["questionnaire_version"] != q.version)]
    if len(bad):
        raise InputError(f"answers are for questionnaire version {bad['questionnaire_version'].iloc[0]!r}, "
                         f"not {q.version!r}", file=str(path), row=int(bad["source_row"].iloc[0]),
                         column="questionnaire_version", fix="load the matching questionnaire with load_questionnaire(path)")
    out = []
    for (terr, date, by), sub in df.groupby(["territory", "assessment_date", "assessed_by"], sort=False):
        iso = _iso_date(date, "assessment_date", row=int(sub["source_row"].iloc[0]), file=str(path))
        out.append(make_assessment(sub[ANSWER_COLUMNS + ["source_row"]], territory=terr, date=iso, assessor=by,
                                   questionnaire=q, source=path.name))
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


