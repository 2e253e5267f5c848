"""The rate of every district, read and checked once: the input of every distribution analysis.

Every analysis of :mod:`egovkit.distribution` (``inequality``, ``lorenz_curve``,
``theil_decomposition``, ``lagging_districts``, ``smooth_rates``, ``global_moran``,
``local_moran``) and the distribution charts of :mod:`egovkit.present` take one row per district
and a rate. :func:`rate_table` says once which columns hold the rate (``indicator=``,
``numerator=``/``denominator=`` or ``share=``/``weight=``) and the district (``key=`` its code,
``name=`` its label), checks the values and returns a :class:`RateTable`, which every analysis
accepts in place of the frame and its keywords (the way esda takes one array through every
statistic)::

    rates = rate_table(gdf, indicator="internet", key="area_code", name="area_name")
    inequality(rates); lorenz_curve(rates); local_moran(rates); theil_decomposition(rates, by="region")

The keywords still work on each function (they build the same table): they are declared once, as
:class:`RateColumns`, and every analysis takes them as ``**columns``.

It lives in :mod:`egovkit.distribution` (not :mod:`egovkit.indicators`, whose tables are long,
one row per district and indicator): it is the wide, one-row-per-district view that only the
distribution analyses and their charts read.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"code": ["1", "2"], "name": ["A", "B"], "n": [10, 30], "d": [100, 100]})
>>> rates = rate_table(df, numerator="n", denominator="d", key="code", name="name")
>>> rates.table[["area", "key", "share"]].values.tolist()
[['A', '1', 0.1], ['B', '2', 0.3]]
>>> len(rates), below([0.1, 0.3], 0.2).tolist()
(2, [True, False])
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, TypedDict, Unpack

import numpy as np
import pandas as pd

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..validate import ValidationReport

__all__ = ["DISTRICT_NAME_COLUMNS", "RTOL", "Invalid", "RateColumns", "RateTable", "as_rate_table", "below",
           "check_rate_columns", "district_names", "list_names", "rate_table"]

Invalid = Literal["raise", "drop"]

#: Column names searched (in this order) for district names when ``name`` is not given.
DISTRICT_NAME_COLUMNS = ("area_name", "name", "district", "county", "area_code")
#: Relative tolerance under which two rates are taken as equal (floating-point noise of a
#: weighted mean: 0.37 * 3 districts gives a mean of 0.37000000000000005).
RTOL = 1e-9

_MAX_NAMES = 10


class RateColumns(TypedDict, total=False):
    """Which columns of a frame hold the rate of every district, and name the district.

    The keywords of :func:`rate_table`, declared once: every analysis of :mod:`egovkit.distribution`
    and every distribution chart takes them as ``**columns`` (or a :class:`RateTable` in place of the
    frame and these keywords). Give ``indicator=``, or ``numerator=`` and ``denominator=``, or
    ``share=`` and ``weight=``; ``key=`` and ``name=`` are optional.

    Attributes
    ----------
    indicator
        Short cut: uses ``numerator_<indicator>`` and ``denominator_<indicator>``
        (the columns of ``egovkit.join.join_table(...).gdf``).
    numerator, denominator
        Count columns (households or persons with the item / in scope).
    share, weight
        Alternatively a rate column (0-1) and the column of its denominator counts.
    key
        Column of the district codes (kept as ``key`` in :attr:`RateTable.table`).
    name
        Column of the district names (for messages and tables); default ``key``, else the first of
        ``area_name, name, district, county, area_code``, else the index (``area=`` is its former
        name, still accepted with a warning where a function took it).

    Examples
    --------
    >>> sorted(RateColumns.__annotations__)
    ['denominator', 'indicator', 'key', 'name', 'numerator', 'share', 'weight']
    """

    indicator: str | None
    numerator: str | None
    denominator: str | None
    share: str | None
    weight: str | None
    key: str | None
    name: str | None


def check_rate_columns(columns: Mapping[str, Any], caller: str) -> None:
    """Raise ``TypeError`` (as Python does for a misspelt keyword) when ``columns`` has a keyword that is
    not one of :class:`RateColumns`: ``**columns`` would otherwise take any keyword silently.

    >>> check_rate_columns({"numerator": "n", "denominator": "d"}, "inequality")
    >>> check_rate_columns({"numerater": "n"}, "inequality")
    Traceback (most recent call last):
    ...
    TypeError: inequality() got an unexpected keyword argument 'numerater'
    """
    for k in columns:
        if k not in RateColumns.__annotations__:
            raise TypeError(f"{caller}() got an unexpected keyword argument {k!r}")


def list_names(areas: pd.Series | Any) -> str:
    """The first ten names, joined by commas, and how many more there are.

    >>> list_names(pd.Series(["A", "B"]))
    'A, B'
    >>> list_names(pd.Series(range(12))).endswith("9 and 2 more")
    True
    """
    vals = [str(a) for a in pd.Series(areas).tolist()]
    text = ", ".join(vals[:_MAX_NAMES])
    if len(vals) > _MAX_NAMES:
        text = render("distribution.names_more", {"names": text, "n": len(vals) - _MAX_NAMES})
    return text


def district_names(df: pd.DataFrame, name: str | None = None, key: str | None = None) -> pd.Series:
    """Each row's district label, as text: column ``name``, else ``key``, else the first of
    :data:`DISTRICT_NAME_COLUMNS` the frame has, else the index.

    >>> district_names(pd.DataFrame({"county": ["Lamu"], "x": [1]})).tolist()
    ['Lamu']
    """
    for kw, col in (("name", name), ("key", key)):
        if col is not None:
            if col not in df.columns:
                raise InputError(code="distribution.no_district_column",
                                 params={"column": col, "keyword": kw, "columns": list(map(str, df.columns))},
                                 column=col)
            return df[col].astype(str)
    for col in DISTRICT_NAME_COLUMNS:
        if col in df.columns:
            return df[col].astype(str)
    return pd.Series(df.index.astype(str), index=df.index)


def below(y: np.ndarray | pd.Series | Any, threshold: float) -> np.ndarray:
    """``y < threshold``, with rates equal to the threshold up to :data:`RTOL` not below.

    Examples
    --------
    >>> below(np.array([0.37, 0.2]), 0.37000000000000005).tolist()
    [False, True]
    """
    y = np.asarray(y, dtype=float)
    return (y < threshold) & ~np.isclose(y, threshold, rtol=RTOL, atol=0.0)


@dataclass
class RateTable:
    """The checked rate of every district (output of :func:`rate_table`).

    Attributes
    ----------
    table
        One row per district kept (the input's index): ``area`` (its label), ``key`` (its code,
        when ``key=`` was given), ``share`` (the rate, 0-1), ``weight`` (the denominator, or the
        ``weight`` column), ``count`` (the same, households or persons) and ``numerator``.
    source
        The input frame (every row, with its geometry for a GeoDataFrame).
    dropped
        Input index label -> why the row was left out (``invalid="drop"``).
    columns
        What each role was read from: ``numerator``/``denominator`` or ``share``/``weight``,
        and ``key``/``name`` when given.
    report
        The report the drops were recorded in.
    """

    table: pd.DataFrame
    source: pd.DataFrame
    dropped: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    report: ValidationReport | None = None

    def __len__(self) -> int:
        return len(self.table)

    @property
    def index(self) -> pd.Index:
        """The index labels of the districts kept."""
        return self.table.index

    @property
    def name(self) -> str | None:
        """The column of the district labels, when one was given."""
        return self.columns.get("name")

    @property
    def key(self) -> str | None:
        """The column of the district codes, when one was given."""
        return self.columns.get("key")

    def rows(self) -> pd.DataFrame:
        """The input rows kept (same index as :attr:`table`)."""
        return self.source.loc[self.table.index]


def _rate_columns(indicator, numerator, denominator, share, weight) -> dict[str, str]:
    """Which column holds each part of the rate (``numerator``/``denominator`` or ``share``/``weight``)."""
    if indicator is not None:
        numerator = numerator or f"numerator_{indicator}"
        denominator = denominator or f"denominator_{indicator}"
    if numerator is not None or denominator is not None:
        if numerator is None or denominator is None:
            raise InputError(code="distribution.numerator_and_denominator")
        if share is not None or weight is not None:
            raise InputError(code="distribution.counts_or_share")
        return {"numerator": numerator, "denominator": denominator}
    if share is not None:
        if weight is None:
            raise InputError(code="distribution.share_needs_weight", column=share)
        return {"share": share, "weight": weight}
    raise InputError(code="distribution.no_rate_columns")


def _check_frame(df: pd.DataFrame, cols: dict[str, str], areas: pd.Series) -> dict[str, pd.Series]:
    """The rate's columns as numbers, after checking they exist, the index is unique and the values numeric."""
    for col in cols.values():
        if col not in df.columns:
            raise InputError(code="distribution.no_column",
                             params={"column": col, "columns": list(map(str, df.columns))}, column=col)
    if not df.index.is_unique:
        dup = df.index.duplicated(keep=False)
        raise InputError(code="distribution.duplicate_index",
                         params={"labels": list_names(pd.Series(df.index[dup]).drop_duplicates()),
                                 "names": list_names(areas[dup])})
    vals = {k: pd.to_numeric(df[c], errors="coerce").astype(float) for k, c in cols.items()}
    for k, c in cols.items():
        bad_text = df[c].notna() & vals[k].isna()
        if bad_text.any():
            raise InputError(code="distribution.non_numeric", params={"names": list_names(areas[bad_text])}, column=c)
    return vals


