"""Empirical Bayes smoothing against esda, lagging districts and sentences against direct counts."""

from __future__ import annotations

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely

from egovkit.distribution import lagging_districts, lagging_summary, smooth_rates
from egovkit.distribution.lagging import set_apart_mask
from egovkit.errors import InputError


def _grid(n: int = 5, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    den = rng.integers(3, 400, n * n).astype(float)
    p = np.clip(0.1 + 0.03 * np.arange(n * n) / n + rng.normal(0, 0.08, n * n), 0.01, 0.95)
    num = rng.binomial(den.astype(int), p).astype(float)
    cells = [shapely.box(x, y, x + 1, y + 1) for y in range(n) for x in range(n)]
    return gpd.GeoDataFrame({"name": [f"c{i}" for i in range(n * n)], "num": num, "den": den}, geometry=cells,
                            crs="EPSG:32637")


def test_global_eb_matches_esda():
    gdf = _grid()
    s = smooth_rates(gdf, numerator="num", denominator="den")
    ref = esda.smoothing.Empirical_Bayes(gdf["num"].to_numpy(), gdf["den"].to_numpy()).r.ravel()
    np.testing.assert_allclose(s["share_smoothed"], ref, rtol=1e-10)
    assert s["smoothed"].all() and (s["smoothing"] == "empirical Bayes (global)").all()
    np.testing.assert_allclose(s["share_raw"], gdf["num"] / gdf["den"])
    # smaller denominators are pulled more toward the territory's rate
    assert np.corrcoef(s["den"], s["shrinkage"])[0, 1] < 0
    assert s["small_denominator"].tolist() == (gdf["den"] < 50).tolist()


def test_spatial_eb_matches_esda():
    gdf = _grid(seed=1)
    s = smooth_rates(gdf, numerator="num", denominator="den", method="spatial", neighbours="rook")
    w = libpysal.weights.Rook.from_dataframe(gdf, use_index=False)
    w.id_order = list(range(len(gdf)))
    ref = esda.smoothing.Spatial_Empirical_Bayes(gdf["num"].to_numpy(), gdf["den"].to_numpy(), w).r.ravel()
    np.testing.assert_allclose(s["share_smoothed"], ref, rtol=1e-10)


def test_no_extra_variance_means_full_shrinkage():
    df = pd.DataFrame({"num": [5, 50, 500, 1], "den": [10, 100, 1000, 2]})
    s = smooth_rates(df, numerator="num", denominator="den")
    np.testing.assert_allclose(s["share_smoothed"], 0.5)
    np.testing.assert_allclose(s["shrinkage"], 1.0)


def test_smoothing_bad_input():
    df = pd.DataFrame({"name": ["A", "B"], "num": [1, 2], "den": [0, 10]})
    with pytest.raises(InputError, match="zero denominator.*A"):
        smooth_rates(df, numerator="num", denominator="den", name="name")
    with pytest.raises(InputError, match="method"):
        smooth_rates(df.assign(den=[5, 10]), numerator="num", denominator="den", method="kriging")


def test_lagging_districts_direct():
    rng = np.random.default_rng(9)
    df = pd.DataFrame({"name": [f"d{i}" for i in range(20)], "den": rng.integers(10, 1000, 20)})
    df["num"] = np.floor(df["den"] * rng.uniform(0, 0.6, 20))
    mu = df["num"].sum() / df["den"].sum()
    rate = df["num"] / df["den"]
    for fraction in (1.0, 0.5, 0.8):
        lag = lagging_districts(df, numerator="num", denominator="den", name="name", fraction=fraction)
        assert set(lag["area"]) == set(df.loc[rate < fraction * mu, "name"])
        assert lag["share"].is_monotonic_increasing and lag["rank"].tolist() == list(range(1, len(lag) + 1))
        assert lag["share_pop"].sum() == pytest.approx(df.loc[rate < fraction * mu, "den"].sum() / df["den"].sum())
    lag = lagging_districts(df, numerator="num", denominator="den", name="name", top=3)
    assert len(lag) == 3 and lag["area"].iloc[0] == df.loc[rate.idxmin(), "name"]
    np.testing.assert_allclose(lag["missing_to_territory"], (mu - lag["share"]) * lag["denominator"])
    np.testing.assert_allclose(lag["gap_pct_points"], 100 * (lag["share"] - mu))


def test_sentences_en_fr_and_singular():
    df = pd.DataFrame({"n": [1, 40, 50, 60], "d": [100, 100, 100, 100]})  # mu = 0.3775
    en = lagging_summary(df, numerator="n", denominator="d", district_word="county", indicator_label="internet")
    assert en == ("1 of 4 counties, home to 25 % of households, is below half the national rate of internet "
                  "access (37.8 %).")
    fr = lagging_summary(df, numerator="n", denominator="d", fraction=1.0, lang="fr", district_word="commune",
                         indicator_label="mobile_phone", universe="persons")
    assert fr == ("1 commune sur 4, où vivent 25 % de la population, est en dessous du taux national de "
                  "possession d'un téléphone portable (37,8 %).")
    other = lagging_summary(df, numerator="n", denominator="d", fraction=1.2, district_word="ward",
                            indicator_label="fibre", territory_label="regional")
    assert other == ("2 of 4 wards, home to 50 % of households, are below 120 % of the regional rate of fibre "
                     "(37.8 %).")
    with pytest.raises(InputError, match="language"):
        lagging_summary(df, numerator="n", denominator="d", lang="de")


def test_spatial_eb_island_left_out_keeps_raw_rate():
    gdf = _grid(seed=2)
    island = gpd.GeoDataFrame({"name": ["far"], "num": [3.0], "den": [7.0]}, geometry=[shapely.box(20, 20, 21, 21)],
                              crs=gdf.crs)
    gdf = pd.concat([gdf, island], ignore_index=True)
    with pytest.warns(Warning):
        s = smooth_rates(gdf, numerator="num", denominator="den", method="spatial", islands="drop", name="name")
    assert s["share_smoothed"].iloc[-1] == pytest.approx(3 / 7)
    assert not s["smoothed"].iloc[-1] and s["smoothed"].iloc[:-1].all()
    assert s["shrinkage"].iloc[-1] == 0 and s["shrinkage"].iloc[:-1].gt(0).any()


def test_equal_rates_are_not_lagging():
    df = pd.DataFrame({"r": [0.37] * 3, "d": [238.5, 83.25, 470.75]})
    assert len(lagging_districts(df, share="r", weight="d")) == 0
    text = lagging_summary(df, share="r", weight="d", fraction=1.0, district_word="county", indicator_label="internet")
    assert text.startswith("0 of 3 counties")
    counts = pd.DataFrame({"n": [1920, 4110, 1150, 2400, 1635], "d": [38400, 82200, 23000, 48000, 32700]})
    assert len(lagging_districts(counts, numerator="n", denominator="d")) == 0


def test_free_text_indicator_in_french_and_small_shares():
    df = pd.DataFrame({"n": [1, 40, 50, 60], "d": [1, 1000, 1000, 1000]})
    fr = lagging_summary(df, numerator="n", denominator="d", fraction=1.0, lang="fr", indicator_label="fibre optique")
    assert "taux national de fibre optique (" in fr
    fr = lagging_summary(df, numerator="n", denominator="d", fraction=1.0, lang="fr", indicator_label="ADSL")
    assert "taux national d'ADSL (" in fr
    # a tiny district below the rate is home to "< 1 %" of households, not "0 %"
    tiny = pd.DataFrame({"n": [0, 50, 50], "d": [1, 1000, 1000]})
    en = lagging_summary(tiny, numerator="n", denominator="d", fraction=1.0, indicator_label="internet")
    assert en.startswith("1 of 3 districts, home to < 1 % of households, is below")
    fr = lagging_summary(tiny, numerator="n", denominator="d", fraction=1.0, lang="fr", indicator_label="internet")
    assert "où vivent < 1 % des ménages" in fr
    almost_all = pd.DataFrame({"n": [0, 1], "d": [1000, 1]})
    assert "home to > 99 % of" in lagging_summary(almost_all, numerator="n", denominator="d", fraction=1.0)


def test_excluded_districts_weigh_in_the_rate_but_are_not_listed_nor_counted():
    df = pd.DataFrame({"code": ["P", "A", "B", "C", "D"], "name": ["Park", "Park", "Low", "Mid", "High"],
                       "n": [0, 5, 10, 60, 80], "d": [50, 100, 100, 200, 100]})  # mu = 155 / 550
    mask = set_apart_mask(df, key="code", set_apart=["P"])  # by code: "A" shares the park's name
    assert mask.tolist() == [True, False, False, False, False]
    lag = lagging_districts(df, numerator="n", denominator="d", name="name", fraction=0.5, exclude=mask)
    assert lag.attrs["share_territory"] == pytest.approx(155 / 550)  # the park still counts in the rate
    assert lag.index.tolist() == [1, 2] and lag["rank"].tolist() == [1, 2]
    assert (lag.attrs["n_districts"], lag.attrs["n_excluded"]) == (4, 1)
    en = lagging_summary(df, numerator="n", denominator="d", name="name", indicator_label="internet", exclude=mask)
    assert en.startswith("2 of 4 districts (and 1 set apart), home to 36 % of households, are below half")
    fr = lagging_summary(df, numerator="n", denominator="d", name="name", indicator_label="internet", lang="fr",
                         district_word="commune", exclude=mask.to_numpy())
    assert fr.startswith("2 communes sur 4 (et 1 hors décompte), où vivent 36 % des ménages")
    # without the mask: one more district below, none set apart
    assert lagging_summary(df, numerator="n", denominator="d",
                           indicator_label="internet").startswith("3 of 5 districts,")
    small = set_apart_mask(df, key="code", denominator="d", min_denominator=60)
    assert small.tolist() == [True, False, False, False, False]
    with pytest.raises(InputError, match="exclude="):
        lagging_districts(df, numerator="n", denominator="d", exclude=[True, False])
    with pytest.raises(InputError, match="exclude="):
        lagging_districts(df, numerator="n", denominator="d", exclude=pd.Series(True, index=[99]))
