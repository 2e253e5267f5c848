"""Converted files in the cache are checked against their sidecar on every read; any damage
rebuilds them from the verified original with an EgovkitWarning (issue 9, cache integrity).

Each damage is first shown to matter (read directly, the damaged file changes the Kenya figures
or cannot be opened); then the loader must warn, rebuild and give the published figures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import egovkit.settings as settings
from egovkit import datasets
from egovkit.datasets import cache, convert
from egovkit.errors import DownloadError, EgovkitWarning

pytestmark = pytest.mark.realdata

KENYA_HOUSEHOLDS = 12_043_016  # KNBS 2019 Vol IV: conventional households in the 47 counties


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch, mirror) -> Path:
    """An empty cache for this test, filled from the mirror."""
    folder = tmp_path / "cache"
    monkeypatch.setattr(settings, "cache_dir", folder)
    return folder


def _converted(folder: Path, stem: str, suffix: str) -> Path:
    (path,) = (folder / "converted").glob(f"{stem}-*-v{convert.CONVERTER_VERSION}{suffix}")
    return path


def _no_egovkit_warning(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error", EgovkitWarning)
        return call()


def _counties(t: pd.DataFrame) -> pd.DataFrame:
    return t[t["AdminArea"] == "County"]


def _internet_pct(t: pd.DataFrame) -> float:
    c = _counties(t)
    return round(100 * (c["Internet"] / 100 * c["ConventionalHouseholds"]).sum()
                 / c["ConventionalHouseholds"].sum(), 1)


def _assert_published(t: pd.DataFrame) -> None:
    assert len(_counties(t)) == 47
    assert _counties(t)["ConventionalHouseholds"].sum() == KENYA_HOUSEHOLDS
    assert _internet_pct(t) == 17.9


def _rebuilt_and_clean(folder: Path, call, match: str):
    """``call()`` warns ``match`` once (the rebuild), then the cache verifies and a second call is silent."""
    with pytest.warns(EgovkitWarning, match=match) as record:
        got = call()
    assert sum("egovkit cache:" in str(w.message) for w in record) == 1
    assert cache.verify_converted(folder / "converted") == {}
    return got, _no_egovkit_warning(call)


# -- CSV (Kenya census table) ---------------------------------------------------------------
def _kenya_csv(fresh_cache: Path) -> Path:
    _no_egovkit_warning(lambda: datasets.kenya_census_table("V4_T2.36"))
    return _converted(fresh_cache, "kenya_census__V4_T2.36", ".csv")


def test_a_csv_cut_short_is_rebuilt(fresh_cache):
    path = _kenya_csv(fresh_cache)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])  # cut in the middle of a line
    assert len(_counties(pd.read_csv(path))) < 47  # what the damage did to the figures
    got, again = _rebuilt_and_clean(fresh_cache, lambda: datasets.kenya_census_table("V4_T2.36"),
                                    r"V4_T2\.36.*rebuilt from its verified original.*bytes.*cut short")
    _assert_published(got)
    pd.testing.assert_frame_equal(got, again)
    assert path.read_bytes() == data


def test_a_csv_with_a_county_doubled_is_rebuilt(fresh_cache):
    path = _kenya_csv(fresh_cache)
    lines = path.read_bytes().splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if line.startswith(b"NAIROBI CITY,NAIROBI CITY,County"))
    path.write_bytes(b"".join(lines[: i + 1] + [lines[i]] + lines[i + 1:]))
    damaged = pd.read_csv(path)
    assert len(_counties(damaged)) == 48 and _counties(damaged)["ConventionalHouseholds"].sum() > KENYA_HOUSEHOLDS
    got, _ = _rebuilt_and_clean(fresh_cache, lambda: datasets.kenya_census_table("V4_T2.36"),
                                r"rebuilt.*longer than written")
    _assert_published(got)


def test_a_csv_changed_in_place_is_rebuilt(fresh_cache):
    path = _kenya_csv(fresh_cache)
    text = path.read_text(encoding="utf-8")
    damaged = text.replace("MOMBASA,MOMBASA,County,376295.0", "MOMBASA,MOMBASA,County,976295.0", 1)
    assert damaged != text and len(damaged) == len(text)
    path.write_text(damaged, encoding="utf-8")
    got, _ = _rebuilt_and_clean(fresh_cache, lambda: datasets.kenya_census_table("V4_T2.36"),
                                r"rebuilt.*sha256 .* differs .*content changed")
    _assert_published(got)


@pytest.mark.parametrize("damage, match", [
    ("delete", r"sidecar .*\.meta\.json is missing"),
    ("not json", r"sidecar .*\.meta\.json is not valid JSON"),
    ("other source", r"sidecar is for 'kenya_census/V4_T2\.36' converted from \[kenya_census/V4_T2\.36 000000000000\]"),
    ("other version", r"converted by converter version 1, this egovkit uses"),
    ("file deleted", r"the file is missing but its sidecar"),
])
def test_a_bad_or_missing_sidecar_rebuilds_the_csv(fresh_cache, damage, match):
    path = _kenya_csv(fresh_cache)
    side = cache.sidecar_path(path)
    meta = json.loads(side.read_text(encoding="utf-8"))
    if damage == "delete":
        side.unlink()
    elif damage == "not json":
        side.write_text(side.read_text(encoding="utf-8")[:40], encoding="utf-8")
    elif damage == "other source":
        meta["sources"]["kenya_census/V4_T2.36"] = "0" * 64
        side.write_text(json.dumps(meta), encoding="utf-8")
    elif damage == "other version":
        meta["converter_version"] = "1"
        side.write_text(json.dumps(meta), encoding="utf-8")
    else:
        path.unlink()
    got, _ = _rebuilt_and_clean(fresh_cache, lambda: datasets.kenya_census_table("V4_T2.36"), match)
    _assert_published(got)
    rebuilt = json.loads(side.read_text(encoding="utf-8"))
    assert rebuilt["sources"] == {"kenya_census/V4_T2.36": datasets.get("kenya_census/V4_T2.36").sha256}
    assert rebuilt["sha256"] == datasets.sha256_of(path) and rebuilt["size"] == path.stat().st_size


def test_another_tables_file_and_sidecar_in_place_are_rebuilt(fresh_cache, shared_data):
    path = _kenya_csv(fresh_cache)
    _no_egovkit_warning(lambda: datasets.kenya_census_table("V4_T2.32"))
    other = _converted(fresh_cache, "kenya_census__V4_T2.32", ".csv")
    path.write_bytes(other.read_bytes())
    cache.sidecar_path(path).write_bytes(cache.sidecar_path(other).read_bytes())
    got, _ = _rebuilt_and_clean(fresh_cache, lambda: datasets.kenya_census_table("V4_T2.36"),
                                r"sidecar is for 'kenya_census/V4_T2\.32'.*not for 'kenya_census/V4_T2\.36'")
    expected = pd.read_csv(shared_data / "kenya-census-2019-ict" / "V4_T2.36.csv")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-9)


def test_the_rebuild_starts_from_a_verified_original(fresh_cache):
    path = _kenya_csv(fresh_cache)
    original = datasets.fetch("kenya_census/V4_T2.36")
    original.write_bytes(original.read_bytes()[:1000])  # the cached original is damaged too
    path.write_bytes(path.read_bytes()[:500])
    with pytest.warns(EgovkitWarning) as record:
        got = datasets.kenya_census_table("V4_T2.36")
    messages = [str(w.message) for w in record]
    assert any("rebuilt from its verified original" in m for m in messages)
    assert any("the original" in m and "wrong sha256" in m and "fetched it again" in m for m in messages)
    _assert_published(got)
    assert datasets.is_cached("kenya_census/V4_T2.36")


def test_a_healthy_cache_is_read_without_a_rebuild(fresh_cache, monkeypatch):
    path = _kenya_csv(fresh_cache)
    before = (path.stat().st_mtime_ns, cache.sidecar_path(path).stat().st_mtime_ns)
    monkeypatch.setattr(convert, "rda_to_frame", lambda *a, **k: pytest.fail("converted again"))
    _assert_published(_no_egovkit_warning(lambda: datasets.kenya_census_table("V4_T2.36")))
    assert (path.stat().st_mtime_ns, cache.sidecar_path(path).stat().st_mtime_ns) == before


# -- GeoPackage (Kenya county polygons) -----------------------------------------------------
def _kenya_gpkg(fresh_cache: Path) -> tuple[Path, gpd.GeoDataFrame]:
    first = _no_egovkit_warning(datasets.kenya_counties)
    return _converted(fresh_cache, "kenya_counties", ".gpkg"), first


def _same_counties(got: gpd.GeoDataFrame, first: gpd.GeoDataFrame) -> None:
    assert len(got) == 47 and got["census_county_code"].tolist() == list(range(1, 48))
    assert got.geometry.geom_equals_exact(first.geometry, tolerance=0).all()
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                  pd.DataFrame(first.drop(columns="geometry")))


def test_a_truncated_geopackage_is_rebuilt_not_a_traceback(fresh_cache):
    path, first = _kenya_gpkg(fresh_cache)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(Exception):  # noqa: B017 (what reading it directly does; the error type depends on the GDAL reader)
        gpd.read_file(path)
    got, _ = _rebuilt_and_clean(fresh_cache, datasets.kenya_counties,
                                r"kenya_counties.*rebuilt from its verified original.*cut short")
    _same_counties(got, first)


@pytest.mark.parametrize("damage, match", [
    ("bytes", r"sha256 .* differs .*content changed"),
    ("sidecar", r"sidecar .*\.meta\.json is missing"),
])
def test_a_corrupted_geopackage_or_its_missing_sidecar_is_rebuilt(fresh_cache, damage, match):
    path, first = _kenya_gpkg(fresh_cache)
    if damage == "bytes":
        data = bytearray(path.read_bytes())
        data[len(data) // 2: len(data) // 2 + 64] = bytes(64)
        path.write_bytes(bytes(data))
    else:
        cache.sidecar_path(path).unlink()
    got, _ = _rebuilt_and_clean(fresh_cache, datasets.kenya_counties, r"kenya_counties.*" + match)
    _same_counties(got, first)


def test_the_repair_report_survives_in_the_sidecar(fresh_cache):
    with pytest.warns(EgovkitWarning, match="invalid polygon"):
        datasets.nyc_nta_alt()
    path = _converted(fresh_cache, "ubernyc__nynta", ".gpkg")
    assert len(json.loads(cache.sidecar_path(path).read_text(encoding="utf-8"))["report"]["issues"]) == 1
    with pytest.warns(EgovkitWarning, match="invalid polygon") as record:  # read back: still reported
        again = datasets.nyc_nta_alt()
    assert not any("egovkit cache:" in str(w.message) for w in record)
    assert len(again.attrs["report"].by_code("geo.geometry_repaired")) == 1


# -- writes and locks ---------------------------------------------------------------------------
def test_a_failed_build_leaves_nothing_behind(fresh_cache):
    def broken() -> pd.DataFrame:
        raise RuntimeError("conversion failed")

    with pytest.raises(RuntimeError):
        convert.cached_frame("t", {"t": "a" * 64}, broken)

    def broken_writer(p: Path) -> None:
        p.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        cache.atomic_write(fresh_cache / "converted" / "x.csv", broken_writer)
    left = [p.name for p in (fresh_cache / "converted").iterdir() if not p.name.endswith(".lock")]
    assert left == []
    df = _no_egovkit_warning(lambda: convert.cached_frame("t", {"t": "a" * 64}, lambda: pd.DataFrame({"x": [1]})))
    assert df["x"].tolist() == [1]


def test_threads_converting_the_same_file_build_it_once(fresh_cache):
    calls = []

    def build() -> pd.DataFrame:
        calls.append(threading.get_ident())
        time.sleep(0.3)  # widens the window in which the others arrive; nothing is timed
        return pd.DataFrame({"code": ["001", "002"], "v": [0.1, 0.2]})

    results: list[pd.DataFrame] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", EgovkitWarning)
                results.append(convert.cached_frame("same", {"same": "b" * 64}, build))
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(calls) == 1 and len(results) == 8
    for r in results:
        pd.testing.assert_frame_equal(r, results[0])
    assert results[0]["code"].tolist() == ["001", "002"]


def test_a_lock_held_too_long_gives_a_clear_error(fresh_cache, monkeypatch):
    monkeypatch.setattr(settings, "cache_lock_timeout", 0.2)
    target = convert.converted_path("t", {"t": "c" * 64}, ".csv")
    with cache.file_lock(target):
        with pytest.raises(DownloadError, match=r"waited 0.2 s for another egovkit process.*\.lock.*Fix:"):
            convert.cached_frame("t", {"t": "c" * 64}, lambda: pytest.fail("built without the lock"))


def test_a_killed_process_does_not_leave_the_cache_locked(fresh_cache, monkeypatch):
    pytest.importorskip("fcntl")
    monkeypatch.setattr(settings, "cache_lock_timeout", 0.2)
    target = convert.converted_path("t", {"t": "d" * 64}, ".csv")
    lock = cache.lock_path(target)
    lock.parent.mkdir(parents=True)
    # another process takes the lock (the same way egovkit does) and is killed while holding it
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(120)", str(lock)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(DownloadError, match="waited"):
            convert.cached_frame("t", {"t": "d" * 64}, lambda: pd.DataFrame({"x": [1]}))
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    monkeypatch.setattr(settings, "cache_lock_timeout", 30)
    df = _no_egovkit_warning(lambda: convert.cached_frame("t", {"t": "d" * 64}, lambda: pd.DataFrame({"x": [1]})))
    assert df["x"].tolist() == [1]


def test_the_command_line_shows_the_rebuild_note(fresh_cache, mirror):
    """The CLI silences egovkit's warnings (they are in the validation report), but not this note."""
    original = datasets.fetch("acs_s2801/title")
    original.write_bytes(b"damaged")
    env = {**os.environ, "EGOVKIT_CACHE_DIR": str(fresh_cache), "EGOVKIT_DATA_MIRROR": str(mirror)}
    proc = subprocess.run([sys.executable, "-m", "egovkit", "datasets", "download", "acs_s2801/title"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "egovkit cache: the original" in proc.stderr and "fetched it again" in proc.stderr
    assert datasets.is_cached("acs_s2801/title")