def _problems(vals: dict[str, pd.Series], cols: dict[str, str], w: pd.Series,
              allow_zero_weight: bool) -> list[tuple[pd.Series, str, str]]:
    """``(mask, column, problem code)`` of every kind of invalid row, in the order they are said."""
    problems: list[tuple[pd.Series, str, str]] = []
    for k, c in cols.items():
        problems.append((vals[k].isna(), c, "missing_value"))
        problems.append((vals[k] < 0, c, "negative_value"))
    if not allow_zero_weight:
        problems.append((w == 0, cols.get("denominator", cols.get("weight")), "zero_denominator"))
    if "numerator" in vals:
        problems.append((vals["numerator"] > vals["denominator"], cols["numerator"], "numerator_above_denominator"))
    else:
        s = vals["share"]
        over = s > 1
        looks_pct = bool(over.any() and s.max() <= 100)
        problems.append((over, cols["share"], "rate_above_one_pct" if looks_pct else "rate_above_one"))
    return problems


def _drop_invalid(df, problems, areas, invalid, report, dropped, stacklevel) -> pd.Series:
    """Raise on the first problem (``invalid="raise"``) or mark its rows dropped; the rows dropped.

    A problem ``p`` is said with the catalogue codes ``distribution.<p>`` (the error and its fix),
    ``distribution.dropped_<p>`` (the report entry) and ``distribution.what_<p>`` (its words)."""
    bad_any = pd.Series(False, index=df.index)
    for mask, col, problem in problems:
        mask = mask.fillna(False).astype(bool) & ~bad_any
        if not mask.any():
            continue
        if invalid == "raise":
            raise InputError(
                code=("distribution.missing_value" if problem == "missing_value"
                      else "distribution.negative_value" if problem == "negative_value"
                      else "distribution.zero_denominator" if problem == "zero_denominator"
                      else "distribution.numerator_above_denominator" if problem == "numerator_above_denominator"
                      else "distribution.rate_above_one_pct" if problem == "rate_above_one_pct"
                      else "distribution.rate_above_one"),
                params={"n": int(mask.sum()), "names": list_names(areas[mask])}, column=col)
        if report is not None:
            for a in areas[mask]:
                report.add("warning",
                           "distribution.dropped_missing_value" if problem == "missing_value"
                           else "distribution.dropped_negative_value" if problem == "negative_value"
                           else "distribution.dropped_zero_denominator" if problem == "zero_denominator"
                           else "distribution.dropped_numerator_above_denominator"
                           if problem == "numerator_above_denominator"
                           else "distribution.dropped_rate_above_one_pct" if problem == "rate_above_one_pct"
                           else "distribution.dropped_rate_above_one",
                           params={"fix_code": f"distribution.{problem}"}, column=col, area=a, action="dropped")
        what = render(f"distribution.what_{problem}")
        warnings.warn(render("distribution.drop_warning", {"column": col, "what": what,
                                                           "names": list_names(areas[mask])}),
                      EgovkitWarning, stacklevel=stacklevel)
        reason = render("distribution.drop_reason", {"what": what, "column": col})
        dropped.update({i: reason for i in df.index[mask]})
        bad_any |= mask
    return bad_any


