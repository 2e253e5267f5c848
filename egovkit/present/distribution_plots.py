"""Old home of the distribution charts and LISA maps: their names kept one release (deprecated).

The charts are now one family in :mod:`egovkit.present.charts` and the LISA maps are in
:mod:`egovkit.present.maps_lisa`:

============================  ==============================================================
old name (warns)              new name
============================  ==============================================================
``ranked_bar_chart``          :func:`egovkit.present.charts.ranked_bar_chart` (same name; ``area=`` -> ``name=``)
``group_distribution_plot``   :func:`egovkit.present.charts.group_chart` (``area=`` -> ``name=``)
``lorenz_plot``               :func:`egovkit.present.charts.lorenz_chart`
``moran_scatter_plot``        :func:`egovkit.present.charts.moran_chart`
``lisa_cluster_map``          :func:`egovkit.present.maps_lisa.static_lisa_map`
``lisa_folium_map``           :func:`egovkit.present.maps_lisa.lisa_map`
============================  ==============================================================

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"name": ["A", "B", "C"], "n": [5, 20, 50], "d": [100, 100, 100]})
>>> fig = ranked_bar_chart(df, numerator="n", denominator="d", name="name")
>>> len(fig.axes[0].patches)
3
"""

from __future__ import annotations

from ..shared.renamed import deprecated_alias, renamed
from .charts import group_chart, lorenz_chart, moran_chart, ranked_bar_chart
from .map_spec import CLUSTER_COLORS
from .maps_lisa import lisa_map, static_lisa_map

__all__ = ["ranked_bar_chart", "group_distribution_plot", "lorenz_plot", "moran_scatter_plot",
           "lisa_cluster_map", "lisa_folium_map", "CLUSTER_COLORS"]

group_distribution_plot = deprecated_alias(renamed(area="name")(group_chart), "group_distribution_plot")
lorenz_plot = deprecated_alias(lorenz_chart, "lorenz_plot")
moran_scatter_plot = deprecated_alias(moran_chart, "moran_scatter_plot")
lisa_cluster_map = deprecated_alias(static_lisa_map, "lisa_cluster_map")
lisa_folium_map = deprecated_alias(lisa_map, "lisa_folium_map")
