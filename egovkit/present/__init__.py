"""Presentation: offline maps (folium), static maps and charts (matplotlib/seaborn), the report.

Only this layer knows folium and matplotlib. The main entry points:

- :func:`~egovkit.present.maps.indicator_map` and :func:`~egovkit.present.offline.save_offline`:
  an interactive choropleth with Wi-Fi layers, saved as a self-contained HTML file;
- :func:`~egovkit.present.static_maps.static_indicator_map`: the same map for print;
- :mod:`~egovkit.present.charts`: ranked bars, ownership heatmap, Lorenz and coverage curves;
- :func:`~egovkit.present.report.build_report`: the diagnosis report of a territory;
- :mod:`~egovkit.present.i18n`: English/French labels and number formatting.

Examples
--------
>>> from egovkit.present import build_report  # doctest: +SKIP
>>> build_report("out/report", territory_name="Kenya", districts=counties, rates=rates)  # doctest: +SKIP
"""

from __future__ import annotations

from .charts import (
    coverage_curve,
    district_table,
    lorenz_curve,
    lorenz_points,
    ownership_heatmap,
    ranked_bars,
    save_figure,
    territory_share,
)
from .i18n import format_number, format_percent, format_points, translations
from .maps import Classes, check_join, classify, hotspot_buffers, indicator_map, simplify_for_web
from .offline import external_assets, inline_assets, save_offline
from .report import build_report, indicator_label, summary_table
from .static_maps import static_indicator_map

__all__ = [
    "build_report", "summary_table", "indicator_label",
    "indicator_map", "check_join", "classify", "Classes", "simplify_for_web", "hotspot_buffers",
    "external_assets", "inline_assets", "save_offline",
    "static_indicator_map",
    "ranked_bars", "ownership_heatmap", "lorenz_curve", "lorenz_points", "coverage_curve", "save_figure",
    "territory_share", "district_table",
    "translations", "format_number", "format_percent", "format_points",
]
