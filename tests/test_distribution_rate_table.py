"""The rate table said once (rate_table) is accepted by every distribution analysis, with the same results
as the keywords; the former keyword area= still works (deprecated) as name=."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from egovkit.distribution import (
    RateTable,
    district_groups,
    global_moran,
    inequality,
    lagging_districts,
    lagging_summary,
    local_moran,
    lorenz_curve,
    rate_table,
    smooth_rates,
    spatial_weights,
    theil_decomposition,
)
from egovkit.errors import EgovkitWarning, InputError
from egovkit.present.charts import group_chart, ranked_bar_chart
from egovkit.present.charts_distribution import ranked_rate_bars
from egovkit.validate import ValidationReport


def _grid() -> gpd.GeoDataFrame:
    cells = [shapely.box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)]
    rng = np.random.default_rng(3)
    den = rng.integers(20, 200, 16)
    return gpd.GeoDataFrame({"code": [f"c{i}" for i in range(16)], "label": [f"D{i}" for i in range(16)],
                             "n": (den * rng.uniform(0.1, 0.9, 16)).astype(int), "d": den,
                             "g": list("aabb") * 4}, geometry=cells)


KW = {"numerator": "n", "denominator": "d", "key": "code", "name": "label"}


def test_rate_table_is_accepted_everywhere_with_the_same_results():
    gdf = _grid()
    rates = rate_table(gdf, **KW)
    assert isinstance(rates, RateTable) and len(rates) == 16
    assert rates.table["key"].tolist()[:2] == ["c0", "c1"] and rates.table["area"].iloc[0] == "D0"
    pd.testing.assert_frame_equal(inequality(rates), inequality(gdf, **KW))
    pd.testing.assert_frame_equal(lorenz_curve(rates), lorenz_curve(gdf, **KW))
    pd.testing.assert_frame_equal(lagging_districts(rates), lagging_districts(gdf, **KW))
    assert lagging_summary(rates, indicator_label="internet") == lagging_summary(gdf, indicator_label="internet",
                                                                                 **KW)
    pd.testing.assert_frame_equal(smooth_rates(rates), smooth_rates(gdf, **KW))
    pd.testing.assert_frame_equal(theil_decomposition(rates, "g").summary, theil_decomposition(gdf, "g", **KW).summary)
    pd.testing.assert_frame_equal(global_moran(rates, permutations=99), global_moran(gdf, permutations=99, **KW))
    lisa = local_moran(rates, permutations=99)
    pd.testing.assert_frame_equal(lisa, local_moran(gdf, permutations=99, **KW))
    assert lisa["area"].iloc[0] == "D0"
    assert district_groups(rates, "g")[0].tolist() == list("aabb") * 4


def test_rate_table_keywords_given_twice_raise():
    rates = rate_table(_grid(), **KW)
    with pytest.raises(InputError, match="numerator"):
        inequality(rates, numerator="n")


def test_the_rate_columns_are_one_selector_and_a_misspelt_keyword_raises_naming_it():
    gdf = _grid()
    pd.testing.assert_frame_equal(inequality(gdf, numerator="n", denominator="d"),
                                  inequality(rate_table(gdf, numerator="n", denominator="d")))
    with pytest.raises(TypeError, match=r"^inequality\(\) got an unexpected keyword argument 'numerater'$"):
        inequality(gdf, numerater="n", denominator="d")
    calls = {lorenz_curve: (), lagging_districts: (), lagging_summary: (), smooth_rates: (),
             theil_decomposition: ("g",), global_moran: (), local_moran: (), rate_table: (),
             ranked_bar_chart: (), ranked_rate_bars: (), group_chart: ("g",)}
    for func, args in calls.items():
        with pytest.raises(TypeError, match=rf"^{func.__name__}\(\) got an unexpected keyword argument 'nam'$"):
            func(gdf, *args, numerator="n", denominator="d", nam="label")
    with pytest.raises(TypeError, match="multiple values for argument 'indicator'"):
        ranked_bar_chart(gdf, "internet", indicator="internet")


def test_area_is_the_former_name_keyword():
    gdf = _grid()
    with pytest.warns(DeprecationWarning, match=r"area=\) is deprecated: use name="):
        old = inequality(gdf, numerator="n", denominator="d", area="label")
    pd.testing.assert_frame_equal(old, inequality(gdf, numerator="n", denominator="d", name="label"))
    for func in (inequality, lorenz_curve, lagging_districts, lagging_summary, smooth_rates, theil_decomposition,
                 global_moran, local_moran, spatial_weights):
        assert func.__renamed__ == {"area": "name"}


def test_dropped_rows_are_said_in_french_and_recorded():
    gdf = _grid()
    gdf.loc[3, "n"] = np.nan
    rep = ValidationReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        rates = rate_table(gdf, invalid="drop", report=rep, **KW)
    assert len(rates) == 15 and rates.dropped == {3: "missing value in column n"}
    (issue,) = rep.by_code("distribution.dropped_missing_value")
    assert issue.area == "D3" and issue.text("fr").startswith("valeur manquante")
    assert "invalid='drop'" in issue.fix_text("en") and issue.fix_text("fr").startswith("complétez")
