"""Inequality of a rate across districts, weighted by the rate's denominator.

Every household (or person) is counted once, and is given the rate of the district it
lives in. The statistics therefore describe how unequal the territory is *between
districts*, for its households: a district of 1,000 households counts 10 times as much
as a district of 100. This is the default (``weighted=True``) because unweighted
district-level statistics treat a desert county of 20,000 households like a capital of
1,500,000 and can say that a territory is very unequal when almost nobody lives in the
lagging districts (or the opposite). ``weighted=False`` gives every district the same
weight, for comparison.

Notation used in the docstrings: district ``i`` has rate ``y_i`` (0-1) and weight
``w_i`` = its denominator divided by the territory's denominator (the weights sum to 1).
The territory's rate is ``mu = sum_i w_i y_i``.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"name": ["A", "B"], "hh_internet": [10, 30], "hh": [100, 100]})
>>> t = inequality(df, numerator="hh_internet", denominator="hh", name="name")
>>> round(float(t.set_index("statistic").loc["gini", "value"]), 3)
0.25
"""

from __future__ import annotations

from typing import Unpack

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .rate_table import (
    DISTRICT_NAME_COLUMNS,
    RTOL,
    Invalid,
    RateColumns,
    RateTable,
    as_rate_table,
    below,
    list_names,
)

__all__ = ["AREA_COLUMNS", "RTOL", "Invalid", "coefficient_of_variation", "inequality", "lorenz_curve", "theil_l",
           "theil_t", "weighted_gini", "weighted_quantile"]

#: Former name of :data:`egovkit.distribution.rate_table.DISTRICT_NAME_COLUMNS`.
AREA_COLUMNS = DISTRICT_NAME_COLUMNS


def _weights(t: pd.DataFrame, weighted: bool) -> np.ndarray:
    if weighted:
        w = t["weight"].to_numpy(float)
        return w / w.sum()
    return np.full(len(t), 1.0 / len(t))


# -- the statistics on arrays ---------------------------------------------------------------------

def _prep(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    if y.shape != w.shape or y.ndim != 1:
        raise InputError(code="distribution.arrays_shape")
    if np.isnan(y).any() or np.isnan(w).any():
        raise InputError(code="distribution.arrays_missing")
    if (w < 0).any() or w.sum() <= 0:
        raise InputError(code="distribution.arrays_weights")
    w = w / w.sum()
    return y, w, float(np.dot(w, y))


def weighted_gini(y: np.ndarray, w: np.ndarray) -> float:
    """Gini coefficient of rates ``y`` held by populations of weight ``w``.

    ``G = sum_i sum_j w_i w_j |y_i - y_j| / (2 mu)``, computed in O(n log n) from the
    Lorenz curve. All rates equal gives 0. If the whole numerator is in one district ``k``
    (every other district has rate 0), ``G = 1 - w_k``: it tends to 1 only when that
    district is a tiny part of the population.

    Examples
    --------
    >>> weighted_gini([0.0, 0.5], [0.5, 0.5])
    0.5
    """
    y, w, mu = _prep(y, w)
    if mu == 0:
        return float("nan")
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cum = np.cumsum(ws * ys) / mu
    prev = np.concatenate([[0.0], cum[:-1]])
    return float(1.0 - np.sum(ws * (cum + prev)))


def theil_t(y: np.ndarray, w: np.ndarray) -> float:
    """Theil T index ``sum_i w_i (y_i/mu) ln(y_i/mu)`` (with ``0 ln 0 = 0``).

    0 when all rates are equal. If the whole numerator is in district ``k``, ``T = ln(1/w_k)``
    (the maximum for that population split). Zero rates are allowed.

    Examples
    --------
    >>> round(theil_t([0.0, 0.5], [0.5, 0.5]), 4)  # ln 2
    0.6931
    """
    y, w, mu = _prep(y, w)
    if mu == 0:
        return float("nan")
    r = y / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, w * r * np.log(np.where(r > 0, r, 1.0)), 0.0)
    return float(terms.sum())


