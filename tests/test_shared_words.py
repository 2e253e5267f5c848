"""The bottom layer of shared words (egovkit.shared): one formatter, one text loader, one
normaliser, one indicator catalogue, used by every step that used to carry its own copy."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import egovkit.settings as settings
from egovkit.errors import InputError
from egovkit.shared import (
    LocalNumber,
    format_number,
    format_percent,
    format_points,
    format_whole_pct,
    indicator_label,
    load_texts,
    normalise_name,
)
from egovkit.shared.texts import text_languages


# -- numbers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("x", [0.0, 0.5, 0.123456, 1234.5678, -98765.4321, 12043016.0])
def test_format_spec_and_functions_agree(lang, x):
    """LocalNumber (sentence templates) writes what format_number/format_percent write."""
    assert f"{LocalNumber(x, lang):,.2f}" == format_number(x, lang, 2)
    assert f"{LocalNumber(x, lang):,.1%}" == format_percent(x, lang, 1)


def test_french_and_english_numbers():
    assert format_number(1234567.891, "fr", 2) == "1\u202f234\u202f567,89"
    assert format_number(1234567.891, "en", 2) == "1,234,567.89"
    assert format_percent(0.071, "fr") == "7,1\u00a0%"
    assert format_points(0.031, "fr") == "3,1\u00a0pts"
    assert format_points(0.031, "en") == "3.1\u00a0pp"


def test_missing_values_are_a_dash_everywhere():
    for f in (format_number, format_percent, format_points, format_whole_pct):
        assert f(float("nan"), "fr") == "–" and f(None, "en") == "–"


def test_whole_percent_never_claims_none_or_all():
    assert [format_whole_pct(p, "fr") for p in (0.0, 0.4, 0.5, 99.4, 99.5, 99.99, 100.0)] == \
        ["0", "< 1", "0", "99", "> 99", "> 99", "100"]


def test_language_defaults_to_the_setting(monkeypatch):
    monkeypatch.setattr(settings, "language", "fr")
    assert format_percent(0.5, decimals=0) == "50\u00a0%"
    assert format(LocalNumber(0.25), ".2f") == "0,25"
    assert load_texts(_i18n())["no_data"] == "Pas de données"
    monkeypatch.setattr(settings, "language", "en")
    assert format_percent(0.5, decimals=0) == "50%"


# -- texts ---------------------------------------------------------------------------------------
def _i18n():
    from pathlib import Path

    import egovkit
    return Path(egovkit.__file__).parent / "present" / "i18n"


def test_texts_fall_back_to_english_key_by_key(tmp_path):
    cat = tmp_path / "t.yaml"
    cat.write_text("en:\n  a: A\n  nested: {x: X, y: Y}\nfr:\n  nested: {x: Xfr}\n", encoding="utf-8")
    fr = load_texts(cat, "fr")
    assert fr == {"a": "A", "nested": {"x": "Xfr", "y": "Y"}}
    fr["a"] = "changed"
    assert load_texts(cat, "fr")["a"] == "A"  # a copy, not the cached catalogue
    assert text_languages(cat) == ("en", "fr")
    with pytest.raises(InputError, match="'de' is not available"):
        load_texts(cat, "de")


def test_translations_and_lagging_sentences_use_the_one_loader():
    from egovkit.distribution.lagging import SENTENCES
    from egovkit.present.i18n import LANGUAGES, translations

    assert translations("fr") == load_texts(_i18n(), "fr") and LANGUAGES == ("en", "fr")
    assert load_texts(SENTENCES, "fr")["population"]["persons"] == "de la population"
    with pytest.raises(InputError):
        translations("xx")


def test_lagging_sentence_numbers_follow_the_language():
    from egovkit.distribution import lagging_summary

    df = pd.DataFrame({"n": [2, 3, 60, 80], "d": [100, 100, 200, 100]})
    fr = lagging_summary(df, numerator="n", denominator="d", lang="fr", fraction=0.6)
    en = lagging_summary(df, numerator="n", denominator="d", lang="en", fraction=0.6)
    assert "(29,0 %)" in fr and "60 % du taux" in fr
    assert "(29.0 %)" in en and "60 % of the" in en


# -- names ---------------------------------------------------------------------------------------
def test_one_name_normaliser():
    import egovkit.join as join
    from egovkit.shared import catalogue

    assert join.normalise_name is normalise_name
    assert normalise_name("Commune de Saint-Étienne") == "saint etienne"
    # the catalogue keeps every word of an alias, but reads punctuation like the join does
    assert catalogue.canonical_name("Télévision") == "tv"
    assert catalogue.canonical_name("desktop / laptop") == catalogue.canonical_name("desktop/laptop")


# -- indicator catalogue -------------------------------------------------------------------------
def test_one_indicator_catalogue():
    import egovkit.indicators as ind
    import egovkit.indicators.catalogue as old
    import egovkit.present as present
    from egovkit.shared import catalogue

    assert ind.itu_catalogue is catalogue.itu_catalogue and old.universe_of is catalogue.universe_of
    assert present.indicator_label is indicator_label
    assert indicator_label("internet", "fr") == "Ménages ayant accès à internet à domicile"
    assert indicator_label("not_in_the_catalogue", "fr") == "not_in_the_catalogue"


def test_charts_take_labels_from_the_shared_catalogue_not_the_report():
    """No charts <-> report import cycle."""
    import inspect

    from egovkit.present import charts

    src = inspect.getsource(charts)
    assert "from .report" not in src and "from ..shared.catalogue import indicator_label" in src


def test_gini_legend_keeps_the_dots_of_the_label(monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    from egovkit.present import charts

    monkeypatch.setattr(charts, "_label", lambda ind, lang: "Hh. w. internet")
    rates = pd.DataFrame({"indicator": "internet", "numerator": [1.0, 9.0], "denominator": [10.0, 10.0]})
    fig = charts.lorenz_curve(rates, "internet", lang="fr")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[1] == f"Hh. w. internet (Gini {format_number(fig.egovkit_gini, 'fr', 3)})"
    assert "," in labels[1] and not math.isnan(fig.egovkit_gini)


# -- geometry: one projected_crs, one repair_geometries ------------------------------------------
def test_one_projected_crs_for_frames_and_series():
    import geopandas as gpd
    import pyproj

    import egovkit.coverage as coverage
    from egovkit import geo
    from egovkit.coverage import population

    assert population.projected_crs is geo.projected_crs is coverage.projected_crs
    pts = gpd.GeoSeries.from_xy([-73.9, -73.8], [40.7, 40.8], crs=4326)
    crs = geo.projected_crs(pts)
    assert isinstance(crs, pyproj.CRS) and crs.to_epsg() == 32618
    assert geo.projected_crs(pts.to_crs(32618)).to_epsg() == 32618  # metric and local: kept
    with pytest.raises(InputError, match="no CRS"):
        geo.projected_crs(gpd.GeoSeries.from_xy([0], [0]))


def test_one_repair_for_files_and_data_sets():
    import warnings

    import geopandas as gpd
    import shapely

    from egovkit import geo
    from egovkit.datasets import loaders
    from egovkit.errors import EgovkitWarning
    from egovkit.validate import ValidationReport

    # a MultiPolygon whose ring crosses itself at a point: make_valid gives one polygon
    loop = shapely.from_wkt("MULTIPOLYGON (((0 0, 4 0, 4 4, 2 4, 2 0, 2 -1, 0 -1, 0 0)))")
    bow = shapely.from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
    g = gpd.GeoDataFrame({"id": ["loop", "bow"]}, geometry=[loop, bow], crs=3857)
    report = ValidationReport()
    with pytest.warns(EgovkitWarning, match="invalid polygon"):
        fixed = geo.repair_geometries(g, key="id", report=report, method="structure")
    assert fixed.is_valid.all() and list(fixed.geom_type) == ["MultiPolygon", "MultiPolygon"]
    issues = report.by_code("geo.geometry_repaired")
    assert [i.area for i in issues] == ["loop", "bow"] and all(i.column == "geometry" for i in issues)
    assert all("area changed by" in i.message for i in issues)
    # the data sets' entry point is the same repair, silent (the cache warns from the report)
    r2 = ValidationReport()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = geo.repair_geometries(g, key="id", report=r2, source="x.gpkg", **loaders.REPAIR)
    assert again.geometry.equals(fixed.geometry) and [i.message for i in r2.issues] == [i.message for i in issues]
