"""egovkit.present.charts and static_maps: values drawn equal direct formulas."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from egovkit.errors import EgovkitWarning, InputError  # noqa: E402
from egovkit.present import charts  # noqa: E402
from egovkit.present.static_maps import static_indicator_map  # noqa: E402

from test_present_synthetic import grid_districts, grid_rates, random_points  # noqa: E402


def _brute_gini(rate: np.ndarray, weight: np.ndarray) -> float:
    """Gini of a population where every unit of group i has rate_i: mean absolute difference / (2 mean)."""
    w = weight / weight.sum()
    mu = float((w * rate).sum())
    return float((w[:, None] * w[None, :] * np.abs(rate[:, None] - rate[None, :])).sum() / (2 * mu))


def test_lorenz_gini_equals_brute_force():
    rng = np.random.default_rng(5)
    den = rng.integers(50, 2000, 40).astype(float)
    rate = rng.beta(2, 3, 40)
    x, y, g = charts.lorenz_points(rate * den, den)
    assert g == pytest.approx(_brute_gini(rate, den), rel=1e-10)
    assert x[0] == y[0] == 0 and x[-1] == pytest.approx(1) and y[-1] == pytest.approx(1)
    assert (np.diff(y) / np.diff(x) >= -1e-12).all()  # convex: slopes are the sorted rates
    assert charts.lorenz_points([5, 5], [10, 10])[2] == pytest.approx(0)
    # all the item in one district out of two equal ones: Gini 0.5
    assert charts.lorenz_points([0, 10], [10, 10])[2] == pytest.approx(0.5)


def test_territory_share_is_ratio_of_sums_and_ignores_missing():
    r = pd.DataFrame({"area_code": list("ABC"), "indicator": "tv", "numerator": [10, 30, np.nan],
                      "denominator": [100, 50, 70]})
    assert charts.territory_share(r) == pytest.approx(40 / 150)
    with pytest.raises(InputError, match="not in the rates table"):
        charts.territory_share(r, "radio")


def test_ranked_bars_heights_and_territory_line():
    d = grid_districts(4, 3)
    rates = grid_rates(d, ("internet", "computer"))
    fig = charts.ranked_bar_chart(rates, "computer")
    ax = fig.axes[0]
    sub = rates[rates.indicator == "computer"]
    expected = np.sort((100 * sub.numerator / sub.denominator).to_numpy())[::-1]
    widths = np.array([p.get_width() for p in ax.patches])
    assert np.allclose(widths, expected)
    line = ax.lines[0].get_xdata()[0]
    assert line == pytest.approx(100 * sub.numerator.sum() / sub.denominator.sum())
    plt.close(fig)


def test_heatmap_cells_are_the_shares_for_many_and_few_districts():
    for nx, ny in ((3, 2), (10, 8)):  # labelled seaborn heatmap, and the image for > 60 districts
        d = grid_districts(nx, ny)
        rates = grid_rates(d, ("internet", "computer", "tv"))
        fig = charts.ownership_chart(rates)
        ax = fig.axes[0]
        arr = np.asarray(ax.collections[0].get_array() if ax.collections else ax.images[0].get_array())
        wide = rates.assign(p=100 * rates.numerator / rates.denominator).pivot(
            index="area_code", columns="indicator", values="p")[["internet", "computer", "tv"]]
        wide = wide.sort_values("internet", ascending=False, kind="stable")
        assert np.allclose(np.asarray(arr, dtype=float).reshape(wide.shape), wide.to_numpy())
        plt.close(fig)


def test_coverage_curve_and_save_figure(tmp_path):
    curve = pd.DataFrame({"radius_m": [500, 100, 250], "share_covered": [0.67, 0.118, 0.367]})
    fig = charts.coverage_chart(curve)
    ax = fig.axes[0]
    assert list(ax.lines[0].get_xdata()) == [100, 250, 500]
    assert np.allclose(ax.lines[0].get_ydata(), [11.8, 36.7, 67.0])
    paths = charts.save_figure(fig, tmp_path, "cov")
    assert [p.suffix for p in paths] == [".png", ".svg"]
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and b"<svg" in paths[1].read_bytes()[:400]
    with pytest.raises(InputError, match="share"):
        charts.coverage_chart(pd.DataFrame({"radius_m": [1], "x": [2]}))


def test_static_map_colours_follow_classes_and_legend_counts():
    d = grid_districts(5, 4)
    rates = grid_rates(d, ("internet",), drop=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        fig = static_indicator_map(d, rates, k=3, hotspots=random_points(d, 10), label="Internet")
    cl = fig.egovkit_classes
    assert cl.n_missing == 2 and sum(cl.counts) == 18
    ax = fig.axes[0]
    faces = ax.collections[0].get_facecolors()
    from matplotlib.colors import to_rgba

    expected = [to_rgba(cl.color_of(i)) for i in cl.index]
    assert np.allclose(faces, expected)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "No data (2)" in texts and any(t.startswith("Wi-Fi hotspots (10)") for t in texts)
    plt.close(fig)


def test_static_map_lisa_outlines_and_coverage_layers():
    import geopandas as gpd

    d = grid_districts(4, 3)
    rates = grid_rates(d, ("internet",))
    lisa = pd.DataFrame({"area_code": d.area_code, "lisa_cluster": ["high-high"] * 3 + ["low-low"] * 2
                         + ["not significant"] * 7})
    gaps = gpd.GeoDataFrame(geometry=[d.geometry.iloc[5].buffer(-0.002)], crs=4326)
    fig = static_indicator_map(d, rates, lisa=lisa, lisa_column="lisa_cluster", gap_zones=gaps,
                               hotspots=random_points(d, 4), coverage_radius_m=200)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "LISA High-high (3)" in texts and "LISA Low-low (2)" in texts
    assert "Uncovered gap zones" in texts and "Covered by Wi-Fi" in texts
    plt.close(fig)


def test_static_map_is_simplified_whatever_the_count_and_legend_is_outside(tmp_path):
    """A few very detailed districts (as the 47 Kenya counties): small SVG, legend beside the map."""
    import geopandas as gpd
    from shapely.geometry import Point

    # 6 districts of 20,000 vertices each (far below any "many districts" threshold)
    d = gpd.GeoDataFrame({"area_code": [f"D{i}" for i in range(6)], "area_name": [f"D {i}" for i in range(6)]},
                         geometry=[Point(36.8 + 0.3 * i, -1.3).buffer(0.14, 5000) for i in range(6)], crs=4326)
    rates = grid_rates(d, ("internet",))
    fig = static_indicator_map(d, rates, k=3, label="Internet")
    ax = fig.axes[0]
    drawn = sum(len(p.vertices) for p in ax.collections[0].get_paths())
    assert drawn <= 15_000 + 6 * 10  # the vertex budget (was all 120,000)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend_box = ax.get_legend().get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    assert legend_box.x0 >= axes_box.x1 - 1  # outside the axes: it hides no district
    paths = charts.save_figure(fig, tmp_path, "m", dpi=90)
    assert paths[1].stat().st_size < 500_000


def test_one_chart_family_and_the_old_names_warn_and_draw_the_same():
    """One function per chart (``<what>_chart``); the old names still work one release and warn."""
    from egovkit.present import distribution_plots as dp

    rates = grid_rates(grid_districts(4, 3))
    with pytest.warns(DeprecationWarning, match=r"ranked_bars\(\) is deprecated: use ranked_bar_chart\(\)"):
        old = charts.ranked_bars(rates, "computer", name_column="area_name")
    new = charts.ranked_bar_chart(rates, "computer", name="area_name")
    assert [p.get_width() for p in old.axes[0].patches] == [p.get_width() for p in new.axes[0].patches]
    with pytest.warns(DeprecationWarning, match="lorenz_chart"):
        assert charts.lorenz_curve(rates).egovkit_gini == charts.lorenz_chart(rates).egovkit_gini
    # the distribution's tables go through the same functions
    wide = pd.DataFrame({"name": ["A", "B", "C"], "n": [5, 20, 50], "d": [100] * 3})
    fig = charts.ranked_bar_chart(wide, numerator="n", denominator="d", name="name")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A", "B", "C"]
    with pytest.warns(DeprecationWarning, match=r"area="):
        dp.ranked_bar_chart(wide, numerator="n", denominator="d", area="name")
    with pytest.warns(DeprecationWarning, match="group_chart"):
        dp.group_distribution_plot(wide.assign(g=list("aab")), "g", numerator="n", denominator="d")
    for old_name in ("lorenz_plot", "moran_scatter_plot", "lisa_cluster_map", "lisa_folium_map"):
        assert getattr(dp, old_name).__name__ == old_name
    plt.close("all")
