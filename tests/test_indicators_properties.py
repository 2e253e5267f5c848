"""Property-based tests (hypothesis) of egovkit.indicators: aggregation consistency, interval
properties, MOE formulas, composite-index dominance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egovkit.indicators import (
    aggregate,
    composite_index,
    compute_rates,
    moe_proportion,
    moe_ratio,
    significantly_different,
    wilson_interval,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def long_tables(draw, with_moe=False):
    n = draw(st.integers(2, 12))
    inds = draw(st.lists(st.sampled_from(["internet", "computer", "tv", "mobile_phone"]), min_size=1,
                         max_size=3, unique=True))
    rows = []
    for i in range(n):
        hh = draw(st.integers(1, 10_000))
        persons = draw(st.integers(1, 40_000))
        for ind in inds:
            den = persons if ind == "mobile_phone" else hh
            num = draw(st.integers(0, den))
            row = {"area_code": f"{i:03d}", "area_name": f"D{i}", "indicator": ind,
                   "numerator": float(num), "denominator": float(den)}
            if with_moe:
                row["numerator_moe"] = float(draw(st.integers(0, 500)))
                row["denominator_moe"] = float(draw(st.integers(0, 500)))
            rows.append(row)
    groups = {f"{i:03d}": draw(st.sampled_from(["g1", "g2", "g3"])) for i in range(n)}
    return pd.DataFrame(rows), groups


@FAST
@given(long_tables())
def test_aggregate_equals_direct_sums_and_is_associative(data):
    long, groups = data
    by_group = aggregate(long, groups)
    for (grp, ind), sub in by_group.set_index(["area_name", "indicator"]).iterrows():
        members = long[(long["area_code"].map(groups) == grp) & (long["indicator"] == ind)]
        assert sub["numerator"] == members["numerator"].sum()
        assert sub["denominator"] == members["denominator"].sum()
        # share = denominator-weighted mean of the district shares
        w = members["denominator"]
        assert sub["share"] == pytest.approx(np.average(members["numerator"] / w, weights=w))
    whole = aggregate(long).set_index("indicator")
    again = aggregate(by_group).set_index("indicator")  # aggregate of the parts
    for ind in whole.index:
        assert again.loc[ind, "numerator"] == whole.loc[ind, "numerator"]
        assert again.loc[ind, "share"] == pytest.approx(whole.loc[ind, "share"])
        assert whole.loc[ind, "universe"] == ("persons" if ind == "mobile_phone" else "households")


@FAST
@given(long_tables(with_moe=True))
def test_aggregate_moe_associative(data):
    long, groups = data
    whole = aggregate(long).set_index("indicator")
    again = aggregate(aggregate(long, groups)).set_index("indicator")
    for ind in whole.index:
        assert again.loc[ind, "numerator_moe"] == pytest.approx(whole.loc[ind, "numerator_moe"])
        assert again.loc[ind, "share_moe90"] == pytest.approx(whole.loc[ind, "share_moe90"], nan_ok=True)


@FAST
@given(st.integers(1, 5000), st.data(), st.sampled_from([0.80, 0.90, 0.95, 0.99]))
def test_wilson_contains_estimate_and_narrows(n, data, conf):
    x = data.draw(st.integers(0, n))
    p = x / n
    lo, hi = wilson_interval(p, n, conf)
    assert 0 <= lo <= p + 1e-12 and p - 1e-12 <= hi <= 1
    lo4, hi4 = wilson_interval(p, 4 * n, conf)
    assert hi4 - lo4 <= hi - lo + 1e-12
    lo_w, hi_w = wilson_interval(p, n, min(conf + 0.009, 0.999))
    assert hi_w - lo_w >= hi - lo - 1e-12


@FAST
@given(st.integers(1, 10**6), st.data())
def test_moe_proportion_not_above_ratio(den, data):
    num = data.draw(st.integers(0, den))
    mn = data.draw(st.floats(0, 1e4))
    md = data.draw(st.floats(0, 1e4))
    prop = moe_proportion(num, den, mn, md)
    assert prop <= moe_ratio(num, den, mn, md) + 1e-12
    assert moe_proportion(num, den, mn, 0.0) == pytest.approx(mn / den)


@FAST
@given(st.floats(0, 1), st.floats(0, 0.2), st.floats(0, 1), st.floats(0, 0.2))
def test_significance_symmetric_and_matches_formula(p1, m1, p2, m2):
    a = significantly_different(p1, m1, p2, m2)
    assert a == significantly_different(p2, m2, p1, m1)
    se = np.hypot(m1 / 1.645, m2 / 1.645)
    assert a == bool(abs(p1 - p2) > 1.645 * se)


@FAST
@given(st.integers(3, 10), st.integers(1, 4), st.data())
def test_dominating_district_ranks_higher(n, k, data):
    inds = ["internet", "computer", "tv", "radio"][:k]
    shares = np.array([[data.draw(st.floats(0.01, 0.9)) for _ in range(k)] for _ in range(n)])
    # district 0 is made strictly better than district 1 on every indicator
    shares[0] = np.minimum(shares[1] + data.draw(st.floats(0.01, 0.09)), 0.99)
    rows = [{"area_code": str(i), "area_name": f"D{i}", "indicator": ind, "share": shares[i, j]}
            for i in range(n) for j, ind in enumerate(inds)]
    rates = pd.DataFrame(rows)
    weights = data.draw(st.lists(st.floats(0.01, 10), min_size=k, max_size=k))
    for method in ("minmax", "zscore", "share"):
        ci = composite_index(rates, weights=weights, method=method).set_index("area_name")
        assert ci.loc["D0", "composite_index"] > ci.loc["D1", "composite_index"] - 1e-9
        assert ci.loc["D0", "rank"] <= ci.loc["D1", "rank"]


@FAST
@given(long_tables())
def test_rates_share_times_denominator_is_numerator(data):
    long, _ = data
    r = compute_rates(long)
    assert np.allclose(r["share"] * r["denominator"], r["numerator"])
    assert r["pct"].between(0, 100).all()


def test_significance_does_not_underflow_on_tiny_margins():
    # found by hypothesis: sqrt(a**2 + b**2) underflowed to 0 and called 2.6e-219 vs 0 significant
    tiny = 2.6307927257991754e-219
    assert significantly_different(0.0, 0.0, tiny, tiny) is False
