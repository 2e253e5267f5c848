"""Property tests of the hotspot and population readers on generated files.

The generators are those of ``benchmarks/fuzz_hotspots.py`` (which runs thousands of them and prints
the counts); hypothesis drives their random choices here, a bounded number of times. Properties:
no exception other than :class:`egovkit.errors.InputError`; an error names the file; every record of
a hotspot list is in the result under the physical line where it starts, with its coordinates where
it has some; a population file's total is the sum of its valid rows or cells and every row has a fate.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import fuzz_hotspots as fz  # noqa: E402  (the benchmark's generators and checks)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(make, check, rnd: random.Random) -> tuple[fz.Case, dict]:
    case = make(rnd)
    with tempfile.TemporaryDirectory() as tmp:
        path = case.write(Path(tmp), 0)
        bad = check(case, path)
    return case, {k: v for k, v in bad.items() if v}


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_hotspot_csv_every_record_on_its_line(rnd: random.Random) -> None:
    case, bad = _run(fz.hotspot_csv, fz.check_hotspots, rnd)
    assert not bad, (bad, case.data[:400])


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_any_hotspot_input_gives_a_result_or_an_input_error(rnd: random.Random) -> None:
    case, bad = _run(fz.hotspot_case, fz.check_hotspots, rnd)
    assert not bad, (case.kind, bad, (case.data or b"")[:300])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_any_population_input_gives_its_total_or_an_input_error(rnd: random.Random) -> None:
    case, bad = _run(fz.population_case, fz.check_population, rnd)
    assert not bad, (case.kind, bad, (case.data or b"")[:300])


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The checks see a reader that loses a row, numbers lines wrongly, or crashes."""
    from egovkit.coverage import read_hotspots

    seed = 0
    case = fz.hotspot_csv(random.Random(seed))
    while len(case.records) < 3 or any(r.lat is None for r in case.records) or case.kwargs:
        seed += 1
        case = fz.hotspot_csv(random.Random(seed))
    path = case.write(tmp_path, 0)

    def drops_last(p, **kw):
        h, rep = read_hotspots(p, **kw)
        return h.iloc[:-1], rep

    def shifts_lines(p, **kw):
        h, rep = read_hotspots(p, **kw)
        h["row"] = list(range(2, len(h) + 2))[::-1]
        return h, rep

    def crashes(p, **kw):
        raise KeyError("lat")

    assert fz.check_hotspots(case, path, drops_last)["lost rows"] == 1
    assert fz.check_hotspots(case, path, shifts_lines)["wrong line"] >= 2
    assert fz.check_hotspots(case, path, crashes)["crashes"] == 1
    assert not fz.check_hotspots(case, path)
