"""egovkit.present.maps / offline: classes, join check, simplification, offline HTML, size budget."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from egovkit.errors import EgovkitError, EgovkitWarning, InputError, JoinError
from egovkit.present.maps import NO_DATA_COLOR, check_map_join, classify, indicator_map, simplify_for_web
from egovkit.present.offline import external_assets, inline_assets, save_offline
from egovkit.present.static_maps import static_indicator_map

from test_present_synthetic import grid_districts, grid_rates, random_points


def _by(report, concept):
    """The findings of a map about ``concept``: ``no_data`` is maps.no_data, maps.no_data_many, maps.no_data_no_key."""
    return [i for i in report.issues if i.code.startswith("maps." + concept)]


# ----------------------------------------------------------------------------- classes
def test_equal_interval_matches_direct_formula():
    rng = np.random.default_rng(0)
    v = rng.uniform(0.05, 0.9, 200)
    c = classify(v, scheme="equal_interval", k=4)
    edges = v.min() + (v.max() - v.min()) * np.arange(1, 5) / 4
    assert np.allclose(c.bins, edges)
    # brute force: class = first upper bound >= value
    expected = np.array([int(np.argmax(x <= edges + 1e-12)) for x in v])
    assert (c.index == expected).all()


def test_quantiles_are_balanced_and_missing_is_minus_one():
    v = np.concatenate([np.arange(100) / 100.0, [np.nan, np.nan]])
    c = classify(v, scheme="quantiles", k=5)
    assert c.n_missing == 2 and (c.index[-2:] == -1).all()
    assert c.counts == [20, 20, 20, 20, 20]
    assert np.allclose(c.bins, np.quantile(v[:100], [0.2, 0.4, 0.6, 0.8, 1.0]))


def test_user_breaks_and_fisher_jenks():
    v = [0.1, 0.2, 0.35, 0.5, 0.9]
    c = classify(v, breaks=[0.25, 0.5])
    assert c.scheme == "user_defined"
    assert list(c.bins) == [0.25, 0.5, 0.9]  # the maximum closes the last class
    assert c.index.tolist() == [0, 0, 1, 1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Numba not installed": mapclassify falls back
        fj = classify([1, 1.1, 1.2, 5, 5.1, 5.2, 9, 9.1], scheme="fisher_jenks", k=3)
    assert fj.index.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]  # three obvious natural groups


def test_classify_rejects_unknown_scheme_and_palette():
    with pytest.raises(InputError, match="classification"):
        classify([1, 2, 3], scheme="bogus")
    with pytest.raises(InputError, match="palette"):
        classify([1, 2, 3], palette="not-a-palette")


# ----------------------------------------------------------------------------- join check
def test_check_join_reports_both_sides_and_keeps_every_district():
    d = grid_districts(3, 2)
    v = pd.DataFrame({"area_code": list(d["area_code"][:4]) + ["ZZ99"], "share": [0.1, 0.2, 0.3, 0.4, 0.5]})
    with pytest.warns(EgovkitWarning, match="2 district"):
        joined, rep = check_map_join(d, v)
    assert len(joined) == len(d)
    assert joined["share"].isna().sum() == 2
    no_data = {i.area for i in _by(rep, "no_data")}
    assert no_data == set(d["area_name"][4:])
    assert [i.area for i in _by(rep, "no_geometry")] == ["ZZ99"]


def test_check_join_errors_name_the_problem():
    d = grid_districts(2, 1)
    with pytest.raises(JoinError, match="no district code"):
        check_map_join(d, pd.DataFrame({"area_code": ["x", "y"], "share": [1, 2]}))
    with pytest.raises(InputError, match="more than once"):
        check_map_join(d, pd.DataFrame({"area_code": ["D0000", "D0000"], "share": [1, 2]}))
    with pytest.raises(JoinError, match="no column 'code'"):
        check_map_join(d, pd.DataFrame({"code": ["D0000"]}), key="code")


# ----------------------------------------------------------------------------- simplification
def test_simplify_meets_budget_and_keeps_every_polygon():
    circles = gpd.GeoDataFrame(geometry=[shapely.Point(36.8 + i * 0.02, -1.3).buffer(0.009, 200) for i in range(20)],
                               crs=4326)
    full = sum(len(s) for s in shapely.to_geojson(circles.geometry.to_numpy()))
    small, tol = simplify_for_web(circles, max_bytes=full // 6)
    assert tol > 0
    assert sum(len(s) for s in shapely.to_geojson(small.geometry.to_numpy())) <= full // 6
    assert len(small) == 20 and not small.geometry.is_empty.any()
    # the simplified shapes stay close to the originals (area within 2 %)
    a0 = circles.to_crs(32737).area.to_numpy()
    a1 = small.to_crs(32737).area.to_numpy()
    assert np.allclose(a1, a0, rtol=0.02)
    # coordinates are rounded to 5 decimals
    xy = shapely.get_coordinates(small.geometry.to_numpy())
    assert np.allclose(xy, np.round(xy, 5), atol=1e-12)


# ----------------------------------------------------------------------------- the folium map
def _geojson_layers(m):
    import folium

    return [c for c in m._children.values() if isinstance(c, folium.GeoJson)]


def test_indicator_map_classes_tooltips_legend_and_no_data():
    d = grid_districts(6, 5)
    rates = grid_rates(d, ("internet",), drop=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        m = indicator_map(d, rates, label="Internet", scheme="quantiles", k=4)
    layer = _geojson_layers(m)[0]
    feats = layer.data["features"]
    assert len(feats) == len(d)  # every district drawn, including those without data
    # classes agree with mapclassify applied directly to numerator/denominator
    import mapclassify

    share = (rates["numerator"] / rates["denominator"]).to_numpy()
    q = mapclassify.Quantiles(share, k=4)
    by_code = dict(zip(rates["area_code"], q.yb))
    expected = [by_code.get(c, -1) for c in d["area_code"]]
    assert [f["properties"]["c"] for f in feats] == expected
    # style: No data districts are grey
    styles = [layer.style_function(f)["fillColor"] for f in feats]
    assert styles[-3:] == [NO_DATA_COLOR] * 3 and NO_DATA_COLOR not in styles[:-3]
    # tooltip fields: name, formatted value with unit, numerator / denominator
    p0 = feats[0]["properties"]
    r0 = rates.iloc[0]
    assert p0["name"] == "District 0-0"
    assert p0["value"] == f"{100 * r0.numerator / r0.denominator:.1f}%"
    assert p0["nd"] == f"{r0.numerator:,.0f} / {r0.denominator:,.0f}"
    assert feats[-1]["properties"]["value"] == "No data"
    html = inline_assets(m.get_root().render())
    assert "No data (3)" in html and "Internet" in html
    assert len(_by(m.egovkit_report, "no_data")) == 3


def test_offline_html_has_no_external_script_or_style():
    d = grid_districts(4, 3)
    rates = grid_rates(d, ("internet",))
    m = indicator_map(d, rates, hotspots=random_points(d, 700), new_sites=random_points(d, 3, seed=9),
                      gap_zones=gpd.GeoDataFrame(geometry=[d.geometry.iloc[0].buffer(-0.002)], crs=4326),
                      lisa=pd.DataFrame({"area_code": d["area_code"], "cluster": ["HH", "LL", "ns"] * 4}))
    raw = m.get_root().render()
    assert external_assets(raw)  # folium's template does use CDNs...
    html = inline_assets(raw)
    assert external_assets(html) == []  # ...all gone
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", html)
    assert "L.markerClusterGroup" in html and "leaflet" in html.lower()
    assert "tile.openstreetmap" not in html  # no basemap unless asked for
    assert m.egovkit_counts == {"districts": 12, "no_data": 0, "lisa": 8, "gaps": 1, "hotspots": 700,
                                "new_sites": 3}


def test_tiles_only_when_asked_and_unknown_assets_fail(tmp_path):
    d = grid_districts(2, 2)
    m = indicator_map(d, grid_rates(d, ("internet",)), tiles="OpenStreetMap")
    p = save_offline(m, tmp_path / "m.html")
    text = p.read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in text and external_assets(text) == []
    with pytest.raises(EgovkitError, match="unknown.js|cannot inline"):
        inline_assets('<script src="https://example.org/unknown.js"></script>')


# ----------------------------------------------------------------------------- real data: size budget
@pytest.mark.realdata
def test_nyc_tract_map_is_under_5_mb(shared_data, tmp_path):
    tracts = gpd.read_file(shared_data / "nyc-nta-tract-population" / "nyc_tract2010.geojson")
    acs = pd.read_csv(shared_data / "nyc-nta-tract-population" / "nyc_tract_acs_2013_2017.csv", dtype={"geoid": str})
    hs = pd.read_csv(shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv", encoding="utf-8-sig")
    hotspots = gpd.GeoDataFrame(geometry=gpd.points_from_xy(hs["Longitude"], hs["Latitude"]), crs=4326)
    values = pd.DataFrame({"geoid": acs["geoid"], "numerator": acs["pop_inpov_est"],
                           "denominator": acs["pop_inpov_denom_est"]})
    tracts["name"] = tracts["tract_id"].astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        m = indicator_map(tracts, values, key="geoid", name="name", hotspots=hotspots)
    p = save_offline(m, tmp_path / "nyc.html")
    assert p.stat().st_size < 5_000_000
    assert m.egovkit_counts["districts"] == 2166 and m.egovkit_counts["hotspots"] == 3319
    # SOURCE.md: ACS-only water tracts 36047990100 and 36081990100, and 1 geometry-only tract
    rep = m.egovkit_report
    assert sorted(i.area for i in _by(rep, "no_geometry")) == ["36047990100", "36081990100"]
    assert len(_by(rep, "no_data")) == 1
    assert external_assets(p.read_text(encoding="utf-8")) == []


def test_coverage_buffers_are_metric_and_drawn():
    from egovkit.present.maps import hotspot_buffers

    d = grid_districts(4, 3)
    pts = random_points(d, 5, seed=11)
    area = hotspot_buffers(pts, 150)
    # brute force: union area by Monte Carlo-free check against a direct projected union
    utm = pts.estimate_utm_crs()
    direct = pts.to_crs(utm).buffer(150, quad_segs=64).union_all().area
    assert area.to_crs(utm).area.iloc[0] == pytest.approx(direct, rel=0.01)
    m = indicator_map(d, grid_rates(d, ("internet",)), hotspots=pts, coverage_radius_m=150)
    assert m.egovkit_counts["coverage_areas"] == 1
    with pytest.raises(InputError, match="positive"):
        hotspot_buffers(pts, 0)


def test_compacted_geojson_is_the_same_data():
    import json as _json

    from egovkit.present.offline import compact_json_calls

    d = grid_districts(3, 3)
    d.loc[0, "area_name"] = 'Name, with "quotes" </script> and é'
    m = indicator_map(d, grid_rates(d, ("internet",)))
    raw = m.get_root().render()
    small = compact_json_calls(raw)
    dec = _json.JSONDecoder()

    def payloads(html):
        return [dec.raw_decode(html, mm.end())[0] for mm in re.finditer(r"_add\(\s*(?=[\[{])", html)]

    assert payloads(small) == payloads(raw) and len(payloads(raw)) >= 1
    assert len(small) < len(raw)
    assert "</script> and" not in small.split("<script>", 1)[-1].split("_add(", 1)[-1][:100000]


def test_points_without_location_and_simplification_are_reported():
    d = grid_districts(3, 2)
    pts = random_points(d, 6)
    pts.loc[2, "geometry"] = None
    with pytest.warns(EgovkitWarning, match="1 of the hotspots have no location"):
        m = indicator_map(d, grid_rates(d, ("internet",)), hotspots=pts, max_geometry_bytes=600)
    assert m.egovkit_counts["hotspots"] == 5
    assert len(_by(m.egovkit_report, "no_location")) == 1
    assert m.egovkit_tolerance_m > 0 and _by(m.egovkit_report, "simplified")


# ----------------------------------------------------------------------------- partial tables (issue 10)
def _partial(n_with_data: int = 4):
    """A 'national' grid of 30 districts and values for the first few; the districts' own key column is
    empty for the areas the table does not cover (as the joined districts of a partial table were)."""
    d = grid_districts(6, 5)
    rates = grid_rates(d, ("internet",)).iloc[:n_with_data]
    return d, rates


def test_missing_district_keys_are_no_data_not_a_merge_error():
    d, rates = _partial()
    d.loc[d.index[10:], "area_code"] = None  # the MergeError of `egovkit run` with a partial table
    d.loc[d.index[12], "area_code"] = "  "
    with pytest.warns(EgovkitWarning, match="26 district"):
        joined, rep = check_map_join(d, rates.drop(columns="area_name"))
    assert len(joined) == 30 and joined["numerator"].notna().sum() == 4
    no_data = _by(rep, "no_data")
    assert len(no_data) == 1 and "26 of 30 districts have no value" in no_data[0].message
    assert "'District 0-4'" in no_data[0].message and "No data" in no_data[0].message
    assert joined.attrs["egovkit_join"] == {"no_data": 26, "no_geometry": 0}


def test_partial_values_map_grey_with_the_legend_saying_so(tmp_path):
    d, rates = _partial()
    d.loc[d.index[10:], "area_code"] = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        m = indicator_map(d, rates.drop(columns="area_name"), column="share")
        fig = static_indicator_map(d, rates.drop(columns="area_name"), column="share")
    html = inline_assets(m.get_root().render())
    assert "No data (26)" in html and m.egovkit_join == {"no_data": 26, "no_geometry": 0}
    layer = next(c for c in m._children.values() if type(c).__name__ == "GeoJson")
    fills = [layer.style_function(f)["fillColor"] for f in layer.data["features"]]
    assert fills.count(NO_DATA_COLOR) == 26
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "No data (26)" in labels and fig.egovkit_join["no_data"] == 26


def test_duplicated_keys_on_either_side():
    d = grid_districts(3, 1)
    # two features of one district (a multi-part district written as two rows): both drawn with its value
    d2 = pd.concat([d, d.iloc[[0]]], ignore_index=True)
    v = pd.DataFrame({"area_code": d["area_code"], "share": [0.1, 0.2, 0.3]})
    joined, rep = check_map_join(d2, v)
    assert joined["share"].tolist() == [0.1, 0.2, 0.3, 0.1] and _by(rep, "shared_key")
    # a value row repeated exactly: drawn once, said once; different values for one key: an error naming it
    joined, rep = check_map_join(d, pd.concat([v, v.iloc[[1, 1]]], ignore_index=True))
    assert joined["share"].tolist() == [0.1, 0.2, 0.3]
    assert [i.code for i in rep.issues] == ["maps.repeated_values"] and "D0001" in rep.issues[0].message
    with pytest.raises(InputError, match="more than once with different values.*D0001"):
        check_map_join(d, pd.concat([v, v.iloc[[1]].assign(share=0.9)], ignore_index=True))
    # value rows without key: not drawn, counted
    with pytest.warns(EgovkitWarning, match="1 value"):
        joined, rep = check_map_join(d, pd.concat([v, pd.DataFrame({"area_code": [None], "share": [0.5]})]))
    assert joined.attrs["egovkit_join"]["no_geometry"] == 1 and _by(rep, "no_geometry")


def test_many_values_without_geometry_are_one_line():
    d = grid_districts(3, 1)
    v = pd.DataFrame({"area_code": list(d["area_code"]) + [f"ZZ{i}" for i in range(9)], "share": 0.5})
    with pytest.warns(EgovkitWarning):
        _, rep = check_map_join(d, v)
    assert len(_by(rep, "no_geometry")) == 1 and "9 values have no district" in _by(rep, "no_geometry")[0].message


def test_one_map_spec_for_both_maps_and_lisa_said_in_the_users_language():
    from egovkit.present.map_spec import map_spec
    from egovkit.present.maps import check_join, check_map_join

    d = grid_districts(4, 3)
    rates = grid_rates(d)
    rates = rates[rates.indicator == "internet"]
    lisa = pd.DataFrame({"area_code": d["area_code"], "cluster": ["HH", "LL", "ns"] * 4})
    spec = map_spec(d, rates, lisa=lisa, lang="fr")
    assert spec.overlay("lisa").frame["lisa"].notna().sum() == 8 and spec.style.percent
    m = indicator_map(d, rates, lisa=lisa, lang="fr")
    fig = static_indicator_map(d, rates, lisa=lisa, lang="fr")
    assert m.egovkit_classes.bins.tolist() == spec.style.classes.bins.tolist() == fig.egovkit_classes.bins.tolist()
    html = inline_assets(m.get_root().render())
    assert "Haut-haut" in html and "Bas-bas" in html
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "LISA Haut-haut (4)" in labels and [text for text, _ in spec.style.legend()] == labels[:len(labels) - 2]
    # the map's join: check_map_join(districts, values); check_join kept one release, name_column= too
    with pytest.warns(DeprecationWarning, match="check_map_join"):
        old, _ = check_join(d, rates)
    with pytest.warns(DeprecationWarning, match="name="):
        new, _ = check_map_join(d, rates, name_column="area_name")
    assert old.equals(new)


def test_both_maps_take_the_content_of_map_spec_and_refuse_a_misspelt_keyword():
    from egovkit.present.map_spec import MAP_DEFAULTS, MapContent

    d = grid_districts(3, 2)
    rates = grid_rates(d)
    rates = rates[rates.indicator == "internet"]
    assert set(MapContent.__annotations__) == set(MAP_DEFAULTS)
    m = indicator_map(d, rates, scheme="equal_interval", k=3)
    fig = static_indicator_map(d, rates, scheme="equal_interval", k=3)
    assert len(m.egovkit_classes.bins) == len(fig.egovkit_classes.bins) == 3
    for draw in (indicator_map, static_indicator_map):
        with pytest.raises(TypeError, match=f"{draw.__name__}\\(\\) got an unexpected keyword argument 'colum'"):
            draw(d, rates, colum="share")
