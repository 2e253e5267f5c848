"""Twenty processes fill one empty cache at once (issue 9, load test, bounded version).

``benchmarks/load_test.py --job light --concurrent-only`` imports egovkit once, then forks 20
processes that wait at a barrier and start together on the same empty cache; each loads the
Kenya census tables and county polygons and the NYC borough population and polygons through
the dataset loaders and writes a small report (rates, national figures, join, areas) into its
own folder. This test then checks, itself: every process succeeded; its files are
byte-identical to a sequential run's (here, in this process, from another empty cache);
every file of the shared cache verifies; each conversion and each copy from the mirror was
done exactly once and nothing had to be rebuilt. The full version (``egovkit report kenya``
x 20, with timings) is ``benchmarks/load_test.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import egovkit.settings as settings
from egovkit.errors import EgovkitWarning

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import load_test  # noqa: E402

pytestmark = pytest.mark.realdata
N = 20


@pytest.fixture(scope="module")
def concurrent_runs(tmp_path_factory, mirror) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("load")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load_test.py"), "--job", "light",
                           "--concurrent-only", "-n", str(N), "--out", str(work)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "EGOVKIT_DATA_MIRROR": str(mirror)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work, json.loads((work / "concurrent.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sequential_run(tmp_path_factory, mirror) -> Path:
    out = tmp_path_factory.mktemp("sequential")
    old = settings.cache_dir
    settings.cache_dir = out / "cache"
    try:
        with warnings.catch_warnings():  # the tables' validation warnings, as in the forked runs
            warnings.simplefilter("ignore", EgovkitWarning)
            load_test.light_job(out / "report")
    finally:
        settings.cache_dir = old
    return out / "report"


def test_all_processes_succeed(concurrent_runs):
    work, res = concurrent_runs
    failed = {d: (Path(d) / "error.txt").read_text(encoding="utf-8")[-800:]
              for d, code in zip(res["dirs"], res["exit_codes"]) if code != 0}
    assert len(res["exit_codes"]) == N and failed == {}


def test_outputs_are_identical_to_a_sequential_run(concurrent_runs, sequential_run):
    _, res = concurrent_runs
    expected = sorted(p.name for p in sequential_run.glob("*.csv"))
    assert expected == ["counties.csv", "district_rates.csv", "national.csv", "nyc_boroughs.csv"]
    for d in map(Path, res["dirs"]):
        assert sorted(p.name for p in d.glob("*.csv")) == expected, d
        assert load_test.compare_outputs(d, sequential_run) == [], d


def test_every_cache_file_verifies(concurrent_runs):
    work, _ = concurrent_runs
    cache = work / "cache"
    assert load_test.verify_cache(cache) == {}
    converted = [p for p in (cache / "converted").iterdir()
                 if not p.name.endswith((".lock", ".meta.json"))]
    assert len(converted) == 7  # 4 Kenya tables, the county polygons, NYC borough population and polygons
    leftovers = [p for p in cache.rglob("*") if ".tmp." in p.name]
    assert leftovers == []


def test_each_conversion_and_copy_is_done_once(concurrent_runs):
    _, res = concurrent_runs
    converted, copied, rebuilt = load_test.work_counts([Path(d) for d in res["dirs"]])
    assert set(converted.values()) == {1} and len(converted) == 7, converted
    assert set(copied.values()) == {1} and len(copied) == 4 + 48 + 2, copied  # 4 .rda, 48 Kenya json, 2 nycgeo
    assert rebuilt == []
