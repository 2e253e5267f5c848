"""Presentation: offline maps (folium), static maps and charts (matplotlib/seaborn), the report.

Only this layer knows folium and matplotlib. The main entry points:

- :func:`~egovkit.present.maps.indicator_map` and :func:`~egovkit.present.offline.save_offline`:
  an interactive choropleth with Wi-Fi layers, saved as a self-contained HTML file;
- :func:`~egovkit.present.static_maps.static_indicator_map`: the same map for print;
- :mod:`~egovkit.present.charts`: one family of charts named ``<what>_chart`` (ranked bars, ownership
  heatmap, Lorenz and coverage curves, group and Moran charts);
- :mod:`~egovkit.present.map_spec`: what a map shows (:class:`MapStyle`, :class:`MapLayer`), prepared
  once for the interactive and the printed map; :mod:`~egovkit.present.maps_lisa`: LISA cluster maps;
- :func:`~egovkit.present.report.build_report`: the diagnosis report of a territory;
- :mod:`~egovkit.present.i18n`: English/French labels and number formatting.

Examples
--------
>>> from egovkit.present import build_report  # doctest: +SKIP
>>> build_report("out/report", territory_name="Kenya", districts=counties, rates=rates)  # doctest: +SKIP
"""

from __future__ import annotations

from .charts import (
    coverage_chart,
    coverage_curve,
    district_table,
    group_chart,
    lorenz_chart,
    lorenz_curve,
    lorenz_points,
    moran_chart,
    ownership_chart,
    ownership_heatmap,
    ranked_bar_chart,
    ranked_bars,
    save_figure,
    territory_share,
)
from .i18n import format_number, format_percent, format_points, translations
from .map_spec import MapLayer, MapSpec, MapStyle, map_spec
from .maps import Classes, check_join, check_map_join, classify, hotspot_buffers, indicator_map, simplify_for_web
from .maps_lisa import lisa_map, static_lisa_map
from .offline import external_assets, inline_assets, save_offline
from .report import build_report, indicator_label, summary_table
from .static_maps import static_indicator_map

__all__ = [
    "build_report", "summary_table", "indicator_label",
    "indicator_map", "check_map_join", "classify", "Classes", "simplify_for_web", "hotspot_buffers",
    "map_spec", "MapSpec", "MapStyle", "MapLayer", "lisa_map", "static_lisa_map",
    "external_assets", "inline_assets", "save_offline",
    "static_indicator_map",
    "ranked_bar_chart", "ownership_chart", "lorenz_chart", "coverage_chart", "group_chart", "moran_chart",
    "lorenz_points", "save_figure",
    "check_join", "ranked_bars", "ownership_heatmap", "lorenz_curve", "coverage_curve",
    "territory_share", "district_table",
    "translations", "format_number", "format_percent", "format_points",
]
