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
>>> t = inequality(df, numerator="hh_internet", denominator="hh", area="name")
>>> round(float(t.set_index("statistic").loc["gini", "value"]), 3)
0.25
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import EgovkitWarning, InputError
from ..validate import ValidationReport

Invalid = Literal["raise", "drop"]

#: Column names searched (in this order) for district names when ``area`` is not given.
AREA_COLUMNS = ("area_name", "name", "district", "county", "area_code")

_MAX_NAMES = 10


def _names(areas: pd.Series) -> str:
    vals = [str(a) for a in areas.tolist()]
    text = ", ".join(vals[:_MAX_NAMES])
    if len(vals) > _MAX_NAMES:
        text += f" and {len(vals) - _MAX_NAMES} more"
    return text


def _area_labels(df: pd.DataFrame, area: str | None) -> pd.Series:
    if area is not None:
        if area not in df.columns:
            raise InputError(f"no column {area!r} for the district names", column=area,
                             fix=f"pass area= one of {list(map(str, df.columns))}")
        return df[area].astype(str)
    for col in AREA_COLUMNS:
        if col in df.columns:
            return df[col].astype(str)
    return pd.Series(df.index.astype(str), index=df.index)


def _rate_table(  # noqa: C901 (reading decisions in one place; split in issue 11 part 3)
    df: pd.DataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    area: str | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    allow_zero_weight: bool = False,
    dropped: dict | None = None,
) -> pd.DataFrame:
    """Check the input and return ``area, share, weight, count`` (same index as ``df``).

    ``count`` is the denominator (households/persons) when given, else ``weight``.
    Bad rows (missing, negative, zero denominator, rate outside 0-1) raise
    :class:`~egovkit.errors.InputError` naming the districts, or with ``invalid="drop"``
    are left out with a warning and a report entry each (and, when ``dropped`` is a dict,
    recorded in it as ``index label -> what was wrong``).
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a (Geo)DataFrame with one row per district, got {type(df).__name__}",
                         fix="pass a DataFrame, e.g. join_table(...).gdf")
    if invalid not in ("raise", "drop"):
        raise InputError(f"invalid={invalid!r} is not an option", fix="use invalid='raise' or invalid='drop'")
    if indicator is not None:
        numerator = numerator or f"{indicator}_numerator"
        denominator = denominator or f"{indicator}_denominator"
    if numerator is not None or denominator is not None:
        if numerator is None or denominator is None:
            raise InputError("give both numerator= and denominator= (count columns)",
                             fix="e.g. numerator='internet_numerator', denominator='internet_denominator'")
        if share is not None or weight is not None:
            raise InputError("give either numerator=/denominator= or share=/weight=, not both",
                             fix="drop share=/weight= (the share is numerator/denominator)")
        cols = {"numerator": numerator, "denominator": denominator}
    elif share is not None:
        if weight is None:
            raise InputError("share= needs weight= (the rate's denominator: households or persons per district)",
                             column=share, fix="pass weight='households' or similar; for an unweighted "
                             "analysis still pass the counts and use weighted=False")
        cols = {"share": share, "weight": weight}
    else:
        raise InputError("say which columns hold the rate",
                         fix="pass indicator='internet' (uses internet_numerator/internet_denominator), "
                             "numerator= and denominator=, or share= and weight=")
    for col in cols.values():
        if col not in df.columns:
            raise InputError(f"no column {col!r}", column=col,
                             fix=f"use one of the columns {list(map(str, df.columns))}")
    if report is not None and report.rows_in == 0:
        report.rows_in = len(df)
    areas = _area_labels(df, area)
    if not df.index.is_unique:
        dup = df.index.duplicated(keep=False)
        raise InputError(f"the table's index has duplicate labels ({_names(pd.Series(df.index[dup]).drop_duplicates())}"
                         f") for {_names(areas[dup])}: rows must be one per district with a unique index",
                         fix="call df.reset_index(drop=True) (or drop the duplicated districts) first")
    vals = {k: pd.to_numeric(df[c], errors="coerce").astype(float) for k, c in cols.items()}
    for k, c in cols.items():
        bad_text = df[c].notna() & vals[k].isna()
        if bad_text.any():
            raise InputError(f"non-numeric values for {_names(areas[bad_text])}", column=c,
                             fix="correct the values (numbers only)")

    if "numerator" in vals:
        num, den = vals["numerator"], vals["denominator"]
        with np.errstate(divide="ignore", invalid="ignore"):
            shr = num / den
        w = den
    else:
        shr, w = vals["share"], vals["weight"]
        num = shr * w
    out = pd.DataFrame({"area": areas, "share": shr, "weight": w, "count": w, "numerator": num}, index=df.index)

    problems: list[tuple[pd.Series, str, str, str]] = []
    for k, c in cols.items():
        problems.append((vals[k].isna(), c, "missing value", "fill the value, or pass invalid='drop' to leave "
                         "these districts out (they are listed in the report)"))
        problems.append((vals[k] < 0, c, "negative value", "correct the value"))
    wcol = cols.get("denominator", cols.get("weight"))
    if not allow_zero_weight:
        problems.append((w == 0, wcol, "zero denominator (no households/persons: the rate is undefined)",
                         "check the value, or pass invalid='drop' to leave these districts out"))
    if "numerator" in vals:
        problems.append((vals["numerator"] > vals["denominator"], cols["numerator"],
                         "numerator larger than denominator (rate above 100 %)",
                         "check that the columns are counts of the same universe"))
    else:
        s = vals["share"]
        over = s > 1
        looks_pct = bool(over.any() and s.max() <= 100)
        problems.append((over, cols["share"], "rate above 1" + (" (it looks like a percentage 0-100)"
                         if looks_pct else ""), "pass shares 0-1 (divide percentages by 100)"))
    bad_any = pd.Series(False, index=df.index)
    for mask, col, what, fix in problems:
        mask = mask.fillna(False).astype(bool) & ~bad_any
        if not mask.any():
            continue
        if invalid == "raise":
            raise InputError(f"{what} for {mask.sum()} district(s): {_names(areas[mask])}", column=col, fix=fix)
        msg = f"{what}: district left out of the distribution statistics"
        if report is not None:
            for a in areas[mask]:
                report.add("warning", "distribution_dropped", msg, column=col, area=a, action="dropped",
                           fix=fix)
        warnings.warn(f"column {col}: {what} for {_names(areas[mask])}; left out (invalid='drop')",
                      EgovkitWarning, stacklevel=3)
        if dropped is not None:
            dropped.update({i: f"{what} in column {col}" for i in df.index[mask]})
        bad_any |= mask
    out = out[~bad_any]
    if len(out) == 0:
        raise InputError("no district left to analyse", column=wcol,
                         fix="check the input columns (all rows were missing or invalid)")
    if out["weight"].sum() <= 0:
        raise InputError("the denominators sum to zero", column=wcol, fix="check the denominator column")
    return out


#: Relative tolerance under which two rates are taken as equal (floating-point noise of a
#: weighted mean: 0.37 * 3 districts gives a mean of 0.37000000000000005).
RTOL = 1e-9


def _below(y: np.ndarray | pd.Series, threshold: float) -> np.ndarray:
    """``y < threshold``, with rates equal to the threshold up to :data:`RTOL` not below.

    Examples
    --------
    >>> _below(np.array([0.37, 0.2]), 0.37000000000000005).tolist()
    [False, True]
    """
    y = np.asarray(y, dtype=float)
    return (y < threshold) & ~np.isclose(y, threshold, rtol=RTOL, atol=0.0)


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
        raise InputError("rates and weights must be 1-D arrays of the same length")
    if np.isnan(y).any() or np.isnan(w).any():
        raise InputError("rates or weights contain missing values", fix="remove or fill them first")
    if (w < 0).any() or w.sum() <= 0:
        raise InputError("weights must be non-negative with a positive sum")
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

def inequality(
    df: pd.DataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    area: str | None = None,
    weighted: bool = True,
    threshold: float | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """All inequality statistics of a rate across districts, as a tidy table.

    Parameters
    ----------
    df
        One row per district.
    indicator
        Short cut: uses ``<indicator>_numerator`` and ``<indicator>_denominator``
        (the columns of ``egovkit.join.join_table(...).gdf``).
    numerator, denominator
        Count columns (households or persons with the item / in scope).
    share, weight
        Alternatively a rate column (0-1) and the column of its denominator counts.
    area
        Column with district names (for messages); default the first of
        ``area_name, name, district, county, area_code``, else the index.
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
    t = _rate_table(df, indicator=indicator, numerator=numerator, denominator=denominator, share=share,
                    weight=weight, area=area, invalid=invalid, report=report)
    y = t["share"].to_numpy(float)
    w = _weights(t, weighted)
    mu = float(np.dot(w, y))
    rows: list[tuple[str, float, str]] = []
    how = "weighted by the denominator" if weighted else "unweighted (each district counts once)"
    rows.append(("n_districts", float(len(t)), ""))
    rows.append(("share_territory", mu, "territory rate (0-1), " + how))
    rows.append(("gini", weighted_gini(y, w), how))
    rows.append(("theil_t", theil_t(y, w), how))
    zero = t["area"][(y <= 0) & (w > 0)]
    tl = theil_l(y, w)
    rows.append(("theil_l", tl, f"undefined: rate 0 in {_names(zero)}" if len(zero) else how))
    if len(zero) and report is not None:
        report.add("info", "theil_l_undefined", "rate 0: Theil L (mean log deviation) is undefined, reported as NaN",
                   area=_names(zero), action="kept")
    rows.append(("cv", coefficient_of_variation(y, w), how))
    lo, hi = float(y.min()), float(y.max())
    rows.append(("max_min_ratio", hi / lo if lo > 0 else float("inf"),
                 f"{t['area'].iloc[int(np.argmax(y))]} / {t['area'].iloc[int(np.argmin(y))]}"))
    p10, p90 = weighted_quantile(y, w, 0.1), weighted_quantile(y, w, 0.9)
    rows.append(("p90_p10_ratio", p90 / p10 if p10 > 0 else float("inf"),
                 f"P90 = {p90:.4f}, P10 = {p10:.4f} (rates at population percentiles)"))
    pop = "share (0-1) of the population" if weighted else "share (0-1) of the districts (unweighted)"
    rows.append(("share_pop_below_territory", float(w[_below(y, mu)].sum()), pop))
    rows.append(("share_pop_below_half_territory", float(w[_below(y, mu / 2)].sum()), pop))
    if threshold is not None:
        if not 0 <= threshold <= 1:
            raise InputError(f"threshold={threshold} is not a rate 0-1", fix="pass e.g. threshold=0.1 for 10 %")
        rows.append(("share_pop_below_threshold", float(w[_below(y, threshold)].sum()),
                     f"{pop} below {threshold:g}"))
    return pd.DataFrame(rows, columns=["statistic", "value", "note"])


def lorenz_curve(
    df: pd.DataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    area: str | None = None,
    weighted: bool = True,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Points of the Lorenz curve: districts sorted by rate, cumulative population vs numerator.

    Returns one row per district plus the origin, columns ``area``, ``share``,
    ``share_pop_cum`` and ``share_numerator_cum`` (both 0-1). The Gini is one minus twice
    the area under the curve.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [0, 50], "d": [50, 50]})
    >>> lorenz_curve(df, numerator="n", denominator="d")["share_numerator_cum"].tolist()
    [0.0, 0.0, 1.0]
    """
    t = _rate_table(df, indicator=indicator, numerator=numerator, denominator=denominator, share=share,
                    weight=weight, area=area, invalid=invalid, report=report)
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
