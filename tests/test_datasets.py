"""Tests for egovkit.datasets: registry hashes, mirror/cache fetch, errors, and every loader
against the converted copies and published figures in ../shared/data."""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib
import threading
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

import egovkit.settings as settings
from egovkit import datasets
from egovkit.datasets import convert
from egovkit.errors import DownloadError, EgovkitWarning

# the package exports a function ``fetch``, so take the modules from the import system
fetch_mod = importlib.import_module("egovkit.datasets.fetch")
registry = importlib.import_module("egovkit.datasets.registry")

pytestmark = pytest.mark.realdata


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder for this test only (the session cache is left alone)."""
    cache = tmp_path / "cache"
    monkeypatch.setattr(settings, "cache_dir", cache)
    return cache


# -- registry ------------------------------------------------------------------------------
def test_registry_hashes_match_the_mirror_bytes(mirror):
    entries = registry.registry()
    pinned = [e for e in entries.values() if e.sha256 is not None]
    assert len(pinned) == len(entries)  # every file is pinned (the Singapore raster since ec7c02e/7429c99)
    for e in pinned:
        assert len(e.commit) == 40
        assert _sha(mirror / e.mirror_path) == e.sha256, e.name


def test_every_data_file_of_the_mirror_is_registered(mirror):
    on_disk = {str(p.relative_to(mirror)) for p in mirror.rglob("*") if p.is_file() and p.name != "LICENSE"}
    registered = {e.mirror_path for e in registry.registry().values() if e.sha256}
    assert on_disk == registered


def test_kenya_geojson_file_list_has_the_47_counties(mirror):
    files = [n for n in registry.names("kenya_counties") if n != "kenya_counties/counties"]
    assert len(files) == 47
    folder = next(mirror.glob("github/Mondieki/kenya-counties-subcounties/*/geojson"))
    assert sorted(p.stem for p in folder.glob("*.json")) == sorted(n.split("/")[1] for n in files)


def test_unknown_name_suggests_a_close_one():
    with pytest.raises(DownloadError, match="kenya_census/V4_T2.36"):
        datasets.fetch("kenya_census/V4_T2.63")


def test_source_of_follows_the_mirror_setting(monkeypatch):
    e = registry.get("ubernyc/nynta")
    monkeypatch.setattr(settings, "data_mirror", None)
    assert fetch_mod.source_of(e) == (
        "https://raw.githubusercontent.com/abelsonlive/ubernyc/60b5d44f883bde97d79efbec1883ee3c1c4a4d75/data/nynta.geojson")
    monkeypatch.setattr(settings, "data_mirror", "https://example.org/m/")
    assert fetch_mod.source_of(e) == "https://example.org/m/" + e.mirror_path
    monkeypatch.setattr(settings, "data_mirror", "file:///srv/m")
    assert fetch_mod.source_of(e) == "/srv/m/" + e.mirror_path


# -- fetch, cache, errors -----------------------------------------------------------------
def test_fetch_copies_checks_and_reuses_the_cache(mirror, fresh_cache, monkeypatch):
    name = "kenya_census/V4_T1.9"
    assert not datasets.is_cached(name)
    path = datasets.fetch(name)
    assert path.is_relative_to(fresh_cache)
    assert path.read_bytes() == (mirror / registry.get(name).mirror_path).read_bytes()
    assert datasets.is_cached(name)
    listed = datasets.list_datasets().set_index("name")
    assert listed.loc[name, "cached"] == "yes" and listed.loc["kenya_census/V4_T2.36", "cached"] == "no"
    # second call: the mirror is gone, the cached file is returned untouched
    mtime = path.stat().st_mtime_ns
    monkeypatch.setattr(settings, "data_mirror", str(fresh_cache.parent / "no-such-mirror"))
    assert datasets.fetch(name) == path
    assert path.stat().st_mtime_ns == mtime


def test_file_url_mirror(mirror, fresh_cache, monkeypatch):
    monkeypatch.setattr(settings, "data_mirror", mirror.as_uri())
    path = datasets.fetch("acs_s2801/title")
    assert _sha(path) == registry.get("acs_s2801/title").sha256


def _mirror_copy(mirror: Path, tmp: Path, name: str, alter: bool) -> Path:
    rel = registry.get(name).mirror_path
    data = bytearray((mirror / rel).read_bytes())
    if alter:
        data[len(data) // 2] ^= 0x01
    target = tmp / "mirror" / rel
    target.parent.mkdir(parents=True)
    target.write_bytes(bytes(data))
    return target


def test_corrupted_mirror_file_raises_a_clear_error(mirror, fresh_cache, tmp_path, monkeypatch):
    name = "nycgeo/borough_sf_simple"
    bad = _mirror_copy(mirror, tmp_path, name, alter=True)
    monkeypatch.setattr(settings, "data_mirror", str(tmp_path / "mirror"))
    with pytest.raises(DownloadError) as err:
        datasets.fetch(name)
    msg = str(err.value)
    assert name in msg and str(bad) in msg
    assert registry.get(name).sha256 in msg and _sha(bad) in msg
    assert "Fix:" in msg and "EGOVKIT_DATA_MIRROR" in msg
    assert not fetch_mod.cached_path(name).exists()  # nothing half-written is left in the cache
    assert [p.name for p in fetch_mod.cached_path(name).parent.iterdir() if not p.name.endswith(".lock")] == []


def test_missing_mirror_file_raises(fresh_cache, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "data_mirror", str(tmp_path / "empty"))
    with pytest.raises(DownloadError, match=r"not found in the data mirror: .*empty/github/kcorlay"):
        datasets.nyc_hotspots_raw()


def test_damaged_cache_copy_is_replaced(mirror, fresh_cache):
    name = "acs_s2801/metadata"
    path = datasets.fetch(name)
    path.write_bytes(b"garbage")
    assert not datasets.is_cached(name)
    with pytest.warns(EgovkitWarning, match=r"original .*metadata.csv had a wrong sha256.*fetched it again"):
        assert _sha(datasets.fetch(name)) == registry.get(name).sha256


def test_download_over_http(mirror, fresh_cache, monkeypatch):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setattr(settings, "data_mirror", f"http://127.0.0.1:{server.server_port}/")
        path = datasets.fetch("kenya_counties/nairobi")
        assert _sha(path) == registry.get("kenya_counties/nairobi").sha256
        with pytest.raises(DownloadError, match="could not download"):
            monkeypatch.setattr(settings, "data_mirror", f"http://127.0.0.1:{server.server_port}/nothing-here")
            datasets.fetch("kenya_counties/lamu")
    finally:
        server.shutdown()
        server.server_close()


def test_singapore_population_from_its_pinned_original_equals_the_shared_geotiff(shared_data, fresh_cache):
    # through the mirror: sgpop.rda (ec7c02e) fetched, sha256-checked, converted without R and cached
    pop = datasets.singapore_population()
    ref = datasets.singapore_population(next((shared_data / "singapore-population-raster").glob("*.tif")))
    assert pop.array.shape == ref.array.shape == (375, 579)
    assert np.array_equal(pop.array, ref.array, equal_nan=True)
    assert pop.crs == ref.crs and tuple(pop.transform) == pytest.approx(tuple(ref.transform), abs=1e-12)
    assert round(pop.total) == 5_399_000 and int((pop.array > 0).sum()) == 19_598
    again = datasets.singapore_population()  # second call: from the checked cache
    assert np.array_equal(again.array, pop.array, equal_nan=True) and again.path == pop.path


def test_singapore_cached_geotiff_cut_short_is_rebuilt(fresh_cache):
    pop = datasets.singapore_population()
    data = pop.path.read_bytes()
    pop.path.write_bytes(data[: len(data) // 2])
    with pytest.warns(EgovkitWarning, match="rebuilt"):
        again = datasets.singapore_population()
    assert np.array_equal(again.array, pop.array, equal_nan=True)


def test_singapore_population_from_a_geotiff(shared_data):
    tif = next((shared_data / "singapore-population-raster").glob("*.tif"))
    pop = datasets.singapore_population(tif)
    array, transform, crs = pop
    assert array.shape == (375, 579) and crs.to_epsg() == 4326
    assert pop.total == pytest.approx(5_399_000, rel=1e-6)  # SOURCE.md: sum 5,399,000
    assert int((array > 0).sum()) == 19_598 and int(np.isnan(array).sum()) == 125_624
    assert transform.a == pytest.approx(1 / 1200, rel=1e-4)  # 3 arc-seconds


# -- conversion ------------------------------------------------------------------------------
def test_sf_geometries_rebuilds_holes_and_parts():
    outer = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], float)
    hole = np.array([[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]], float)
    far = np.array([[10, 10], [11, 10], [11, 11], [10, 10]], float)
    # like rdata: a POLYGON is a list of rings, a MULTIPOLYGON a list of those (R matrices are F-ordered)
    geoms = convert.sf_geometries([[np.asfortranarray(outer), hole], [[outer], [far]]])
    expected = [MultiPolygon([Polygon(outer, [hole])]), MultiPolygon([Polygon(outer), Polygon(far)])]
    assert all(shapely.equals(g, e) for g, e in zip(geoms, expected))
    assert [g.area for g in geoms] == [15.0, 16.5]


def test_cached_frame_round_trips_exactly(fresh_cache):
    df = pd.DataFrame({"code": ["001", None, "x"], "v": [0.1 + 0.2, np.nan, 1e-300], "n": [1, 2, 3]})
    first = convert.cached_frame("t", {"t": "f" * 64}, lambda: df)
    again = convert.cached_frame("t", {"t": "f" * 64}, lambda: pytest.fail("rebuilt instead of read from the cache"))
    pd.testing.assert_frame_equal(again, df, check_dtype=False)
    assert again["v"].iloc[0] == 0.1 + 0.2 and again["code"].iloc[0] == "001" and pd.isna(again["code"].iloc[1])
    # the builder gets the frame as read back from the cache, like every later caller
    assert first is not df
    pd.testing.assert_frame_equal(first, again)


# -- Kenya -----------------------------------------------------------------------------------
@pytest.mark.parametrize("table", ["V4_T2.36", "V4_T2.32", "V4_T2.33", "V1_T2.3", "V4_T1.9", "V4_T2.35"])
def test_kenya_census_table_equals_the_shared_csv(shared_data, table):
    expected = pd.read_csv(shared_data / "kenya-census-2019-ict" / f"{table}.csv")
    for _ in range(2):  # converted, then read back from the converted cache
        got = datasets.kenya_census_table(table)
        assert list(got.columns) == list(expected.columns)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-9)


def test_kenya_households_reproduce_the_published_total():
    t = datasets.kenya_census_table("V4_T2.36")
    counties = t[t["AdminArea"] == "County"]
    assert len(counties) == 47
    assert counties["ConventionalHouseholds"].sum() == 12_043_016
    internet = (counties["Internet"] / 100 * counties["ConventionalHouseholds"]).sum() / 12_043_016
    assert round(100 * internet, 1) == 17.9  # KNBS Vol IV: internet 17.9 %


def test_kenya_counties_match_the_osm_copy(shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("error", EgovkitWarning)  # all 47 are valid: nothing to repair
        kc = datasets.kenya_counties()
    assert list(kc.columns) == ["census_county_code", "census_county_name", "name", "geometry"]
    assert kc.crs.to_epsg() == 4326 and len(kc) == 47
    assert kc["census_county_code"].tolist() == list(range(1, 48))
    assert kc.geometry.is_valid.all() and (kc.geom_type == "MultiPolygon").all()
    ref = gpd.read_file(shared_data / "kenya-counties-geometry" / "kenya_counties_osm.geojson")
    ref = ref.set_index("census_county_code").loc[kc["census_county_code"]]
    assert kc["census_county_name"].tolist() == ref["census_county_name"].tolist()
    a = kc.to_crs(21037).area.to_numpy()
    b = ref.set_crs(4326, allow_override=True).to_crs(21037).area.to_numpy()
    assert np.abs(a / b - 1).max() < 0.005
    # and the names join every V4 table's county rows
    for table in ["V4_T2.36", "V4_T2.32", "V4_T2.33"]:
        t = datasets.kenya_census_table(table)
        assert set(t.loc[t["AdminArea"] == "County", "County"]) == set(kc["census_county_name"])
    assert kc.set_index("census_county_code").loc[47, ["census_county_name", "name"]].tolist() == [
        "NAIROBI CITY", "Nairobi"]


# -- United States -----------------------------------------------------------------------
def test_us_counties_drop_the_extra_feature_and_join_every_acs_county(shared_data):
    with pytest.warns(EgovkitWarning, match="8316766111"):
        us = datasets.us_counties()
    assert len(us) == 3221 and us.crs.to_epsg() == 4326
    assert "8316766111" not in set(us["geoid"])
    assert us["geoid"].str.fullmatch(r"\d{5}").all() and us["geoid"].is_unique
    assert {"geoid", "NAME", "STATE", "geometry"} <= set(us.columns)
    report = us.attrs["report"]
    assert [i.action for i in report.by_code("datasets.not_a_county")] == ["dropped"]
    ref = gpd.read_file(shared_data / "us-county-acs-s2801" / "us_counties_2010_plotly.geojson")
    assert set(ref["id"]) == set(us["geoid"])

    raw = pd.read_csv(datasets.acs_s2801_raw(), skiprows=[1], dtype=str)
    assert _sha(datasets.acs_s2801_raw()) == _sha(shared_data / "us-county-acs-s2801"
                                                    / "ACSST1Y2018.S2801_data_with_overlays.csv")
    geo = raw["GEO_ID"]
    assert len(geo) == 838 and geo.str.fullmatch(r"0500000US\d{5}").all()
    assert set(geo.str[-5:]) <= set(us["geoid"])


# -- New York City -----------------------------------------------------------------------
def test_nyc_hotspots_raw_is_the_published_file(shared_data):
    path = datasets.nyc_hotspots_raw()
    assert path.read_bytes() == (shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv").read_bytes()
    assert len(pd.read_csv(path, encoding="utf-8-sig")) == 3319


@pytest.mark.parametrize("loader, ref_file, key, n", [
    ("nyc_nta", "nyc_nta2010.geojson", "nta_id", 195),
    ("nyc_tracts", "nyc_tract2010.geojson", "geoid", 2166),
    ("nyc_boroughs", "nyc_boroughs_simplified.geojson", "geoid", 5),
    ("nyc_nta_alt", "nyc_nta2010_alt_ubernyc.geojson", "ntacode", 195),
])
def test_nyc_polygons_match_the_shared_geojson(shared_data, loader, ref_file, key, n):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        got = getattr(datasets, loader)()
    ref = gpd.read_file(shared_data / "nyc-nta-tract-population" / ref_file)
    assert len(got) == n == len(ref) and got[key].is_unique
    assert got.crs.to_epsg() == 4326 and got.geometry.is_valid.all()
    assert set(got[key]) == set(ref[key])
    ref = ref.set_index(key).loc[got[key]]
    a = got.to_crs(2263).area.to_numpy()
    b = ref.geometry.make_valid().to_crs(2263).area.to_numpy()
    assert np.abs(a / b - 1).max() < 0.005
    shared_cols = [c for c in ref.columns if c != "geometry" and c in got.columns]
    assert len(shared_cols) >= 3
    for col in shared_cols:
        assert got[col].astype(str).fillna("<NA>").tolist() == ref[col].astype(str).fillna("<NA>").tolist(), col


def test_nyc_nta_alt_reports_its_one_repair():
    with pytest.warns(EgovkitWarning, match="invalid polygon"):
        alt = datasets.nyc_nta_alt()
    issues = alt.attrs["report"].by_code("geo.geometry_repaired")
    assert len(issues) == 1 and issues[0].action == "repaired"


@pytest.mark.parametrize("level, csv, key, total", [
    ("nta", "nyc_nta_acs_2013_2017.csv", "nta_id", 8_556_674),
    ("tract", "nyc_tract_acs_2013_2017.csv", "geoid", 8_560_072),
    ("borough", "nyc_borough_acs_2013_2017.csv", "geoid", None),
])
def test_nyc_population_equals_the_shared_csv(shared_data, level, csv, key, total):
    got = datasets.nyc_population(level)
    ref = pd.read_csv(shared_data / "nyc-nta-tract-population" / csv, dtype={key: str})
    assert list(got.columns) == list(ref.columns)
    pd.testing.assert_frame_equal(got, ref, check_dtype=False, rtol=1e-9)
    if total is not None:
        assert got["pop_total_est"].sum() == total


def test_nyc_population_rejects_an_unknown_level():
    with pytest.raises(ValueError, match="nta"):
        datasets.nyc_population("county")


def test_converted_outputs_are_reused_without_the_originals(mirror, fresh_cache, monkeypatch):
    first = datasets.nyc_boroughs()
    datasets.kenya_census_table("V4_T2.32")
    for p in (fresh_cache / "originals").rglob("*"):
        if p.is_file():
            p.unlink()
    monkeypatch.setattr(settings, "data_mirror", str(fresh_cache.parent / "no-such-mirror"))
    again = datasets.nyc_boroughs()
    assert again.geom_equals_exact(first.geometry, tolerance=0).all()
    pd.testing.assert_frame_equal(pd.DataFrame(again.drop(columns="geometry")),
                                  pd.DataFrame(first.drop(columns="geometry")))
    assert len(datasets.kenya_census_table("V4_T2.32")) == 395
