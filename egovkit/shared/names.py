"""Names compared the way people write them: one normaliser for districts, indicators and aliases.

:func:`normalise_name` folds case and accents, drops apostrophes, turns punctuation into
spaces, writes out "St"/"Ste"/"Mt", and removes words such as "County" or "Commune de" at the
start or end of a name (:data:`DROP_WORDS`; pass ``drop_words=()`` to keep every word, as the
indicator catalogue does for its aliases).

Examples
--------
>>> normalise_name("Commune de Saint-Étienne")
'saint etienne'
>>> normalise_name("Desktop/Laptop", drop_words=())
'desktop laptop'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

import pandas as pd

__all__ = ["DROP_WORDS", "normalise_name", "strip_accents"]

#: Words (or phrases) removed at the start or the end of a name before comparing names.
DROP_WORDS: tuple[str, ...] = (
    "sub county", "subcounty", "county", "city", "district", "commune", "municipality", "municipio",
    "municipal", "municipalite", "departement", "department", "province", "region", "prefecture",
)
# After a dropped prefix ("City of X", "Commune de X") these words go too.
_CONNECTORS = frozenset({"of", "de", "du", "des", "d", "la", "le", "the"})
# Abbreviations written out so that "St. Louis" == "Saint Louis", "Mt. Kenya" == "Mount Kenya".
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount"}
_APOSTROPHES = re.compile("['`\u2019\u2018\u00b4\u02bc\u02bb\u2032]")
_NON_WORD = re.compile(r"[\W_]+")


def strip_accents(text: str) -> str:
    """``text`` without its accents and other combining marks (Unicode NFKD).

    Examples
    --------
    >>> strip_accents("Murang’a, Équateur")
    'Murang’a, Equateur'
    """
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def _normalise_one(text: str, drop: tuple[tuple[str, ...], ...]) -> str:
    s = strip_accents(text).casefold()
    s = _APOSTROPHES.sub("", s).replace("&", " and ")
    tokens = [_ABBREVIATIONS.get(t, t) for t in _NON_WORD.sub(" ", s).split()]
    changed = True
    while changed:
        changed = False
        for phrase in drop:
            n = len(phrase)
            if len(tokens) > n and tuple(tokens[-n:]) == phrase:
                tokens, changed = tokens[:-n], True
                break
            if len(tokens) > n and tuple(tokens[:n]) == phrase:
                rest = tokens[n:]
                if len(rest) > 1 and rest[0] in _CONNECTORS:
                    rest = rest[1:]
                tokens, changed = rest, True
                break
    return " ".join(tokens)


@lru_cache(maxsize=64)
def _drop_phrases(drop_words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    phrases = {tuple(_normalise_one(str(w), ()).split()) for w in drop_words}
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


def normalise_name(s: str | pd.Series, *, drop_words: Iterable[str] = DROP_WORDS) -> str | pd.Series:
    """Normalise names so that spellings of the same name compare equal.

    Lower case, accents removed (Unicode NFKD), apostrophes and backticks removed, ``/ - _``
    and other punctuation turned into spaces, ``&`` into "and", "St"/"Ste"/"Mt" written out,
    spaces collapsed, and ``drop_words`` removed at the start or end of the name ("Nairobi
    City", "City of X", "Commune de X"); a name is never reduced to nothing.

    Parameters
    ----------
    s
        A name or a Series of names (missing values stay missing).
    drop_words
        Words or phrases to remove at the start/end (default :data:`DROP_WORDS`; ``()`` keeps all).

    Returns
    -------
    str or Series
        The normalised name(s).

    Examples
    --------
    >>> [normalise_name(n) for n in ["MURANG'A", "Murang`a", "NAIROBI CITY", "ELGEYO/MARAKWET"]]
    ['muranga', 'muranga', 'nairobi', 'elgeyo marakwet']
    >>> out = normalise_name(pd.Series(["St. Louis", None]))
    >>> out[0], bool(out.isna()[1])
    ('saint louis', True)
    """
    drop = _drop_phrases(tuple(drop_words))
    if isinstance(s, pd.Series):
        out = s.map(lambda v: None if pd.isna(v) else _normalise_one(str(v), drop))
        return out.astype("str")
    return _normalise_one(str(s), drop)
