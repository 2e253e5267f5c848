"""Cohen's kappa against hand-computed cases, and the comparison of two assessors."""

from __future__ import annotations

import math

import pytest

from egovkit.diagnosis import cohen_kappa, compare_assessors, confusion_matrix, make_assessment


def _from_table(table: list[list[int]], cats: list[str]) -> tuple[list[str], list[str]]:
    a, b = [], []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            a += [cats[i]] * n
            b += [cats[j]] * n
    return a, b


def test_kappa_2x2_hand_computed():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4
    a, b = _from_table([[20, 5], [10, 15]], ["yes", "no"])
    assert confusion_matrix(a, b, ["yes", "no"]).values.tolist() == [[20, 5], [10, 15]]
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_kappa_3x3_hand_computed():
    # n = 50, diagonal 39 -> p_o = 0.78; rows 15,15,20; columns 13,15,22
    # p_e = (15*13 + 15*15 + 20*22) / 2500 = 0.344; kappa = 0.436 / 0.656 = 109/164
    cats = ["low", "mid", "high"]
    a, b = _from_table([[10, 2, 3], [1, 12, 2], [2, 1, 17]], cats)
    assert cohen_kappa(a, b, categories=cats) == pytest.approx(109 / 164)
    # linear weights: sum w*O = 6*0.5 + 5*1 = 8; sum w*E = 21*0.5 + 11.8 = 22.3 -> 1 - 8/22.3
    assert cohen_kappa(a, b, categories=cats, weights="linear") == pytest.approx(1 - 8 / 22.3)
    # quadratic: sum w*O = 6*0.25 + 5 = 6.5; sum w*E = 21*0.25 + 11.8 = 17.05
    assert cohen_kappa(a, b, categories=cats, weights="quadratic") == pytest.approx(1 - 6.5 / 17.05)


def test_kappa_limits():
    assert cohen_kappa(list("abcab"), list("abcab")) == 1.0
    assert cohen_kappa(["y", "n"], ["n", "y"]) == pytest.approx(-1.0)
    assert math.isnan(cohen_kappa(["y", "y"], ["y", "y"]))  # chance agreement is already 1
    assert math.isnan(cohen_kappa([], []))


def test_kappa_bad_input():
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="not in the categories"):
        cohen_kappa(["a", "z"], ["a", "b"], categories=["a", "b"])


def test_compare_assessors():
    base = {"PE4": "yes", "DA5": "no", "CO6": "yes", "PR1": "form", "PR2": "payment", "FR4": "known"}
    other = dict(base, DA5="yes", PR1="submission")
    other.pop("FR4")
    other["FR5"] = "used"
    x = make_assessment(base, territory="T", date="2024-01-01", assessor="A")
    y = make_assessment(other, territory="T", date="2024-01-01", assessor="B")
    g = compare_assessors(x, y)
    assert g.n_compared == 5
    assert g.agreement_rate == pytest.approx(3 / 5)
    scale = {"PE4": "yes_no", "DA5": "yes_no", "CO6": "yes_no", "PR1": "procedure_ladder", "PR2": "procedure_ladder"}
    a = [f"{scale[k]}:{base[k]}" for k in scale]
    b = [f"{scale[k]}:{other[k]}" for k in scale]
    assert g.kappa == pytest.approx(cohen_kappa(a, b))
    assert sorted(g.disagreements["question_id"]) == ["DA5", "PR1"]
    row = g.disagreements.set_index("question_id").loc["PR1"]
    assert (row["answer_a"], row["answer_b"], row["score_a"], row["score_b"]) == ("form", "submission", 0.4, 0.6)
    assert sorted(g.only_one["question_id"]) == ["FR4", "FR5"]
    by = g.kappa_by_dimension.set_index("dimension")
    assert by.loc["procedures", "agreement_rate"] == pytest.approx(0.5)


def test_pooled_kappa_keeps_scales_apart():
    """'none' on the coverage scale and 'none' on the participation ladder are different categories."""
    # A: EQ8 none (coverage4), CO3 consultation; B: EQ8 some, CO3 none (participation_ladder)
    x = make_assessment({"EQ8": "none", "CO3": "consultation", "PE4": "yes"}, territory="T", date="2024-01-01")
    y = make_assessment({"EQ8": "some", "CO3": "none", "PE4": "yes"}, territory="T", date="2024-01-01")
    g = compare_assessors(x, y)
    # categories coverage4:none, coverage4:some, participation_ladder:consultation, participation_ladder:none,
    # yes_no:yes; p_o = 1/3; p_e = 1/9 (only yes_no:yes is shared) -> kappa = (1/3 - 1/9) / (8/9) = 0.25
    assert g.kappa == pytest.approx(0.25)
    merged = cohen_kappa(["none", "consultation", "yes"], ["some", "none", "yes"])
    assert merged != pytest.approx(0.25)                      # what merging the codes gave
