"""Margins of error (MOE) of derived estimates, by the Census Bureau's approximations.

The formulas are those of the U.S. Census Bureau, *Understanding and Using American Community
Survey Data: What All Data Users Need to Know* (ACS General Handbook, 2018 and 2020 editions),
chapter 8 "Calculating Measures of Error for Derived Estimates". ACS margins of error are
published at the 90 % level (z = 1.645). With ``MOE = z * SE``:

* sum or difference of estimates: ``MOE = sqrt(sum MOE_i^2)``  (:func:`moe_sum`)
* proportion ``p = X / Y`` where X is a subset of Y:
  ``MOE = sqrt(MOE_X^2 - p^2 MOE_Y^2) / Y``; when the quantity under the root is negative,
  the Handbook says to use the ratio formula instead  (:func:`moe_proportion`)
* ratio ``R = X / Y`` (X not a subset of Y): ``MOE = sqrt(MOE_X^2 + R^2 MOE_Y^2) / Y``  (:func:`moe_ratio`)
* product ``X * Y``: ``MOE = sqrt(X^2 MOE_Y^2 + Y^2 MOE_X^2)``  (:func:`moe_product`)
* significance of a difference: the estimates differ at level L when
  ``|X1 - X2| > z_L * sqrt(SE1^2 + SE2^2)``  (:func:`significantly_different`)

These are approximations: they ignore covariances between the estimates (e.g. overlapping
geographies), as the Handbook notes.

Examples
--------
>>> round(moe_sum([100, 200]), 2)
223.61
>>> round(convert_moe(1.645, 0.90, 0.95), 3)
1.96
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render

#: Two-sided standard normal quantiles used by the Census Bureau for 90, 95 and 99 % levels.
Z: dict[float, float] = {0.90: 1.645, 0.95: 1.960, 0.99: 2.576}


def z_value(level: float) -> float:
    """The z of a confidence level: the Census Bureau's rounded values for 0.90/0.95/0.99,
    else the exact normal quantile.

    Examples
    --------
    >>> z_value(0.90), z_value(0.95)
    (1.645, 1.96)
    """
    if not 0 < level < 1:
        raise InputError(code="indicators.confidence_level", params={"level": level})
    for known, z in Z.items():
        if abs(level - known) < 1e-9:
            return z
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def convert_moe(moe, from_level: float = 0.90, to_level: float = 0.95):
    """Convert a margin of error from one confidence level to another (``moe * z_to / z_from``).

    Examples
    --------
    >>> round(convert_moe(10.0, 0.90, 0.99), 3)
    15.66
    """
    return moe * (z_value(to_level) / z_value(from_level))


def moe_to_se(moe, level: float = 0.90):
    """Standard error from a margin of error at ``level``.

    Examples
    --------
    >>> moe_to_se(1.645)
    1.0
    """
    return moe / z_value(level)


def moe_sum(moes: Iterable[float] | pd.Series | np.ndarray, axis: int = 0) -> float | np.ndarray:
    """MOE of a sum (or difference) of estimates: ``sqrt(sum MOE_i^2)``.

    NaN margins are treated as missing and make the result NaN (an unknown MOE cannot be
    summed away). The Handbook's advice for several zero estimates (use the largest zero-MOE
    once) is not applied: give the MOEs you want counted.

    Examples
    --------
    >>> moe_sum([3.0, 4.0])
    5.0
    """
    arr = np.asarray(list(moes) if not isinstance(moes, (np.ndarray, pd.Series)) else moes, dtype=float)
    out = np.sqrt(np.sum(arr ** 2, axis=axis))
    return float(out) if np.ndim(out) == 0 else out


def moe_ratio(num, den, moe_num, moe_den):
    """MOE of a ratio ``num/den`` whose numerator is not a subset of the denominator:
    ``sqrt(moe_num^2 + R^2 moe_den^2) / den``.

    Examples
    --------
    >>> round(moe_ratio(50.0, 100.0, 3.0, 4.0), 6)
    0.036056
    """
    num, den, moe_num, moe_den = (np.asarray(x, dtype=float) for x in (num, den, moe_num, moe_den))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = num / den
        out = np.sqrt(moe_num ** 2 + r ** 2 * moe_den ** 2) / den
    return out if out.ndim else float(out)


def moe_proportion(num, den, moe_num, moe_den, *, return_fallback: bool = False):
    """MOE of a proportion ``p = num/den`` where the numerator is a subset of the denominator.

    ``sqrt(moe_num^2 - p^2 moe_den^2) / den``; where the quantity under the root is negative
    (possible when the denominator's MOE is large), the ratio formula
    ``sqrt(moe_num^2 + p^2 moe_den^2) / den`` is used instead, as the ACS Handbook says.

    Parameters
    ----------
    num, den
        Estimates (scalars or arrays).
    moe_num, moe_den
        Their margins of error (same confidence level; the result has that level).
    return_fallback
        Also return a boolean array, True where the ratio formula was used.

    Examples
    --------
    ACS General Handbook (2018), ch. 8: never-married females 203,119 (MOE 5,070) out of
    630,498 females (MOE 831):

    >>> round(moe_proportion(203119, 630498, 5070, 831), 4)
    0.008
    """
    num, den, moe_num, moe_den = (np.asarray(x, dtype=float) for x in (num, den, moe_num, moe_den))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = num / den
        radicand = moe_num ** 2 - p ** 2 * moe_den ** 2
        fallback = radicand < 0
        radicand = np.where(fallback, moe_num ** 2 + p ** 2 * moe_den ** 2, radicand)
        out = np.sqrt(radicand) / den
    if not out.ndim:
        out, fallback = float(out), bool(fallback)
    return (out, fallback) if return_fallback else out


def moe_product(a, b, moe_a, moe_b):
    """MOE of a product ``a*b``: ``sqrt(a^2 moe_b^2 + b^2 moe_a^2)``.

    Examples
    --------
    >>> moe_product(10.0, 0.5, 2.0, 0.1)
    1.4142135623730951
    """
    a, b, moe_a, moe_b = (np.asarray(x, dtype=float) for x in (a, b, moe_a, moe_b))
    out = np.sqrt(a ** 2 * moe_b ** 2 + b ** 2 * moe_a ** 2)
    return out if out.ndim else float(out)


def significantly_different(share1, moe1, share2, moe2, level: float = 0.90,
                            moe_level: float = 0.90):
    """Whether two estimates differ significantly: ``|x1 - x2| > z_level * sqrt(SE1^2 + SE2^2)``.

    Parameters
    ----------
    share1, moe1, share2, moe2
        The two estimates and their margins of error (scalars or arrays).
    level
        Confidence level of the test (the Census Bureau uses 0.90).
    moe_level
        Confidence level at which the MOEs are given (ACS: 0.90).

    Returns
    -------
    bool or array of bool (False where a margin is unknown: no claim is made).

    Examples
    --------
    >>> significantly_different(0.858, 0.01, 0.80, 0.02)
    True
    >>> significantly_different(0.858, 0.03, 0.84, 0.03)
    False
    """
    s1, m1, s2, m2 = (np.asarray(x, dtype=float) for x in (share1, moe1, share2, moe2))
    se = np.hypot(moe_to_se(m1, moe_level), moe_to_se(m2, moe_level))  # no underflow for tiny margins
    with np.errstate(invalid="ignore"):
        out = np.abs(s1 - s2) > z_value(level) * se
    out = out & np.isfinite(se)
    return bool(out) if not out.ndim else out


def _moe_column(rates: pd.DataFrame) -> str:
    if "share_moe90" in rates.columns:
        return "share_moe90"
    if "share_moe" in rates.columns:
        return "share_moe"
    raise InputError(code="indicators.no_moe_column")


def _pick(rates: pd.DataFrame, indicator: str, area: str) -> pd.Series:
    sub = rates[rates["indicator"] == indicator]
    if sub.empty:
        raise InputError(code="indicators.indicator_not_in_rates",
                         params={"indicator": indicator, "choices": sorted(rates["indicator"].unique())})
    hit = sub[(sub["area_code"].astype("string") == str(area)) | (sub["area_name"].astype("string") == str(area))]
    if len(hit) != 1:
        raise InputError(code="indicators.no_district_match" if hit.empty else "indicators.district_ambiguous",
                         params={"n": len(hit), "indicator": indicator}, area=str(area))
    return hit.iloc[0]


def compare_districts(rates: pd.DataFrame, indicator: str, a: str, b: str,
                      level: float = 0.90) -> dict:
    """Compare two districts' rates of one indicator using their 90 % margins of error.

    Parameters
    ----------
    rates
        Output of :func:`egovkit.indicators.compute_rates` (needs ``share_moe90``).
    indicator
        Canonical indicator name.
    a, b
        Area codes or names.
    level
        Confidence level of the test.

    Returns
    -------
    dict with ``share_a``, ``share_b``, ``difference_pp``, ``moe90_difference_pp``,
    ``significant`` (bool) and a ``sentence``.

    Examples
    --------
    >>> r = pd.DataFrame({"area_code": ["1", "2"], "area_name": ["A", "B"], "indicator": "tablet",
    ...                   "share": [0.66, 0.60], "share_moe90": [0.02, 0.02]})
    >>> compare_districts(r, "tablet", "A", "B")["significant"]
    True
    """
    col = _moe_column(rates)
    ra, rb = _pick(rates, indicator, a), _pick(rates, indicator, b)
    sig = significantly_different(ra["share"], ra[col], rb["share"], rb[col], level=level)
    diff = 100 * (float(ra["share"]) - float(rb["share"]))
    moe_diff = 100 * float(moe_sum([ra[col], rb[col]]))
    known = np.isfinite(moe_diff)
    said = {"indicator": indicator, "name_a": ra["area_name"], "pct_a": 100 * float(ra["share"]),
            "name_b": rb["area_name"], "pct_b": 100 * float(rb["share"]), "diff": diff, "moe": moe_diff,
            "level": f"{level:.0%}"}
    sentence = render("indicators.compare_untestable" if not known else "indicators.compare_significant" if sig
                      else "indicators.compare_not_significant", said)
    return {"indicator": indicator, "area_a": ra["area_name"], "area_b": rb["area_name"],
            "share_a": float(ra["share"]), "share_b": float(rb["share"]),
            "difference_pp": diff, "moe90_difference_pp": moe_diff,
            "significant": bool(sig), "sentence": sentence}


def pairwise_significance(rates: pd.DataFrame, indicator: str, reference: str,
                          level: float = 0.90) -> pd.DataFrame:
    """Every district against one reference district, for one indicator.

    Returns
    -------
    DataFrame
        One row per other district: ``area_code, area_name, share, share_moe90,
        reference_share, difference_pp, significant``; the rows with ``significant == False``
        are the districts whose rate cannot be told apart from the reference's.

    Examples
    --------
    >>> r = pd.DataFrame({"area_code": ["1", "2", "3"], "area_name": ["A", "B", "C"],
    ...                   "indicator": "tablet", "share": [0.66, 0.65, 0.50], "share_moe90": 0.02})
    >>> pairwise_significance(r, "tablet", "A")["significant"].tolist()
    [False, True]
    """
    col = _moe_column(rates)
    ref = _pick(rates, indicator, reference)
    sub = rates[rates["indicator"] == indicator]
    sub = sub[~((sub["area_code"].astype("string") == str(ref["area_code"]))
                & (sub["area_name"].astype("string") == str(ref["area_name"])))]
    out = sub[["area_code", "area_name", "share", col]].rename(columns={col: "share_moe90"}).reset_index(drop=True)
    out["reference"] = ref["area_name"]
    out["reference_share"] = float(ref["share"])
    out["difference_pp"] = 100 * (out["share"] - out["reference_share"])
    out["significant"] = significantly_different(out["share"].to_numpy(), out["share_moe90"].to_numpy(),
                                                 float(ref["share"]), float(ref[col]), level=level)
    return out
