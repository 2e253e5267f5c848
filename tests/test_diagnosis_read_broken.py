"""Broken assessment templates and stakeholder registers: an egovkit error naming the file (and
sheet, row, column, question) and the fix, never a traceback; every row accounted for.

The generated files come from ``benchmarks/fuzz_boundaries.py`` (its long run prints the counts
over thousands of files); here a bounded number of examples runs in ``make test``.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from egovkit.cli import app
from egovkit.diagnosis import (
    make_assessment,
    read_assessments,
    read_register,
    read_template,
    score_assessment,
    write_register,
    write_template,
)
from egovkit.diagnosis.stakeholders import make_register
from egovkit.errors import EgovkitError, EgovkitWarning, InputError, ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from fuzz_boundaries import check_questionnaire, check_register, questionnaire_case, register_case  # noqa: E402

runner = CliRunner()
SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


def _template(tmp_path: Path, suffix: str = ".csv", **answers: str) -> Path:
    a = make_assessment(answers or {"PR2": "payment", "EQ1": "high"}, territory="Town", date="2024-05-01")
    return write_template(tmp_path / f"t{suffix}", prefill=a)


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return fn(*args, **kw)


# -- generated files ---------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
@given(st.randoms(use_true_random=False))
def test_generated_assessment_files_never_crash_nor_lose_rows(tmp_path_factory, rng):
    case = questionnaire_case(rng)
    out = check_questionnaire(case, tmp_path_factory.mktemp("q"))
    assert out.kind != "crash", f"{case.kind}: {out.detail}"
    assert not out.error_without_file and out.lost == 0, (case.kind, out)


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_OK)
@given(st.randoms(use_true_random=False))
def test_generated_register_files_never_crash_nor_lose_rows(tmp_path_factory, rng):
    case = register_case(rng)
    out = check_register(case, tmp_path_factory.mktemp("r"))
    assert out.kind != "crash", f"{case.kind}: {out.detail}"
    assert not out.error_without_file and out.lost == 0, (case.kind, out)


# -- assess score inputs -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, payload, match", [
    ("empty.csv", b"", "empty"),
    ("empty.xlsx", b"", "empty"),
    ("binary.csv", b"\x00\x01\x02\xff" * 50, "binary"),
    ("binary.xlsx", b"\x00\x01\x02\xff" * 50, "not an Excel workbook"),
    ("blank.csv", b"  \n \n", "blank"),
    ("cut.xlsx", None, "Excel workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003"),
    ("sheet.ods", b"PK\x03\x04xxxx", "OpenDocument"),
])
def test_unreadable_assessment_files(tmp_path, name, payload, match):
    path = tmp_path / name
    if payload is None:  # an .xlsx cut off in the middle
        payload = _template(tmp_path, ".xlsx").read_bytes()[:1500]
    path.write_bytes(payload)
    with pytest.raises(InputError, match=match) as e:
        read_assessments(path)
    assert name in str(e.value) and "Fix:" in str(e.value)
    res = runner.invoke(app, ["assess", "score", str(path)])
    assert isinstance(res.exception, EgovkitError), res.exception  # main() prints it in one line, exit 2


def test_renamed_workbook_and_csv_say_which_they_are(tmp_path):
    xlsx = _template(tmp_path, ".xlsx")
    as_csv = tmp_path / "answers.csv"
    as_csv.write_bytes(xlsx.read_bytes())
    with pytest.raises(InputError, match=r"Excel workbook.*named \.csv.*rename it answers\.xlsx"):
        read_assessments(as_csv)
    as_xlsx = tmp_path / "answers2.xlsx"
    as_xlsx.write_bytes(_template(tmp_path, ".csv").read_bytes())
    with pytest.raises(InputError, match=r"CSV file named \.xlsx.*rename it answers2\.csv"):
        read_assessments(as_xlsx)


def test_folder_is_an_error(tmp_path):
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(InputError, match="folder"):
        read_assessments(tmp_path / "dir.xlsx")


def test_missing_answers_sheet_names_the_sheets_and_the_fix(tmp_path):
    path = tmp_path / "other.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="notes", index=False)
        pd.DataFrame({"y": [2]}).to_excel(xw, sheet_name="budget", index=False)
    with pytest.raises(InputError, match=r"no sheet 'answers'.*\['notes', 'budget'\]") as e:
        read_assessments(path)
    assert "other.xlsx" in str(e.value) and "Fix:" in str(e.value)


def test_answers_on_a_renamed_sheet_are_read_and_the_guess_reported(tmp_path):
    src = _template(tmp_path, ".xlsx")
    df = pd.read_excel(src, sheet_name="answers", dtype=object)
    path = tmp_path / "renamed.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"about": ["cover"]}).to_excel(xw, sheet_name="cover", index=False)
        df.to_excel(xw, sheet_name="Feuil1", index=False)
    (a,) = _quiet(read_assessments, path)
    assert a.answer("PR2") == "payment"
    assert [i.message for i in a.report.by_code("diagnosis.sheet_guessed")] == [
        "no sheet 'answers'; read sheet 'Feuil1', the first with the columns "
        "['question_id', 'answer', 'territory', 'assessment_date']"]


def test_answer_outside_the_drop_down_names_sheet_row_question_and_choices(tmp_path):
    path = _template(tmp_path, ".xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["answers"]
    head = [c.value for c in ws[1]]
    qcol, acol = head.index("question_id") + 1, head.index("answer") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, qcol).value == "FR2")
    ws.cell(row, acol).value = "we think so"
    wb.save(path)
    with pytest.raises(ValidationError) as e:
        read_assessments(path)
    msg = str(e.value)
    assert "t.xlsx, sheet 'answers'" in msg and f"row {row}" in msg and "FR2" in msg and "we think so" in msg


def test_answer_without_question_id_is_an_error_and_blank_rows_are_noted(tmp_path):
    path = _template(tmp_path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    blank = pd.DataFrame([[""] * len(df.columns)], columns=df.columns)
    df = pd.concat([df.iloc[:3], blank, df.iloc[3:]], ignore_index=True)
    df.to_csv(path, index=False)
    (a,) = _quiet(read_assessments, path)
    assert a.report.row_fate[5] == "dropped" and len(a.report.row_fate) == len(df)
    assert a.report.by_code("diagnosis.row_without_question")[0].row == 5
    df.loc[3, "answer"] = "high"
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"row 5, column question_id: 1 row\(s\) hold an answer but no question_id"):
        read_assessments(path)


def test_latin1_csv_is_read_and_the_guess_reported(tmp_path):
    a = make_assessment({"PR2": "payment"}, territory="Évreux", date="2024-05-01")
    path = write_template(tmp_path / "w.csv", prefill=a)
    text = path.read_text(encoding="utf-8-sig")
    path.write_bytes(text.encode("cp1252", errors="replace"))
    (back,) = _quiet(read_assessments, path)
    assert back.territory == "Évreux" and back.answer("PR2") == "payment"
    assert back.report.by_code("diagnosis.encoding_guessed")


@pytest.mark.parametrize("value, match", [("2024-13-45", "not a real date"), ("45352", "Excel date number"),
                                          ("01/03/2024", "YYYY-MM-DD")])
def test_assessment_dates(tmp_path, value, match):
    path = _template(tmp_path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["assessment_date"] = value
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match=match) as e:
        read_template(path)
    assert "row 2" in str(e.value) and "assessment_date" in str(e.value)


def test_cli_assess_score_on_a_binary_file_prints_one_line(tmp_path):
    path = tmp_path / "scan.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    proc = subprocess.run([sys.executable, "-m", "egovkit", "assess", "score", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "scan.xlsx" in proc.stderr and "Fix:" in proc.stderr


def test_scores_of_a_good_file_are_unchanged_by_the_checks(tmp_path):
    answers = {"PR1": "end_to_end", "PR2": "information", "FR1": "obtained"}
    direct = score_assessment(make_assessment(answers, territory="Town", date="2024-05-01"))
    for suffix in (".csv", ".xlsx"):
        back = _quiet(score_assessment, read_template(_template(tmp_path, suffix, **answers)))
        assert back.overall == pytest.approx(direct.overall)


# -- registers ---------------------------------------------------------------------------------------

def _register():
    return make_register([{"name": "Town hall", "type": "local_authority", "lat": -1.28, "lon": 36.8},
                          {"name": "TelcoX", "type": "telecom_operator"}],
                         [{"source": "Town hall", "target": "TelcoX", "status": "proposed"}])


@pytest.mark.parametrize("name, payload, match", [
    ("r.csv", b"", "empty"),
    ("r.xlsx", b"name,type\nA,ngo\n", "CSV file named .xlsx"),
    ("r.csv", b"PK\x03\x04" + b"\x00" * 40, "Excel workbook.*named .csv"),
    ("r.csv", b"\x00\xff" * 30, "binary"),
    ("r.txt", b"", "empty"),
    ("r.json", b"[]", "format"),
])
def test_unreadable_register_files(tmp_path, name, payload, match):
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(InputError, match=match) as e:
        read_register(path)
    assert name in str(e.value)


def test_register_blank_rows_are_dropped_and_noted(tmp_path):
    path = write_register(_register(), tmp_path / "reg.xlsx")
    df = pd.read_excel(path, sheet_name="stakeholders", dtype=object)
    df = pd.concat([df.iloc[:1], pd.DataFrame([[None] * len(df.columns)], columns=df.columns), df.iloc[1:]],
                   ignore_index=True)
    with pd.ExcelWriter(path) as xw:
        df.to_excel(xw, sheet_name="stakeholders", index=False)
        _register().partnerships.to_excel(xw, sheet_name="partnerships", index=False)
    reg = read_register(path)
    assert list(reg.stakeholders["name"]) == ["Town hall", "TelcoX"]
    assert reg.report.row_fate == {2: "used", 3: "dropped", 4: "used"}
    assert len(reg.partnerships) == 1


@pytest.mark.parametrize("lat, outcome", [("-1,28", -1.28), ("north", "not a number"), ("nan", "not a number"),
                                          ("", None)])
def test_register_coordinates(lat, outcome):
    rows = [{"name": "A", "type": "ngo", "lat": lat, "lon": "36.8" if lat else ""}]
    if isinstance(outcome, str):
        with pytest.raises(InputError, match=f"row 2, column lat.*{outcome}"):
            make_register(rows)
        return
    reg = make_register(rows)
    got = reg.stakeholders["lat"].iloc[0]
    assert (pd.isna(got) and outcome is None) or got == pytest.approx(outcome)


def test_register_half_location_is_reported():
    reg = make_register([{"name": "A", "type": "ngo", "lat": "-1.2"}])
    assert pd.isna(reg.stakeholders["lat"].iloc[0])
    assert reg.report.by_code("diagnosis.half_location")[0].row == 2


def test_partnership_sheet_without_source_names_the_sheet(tmp_path):
    path = tmp_path / "p.xlsx"
    with pd.ExcelWriter(path) as xw:
        _register().stakeholders.to_excel(xw, sheet_name="stakeholders", index=False)
        pd.DataFrame({"from": ["Town hall"], "target": ["TelcoX"]}).to_excel(xw, sheet_name="partnerships",
                                                                            index=False)
    with pytest.raises(InputError, match=r"p.xlsx, sheet 'partnerships'.*'source'"):
        read_register(path)


@pytest.mark.parametrize("text, match", [("", "malformed"), ("a: [", "cannot read"), ("scales: 3", "malformed"),
                                         ("- 1", "malformed")])
def test_broken_questionnaire_yaml_is_an_input_error(tmp_path, text, match):
    from egovkit.diagnosis import load_questionnaire

    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match) as e:
        load_questionnaire(path)
    assert "q.yaml" in str(e.value) and "Fix:" in str(e.value)
