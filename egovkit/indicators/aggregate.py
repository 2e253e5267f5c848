"""Aggregation to higher levels, households/persons without any device, gaps and ranks.

Aggregating rates means summing counts: per group and indicator the numerators and the
denominators are summed and the share recomputed, which is the denominator-weighted mean of
the district shares (households for household indicators, persons for person indicators).
Margins of error follow the Census Bureau's approximations: ``moe_sum`` for the summed counts,
then ``moe_proportion`` for the share.

Examples
--------
>>> long = pd.DataFrame({"area_name": ["A", "B"], "parent": "R", "indicator": "internet",
...                      "numerator": [30.0, 10.0], "denominator": [100.0, 300.0]})
>>> float(aggregate(long).loc[0, "pct"])
10.0
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.renamed import deprecated_alias
from ..validate import ValidationReport
from .moe import significantly_different
from .rates import compute_rates

_COUNT_COLUMNS = ["numerator", "denominator"]


def _group_keys(df: pd.DataFrame, by: "str | pd.Series | Mapping | None", name: str) -> tuple[pd.Series, str]:
    """One group label per row of ``df`` and the name of the level."""
    if by is None:
        return pd.Series(name, index=df.index, dtype="string"), "territory"
    if isinstance(by, str):
        if by not in df.columns:
            raise InputError(code="indicators.no_group_column", params={"column": by, "columns": list(df.columns)},
                             column=by)
        return df[by].astype("string"), by
    mapping = by.to_dict() if isinstance(by, pd.Series) else dict(by)
    mapping = {str(k): v for k, v in mapping.items()}
    level = by.name if isinstance(by, pd.Series) and by.name else "group"
    by_code = (df["area_code"].astype("string").map(mapping) if "area_code" in df.columns
               else pd.Series(pd.NA, index=df.index))
    by_name = df["area_name"].astype("string").map(mapping)
    keys = by_code.where(by_code.notna(), by_name)
    return keys.astype("string"), str(level)


def aggregate(
    rates_or_long: pd.DataFrame,
    by: "str | pd.Series | Mapping | None" = None,
    *,
    name: str = "Total",
    survey: bool | None = None,
    confidence: float = 0.95,
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Rates of groups of districts (region, urban/rural, the whole territory).

    Parameters
    ----------
    rates_or_long
        The long table or the output of :func:`compute_rates` (a ``CensusTable`` also works).
    by
        ``None``: the whole territory (one group called ``name``); a column name (e.g.
        ``"parent"``); or a Series/dict mapping ``area_code`` (or ``area_name``) to a group.
        Districts without a group are left out and reported.
    name
        Name of the single group when ``by`` is None.
    survey, confidence
        Passed to :func:`compute_rates` for the aggregated rows.
    report
        Where to record districts left out or with missing values.

    Returns
    -------
    DataFrame
        One row per (group, indicator): ``area_code`` and ``area_name`` (the group), ``level``,
        ``indicator``, ``itu_code``, ``universe`` (the denominator: households or persons),
        ``numerator``, ``denominator`` (sums), ``n_areas`` (districts counted),
        ``n_areas_missing`` (districts without a value for this indicator, not counted),
        margins of error when the input had them, then the columns of :func:`compute_rates`.

    Notes
    -----
    Sample sizes are summed and the design effect is the sample-size-weighted mean of the
    districts' design effects (an approximation: strata and clusters are not known here).

    Examples
    --------
    >>> long = pd.DataFrame({"area_name": ["A", "B", "C"], "indicator": "internet",
    ...                      "numerator": [30.0, 10.0, 5.0], "denominator": [100.0, 300.0, 50.0]})
    >>> aggregate(long, {"A": "north", "B": "north", "C": "south"})["pct"].round(1).tolist()
    [10.0, 10.0]
    """
    if hasattr(rates_or_long, "data") and isinstance(rates_or_long.data, pd.DataFrame):
        report = report if report is not None else rates_or_long.report
        rates_or_long = rates_or_long.data
    if report is None:
        report = ValidationReport()
    df = rates_or_long
    if df.attrs:
        df = df.copy(deep=False)
        df.attrs = {}
    missing = [c for c in ["area_name", "indicator", "numerator", "denominator"] if c not in df.columns]
    if missing:
        raise InputError(code="indicators.table_columns", params={"columns": missing}, column=", ".join(missing))
    keys, level = _group_keys(df, by, name)
    no_group = keys.isna()
    if no_group.any():
        areas = df.loc[no_group, "area_name"].astype(str).unique().tolist()
        report.add("warning", "indicators.no_group",
                   params={"n": len(areas), "names": f"{areas[:10]}{' ...' if len(areas) > 10 else ''}"},
                   action="dropped from aggregate")
    # Integer codes and np.bincount: one pass over the rows, no string groupby (1M rows in ~0.1 s).
    if by is None:
        gcodes, guniques = np.zeros(len(df), dtype=np.intp), pd.Index([name], dtype="string")
    else:
        gcodes, guniques = pd.factorize(keys, use_na_sentinel=True)
    icodes, iuniques = pd.factorize(df["indicator"].astype("string"), use_na_sentinel=True)
    if (icodes < 0).any():
        raise InputError(code="indicators.no_indicator_rows", column="indicator")
    n_ind = len(iuniques)
    # factorize numbers codes by first appearance: the first row of code k is where the running max reaches k
    first_row = np.searchsorted(np.maximum.accumulate(icodes), np.arange(n_ind))
    universe = (df["universe"].astype("string").to_numpy(dtype=object, na_value=None) if "universe" in df.columns
                else np.full(len(df), None, dtype=object))
    mixed = universe != universe[first_row][icodes]
    if mixed.any():
        bad = sorted({str(i) for i in np.asarray(iuniques, dtype=object)[np.unique(icodes[mixed])]})
        raise InputError(code="indicators.mixed_universe", params={"names": bad}, column="universe")
    num = pd.to_numeric(df["numerator"], errors="coerce").to_numpy(dtype=float)
    den = pd.to_numeric(df["denominator"], errors="coerce").to_numpy(dtype=float)
    in_group = gcodes >= 0
    valid = in_group & np.isfinite(num) & (den > 0)
    n_bad = int((in_group & ~valid).sum())
    if n_bad:
        report.add("warning", "indicators.aggregate_missing", params={"n": n_bad}, action="left out of aggregate")
    cell = gcodes.astype(np.int64) * n_ind + icodes
    size = len(guniques) * n_ind

    def total(values: np.ndarray, rows: np.ndarray = valid) -> np.ndarray:
        return np.bincount(cell[rows], weights=values[rows], minlength=size)

    def total_or_nan(values: np.ndarray) -> np.ndarray:
        # a sum of MOEs is unknown as soon as one of them is unknown
        unknown = np.bincount(cell[valid], weights=~np.isfinite(values[valid]), minlength=size) > 0
        return np.where(unknown, np.nan, total(np.nan_to_num(values, nan=0.0)))

    rows_per_cell = np.bincount(cell[in_group], minlength=size)
    counted = np.bincount(cell[valid], minlength=size)
    present = rows_per_cell > 0
    cells = np.flatnonzero(present)
    out = pd.DataFrame({
        "area_code": pd.array(np.asarray(guniques, dtype=object)[cells // n_ind], dtype="string"),
        "area_name": pd.array(np.asarray(guniques, dtype=object)[cells // n_ind], dtype="string"),
        "level": level,
        "parent": pd.array([pd.NA] * len(cells), dtype="string"),
        "indicator": pd.array(np.asarray(iuniques, dtype=object)[cells % n_ind], dtype="string"),
    })
    itu = (df["itu_code"].astype("string").to_numpy()[first_row] if "itu_code" in df.columns
           else np.full(n_ind, pd.NA, dtype=object))
    out["itu_code"] = pd.array(itu[cells % n_ind], dtype="string")
    out["universe"] = pd.array(universe[first_row][cells % n_ind], dtype="string")
    out["numerator"] = total(num)[cells]
    out["denominator"] = total(den)[cells]
    out["n_areas"] = counted[cells].astype(int)
    out["n_areas_missing"] = (rows_per_cell - counted)[cells].astype(int)
    has_moe = "numerator_moe" in df.columns and df["numerator_moe"].notna().any()
    has_n = "sample_size" in df.columns and df["sample_size"].notna().any()
    if has_moe:
        nm = pd.to_numeric(df["numerator_moe"], errors="coerce").to_numpy(dtype=float)
        dm = (pd.to_numeric(df["denominator_moe"], errors="coerce").to_numpy(dtype=float)
              if "denominator_moe" in df.columns else np.full(len(df), np.nan))
        out["numerator_moe"] = np.sqrt(total_or_nan(nm ** 2)[cells])
        out["denominator_moe"] = np.sqrt(total_or_nan(dm ** 2)[cells])
    if has_n:
        n = pd.to_numeric(df["sample_size"], errors="coerce").to_numpy(dtype=float)
        deff = (pd.to_numeric(df["design_effect"], errors="coerce").fillna(1.0).to_numpy(dtype=float)
                if "design_effect" in df.columns else np.ones(len(df)))
        ok = valid & np.isfinite(n)
        out["sample_size"] = total(n, ok)[cells]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["design_effect"] = total(n * deff, ok)[cells] / out["sample_size"].to_numpy()
    rates = compute_rates(out, survey=survey if survey is not None else (has_moe or has_n),
                          confidence=confidence, on_invalid="report", report=report)
    if "rate_only" in df.columns and df["rate_only"].fillna(False).astype(bool).any():
        # published rates with no households/persons: a sum of shares weights nothing
        unweighted = np.asarray(iuniques, dtype=object)[np.unique(icodes[df["rate_only"].fillna(False)
                                                                          .astype(bool).to_numpy()])]
        hit = rates["indicator"].isin(unweighted).to_numpy()
        rates.loc[hit, ["numerator", "denominator", "share", "pct", "ci_low", "ci_high", "share_moe90"]] = np.nan
        report.add("warning", "indicators.no_weights", params={"names": list(map(str, unweighted))},
                   action="not computed")
    rates.attrs["aggregated_by"] = level
    return rates


def without_any(long: pd.DataFrame, indicators: list[str] | None = None, *,
                none_indicator: str = "no_computer", any_indicator: str | None = "any_device",
                exclusive: bool = False, name: str = "none_of_listed") -> pd.DataFrame:
    """Households (or persons) without any of the listed devices, only where the table allows.

    A household with a smartphone and a tablet is counted in both categories, so the share
    *without any* device can **not** be derived from overlapping categories: the union is not
    the sum. It is returned only when

    1. the table gives it directly (``none_indicator``, e.g. ACS S2801 row 011 "No computer");
    2. or the table gives "has at least one of them" (``any_indicator``, ACS row 002): the
       complement ``denominator - numerator``, with MOE ``sqrt(MOE_any^2 + MOE_den^2)``
       (conservative, Handbook sum/difference formula);
    3. or the caller asserts that ``indicators`` are mutually exclusive (``exclusive=True``,
       e.g. "desktop only", "smartphone only"... which are not exhaustive either, so use it
       only for truly exclusive and exhaustive breakdowns): ``denominator - sum``.

    Parameters
    ----------
    long
        The long table.
    indicators
        The listed devices (only used with ``exclusive=True``).
    none_indicator, any_indicator
        Names of the "none" and "at least one" indicators in the table.
    exclusive
        The listed indicators are mutually exclusive categories.
    name
        Indicator name of a derived result.

    Returns
    -------
    DataFrame
        Long rows (same columns as the input) of the "without any" indicator.

    Raises
    ------
    InputError
        When the table does not allow it.

    Examples
    --------
    >>> long = pd.DataFrame({"area_name": ["A", "A"], "indicator": ["computer", "tablet"],
    ...                      "numerator": [30.0, 20.0], "denominator": [100.0, 100.0]})
    >>> without_any(long, ["computer", "tablet"], exclusive=True)["numerator"].tolist()
    [50.0]
    """
    present = set(long["indicator"].astype(str))
    if none_indicator in present:
        return long[long["indicator"] == none_indicator].reset_index(drop=True)
    if any_indicator and any_indicator in present:
        out = long[long["indicator"] == any_indicator].copy()
        out["numerator"] = out["denominator"] - out["numerator"]
        if "numerator_moe" in out.columns:
            dm = out["denominator_moe"] if "denominator_moe" in out.columns else 0.0
            out["numerator_moe"] = np.sqrt(out["numerator_moe"] ** 2 + dm ** 2)
        if "share_moe" in out.columns:
            out = out.drop(columns="share_moe")
        out["indicator"] = name
        out["itu_code"] = pd.NA
        return out.reset_index(drop=True)
    if exclusive and indicators:
        absent = [i for i in indicators if i not in present]
        if absent:
            raise InputError(code="indicators.indicators_not_in_table",
                             params={"names": absent, "choices": sorted(present)}, column=", ".join(absent))
        sub = long[long["indicator"].isin(indicators)]
        keys = [c for c in ("area_code", "area_name", "level", "parent") if c in sub.columns]
        universes = sub["universe"].dropna().unique() if "universe" in sub.columns else []
        if len(universes) > 1:
            raise InputError(code="indicators.listed_mixed_universe", column="universe")
        g = sub.groupby(keys, sort=False, dropna=False)
        out = g.agg(numerator=("numerator", "sum"), denominator=("denominator", "first"),
                    n=("indicator", "size")).reset_index()
        n_listed = out.pop("n")
        if (n_listed < len(indicators)).any():
            raise InputError(code="indicators.listed_incomplete", column="indicator",
                             area=str(out.loc[n_listed < len(indicators), "area_name"].iloc[0]))
        out["numerator"] = out["denominator"] - out["numerator"]
        if (out["numerator"] < -1e-9 * out["denominator"]).any():
            bad = out.loc[out["numerator"] < 0, "area_name"].iloc[0]
            raise InputError(code="indicators.listed_overlap", area=str(bad))
        out["indicator"] = name
        out["itu_code"] = pd.NA
        if len(universes):
            out["universe"] = universes[0]
        return out
    raise InputError(code="indicators.union_not_derivable",
                     params={"none_indicator": none_indicator, "any_indicator": any_indicator}, column=none_indicator)


def _lower_is_better(indicator: str) -> bool:
    s = str(indicator).lower()
    return s.startswith(("no_", "none", "without")) or s.endswith("_only")


def _rank_within(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Rank (1 = highest, ties share the best rank, NaN not ranked) of ``values`` within each code."""
    from scipy.stats import rankdata

    ranks = np.full(len(values), np.nan)
    n_codes = int(codes.max()) + 1 if len(codes) else 0
    if n_codes <= 64:
        groups = (np.flatnonzero(codes == k) for k in range(n_codes))
    else:
        order = np.argsort(codes, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    for idx in groups:
        v = values[idx]
        ok = np.isfinite(v)
        ranks[idx[ok]] = rankdata(-v[ok], method="min")
    return ranks


def gap_to_territory(rates: pd.DataFrame,
                     territory: "pd.DataFrame | Mapping[str, float] | pd.Series | None" = None,
                     *, higher_is_better: Mapping[str, bool] | None = None) -> pd.DataFrame:
    """Gap of each district to the territory's figure, and its rank (formerly ``gaps``).

    Parameters
    ----------
    rates
        Output of :func:`compute_rates`.
    territory
        The territory's figures: ``None`` (the denominator-weighted aggregate of ``rates``,
        :func:`aggregate`), the output of ``aggregate`` (one row per indicator), or a mapping
        ``indicator -> share`` (0-1), e.g. a published national figure.
    higher_is_better
        Per indicator, whether a higher share is better (for the rank). Default: True, except
        for indicators named ``no_*``, ``none*``, ``without*`` or ``*_only`` (e.g.
        ``no_computer``, ``smartphone_only``).

    Returns
    -------
    DataFrame
        One row per (district, indicator): ``area_code, area_name, indicator, universe, share,
        territory_share, gap_pp`` (percentage points, district minus territory),
        ``ratio_to_territory``, ``rank`` (1 = best, ties share the best rank), ``rank_of``
        (districts ranked), ``gap_significant`` (90 % test with the MOEs when known, else <NA>;
        the covariance of a district with a territory containing it is ignored).

    Examples
    --------
    >>> r = compute_rates(pd.DataFrame({"area_name": ["A", "B"], "indicator": "internet",
    ...                                 "numerator": [30.0, 10.0], "denominator": [100.0, 100.0]}))
    >>> gap_to_territory(r)[["gap_pp", "rank"]].round(1).values.tolist()
    [[10.0, 1.0], [-10.0, 2.0]]
    """
    if "share" not in rates.columns:
        rates = compute_rates(rates)
    if territory is None:
        territory = aggregate(rates)
    if isinstance(territory, pd.DataFrame):
        terr = territory if "indicator" not in territory.columns else territory.set_index("indicator")
        if terr.index.duplicated().any():
            raise InputError(code="indicators.territory_rows")
        terr_share = terr["share"]
        terr_moe = terr["share_moe90"] if "share_moe90" in terr.columns else pd.Series(np.nan, index=terr.index)
    else:
        terr_share = pd.Series(dict(territory), dtype=float)
        terr_moe = pd.Series(np.nan, index=terr_share.index)
    cols = [c for c in ("area_code", "area_name", "level", "parent", "indicator", "universe", "share",
                        "share_moe90") if c in rates.columns]
    out = rates[cols].copy().reset_index(drop=True)
    out.attrs = {}
    # work on integer codes of the indicator: no per-row Python or string mapping
    icodes, iuniques = pd.factorize(out["indicator"].astype("string"), use_na_sentinel=True)
    names = [str(i) for i in iuniques]
    hib = {i: (not _lower_is_better(i)) for i in names}
    hib.update(dict(higher_is_better or {}))
    terr_share_u = terr_share.reindex(names).to_numpy(dtype=float)
    terr_moe_u = terr_moe.reindex(names).to_numpy(dtype=float)
    sign_u = np.array([1.0 if hib[i] else -1.0 for i in names])
    share = out["share"].to_numpy(dtype=float)
    t_share = terr_share_u[icodes]
    out["territory_share"] = t_share
    out["gap_pp"] = 100 * (share - t_share)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio_to_territory"] = share / t_share
    out["rank"] = _rank_within(icodes, sign_u[icodes] * share)
    out["rank_of"] = np.bincount(icodes, weights=np.isfinite(share), minlength=len(names)).astype(int)[icodes]
    if "share_moe90" in out.columns:
        m1 = out["share_moe90"].to_numpy(dtype=float)
        m2 = terr_moe_u[icodes]
        sig = significantly_different(share, m1, t_share, m2)
        known = np.isfinite(m1) & np.isfinite(m2)
        out["gap_significant"] = pd.array(np.where(known, sig, False), dtype="boolean")
        out.loc[~known, "gap_significant"] = pd.NA
    out.attrs = {"units": {"share": "0-1", "territory_share": "0-1", "gap_pp": "percentage points",
                           "ratio_to_territory": "ratio", "rank": "1 = best"}}
    return out


#: Former name of :func:`gap_to_territory` (deprecated, kept one release): "gaps" also names the
#: coverage gap zones of :mod:`egovkit.coverage` and the gap sections of the report.
gaps = deprecated_alias(gap_to_territory, "gaps")
