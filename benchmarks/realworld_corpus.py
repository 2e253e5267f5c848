"""The real-world corpus (tests/realworld/): how egovkit reads published ICT tables, with no argument.

Prints one line per table (id, country, language, outcome with no argument, figures, warnings, time,
and whether the outcome is acceptable for the issue: read with the published figures or a warning,
or an error naming the one argument corpus.yaml lists), then the share read with no argument and the
same with the listed arguments. Not a test: ``tests/test_realworld_corpus.py`` is the judge.

    .venv/bin/python benchmarks/realworld_corpus.py [--details]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("realworld_corpus", ROOT / "tests" / "realworld" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus  # dataclasses look their module up
_spec.loader.exec_module(corpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print the figures and messages of each table")
    args = parser.parse_args(argv)
    entries = corpus.load_corpus()
    header = f"{'id':42} {'cc':3} {'lang':4} {'no argument':15} {'figures':8} {'warn':>4} {'time s':>6} {'ok':3} " \
             f"{'with listed args':16}"
    print(header)
    print("-" * len(header))
    n_read = n_ok = n_args_ok = 0
    for e in entries:
        res = corpus.judge(e)
        ok, why = corpus.acceptable(e, res)
        kwargs = {**(e.get("needs") or {}), **(e.get("args") or {})}
        with_args = corpus.judge(e, kwargs) if kwargs else res
        args_ok = with_args.outcome == "read" and with_args.figures == "ok"
        n_read += res.outcome == "read"
        n_ok += ok
        n_args_ok += args_ok
        outcome = res.outcome if res.outcome != "needs_argument" else "asks " + ",".join(res.named)
        print(f"{e['id']:42} {e['country']:3} {e['language']:4} {outcome[:15]:15} {res.figures:8} {res.warnings:4d} "
              f"{res.seconds:6.2f} {'yes' if ok else 'NO':3} "
              f"{('figures ok' if args_ok else with_args.outcome + '/' + with_args.figures)[:16]:16}")
        if args.details:
            print(f"    {why[:400]}")
            if kwargs:
                print(f"    with {kwargs}: {with_args.outcome} {with_args.figures} "
                      f"{'; '.join(with_args.details) or with_args.message[:300]}")
    n = len(entries)
    countries = sorted({e["country"] for e in entries})
    languages = sorted({e["language"] for e in entries})
    print("-" * len(header))
    print(f"{n} tables, {len(countries)} countries ({', '.join(countries)}), {len(languages)} languages "
          f"({', '.join(languages)})")
    print(f"read with no argument: {n_read}/{n} = {100 * n_read / n:.0f} %")
    print(f"acceptable with no argument (figures right or warned, or asks for the one listed argument, "
          f"or refuses a table without denominator): {n_ok}/{n} = {100 * n_ok / n:.0f} %")
    print(f"published figures reproduced with the listed arguments: {n_args_ok}/{n} = {100 * n_args_ok / n:.0f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
