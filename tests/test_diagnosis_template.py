"""Fill-in template round trip (generate -> fill -> read back identical) and bad files."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from egovkit.diagnosis import (
    ANSWER_COLUMNS,
    TEMPLATE_COLUMNS,
    example_assessments,
    load_questionnaire,
    make_assessment,
    read_assessments,
    read_template,
    write_template,
)
from egovkit.errors import InputError, ValidationError


def _random_answers(seed: int) -> dict[str, str]:
    rng = np.random.default_rng(seed)
    q = load_questionnaire()
    return {qid: str(rng.choice(q.allowed_answers(qid))) for qid in q.questions["question_id"] if rng.random() < 0.8}


def test_xlsx_generate_fill_read_back(tmp_path):
    path = write_template(tmp_path / "t.xlsx", territory="Town", date="2024-03-01", assessed_by="Team")
    wb = openpyxl.load_workbook(path)
    ws = wb["answers"]
    header = [c.value for c in ws[1]]
    assert header == TEMPLATE_COLUMNS
    # a drop-down of the allowed answers on every answer cell
    q = load_questionnaire()
    col = openpyxl.utils.get_column_letter(header.index("answer") + 1)
    lists = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for (r, _c) in rng.cells:
                lists[r] = dv.formula1.strip('"').split(",")
    for r in range(2, ws.max_row + 1):
        qid = ws.cell(r, header.index("question_id") + 1).value
        assert lists[r] == q.allowed_answers(qid), qid
    # the user fills some answers, with evidence and a date typed as a date
    answers = _random_answers(1)
    import datetime as dt
    for r in range(2, ws.max_row + 1):
        qid = ws.cell(r, header.index("question_id") + 1).value
        if qid in answers:
            ws[f"{col}{r}"] = answers[qid]
            ws.cell(r, header.index("evidence_url") + 1).value = f"https://example.org/{qid}"
            ws.cell(r, header.index("evidence_date") + 1).value = dt.datetime(2024, 2, 1)
    wb.save(path)
    a = read_template(path)
    assert (a.territory, a.date, a.assessor) == ("Town", "2024-03-01", "Team")
    got = {k: v for k, v in zip(a.answers["question_id"], a.answers["answer"]) if v}
    assert got == answers
    filled = a.answers.loc[a.answers["answer"] != ""]
    assert (filled["evidence_date"] == "2024-02-01").all()
    assert (filled["evidence_url"] == "https://example.org/" + filled["question_id"]).all()


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_prefilled_round_trip_is_identical(tmp_path, suffix):
    recs = {k: {"answer": v, "evidence_document": "minutes of 12 May", "evidence_date": "2024-05-12",
                "comment": "checked, with ünïcode"} for k, v in _random_answers(7).items()}
    a = make_assessment(recs, territory="Ville d'exemple", date="2024-06-30", assessor="Équipe A")
    back = read_template(write_template(tmp_path / f"a.{suffix}", prefill=a))
    pd.testing.assert_frame_equal(back.answers[ANSWER_COLUMNS], a.answers[ANSWER_COLUMNS])
    assert (back.territory, back.date, back.assessor) == (a.territory, a.date, a.assessor)


def test_bad_answer_in_file_names_row_question_and_allowed(tmp_path):
    path = write_template(tmp_path / "t.csv", territory="Town", date="2024-03-01")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = int(np.flatnonzero(df["question_id"] == "PR2")[0])
    df.loc[i, "answer"] = "paid at the bank"
    df.to_csv(path, index=False)
    with pytest.raises(ValidationError) as e:
        read_template(path)
    msg = str(e.value)
    assert f"row {i + 2}" in msg and "PR2" in msg and "paid at the bank" in msg
    assert "not_online, information, form, submission, payment, end_to_end, not_applicable" in msg
    assert "t.csv" in msg


def test_bad_files(tmp_path):
    path = write_template(tmp_path / "t.csv", territory="", date="2024-03-01")
    with pytest.raises(InputError, match="territory is blank"):
        read_template(path)
    path = write_template(tmp_path / "v.csv", territory="T", date="2024-03-01")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["questionnaire_version"] = "0.9"
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match="version"):
        read_template(path)
    pd.DataFrame({"question": ["x"]}).to_csv(tmp_path / "w.csv", index=False)
    with pytest.raises(InputError, match="missing column"):
        read_template(tmp_path / "w.csv")
    with pytest.raises(InputError, match="use .xlsx or .csv"):
        write_template(tmp_path / "t.ods")


def test_example_assessments_are_labelled_and_selectable():
    ex = example_assessments()
    assert len(ex) == 3
    assert all("INVENTED EXAMPLE" in a.territory for a in ex)
    assert {(a.date, a.assessor) for a in ex} == {("2024-03-01", "Assessor A"), ("2024-03-01", "Assessor B"),
                                                  ("2025-03-01", "Assessor A")}
    from egovkit.diagnosis.template import DATA_FILE
    with pytest.raises(InputError, match="3 assessments match"):
        read_template(DATA_FILE)
    b = read_template(DATA_FILE, date="2024-03-01", assessed_by="Assessor B")
    assert b.assessor == "Assessor B"
    assert len(read_assessments(DATA_FILE)) == 3


def test_semicolon_csv_from_a_french_spreadsheet(tmp_path):
    a = make_assessment({"PR2": "payment", "CO4": "consultation"}, territory="Ville", date="2024-06-30",
                        assessor="Équipe")
    path = write_template(tmp_path / "a.csv", prefill=a)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.to_csv(tmp_path / "fr.csv", sep=";", index=False, encoding="utf-8")
    back = read_template(tmp_path / "fr.csv")
    pd.testing.assert_frame_equal(back.answers[ANSWER_COLUMNS], a.answers[ANSWER_COLUMNS])


def test_french_template_reads_back_and_is_in_french(tmp_path):
    from egovkit.diagnosis.template import COLUMN_LABELS_FR

    recs = {k: {"answer": v, "evidence_date": "2024-05-12"} for k, v in _random_answers(3).items()}
    a = make_assessment(recs, territory="Ville", date="2024-06-30", assessor="Équipe")
    for suffix in ("xlsx", "csv"):
        path = write_template(tmp_path / f"fr.{suffix}", prefill=a, lang="fr")
        back = read_template(path)
        pd.testing.assert_frame_equal(back.answers[ANSWER_COLUMNS], a.answers[ANSWER_COLUMNS])
    wb = openpyxl.load_workbook(tmp_path / "fr.xlsx")
    assert wb.sheetnames == ["réponses", "à propos"]  # a French workbook names its sheets in French
    header = [c.value for c in wb["réponses"][1]]
    assert header == [COLUMN_LABELS_FR[c] for c in TEMPLATE_COLUMNS] and "réponse" in header
    about = " ".join(str(c.value) for row in wb["à propos"].iter_rows() for c in row if c.value)
    assert "Choisir une réponse" in about and "territoire" in about and "Choose" not in about
    dv = wb["réponses"].data_validations.dataValidation[0]
    assert dv.errorTitle == "Réponse non autorisée" and dv.error.startswith("Choisir parmi")
    head = (tmp_path / "fr.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.startswith("version_questionnaire,territoire,date_évaluation")


def test_slash_assessment_date_names_the_row_and_the_format(tmp_path):
    path = write_template(tmp_path / "t.csv", territory="Town", date="2024-03-01")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df["assessment_date"] = "01/05/2024"
    df.loc[0, "answer"] = "high"
    df.to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        read_template(path)
    msg = str(e.value)
    assert "row 2" in msg and "assessment_date" in msg and "01/05/2024" in msg and "YYYY-MM-DD" in msg


def test_example_docstring_names_the_shipped_territory():
    assert example_assessments()[0].territory in example_assessments.__doc__


def test_english_about_sheet_and_drop_down_error(tmp_path):
    """The about sheet and drop-down errors (texts in diagnosis/data/template_text.yaml) fill in the
    questionnaire and the template's own column headers."""
    path = write_template(tmp_path / "en.xlsx")
    wb = openpyxl.load_workbook(path)
    rows = [[c.value for c in row if c.value is not None] for row in wb["about"].iter_rows()]
    q = load_questionnaire()
    assert rows[0] == ["egovkit e-governance maturity assessment"]
    assert rows[1:3] == [["questionnaire", q.id], ["version", q.version]]
    assert [r[0] for r in rows[3:]] == ["first", "how to fill", "not_applicable", "evidence", "read back"]
    assert "in the columns 'territory' and 'assessment_date'" in rows[3][1]
    assert rows[4][1].startswith("Choose an answer in the yellow 'answer' column")
    dv = wb["answers"].data_validations.dataValidation
    assert {d.errorTitle for d in dv} == {"Answer not allowed"}
    assert "Choose one of: very_low, low, medium, high" in {d.error for d in dv}


