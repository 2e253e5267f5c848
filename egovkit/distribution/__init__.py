"""How a penetration rate is distributed over the territory.

Which districts lag, how unequal the territory is (weighted by households or persons),
whether the gaps are between groups (urban/rural, regions) or within them, and whether
low-equipped districts cluster together.

Every function takes one row per district and the rate as count columns
(``numerator=``, ``denominator=``), as a rate and its weight (``share=``, ``weight=``), or
as ``indicator="internet"`` for the ``internet_numerator``/``internet_denominator`` columns
of ``egovkit.join.join_table(...).gdf``.

Examples
--------
>>> import pandas as pd
>>> from egovkit.distribution import inequality
>>> df = pd.DataFrame({"hh_internet": [10, 30], "hh": [100, 100]})
>>> inequality(df, numerator="hh_internet", denominator="hh").set_index("statistic").loc["gini", "value"]
np.float64(0.25)
"""

from __future__ import annotations

from .decomposition import TheilDecomposition, kenya_former_provinces, theil_decomposition
from .inequality import (
    coefficient_of_variation,
    inequality,
    lorenz_curve,
    theil_l,
    theil_t,
    weighted_gini,
    weighted_quantile,
)
from .lagging import lagging_districts, lagging_summary
from .smoothing import smooth_rates
from .spatial import SpatialWeights, global_moran, local_moran, spatial_weights

__all__ = [
    "SpatialWeights",
    "TheilDecomposition",
    "coefficient_of_variation",
    "global_moran",
    "inequality",
    "kenya_former_provinces",
    "lagging_districts",
    "lagging_summary",
    "local_moran",
    "lorenz_curve",
    "smooth_rates",
    "spatial_weights",
    "theil_decomposition",
    "theil_l",
    "theil_t",
    "weighted_gini",
    "weighted_quantile",
]
