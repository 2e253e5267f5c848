"""egovkit: digital diagnosis of a territory.

How equipped and connected households are, district by district; how that is spread
over the territory; where public Wi-Fi leaves people out; how mature local e-governance is.

The most used functions are available from the top level::

    >>> import egovkit
    >>> import pandas as pd
    >>> table = egovkit.read_table(pd.DataFrame({"district": ["A", "B"], "households": [200, 300],
    ...                                          "internet": [80, 150]}))   # or a file name
    >>> rates = egovkit.compute_rates(table)
    >>> rates[["area_name", "indicator", "pct"]].values.tolist()
    [['A', 'internet', 40.0], ['B', 'internet', 50.0]]

Each step has its own module: ``egovkit.read``, ``egovkit.validate``, ``egovkit.geo``,
``egovkit.join``, ``egovkit.indicators``, ``egovkit.distribution``, ``egovkit.coverage``,
``egovkit.diagnosis``, ``egovkit.present``, ``egovkit.datasets``, ``egovkit.pipeline``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import settings  # noqa: F401
from .errors import EgovkitError, EgovkitWarning, InputError, JoinError, ValidationError  # noqa: F401
from .geo import read_boundaries, to_projected  # noqa: F401
from .indicators import aggregate, composite_index, compute_rates, gap_to_territory, gaps  # noqa: F401
from .join import join_table  # noqa: F401
from .read import read_acs_s2801, read_table  # noqa: F401
from .table import CensusTable, combine_tables  # noqa: F401
from .validate import Issue, ValidationReport  # noqa: F401

__all__ = [
    "settings", "EgovkitError", "EgovkitWarning", "InputError", "JoinError", "ValidationError", "Issue",
    "ValidationReport", "CensusTable", "combine_tables", "read_table", "read_acs_s2801", "read_boundaries",
    "to_projected", "join_table", "aggregate", "composite_index", "compute_rates", "gap_to_territory", "gaps",
]
