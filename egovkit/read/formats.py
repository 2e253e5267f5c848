"""Known publication formats, turned into the tidy shape the reader understands.

Called on the raw cells of every table (:func:`~egovkit.read.loading._load`), before the stacked
reader (:mod:`egovkit.read.stacked`): Eurostat SDMX-CSV tables and split bulk TSV files
(:mod:`egovkit.read.eurostat`), measure-stacked long tables (:mod:`egovkit.read.measures`). Any other
table is returned unchanged.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from egovkit.validate import ValidationReport
>>> raw = pd.DataFrame({"district": ["A"], "households": [10]})
>>> known_format(raw, np.array([2]), "t.csv", ValidationReport())[0] is raw
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..validate import ValidationReport
from .eurostat import is_sdmx_csv, tidy_eurostat
from .measures import select_measures


def known_format(raw: pd.DataFrame, lines: np.ndarray, name: str,
                 report: ValidationReport) -> tuple[pd.DataFrame, np.ndarray]:
    """``(raw, lines)`` in the tidy shape when ``raw`` is a known publication format, else unchanged."""
    if is_sdmx_csv([str(c) for c in raw.columns]):
        return tidy_eurostat(raw, lines, name, report)
    return select_measures(raw, lines, name, report)
