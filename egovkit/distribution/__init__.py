"""How a penetration rate is distributed over the territory.

Which districts lag, how unequal the territory is (weighted by households or persons),
whether the gaps are between groups (urban/rural, regions) or within them, and whether
low-equipped districts cluster together.

Every function takes one row per district and the rate as count columns
(``numerator=``, ``denominator=``), as a rate and its weight (``share=``, ``weight=``), or
as ``indicator="internet"`` for the ``numerator_internet``/``denominator_internet`` columns
of ``egovkit.join.join_table(...).gdf`` -- or, said once for all of them, the
:class:`~egovkit.distribution.rate_table.RateTable` of :func:`rate_table` (``key=`` the
district's code column, ``name=`` its label column). These keywords are declared once, as
:class:`~egovkit.distribution.rate_table.RateColumns`.

Examples
--------
>>> import pandas as pd
>>> from egovkit.distribution import inequality
>>> df = pd.DataFrame({"hh_internet": [10, 30], "hh": [100, 100]})
>>> inequality(df, numerator="hh_internet", denominator="hh").set_index("statistic").loc["gini", "value"]
np.float64(0.25)
>>> rates = rate_table(df, numerator="hh_internet", denominator="hh")
>>> float(lorenz_curve(rates)["share_numerator_cum"].iloc[-1])
1.0
"""

from __future__ import annotations

from .decomposition import TheilDecomposition, district_groups, kenya_former_provinces, theil_decomposition
from .inequality import (
    coefficient_of_variation,
    inequality,
    lorenz_curve,
    theil_l,
    theil_t,
    weighted_gini,
    weighted_quantile,
)
from .lagging import lagging_districts, lagging_summary, set_apart_mask
from .rate_table import (
    Invalid,
    RateColumns,
    RateTable,
    as_rate_table,
    below,
    check_rate_columns,
    district_names,
    list_names,
    rate_table,
)
from .smoothing import smooth_rates
from .spatial import global_moran, local_moran
from .spatial_weights import SpatialWeights, spatial_weights

__all__ = [
    "Invalid",
    "RateColumns",
    "RateTable",
    "SpatialWeights",
    "TheilDecomposition",
    "as_rate_table",
    "below",
    "check_rate_columns",
    "coefficient_of_variation",
    "district_groups",
    "district_names",
    "global_moran",
    "inequality",
    "kenya_former_provinces",
    "lagging_districts",
    "lagging_summary",
    "list_names",
    "local_moran",
    "lorenz_curve",
    "rate_table",
    "set_apart_mask",
    "smooth_rates",
    "spatial_weights",
    "theil_decomposition",
    "theil_l",
    "theil_t",
    "weighted_gini",
    "weighted_quantile",
]
