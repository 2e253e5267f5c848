"""Presentation: offline maps (folium), static maps and charts (matplotlib/seaborn), the report.

Only this layer knows folium and matplotlib. The main entry points:

- :func:`~egovkit.present.maps.indicator_map` and :func:`~egovkit.present.offline.save_offline`:
  an interactive choropleth with Wi-Fi layers, saved as a self-contained HTML file;
- :func:`~egovkit.present.static_maps.static_indicator_map`: the same map for print;
- :mod:`~egovkit.present.charts`: ranked bars, ownership heatmap, Lorenz and coverage curves;
- :func:`~egovkit.present.report.build_report`: the diagnosis report of a territory.
"""

from __future__ import annotations

from .maps import check_join, classify, indicator_map, simplify_for_web
from .offline import external_assets, inline_assets, save_offline

__all__ = [
    "check_join", "classify", "indicator_map", "simplify_for_web",
    "external_assets", "inline_assets", "save_offline",
]
