"""The worked cases: the real public data sets of :mod:`egovkit.datasets` and the synthetic example,
each run through :func:`egovkit.pipeline.diagnose` with its own words and settings.

``egovkit report kenya``, ``egovkit report nyc`` and ``egovkit demo`` call these.

Examples
--------
>>> from egovkit import cases
>>> cases.NYC_MIN_RESIDENTS
2000
>>> d = cases.diagnose_kenya("out/kenya")   # doctest: +SKIP
"""

from .example import EXAMPLE_READ, diagnose_example
from .kenya import diagnose_kenya
from .nyc import NYC_MIN_RESIDENTS, NYC_NOT_RESIDENTIAL, diagnose_nyc

__all__ = ["EXAMPLE_READ", "NYC_MIN_RESIDENTS", "NYC_NOT_RESIDENTIAL", "diagnose_example", "diagnose_kenya",
           "diagnose_nyc"]
