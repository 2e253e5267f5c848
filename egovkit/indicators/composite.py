"""A composite digital-access index and how stable its ranking is.

**Default index** (``composite_index(rates)``): the household-denominated indicators of the
ITU catalogue present in ``rates`` (e.g. computer, internet, tv, radio; for the ACS:
desktop_laptop, smartphone_hh, tablet, internet, broadband), each scaled min-max over the
districts to 0-100 (0 = lowest district, 100 = highest), then averaged with equal weights.
"Negative" indicators (``no_*``, ``*_only``) are left out by default; when listed explicitly
they are reversed (``1 - share``) so that a higher score is always better.

Other normalisations: ``"zscore"`` (mean 0, standard deviation 1 over the districts; the index
is the weighted mean of z-scores, unit = standard deviations) and ``"share"`` (the raw shares,
index = weighted mean percentage, 0-100).

A composite index is a choice, not a measurement: :func:`ranking_stability` draws random
weights (Dirichlet, uniform over the simplex) and tries the other normalisations and
leave-one-indicator-out variants, and reports how much each district's rank moves.

Examples
--------
>>> r = pd.DataFrame({"area_code": list("ABC") * 2, "area_name": list("ABC") * 2,
...                   "indicator": ["computer"] * 3 + ["internet"] * 3, "universe": "households",
...                   "share": [0.1, 0.2, 0.3, 0.2, 0.1, 0.4]})
>>> composite_index(r)["composite_index"].round(1).tolist()
[16.7, 25.0, 100.0]
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..shared.messages import render
from .catalogue import itu_catalogue

METHODS = ("minmax", "zscore", "share")


def _negative(indicator: str) -> bool:
    s = str(indicator).lower()
    return s.startswith(("no_", "none", "without")) or s.endswith("_only")


def default_indicators(rates: pd.DataFrame) -> list[str]:
    """Household-denominated catalogue indicators present in ``rates``, negatives left out.

    Examples
    --------
    >>> default_indicators(pd.DataFrame({"indicator": ["internet", "no_computer", "mobile_phone"]}))
    ['internet']
    """
    cat = itu_catalogue()
    households = set(cat.loc[cat["unit"] == "households", "name"])
    present = list(dict.fromkeys(rates["indicator"].astype(str)))
    return [i for i in present if i in households and not _negative(i)]


def _wide(rates: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    if "share" not in rates.columns:
        raise InputError(code="indicators.no_share_column", column="share")
    absent = [i for i in indicators if i not in set(rates["indicator"].astype(str))]
    if absent:
        raise InputError(code="indicators.indicators_not_in_rates",
                         params={"names": absent, "choices": sorted(rates["indicator"].astype(str).unique())},
                         column="indicator")
    key = ["area_code", "area_name"] if "area_code" in rates.columns else ["area_name"]
    sub = rates[rates["indicator"].isin(indicators)]
    dup = sub.duplicated(key + ["indicator"])
    if dup.any():
        first = sub[dup].iloc[0]
        raise InputError(code="indicators.district_twice", params={"indicator": first["indicator"]},
                         area=str(first["area_name"]))
    wide = sub.pivot(index=key, columns="indicator", values="share")[list(indicators)]
    for ind in indicators:
        if _negative(ind):
            wide[ind] = 1 - wide[ind]
    return wide.astype(float)


def _scale(wide: pd.DataFrame, method: str) -> pd.DataFrame:
    if method == "minmax":
        lo, hi = wide.min(), wide.max()
        span = (hi - lo).replace(0, np.nan)
        # an indicator equal in every district does not discriminate: it scores 50 everywhere.
        return (100 * (wide - lo) / span).fillna(50.0).where(wide.notna())
    if method == "zscore":
        sd = wide.std(ddof=0).replace(0, np.nan)
        return ((wide - wide.mean()) / sd).fillna(0.0).where(wide.notna())
    if method == "share":
        return 100 * wide
    raise InputError(code="indicators.unknown_method", params={"method": method, "methods": list(METHODS)})


def _weights(indicators: Sequence[str], weights: Mapping[str, float] | Sequence[float] | None) -> np.ndarray:
    if weights is None:
        w = np.ones(len(indicators))
    elif isinstance(weights, Mapping):
        missing = [i for i in indicators if i not in weights]
        if missing:
            raise InputError(code="indicators.no_weight", params={"names": missing})
        w = np.array([float(weights[i]) for i in indicators])
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(indicators),):
            raise InputError(code="indicators.weights_length", params={"n": len(w), "total": len(indicators)})
    if (w < 0).any() or w.sum() <= 0:
        raise InputError(code="indicators.weights_sign")
    return w / w.sum()


def composite_index(
    rates: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    method: str = "minmax",
) -> pd.DataFrame:
    """A composite digital-access index per district (higher = better equipped/connected).

    Parameters
    ----------
    rates
        Output of :func:`compute_rates` (one row per district and indicator).
    indicators
        Indicators to combine; default :func:`default_indicators` (household indicators of
        the catalogue, negatives left out). ``no_*``/``*_only`` indicators are reversed.
    weights
        Mapping indicator -> weight or a sequence in the order of ``indicators``; normalised to
        sum to 1. Default: equal weights.
    method
        ``"minmax"`` (default, each indicator scaled 0-100 over the districts), ``"zscore"``
        or ``"share"`` (raw percentages).

    Returns
    -------
    DataFrame
        One row per district: ``area_code, area_name``, one ``score_<indicator>`` column per
        indicator (after scaling), ``composite_index``, ``rank`` (1 = best) and ``rank_of``.
        Districts missing an indicator get no index (NaN, not ranked).
        ``attrs``: ``method``, ``weights``, ``indicators``, ``units``.

    Examples
    --------
    >>> r = pd.DataFrame({"area_code": list("AB") * 2, "area_name": list("AB") * 2,
    ...                   "indicator": ["computer"] * 2 + ["internet"] * 2, "share": [0.1, 0.3, 0.2, 0.4]})
    >>> composite_index(r)["rank"].tolist()
    [2.0, 1.0]
    """
    if method not in METHODS:
        raise InputError(code="indicators.unknown_method", params={"method": method, "methods": list(METHODS)})
    indicators = list(indicators) if indicators is not None else default_indicators(rates)
    if not indicators:
        raise InputError(code="indicators.no_indicator", column="indicator")
    w = _weights(indicators, weights)
    scores = _scale(_wide(rates, indicators), method)
    index = pd.Series(scores.to_numpy() @ w, index=scores.index)  # NaN if any indicator is missing
    out = scores.add_prefix("score_")
    out.columns.name = None
    out["composite_index"] = index
    out["rank"] = out["composite_index"].rank(ascending=False, method="min")
    out["rank_of"] = int(out["composite_index"].notna().sum())
    out = out.reset_index()
    unit = {"minmax": "0-100 (min-max over districts)", "zscore": "standard deviations",
            "share": "pct 0-100 (weighted mean)"}[method]
    out.attrs = {"method": method, "weights": dict(zip(indicators, w.tolist())), "indicators": indicators,
                 "units": {"composite_index": unit, "rank": "1 = best"}}
    return out


def _ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 = highest, along axis 0 (districts), ties get the lowest rank number."""
    return stats.rankdata(-values, axis=0, method="min")


