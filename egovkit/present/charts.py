"""Charts (seaborn/matplotlib): one family, one function per chart, each called ``<what>_chart``.

- :func:`ranked_bar_chart`: districts ranked by rate, with the territory's rate;
- :func:`ownership_chart`: heatmap of the shares of several indicators by district;
- :func:`lorenz_chart`: Lorenz curve(s) with the Gini coefficient;
- :func:`coverage_chart`: share of the population within a radius of a hotspot;
- :func:`group_chart`: district rates by group; :func:`moran_chart`: Moran scatter plot
  (from :mod:`~egovkit.present.charts_distribution`).

A chart takes the long indicator table (``area_code``, ``area_name``, ``indicator``,
``numerator``, ``denominator`` and optionally ``share``), a table with one row per district
and its rate columns (``numerator=``/``denominator=``, ``share=``/``weight=`` or ``indicator=``,
as in :mod:`egovkit.distribution`), or a small result table, and returns a matplotlib ``Figure``;
:func:`save_figure` writes it as PNG and SVG. ``key=`` names the column of the district code,
``name=`` the column of its label. The old names (``ranked_bars``, ``ownership_heatmap``,
``lorenz_curve``, ``coverage_curve``) still work one release and warn.

Examples
--------
>>> import pandas as pd
>>> rates = pd.DataFrame({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"],
...                       "indicator": "internet", "numerator": [1.0, 3.0], "denominator": [10.0, 10.0]})
>>> territory_share(rates, "internet")
0.2
>>> fig = ranked_bar_chart(rates, "internet")
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Sequence, Unpack

import numpy as np
import pandas as pd

from ..distribution import Invalid, RateColumns, RateTable, check_rate_columns
from ..errors import InputError
from ..shared.catalogue import indicator_label
from ..shared.formatting import format_number, format_percent
from ..shared.renamed import deprecated_alias, renamed
from ..validate import ValidationReport
from .charts_distribution import group_chart, lorenz_curves_chart, moran_chart, ranked_rate_bars
from .i18n import translations
from .safe import literal_figure_text, literal_text

__all__ = ["territory_share", "district_shares", "district_table", "lorenz_points", "ranked_bar_chart",
           "ownership_chart", "lorenz_chart", "coverage_chart", "group_chart", "moran_chart", "save_figure",
           "ranked_bars", "ownership_heatmap", "lorenz_curve", "coverage_curve"]

NO_DATA_GREY = "#d9d9d9"
#: Above this many districts, bars and heatmap rows are drawn without names.
MAX_LABELLED = 60


def _one(rates: pd.DataFrame, indicator: str | None) -> pd.DataFrame:
    for c in ("numerator", "denominator"):
        if c not in rates.columns:
            raise InputError(code="charts.rates_column", params={"column": c}, column=c)
    if "indicator" in rates.columns:
        if indicator is None:
            indicator = str(rates["indicator"].iloc[0])
        sub = rates[rates["indicator"] == indicator]
        if sub.empty:
            raise InputError(code="charts.unknown_indicator",
                             params={"indicator": indicator, "indicators": sorted(rates["indicator"].unique())},
                             column="indicator")
        return sub
    return rates


def territory_share(rates: pd.DataFrame, indicator: str | None = None) -> float:
    """Share of the whole territory: sum of numerators over sum of denominators.

    Districts whose numerator or denominator is missing are left out of both sums.

    >>> territory_share(pd.DataFrame({"numerator": [1, None], "denominator": [4, 10]}))
    0.25
    """
    sub = _one(rates, indicator)
    num = pd.to_numeric(sub["numerator"], errors="coerce")
    den = pd.to_numeric(sub["denominator"], errors="coerce")
    ok = num.notna() & den.notna() & (den > 0)
    total = float(den[ok].sum())
    return float(num[ok].sum()) / total if total > 0 else float("nan")


@renamed(name_column="name")
def district_shares(rates: pd.DataFrame, indicator: str | None = None, *,
                    key: str = "area_code", name: str = "area_name") -> pd.DataFrame:
    """One row per district of ``indicator``: key, name, numerator, denominator, ``share`` (0-1).

    ``share`` is taken from the table if present, else numerator / denominator.

    >>> district_shares(pd.DataFrame({"area_code": ["A"], "numerator": [1], "denominator": [4]}))["share"].tolist()
    [0.25]
    """
    sub = _one(rates, indicator).copy()
    num = pd.to_numeric(sub["numerator"], errors="coerce")
    den = pd.to_numeric(sub["denominator"], errors="coerce")
    if "share" not in sub.columns:
        sub["share"] = num / den.where(den > 0)
    if name not in sub.columns:
        sub[name] = sub[key].astype("string")
    cols = [c for c in dict.fromkeys((key, name, "numerator", "denominator", "share")) if c in sub.columns]
    return sub[cols].reset_index(drop=True)


def district_table(rates: pd.DataFrame, indicators: Sequence[str] | None = None, *, key: str = "area_code",
                   values: str = "share") -> pd.DataFrame:
    """One row per district (index ``key``), one column per indicator, ``values`` in the cells.

    Examples
    --------
    >>> r = pd.DataFrame({"area_code": ["A", "A", "B"], "indicator": ["tv", "radio", "tv"],
    ...                   "share": [0.5, 0.7, 0.1]})
    >>> district_table(r, ["tv", "radio"]).loc["B"].tolist()
    [0.1, nan]
    """
    indicators = list(indicators) if indicators is not None else list(dict.fromkeys(rates["indicator"]))
    if values == "share" and "share" not in rates.columns:
        den = pd.to_numeric(rates["denominator"], errors="coerce")
        rates = rates.assign(share=pd.to_numeric(rates["numerator"], errors="coerce") / den.where(den > 0))
    t = rates.drop_duplicates([key, "indicator"]).pivot(index=key, columns="indicator", values=values)
    keys = list(dict.fromkeys(rates[key]))
    return t.reindex(index=keys, columns=indicators).astype(float)


def lorenz_points(numerator: Sequence[float], denominator: Sequence[float]) -> tuple[np.ndarray, np.ndarray, float]:
    """Lorenz curve of the item over the population, districts ordered by their share.

    Returns ``(x, y, gini)``: ``x`` the cumulative share of the denominator (households or
    persons), ``y`` the cumulative share of the numerator, both starting at 0, and the
    Gini coefficient ``1 - 2 × area under the curve`` (trapezoids). Districts with a
    missing or zero denominator are left out.

    Examples
    --------
    >>> x, y, g = lorenz_points([5, 5], [10, 10])
    >>> round(g, 12)
    0.0
    """
    num = np.asarray(pd.to_numeric(pd.Series(numerator), errors="coerce"), dtype=float)
    den = np.asarray(pd.to_numeric(pd.Series(denominator), errors="coerce"), dtype=float)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    num, den = num[ok], den[ok]
    if len(num) == 0 or num.sum() <= 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0]), float("nan")
    order = np.argsort(num / den, kind="stable")
    x = np.concatenate([[0.0], np.cumsum(den[order]) / den.sum()])
    y = np.concatenate([[0.0], np.cumsum(num[order]) / num.sum()])
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))
    return x, y, 1.0 - 2.0 * area


def _label(indicator: str, lang: str | None) -> str:
    return indicator_label(indicator, lang)


def _wide(df: pd.DataFrame | RateTable, indicator: str | None, columns: RateColumns) -> bool:
    """Whether ``df`` has one row per district with the rate in named columns (not the long rates table)."""
    if isinstance(df, RateTable) or any(columns.get(c) is not None for c in ("numerator", "denominator", "share",
                                                                             "weight")):
        return True
    return indicator is not None and bool({f"numerator_{indicator}", f"{indicator}_numerator"} & set(df.columns))


@literal_text
@renamed(name_column="name", area="name")
def ranked_bar_chart(
    df: pd.DataFrame | RateTable,
    indicator: str | None = None,
    /,
    *,
    fraction: float = 0.5,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
    color: str = "#2c7fb8",
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> Any:
    """Districts ranked by rate, with the territory's rate as a line.

    ``indicator`` may be given by position or as ``indicator=``; ``**columns`` are the rate's columns
    (see :class:`~egovkit.distribution.rate_table.RateColumns`). From the long rates table
    (``indicator`` picks one; ``key``, default ``area_code``, and ``name``, default ``area_name``, the
    district code and label columns): bars in ``color``, highest first, titled with the indicator's
    label. From a table with one row per district and its rate columns (``numerator=``/``denominator=``,
    ``share=``/``weight=``, or ``indicator=`` for ``numerator_<indicator>``/``denominator_<indicator>``;
    ``name`` the label column, ``key`` not used), or a :class:`~egovkit.distribution.RateTable` of
    :func:`egovkit.distribution.rate_table`: lowest first, bars below ``fraction`` of the territory's
    rate highlighted (the lagging districts), ``invalid`` and ``report`` as in
    :func:`egovkit.distribution.inequality`. Names are written when there are at most
    :data:`MAX_LABELLED` districts.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["A", "B", "C"], "n": [5, 20, 50], "d": [100, 100, 100]})
    >>> len(ranked_bar_chart(df, numerator="n", denominator="d", name="name").axes[0].patches)
    3
    """
    check_rate_columns(columns, "ranked_bar_chart")
    if "indicator" in columns:
        if indicator is not None:
            raise TypeError("ranked_bar_chart() got multiple values for argument 'indicator'")
        indicator = columns.pop("indicator")
    if _wide(df, indicator, columns):
        rate = {k: v for k, v in columns.items() if k != "key"}  # the code column is not drawn
        return ranked_rate_bars(df, indicator=indicator, fraction=fraction, title=title, lang=lang, ax=ax,
                                invalid=invalid, report=report, **rate)
    return _ranked_rates(df, indicator, key=columns.get("key") or "area_code", name=columns.get("name") or "area_name",
                         lang=lang, ax=ax, color=color, title=title)


def _ranked_rates(rates: pd.DataFrame, indicator: str | None, *, key: str, name: str, lang: str | None, ax: Any,
                  color: str, title: str | None) -> Any:
    import matplotlib.pyplot as plt

    tr = translations(lang)
    sub = _one(rates, indicator)
    indicator = indicator or (str(sub["indicator"].iloc[0]) if "indicator" in sub.columns else "share")
    d = district_shares(sub, None, key=key, name=name).dropna(subset=["share"])
    d = d.sort_values("share", ascending=False, kind="stable")
    terr = territory_share(sub)
    n = len(d)
    labelled = n <= MAX_LABELLED
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, max(3.0, 0.22 * n + 1) if labelled else 4.5))
    else:
        fig = ax.figure
    pct = 100 * d["share"].to_numpy()
    if labelled:
        import seaborn as sns

        # seaborn draws the first category at the top; positions as categories keep homonyms apart
        sns.barplot(x=pct, y=[str(i) for i in range(n)], order=[str(i) for i in range(n)],
                    orient="h", color=color, saturation=1.0, errorbar=None, ax=ax)
        ax.set_yticks(np.arange(n), d[name].astype(str).tolist(), fontsize=8)
        ax.set_ylabel("")
        ax.axvline(100 * terr, color="#d95f02", lw=1.5, ls="--",
                   label=f"{tr['territory_rate']}: {format_percent(terr, lang)}")
        ax.set_xlabel(tr["share_axis"])
    else:
        ax.bar(np.arange(n), pct, width=1.0, color=color, rasterized=True)
        ax.axhline(100 * terr, color="#d95f02", lw=1.5, ls="--",
                   label=f"{tr['territory_rate']}: {format_percent(terr, lang)}")
        ax.set_ylabel(tr["share_axis"])
        ax.set_xlabel(f"{tr['rank']} ({n} {tr['districts'].lower()})")
        ax.set_xlim(-0.5, n - 0.5)
    ax.set_title(title or _label(indicator, lang))
    ax.legend(loc="lower right" if labelled else "upper right", fontsize=8)
    fig.tight_layout()
    return fig


@literal_text
@renamed(name_column="name")
def ownership_chart(rates: pd.DataFrame, indicators: Sequence[str] | None = None, *,
                    key: str = "area_code", name: str = "area_name", lang: str | None = None,
                    ax: Any = None) -> Any:
    """Heatmap of the share (%) of each indicator (columns) by district (rows).

    Districts are sorted by the first indicator; names and numbers are written when there
    are at most :data:`MAX_LABELLED` districts.

    >>> r = pd.DataFrame({"area_code": ["A", "A"], "indicator": ["tv", "radio"], "numerator": [1, 2],
    ...                   "denominator": [4, 4]})
    >>> [t.get_text() for t in ownership_chart(r, lang="en").axes[0].get_xticklabels()]
    ['Households with a\\ntelevision', 'Households with a\\nradio']
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if "indicator" not in rates.columns:
        raise InputError(code="charts.rates_column", params={"column": "indicator"}, column="indicator")
    indicators = list(indicators) if indicators is not None else list(dict.fromkeys(rates["indicator"]))
    parts = [district_shares(rates, i, key=key, name=name).assign(indicator=i) for i in indicators]
    long = pd.concat(parts, ignore_index=True)
    wide = district_table(long, indicators, key=key) * 100
    first = long.drop_duplicates(key)
    names = pd.Series(first[name].astype(str).to_numpy(), index=first[key].to_numpy())
    wide = wide.sort_values(indicators[0], ascending=False, kind="stable")
    wide.index = pd.Index(names.reindex(wide.index).fillna(pd.Series(wide.index, index=wide.index)))
    wide.columns = [_label(i, lang) for i in indicators]
    n = len(wide)
    labelled = n <= MAX_LABELLED
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.6 * len(indicators) + 3, max(3.0, 0.22 * n + 1.5) if labelled else 7))
    else:
        fig = ax.figure
    if labelled:
        sns.heatmap(wide.astype(float), ax=ax, cmap="YlGnBu", vmin=0, vmax=100,
                    annot=len(indicators) <= 8, fmt=".0f", annot_kws={"fontsize": 7}, cbar_kws={"label": "%"})
    else:  # thousands of rows: one image (seaborn's mesh is slow and heavy in SVG)
        cmap = plt.get_cmap("YlGnBu").with_extremes(bad=NO_DATA_GREY)
        im = ax.imshow(np.ma.masked_invalid(wide.to_numpy(dtype=float)), aspect="auto", cmap=cmap,
                       vmin=0, vmax=100, interpolation="nearest")
        ax.set_xticks(np.arange(len(wide.columns)), list(wide.columns))
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, label="%")
    ax.set_ylabel("" if labelled else f"{n} {translations(lang)['districts'].lower()}")
    # long labels wrapped, horizontal: rotated ones were cut at the figure's edge
    ax.set_xticks(ax.get_xticks(), ["\n".join(textwrap.wrap(str(c), 22)) for c in wide.columns])
    ax.tick_params(axis="x", labelrotation=0, labelsize=8)
    fig.tight_layout()
    return fig


