"""The real-world corpus (tests/realworld/): published ICT tables read as a user would read them.

Each table is read with no argument: it must either be read with its territory figures equal to
the published ones (or a warning on the figures that differ), or fail with an egovkit error naming
the one argument ``corpus.yaml`` says it needs. A second test reads it with the arguments listed
in ``corpus.yaml`` and checks the figures. Tables egovkit cannot read today are strict xfails whose
reason says what the reader misses, so they flip (and must be updated) when the reader improves.
``benchmarks/realworld_corpus.py`` prints the same results as a table.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("realworld_corpus", Path(__file__).parent / "realworld" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus  # dataclasses look their module up
_spec.loader.exec_module(corpus)

ENTRIES = corpus.load_corpus()


def _params(gap_key: str) -> list:
    out = []
    for e in ENTRIES:
        gap = e.get(gap_key)
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        out.append(pytest.param(e, id=e["id"], marks=marks))
    return out


def test_corpus_is_complete():
    """Every entry has its file, its SOURCE.md, expected figures, a country and a language."""
    ids = [e["id"] for e in ENTRIES]
    assert len(ids) == len(set(ids))
    for e in ENTRIES:
        assert e["path"].is_file(), e["file"]
        assert (e["path"].parent / "SOURCE.md").is_file(), e["id"]
        assert e["country"] and e["language"] and e["expected"], e["id"]
        for x in e["expected"]:
            assert 0 <= x["share"] <= 1 and x["universe"] in ("households", "persons"), (e["id"], x)
        assert e["path"].stat().st_size < 200_000, f"{e['file']} is not small"
    assert not set(e["id"] for e in ENTRIES) ^ {p.name for p in corpus.HERE.iterdir() if (p / "SOURCE.md").is_file()}


@pytest.mark.parametrize("entry", _params("gap"))
def test_reads_with_no_argument(entry):
    res = corpus.judge(entry)
    ok, why = corpus.acceptable(entry, res)
    assert ok, f"{entry['id']}: {res.outcome}; {why}"


@pytest.mark.parametrize("entry", _params("args_gap"))
def test_reads_with_listed_arguments(entry):
    """With the arguments corpus.yaml lists (none if it reads alone), the published figures come out."""
    kwargs = {**(entry.get("needs") or {}), **(entry.get("args") or {})}
    res = corpus.judge(entry, kwargs)
    assert res.outcome == "read", f"{entry['id']} with {kwargs}: {res.outcome}: {res.message}"
    assert res.figures == "ok", f"{entry['id']} with {kwargs}: {'; '.join(res.details)}"


def test_judge_flags_wrong_figures(tmp_path):
    """The judge itself can fail: a table whose figures differ from the expected ones is 'wrong'."""
    path = tmp_path / "t.csv"
    path.write_text("district,households,internet\nA,100,10\nB,100,30\n", encoding="utf-8")
    entry = {"id": "t", "path": path, "expected": [{"indicator": "internet", "universe": "households",
                                                      "share": 0.25, "tol": 0.0005}]}
    res = corpus.judge(entry)
    assert (res.outcome, res.figures) == ("read", "wrong")
    assert not corpus.acceptable(entry, res)[0]
    entry["expected"][0]["share"] = 0.20
    assert corpus.acceptable(entry, corpus.judge(entry))[0]
