"""Rates per district: share and percent, small-denominator flag, confidence intervals.

A rate is ``numerator / denominator`` of one indicator in one district; ``universe`` says
whether the denominator counts households or persons. Uncertainty depends on where the table
comes from:

* **full census** (no sample size, no margins of error): no sampling error is claimed;
  ``ci_low``/``ci_high``/``share_moe90`` are NaN and ``ci_method`` is
  ``"census (no sampling error)"``;
* **sample survey with a sample size** (``sample_size``, optionally ``design_effect``):
  Wilson score interval with the effective sample size ``n / deff`` (``ci_method = "wilson"``);
* **published margins of error** (ACS: 90 %): the published ``share_moe`` if given, else the
  Census Bureau's approximation for a derived proportion from ``numerator_moe`` and
  ``denominator_moe`` (:func:`egovkit.indicators.moe.moe_proportion`), converted to the requested
  confidence level (``ci_method = "moe"``).

Examples
--------
>>> long = pd.DataFrame({"area_name": ["A", "B"], "indicator": "internet",
...                      "numerator": [30.0, 5.0], "denominator": [100.0, 20.0]})
>>> compute_rates(long)[["pct", "small_denominator", "ci_method"]].values.tolist()
[[30.0, False, 'census (no sampling error)'], [25.0, True, 'census (no sampling error)']]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from ..errors import InputError
from ..export import write_csv
from ..shared.messages import render
from ..validate import ValidationReport
from .catalogue import canonical_name, itu_catalogue
from .moe import convert_moe, moe_proportion, z_value

CENSUS = "census (no sampling error)"

#: Units of the columns added by :func:`compute_rates` (also in ``DataFrame.attrs["units"]``).
RATE_UNITS = {
    "share": "0-1, numerator / denominator (denominator = universe)",
    "pct": "0-100",
    "ci_low": "0-1", "ci_high": "0-1",
    "share_moe90": "0-1, 90 % margin of error",
    "numerator": "count of the universe", "denominator": "count of the universe",
}


def wilson_interval(share, n, confidence: float = 0.95):
    """Wilson score interval of a proportion (vectorised).

    ``centre = (p + z^2/2n) / (1 + z^2/n)``, ``half = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)``.

    Parameters
    ----------
    share
        Observed proportion(s), 0-1.
    n
        (Effective) sample size(s).
    confidence
        Two-sided level.

    Returns
    -------
    (low, high) arrays (or floats), NaN where n is missing or not positive.

    Examples
    --------
    >>> lo, hi = wilson_interval(0.5, 100, 0.95)
    >>> round(lo, 4), round(hi, 4)
    (0.4038, 0.5962)
    """
    p = np.asarray(share, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(n > 0, n, np.nan)
        denom = 1 + z ** 2 / n
        centre = (p + z ** 2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    if not lo.ndim:
        return float(lo), float(hi)
    return lo, hi


def _where(row: pd.Series) -> dict[str, Any]:
    src_row = row.get("source_row")
    return {
        "file": None if pd.isna(row.get("source", np.nan)) else str(row.get("source")),
        "row": None if src_row is None or pd.isna(src_row) else int(src_row),
        "area": str(row.get("area_name")),
    }


def _by_name(indicators: pd.Series, column: pd.Series) -> pd.Series:
    """Catalogue ``column`` for each indicator name or alias (resolved once per distinct name)."""
    names = indicators.astype("string")
    lookup = {u: column.get(canonical_name(str(u))) for u in names.dropna().unique()}
    return names.map(lookup).astype("string")


def _fill_catalogue_columns(df: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    cat = itu_catalogue().set_index("name")
    if "universe" not in df.columns:
        df["universe"] = pd.Series(pd.NA, index=df.index, dtype="string")
    if "itu_code" not in df.columns:
        df["itu_code"] = pd.Series(pd.NA, index=df.index, dtype="string")
    missing = df["universe"].isna()
    if missing.any():
        df.loc[missing, "universe"] = _by_name(df.loc[missing, "indicator"], cat["unit"])
        still = df["universe"].isna()
        if still.any():
            names = sorted(df.loc[still, "indicator"].astype(str).unique())
            raise InputError(code="indicators.unknown_universe", params={"names": names}, column="universe")
        report.add("info", "indicators.universe_from_catalogue", params={"n": int(missing.sum())},
                   column="universe", action="inferred")
    code_missing = df["itu_code"].isna()
    if code_missing.any():
        df.loc[code_missing, "itu_code"] = _by_name(df.loc[code_missing, "indicator"], cat["itu_code"])
    return df


def compute_rates(
    long: "pd.DataFrame | Any",
    *,
    survey: bool | None = None,
    confidence: float = 0.95,
    small_denominator: int | None = None,
    on_invalid: str = "raise",
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Share, percent, small-denominator flag and confidence interval of every (district, indicator).

    Parameters
    ----------
    long
        The long indicator table (``CensusTable.data`` or a ``CensusTable``): at least
        ``area_name, indicator, numerator, denominator``; ``universe`` is taken from the ITU
        catalogue when absent. Optional ``numerator_moe, denominator_moe, share_moe`` (90 %),
        ``sample_size, design_effect``.
    survey
        ``None`` (default): a sample survey when the table has ``sample_size`` or margins of
        error, else a full census. ``True``: a sample survey; rows without a sample size or
        MOE use the denominator as the (unweighted) sample size, which is recorded in the
        report. ``False``: a full census; published MOEs/sample sizes are ignored (reported).
    confidence
        Level of ``ci_low``/``ci_high`` (``share_moe90`` is always 90 %).
    small_denominator
        Denominators below this are flagged; default ``egovkit.settings.small_denominator``.
    on_invalid
        What to do with a negative numerator, a numerator above the denominator, or a
        denominator that is missing or not positive: ``"raise"`` (an :class:`InputError`
        naming the district, indicator and source row) or ``"report"`` (the rate is left NaN
        and an error is recorded in ``report``).
    report
        A :class:`ValidationReport` to record into; default: the table's own report when a
        ``CensusTable`` is given, else a new one (pass your own to read it afterwards).

    Returns
    -------
    DataFrame
        The input columns plus ``share`` (0-1), ``pct`` (0-100), ``small_denominator`` (bool),
        ``ci_low``, ``ci_high`` (0-1, at ``confidence``), ``ci_method``, ``share_moe90`` (0-1).
        ``attrs``: ``confidence``, ``units``.

    Examples
    --------
    >>> long = pd.DataFrame({"area_name": ["A"], "indicator": ["internet"], "numerator": [50.0],
    ...                      "denominator": [100.0], "sample_size": [100]})
    >>> r = compute_rates(long)
    >>> round(float(r.loc[0, "ci_low"]), 4), r.loc[0, "ci_method"]
    (0.4038, 'wilson')
    """
    if hasattr(long, "data") and isinstance(long.data, pd.DataFrame):
        if report is None:
            report = long.report
        long = long.data
    if report is None:
        report = ValidationReport()
    if on_invalid not in ("raise", "report"):
        raise InputError(code="indicators.on_invalid", params={"value": on_invalid})
    required = ["area_name", "indicator", "numerator", "denominator"]
    missing = [c for c in required if c not in long.columns]
    if missing:
        raise InputError(code="indicators.long_table_columns", params={"columns": missing},
                         column=", ".join(missing))
    threshold = settings.small_denominator if small_denominator is None else small_denominator

    df = long.copy()
    df.attrs = {}
    df = _fill_catalogue_columns(df, report)
    num = pd.to_numeric(df["numerator"], errors="coerce").astype(float)
    den = pd.to_numeric(df["denominator"], errors="coerce").astype(float)
    df["numerator"], df["denominator"] = num, den

    bad_den = ~(den > 0)
    bad_num = num.notna() & ((num < 0) | (num > den * (1 + 1e-9) + 1e-9))
    no_num = num.isna() & ~bad_den
    invalid = bad_den | bad_num
    if invalid.any():
        idx = invalid[invalid].index
        if on_invalid == "raise":
            row = df.loc[idx[0]]
            more = render("indicators.more_invalid_rows", {"n": len(idx) - 1}) if len(idx) > 1 else ""
            said = {"indicator": row["indicator"], "numerator": f"{row['numerator']:g}",
                    "denominator": f"{row['denominator']:g}", "more": more}
            raise InputError(code="indicators.bad_denominator" if bad_den[idx[0]] else "indicators.bad_numerator",
                             params=said, **_where(row), column=str(row["indicator"]))
        for i in idx:
            row = df.loc[i]
            w = _where(row)
            report.add("error", "indicators.invalid_rate_denominator" if bad_den[i]
                       else "indicators.invalid_rate_numerator", params={"indicator": row["indicator"]},
                       row=w["row"], area=w["area"], column=str(row["indicator"]), action="kept (rate not computed)")
    if no_num.any():
        report.add("warning", "indicators.missing_numerator", params={"n": int(no_num.sum())},
                   action="kept (rate not computed)")

    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(invalid, np.nan, num / den)
    df["share"] = share
    df["pct"] = 100 * df["share"]
    df["small_denominator"] = (den < threshold).fillna(False).astype(bool)
    if "rate_only" in df.columns:  # a published rate (denominator 1) has no size to be small
        df.loc[df["rate_only"].fillna(False).astype(bool), "small_denominator"] = False
    n_small = int(df["small_denominator"].sum())
    if n_small:
        report.add("warning", "indicators.small_denominator", params={"n": n_small, "threshold": threshold},
                   action="flagged (small_denominator)")

    has = {c: c in df.columns and df[c].notna().any() for c in
           ("sample_size", "design_effect", "share_moe", "numerator_moe", "denominator_moe")}
    has_moe = has["share_moe"] or has["numerator_moe"]
    if survey is None:
        survey = has["sample_size"] or has_moe
    df["ci_low"] = np.nan
    df["ci_high"] = np.nan
    df["share_moe90"] = np.nan
    df["ci_method"] = CENSUS
    if not survey:
        if has["sample_size"] or has_moe:
            report.add("warning", "indicators.moe_ignored", action="ignored")
    else:
        remaining = pd.Series(~invalid.to_numpy(), index=df.index)
        z90 = z_value(0.90)
        if has["sample_size"]:
            n = pd.to_numeric(df["sample_size"], errors="coerce").astype(float)
            deff = (pd.to_numeric(df["design_effect"], errors="coerce").astype(float).fillna(1.0)
                    if "design_effect" in df.columns else pd.Series(1.0, index=df.index))
            use = remaining & n.notna()
            n_eff = n / deff
            lo, hi = wilson_interval(df["share"], n_eff, confidence)
            df.loc[use, "ci_low"] = lo[use.to_numpy()]
            df.loc[use, "ci_high"] = hi[use.to_numpy()]
            with np.errstate(divide="ignore", invalid="ignore"):
                se = np.sqrt(df["share"] * (1 - df["share"]) / n_eff)
            df.loc[use, "share_moe90"] = (z90 * se)[use]
            df.loc[use, "ci_method"] = "wilson"
            remaining &= ~use
        if has_moe:
            moe90 = pd.Series(np.nan, index=df.index)
            if has["share_moe"]:
                moe90 = pd.to_numeric(df["share_moe"], errors="coerce").astype(float)
            if has["numerator_moe"]:
                nm = pd.to_numeric(df["numerator_moe"], errors="coerce").astype(float)
                dm = (pd.to_numeric(df["denominator_moe"], errors="coerce").astype(float).fillna(0.0)
                      if "denominator_moe" in df.columns else pd.Series(0.0, index=df.index))
                derived, fallback = moe_proportion(num, den, nm, dm, return_fallback=True)
                fill = moe90.isna()
                moe90 = moe90.where(~fill, pd.Series(derived, index=df.index))
                n_fb = int((fill & pd.Series(fallback, index=df.index) & remaining).sum())
                if n_fb:
                    report.add("info", "indicators.moe_ratio_fallback", params={"n": n_fb}, action="computed")
            use = remaining & moe90.notna()
            m = convert_moe(moe90, 0.90, confidence)
            df.loc[use, "share_moe90"] = moe90[use]
            df.loc[use, "ci_low"] = (df["share"] - m).clip(0, 1)[use]
            df.loc[use, "ci_high"] = (df["share"] + m).clip(0, 1)[use]
            df.loc[use, "ci_method"] = "moe"
            remaining &= ~use
        if remaining.any():
            # survey without sample size or MOE for these rows: the denominator is the sample.
            n = den[remaining]
            lo, hi = wilson_interval(df.loc[remaining, "share"], n, confidence)
            df.loc[remaining, "ci_low"] = lo
            df.loc[remaining, "ci_high"] = hi
            with np.errstate(divide="ignore", invalid="ignore"):
                se = np.sqrt(df.loc[remaining, "share"] * (1 - df.loc[remaining, "share"]) / n)
            df.loc[remaining, "share_moe90"] = z90 * se
            df.loc[remaining, "ci_method"] = "wilson (denominator as sample size)"
            report.add("warning", "indicators.sample_size_guessed", params={"n": int(remaining.sum())},
                       column="sample_size", action="inferred")
    # attrs stay small: pandas deep-copies them on every operation (so the report is not kept here).
    df.attrs = {"confidence": confidence, "units": dict(RATE_UNITS)}
    return df


