"""Finding the header row of a table: the row with the most recognised column names among the
first 20 (title lines above it are skipped).

Examples
--------
>>> _find_header([["Census 2019", None], ["county", "households"], ["Mombasa", 1000]])
1
"""

from __future__ import annotations

import numpy as np

from .roles import column_role, is_not_ict, recognise_indicator


def _header_score(cells: list[object]) -> int:
    """How many cells of a row are recognised column names."""
    n = 0
    for c in cells:
        if c is None or (isinstance(c, float) and np.isnan(c)) or not str(c).strip():
            continue
        if len(str(c)) > 200:
            continue
        if column_role(c) or recognise_indicator(c).indicator or is_not_ict(c):
            n += 1
    return n


def _find_header(first_rows: list[list[object]]) -> int:
    """Index of the header row among the first 20: the row with the most recognised column names
    (at least two, and no number), the first one on ties; row 0 when none has two."""
    best, best_score = 0, 1
    for i, cells in enumerate(first_rows[:20]):
        score = _header_score(cells)
        if score > best_score and (i == 0 or not any(_is_number(c) for c in cells)):
            best, best_score = i, score
    return best


def _is_number(cell: object) -> bool:
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        return not (isinstance(cell, float) and np.isnan(cell))
    try:
        float(str(cell).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        return False
    return True