def rate_table(
    df: pd.DataFrame,
    *,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    allow_zero_weight: bool = False,
    stacklevel: int = 2,
    **columns: Unpack[RateColumns],
) -> RateTable:
    """Read and check the rate of every district: the input of every distribution analysis.

    Parameters
    ----------
    df
        One row per district (a GeoDataFrame for the spatial analyses).
    **columns
        Which columns hold the rate and the district: ``indicator=``, or ``numerator=`` and
        ``denominator=``, or ``share=`` and ``weight=``; ``key=`` (codes) and ``name=`` (labels).
        See :class:`RateColumns`, where they are described once.
    invalid
        ``"raise"`` (default) on missing values, zero denominators, negative values or rates above 1,
        naming the districts; ``"drop"`` leaves those districts out with a warning and one report
        entry each (and says why in :attr:`RateTable.dropped`).
    report
        A :class:`~egovkit.validate.ValidationReport` to record the drops in.
    allow_zero_weight
        Keep districts whose denominator is 0 (their rate is undefined).

    Returns
    -------
    RateTable

    Examples
    --------
    >>> import pandas as pd
    >>> rate_table(pd.DataFrame({"s": [0.5], "hh": [10]}), share="s", weight="hh").table["count"].tolist()
    [10.0]
    """
    check_rate_columns(columns, "rate_table")
    if not isinstance(df, pd.DataFrame):
        raise InputError(code="distribution.not_a_frame", params={"kind": type(df).__name__})
    if invalid not in ("raise", "drop"):
        raise InputError(code="distribution.not_an_option",
                         params={"option": "invalid", "value": invalid, "choices": ["raise", "drop"]})
    cols = _rate_columns(*(columns.get(k) for k in ("indicator", "numerator", "denominator", "share", "weight")))
    key, name = columns.get("key"), columns.get("name")
    if report is not None and report.rows_in == 0:
        report.rows_in = len(df)
    areas = district_names(df, name, key)
    vals = _check_frame(df, cols, areas)
    if "numerator" in vals:
        num, den = vals["numerator"], vals["denominator"]
        with np.errstate(divide="ignore", invalid="ignore"):
            shr = num / den
        w = den
    else:
        shr, w = vals["share"], vals["weight"]
        num = shr * w
    out = pd.DataFrame({"area": areas, "share": shr, "weight": w, "count": w, "numerator": num}, index=df.index)
    if key is not None:
        out.insert(1, "key", df[key].astype(str))
    dropped: dict = {}
    bad = _drop_invalid(df, _problems(vals, cols, w, allow_zero_weight), areas, invalid, report, dropped,
                        stacklevel + 1)
    out = out[~bad]
    wcol = cols.get("denominator", cols.get("weight"))
    if len(out) == 0:
        raise InputError(code="distribution.nothing_left", column=wcol)
    if out["weight"].sum() <= 0:
        raise InputError(code="distribution.zero_total", column=wcol)
    used = dict(cols, **{k: v for k, v in (("key", key), ("name", name)) if v is not None})
    return RateTable(table=out, source=df, dropped=dropped, columns=used, report=report)


