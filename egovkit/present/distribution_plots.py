"""Charts and maps of how a rate is distributed over the territory (``egovkit.distribution``).

- :func:`ranked_bar_chart`: districts ranked by rate, with the territory's rate and a threshold;
- :func:`group_distribution_plot`: district rates by group (region, urban/rural);
- :func:`lorenz_plot`: Lorenz curves (from :func:`egovkit.distribution.lorenz_curve`);
- :func:`moran_scatter_plot`: Moran scatter plot (from :func:`egovkit.distribution.local_moran`);
- :func:`lisa_cluster_map` (matplotlib) and :func:`lisa_folium_map` (folium): LISA clusters.

Labels are in English or French (``lang=``, default ``egovkit.settings.language``).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"name": ["A", "B", "C"], "n": [5, 20, 50], "d": [100, 100, 100]})
>>> fig = ranked_bar_chart(df, numerator="n", denominator="d", area="name")
>>> len(fig.axes[0].patches)
3
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import folium
import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from ..distribution.decomposition import _groups
from ..distribution.inequality import Invalid, _below, _rate_table
from ..distribution.lagging import SENTENCES
from ..distribution.spatial import (
    LEFT_OUT,
    LEFT_OUT_INVALID,
    LEFT_OUT_LABELS,
    LEFT_OUT_NOT_IN_WEIGHTS,
    NOT_SIGNIFICANT,
    NOT_TESTED,
)
from ..errors import InputError
from ..shared.texts import load_texts
from ..validate import ValidationReport
from .safe import check_map_text, literal_text, map_text

__all__ = ["ranked_bar_chart", "group_distribution_plot", "lorenz_plot", "moran_scatter_plot",
           "lisa_cluster_map", "lisa_folium_map", "CLUSTER_COLORS"]

#: Colours of the LISA clusters (as in GeoDa: red high-high, blue low-low).
CLUSTER_COLORS = {"high-high": "#d7191c", "low-low": "#2c7bb6", "high-low": "#fdae61", "low-high": "#abd9e9",
                  NOT_SIGNIFICANT: "#eeeeee", NOT_TESTED: "#eeeeee", LEFT_OUT: "#ffffff",
                  LEFT_OUT_INVALID: "#ffffff", LEFT_OUT_NOT_IN_WEIGHTS: "#ffffff"}
_ORDER = ["high-high", "low-low", "high-low", "low-high", NOT_SIGNIFICANT, NOT_TESTED, *LEFT_OUT_LABELS]
#: Above this many districts, the ranked bars carry no names.
MAX_LABELLED = 60


def _labels(lang: str | None) -> dict[str, str]:
    return load_texts(SENTENCES, lang)["plots"]


def _lisa_columns(lisa: pd.DataFrame) -> None:
    need = ["lisa_z", "lisa_lag", "lisa_cluster"]
    missing = [c for c in need if c not in lisa.columns]
    if missing:
        raise InputError(f"the LISA table has no column(s) {missing}", column=missing[0],
                         fix="pass the result of egovkit.distribution.local_moran(...)")


@literal_text
def ranked_bar_chart(
    df: pd.DataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    area: str | None = None,
    fraction: float = 0.5,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> Any:
    """Districts ranked by rate (percent), with the territory's rate and ``fraction`` of it.

    Bars below ``fraction`` times the territory's rate are highlighted. The rate, ``invalid``
    and ``report`` are as in :func:`egovkit.distribution.inequality` (``invalid="drop"``
    leaves districts with a missing or invalid rate out, with a warning). Returns the
    matplotlib ``Figure``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [5, 20, 50], "d": [100, 100, 100]})
    >>> fig = ranked_bar_chart(df, numerator="n", denominator="d", lang="fr")
    >>> fig.axes[0].get_xlabel()
    'Taux (%)'
    """
    lab = _labels(lang)
    t = _rate_table(df, indicator=indicator, numerator=numerator, denominator=denominator, share=share,
                    weight=weight, area=area, invalid=invalid, report=report)
    mu = float((t["share"] * t["count"]).sum() / t["count"].sum())
    t = t.sort_values("share", ascending=True, kind="stable")
    n = len(t)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, max(3.0, min(0.22 * n + 1, 14))))
    else:
        fig = ax.figure
    below = _below(t["share"], fraction * mu)
    colors = np.where(below, "#d95f02", "#7570b3")
    y = np.arange(n)
    ax.barh(y, t["share"] * 100, color=colors, height=0.8)
    if n <= MAX_LABELLED:
        ax.set_yticks(y, t["area"].tolist(), fontsize=7 if n > 30 else 9)
    else:
        ax.set_yticks([])
    ax.axvline(mu * 100, color="black", lw=1.2, label=f"{lab['territory']} ({mu * 100:.1f} %)")
    thr = lab["half"] if np.isclose(fraction, 0.5) else lab["fraction"].format(pct=f"{fraction * 100:g}")
    if not np.isclose(fraction, 1.0):
        ax.axvline(fraction * mu * 100, color="black", lw=1, ls="--", label=thr)
    ax.set_xlabel(f"{lab['rate']} (%)")
    ax.set_ylim(-0.6, n - 0.4)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(color="#d95f02"))
    labels.append(lab["below"])
    ax.legend(handles, labels, loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


@literal_text
def group_distribution_plot(
    df: pd.DataFrame,
    by: str | pd.Series | Sequence,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    area: str | None = None,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> Any:
    """District rates (percent) by group: one dot per district, a box per group, and the
    group's own rate (weighted by the denominator) as a black bar.

    ``by`` is a column name, a Series indexed like ``df`` or one group per row, as in
    :func:`egovkit.distribution.theil_decomposition`; a district without a group raises
    :class:`~egovkit.errors.InputError` naming it. The rate, ``invalid`` and ``report`` are
    as in :func:`egovkit.distribution.inequality`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [5, 20, 50, 60], "d": [100] * 4, "g": list("aabb")})
    >>> fig = group_distribution_plot(df, "g", numerator="n", denominator="d")
    """
    lab = _labels(lang)
    if isinstance(by, str) and by not in df.columns:
        raise InputError(f"no grouping column {by!r}", column=by, fix=f"use one of {list(map(str, df.columns))}")
    t = _rate_table(df, indicator=indicator, numerator=numerator, denominator=denominator, share=share,
                    weight=weight, area=area, invalid=invalid, report=report)
    groups, by_name = _groups(df, by, t)
    t = t.assign(group=groups.to_numpy(), pct=t["share"] * 100)
    grp = t.groupby("group").apply(lambda g: 100 * (g["share"] * g["count"]).sum() / g["count"].sum(),
                                   include_groups=False).sort_values()
    order = grp.index.tolist()
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(order) + 2), 4))
    else:
        fig = ax.figure
    sns.boxplot(data=t, x="group", y="pct", order=order, color="#dddddd", fliersize=0, ax=ax, width=0.6)
    sns.stripplot(data=t, x="group", y="pct", order=order, ax=ax, color="#1b9e77", alpha=0.7, jitter=0.2,
                  size=4)
    ax.scatter(range(len(order)), grp.to_numpy(), marker="_", s=600, color="black", zorder=5,
               label=lab["rate"] + " (" + lab["group"].lower() + ")")
    mu = float((t["share"] * t["count"]).sum() / t["count"].sum()) * 100
    ax.axhline(mu, color="black", lw=1, ls=":", label=f"{lab['territory']} ({mu:.1f} %)")
    ax.set_xlabel(by_name)
    ax.set_ylabel(f"{lab['rate']} (%)")
    ax.tick_params(axis="x", rotation=30 if len(order) > 4 else 0)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


@literal_text
def lorenz_plot(
    curves: pd.DataFrame | dict[str, pd.DataFrame],
    *,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
) -> Any:
    """Lorenz curve(s) from :func:`egovkit.distribution.lorenz_curve` (one frame or a dict
    ``{label: frame}``), with the line of equality and each curve's Gini in the legend.

    Examples
    --------
    >>> import pandas as pd
    >>> from egovkit.distribution import lorenz_curve
    >>> lc = lorenz_curve(pd.DataFrame({"n": [5, 50], "d": [100, 100]}), numerator="n", denominator="d")
    >>> fig = lorenz_plot({"internet": lc})
    """
    lab = _labels(lang)
    if isinstance(curves, pd.DataFrame):
        curves = {"": curves}
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 5))
    else:
        fig = ax.figure
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label=lab["equality"])
    for name, lc in curves.items():
        for c in ("share_pop_cum", "share_numerator_cum"):
            if c not in lc.columns:
                raise InputError(f"the Lorenz table has no column {c!r}", column=c,
                                 fix="pass the result of egovkit.distribution.lorenz_curve(...)")
        x = lc["share_pop_cum"].to_numpy(float)
        y = lc["share_numerator_cum"].to_numpy(float)
        gini = 1 - float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1])))
        ax.plot(x, y, lw=2, label=f"{name} (Gini {gini:.2f})".strip())
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(lab["population_cum"])
    ax.set_ylabel(lab["numerator_cum"])
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


@literal_text
def moran_scatter_plot(
    lisa: pd.DataFrame,
    *,
    moran: pd.DataFrame | None = None,
    label: str | None = None,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
) -> Any:
    """Moran scatter plot: each district's standardised rate against its neighbours' mean.

    ``lisa`` is the result of :func:`egovkit.distribution.local_moran`; points are coloured
    by LISA cluster. The slope of the fitted line is the global Moran's I (row-standardised
    weights); pass ``moran`` (:func:`egovkit.distribution.global_moran`) to print its p-value.
    ``label`` names a column to annotate the significant districts with.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from egovkit.distribution import local_moran
    >>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)]
    >>> g = gpd.GeoDataFrame({"n": [1, 2, 3, 2, 3, 4, 3, 4, 6], "d": [10] * 9}, geometry=cells)
    >>> fig = moran_scatter_plot(local_moran(g, numerator="n", denominator="d", permutations=99))
    """
    lab = _labels(lang)
    _lisa_columns(lisa)
    d = lisa[~lisa["lisa_cluster"].isin(LEFT_OUT_LABELS)]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 5))
    else:
        fig = ax.figure
    for c in _ORDER[:-len(LEFT_OUT_LABELS)]:
        s = d[d["lisa_cluster"] == c]
        if len(s):
            ax.scatter(s["lisa_z"], s["lisa_lag"], color=CLUSTER_COLORS[c], edgecolor="#555555", lw=0.5, s=35,
                       label=f"{lab[c]} ({len(s)})")
    z, lag = d["lisa_z"].to_numpy(float), d["lisa_lag"].to_numpy(float)
    slope = float(np.dot(z, lag) / np.dot(z, z))
    xs = np.linspace(z.min(), z.max(), 2)
    text = f"Moran's I = {slope:.3f}"
    if moran is not None:
        text = f"Moran's I = {float(moran['moran_i'].iloc[0]):.3f}, p = {float(moran['p_sim'].iloc[0]):.3f}"
    ax.plot(xs, slope * xs, color="black", lw=1.2, label=text)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    if label is not None and label in d.columns:
        for _, r in d[~d["lisa_cluster"].isin([NOT_SIGNIFICANT, NOT_TESTED])].iterrows():
            ax.annotate(str(r[label]), (r["lisa_z"], r["lisa_lag"]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    ax.set_xlabel(lab["value_z"])
    ax.set_ylabel(lab["lag_z"])
    ax.legend(fontsize=7, loc="best")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _legend_handles(present: Sequence[str], lab: dict[str, str], counts: pd.Series) -> list[Patch]:
    return [Patch(facecolor=CLUSTER_COLORS[c], edgecolor="#555555", label=f"{lab[c]} ({int(counts.get(c, 0))})")
            for c in _ORDER if c in present]


@literal_text
def lisa_cluster_map(
    lisa: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
) -> Any:
    """Static map of the LISA clusters (matplotlib) from :func:`egovkit.distribution.local_moran`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from egovkit.distribution import local_moran
    >>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)]
    >>> g = gpd.GeoDataFrame({"n": [1, 2, 3, 2, 3, 4, 3, 4, 6], "d": [10] * 9}, geometry=cells)
    >>> fig = lisa_cluster_map(local_moran(g, numerator="n", denominator="d", permutations=99))
    """
    lab = _labels(lang)
    _lisa_columns(lisa)
    if not isinstance(lisa, gpd.GeoDataFrame):
        raise InputError("the LISA table has no geometry", fix="pass the GeoDataFrame from local_moran(...)")
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


def lisa_folium_map(
    lisa: gpd.GeoDataFrame,
    *,
    tooltip: Sequence[str] = ("area", "share", "lisa_cluster", "lisa_p"),
    tiles: str | None = None,
    lang: str | None = None,
) -> folium.Map:
    """Interactive map of the LISA clusters (folium), without a tile layer by default (offline).

    ``tooltip`` names the columns shown on hover (missing ones are skipped; ``share`` is
    shown in percent). Save it offline with :func:`egovkit.present.save_offline`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from egovkit.distribution import local_moran
    >>> cells = [shapely.box(36 + x / 10, y / 10, 36 + (x + 1) / 10, (y + 1) / 10) for y in range(3) for x in range(3)]
    >>> g = gpd.GeoDataFrame({"n": [1, 2, 3, 2, 3, 4, 3, 4, 6], "d": [10] * 9}, geometry=cells, crs=4326)
    >>> m = lisa_folium_map(local_moran(g, numerator="n", denominator="d", permutations=99))
    >>> type(m).__name__
    'Map'
    """
    lab = _labels(lang)
    _lisa_columns(lisa)
    if not isinstance(lisa, gpd.GeoDataFrame) or lisa.crs is None:
        raise InputError("the LISA table needs a geometry with a CRS",
                         fix="pass the GeoDataFrame from local_moran(...) with its CRS set")
    g = lisa.to_crs(4326)
    cols = [c for c in tooltip if c in g.columns]
    show = pd.DataFrame(index=g.index)
    # the tooltip strings are user text (district names): inert for Jinja and innerHTML
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
        for c in _ORDER if c in counts.index)
    legend = (f'<div style="position:absolute;bottom:20px;left:20px;z-index:9999;background:white;padding:6px;'
              f'font-size:12px;border:1px solid #999"><b>{map_text(lab["cluster"])}</b>{rows}</div>')
    m.get_root().html.add_child(folium.Element(legend))
    check_map_text(m)
    return m
