"""Weighted inequality statistics against direct formulas and known extremes."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from egovkit.distribution import (
    coefficient_of_variation,
    inequality,
    lorenz_curve,
    theil_l,
    theil_t,
    weighted_gini,
    weighted_quantile,
)
from egovkit.errors import EgovkitWarning, InputError
from egovkit.validate import ValidationReport


def _stats(df, **kw) -> pd.Series:
    return inequality(df, **kw).set_index("statistic")["value"]


def _random_case(seed: int, n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    den = rng.integers(1, 60, n)
    num = rng.binomial(den, rng.uniform(0.05, 0.9, n))
    num[num == 0] = 1  # keep Theil L defined
    return pd.DataFrame({"name": [f"d{i}" for i in range(n)], "num": num, "den": den})


# -- direct (slow, obvious) formulas --------------------------------------------------------------

def _gini_households(num, den) -> float:
    """Gini over individual households, each carrying its district's rate (mean |difference| / 2 mean)."""
    x = np.repeat(np.asarray(num, float) / np.asarray(den, float), np.asarray(den, int))
    diff = np.abs(x[:, None] - x[None, :]).mean()
    return float(diff / (2 * x.mean()))


def _theil_t_households(num, den) -> float:
    x = np.repeat(np.asarray(num, float) / np.asarray(den, float), np.asarray(den, int))
    mu = x.mean()
    return float(sum((v / mu) * math.log(v / mu) for v in x if v > 0) / len(x))


def _theil_l_households(num, den) -> float:
    x = np.repeat(np.asarray(num, float) / np.asarray(den, float), np.asarray(den, int))
    mu = x.mean()
    return float(sum(math.log(mu / v) for v in x) / len(x))


@pytest.mark.parametrize("seed", range(6))
def test_matches_household_level_formulas(seed):
    df = _random_case(seed)
    s = _stats(df, numerator="num", denominator="den", name="name")
    assert s["gini"] == pytest.approx(_gini_households(df.num, df.den), abs=1e-12)
    assert s["theil_t"] == pytest.approx(_theil_t_households(df.num, df.den), abs=1e-12)
    assert s["theil_l"] == pytest.approx(_theil_l_households(df.num, df.den), abs=1e-12)
    x = np.repeat(df.num / df.den, df.den)
    assert s["share_territory"] == pytest.approx(df.num.sum() / df.den.sum())
    assert s["cv"] == pytest.approx(x.std(ddof=0) / x.mean())
    p90 = np.quantile(x, 0.9, method="inverted_cdf")
    p10 = np.quantile(x, 0.1, method="inverted_cdf")
    assert s["p90_p10_ratio"] == pytest.approx(p90 / p10)
    rate = df.num / df.den
    assert s["max_min_ratio"] == pytest.approx(rate.max() / rate.min())
    mu = df.num.sum() / df.den.sum()
    assert s["share_pop_below_territory"] == pytest.approx(df.den[rate < mu].sum() / df.den.sum())
    assert s["share_pop_below_half_territory"] == pytest.approx(df.den[rate < mu / 2].sum() / df.den.sum())


def test_weighted_quantile_matches_numpy_inverted_cdf():
    rng = np.random.default_rng(3)
    for _ in range(20):
        y = rng.uniform(0, 1, 9).round(2)
        c = rng.integers(1, 9, 9)
        for q in (0.1, 0.25, 0.5, 0.9):
            assert weighted_quantile(y, c, q) == np.quantile(np.repeat(y, c), q, method="inverted_cdf")


def test_equal_rates_give_zero():
    df = pd.DataFrame({"num": [10, 40, 3], "den": [100, 400, 30]})
    s = _stats(df, numerator="num", denominator="den")
    for k in ("gini", "theil_t", "theil_l", "cv"):
        assert s[k] == pytest.approx(0, abs=1e-12)
    assert s["max_min_ratio"] == pytest.approx(1)
    assert s["p90_p10_ratio"] == pytest.approx(1)
    assert s["share_pop_below_territory"] == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("wk", [0.1, 0.25, 0.5])
def test_all_in_one_district_gives_known_maximum(wk):
    # district k holds the whole numerator; the others have rate 0
    n_other = 4
    den = np.array([wk] + [(1 - wk) / n_other] * n_other) * 1000
    y = np.array([1.0] + [0.0] * n_other)
    assert weighted_gini(y, den) == pytest.approx(1 - wk)
    assert theil_t(y, den) == pytest.approx(math.log(1 / wk))
    assert math.isnan(theil_l(y, den))
    df = pd.DataFrame({"name": list("kabcd"), "rate": y, "hh": den})
    rep = ValidationReport()
    t = inequality(df, share="rate", weight="hh", name="name", report=rep).set_index("statistic")
    assert math.isnan(t.loc["theil_l", "value"])
    assert "a, b, c, d" in t.loc["theil_l", "note"]
    assert t.loc["max_min_ratio", "value"] == math.inf
    assert rep.by_code("distribution.theil_l_undefined")


def test_unweighted_differs_and_equals_equal_weights():
    df = pd.DataFrame({"num": [1, 90], "den": [10, 100]})
    w = _stats(df, numerator="num", denominator="den")
    u = _stats(df, numerator="num", denominator="den", weighted=False)
    assert u["gini"] == pytest.approx(weighted_gini(np.array([0.1, 0.9]), np.array([1, 1])))
    assert u["gini"] != pytest.approx(w["gini"])
    assert u["share_territory"] == pytest.approx(0.5)