def theil_l(y: np.ndarray, w: np.ndarray) -> float:
    """Theil L index (mean log deviation) ``sum_i w_i ln(mu / y_i)``.

    0 when all rates are equal. It is undefined (infinite) when a district with a positive
    weight has a rate of 0; this function then returns ``nan`` (``inequality`` says which
    districts are at 0).

    Examples
    --------
    >>> round(theil_l([0.25, 0.75], [0.5, 0.5]), 4)
    0.1438
    """
    y, w, mu = _prep(y, w)
    pos = w > 0
    if mu == 0 or (y[pos] <= 0).any():
        return float("nan")
    return float(np.sum(w[pos] * np.log(mu / y[pos])))


def weighted_quantile(y: np.ndarray, w: np.ndarray, q: float) -> float:
    """Rate below or at which a fraction ``q`` of the population lives (inverse of the CDF).

    The smallest ``y_i`` such that the weight of districts with rate ``<= y_i`` is at least
    ``q``; with integer counts it equals ``numpy.quantile(np.repeat(y, counts), q,
    method="inverted_cdf")``.

    Examples
    --------
    >>> weighted_quantile([0.1, 0.2, 0.3], [1, 1, 2], 0.5)
    0.2
    """
    y, w, _ = _prep(y, w)
    order = np.argsort(y, kind="stable")
    cum = np.cumsum(w[order])
    i = int(np.searchsorted(cum, q - 1e-12, side="left"))
    return float(y[order][min(i, len(y) - 1)])


def coefficient_of_variation(y: np.ndarray, w: np.ndarray) -> float:
    """Weighted standard deviation of the rates divided by ``mu``.

    Examples
    --------
    >>> round(coefficient_of_variation([0.1, 0.3], [1, 1]), 6)
    0.5
    """
    y, w, mu = _prep(y, w)
    if mu == 0:
        return float("nan")
    return float(np.sqrt(np.dot(w, (y - mu) ** 2)) / mu)


# -- the public table functions -------------------------------------------------------------------

