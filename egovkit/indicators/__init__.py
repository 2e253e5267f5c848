"""Indicators: the ITU catalogue, rates with confidence intervals or margins of error,
aggregation to higher levels, each district's gap to the territory and its rank, and a composite digital-access index.

Typical use::

    >>> import pandas as pd
    >>> from egovkit.indicators import aggregate, compute_rates, gap_to_territory
    >>> from egovkit.read import read_table
    >>> table = read_table(pd.DataFrame({"district": ["A", "B"], "households": [200, 300], "internet": [80, 150]}))
    >>> rates = compute_rates(table.data)
    >>> aggregate(rates)[["indicator", "pct"]].values.tolist()       # the territory: 230 / 500
    [['internet', 46.0]]
    >>> gap_to_territory(rates)[["area_name", "gap_pp", "rank"]].round(1).values.tolist()
    [['A', -6.0, 2.0], ['B', 4.0, 1.0]]

Every rate names its denominator through ``universe`` (``households`` or ``persons``);
``share*`` columns are 0-1, ``pct*`` columns 0-100, ``*_pp`` percentage points.
"""

from __future__ import annotations

from .aggregate import aggregate, gap_to_territory, gaps, without_any
from .catalogue import canonical_name, indicator_info, itu_catalogue, universe_of
from .composite import composite_index, default_indicators, ranking_stability
from .moe import (
    compare_districts,
    convert_moe,
    moe_product,
    moe_proportion,
    moe_ratio,
    moe_sum,
    pairwise_significance,
    significantly_different,
    z_value,
)
from .rates import compute_rates, wilson_interval, write_indicators
from .territory import territory_figures

__all__ = [
    "itu_catalogue", "indicator_info", "universe_of", "canonical_name",
    "moe_sum", "moe_proportion", "moe_ratio", "moe_product", "convert_moe", "z_value",
    "significantly_different", "compare_districts", "pairwise_significance",
    "compute_rates", "wilson_interval", "write_indicators",
    "aggregate", "gap_to_territory", "gaps", "without_any", "territory_figures",
    "composite_index", "default_indicators", "ranking_stability",
]
