"""The distribution charts and LISA maps of egovkit.present: what is drawn is what was computed."""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from egovkit.distribution import global_moran, local_moran, lorenz_curve  # noqa: E402
from egovkit.errors import EgovkitWarning, InputError  # noqa: E402
from egovkit.present import (  # noqa: E402
    group_chart,
    lisa_map,
    lorenz_chart,
    moran_chart,
    ranked_bar_chart,
    static_lisa_map,
)
from egovkit.present.map_spec import CLUSTER_COLORS  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _grid(n: int = 5) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(0)
    cells = [shapely.box(36 + x / 10, y / 10, 36 + (x + 1) / 10, (y + 1) / 10) for y in range(n) for x in range(n)]
    den = rng.integers(50, 500, n * n).astype(float)
    rate = np.array([(x + y) / (2 * n) for y in range(n) for x in range(n)]) * 0.8 + rng.uniform(0, 0.1, n * n)
    return gpd.GeoDataFrame({"name": [f"c{i}" for i in range(n * n)], "num": rate * den, "den": den,
                             "g": ["west" if i % n < n // 2 else "east" for i in range(n * n)]},
                            geometry=cells, crs=4326)


def test_ranked_bars_heights_and_territory_line():
    gdf = _grid()
    fig = ranked_bar_chart(gdf, numerator="num", denominator="den", name="name")
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    expect = np.sort((gdf.num / gdf.den).to_numpy()) * 100
    np.testing.assert_allclose(widths, expect)
    mu = gdf.num.sum() / gdf.den.sum() * 100
    xs = sorted(line.get_xdata()[0] for line in ax.get_lines())
    np.testing.assert_allclose(xs, [mu / 2, mu])
    below = [p.get_facecolor() for p in ax.patches if p.get_width() < mu / 2]
    above = [p.get_facecolor() for p in ax.patches if p.get_width() >= mu / 2]
    assert below and above and below[0] != above[0]


def test_group_plot_group_rates():
    gdf = _grid()
    fig = group_chart(gdf, "g", numerator="num", denominator="den", lang="fr")
    ax = fig.axes[0]
    grp = gdf.groupby("g").apply(lambda d: 100 * d.num.sum() / d.den.sum(), include_groups=False).sort_values()
    offsets = [c.get_offsets() for c in ax.collections if len(c.get_offsets()) == 2]
    assert any(np.allclose(o[:, 1], grp.to_numpy()) for o in offsets)
    assert [t.get_text() for t in ax.get_xticklabels()] == grp.index.tolist()
    assert ax.get_ylabel() == "Taux (%)"
    with pytest.raises(InputError, match="no grouping column"):
        group_chart(gdf, "region", numerator="num", denominator="den")


def test_lorenz_plot_draws_the_curve():
    gdf = _grid()
    lc = lorenz_curve(gdf, numerator="num", denominator="den")
    fig = lorenz_chart({"internet": lc})
    line = fig.axes[0].get_lines()[1]
    np.testing.assert_allclose(line.get_xdata(), lc["share_pop_cum"])
    np.testing.assert_allclose(line.get_ydata(), lc["share_numerator_cum"])
    with pytest.raises(InputError, match="lorenz_curve"):
        lorenz_chart(pd.DataFrame({"x": [0, 1]}))


def test_moran_scatter_slope_is_morans_i():
    gdf = _grid()
    lisa = local_moran(gdf, numerator="num", denominator="den", name="name", permutations=99)
    m = global_moran(gdf, numerator="num", denominator="den", permutations=99)
    fig = moran_chart(lisa, moran=m, label="name")
    fit = fig.axes[0].get_lines()[0]
    x, y = fit.get_xdata(), fit.get_ydata()
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(m["moran_i"].item(), rel=1e-9)
    with pytest.raises(InputError, match="local_moran"):
        moran_chart(pd.DataFrame({"a": [1]}))


def test_lisa_maps_colours():
    gdf = _grid()
    lisa = local_moran(gdf, numerator="num", denominator="den", name="name", permutations=99)
    fig = static_lisa_map(lisa)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    counts = lisa["lisa_cluster"].value_counts()
    assert f"High-high ({counts['high-high']})" in legend
    html = lisa_map(lisa, lang="fr").get_root().render()
    assert CLUSTER_COLORS["high-high"] in html and "Haut-haut" in html and "c24" in html
    with pytest.raises(InputError, match="CRS"):
        lisa_map(lisa.set_crs(None, allow_override=True))


def test_group_plot_refuses_a_missing_group_and_accepts_drop():
    gdf = _grid()
    gdf.loc[3, "g"] = None
    with pytest.raises(InputError, match="no group for 1 district.*c3"):
        group_chart(gdf, "g", numerator="num", denominator="den", name="name")
    gdf.loc[3, "g"] = "west"
    gdf.loc[4, "num"] = np.nan
    with pytest.raises(InputError, match="invalid='drop'"):
        group_chart(gdf, "g", numerator="num", denominator="den", name="name")
    with pytest.warns(EgovkitWarning, match="c4"):
        fig = group_chart(gdf, "g", numerator="num", denominator="den", name="name", invalid="drop")
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections if len(c.get_offsets()) != 2) == 24
    with pytest.warns(EgovkitWarning, match="c4"):
        fig = ranked_bar_chart(gdf, numerator="num", denominator="den", name="name", invalid="drop")
    assert len(fig.axes[0].patches) == 24


def test_charts_take_the_rate_table_of_the_distribution():
    from egovkit.distribution import rate_table
    from egovkit.present.charts import group_chart
    from egovkit.present.charts import ranked_bar_chart as chart

    df = pd.DataFrame({"nm": list("ABCD"), "numerator_internet": [5, 20, 50, 60], "denominator_internet": [100] * 4,
                       "g": list("aabb")})
    rates = rate_table(df, indicator="internet", name="nm")
    widths = [p.get_width() for p in chart(rates).axes[0].patches]
    assert widths == [p.get_width() for p in chart(df, indicator="internet", name="nm").axes[0].patches]
    assert widths == pytest.approx([5, 20, 50, 60])
    assert len(group_chart(rates, "g").axes) == 1
    plt.close("all")


def test_old_names_of_distribution_plots_warn_and_draw_the_same():
    """egovkit.present.distribution_plots keeps its former names one release (issue 11)."""
    from egovkit.present import distribution_plots as old

    lc = lorenz_curve(_grid(), numerator="num", denominator="den")
    with pytest.warns(DeprecationWarning, match=r"lorenz_plot\(\) is deprecated: use lorenz_chart\(\)"):
        fig = old.lorenz_plot({"internet": lc})
    new = lorenz_chart({"internet": lc})
    assert [list(ln.get_ydata()) for ln in fig.axes[0].lines] == [list(ln.get_ydata()) for ln in new.axes[0].lines]
