"""The ``egovkit assess`` sub-commands: what a user reads (bands, provisional scores, French)."""

from __future__ import annotations

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
