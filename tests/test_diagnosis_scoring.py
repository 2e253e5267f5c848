"""Questionnaire, answers checking, auto-fill, scoring and banding (egovkit.diagnosis)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import yaml

from egovkit.diagnosis import (
    NOT_APPLICABLE,
    autofill_equipment,
    band_of,
    compare_assessments,
    load_questionnaire,
    make_assessment,
    score_assessment,
)
from egovkit.diagnosis.questionnaire import DEFAULT_QUESTIONNAIRE
from egovkit.errors import InputError, ValidationError

SPEC = yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))


def _num(x) -> float:
    return float(Fraction(x)) if isinstance(x, str) else float(x)


def test_questionnaire_covers_the_issue():
    q = load_questionnaire()
    assert q.version == SPEC["version"]
    assert set(q.dimensions["dimension"]) == {"equipment", "procedures", "data", "people", "participation", "framework"}
    # every LOSI criterion is informed by at least two questions, every question maps to one
    crits = pd.Series([c for t in q.questions["losi"] for c in t]).value_counts()
    assert set(crits.index) == set(SPEC["losi_criteria"]) and crits.min() >= 2
    assert all(len(t) >= 1 for t in q.questions["losi"])
    # the procedure ladder of the issue, in order
    assert q.allowed_answers("PR1") == ["not_online", "information", "form", "submission", "payment",
                                        "end_to_end", NOT_APPLICABLE]
    assert q.allowed_answers("CO3") == ["none", "information", "consultation", "decision"]
    # bilingual labels everywhere
    assert q.questions["fr"].str.len().min() > 5 and q.dimensions["fr"].str.len().min() > 5


@pytest.mark.parametrize("score, band", [(0.0, "low"), (0.2499999, "low"), (0.25, "middle"), (0.4999, "middle"),
                                         (0.5, "high"), (0.74999, "high"), (0.75, "very_high"), (1.0, "very_high")])
def test_bands_follow_losi_levels(score, band):
    assert band_of(score) == band
    assert band_of(score, load_questionnaire()) == band


def test_band_rejects_out_of_range():
    with pytest.raises(ValueError):
        band_of(1.2)


def _direct_scores(answers: dict[str, str]) -> tuple[dict[str, float], float]:
    """Dimension and overall scores computed straight from the YAML, independently of egovkit."""
    scales = {k: dict(zip(v["answers"], map(_num, v["scores"]))) for k, v in SPEC["scales"].items()}
    dims = {}
    for d in SPEC["dimensions"]:
        num = den = 0.0
        for qq in SPEC["questions"]:
            a = answers.get(qq["id"], "")
            if qq["dimension"] != d["id"] or a in ("", NOT_APPLICABLE):
                continue
            w = float(qq.get("weight", 1))
            num += w * scales[qq["scale"]][a]
            den += w
        dims[d["id"]] = num / den if den else np.nan
    ok = {k: v for k, v in dims.items() if not np.isnan(v)}
    w = {d["id"]: float(d.get("weight", 1)) for d in SPEC["dimensions"]}
    overall = sum(w[k] * v for k, v in ok.items()) / sum(w[k] for k in ok)
    return dims, overall


@pytest.mark.parametrize("seed", range(6))
def test_scores_match_direct_formula(seed):
    rng = np.random.default_rng(seed)
    q = load_questionnaire()
    answers = {}
    for qid in q.questions["question_id"]:
        allowed = q.allowed_answers(qid) + [""]  # blank = unanswered
        answers[qid] = str(rng.choice(allowed))
    r = score_assessment(make_assessment(answers, territory="T", date="2024-05-01"))
    dims, overall = _direct_scores(answers)
    for d, v in dims.items():
        got = r.dimension_score(d)
        assert (np.isnan(v) and np.isnan(got)) or got == pytest.approx(v, abs=1e-9)
    assert r.overall == pytest.approx(overall, abs=1e-9)
    assert r.overall_band == band_of(overall)
    assert r.share_answered == pytest.approx(np.mean([a != "" for a in answers.values()]))


def test_losi_criterion_scores_are_weighted_means_of_mapped_questions():
    q = load_questionnaire()
    ans = {"FR1": "obtained", "FR4": "known", "PE4": "no", "PR2": "payment"}
    r = score_assessment(make_assessment(ans, territory="T", date="2024-05-01"))
    inst = r.losi.set_index("criterion").loc["institutional_framework"]
    # FR1 (w2, 1.0), FR4 (w1, 0.5), PE4 (w1, 0) are mapped to institutional framework
    assert inst["score"] == pytest.approx((2 * 1.0 + 0.5 + 0.0) / 4)
    assert inst["n_scored"] == 3
    serv = r.losi.set_index("criterion").loc["services_provision", "score"]
    assert serv == pytest.approx(0.8)
    assert q.score("PR2", "payment") == 0.8


def test_not_applicable_and_blank_are_left_out():
    a = make_assessment({"PR1": "end_to_end", "PR3": "N/A", "PR4": ""}, territory="T", date="2024-05-01")
    r = score_assessment(a)
    assert r.dimension_score("procedures") == 1.0
    d = r.dimensions.set_index("dimension").loc["procedures"]
    assert (d["n_scored"], d["n_not_applicable"], d["n_unanswered"]) == (1, 1, 5)
    assert a.answer("PR3") == NOT_APPLICABLE
    # dimensions with nothing answered are reported and left out of the overall score
    assert len(r.report.by_code("diagnosis.dimension_not_scored")) == 5
    assert r.overall == 1.0


def test_bad_answers_name_question_and_allowed_answers():
    with pytest.raises(ValidationError) as e:
        make_assessment({"PR2": "sometimes", "XX9": "yes", "CO4": "decision"}, territory="T", date="2024-05-01")
    msg = str(e.value)
    assert "PR2" in msg and "sometimes" in msg
    assert "not_online, information, form, submission, payment, end_to_end, not_applicable" in msg
    assert "XX9" in msg
    # not_applicable only where allowed
    with pytest.raises(ValidationError, match="CO4"):
        make_assessment({"CO4": "not_applicable"}, territory="T", date="2024-05-01")


def test_bad_date_and_duplicates():
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        make_assessment({"PR2": "form"}, territory="T", date="last spring")
    df = pd.DataFrame({"question_id": ["PR2", "PR2"], "answer": ["form", "payment"]})
    with pytest.raises(ValidationError, match="answered 2 times"):
        make_assessment(df, territory="T", date="2024-05-01")


def test_normalised_spellings_are_reported():
    a = make_assessment({"PR2": " End to end ", "FR3": "Allowed-not-used"}, territory="T", date="2024-05-01")
    assert a.answer("PR2") == "end_to_end" and a.answer("FR3") == "allowed_not_used"
    assert len(a.report.by_code("diagnosis.answer_normalised")) == 2


def _direct_auto(value: float, cuts: list[float], direction: str, answers: list[str]) -> str:
    if direction == "higher":
        return answers[sum(value >= c for c in cuts)]
    return answers[len(answers) - 1 - sum(value > c for c in cuts)]


@pytest.mark.parametrize("value", [0.0, 0.049, 0.05, 0.088, 0.10, 0.179, 0.2, 0.25, 0.3, 0.473, 0.5, 0.7, 0.9, 1.0])
def test_autofill_follows_documented_cut_points(value):
    q = load_questionnaire()
    figs = {"mobile_phone": value, "smartphone": value, "tablet": value, "computer": value, "internet": value}
    got = autofill_equipment(figs, gini=value, wifi_coverage=value, date="2019-08-24")
    assert set(got["question_id"]) == {"EQ1", "EQ2", "EQ3", "EQ4", "EQ5", "EQ6", "EQ7"}
    spec_q = {qq["id"]: qq for qq in SPEC["questions"]}
    for qid, ans in zip(got["question_id"], got["answer"]):
        auto = spec_q[qid]["auto"]
        assert ans == _direct_auto(value, auto["cuts"], auto["direction"], q.allowed_answers(qid)), qid
    assert (got["evidence_document"] == "computed by egovkit").all()
    assert (got["evidence_date"] == "2019-08-24").all()


def test_autofill_kenya_national_shares_and_merge():
    auto = autofill_equipment({"computer": 0.088, "internet": 0.179, "mobile_phone": 0.473})
    assert dict(zip(auto["question_id"], auto["answer"])) == {"EQ1": "very_low", "EQ4": "very_low", "EQ5": "very_low"}
    a = make_assessment({"EQ8": "some", "EQ4": "high"}, territory="T", date="2024-05-01")
    kept = a.with_answers(auto, overwrite=False)
    assert kept.answer("EQ4") == "high" and kept.answer("EQ5") == "very_low" and kept.answer("EQ8") == "some"
    assert a.with_answers(auto).answer("EQ4") == "very_low"
    # household variants and a DataFrame of shares are accepted
    df = pd.DataFrame({"indicator": ["smartphone_hh", "tablet"], "share": [0.6, 0.2]})
    got = dict(zip(*autofill_equipment(df).loc[:, ["question_id", "answer"]].T.values))
    assert got == {"EQ2": "medium", "EQ3": "medium"}


def test_autofill_rejects_percentages():
    with pytest.raises(InputError, match="divide percentages by 100"):
        autofill_equipment({"internet": 17.9})


def test_progress_between_dates():
    a = make_assessment({"PR3": "form", "CO4": "none", "DA5": "yes"}, territory="T", date="2024-01-01")
    b = make_assessment({"PR3": "payment", "CO4": "decision", "DA5": "yes"}, territory="T", date="2025-01-01")
    p = compare_assessments(a, b)
    d = p.dimensions.set_index("dimension")
    assert d.loc["procedures", "change"] == pytest.approx(0.8 - 0.4)
    assert d.loc["participation", "change"] == pytest.approx(1.0)
    assert d.loc["data", "change"] == pytest.approx(0.0)
    ra, rb = score_assessment(a), score_assessment(b)
    assert d.loc["overall", "change"] == pytest.approx(rb.overall - ra.overall)
    assert sorted(p.questions["question_id"]) == ["CO4", "PR3"]
    assert (p.date_before, p.date_after) == ("2024-01-01", "2025-01-01")


def test_docs_mapping_matches_the_questionnaire():
    """docs/diagnosis.md lists each question with its LOSI criteria: it must say what the YAML says."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "diagnosis.md").read_text(encoding="utf-8")
    crit = list(SPEC["losi_criteria"])
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 + len(crit) and cells[0] in {qq["id"] for qq in SPEC["questions"]}:
            rows[cells[0]] = cells
    assert set(rows) == {qq["id"] for qq in SPEC["questions"]}
    for qq in SPEC["questions"]:
        cells = rows[qq["id"]]
        assert cells[1] == qq["dimension"] and cells[3] == f"`{qq['scale']}`"
        assert {c for c, x in zip(crit, cells[5:]) if x == "x"} == set(qq["losi"]), qq["id"]


