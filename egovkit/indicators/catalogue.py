"""The ITU indicator catalogue: see :mod:`egovkit.shared.catalogue` (one loader for every step).

The functions are re-exported here, where the catalogue file ``itu_indicators.csv`` lives.

Examples
--------
>>> universe_of("internet")
'households'
"""

from __future__ import annotations

from ..shared.catalogue import (
                                CATALOGUE_PATH,
                                canonical_name,
                                indicator_info,
                                indicator_label,
                                itu_catalogue,
                                universe_of,
)

__all__ = ["CATALOGUE_PATH", "itu_catalogue", "canonical_name", "indicator_info", "indicator_label", "universe_of"]
