"""The real-world corpus as a judge: read each published table, compare with its published figures.

``corpus.yaml`` lists every table of ``tests/realworld/<id>/`` (see each folder's SOURCE.md):
its file, country, language, the territory figures its own publication gives, and what egovkit
needs today to read it. :func:`judge` reads one table the way a user would and says what happened;
``tests/test_realworld_corpus.py`` turns that into pass/fail and ``benchmarks/realworld_corpus.py``
prints the table of results.

Outcomes of :func:`judge` (``Result.outcome``):

``read``
    the table was read; ``figures`` tells whether every expected territory figure was reproduced
    (household/person-weighted aggregate of the district rows, within the publication's rounding).
``needs_argument``
    an egovkit error naming one ``argument=`` (``Result.named`` lists every argument the message names).
``refused``
    an egovkit error naming no argument (e.g. no denominator anywhere in the table).
``crash``
    any other exception: a bug.

Figure checks (``Result.figures``): ``ok`` (all expected figures reproduced), ``warned`` (some figure
differs or is missing but a warning/error of the report names that indicator or its column),
``wrong`` (differs or missing with nothing said), ``none`` (not read).
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.yaml"
#: Arguments of ``read_table`` an error message may ask for.
READ_ARGUMENTS = ("name", "key", "level", "district_level", "parent", "denominator", "universe",
                  "value_type", "columns", "layout", "sheet", "encoding", "sep", "decimal")


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The entries of ``corpus.yaml`` and of every ``<id>/entry.yaml``, with ``path`` resolved.

    A folder may carry its own entry (same keys as a ``corpus.yaml`` table, ``file`` relative to
    this folder) so that tables can be added without editing one shared file.
    """
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["tables"]
    for own in sorted(path.parent.glob("*/entry.yaml")):
        entries.append(yaml.safe_load(own.read_text(encoding="utf-8")))
    for e in entries:
        e["path"] = HERE / e["file"]
    return entries


@dataclass
class Result:
    id: str
    outcome: str = "crash"
    figures: str = "none"
    message: str = ""
    named: list[str] = field(default_factory=list)
    warnings: int = 0
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0


def named_arguments(message: str) -> list[str]:
    """The ``read_table`` arguments an error message asks for (``pass name='...'`` -> ``['name']``)."""
    return [a for a in READ_ARGUMENTS if re.search(rf"(?<![\w.]){a}=", message)]


def _mentions(issue: Any, indicator: str, columns: set[str]) -> bool:
    """Whether ``issue`` speaks of ``indicator``: its column is one of the indicator's columns, or its
    message names the indicator or one of those columns as a word. The fix text is left out: a fix
    listing every catalogue name would otherwise 'warn' about every indicator."""
    if issue.column and str(issue.column) in columns:
        return True
    text = str(issue.message or "").lower()
    words = [indicator.lower(), *(c.lower() for c in columns if c)]
    return any(re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text) for w in words)


def check_figures(table: Any, expected: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Compare the territory aggregate of ``table`` with the expected figures.

    Returns ``(status, details)`` with status ``ok``, ``warned`` or ``wrong`` (see the module doc).
    """
    from egovkit.indicators import aggregate, compute_rates, territory_figures

    if "rate_only" in table.data.columns or "rate_only" in table.other_levels.columns:
        # published rates without households/persons: only the table's own territory row gives a figure
        total = territory_figures(table)
    else:
        rates = compute_rates(table, on_invalid="report")
        total = aggregate(rates, report=table.report)
    details, status = [], "ok"
    issues = [i for i in table.report.issues if i.severity in ("warning", "error")]
    for exp in expected:
        ind, uni = exp["indicator"], exp.get("universe")
        rows = total[(total["indicator"] == ind) & ((total["universe"] == uni) if uni else True)]
        cols = set(table.data.loc[table.data["indicator"] == ind, "source"].dropna().astype(str)) \
            if "source" in table.data.columns else set()
        if len(rows) == 1 and abs(float(rows["share"].iloc[0]) - exp["share"]) <= exp.get("tol", 0.0005):
            details.append(f"{ind}: {float(rows['share'].iloc[0]):.4f} = {exp['share']:.4f}")
            continue
        got = f"{float(rows['share'].iloc[0]):.4f}" if len(rows) == 1 else "missing"
        said = [i for i in issues if _mentions(i, ind, cols)]
        if said:
            details.append(f"{ind}: {got} != {exp['share']:.4f}, warned: {said[0].code}")
            status = "warned" if status == "ok" else status
        else:
            details.append(f"{ind}: {got} != {exp['share']:.4f}, nothing said")
            status = "wrong"
    return status, details


def judge(entry: dict[str, Any], kwargs: dict[str, Any] | None = None) -> Result:
    """Read one corpus table (with no argument unless ``kwargs``) and judge what egovkit did."""
    from egovkit.errors import EgovkitError
    from egovkit.read import read_table

    res = Result(entry["id"])
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            table = read_table(entry["path"], **(kwargs or {}))
        except EgovkitError as exc:
            res.message = str(exc)
            res.named = named_arguments(res.message)
            res.outcome = "needs_argument" if res.named else "refused"
        except Exception as exc:  # noqa: BLE001 - a crash is an outcome to report, not to hide
            res.outcome, res.message = "crash", f"{type(exc).__name__}: {exc}"
        else:
            res.outcome = "read"
            try:
                res.figures, res.details = check_figures(table, entry["expected"])
            except EgovkitError as exc:
                res.figures, res.details = "wrong", [f"aggregate failed: {exc}"]
            except Exception as exc:  # noqa: BLE001
                res.outcome, res.message = "crash", f"{type(exc).__name__}: {exc}"
            res.warnings = sum(1 for i in table.report.issues if i.severity == "warning")
    res.warnings += len(caught) if res.outcome != "read" else 0
    res.seconds = time.perf_counter() - start
    return res


def acceptable(entry: dict[str, Any], res: Result) -> tuple[bool, str]:
    """Whether ``res`` (a read with no argument) is an acceptable outcome for ``entry``.

    Read with every figure reproduced, or with a warning on the figures that differ; or an error
    naming exactly the one argument ``corpus.yaml`` says the table needs; or a refusal for a table
    declared to have no denominator at all. The one argument asked for is tried: it must be enough.
    Anything else (wrong figures said nowhere, a crash,
    an error naming another argument) is not.
    """
    needs = entry.get("needs") or {}
    if res.outcome == "read":
        return res.figures in ("ok", "warned"), f"figures {res.figures}: {'; '.join(res.details)}"
    if entry.get("no_denominator") and (res.outcome == "refused" or res.named == ["denominator"]):
        # no households/persons anywhere in the table: no argument can give the weights
        return True, f"refused, the table has no denominator: {res.message}"
    if res.outcome == "needs_argument":
        if not (len(needs) == 1 and res.named == list(needs)):
            return False, f"asked for {res.named}, corpus says {list(needs)}: {res.message}"
        # the one argument asked for must be enough: read again with it
        again = judge(entry, needs)
        if entry.get("no_denominator") and (again.outcome == "refused" or again.named == ["denominator"]):
            return True, f"asked for {res.named}, then refused for lack of denominator: {again.message}"
        ok = again.outcome == "read" and again.figures in ("ok", "warned")
        return ok, (f"asked for {res.named}; with {needs}: {again.outcome}, figures {again.figures} "
                    f"{'; '.join(again.details) or again.message}")
    if res.outcome == "refused":
        return False, f"refused: {res.message}"
    return False, f"crash: {res.message}"
