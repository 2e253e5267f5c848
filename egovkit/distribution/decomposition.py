"""Exact decomposition of Theil T and Theil L into between-group and within-group parts.

For a grouping of districts (region, urban/rural, any column), with group ``g`` of weight
``W_g`` (its share of the denominator) and rate ``mu_g``, and ``s_g = W_g mu_g / mu`` its
share of the numerator:

- Theil T: ``T = sum_g s_g T_g + sum_g s_g ln(mu_g / mu)``
- Theil L: ``L = sum_g W_g L_g + sum_g W_g ln(mu / mu_g)``

where ``T_g``, ``L_g`` are the indices computed inside group ``g``. The first sum is the
*within* part, the second the *between* part; they add up to the total exactly.
A district's contribution to the total is ``w_i (y_i/mu) ln(y_i/mu)`` (T) or
``w_i ln(mu/y_i)`` (L); these may be negative (districts below the mean for T), and they
sum to the total.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"n": [10, 20, 60, 80], "d": [100, 100, 100, 100], "region": list("aabb")})
>>> d = theil_decomposition(df, by="region", numerator="n", denominator="d")
>>> s = d.summary.set_index("index")
>>> bool(abs(s.loc["T", "between"] + s.loc["T", "within"] - s.loc["T", "total"]) < 1e-12)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Sequence, Unpack

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .rate_table import Invalid, RateColumns, RateTable, as_rate_table, list_names


@dataclass
class TheilDecomposition:
    """Result of :func:`theil_decomposition`.

    Attributes
    ----------
    summary
        One row per index (``T``, ``L``): ``total``, ``between``, ``within``,
        ``share_between`` (0-1 part of the total explained by the grouping).
    groups
        One row per group: ``n_districts``, ``share_pop`` (``W_g``), ``share`` (the group's
        rate), ``share_numerator`` (``s_g``), ``theil_t``, ``theil_l`` (inside the group),
        ``within_t``/``within_l`` (the group's term of the within part) and
        ``between_t``/``between_l`` (its term of the between part).
    districts
        One row per district: ``area``, ``group``, ``share``, ``share_pop``,
        ``contribution_t``/``contribution_l`` (sum to the totals) and
        ``within_contribution_t``/``within_contribution_l`` (sum to the within parts).
    report
        Notes (single-district groups, a single group, Theil L undefined).
    """

    summary: pd.DataFrame
    groups: pd.DataFrame
    districts: pd.DataFrame
    report: ValidationReport = field(default_factory=ValidationReport)


def _xlogx_ratio(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``(y/m) ln(y/m)`` with ``0 ln 0 = 0``."""
    r = np.divide(y, m, out=np.zeros_like(y), where=m > 0)
    return np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)


def _log_ratio(m: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``ln(m / y)``, ``nan`` where ``y`` is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, np.log(np.where(y > 0, m / np.where(y > 0, y, 1.0), 1.0)), np.nan)


def district_groups(df: pd.DataFrame | RateTable, by: str | pd.Series | Sequence,
                    t: pd.DataFrame | None = None) -> tuple[pd.Series, str]:
    """Each analysed district's group (as text, aligned on ``t.index``) and the grouping's name.

    ``df`` is the table (or a :class:`~egovkit.distribution.rate_table.RateTable`, whose rows and
    ``.table`` are then used), ``t`` the rate table's frame (``RateTable.table``). ``by`` is a column
    name, a Series indexed like ``df`` or an array-like of ``len(df)`` in the order of the rows.
    Missing groups raise naming the districts.

    >>> import pandas as pd
    >>> from egovkit.distribution import rate_table
    >>> rates = rate_table(pd.DataFrame({"n": [1, 2], "d": [4, 4], "g": ["a", "b"]}), numerator="n", denominator="d")
    >>> district_groups(rates, "g")[0].tolist()
    ['a', 'b']
    """
    if isinstance(df, RateTable):
        df, t = df.source, df.table if t is None else t
    if isinstance(by, str):
        if by not in df.columns:
            raise InputError(code="distribution.no_group_column",
                             params={"column": by, "columns": list(map(str, df.columns))}, column=by)
        groups_all, by_name = df[by], by
    elif isinstance(by, pd.Series):
        by_name = str(by.name) if by.name is not None else "group"
        if not by.index.is_unique:
            raise InputError(code="distribution.group_duplicate_index", column=by_name)
        outside = df.index.difference(by.index)
        if len(outside):
            raise InputError(code="distribution.group_not_aligned",
                             params={"n": len(outside), "total": len(df),
                                     "names": list_names(t["area"].reindex(outside).dropna())}, column=by_name)
        groups_all = by.reindex(df.index)
    else:
        values = np.asarray(by, dtype=object)
        if values.ndim != 1 or len(values) != len(df):
            raise InputError(code="distribution.group_length", params={"n": int(values.size), "total": len(df)})
        groups_all, by_name = pd.Series(values, index=df.index), "group"
    g = groups_all.loc[t.index]
    if g.isna().any():
        raise InputError(code="distribution.no_group", params={"n": int(g.isna().sum()),
                                                                "names": list_names(t["area"][g.isna()])},
                         column=by_name)
    return g.astype(str), by_name



