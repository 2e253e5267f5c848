"""The word catalogues: one YAML data file per language, tokenised once and indexed.

Each ``<language>.yaml`` lists, per category (``device``, ``universe``, ``value_kind``, ``area``,
``code``...), the words, stems (``ordinat*``) and phrases (``"haut débit"``) that say it;
``concepts.yaml`` maps the device/service concepts to the indicators of the egovkit catalogue.
Headers and catalogue words go through the same :func:`tokenize`, so accents, case, camelCase,
underscores and units never matter.

Examples
--------
>>> tokenize("Ménages disposant d'une connexion Internet (%)")
['menages', 'disposant', 'd', 'une', 'connexion', 'internet', '%']
>>> tokenize("pct_hh_internet"), tokenize("wgs84_x"), tokenize("MobilePhoneHH")
(['pct', 'hh', 'internet'], ['wgs', '84', 'x'], ['mobile', 'phone', 'hh'])
>>> "fr" in languages()
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..shared.names import strip_accents

HERE = Path(__file__).resolve().parent
#: Categories whose entries are grouped by concept (``device: {internet: [...]}``); the others are flat lists.
GROUPED = ("device", "universe", "value_kind", "coordinate", "other")
FLAT = ("by", "total", "negation", "use", "or", "area", "name", "code", "parent", "level", "crs", "variable", "value",
        "breakdown", "unknown_answer", "not_ict", "filler")
_TOKEN = re.compile(r"%|/|[^\W\d_]+|\d+")


def tokenize(text: object) -> list[str]:
    """Split a header into lower-case, accent-free words, numbers, ``%`` and ``/``.

    camelCase and ``snake_case`` are split, letters and digits are separated (``wgs84`` ->
    ``wgs 84``), ``+`` reads ``plus``, and every other sign is a separator.

    Examples
    --------
    >>> tokenize("Domicílios com acesso à Internet")
    ['domicilios', 'com', 'acesso', 'a', 'internet']
    >>> tokenize("Persons aged 3+ / area_km2")
    ['persons', 'aged', '3', 'plus', '/', 'area', 'km', '2']
    """
    s = str(text)
    out = []
    for i, ch in enumerate(s):  # camelCase: a capital after a small letter, or before one after capitals
        if i and ch.isupper() and (s[i - 1].islower()
                                   or (s[i - 1].isupper() and i + 1 < len(s) and s[i + 1].islower())):
            out.append(" ")
        out.append(ch)
    s = strip_accents("".join(out).replace("ß", "ss")).lower().replace("+", " plus ")
    return _TOKEN.findall(s)


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: a phrase (tuple of words, ``stem`` flags) meaning ``category``/``concept``."""

    words: tuple[str, ...]
    stems: tuple[bool, ...]
    category: str
    concept: str | None
    language: str
    text: str


def languages() -> tuple[str, ...]:
    """The languages with a word catalogue (``en``, ``fr``...), sorted.

    Examples
    --------
    >>> set(languages()) >= {"en", "fr", "es", "pt"}
    True
    """
    return tuple(sorted(p.stem for p in HERE.glob("*.yaml") if p.stem != "concepts"))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - broken installation
        raise InputError(code="concepts.unreadable", params={"detail": str(exc)}, file=str(path)) from exc
    if not isinstance(data, dict):  # pragma: no cover
        raise InputError(code="concepts.not_a_mapping", file=str(path))
    return data


@lru_cache(maxsize=1)
def concepts() -> dict[str, Any]:
    """``concepts.yaml``: the device concepts (parent, indicators per universe) and complements.

    Examples
    --------
    >>> concepts()["devices"]["internet"]["indicators"]["households"]
    'internet'
    """
    return _read_yaml(HERE / "concepts.yaml")


@lru_cache(maxsize=1)
def language_names() -> dict[str, str]:
    """``{"fr": "French", ...}``."""
    return {lang: str(_read_yaml(HERE / f"{lang}.yaml").get("label", lang)) for lang in languages()}


def _entries_of(lang: str) -> list[Entry]:
    path = HERE / f"{lang}.yaml"
    data = _read_yaml(path)
    devices = concepts()["devices"]
    out: list[Entry] = []
    for category, body in data.items():
        if category in ("language", "label"):
            continue
        if category in GROUPED:
            if not isinstance(body, dict):
                raise InputError(code="concepts.grouped_category", params={"category": category}, file=str(path))
            groups = body.items()
            if category == "device":
                unknown = set(body) - set(devices)
                if unknown:
                    raise InputError(code="concepts.unknown_devices", params={"devices": sorted(unknown)},
                                     file=str(path))
        elif category in FLAT:
            groups = [(None, body)]
        else:
            raise InputError(code="concepts.unknown_category", params={"category": category,
                                                                      "known": str(sorted(GROUPED + FLAT))},
                             file=str(path))
        for concept, words in groups:
            for text in words or []:
                text = str(text)
                parts = text.split()
                words_, stems = [], []
                for part in parts:
                    stem = part.endswith("*")
                    toks = tokenize(part.rstrip("*"))
                    if not toks:
                        continue
                    words_.extend(toks)
                    stems.extend([False] * (len(toks) - 1) + [stem and len(toks[-1]) >= 3])
                if words_:
                    out.append(Entry(tuple(words_), tuple(stems), category, concept, lang, text))
    return out


@lru_cache(maxsize=1)
def index() -> tuple[dict[str, list[Entry]], list[Entry]]:
    """Entries by first word (exact first words) and the entries whose first word is a stem."""
    by_first: dict[str, list[Entry]] = {}
    stem_first: list[Entry] = []
    for lang in languages():
        for e in _entries_of(lang):
            if e.stems[0]:
                stem_first.append(e)
            else:
                by_first.setdefault(e.words[0], []).append(e)
    return by_first, stem_first