def ranking_stability(
    rates: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    method: str = "minmax",
) -> pd.DataFrame:
    """How much each district's rank in the composite index depends on the weights.

    The reference ranking is ``composite_index(rates, indicators, method=method)`` (equal
    weights). Then ``n_draws`` weight vectors are drawn from a flat Dirichlet distribution
    (every weighting equally likely) and the districts re-ranked under each.

    Parameters
    ----------
    rates
        Output of :func:`compute_rates`.
    indicators
        As in :func:`composite_index`.
    n_draws
        Number of random weightings.
    seed
        Seed of the random generator (the result is reproducible).
    method
        Normalisation used for the draws.

    Returns
    -------
    DataFrame
        One row per district (with all indicators): ``area_code, area_name, composite_index,
        rank`` (reference), ``median_rank``, ``rank_p05``, ``rank_p95``, ``share_top_quintile``
        and ``share_bottom_quintile`` (share of draws in which the district is in the best /
        worst fifth). ``attrs["correlations"]`` is a DataFrame with one row per variant
        (equal weights with ``zscore`` and ``share`` normalisation, each indicator left out,
        and the random draws: median and 5th percentile over draws) and its ``spearman`` and
        ``kendall`` rank correlation with the reference ranking (scipy.stats).

    Examples
    --------
    >>> r = pd.DataFrame({"area_code": list("ABC") * 2, "area_name": list("ABC") * 2,
    ...                   "indicator": ["computer"] * 3 + ["internet"] * 3,
    ...                   "share": [0.1, 0.2, 0.3, 0.1, 0.2, 0.3]})
    >>> ranking_stability(r, n_draws=50)["rank_p95"].tolist()
    [3.0, 2.0, 1.0]
    """
    ref = composite_index(rates, indicators, method=method)
    indicators = ref.attrs["indicators"]
    k = len(indicators)
    ref = ref[ref["composite_index"].notna()].reset_index(drop=True)
    scores = ref[[f"score_{i}" for i in indicators]].to_numpy(dtype=float)
    n = len(ref)
    if n < 2:
        raise InputError(code="indicators.two_districts_needed")
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(k), size=n_draws)          # n_draws x k
    ranks = _ranks(scores @ w.T).astype(float)           # n x n_draws
    q = max(1, int(np.ceil(n / 5)))
    out = ref[["area_code", "area_name", "composite_index", "rank"]].copy() if "area_code" in ref.columns \
        else ref[["area_name", "composite_index", "rank"]].copy()
    out["median_rank"] = np.median(ranks, axis=1)
    out["rank_p05"] = np.percentile(ranks, 5, axis=1)
    out["rank_p95"] = np.percentile(ranks, 95, axis=1)
    out["share_top_quintile"] = (ranks <= q).mean(axis=1)
    out["share_bottom_quintile"] = (ranks > n - q).mean(axis=1)

    base = ref["rank"].to_numpy(dtype=float)
    rows = []

    def corr(name: str, other: np.ndarray) -> None:
        rows.append({"variant": name, "spearman": float(stats.spearmanr(base, other).statistic),
                     "kendall": float(stats.kendalltau(base, other).statistic)})

    keyed = ref.set_index([c for c in ("area_code", "area_name") if c in ref.columns]).index
    for other_method in METHODS:
        if other_method == method:
            continue
        alt = composite_index(rates, indicators, method=other_method)
        alt = alt.set_index([c for c in ("area_code", "area_name") if c in alt.columns]).reindex(keyed)
        corr(render("indicators.variant_equal_weights", {"method": other_method}), alt["rank"].to_numpy(dtype=float))
    if k > 1:
        for j, ind in enumerate(indicators):
            keep = [i for i in range(k) if i != j]
            corr(render("indicators.variant_without", {"indicator": ind}),
                 _ranks(scores[:, keep].mean(axis=1)).astype(float))
    sp = np.array([stats.spearmanr(base, ranks[:, d]).statistic for d in range(n_draws)])
    kt = np.array([stats.kendalltau(base, ranks[:, d]).statistic for d in range(n_draws)])
    rows.append({"variant": render("indicators.variant_random_median", {"n": n_draws}),
                 "spearman": float(np.median(sp)), "kendall": float(np.median(kt))})
    rows.append({"variant": render("indicators.variant_random_p05", {"n": n_draws}),
                 "spearman": float(np.percentile(sp, 5)), "kendall": float(np.percentile(kt, 5))})
    out.attrs = {"correlations": pd.DataFrame(rows), "seed": seed, "n_draws": n_draws, "method": method,
                 "indicators": indicators}
    return out
