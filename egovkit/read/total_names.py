"""Totals rows by name: ``Total``, ``Ensemble``, ``Kenya``, ``Rural`` (word-based, case- and
accent-insensitive), and the country names that tell a table of countries.

Examples
--------
>>> total_kind("Total de la région"), total_kind("Kibra"), total_kind("Urban areas")
('national', None, 'urban')
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .column_headers import normalise_header

#: Area names (normalised) recognised as totals rows; a trailing ``*`` or words after
#: ``rural``/``urban`` are allowed (``RURAL*``, ``Urban areas``). Names built on a total word
#: are recognised too, see :func:`total_kind`.
TOTAL_NAMES = {"total", "totals", "grand total", "total general", "national", "nation", "country",
               "pays", "ensemble", "all", "all areas", "tous", "kenya", "republic of kenya",
               "france", "france entiere", "france metropolitaine", "united states", "usa",
               "rural", "urban", "urbain", "urbaine", "rurale", "total rural", "total urban",
               "milieu rural", "milieu urbain", "total population", "whole country", "tout le pays"}
# words that make a name a total wherever they stand (EN/FR/ES/PT/IT/DE/TR/NL...)
_TOTAL_WORDS = {"total", "totals", "totaux", "totale", "totales", "totaal", "totalt", "toplam", "gesamt",
                "insgesamt", "summe", "overall", "grandtotal", "subtotal", "subtotals", "soustotal", "nationwide",
                "countrywide"}
# words that make a name a total when they come first (``Ensemble du territoire``, ``All districts``)
_TOTAL_FIRST = {"ensemble", "sum", "somme", "suma", "soma", "national", "nacional", "nationale", "nazionale",
                "all", "tous", "toutes", "todo", "todos", "todas", "tutti", "tutto", "whole", "entire",
                "country", "pays"}
# the same, only with a word about areas after them (``Tout le territoire``, ``Toda la región``; ``Alle`` is a town)
_TOTAL_FIRST_QUALIFIED = {"tout", "toute", "toda", "tutta", "tutte", "alle", "conjunto"}
_AREA_WORDS = {"districts", "district", "areas", "area", "counties", "county", "communes", "commune", "regions",
               "region", "provinces", "province", "municipalities", "municipios", "municipalites", "departments",
               "departements", "departamentos", "zones", "zonas", "wards", "localities", "localites",
               "territory", "territoire", "territorio", "country", "pays", "pais", "nation", "level", "les", "la",
               "le", "du", "de", "des", "los", "las", "as", "os", "da", "do", "the", "of", "combined", "together",
               "states", "cities", "villes", "arrondissements", "cantons", "circles", "cercles", "prefectures",
               "subcounties", "sub", "constituencies", "neighbourhoods", "neighborhoods", "quartiers", "sum",
               "total", "totals", "nacional", "national", "general", "geral", "entier", "entiere", "entire",
               "whole", "all", "tous", "toutes", "todos", "todas", "a", "and", "et", "y", "e", "el", "o",
               "population", "households", "menages", "persons", "personnes", "hogares", "domicilios",
               # singular and ES/PT/IT/DE forms (``Ensemble du département``, ``Toda la región``...)
               "departement", "departamento", "municipality", "municipio", "municipalite", "comuna", "comunas",
               "comune", "comuni", "regiao", "regioes", "regione", "regioni", "provincia", "provincias", "estado",
               "estados", "entidad", "state", "city", "ville", "ciudad", "cidade", "quartier", "neighbourhood",
               "neighborhood", "bairro", "bairros", "barrio", "barrios", "ward", "locality", "localite", "zone",
               "zona", "paese", "land", "gebiet", "gemeinden", "kreise", "en", "al", "del", "dos", "das", "di",
               "della", "dello", "lo", "il", "der", "die", "entiers", "entieres", "completo",
               "completa", "inteiro", "inteira", "tutto", "intero", "intera", "selected", "listed", "above"}
_SUB_WORDS = {"sub", "subtotal", "subtotals", "soustotal", "sous", "subtotaal", "subtotale", "zwischensumme"}
_RURAL = {"rural", "rurale", "rurales", "rurais", "rurali"}
_URBAN = {"urban", "urbain", "urbaine", "urbaines", "urbains", "urbano", "urbana", "urbanos", "urbanas", "urbani"}
# words in front of rural/urban that keep it a total (``Milieu rural``, ``Zona urbana``, ``Área urbana``)
_AREA_LEADS = {"milieu", "zone", "zones", "zona", "zonas", "area", "areas", "medio", "setor", "situacao", "resto",
               "localidad", "localidades"}


def total_kind(name: object) -> str | None:
    """``"national"`` when an area name says the row is a total of the table, ``"subtotal"`` for a
    subtotal, ``"rural"``/``"urban"`` for those totals, else ``None``.

    Word-based, case- and accent-insensitive, qualifiers allowed: ``Total``, ``TOTAL*``,
    ``Total de la région``, ``Grand total``, ``Country total``, ``Ensemble du territoire``,
    ``All districts``, ``National``, ``Toplam``, ``Total geral``... A district named with such a
    word in another sense (``All Saints``, ``Sumatra``) is not a total: ``all``/``sum``/
    ``national``... only count when every other word is a word about areas.

    Examples
    --------
    >>> [total_kind(x) for x in ["Total de la région", "All districts", "Sous-total Nord", "All Saints", "Kibra"]]
    ['national', 'national', 'subtotal', None, None]
    """
    norm = re.sub(r"[^a-z0-9]+", " ", normalise_header(str(name).replace("%", " "))).strip()
    return _total_kind(norm)


@lru_cache(maxsize=1)
def _total_trigger() -> frozenset[str]:
    return frozenset(_TOTAL_WORDS | _TOTAL_FIRST | _TOTAL_FIRST_QUALIFIED | _SUB_WORDS
                     | {w for n in TOTAL_NAMES for w in n.split()} | _RURAL | _URBAN)


def _maybe_total(norm: str) -> bool:
    return not _total_trigger().isdisjoint(norm.split()) or "subtotal" in norm or "soustotal" in norm \
        or "grandtotal" in norm


def _total_kinds(norm: pd.Series) -> pd.Series:
    """:func:`_total_kind` of normalised names ("" when not a total); only names holding a total
    word are looked at (one vectorised pass, so 10^5 district names stay fast)."""
    codes, uniq = pd.factorize(norm.to_numpy(dtype=object))  # long tables repeat every name
    kinds = np.full(len(uniq), "", dtype=object)
    for j, x in enumerate(uniq):
        if isinstance(x, str) and _maybe_total(x):
            kinds[j] = _total_kind(x) or ""
    return pd.Series(kinds[codes] if len(uniq) else np.full(len(norm), "", dtype=object), index=norm.index)


@lru_cache(maxsize=65536)
def _total_kind(norm: str) -> str | None:
    if not norm:
        return None
    toks = norm.split()
    joined = "".join(toks)
    # rural/urban totals: the word first, or after a total/area word (``Total urbano``, ``Área urbana``)
    lead = [t for t in toks if t not in _TOTAL_WORDS and t not in _AREA_WORDS and t not in _AREA_LEADS]
    if toks[0] in {"rural", "rurale"} or (len(lead) == 1 and lead[0] in _RURAL):
        return "rural"
    if toks[0] in {"urban", "urbain", "urbaine"} or (len(lead) == 1 and lead[0] in _URBAN):
        return "urban"
    if any(t in _SUB_WORDS for t in toks) or joined.startswith(("subtotal", "soustotal")):
        return "subtotal"
    if norm in TOTAL_NAMES:
        return "national"
    if any(t in _TOTAL_WORDS for t in toks) or joined in {"grandtotal", "totalgeneral"}:
        return "national"
    if (toks[0] in _TOTAL_FIRST or toks[0] in _TOTAL_FIRST_QUALIFIED and len(toks) > 1) \
            and all(t in _AREA_WORDS or t.isdigit() for t in toks[1:]):
        return "national"
    return None


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Normalised country names in seven languages (``egovkit/read/country_names.csv``, from the CLDR)."""
    names = pd.read_csv(Path(__file__).with_name("country_names.csv"), comment="#", dtype=str, keep_default_na=False)
    return frozenset(names["name"])


def _of_countries(n_countries: int, n_rows: int) -> bool:
    """Whether a table whose area names hold ``n_countries`` country names is a table of countries
    (then a country's name is one of its areas, not the territory's total).

    >>> _of_countries(2, 28), _of_countries(4, 5)
    (False, True)
    """
    return n_countries > max(2, 0.25 * n_rows)