def test_few_answers_give_a_provisional_band():
    """Two answers of 36 cannot make a 'very high' authority: the band is provisional and said so."""
    from egovkit.errors import EgovkitWarning

    with pytest.warns(EgovkitWarning, match="provisional"):
        r = score_assessment(make_assessment({"EQ1": "high", "PR1": "end_to_end"}, territory="T", date="2024-05-01"))
    assert r.overall == 1.0 and r.overall_band == "very_high"
    assert r.provisional and "provisional" in repr(r)
    d = r.dimensions.set_index("dimension")
    assert d.loc["equipment", "provisional"] and d.loc["procedures", "provisional"]
    assert not d.loc["data", "provisional"]                       # not scored: nothing to mark
    assert r.weakest().empty                                      # no dimension scoring 1.00 is "weakest"
    codes = [i.code for i in r.report.warnings]
    assert codes.count("diagnosis.few_answers") == 3                        # overall + two dimensions
    # the action plan asks to complete the assessment first
    from egovkit.diagnosis import action_plan
    plan = action_plan(r)
    assert plan.loc[0, "action_id"] == "L0" and plan.loc[0, "trigger"] == "answered < 0.5"
    assert "provisional" in plan.loc[0, "finding"]
    # the threshold is a parameter
    r0 = score_assessment(r.assessment, min_share_answered=0.0)
    assert not r0.provisional and not r0.dimensions["provisional"].any()
    with pytest.raises(ValueError):
        score_assessment(r.assessment, min_share_answered=50)