# -- French all the way: the French workbook, and French or English templates scoring the same ------

def _workbook_texts(path) -> tuple[list[str], list[str]]:
    """Every cell text and comment of a workbook; the drop-down lists' values and messages."""
    wb = openpyxl.load_workbook(path)
    cells, lists = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cells.append(str(c.value))
                if c.comment is not None:
                    cells.append(c.comment.text)
        for dv in ws.data_validations.dataValidation:
            lists += [t for t in (dv.formula1, dv.error, dv.errorTitle, dv.prompt, dv.promptTitle) if t]
    return cells, lists


def test_french_workbook_has_no_english_text_nor_answer_code(tmp_path):
    from english_check import english_in
    from typer.testing import CliRunner

    from egovkit.cli import app

    res = CliRunner().invoke(app, ["assess", "template", str(tmp_path / "fr.xlsx"), "--lang", "fr"])
    assert res.exit_code == 0, res.output
    assert not english_in(res.output), english_in(res.output)
    cells, lists = _workbook_texts(tmp_path / "fr.xlsx")
    found = english_in("\n".join(cells + lists))
    assert not found, found
    # the drop-down lists offer French labels, not the English codes (very_low, not_online...)
    q = load_questionnaire()
    codes = {c for qid in q.questions["question_id"] for c in q.allowed_answers(qid)} - {"information",
                                                                                         "consultation"}
    offered = {v.strip('"') for f in lists if f.startswith('"') for v in f.strip('"').split(",")}
    assert offered and not offered & codes, sorted(offered & codes)
    assert "Très faible" in offered and "Pas en ligne" in offered and "sans objet" in offered
    # the check finds the English ones in the English workbook
    write_template(tmp_path / "en.xlsx", lang="en")
    assert english_in("\n".join(sum(_workbook_texts(tmp_path / "en.xlsx"), [])))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_french_and_english_templates_filled_alike_score_the_same(tmp_path, suffix):
    from egovkit.diagnosis import score_assessment

    a = make_assessment(_random_answers(7), territory="Town", date="2024-03-01", assessor="Team")
    fr = write_template(tmp_path / f"fr{suffix}", prefill=a, lang="fr")
    en = write_template(tmp_path / f"en{suffix}", prefill=a, lang="en")
    if suffix == ".csv":  # what the French assessor reads and fills in: the labels
        sheet = pd.read_csv(fr, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        filled = sheet.loc[sheet["réponse"] != "", "réponse"]
        assert len(filled) and not filled.isin({"very_low", "not_online", "end_to_end"}).any()
    got_fr, got_en = read_template(fr), read_template(en)
    assert got_fr.answers["answer"].tolist() == got_en.answers["answer"].tolist() == a.answers["answer"].tolist()
    s_fr, s_en = score_assessment(got_fr, min_share_answered=0), score_assessment(got_en, min_share_answered=0)
    assert s_fr.overall == s_en.overall
    pd.testing.assert_frame_equal(s_fr.dimensions, s_en.dimensions)


def test_answers_are_read_as_codes_or_labels_in_either_language():
    a = make_assessment({"PR2": "Paiement en ligne", "PR3": "Online payment", "PR4": "payment",
                         "EQ1": "très faible", "EQ4": "Very low", "PR1": "sans objet"},
                        territory="T", date="2024-01-01")
    assert [a.answer(q) for q in ("PR2", "PR3", "PR4", "EQ1", "EQ4")] == ["payment"] * 3 + ["very_low"] * 2
    assert a.answer("PR1") == "not_applicable"
    with pytest.raises(ValidationError) as err:
        make_assessment({"PR2": "Paiement par pigeon"}, territory="T", date="2024-01-01")
    assert "Paiement par pigeon" in str(err.value)


def test_scoring_errors_in_french(tmp_path):
    from egovkit import settings

    path = write_template(tmp_path / "t.csv", territory="Town", date="2024-03-01", lang="fr")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.loc[df["id_question"] == "PR2", "réponse"] = "Paiement par pigeon"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    before = settings.language
    settings.language = "fr"
    try:
        with pytest.raises(ValidationError) as err:
            read_template(path)
    finally:
        settings.language = before
    text = str(err.value)
    assert "n'est pas autorisée" in text and "Paiement en ligne" in text and "payment" not in text, text