@literal_text
def lorenz_chart(data: pd.DataFrame | dict[str, pd.DataFrame], indicator: str | None = None, *,
                 title: str | None = None, lang: str | None = None, ax: Any = None) -> Any:
    """Lorenz curve(s) with the line of equality and the Gini coefficient in the legend.

    ``data`` is the long rates table (``indicator`` picks one; the curve of the item across
    districts, in percent, the figure has ``egovkit_gini``), or the table(s) of
    :func:`egovkit.distribution.lorenz_curve`: one frame or a dict ``{label: frame}``.

    Examples
    --------
    >>> r = pd.DataFrame({"indicator": "tv", "numerator": [5, 5], "denominator": [10, 10]})
    >>> round(lorenz_chart(r).egovkit_gini, 12)
    0.0
    """
    if isinstance(data, pd.DataFrame) and "share_pop_cum" not in data.columns and {"numerator", "denominator"} <= \
            set(data.columns):
        return _lorenz_rates(data, indicator, lang=lang, ax=ax, title=title)
    return lorenz_curves_chart(data, title=title, lang=lang, ax=ax)


def _lorenz_rates(rates: pd.DataFrame, indicator: str | None, *, lang: str | None, ax: Any,
                  title: str | None) -> Any:
    import matplotlib.pyplot as plt

    tr = translations(lang)
    sub = _one(rates, indicator)
    indicator = indicator or (str(sub["indicator"].iloc[0]) if "indicator" in sub.columns else "share")
    universe = str(sub["universe"].iloc[0]) if "universe" in sub.columns and len(sub) else "households"
    uni = tr.get(universe, universe)
    x, y, gini = lorenz_points(sub["numerator"], sub["denominator"])
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 5.5))
    else:
        fig = ax.figure
    ax.plot([0, 100], [0, 100], color="#999999", lw=1, ls="--", label=tr["equality_line"])
    ax.plot(100 * x, 100 * y, color="#2c7fb8", lw=2,
            label=f"{_label(indicator, lang)} (Gini {format_number(gini, lang, 3)})")
    ax.set_xlabel(tr["cumulative_denominator"].format(universe=uni) + " (%)")
    ax.set_ylabel(tr["cumulative_numerator"].format(universe=uni) + " (%)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.egovkit_gini = gini
    return fig


@literal_text
def coverage_chart(curve: pd.DataFrame, *, radius_column: str = "radius_m", share_column: str | None = None,
                   lang: str | None = None, ax: Any = None) -> Any:
    """Share of the population within a radius of a hotspot, against the radius.

    ``curve`` has one row per radius: ``radius_m`` and a share (0-1) column, by default the
    first column whose name starts with ``share``.

    >>> fig = coverage_chart(pd.DataFrame({"radius_m": [100, 250], "share_covered": [0.2, 0.5]}))
    >>> [float(y) for y in fig.axes[0].get_ylim()]
    [0.0, 100.0]
    """
    import matplotlib.pyplot as plt

    tr = translations(lang)
    share_column = share_column or _share_column(curve)
    if radius_column not in curve.columns:
        raise InputError(code="charts.coverage_radius", params={"column": radius_column}, column=radius_column)
    c = curve.sort_values(radius_column)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    ax.plot(c[radius_column], 100 * c[share_column], marker="o", color="#1a9850")
    ax.set_xlabel(tr["radius_axis"])
    ax.set_ylabel(tr["coverage_axis"])
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _share_column(curve: pd.DataFrame) -> str:
    cols = [c for c in curve.columns if str(c).startswith("share")]
    if not cols:
        raise InputError(code="charts.coverage_share", params={"columns": list(curve.columns)}, column="share")
    return cols[0]


def save_figure(fig: Any, folder: str | Path, name: str, formats: Sequence[str] = ("png", "svg"),
                dpi: int = 110) -> list[Path]:
    """Write ``fig`` as ``folder/name.png`` and ``.svg`` (or other ``formats``) and close it."""
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    literal_figure_text(fig)  # user text drawn as it is, never as $...$ mathematics
    out = []
    for f in formats:
        p = folder / f"{name}.{f}"
        fig.savefig(p, dpi=dpi, bbox_inches="tight", metadata={"Date": None} if f == "svg" else None)
        out.append(p)
    plt.close(fig)
    return out


#: Old names, kept one release (they warn ``DeprecationWarning``).
ranked_bars = deprecated_alias(ranked_bar_chart, "ranked_bars")
ownership_heatmap = deprecated_alias(ownership_chart, "ownership_heatmap")
lorenz_curve = deprecated_alias(lorenz_chart, "lorenz_curve")
coverage_curve = deprecated_alias(coverage_chart, "coverage_curve")