def write_indicators(df: pd.DataFrame, path: str | Path, *, boundaries: Any = None,
                     on: str = "area_code", layer: str | None = None) -> Path:
    """Write a result table to CSV (``.csv``) or GeoPackage (``.gpkg``).

    Parameters
    ----------
    df
        Any tidy result (rates, aggregates, gaps, composite index); a GeoDataFrame is written
        with its own geometry.
    path
        Output file; the suffix chooses the format.
    boundaries
        For ``.gpkg`` when ``df`` has no geometry: a GeoDataFrame with a column ``on`` (e.g.
        ``area_code``) whose geometry is attached to each row.
    on
        Join column between ``df`` and ``boundaries``.
    layer
        GeoPackage layer name (default: the file stem).

    Examples
    --------
    >>> import tempfile, os
    >>> p = write_indicators(pd.DataFrame({"a": [1]}), os.path.join(tempfile.mkdtemp(), "x.csv"))
    >>> p.suffix
    '.csv'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = df.copy()
    out.attrs = {}
    if path.suffix.lower() == ".csv":
        if "geometry" in out.columns:
            out = pd.DataFrame(out.drop(columns="geometry"))
        write_csv(out, path)  # district names from user files: formulas neutralised
        return path
    if path.suffix.lower() != ".gpkg":
        raise InputError(code="indicators.unknown_format", params={"file": path.name}, file=str(path))
    import geopandas as gpd

    if not isinstance(out, gpd.GeoDataFrame):
        if boundaries is None:
            raise InputError(code="indicators.gpkg_needs_geometries", file=str(path))
        if on not in boundaries.columns or on not in out.columns:
            raise InputError(code="indicators.join_column_missing", params={"column": on}, file=str(path),
                             column=on)
        geo = boundaries[[on, boundaries.geometry.name]].copy()
        geo[on] = geo[on].astype("string")
        out[on] = out[on].astype("string")
        out = gpd.GeoDataFrame(out.merge(geo, on=on, how="left"), geometry=boundaries.geometry.name,
                               crs=boundaries.crs)
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].astype("int8")
    out.to_file(path, layer=layer or path.stem, driver="GPKG")
    return path
