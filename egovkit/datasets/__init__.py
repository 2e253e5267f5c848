"""Real public data sets: pinned origins, sha256-checked download or mirror copy, cache, tidy loaders.

Every file comes from a public GitHub repository at a pinned commit (see :func:`list_datasets`).
Set ``EGOVKIT_DATA_MIRROR`` (or :data:`egovkit.settings.data_mirror`) to a local folder laid
out like ``<mirror>/github/<owner>/<repo>/<commit>/<path>`` to work offline; files and their
converted forms are cached in ``EGOVKIT_CACHE_DIR`` (:data:`egovkit.settings.cache_dir`).
Each converted file carries a sidecar ``<file>.meta.json`` checked on every read (a damaged file
is rebuilt from the verified original, with a warning), and several processes can share one
cache (atomic writes, one lock per file): see :mod:`egovkit.datasets.cache`.

Examples
--------
>>> from egovkit import datasets
>>> "kenya_census/V4_T2.36" in set(datasets.list_datasets()["name"])
True
>>> counties = datasets.kenya_counties()  # doctest: +SKIP
"""

from .fetch import fetch, is_cached, sha256_of, source_of
from .loaders import (
    PopulationRaster,
    acs_s2801_raw,
    kenya_census_table,
    kenya_counties,
    list_datasets,
    nyc_boroughs,
    nyc_hotspots_raw,
    nyc_nta,
    nyc_nta_alt,
    nyc_population,
    nyc_tracts,
    singapore_population,
    us_counties,
)
from .registry import DataFile, get

__all__ = [
    "DataFile", "PopulationRaster", "acs_s2801_raw", "fetch", "get", "is_cached", "kenya_census_table",
    "kenya_counties", "list_datasets", "nyc_boroughs", "nyc_hotspots_raw", "nyc_nta", "nyc_nta_alt",
    "nyc_population", "nyc_tracts", "sha256_of", "singapore_population", "source_of",
    "us_counties",
]

try:  # the synthetic territory lives in its own module, written separately
    from .synthetic import make_territory  # noqa: F401

    __all__.append("make_territory")
except ImportError:  # pragma: no cover - before synthetic.py exists
    pass
