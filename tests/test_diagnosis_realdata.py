"""Auto-fill of the equipment answers from the real Kenya 2019 census figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovkit import diagnosis as dg
from egovkit.errors import InputError

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def kenya(shared_data):
    folder = shared_data / "kenya-census-2019-ict"
    hh = pd.read_csv(folder / "V4_T2.36.csv")
    hh = hh[hh["AdminArea"] == "County"]
    ph = pd.read_csv(folder / "V4_T2.32.csv")
    ph = ph[ph["AdminArea"] == "County"]
    w = hh["ConventionalHouseholds"]
    shares = {"computer": float((hh["DeskTop/Computer/Laptop/Tablet"] / 100 * w).sum() / w.sum()),
              "internet": float((hh["Internet"] / 100 * w).sum() / w.sum()),
              "mobile_phone": float(ph["MPO_Total"].sum() / ph["Total"].sum())}
    return hh, shares


def test_national_shares_reproduce_published_figures(kenya):
    _, s = kenya
    # KNBS Vol IV national rows: 8.8 %, 17.9 % of conventional households; 47.3 % of persons 3+
    assert s["computer"] == pytest.approx(0.088, abs=0.0006)
    assert s["internet"] == pytest.approx(0.179, abs=0.0006)
    assert s["mobile_phone"] == pytest.approx(0.473, abs=0.0006)


def test_autofill_from_kenya(kenya):
    hh, s = kenya
    x = (hh["Internet"] / 100).to_numpy()
    w = hh["ConventionalHouseholds"].to_numpy()
    # household-weighted Gini of county internet shares, by the mean absolute difference formula
    gini = float((w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum()
                 / (2 * w.sum() ** 2 * (x @ w / w.sum())))
    auto = dg.autofill_equipment(s, gini=gini, date="2019-08-24")
    got = dict(zip(auto["question_id"], auto["answer"]))
    # 0.088 < 0.10, 0.179 < 0.25, 0.473 < 0.50: all "very_low"
    assert got["EQ1"] == got["EQ4"] == got["EQ5"] == "very_low"
    assert 0.2 < gini < 0.4
    assert got["EQ6"] == ("low" if gini <= 0.3 else "very_low")
    a = dg.example_assessments()[0].with_answers(auto)
    r = dg.score_assessment(a)
    # EQ1, EQ4, EQ5 score 0, EQ6 as answered, EQ8 "some" = 1/3: mean over the 5 answered questions
    eq6 = dg.load_questionnaire().score("EQ6", got["EQ6"])
    assert r.dimension_score("equipment") == pytest.approx((0 + 0 + 0 + eq6 + 1 / 3) / 5)


def test_autofill_from_the_long_indicator_table(kenya):
    hh, s = kenya
    w = hh["ConventionalHouseholds"]
    long = pd.concat([
        pd.DataFrame({"area_name": hh["County"], "indicator": name, "numerator": hh[col] / 100 * w,
                      "denominator": w})
        for name, col in (("computer", "DeskTop/Computer/Laptop/Tablet"), ("internet", "Internet"))])
    got = dg.autofill_equipment(long)
    ref = dg.autofill_equipment({"computer": s["computer"], "internet": s["internet"]})
    pd.testing.assert_frame_equal(got, ref)
    assert "internet = 0.179" in got.set_index("question_id").loc["EQ5", "comment"]
    with pytest.raises(InputError, match="several shares"):
        dg.autofill_equipment(pd.DataFrame({"indicator": ["internet", "internet"], "share": [0.1, 0.2]}))
