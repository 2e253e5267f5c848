"""Theil T/L decomposition: the parts add up to the totals, and match direct formulas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from egovkit.distribution import kenya_former_provinces, theil_decomposition, theil_l, theil_t
from egovkit.errors import InputError


def _case(seed: int, n: int = 30, groups: str = "abcd") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    den = rng.integers(5, 500, n).astype(float)
    rate = rng.uniform(0.02, 0.8, n)
    return pd.DataFrame({"name": [f"d{i}" for i in range(n)], "num": rate * den, "den": den,
                         "g": rng.choice(list(groups), n)})


@pytest.mark.parametrize("seed", range(5))
def test_identity_and_totals(seed):
    df = _case(seed)
    d = theil_decomposition(df, "g", numerator="num", denominator="den", name="name")
    s = d.summary.set_index("index")
    y, w = (df.num / df.den).to_numpy(), df.den.to_numpy()
    assert s.loc["T", "total"] == pytest.approx(theil_t(y, w), rel=1e-12)
    assert s.loc["L", "total"] == pytest.approx(theil_l(y, w), rel=1e-12)
    for idx in ("T", "L"):
        assert s.loc[idx, "between"] + s.loc[idx, "within"] == pytest.approx(s.loc[idx, "total"], rel=1e-12)
        assert 0 <= s.loc[idx, "share_between"] <= 1
    assert d.districts["contribution_t"].sum() == pytest.approx(s.loc["T", "total"], rel=1e-12)
    assert d.districts["contribution_l"].sum() == pytest.approx(s.loc["L", "total"], rel=1e-12)
    assert d.districts["within_contribution_t"].sum() == pytest.approx(s.loc["T", "within"], rel=1e-12)
    assert d.districts["within_contribution_l"].sum() == pytest.approx(s.loc["L", "within"], rel=1e-12)


def test_group_parts_match_direct_formulas():
    df = _case(42)
    d = theil_decomposition(df, "g", numerator="num", denominator="den")
    mu = df.num.sum() / df.den.sum()
    g = d.groups.set_index("group")
    for name, sub in df.groupby("g"):
        y, w = (sub.num / sub.den).to_numpy(), sub.den.to_numpy()
        W = sub.den.sum() / df.den.sum()
        mg = sub.num.sum() / sub.den.sum()
        sg = W * mg / mu
        assert g.loc[name, "theil_t"] == pytest.approx(theil_t(y, w), rel=1e-12)
        assert g.loc[name, "theil_l"] == pytest.approx(theil_l(y, w), rel=1e-12)
        assert g.loc[name, "within_t"] == pytest.approx(sg * theil_t(y, w), rel=1e-12)
        assert g.loc[name, "between_t"] == pytest.approx(sg * math.log(mg / mu), rel=1e-12)
        assert g.loc[name, "between_l"] == pytest.approx(W * math.log(mu / mg), rel=1e-12)
        assert g.loc[name, "share_pop"] == pytest.approx(W)


def test_groups_equal_inside_means_all_between():
    df = pd.DataFrame({"num": [10, 20, 60, 30], "den": [100, 200, 100, 50], "g": list("aabb")})
    s = theil_decomposition(df, "g", numerator="num", denominator="den").summary.set_index("index")
    assert s.loc["T", "within"] == pytest.approx(0, abs=1e-15)
    assert s.loc["T", "share_between"] == pytest.approx(1)
    assert s.loc["L", "share_between"] == pytest.approx(1)


def test_single_group_and_single_district_groups_are_reported():
    df = _case(1, n=6, groups="a")
    d = theil_decomposition(df, "g", numerator="num", denominator="den")
    s = d.summary.set_index("index")
    assert s.loc["T", "between"] == pytest.approx(0, abs=1e-15)
    assert d.report.by_code("distribution.single_group")
    df["g2"] = df["name"]
    d2 = theil_decomposition(df, "g2", numerator="num", denominator="den")
    s2 = d2.summary.set_index("index")
    assert s2.loc["T", "within"] == pytest.approx(0, abs=1e-15)
    assert s2.loc["T", "between"] == pytest.approx(s2.loc["T", "total"])
    assert "d0" in d2.report.by_code("distribution.single_district_group")[0].message


def test_zero_rate_keeps_t_and_flags_l():
    df = pd.DataFrame({"name": ["A", "B", "C"], "num": [0, 20, 60], "den": [100, 100, 100], "g": list("aab")})
    d = theil_decomposition(df, "g", numerator="num", denominator="den", name="name")
    s = d.summary.set_index("index")
    assert s.loc["T", "between"] + s.loc["T", "within"] == pytest.approx(s.loc["T", "total"])
    assert math.isnan(s.loc["L", "total"]) and math.isnan(s.loc["L", "within"])
    assert "A" in d.report.by_code("distribution.theil_l_parts_undefined")[0].message


def test_missing_group_names_district():
    df = pd.DataFrame({"name": ["A", "B"], "num": [1, 2], "den": [10, 10], "g": ["x", None]})
    with pytest.raises(InputError, match="no group.*B"):
        theil_decomposition(df, "g", numerator="num", denominator="den", name="name")
    with pytest.raises(InputError, match="no grouping column"):
        theil_decomposition(df, "region", numerator="num", denominator="den")


def test_grouping_as_series():
    df = _case(3)
    a = theil_decomposition(df, "g", numerator="num", denominator="den").summary
    b = theil_decomposition(df, df["g"].rename("grp"), numerator="num", denominator="den").summary
    pd.testing.assert_frame_equal(a, b)


def test_kenya_former_provinces_table():
    p = kenya_former_provinces()
    assert p["county_code"].tolist() == list(range(1, 48))
    counts = p.groupby("province").size().to_dict()
    assert counts == {"Coast": 6, "North Eastern": 3, "Eastern": 8, "Central": 5, "Rift Valley": 14,
                      "Western": 4, "Nyanza": 6, "Nairobi": 1}
    assert p.loc[p.county_code == 23, "county_name"].item() == "TURKANA"


def test_drop_invalid_rows_is_reported():
    df = pd.DataFrame({"name": ["A", "B", "C", "D"], "num": [1, np.nan, 3, 4], "den": [10, 10, 10, 10],
                       "g": list("aabb")})
    with pytest.warns(Warning, match="B"):
        d = theil_decomposition(df, "g", numerator="num", denominator="den", name="name", invalid="drop")
    assert d.districts["area"].tolist() == ["A", "C", "D"]
    assert [i.area for i in d.report.by_code("distribution.dropped_missing_value")] == ["B"]
    with pytest.raises(InputError, match="missing value.*B"):
        theil_decomposition(df, "g", numerator="num", denominator="den", name="name")


def test_grouping_as_a_list_or_misaligned_series():
    df = pd.DataFrame({"n": [1, 2, 3], "d": [10, 10, 10]}, index=[10, 11, 12])
    ref = theil_decomposition(df.assign(g=["a", "b", "a"]), "g", numerator="n", denominator="d").summary
    for by in (["a", "b", "a"], np.array(["a", "b", "a"]), ("a", "b", "a")):
        pd.testing.assert_frame_equal(theil_decomposition(df, by, numerator="n", denominator="d").summary, ref)
    with pytest.raises(InputError, match="not aligned on the table's index.*by.to_numpy"):
        theil_decomposition(df, pd.Series(["a", "b", "a"]), numerator="n", denominator="d")
    with pytest.raises(InputError, match="2 value.*3 district"):
        theil_decomposition(df, ["a", "b"], numerator="n", denominator="d")


def test_single_district_group_is_a_warning_naming_it():
    df = pd.DataFrame({"name": ["A", "B", "C"], "n": [1, 2, 3], "d": [10, 10, 10], "g": ["x", "x", "alone"]})
    report = theil_decomposition(df, "g", numerator="n", denominator="d").report
    issues = report.by_code("distribution.single_district_group")
    assert [(i.severity, i.area) for i in issues] == [("warning", "C")] and "'alone'" in issues[0].message