def test_share_weight_and_indicator_inputs_agree():
    df = _random_case(11)
    df["numerator_internet"] = df["num"]
    df["denominator_internet"] = df["den"]
    df["rate"] = df["num"] / df["den"]
    a = _stats(df, numerator="num", denominator="den")
    b = _stats(df, share="rate", weight="den")
    c = _stats(df, indicator="internet")
    pd.testing.assert_series_equal(a, b)
    pd.testing.assert_series_equal(a, c)


def test_threshold():
    df = pd.DataFrame({"num": [5, 20, 50], "den": [100, 100, 200]})
    s = _stats(df, numerator="num", denominator="den", threshold=0.2)
    assert s["share_pop_below_threshold"] == pytest.approx(0.25)
    with pytest.raises(InputError, match="threshold"):
        inequality(df, numerator="num", denominator="den", threshold=20)


def test_lorenz_curve_area_gives_gini():
    df = _random_case(5)
    lc = lorenz_curve(df, numerator="num", denominator="den")
    assert lc[["share_pop_cum", "share_numerator_cum"]].iloc[0].tolist() == [0, 0]
    assert lc["share_pop_cum"].iloc[-1] == pytest.approx(1)
    assert lc["share_numerator_cum"].iloc[-1] == pytest.approx(1)
    x, yv = lc["share_pop_cum"].to_numpy(), lc["share_numerator_cum"].to_numpy()
    area = float(np.sum((x[1:] - x[:-1]) * (yv[1:] + yv[:-1]) / 2))
    assert 1 - 2 * area == pytest.approx(_gini_households(df.num, df.den), abs=1e-12)
    assert (np.diff(yv) >= -1e-15).all()


def test_array_helpers():
    assert coefficient_of_variation([0.2, 0.2], [1, 5]) == 0
    with pytest.raises(InputError):
        weighted_gini([0.1, np.nan], [1, 1])


# -- bad input ------------------------------------------------------------------------------------

def test_missing_rate_names_the_district():
    df = pd.DataFrame({"name": ["Kibra", "Lamu", "Embu"], "rate": [0.1, np.nan, 0.3], "hh": [10, 20, 30]})
    with pytest.raises(InputError, match="Lamu") as e:
        inequality(df, share="rate", weight="hh", name="name")
    assert "rate" in str(e.value) and "invalid='drop'" in str(e.value)


def test_drop_is_reported_not_silent():
    df = pd.DataFrame({"name": ["Kibra", "Lamu", "Embu"], "rate": [0.1, np.nan, 0.3], "hh": [10, 20, 0]})
    rep = ValidationReport()
    with pytest.warns(EgovkitWarning, match="Lamu"):
        s = inequality(df, share="rate", weight="hh", name="name", invalid="drop", report=rep)
    assert s.set_index("statistic").loc["n_districts", "value"] == 1
    dropped = rep.to_frame()
    assert sorted(dropped.loc[dropped.action == "dropped", "area"]) == ["Embu", "Lamu"]


def test_zero_denominator():
    df = pd.DataFrame({"name": ["A", "B"], "n": [0, 3], "d": [0, 10]})
    with pytest.raises(InputError, match="zero denominator.*A"):
        inequality(df, numerator="n", denominator="d", name="name")


def test_percent_given_as_share():
    df = pd.DataFrame({"rate": [12.0, 30.5], "hh": [10, 20]})
    with pytest.raises(InputError, match="percentage"):
        inequality(df, share="rate", weight="hh")


def test_numerator_above_denominator_and_missing_columns():
    df = pd.DataFrame({"name": ["A", "B"], "n": [12, 3], "d": [10, 10]})
    with pytest.raises(InputError, match="numerator larger.*A"):
        inequality(df, numerator="n", denominator="d", name="name")
    with pytest.raises(InputError, match="no column 'x'"):
        inequality(df, numerator="x", denominator="d")
    with pytest.raises(InputError, match="weight="):
        inequality(df, share="n")
    with pytest.raises(InputError, match="say which columns"):
        inequality(df)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inequality(df.assign(n=[1, 2]), numerator="n", denominator="d")


def test_equal_rates_are_not_below_the_territory():
    # 0.37 in every district: the weighted mean is 0.37000000000000005, not below-worthy
    s = _stats(pd.DataFrame({"r": [0.37] * 3, "d": [238.5, 83.25, 470.75]}), share="r", weight="d", threshold=0.37)
    assert s["share_pop_below_territory"] == 0 and s["share_pop_below_threshold"] == 0
    # every rate is exactly 5 % as counts; float division leaves the mean a hair above
    s = _stats(pd.DataFrame({"n": [1920, 4110, 1150, 2400, 1635], "d": [38400, 82200, 23000, 48000, 32700]}),
               numerator="n", denominator="d")
    assert s["share_pop_below_territory"] == 0 and s["gini"] == pytest.approx(0, abs=1e-12)
    # a real difference, however small, still counts
    s = _stats(pd.DataFrame({"n": [49999, 50001], "d": [100000, 100000]}), numerator="n", denominator="d")
    assert s["share_pop_below_territory"] == 0.5


def test_duplicate_index_is_a_clear_error():
    df = pd.DataFrame({"name": ["a", "b", "c"], "n": [1, 2, 3], "d": [10, 10, 10]}, index=[0, 1, 1])
    with pytest.raises(InputError, match=r"duplicate labels \(1\) for b, c.*reset_index"):
        inequality(df, numerator="n", denominator="d")
