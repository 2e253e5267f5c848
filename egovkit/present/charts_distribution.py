"""Charts of how a rate is distributed over the territory, from a table with one row per district.

The drawings behind :func:`egovkit.present.charts.ranked_bar_chart` (rate columns given by
``numerator=``/``denominator=``, ``share=``/``weight=`` or ``indicator=``) and
:func:`~egovkit.present.charts.lorenz_chart` (tables of :func:`egovkit.distribution.lorenz_curve`),
and two charts of their own: :func:`group_chart` (district rates by group) and :func:`moran_chart`
(Moran scatter plot of :func:`egovkit.distribution.local_moran`). Labels are in English or French
(``lang=``, default ``egovkit.settings.language``).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"n": [5, 20, 50, 60], "d": [100] * 4, "g": list("aabb")})
>>> fig = group_chart(df, "g", numerator="n", denominator="d")
>>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
['a', 'b']
"""

from __future__ import annotations

from typing import Any, Sequence, Unpack

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from ..distribution import Invalid, RateColumns, RateTable, as_rate_table, below, district_groups
from ..distribution.spatial import LEFT_OUT_LABELS, NOT_SIGNIFICANT, NOT_TESTED
from ..errors import InputError
from ..validate import ValidationReport
from .map_spec import CLUSTER_COLORS, CLUSTER_ORDER, check_lisa_columns, plot_labels
from .safe import literal_text

__all__ = ["group_chart", "moran_chart", "ranked_rate_bars", "lorenz_curves_chart", "MAX_LABELLED"]

#: Above this many districts, the ranked bars carry no names.
MAX_LABELLED = 60


def ranked_rate_bars(
    df: pd.DataFrame | RateTable,
    *,
    fraction: float = 0.5,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> Any:
    """Districts ranked by rate (percent), with the territory's rate and ``fraction`` of it.

    The drawing of :func:`egovkit.present.charts.ranked_bar_chart` for a table with one row per
    district (``**columns``: which columns hold the rate and the district, ``name=`` the labels: see
    :class:`~egovkit.distribution.rate_table.RateColumns`). Bars below ``fraction`` times the
    territory's rate are highlighted.

    >>> fig = ranked_rate_bars(pd.DataFrame({"n": [5, 20, 50], "d": [100] * 3}), numerator="n", denominator="d",
    ...                        lang="fr")
    >>> fig.axes[0].get_xlabel()
    'Taux (%)'
    """
    lab = plot_labels(lang)
    rates = as_rate_table(df, caller="ranked_rate_bars", invalid=invalid, report=report, **columns)
    t = rates.table
    mu = float((t["share"] * t["count"]).sum() / t["count"].sum())
    t = t.sort_values("share", ascending=True, kind="stable")
    n = len(t)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, max(3.0, min(0.22 * n + 1, 14))))
    else:
        fig = ax.figure
    low = below(t["share"], fraction * mu)
    colors = np.where(low, "#d95f02", "#7570b3")
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
def group_chart(
    df: pd.DataFrame | RateTable,
    by: str | pd.Series | Sequence,
    *,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> Any:
    """District rates (percent) by group: one dot per district, a box per group, and the
    group's own rate (weighted by the denominator) as a black bar.

    ``by`` is a column name, a Series indexed like ``df`` or one group per row, as in
    :func:`egovkit.distribution.theil_decomposition`; a district without a group raises
    :class:`~egovkit.errors.InputError` naming it. ``**columns``: which columns hold the rate and the
    district (``name=`` the labels), see :class:`~egovkit.distribution.rate_table.RateColumns`;
    ``invalid`` and ``report`` are as in :func:`egovkit.distribution.inequality`.

    Examples
    --------
    >>> df = pd.DataFrame({"n": [5, 20, 50, 60], "d": [100] * 4, "g": list("aabb")})
    >>> len(group_chart(df, "g", numerator="n", denominator="d").axes)
    1
    """
    lab = plot_labels(lang)
    if isinstance(by, str) and not isinstance(df, RateTable) and by not in df.columns:
        raise InputError(code="charts.no_group_column", params={"by": by, "columns": list(map(str, df.columns))},
                         column=by)
    rates = as_rate_table(df, caller="group_chart", invalid=invalid, report=report, **columns)
    t = rates.table
    groups, by_name = district_groups(rates, by)
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


def lorenz_curves_chart(
    curves: pd.DataFrame | dict[str, pd.DataFrame],
    *,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
) -> Any:
    """Lorenz curve(s) from :func:`egovkit.distribution.lorenz_curve` (one frame or a dict
    ``{label: frame}``), with the line of equality and each curve's Gini in the legend.

    The drawing of :func:`egovkit.present.charts.lorenz_chart` for Lorenz tables.

    >>> from egovkit.distribution import lorenz_curve
    >>> lc = lorenz_curve(pd.DataFrame({"n": [5, 50], "d": [100, 100]}), numerator="n", denominator="d")
    >>> fig = lorenz_curves_chart({"internet": lc})
    """
    lab = plot_labels(lang)
    if isinstance(curves, pd.DataFrame):
        curves = {"": curves}
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 5))
    else:
        fig = ax.figure
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label=lab["equality"])
    for label, lc in curves.items():
        for c in ("share_pop_cum", "share_numerator_cum"):
            if c not in lc.columns:
                raise InputError(code="charts.lorenz_columns", params={"missing": c}, column=c)
        x = lc["share_pop_cum"].to_numpy(float)
        y = lc["share_numerator_cum"].to_numpy(float)
        gini = 1 - float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1])))
        ax.plot(x, y, lw=2, label=f"{label} (Gini {gini:.2f})".strip())
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
def moran_chart(
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
    >>> fig = moran_chart(local_moran(g, numerator="n", denominator="d", permutations=99))
    """
    lab = plot_labels(lang)
    check_lisa_columns(lisa)
    d = lisa[~lisa["lisa_cluster"].isin(LEFT_OUT_LABELS)]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 5))
    else:
        fig = ax.figure
    for c in CLUSTER_ORDER[:-len(LEFT_OUT_LABELS)]:
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
