"""The ITU indicator catalogue (``egovkit/indicators/itu_indicators.csv``): names, codes, universes, labels.

The catalogue is data, not code: one row per canonical indicator name with its ITU code
(ITU *Manual for Measuring ICT Access and Use by Households and Individuals*), its universe
(``households`` or ``persons``, i.e. the denominator of its rate), its parent indicator (a
breakdown such as ``smartphone_hh`` under ``mobile_phone_hh``), English and French labels, the
ITU definition and ``|``-separated aliases used to recognise column names.

Examples
--------
>>> universe_of("internet")
'households'
>>> indicator_info("mobile_phone")["itu_code"]
'HH18'
>>> indicator_label("internet", "fr")
'Ménages ayant accès à internet à domicile'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .formatting import resolve_language
from .names import normalise_name

__all__ = ["CATALOGUE_PATH", "itu_catalogue", "canonical_name", "indicator_info", "indicator_label", "universe_of"]

#: The catalogue file (data of :mod:`egovkit.indicators`, read here so that every step can use it).
CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "indicators" / "itu_indicators.csv"

_COLUMNS = ["name", "itu_code", "unit", "parent", "label_en", "label_fr", "itu_definition", "aliases"]


def _norm(text: str) -> str:
    """The key used to match names and aliases: :func:`~egovkit.shared.names.normalise_name`, no word dropped."""
    return str(normalise_name(str(text), drop_words=()))


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    df = pd.read_csv(CATALOGUE_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise InputError(code="shared.catalogue_columns", params={"missing": str(missing)}, file=str(CATALOGUE_PATH))
    df = df.replace({"": pd.NA})
    dup = df["name"][df["name"].duplicated()].tolist()
    if dup:
        raise InputError(code="shared.catalogue_duplicates", params={"names": str(dup)}, file=str(CATALOGUE_PATH))
    return df


def itu_catalogue() -> pd.DataFrame:
    """The catalogue as a DataFrame, one row per canonical indicator.

    Returns
    -------
    DataFrame
        Columns ``name, itu_code, unit, parent, label_en, label_fr, itu_definition, aliases``;
        ``unit`` is the universe (``households`` or ``persons``); empty cells are ``<NA>``.

    Examples
    --------
    >>> cat = itu_catalogue()
    >>> cat.set_index("name").loc["computer", "itu_code"]
    'HH4'
    """
    return _load().copy()


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in _load().itertuples(index=False):
        index.setdefault(_norm(row.name), row.name)
    for row in _load().itertuples(index=False):
        if isinstance(row.aliases, str):
            for alias in row.aliases.split("|"):
                index.setdefault(_norm(alias), row.name)
    return index


def canonical_name(name: str) -> str | None:
    """The canonical indicator name for a name or alias (case/accent-insensitive), else None.

    Examples
    --------
    >>> canonical_name("Télévision")
    'tv'
    """
    return _alias_index().get(_norm(name))


def indicator_info(name: str) -> dict[str, str | None]:
    """Everything the catalogue says about one indicator (canonical name or alias).

    Raises
    ------
    InputError
        When the name is neither a canonical name nor an alias.

    Examples
    --------
    >>> indicator_info("broadband")["parent"]
    'internet'
    """
    canon = canonical_name(name)
    if canon is None:
        known = ", ".join(_load()["name"])
        raise InputError(code="shared.unknown_indicator", params={"name": str(name), "known": known},
                         column=str(name))
    row = _load().set_index("name").loc[canon]
    return {"name": canon, **{k: (None if pd.isna(v) else str(v)) for k, v in row.items()}}


def universe_of(name: str) -> str:
    """``"households"`` or ``"persons"``: the denominator of the indicator's rate.

    Examples
    --------
    >>> universe_of("mobile_phone"), universe_of("computer")
    ('persons', 'households')
    """
    return str(indicator_info(name)["unit"])


def indicator_label(indicator: str, lang: str | None = None) -> str:
    """Readable label of a canonical indicator (``label_en``/``label_fr``); the name itself if the
    catalogue has no label for it in ``lang`` (default :data:`egovkit.settings.language`).

    Examples
    --------
    >>> indicator_label("tablet", "en")
    'Households with a tablet'
    >>> indicator_label("my_own_indicator", "fr")
    'my_own_indicator'
    """
    return _labels(resolve_language(lang)).get(indicator, str(indicator))


@lru_cache(maxsize=None)
def _labels(lang: str) -> dict[str, str]:
    col = f"label_{lang}"
    cat = _load()
    if col not in cat.columns:
        return {}
    return {str(n): str(lab) for n, lab in zip(cat["name"], cat[col]) if isinstance(lab, str)}
