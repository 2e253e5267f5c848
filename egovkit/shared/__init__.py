"""The bottom layer of shared words: what every step of egovkit says the same way.

One module per concern, importing nothing of egovkit but :mod:`egovkit.settings` and
:mod:`egovkit.errors`, so that any step (read, join, indicators ... present, cli) may use it:

- :mod:`~egovkit.shared.formatting`: numbers, percentages and points in the user's language
  (:func:`format_number`, :func:`format_percent`, :func:`format_points`, :class:`LocalNumber`);
- :mod:`~egovkit.shared.texts`: :func:`load_texts`, the texts of a YAML catalogue in the user's
  language, English filling the gaps;
- :mod:`~egovkit.shared.names`: :func:`normalise_name`, names compared as people write them;
- :mod:`~egovkit.shared.catalogue`: the ITU indicator catalogue (:func:`itu_catalogue`,
  :func:`canonical_name`, :func:`indicator_info`, :func:`indicator_label`, :func:`universe_of`).

Geometry has its own bottom module, :mod:`egovkit.geo` (:func:`~egovkit.geo.projected_crs`,
:func:`~egovkit.geo.repair_geometries`). Every language default is :data:`egovkit.settings.language`.

Examples
--------
>>> format_percent(0.5, "fr", 0), normalise_name("NAIROBI CITY"), indicator_label("internet", "en")
('50\\xa0%', 'nairobi', 'Households with internet access at home')
"""

from __future__ import annotations

from .catalogue import canonical_name, indicator_info, indicator_label, itu_catalogue, universe_of
from .formatting import LocalNumber, format_number, format_percent, format_points, format_whole_pct
from .names import DROP_WORDS, normalise_name, strip_accents
from .texts import load_texts, text_languages

__all__ = [
    "format_number", "format_percent", "format_points", "format_whole_pct", "LocalNumber",
    "load_texts", "text_languages",
    "normalise_name", "strip_accents", "DROP_WORDS",
    "itu_catalogue", "canonical_name", "indicator_info", "indicator_label", "universe_of",
]
