"""The ``egovkit assess`` sub-commands: what a user reads (bands, provisional scores, French)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from egovkit.cli import app
from egovkit.diagnosis import example_assessments, make_assessment, write_template

runner = CliRunner()


def test_score_says_a_band_on_few_answers_is_provisional(tmp_path):
    a = make_assessment({"EQ1": "high", "PR1": "end_to_end"}, territory="Town", date="2024-05-01")
    path = write_template(tmp_path / "few.csv", prefill=a)
    res = runner.invoke(app, ["assess", "score", str(path)])
    assert res.exit_code == 0, res.output
    assert "overall 1.00 (very high, provisional)" in res.output
    assert "Provisional: only 6%" in res.output
    res = runner.invoke(app, ["assess", "score", str(path), "--lang", "fr"])
    assert "ensemble 1,00 (très élevé, provisoire)" in res.output
    assert "Provisoire" in res.output


def test_score_in_french_uses_band_labels_and_decimal_comma(tmp_path):
    a = example_assessments()[-1]
    path = write_template(tmp_path / "ex.csv", prefill=a)
    res = runner.invoke(app, ["assess", "score", str(path), "--lang", "fr"])
    assert res.exit_code == 0, res.output
    assert "ensemble 0,55 (élevé)" in res.output
    assert "very_high" not in res.output and "_" not in res.output.split("\n", 1)[1].split("premières")[0]
    assert "Démarches en ligne" in res.output and "premières actions" in res.output


@pytest.mark.parametrize("lang, words", [("en", ["territory and assessment_date", "--territory"]),
                                         ("fr", ["« territoire » et « date_évaluation »", "--territory"])])
def test_template_without_territory_says_what_to_fill(tmp_path, lang, words):
    path = tmp_path / "t.csv"
    res = runner.invoke(app, ["assess", "template", str(path), "--lang", lang])
    assert res.exit_code == 0, res.output
    for w in words:
        assert w in res.output
    # filling the two columns as told is enough for the file to be scored
    from egovkit.diagnosis.template import COLUMN_LABELS_FR

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    name = (lambda c: COLUMN_LABELS_FR[c]) if lang == "fr" else (lambda c: c)
    res = runner.invoke(app, ["assess", "score", str(path)])
    # the error names the column as the file writes it (territoire in a French template)
    assert res.exit_code != 0 and f"{name('territory')} is blank" in res.output + str(res.exception)
    df[name("territory")] = "Town"
    df[name("assessment_date")] = "2024-05-01"
    df.loc[df[name("question_id")] == "PR2", name("answer")] = "payment"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    res = runner.invoke(app, ["assess", "score", str(path)])
    assert res.exit_code == 0, res.output


def test_template_with_territory_and_date_says_nothing_more(tmp_path):
    res = runner.invoke(app, ["assess", "template", str(tmp_path / "t.csv"), "--territory", "T", "--date",
                              "2024-01-01"])
    assert res.exit_code == 0 and "to fill in" not in res.output
