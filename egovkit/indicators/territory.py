"""The territory's figures as the table publishes them (its own totals row), not recomputed.

A table of published rates with no households/persons column cannot weight its districts into a
territory figure (:func:`~egovkit.indicators.aggregate` leaves it empty); many such tables carry
the territory's own row (``Total``, the country, or in Open SDG exports the row whose geography
cells are all blank), which :func:`~egovkit.read.read_table` keeps apart in ``other_levels``.

Examples
--------
>>> import pandas as pd
>>> from egovkit.read import read_table
>>> t = read_table(pd.DataFrame({"district": ["A", "B", "Total"], "internet (%)": [40.0, 60.0, 52.5]}))
>>> territory_figures(t)[["area_name", "indicator", "pct", "how"]].values.tolist()
[['Total', 'internet', 52.5, 'published']]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..read.levels import total_kind

_COLUMNS = ["area_code", "area_name", "indicator", "universe", "share", "pct", "how", "source_row"]


def territory_figures(table: Any) -> pd.DataFrame:
    """One row per indicator: the territory figure published in the table's own totals row.

    Parameters
    ----------
    table
        A :class:`~egovkit.table.CensusTable`.

    Returns
    -------
    DataFrame
        ``area_code, area_name, indicator, universe, share`` (0-1), ``pct`` (0-100), ``how``
        (``"published"``: read from the row, not weighted from the districts), ``source_row``.
        Empty when the table has no territory row (a totals row of several candidates keeps the
        first, in file order).
    """
    other = table.other_levels
    if other is None or other.empty:
        return pd.DataFrame(columns=_COLUMNS)
    names = other["area_name"].astype(str)
    level = other["level"].astype(str) if "level" in other.columns else pd.Series("", index=other.index)
    is_total = names.map(total_kind).eq("national") | level.str.lower().isin(["national", "total", "territory"])
    rows = other[is_total.to_numpy()].copy()
    if rows.empty:
        return pd.DataFrame(columns=_COLUMNS)
    rows = rows.sort_values("source_row", kind="stable").drop_duplicates("indicator", keep="first")
    num = pd.to_numeric(rows["numerator"], errors="coerce")
    den = pd.to_numeric(rows["denominator"], errors="coerce")
    out = rows[["area_code", "area_name", "indicator", "universe"]].astype(object).copy()
    out["share"] = (num / den).to_numpy()
    out["pct"] = 100 * out["share"]
    out["how"] = "published"
    out["source_row"] = rows["source_row"].to_numpy()
    return out.reset_index(drop=True)
