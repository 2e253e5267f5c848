"""Maps of the LISA clusters of :func:`egovkit.distribution.local_moran`: interactive and printed.

- :func:`lisa_map` (folium, formerly ``lisa_folium_map``): offline, without a tile layer by default;
- :func:`static_lisa_map` (matplotlib, formerly ``lisa_cluster_map``).

Both colour the clusters as GeoDa does (red high-high, blue low-low) and name them in the user's
language (``lang=``, default ``egovkit.settings.language``).

Examples
--------
>>> import geopandas as gpd, shapely
>>> from egovkit.distribution import local_moran
>>> cells = [shapely.box(36 + x / 10, y / 10, 36 + (x + 1) / 10, (y + 1) / 10) for y in range(3) for x in range(3)]
>>> g = gpd.GeoDataFrame({"n": [1, 2, 3, 2, 3, 4, 3, 4, 6], "d": [10] * 9}, geometry=cells, crs=4326)
>>> lisa = local_moran(g, numerator="n", denominator="d", permutations=99)
>>> type(lisa_map(lisa)).__name__, len(static_lisa_map(lisa).axes)
('Map', 1)
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import geopandas as gpd
import pandas as pd

from ..distribution.spatial import LEFT_OUT_LABELS
from ..errors import InputError
from .map_spec import CLUSTER_COLORS, CLUSTER_ORDER, check_lisa_columns, plot_labels
from .safe import check_map_text, literal_text, map_text

__all__ = ["lisa_map", "static_lisa_map"]


def _legend_handles(present: Sequence[str], lab: dict[str, str], counts: pd.Series) -> list[Any]:
    from matplotlib.patches import Patch

    return [Patch(facecolor=CLUSTER_COLORS[c], edgecolor="#555555", label=f"{lab[c]} ({int(counts.get(c, 0))})")
            for c in CLUSTER_ORDER if c in present]


@literal_text
def static_lisa_map(
    lisa: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
) -> Any:
    """Static map of the LISA clusters (matplotlib) from :func:`egovkit.distribution.local_moran`.

    Districts left out of the analysis are hatched. Returns the matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    lab = plot_labels(lang)
    check_lisa_columns(lisa)
    if not isinstance(lisa, gpd.GeoDataFrame):
        raise InputError(code="charts.lisa_no_geometry")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 6))
    else:
        fig = ax.figure
    colors = lisa["lisa_cluster"].map(CLUSTER_COLORS).fillna("#ffffff")
    lisa.plot(ax=ax, color=colors.to_numpy(), edgecolor="#555555", linewidth=0.4)
    left = lisa[lisa["lisa_cluster"].isin(LEFT_OUT_LABELS)]
    if len(left):
        left.plot(ax=ax, facecolor="none", edgecolor="#555555", hatch="///", linewidth=0.4)
    counts = lisa["lisa_cluster"].value_counts()
    ax.legend(handles=_legend_handles(counts.index.tolist(), lab, counts), title=lab["cluster"], fontsize=8,
              title_fontsize=8, loc="best")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _tooltip_frame(g: gpd.GeoDataFrame, cols: list[str], lab: dict[str, str]) -> pd.DataFrame:
    """The tooltip columns as inert text (district names are user text: inert for Jinja and innerHTML)."""
    show = pd.DataFrame(index=g.index)
    for c in cols:
        if c == "share":
            show[c] = (g[c] * 100).round(1).astype(str) + " %"
        elif c == "lisa_cluster":
            show[c] = g[c].map(lambda v: lab.get(v, v))
        elif pd.api.types.is_float_dtype(g[c]):
            show[c] = g[c].round(3).astype(str)
        else:
            show[c] = g[c].astype(str)
        show[c] = [map_text(v) for v in show[c]]
    return show


def lisa_map(
    lisa: gpd.GeoDataFrame,
    *,
    tooltip: Sequence[str] = ("area", "share", "lisa_cluster", "lisa_p"),
    tiles: str | None = None,
    lang: str | None = None,
) -> Any:
    """Interactive map of the LISA clusters (folium), without a tile layer by default (offline).

    ``tooltip`` names the columns shown on hover (missing ones are skipped; ``share`` is
    shown in percent). Save it offline with :func:`egovkit.present.save_offline`.
    """
    import folium

    lab = plot_labels(lang)
    check_lisa_columns(lisa)
    if not isinstance(lisa, gpd.GeoDataFrame) or lisa.crs is None:
        raise InputError(code="charts.lisa_no_crs")
    g = lisa.to_crs(4326)
    cols = [c for c in tooltip if c in g.columns]
    show = _tooltip_frame(g, cols, lab)
    layer = gpd.GeoDataFrame(show.assign(_cluster=g["lisa_cluster"].astype(str).to_numpy()),
                             geometry=g.geometry, crs=4326)
    minx, miny, maxx, maxy = layer.total_bounds
    m = folium.Map(tiles=tiles, control_scale=True)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    aliases = {"area": lab["district"], "share": lab["rate"], "lisa_cluster": lab["cluster"], "lisa_p": "p"}
    folium.GeoJson(
        json.loads(layer.to_json(drop_id=True)),
        name=map_text(lab["cluster"]),
        style_function=lambda f: {"fillColor": CLUSTER_COLORS.get(f["properties"]["_cluster"], "#ffffff"),
                                  "color": "#555555", "weight": 0.8, "fillOpacity": 0.85},
        tooltip=(folium.GeoJsonTooltip(fields=cols, aliases=[map_text(aliases.get(c, c)) for c in cols])
                 if cols else None),
    ).add_to(m)
    counts = g["lisa_cluster"].value_counts()
    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{CLUSTER_COLORS[c]};'
        f'border:1px solid #555;margin-right:4px"></span>{map_text(lab[c])} ({int(counts[c])})</div>'
        for c in CLUSTER_ORDER if c in counts.index)
    legend = (f'<div style="position:absolute;bottom:20px;left:20px;z-index:9999;background:white;padding:6px;'
              f'font-size:12px;border:1px solid #999"><b>{map_text(lab["cluster"])}</b>{rows}</div>')
    m.get_root().html.add_child(folium.Element(legend))
    check_map_text(m)
    return m