@renamed(area="name")
def theil_decomposition(
    df: pd.DataFrame | RateTable,
    by: str | pd.Series | Sequence,
    *,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> TheilDecomposition:
    """Split Theil T and L of a rate into between-group and within-group parts.

    Parameters
    ----------
    df
        One row per district.
    by
        Column name, a Series aligned on ``df.index``, or an array-like of one group per
        row (in the order of ``df``) giving each district's group. Missing groups raise
        :class:`~egovkit.errors.InputError` naming the districts.
    **columns
        Which columns hold the rate and the district: see :class:`~egovkit.distribution.rate_table.RateColumns`.
        Districts are weighted by their denominator (households or persons).
    invalid, report
        As in :func:`egovkit.distribution.inequality`.

    Returns
    -------
    TheilDecomposition
        ``.summary``, ``.groups``, ``.districts`` (see the class). Theil L parts are
        ``nan`` when a district has a rate of 0 (the mean log deviation is undefined).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [10, 10, 60, 60], "d": [100] * 4, "g": list("aabb")})
    >>> d = theil_decomposition(df, "g", numerator="n", denominator="d")
    >>> float(d.summary.set_index("index").loc["T", "share_between"])
    1.0
    """
    report = report if report is not None else ValidationReport(source="theil_decomposition")
    rates = as_rate_table(df, caller="theil_decomposition", invalid=invalid, report=report, **columns)
    t = rates.table
    g, by_name = district_groups(rates.source, by, t)

    y = t["share"].to_numpy(float)
    w = t["weight"].to_numpy(float)
    w = w / w.sum()
    mu = float(np.dot(w, y))
    if mu <= 0:
        raise InputError(code="distribution.theil_zero_rate")
    work = pd.DataFrame({"area": t["area"].to_numpy(), "group": g.to_numpy(), "share": y, "share_pop": w})
    gsum = work.assign(num=w * y).groupby("group", sort=True).agg(
        n_districts=("area", "size"), share_pop=("share_pop", "sum"), num=("num", "sum"))
    gsum["share"] = gsum["num"] / gsum["share_pop"]
    gsum["share_numerator"] = gsum["num"] / mu
    mu_g = work["group"].map(gsum["share"]).to_numpy(float)

    # districts
    work["contribution_t"] = w * _xlogx_ratio(y, np.full_like(y, mu))
    work["contribution_l"] = w * _log_ratio(np.full_like(y, mu), y)
    # within-group terms: w_i (y_i/mu) ln(y_i/mu_g) = s_g * [ (w_i/W_g)(y_i/mu_g) ln(y_i/mu_g) ]
    work["within_contribution_t"] = (w * y / mu) * np.where(y > 0, np.log(np.where(y > 0, y, 1.0) /
                                                                          np.where(mu_g > 0, mu_g, 1.0)), 0.0)
    work["within_contribution_l"] = w * _log_ratio(mu_g, y)

    # groups
    per = work.groupby("group", sort=True)
    gsum["within_t"] = per["within_contribution_t"].sum()
    gsum["within_l"] = per["within_contribution_l"].agg(lambda s: s.sum(skipna=False))
    gsum["theil_t"] = np.where(gsum["share_numerator"] > 0, gsum["within_t"] / gsum["share_numerator"], np.nan)
    gsum["theil_l"] = gsum["within_l"] / gsum["share_pop"]
    with np.errstate(divide="ignore"):
        gsum["between_t"] = np.where(gsum["share"] > 0,
                                     gsum["share_numerator"] * np.log(np.where(gsum["share"] > 0,
                                                                               gsum["share"], 1.0) / mu), 0.0)
        gsum["between_l"] = np.where(gsum["share"] > 0,
                                     gsum["share_pop"] * np.log(mu / np.where(gsum["share"] > 0,
                                                                             gsum["share"], 1.0)), np.nan)
    groups = gsum.drop(columns="num").reset_index()
    groups = groups[["group", "n_districts", "share_pop", "share", "share_numerator", "theil_t", "theil_l",
                     "within_t", "within_l", "between_t", "between_l"]]

    zero = work["area"][(y <= 0) & (w > 0)]
    summary_rows = []
    for idx, contrib, within, between in (
        ("T", work["contribution_t"], groups["within_t"], groups["between_t"]),
        ("L", work["contribution_l"], groups["within_l"], groups["between_l"]),
    ):
        total = float(contrib.sum()) if not contrib.isna().any() else float("nan")
        wi = float(within.sum()) if not within.isna().any() else float("nan")
        be = float(between.sum()) if not between.isna().any() else float("nan")
        summary_rows.append((idx, total, be, wi, be / total if total > 0 else float("nan")))
    summary = pd.DataFrame(summary_rows, columns=["index", "total", "between", "within", "share_between"])

    if len(zero):
        report.add("info", "distribution.theil_l_parts_undefined", params={"names": list_names(zero)},
                   column=by_name, action="kept")
    singles = groups.loc[groups["n_districts"] == 1, "group"]
    if len(groups) == 1:
        report.add("warning", "distribution.single_group", params={"group": groups["group"].iloc[0]},
                   column=by_name)
    for gname in singles:
        who = work.loc[work["group"] == gname, "area"].iloc[0]
        report.add("warning", "distribution.single_district_group", params={"group": gname, "name": who},
                   column=by_name, area=str(who), action="kept")
    return TheilDecomposition(summary=summary, groups=groups, districts=work, report=report)


def kenya_former_provinces() -> pd.DataFrame:
    """Kenya's 47 counties (census code 1-47) and the 8 former provinces they belong to.

    Read from ``egovkit/distribution/kenya_former_provinces.csv``. Source: Constitution of
    Kenya (2010), First Schedule, which lists the counties in an order that follows the
    former provinces (1-6 Coast, 7-9 North Eastern, 10-17 Eastern, 18-22 Central,
    23-36 Rift Valley, 37-40 Western, 41-46 Nyanza, 47 Nairobi); the KNBS census county
    codes follow the same order.

    Examples
    --------
    >>> p = kenya_former_provinces()
    >>> p.loc[p["county_code"] == 47, "province"].item()
    'Nairobi'
    """
    with resources.files("egovkit.distribution").joinpath("kenya_former_provinces.csv").open(
            encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#")
