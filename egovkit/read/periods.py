"""Years and periods in cells and headers: one pattern for each, shared by the readers of SDG-coded,
stacked and cross-tabulated tables.

:data:`YEAR` is a calendar year alone (``2019``, `` 2019 ``), 1800-2099; :data:`PERIOD` a year
alone or with a sub-period (``2019Q1``, ``2019-03``, ``2019 S2``, ``2019M07``, ``2019W12``).

Examples
--------
>>> bool(YEAR.match(" 2019 ")), bool(YEAR.match("2019Q1")), bool(YEAR.match("1750"))
(True, False, False)
>>> bool(PERIOD.match("2019Q1")), bool(PERIOD.match("2019-03")), bool(PERIOD.match("Q1 2019"))
(True, True, False)
>>> is_year(2019.0), is_year("2019"), is_year(2019.5), is_year(True)
(True, True, False, False)
"""

from __future__ import annotations

import re

__all__ = ["PERIOD", "YEAR", "is_year"]

#: A calendar year 1800-2099 alone in a cell or header, spaces around it allowed.
YEAR = re.compile(r"^\s*(1[89]\d\d|20\d\d)\s*$")
#: A year alone or followed by a sub-period: quarter, half, month, week (``2019Q1``, ``2019-03``).
PERIOD = re.compile(r"^\s*(1[89]\d\d|20\d\d)(\s*[-/_ ]?\s*([QSMHT]|W)?\s*\d{1,2})?\s*$", re.IGNORECASE)


def is_year(value: object) -> bool:
    """Whether a cell is a calendar year: a whole number or a text matching :data:`YEAR` (not a bool).

    >>> is_year("1999"), is_year(1999), is_year("99")
    (True, True, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return float(value).is_integer() and bool(YEAR.match(str(int(value))))
    return isinstance(value, str) and bool(YEAR.match(value))