@renamed(area="name")
def inequality(
    df: pd.DataFrame | RateTable,
    *,
    weighted: bool = True,
    threshold: float | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> pd.DataFrame:
    """All inequality statistics of a rate across districts, as a tidy table.

    Parameters
    ----------
    df
        One row per district, or the :class:`~egovkit.distribution.rate_table.RateTable` of
        :func:`~egovkit.distribution.rate_table.rate_table` (then give none of the rate's keywords).
    **columns
        Which columns hold the rate and the district: see :class:`~egovkit.distribution.rate_table.RateColumns`.
    weighted
        Weight each district by its denominator (default, see the module docstring).
        ``False`` gives every district the same weight.
    threshold
        Optional rate (0-1): adds the share of the population in districts below it.
    invalid
        ``"raise"`` (default) on missing values, zero denominators, negative values or
        rates above 1; ``"drop"`` leaves those districts out with a warning and one report
        entry each.
    report
        A :class:`~egovkit.validate.ValidationReport` to record drops and notes in.

    Returns
    -------
    pandas.DataFrame
        Columns ``statistic``, ``value``, ``note``. Statistics: ``n_districts``,
        ``share_territory`` (the territory's rate ``mu``, 0-1), ``gini``, ``theil_t``,
        ``theil_l`` (``nan`` when a district is at 0), ``cv``, ``max_min_ratio``
        (district rates, ``inf`` if the lowest is 0), ``p90_p10_ratio`` (rates at the
        90th and 10th percentile of the population), ``share_pop_below_territory``,
        ``share_pop_below_half_territory`` and, with ``threshold``,
        ``share_pop_below_threshold``: the share (0-1) of the denominator
        (households or persons) living in districts strictly below that rate (with
        ``weighted=False``, the share of districts); a rate equal to the threshold up to
        a relative 1e-9 (floating-point noise) is not below it. Statistics that divide by the
        territory's rate are ``nan`` when it is 0.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [5, 5, 40], "d": [100, 100, 100]})
    >>> t = inequality(df, numerator="n", denominator="d").set_index("statistic")["value"]
    >>> float(t["share_territory"]), float(t["share_pop_below_territory"])
    (0.16666666666666666, 0.6666666666666666)
    """
    t = as_rate_table(df, caller="inequality", invalid=invalid, report=report, **columns).table
    y = t["share"].to_numpy(float)
    w = _weights(t, weighted)
    mu = float(np.dot(w, y))
    rows: list[tuple[str, float, str]] = []
    how = render("distribution.note_weighted" if weighted else "distribution.note_unweighted")
    rows.append(("n_districts", float(len(t)), ""))
    rows.append(("share_territory", mu, render("distribution.note_territory", {"how": how})))
    rows.append(("gini", weighted_gini(y, w), how))
    rows.append(("theil_t", theil_t(y, w), how))
    zero = t["area"][(y <= 0) & (w > 0)]
    tl = theil_l(y, w)
    rows.append(("theil_l", tl, render("distribution.note_theil_l_undefined", {"names": list_names(zero)})
                 if len(zero) else how))
    if len(zero) and report is not None:
        report.add("info", "distribution.theil_l_undefined", area=list_names(zero), action="kept")
    rows.append(("cv", coefficient_of_variation(y, w), how))
    lo, hi = float(y.min()), float(y.max())
    rows.append(("max_min_ratio", hi / lo if lo > 0 else float("inf"),
                 f"{t['area'].iloc[int(np.argmax(y))]} / {t['area'].iloc[int(np.argmin(y))]}"))
    p10, p90 = weighted_quantile(y, w, 0.1), weighted_quantile(y, w, 0.9)
    rows.append(("p90_p10_ratio", p90 / p10 if p10 > 0 else float("inf"),
                 render("distribution.note_p90_p10", {"p90": p90, "p10": p10})))
    pop = render("distribution.note_pop" if weighted else "distribution.note_pop_unweighted")
    rows.append(("share_pop_below_territory", float(w[below(y, mu)].sum()), pop))
    rows.append(("share_pop_below_half_territory", float(w[below(y, mu / 2)].sum()), pop))
    if threshold is not None:
        if not 0 <= threshold <= 1:
            raise InputError(code="distribution.threshold_not_rate", params={"threshold": threshold})
        rows.append(("share_pop_below_threshold", float(w[below(y, threshold)].sum()),
                     render("distribution.note_below_threshold", {"pop": pop, "threshold": f"{threshold:g}"})))
    return pd.DataFrame(rows, columns=["statistic", "value", "note"])


@renamed(area="name")
def lorenz_curve(
    df: pd.DataFrame | RateTable,
    *,
    weighted: bool = True,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> pd.DataFrame:
    """Points of the Lorenz curve: districts sorted by rate, cumulative population vs numerator.

    The rate's ``**columns`` (see :class:`~egovkit.distribution.rate_table.RateColumns`), ``weighted``,
    ``invalid`` and ``report`` are as in :func:`inequality`. Returns one row per district plus the
    origin, columns ``area``, ``share``, ``share_pop_cum`` and ``share_numerator_cum`` (both 0-1).
    The Gini is one minus twice the area under the curve.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [0, 50], "d": [50, 50]})
    >>> lorenz_curve(df, numerator="n", denominator="d")["share_numerator_cum"].tolist()
    [0.0, 0.0, 1.0]
    """
    t = as_rate_table(df, caller="lorenz_curve", invalid=invalid, report=report, **columns).table
    t = t.assign(w=_weights(t, weighted)).sort_values("share", kind="stable")
    num = t["w"] * t["share"]
    total = num.sum()
    out = pd.DataFrame({
        "area": t["area"].to_numpy(),
        "share": t["share"].to_numpy(),
        "share_pop_cum": t["w"].cumsum().to_numpy(),
        "share_numerator_cum": (num.cumsum() / total if total > 0 else num * np.nan).to_numpy(),
    })
    origin = pd.DataFrame({"area": [pd.NA], "share": [np.nan], "share_pop_cum": [0.0], "share_numerator_cum": [0.0]})
    return pd.concat([origin, out], ignore_index=True)