def test_weakest_ranks_only_dimensions_with_enough_answers():
    from egovkit.diagnosis import example_assessments

    r = score_assessment(example_assessments()[0])
    # equipment: only EQ8 answered by hand (1 of 8), score 1/3: provisional, so not the 'weakest'
    d = r.dimensions.set_index("dimension")
    assert d.loc["equipment", "provisional"] and not r.provisional
    assert "equipment" not in set(r.weakest(6)["dimension"])
    assert list(r.weakest(3)["dimension"]) == ["data", "participation", "procedures"]
    assert r.weakest(6)["score"].is_monotonic_increasing


def test_overall_trigger_text():
    from egovkit.diagnosis import action_plan

    r = score_assessment(make_assessment({"PR1": "information", "PR2": "information", "PR3": "form", "PR4": "form",
                                          "PR5": "form", "PR6": "form"}, territory="T", date="2024-05-01"),
                         min_share_answered=0)
    plan = action_plan(r).set_index("action_id")
    assert plan.loc["K3", "trigger"] == "overall < 0.5"


def test_training_question_has_its_own_scale():
    """PE2's text lists unknown / identified / requested / delivered: its answers must be those."""
    q = load_questionnaire()
    pe2 = q.question("PE2")
    assert pe2["scale"] == "training"
    assert q.allowed_answers("PE2") == ["unknown", "identified", "requested", "delivered"]
    for lang, words in (("en", ["unknown", "identified", "requested", "delivered"]),
                        ("fr", ["inconnus", "identifiés", "demandée", "dispensée"])):
        assert all(w in pe2[lang] for w in words), lang
    assert q.score("PE2", "requested") == pytest.approx(2 / 3)
    with pytest.raises(ValidationError, match="PE2"):
        make_assessment({"PE2": "obtained"}, territory="T", date="2024-05-01")   # the funding scale's answer
    assert q.version == "1.1"


