"""Is the denominator the universe of the counts? A plausibility check against the table's partitions.

A table often carries, beside its ICT counts, columns that split the same households into exhaustive
categories: household size (``1 to 2 persons`` ... ``9 persons and above``), yes / no / not stated
answers of a question. Row after row they add up to the households the counts refer to. When they
add up to a total that differs from the denominator by more than a few per cent in most rows, the
denominator counts another universe (a compilation's ``Households`` column that is 34 % too large,
dwellings instead of households...) and every share would be off by the same factor:
:func:`check_denominator_universe` warns, naming the denominator, the partition, the typical ratio,
the indicators it affects and the fix (``denominator=``, CLI ``--denominator``). It reads nothing:
the figures are left as they are, with the warning.

A family of columns is taken for a partition of the households only when (1) its columns share the
first words of their headers and those words name the households (``Household_size_...``,
``Hogares ...``, ``Ménages ...``, ``Dwellings ...``), (2) one category makes it exhaustive: an
open-ended class (``and above``, ``or more``, ``y más``, ``et plus``; not classes of a device count such
as ``2 or more computers``, which split the owners) or a yes and a no answer, and
(3) its sum is no other column of the table (then it is a breakdown of that column, e.g. the dwelling
structures of 'internet accessed').

Examples
--------
>>> import pandas as pd
>>> from egovkit.validate import ValidationReport
>>> df = pd.DataFrame({"district": list("ABCD"), "Households": [130, 270, 400, 520],
...                    "internet": [10, 20, 30, 40],
...                    "Household_size_1_to_2": [40, 80, 120, 160], "Household_size_3_and_above": [60, 120, 180, 240]})
>>> report = ValidationReport(source="t.csv")
>>> check_denominator_universe(df, [("Households", "households")], ["internet"], report)
>>> print(report.issues[0].code, report.issues[0].column)
denominator_universe Households
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..shared.messages import has_message, render
from ..validate import ValidationReport
from .numbers import _as_text

#: First words of a header that say it counts households (or the dwellings standing for them).
_HOUSEHOLD_WORDS = {"household", "households", "hh", "menage", "menages", "hogar", "hogares", "vivienda",
                    "viviendas", "dwelling", "dwellings", "domicilio", "domicilios", "haushalt", "haushalte",
                    "famiglie", "famiglia", "agregado", "agregados", "foyer", "foyers"}
#: Category words that close a partition: an open-ended class, or the answers of a yes/no question.
_OPEN_ENDED = re.compile(r"\b(and|or|y|et|e|ou|o|und|oder)\s+(above|over|more|mas|plus|mais|mehr|piu|oltre)\b"
                         r"|\b(more than|plus de|mas de|mais de|ymas)\b|\d\s*plus\b|\bge\s*\d")
_YES = {"yes", "y", "si", "oui", "sim", "ja"}
_NO = {"no", "n", "non", "nao", "nein"}
#: Largest relative difference taken for rounding or perturbation (ABS perturbs every cell).
TOLERANCE = 0.05
#: Share of the rows that must differ on the same side for the warning.
CONSISTENT_SHARE = 0.8



def universe_word(unit: str, lang: str | None = None) -> str:
    """The word of a universe (``households``, ``persons``) in ``lang`` (default
    :data:`egovkit.settings.language`); another unit as it is.

    >>> universe_word("households", "fr"), universe_word("dwellings", "fr")
    ('ménages', 'dwellings')
    """
    code = f"read.universe_{unit}"
    return render(code, lang=lang) if has_message(code) else unit

def _norm(header: object) -> list[str]:
    from .column_headers import normalise_header

    return normalise_header(header).replace(" pct ", " ").split()


def _numbers(col: pd.Series) -> np.ndarray:
    """Counts of a column (thousands separators removed); NaN where a cell is not a number.

    Not :func:`~egovkit.read.numbers._parse_numbers`: the universe check runs on the raw columns
    while the roles are chosen, before the table's decimal mark is decided, and only compares sums
    of household counts. A cell grouped by threes (``1,234`` or ``1.234``) is read as thousands
    whatever the table's decimal mark; any other cell that ``pd.to_numeric`` cannot read (``12,5``,
    ``n/a``) is simply left out (NaN), with no status to report.

    >>> _numbers(pd.Series(["1.234", "1 234", "12,5"])).tolist()
    [1234.0, 1234.0, nan]
    """
    text, nums = _as_text(col)
    if text is None:
        return np.asarray(nums, dtype=float)
    cleaned = text.str.strip().str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    cleaned = cleaned.where(~cleaned.str.fullmatch(r"\d{1,3}([,.]\d{3})+"),
                            cleaned.str.replace(r"[,.]", "", regex=True))
    out = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    if nums is not None:
        out = np.where(np.isnan(nums), out, nums)
    return out


def _families(headers: list[str]) -> list[list[str]]:
    """Groups of headers sharing their first two words (else their first word), of households."""
    toks = {h: _norm(h) for h in headers}
    out, used = [], set()
    for k in (2, 1):
        groups: dict[tuple[str, ...], list[str]] = {}
        for h, t in toks.items():
            if h not in used and len(t) > k:
                groups.setdefault(tuple(t[:k]), []).append(h)
        for prefix, cols in groups.items():
            if len(cols) >= 2 and _HOUSEHOLD_WORDS & set(prefix):
                out.append(cols)
                used.update(cols)
    return out


def _exhaustive(cols: list[str]) -> bool:
    """Yes and no answers of one question, or classes closed by an open-ended one that are not counts
    of a device ('1 computer', '2 or more computers' split the owners, not all households)."""
    last = [set(_norm(c)[-2:]) for c in cols]
    if any(t & _YES for t in last) and any(t & _NO for t in last):
        return True
    if not any(_OPEN_ENDED.search(" ".join(_norm(c))) for c in cols):
        return False
    from .column_headers import recognise_indicator

    return not any(recognise_indicator(c).indicator for c in cols)


def check_denominator_universe(raw: pd.DataFrame, denominators: list[tuple[str, str | None]],
                               indicators: list[str], report: ValidationReport,
                               den_map: dict[str, str] | None = None) -> None:
    """Warn when a partition of the households adds up, in most rows, to a total other than the denominator.

    Parameters
    ----------
    raw
        The table as read (every column, text or numbers).
    denominators
        ``(column, universe)`` of the table's denominators; only household ones (or of unknown
        universe) are checked.
    indicators
        The indicators read over them (named in the warning).
    report
        Where the warning goes (code ``denominator_universe``, column = the denominator).
    den_map
        Explicit ``{indicator: denominator column}``, checked as well.
    """
    if len(raw) < 3:
        return
    # the denominator a households indicator is read over (the first of households, else of no said universe)
    den_map = den_map or {}
    first = next((c for c, u in denominators if u == "households"), None) or \
        next((c for c, u in denominators if u is None), None)
    den_cols = [c for c in dict.fromkeys([*den_map.values(), first]) if c is not None and c in raw.columns]
    if not den_cols:
        return
    skip = set(den_cols)
    totals = [c for c in raw.columns if "total" in _norm(c) or "tot" in _norm(c)]
    candidates = [c for c in raw.columns if c not in skip and c not in totals and isinstance(c, str)]
    families = [f for f in _families(candidates) if _exhaustive(f)]
    if not families:
        return
    cache: dict[str, np.ndarray] = {}

    def nums(c: str) -> np.ndarray:
        if c not in cache:
            cache[c] = _numbers(raw[c])
        return cache[c]

    for den_col in den_cols:
        den = nums(den_col)
        for fam in families:
            parts = np.column_stack([nums(c) for c in fam])
            ok = ~np.isnan(parts).any(axis=1) & (den > 0)
            if ok.sum() < 3:
                continue
            total = parts[ok].sum(axis=1)
            ratio = total / den[ok]
            if np.all(total == 0):
                continue
            med = float(np.median(ratio))
            same_side = (ratio < 1 - TOLERANCE).mean() if med < 1 else (ratio > 1 + TOLERANCE).mean()
            if abs(med - 1) <= TOLERANCE or same_side < CONSISTENT_SHARE or not 0.2 <= med <= 5:
                continue
            if _is_breakdown_of_another(total, ok, fam, raw, skip, nums):
                continue
            low, high = np.percentile(ratio, [10, 90])
            effect = render("read.shares_low" if med < 1 else "read.shares_high",
                            {"column": den_col, "gap": 1 - med if med < 1 else med - 1})
            names = ", ".join(dict.fromkeys(indicators)) or render("read.the_indicators")
            report.add("warning", "denominator_universe", params={
                "column": den_col, "family": ", ".join(map(repr, fam)), "median": med, "n": int(ok.sum()),
                "low": float(low), "high": float(high), "effect": effect, "names": names,
                "first": fam[0], "last": fam[-1]},
                column=den_col, action="kept")


def _is_breakdown_of_another(total: np.ndarray, ok: np.ndarray, fam: list[str], raw: pd.DataFrame,
                             skip: set[str], nums) -> bool:
    """True when the family adds up to another numeric column of the table (it splits that column)."""
    for c in raw.columns:
        if c in fam or c in skip:
            continue
        other = nums(c)[ok]
        good = ~np.isnan(other) & (other > 0)
        if good.sum() < 3:
            continue
        r = total[good] / other[good]
        if (np.abs(r - 1) <= TOLERANCE).mean() >= CONSISTENT_SHARE:
            return True
    return False