def as_rate_table(df: pd.DataFrame | RateTable, *, caller: str = "as_rate_table", invalid: Invalid = "raise",
                  report: ValidationReport | None = None, allow_zero_weight: bool = False, stacklevel: int = 5,
                  **columns: Unpack[RateColumns]) -> RateTable:
    """``df`` itself when it is a :class:`RateTable`, else :func:`rate_table` of it with these keywords.

    A :class:`RateTable` was checked when it was built: giving the rate's columns again raises.
    ``caller`` is the public function whose ``**columns`` these are: a keyword that is not one of
    :class:`RateColumns` raises ``TypeError`` naming it (see :func:`check_rate_columns`).

    >>> import pandas as pd
    >>> t = rate_table(pd.DataFrame({"n": [1], "d": [2]}), numerator="n", denominator="d")
    >>> as_rate_table(t) is t
    True
    """
    check_rate_columns(columns, caller)
    if isinstance(df, RateTable):
        given = sorted(k for k, v in columns.items() if v is not None)
        if given:
            raise InputError(code="distribution.rates_given_twice", params={"keywords": given})
        if report is not None and report is not df.report and report.rows_in == 0:
            report.rows_in = len(df.source)
        return df
    return rate_table(df, invalid=invalid, report=report, allow_zero_weight=allow_zero_weight, stacklevel=stacklevel,
                      **columns)
