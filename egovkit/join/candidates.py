"""Candidates for what did not match: the closest names of the other side (rapidfuzz), or for codes the
codes that begin or end with it; the unmatched lists of :class:`~egovkit.join.JoinResult`.

>>> fmt_candidates([("Nairobi", 93.0)]), fmt_candidates([], "en")
("'Nairobi' (93)", '(none)')
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..shared.messages import render

__all__ = ["LISTED_IN_LISTING", "LISTED_UNMATCHED", "MIN_SUGGEST_SCORE", "examples", "fmt_candidates"]

#: Up to this many unmatched items are reported one by one; beyond, one summary line (the full
#: lists stay in :attr:`JoinResult.unmatched_table` / ``unmatched_boundaries``).
LISTED_UNMATCHED = 5
#: :meth:`JoinResult.listing` (the text of a JoinError) shows this many items per side.
LISTED_IN_LISTING = 20
#: A candidate is suggested as an override (``best``) only from this rapidfuzz WRatio score (0-100).
MIN_SUGGEST_SCORE = 60.0


def examples(names: pd.Series, n: int = 5) -> str:
    """``'A', 'B', 'C' ...``: the first ``n`` names of a listing.

    >>> examples(pd.Series(["A", "B", "C"]), 2)
    "'A', 'B' ..."
    """
    shown = ", ".join(repr(str(x)) for x in names.iloc[:n])
    return shown + (" ..." if len(names) > n else "")


def fmt_candidates(cands: list[tuple[str, float]], lang: str | None = None) -> str:
    """``'Name' (score), ...``, or ``(none)`` in ``lang``."""
    return ", ".join(f"{n!r} ({s:.0f})" for n, s in cands) if cands else render("join.no_candidates", lang=lang)


def _candidates(keys: pd.Series, names: pd.Series, other_keys: pd.Series, other_names: pd.Series,
                limit: int = 3) -> list[list[tuple[str, float]]]:
    """For each key, the ``limit`` closest names of the other side: ``[(name, WRatio 0-100), ...]``."""
    choices = other_keys.fillna("").astype(str).tolist()
    raw = other_names.astype(str).tolist()
    queries = [None if pd.isna(k) else str(k) for k in keys]
    out: list[list[tuple[str, float]]] = [[] for _ in queries]
    valid = [i for i, q in enumerate(queries) if q is not None]
    if not choices or not valid:
        return out
    chunk = max(1, 2_000_000 // len(choices))  # bounds the score matrix to ~8 MB
    for start in range(0, len(valid), chunk):
        rows = valid[start:start + chunk]
        scores = process.cdist([queries[i] for i in rows], choices, scorer=fuzz.WRatio, dtype=np.float32)
        order = np.argsort(-scores, axis=1, kind="stable")[:, : limit * 3]
        for r, i in enumerate(rows):
            seen: dict[str, float] = {}
            for j in order[r]:  # several raw names can share a key: keep each name once
                seen.setdefault(raw[j], round(float(scores[r, j]), 1))
            out[i] = list(seen.items())[:limit]
    return out


def _code_candidates(keys: pd.Series, names: pd.Series, other_keys: pd.Series, other_names: pd.Series,
                     limit: int = 3) -> list[list[tuple[str, float]]]:
    """For each code, the codes of the other side that begin or end with it, or that it begins or
    ends with (``"01001"`` and ``"0500000US01001"``), scored ``100 * shorter / longer`` length;
    never a spelling match (``"01001"`` is not "close" to ``"01007"``).

    Examples
    --------
    >>> _code_candidates(pd.Series(["01001", "9"]), pd.Series(["01001", "9"]),
    ...                  pd.Series(["0500000US01001", "01007"]), pd.Series(["0500000US01001", "01007"]))
    [[('0500000US01001', 35.7)], []]
    """
    okeys = [None if pd.isna(k) else str(k) for k in other_keys]
    oraw = other_names.astype(str).tolist()
    queries = [None if pd.isna(k) else str(k) for k in keys]
    out: list[list[tuple[str, float]]] = [[] for _ in queries]
    qlens = {len(q) for q in queries if q and len(q) >= 2}
    olens = {len(k) for k in okeys if k and len(k) >= 2}
    # the other side's codes by their prefixes/suffixes of every length a query has (and the reverse)
    ends: dict[tuple[str, int, str], list[int]] = {}
    for j, k in enumerate(okeys):
        if not k:
            continue
        for n in qlens:
            if n < len(k):
                ends.setdefault(("p", n, k[:n]), []).append(j)
                ends.setdefault(("s", n, k[-n:]), []).append(j)
    whole: dict[str, list[int]] = {}
    for j, k in enumerate(okeys):
        if k:
            whole.setdefault(k, []).append(j)
    for i, q in enumerate(queries):
        if not q or len(q) < 2:
            continue
        found: dict[int, float] = {}
        for j in ends.get(("p", len(q), q), []) + ends.get(("s", len(q), q), []):
            found[j] = 100.0 * len(q) / len(okeys[j])  # type: ignore[arg-type]
        for n in olens:
            if n < len(q):
                for j in whole.get(q[:n], []) + whole.get(q[-n:], []):
                    found[j] = max(found.get(j, 0.0), 100.0 * n / len(q))
        best = sorted(found.items(), key=lambda x: (-x[1], x[0]))
        seen: dict[str, float] = {}
        for j, sc in best:
            seen.setdefault(oraw[j], round(sc, 1))
        out[i] = list(seen.items())[:limit]
    return out


def _unmatched_frame(pos: np.ndarray, names: pd.Series, keys: pd.Series, cands: list, bests: list) -> pd.DataFrame:
    return pd.DataFrame({
        "row": pd.Series(pos + 1, dtype="int64"),
        "name": pd.Series(names.to_numpy(), dtype=object),
        "key": pd.Series(keys.to_numpy(), dtype=object),
        "candidates": pd.Series(cands, dtype=object),
        "best": pd.Series([b[0] for b in bests], dtype=object),
        "best_score": pd.Series([b[1] for b in bests], dtype=float),
    })
