"""Join a table of districts to their boundaries, by code or by normalised name.

Names are compared after :func:`normalise_name` (case, accents, apostrophes, punctuation,
``/`` vs ``-``, words such as "County", "City", "District", "Commune"). What still does not
match is listed on both sides with the closest names on the other side (rapidfuzz), and can be
fixed with ``overrides={"TABLE NAME": "Boundary Name"}``. Nothing is dropped silently: every
unmatched district is in :attr:`JoinResult.unmatched_table` / ``unmatched_boundaries`` and in
the report.

Modules: :mod:`~egovkit.join.table_join` (:func:`join_table` in named steps, :func:`check_join`),
:mod:`~egovkit.join.keys` (codes and names compared, columns guessed), :mod:`~egovkit.join.census_wide`,
:mod:`~egovkit.join.tidy` (overrides, repeated rows, parts merged, duplicates), :mod:`~egovkit.join.unmatched`,
:mod:`~egovkit.join.candidates` and :mod:`~egovkit.join.result`.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> b = gpd.GeoDataFrame({"name": ["Murang`a", "Nairobi"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
...                      crs=4326)
>>> t = pd.DataFrame({"County": ["MURANG'A", "NAIROBI CITY"], "internet_pct": [20.1, 42.1]})
>>> r = join_table(t, b, table_on="County", boundary_on="name")
>>> r.matched, r.gdf["internet_pct"].tolist()
(2, [20.1, 42.1])
"""

from __future__ import annotations

from ..shared.names import DROP_WORDS, normalise_name
from .candidates import LISTED_IN_LISTING, LISTED_UNMATCHED, MIN_SUGGEST_SCORE
from .keys import CODE_LIKE_SHARE, By, is_code_like, normalise_code
from .result import JoinResult, Sides
from .table_join import How, check_join, join_table

__all__ = ["DROP_WORDS", "normalise_name", "normalise_code", "is_code_like", "JoinResult", "join_table",
           "check_join", "By", "How", "Sides", "CODE_LIKE_SHARE", "LISTED_IN_LISTING", "LISTED_UNMATCHED",
           "MIN_SUGGEST_SCORE"]