@pytest.mark.parametrize("text", ["01/05/2024", "5/1/2024", "2024/05/01", "1 May 2024", "2024-13-01"])
def test_dates_must_be_iso(text):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        make_assessment({"PR2": "form"}, territory="T", date=text)


def test_dates_iso_and_real_date_cells():
    import datetime as dt

    assert make_assessment({"PR2": "form"}, territory="T", date="2024-05-01").date == "2024-05-01"
    assert make_assessment({"PR2": "form"}, territory="T", date=dt.date(2024, 5, 1)).date == "2024-05-01"
    assert make_assessment({"PR2": "form"}, territory="T", date=pd.Timestamp("2024-05-01")).date == "2024-05-01"


def test_invalid_evidence_date_is_a_warning_naming_the_question():
    a = make_assessment({"PR2": {"answer": "form", "evidence_date": "01/05/2024"},
                         "PR3": {"answer": "form", "evidence_date": "2024-05-01"}}, territory="T", date="2024-05-01")
    bad = a.report.by_code("diagnosis.invalid_evidence_date")
    assert len(bad) == 1 and "PR2" in bad[0].message and "01/05/2024" in bad[0].message
    assert bad[0].severity == "warning" and "YYYY-MM-DD" in bad[0].fix


def test_gini_on_a_cut_point_gets_the_better_answer_as_documented():
    from pathlib import Path

    got = dict(zip(*autofill_equipment(gini=0.20).loc[:, ["question_id", "answer"]].T.values))
    auto = dict(zip(*autofill_equipment(gini=0.15)[["question_id", "answer"]].T.values))
    assert got["EQ6"] == "medium" == auto["EQ6"]
    doc = (Path(__file__).resolve().parents[1] / "docs" / "diagnosis.md").read_text(encoding="utf-8")
    assert "a Gini of exactly 0.20 is `medium`" in doc and "goes to the lower answer" not in doc
