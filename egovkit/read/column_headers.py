"""What a column header says: an indicator of the ITU catalogue, a rate marker, a breakdown, or
another role (area, code, level, parent, denominator, variable, value).

Column names are matched case-, accent- and punctuation-insensitively (:func:`normalise_header`)
against the aliases of the ITU catalogue (``egovkit/indicators/itu_indicators.csv``) and against
short lists of common English and French spellings for the other roles; what these lists miss is
asked of :mod:`egovkit.concepts`. :mod:`egovkit.read.roles` assigns the roles of a whole table.

Examples
--------
>>> normalise_header("DeskTop/Computer/Laptop/Tablet")
'desktop computer laptop tablet'
>>> recognise_indicator("MPO_Total_Perc")
ColumnMatch(indicator='mobile_phone', kind='percent', breakdown=None)
>>> recognise_indicator("Ménages avec internet (%)").indicator
'internet'
>>> column_role("ConventionalHouseholds")
('denominator', 'households')
>>> recognise_indicator("% of households with a mobile phone").indicator
'mobile_phone_hh'
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ..concepts import recognise as recognise_concept
from ..errors import InputError
from ..shared.names import strip_accents
from ..shared.renamed import deprecated_alias

CATALOGUE_PATH = Path(__file__).parent.parent / "indicators" / "itu_indicators.csv"

# Tokens that say "this column is a rate": pct-like -> percent (0-100); share-like -> share (0-1);
# rate-like -> decided by the values (share when every value is <= 1, else percent).
_PCT_TOKENS = {"pct", "perc", "percent", "percentage", "pourcentage", "pourcent", "prc"}
_SHARE_ONLY_TOKENS = {"share", "proportion", "prop", "fraction"}
_SHARE_TOKENS = _SHARE_ONLY_TOKENS | {"part", "taux", "rate", "ratio"}
# Breakdown tokens: "total" is the main column; the others are sub-populations (kept out).
_TOTAL_TOKENS = {"total", "tot", "all", "ensemble", "both", "sexes"}
_BREAKDOWN_TOKENS = {"male", "males", "female", "females", "men", "women", "homme", "hommes",
                     "femme", "femmes", "masculin", "feminin", "boys", "girls", "m", "f"}
# Universe words: read before the noise words are stripped, they choose between the household
# and the person variant of a device (mobile_phone_hh / mobile_phone).
_HH_TOKENS = {"households", "household", "hh", "menages", "menage", "foyers", "foyer"}
_PERSON_TOKENS = {"persons", "person", "people", "individuals", "individual", "individus", "individu",
                  "population", "personnes", "personne", "habitants", "inhabitants"}
#: Headers that name two indicators (French "portable": mobile phone or laptop): never guessed.
_AMBIGUOUS = {"portable": ("mobile_phone", "desktop_laptop"), "portables": ("mobile_phone", "desktop_laptop")}
_NOISE_TOKENS = {"of", "with", "de", "des", "du", "avec", "en", "the", "nb", "number", "nombre",
                 "count", "n", "hh", "households", "menages", "persons", "individuals", "household", "menage",
                 "foyer", "person", "people", "individual", "individus", "individu", "population", "personnes",
                 "personne", "habitants", "inhabitants",
                 # articles and verbs of ordinary headers: "% of households with a computer",
                 # "Ménages disposant d'un ordinateur", "Taux d'équipement en smartphone"
                 "a", "an", "d", "l", "un", "une", "la", "le", "les", "au", "aux", "foyers",
                 "disposant", "possedant", "equipement", "equipes", "ownership", "owning",
                 "aged", "3", "plus", "ans", "et"}

_ROLE_ALIASES: dict[str, set[str]] = {
    "area": {"name", "names", "district", "districts", "county", "subcounty", "sub county",
             "commune", "communes", "region", "regions", "area", "area name", "areaname", "nom",
             "libelle", "departement", "province", "municipality", "municipalite", "localite",
             "locality", "ward", "constituency", "geo name", "geoname", "geography",
             "nom commune", "libelle commune", "libgeo", "lib geo", "district name",
             "county name", "zone", "territory", "territoire", "arrondissement", "ville", "city",
             "prefecture", "cercle", "canton", "state", "etat", "quartier", "neighbourhood",
             "neighborhood", "nta name", "nom du district", "nom de la commune"},
    "code": {"code", "id", "geoid", "geo id", "fips", "insee", "code insee", "code commune",
             "countycode", "county code", "areacode", "area code", "district code", "codgeo",
             "depcom", "code departement", "code district", "subcountycode", "sub county code",
             "geo code", "geocode", "gid", "pcode", "admin code", "code geo", "nta code"},
    "level": {"adminarea", "admin area", "level", "niveau", "admin level", "adminlevel",
              "geo level", "geolevel", "summary level", "sumlev", "type", "area type",
              "niveau geographique", "echelon"},
    "parent": {"parent", "parent name", "parent area", "region parent", "upper level"},
    "indicator": {"indicator", "indicators", "variable", "indicateur", "item", "measure",
                  "asset", "equipement", "equipment", "variable name", "nom variable"},
    "value": {"value", "values", "valeur", "valeurs", "count", "effectif", "nombre", "n",
              "pct", "percent", "percentage", "pourcentage", "estimate", "val", "obs value"},
}
_DENOMINATOR_ALIASES: dict[str, str | None] = {
    # households
    "conventionalhouseholds": "households", "conventional households": "households",
    "households": "households", "total households": "households", "households total": "households",
    "number of households": "households", "nb households": "households", "hh total": "households",
    "menages": "households", "nombre de menages": "households", "total menages": "households",
    "nb menages": "households", "menages ordinaires": "households", "households in scope": "households",
    "private households": "households", "total hh": "households", "household count": "households", "hh": "households",
    # persons
    "population": "persons", "persons": "persons", "total population": "persons", "pop": "persons",
    "individus": "persons", "personnes": "persons", "total persons": "persons",
    "persons aged 3": "persons", "population 3": "persons", "populationage 3": "persons",
    "population aged 3": "persons", "individuals": "persons", "pop totale": "persons",
    "population totale": "persons", "total individuals": "persons",
    "population 3 ans et plus": "persons", "population de 3 ans et plus": "persons",
    "personnes de 3 ans et plus": "persons", "persons aged 3 and over": "persons",
    "population aged 3 and over": "persons", "persons aged 3 years and above": "persons",
    # ambiguous: a bare "Total" (V4_T2.32: persons aged 3+); universe left to the indicators
    "total": None, "denominator": None, "denominateur": None, "base": None, "universe": None,
}
#: Words saying that a denominator column holds a count ("Households (number)").
_COUNT_WORDS = {"number", "numbers", "nb", "no", "count", "counts", "nombre", "effectif", "effectifs", "n", "of",
                "de", "total", "totals"}
#: Household assets and other columns that are not ICT indicators: ignored with a note.
_NOT_ICT = {"bicycle", "bicycles", "motor cycle", "motorcycle", "motorbike", "refrigerator",
            "fridge", "car", "cars", "truck", "lorry", "bus", "tuk tuk", "tuktuk", "analogue tv",
            "analoguetv", "velo", "moto", "voiture", "refrigerateur", "frigo", "camion",
            "truck lorry bus three wheelertruck", "boat", "canoe", "donkey", "cart", "bank account",
            "electricity", "water", "toilet"}


class ColumnMatch(NamedTuple):
    """What a column header was recognised as.

    ``kind`` is ``"percent"``, ``"share"``, ``"rate"`` (a word such as taux/rate/part: percent or
    share decided by the values) or ``None`` (no marker: decided by the values); ``breakdown`` is
    the sub-population token (``"male"``...) or ``None`` for the main column.
    """

    indicator: str | None
    kind: str | None
    breakdown: str | None


def normalise_header(text: object) -> str:
    """A column header as words: lower case, no accents, punctuation and underscores as single
    spaces, ``%`` as ``pct``, a letter followed by a digit split (``Pop3`` -> ``pop 3``).

    Not :func:`egovkit.shared.names.normalise_name` (the one normaliser of district names and
    aliases), which differs on purpose for headers: it drops apostrophes (``d'un`` -> ``dun``,
    where the header words need ``d`` and ``un`` apart to set them aside), does not read ``%``
    (the rate marker ``pct``) nor split ``Pop3``, writes ``&`` as ``and`` and ``St`` as
    ``saint``, and removes words such as ``District`` or ``Commune`` at the ends (the very words
    that say a column holds the district names).

    Examples
    --------
    >>> normalise_header("  Libellé_Commune ")
    'libelle commune'
    >>> normalise_header("Internet (%)")
    'internet pct'
    """
    text = strip_accents(str(text)).lower()
    text = text.replace("%", " pct ")
    text = re.sub(r"([a-z])([0-9])", r"\1 \2", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


#: The former name of :func:`normalise_header` (``from egovkit.read.roles import normalise_name``), kept one
#: release: it warns, as :func:`egovkit.shared.names.normalise_name` is the one normaliser of district names.
normalise_name = deprecated_alias(normalise_header, "normalise_name")


def _squash(norm: str) -> str:
    return norm.replace(" ", "")


@lru_cache(maxsize=1)
def _load_catalogue() -> pd.DataFrame:
    """The ITU catalogue (private loader: ``read`` comes before ``indicators`` in the chain)."""
    try:
        df = pd.read_csv(CATALOGUE_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as exc:  # pragma: no cover - broken installation
        raise InputError(code="read.catalogue_missing", params={}, file=str(CATALOGUE_PATH)) from exc
    return df


def catalogue() -> pd.DataFrame:
    """Name, ITU code, universe (``unit``), parent and labels of every canonical indicator.

    Examples
    --------
    >>> catalogue().set_index("name").loc["internet", ["itu_code", "unit"]].tolist()
    ['HH6', 'households']
    """
    return _load_catalogue()[["name", "itu_code", "unit", "parent", "label_en", "label_fr"]].copy()


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    cat = _load_catalogue()
    for row in cat.itertuples(index=False):
        keys = [row.name, row.label_en, row.label_fr] + [a for a in row.aliases.split("|") if a.strip()]
        for key in keys:
            norm = normalise_header(key)
            if norm:
                index.setdefault(norm, row.name)
                index.setdefault(_squash(norm), row.name)
    return index


def indicator_names() -> list[str]:
    """Canonical indicator names of the catalogue, in catalogue order."""
    return _load_catalogue()["name"].tolist()


def _lookup(norm: str) -> str | None:
    index = _alias_index()
    return index.get(norm) or index.get(_squash(norm))


def recognise_indicator(header: object) -> ColumnMatch:
    """Match a column header to a catalogue indicator, a rate marker and a breakdown.

    Parameters
    ----------
    header
        The column name as written in the file.

    Returns
    -------
    ColumnMatch
        ``indicator`` is ``None`` when no alias matches.

    Examples
    --------
    >>> recognise_indicator("UoI_Female_Perc")
    ColumnMatch(indicator='internet_use', kind='percent', breakdown='female')
    >>> recognise_indicator("Bicycle").indicator is None
    True
    >>> recognise_indicator("Hogares con computadora (%)")  # by concept (egovkit.concepts)
    ColumnMatch(indicator='computer', kind='percent', breakdown=None)
    """
    match = _recognise(normalise_header(header))
    rec = recognise_concept(header)
    if rec.ambiguous:  # "Phone", "Portable": asked, not guessed (even if a catalogue alias spells it)
        return ColumnMatch(None, match.kind, match.breakdown)
    if match.indicator is None and rec.role == "indicator" and rec.confident:
        return ColumnMatch(rec.indicator, _KIND_OF.get(rec.value_kind), rec.breakdown)
    return match


#: Value kinds of :class:`~egovkit.concepts.Recognition` as rate markers (a count is no marker).
_KIND_OF = {"percent": "percent", "share": "share", "rate": "rate"}


@lru_cache(maxsize=8192)
def _recognise(norm: str) -> ColumnMatch:
    whole = _lookup(norm)
    tokens = norm.split()
    kind = None
    if any(t in _PCT_TOKENS for t in tokens):
        kind = "percent"
    elif any(t in _SHARE_ONLY_TOKENS for t in tokens):
        kind = "share"
    elif any(t in _SHARE_TOKENS for t in tokens):
        kind = "rate"
    breakdown = next((t for t in tokens if t in _BREAKDOWN_TOKENS), None)
    universe = _universe(tokens)
    if whole is not None:
        return ColumnMatch(_in_universe(whole, universe), kind, None)
    core = [t for t in tokens if t not in _PCT_TOKENS | _SHARE_TOKENS | _TOTAL_TOKENS | _BREAKDOWN_TOKENS]
    found = _lookup(" ".join(core)) if core else None
    if found is None:
        core2 = [t for t in core if t not in _NOISE_TOKENS]
        if " ".join(core2) in _AMBIGUOUS:
            return ColumnMatch(None, kind, breakdown)
        found = _lookup(" ".join(core2)) if core2 and core2 != core else None
    if found is None:
        return ColumnMatch(None, kind, breakdown)
    return ColumnMatch(_in_universe(found, universe), kind, breakdown)


def _universe(tokens: list[str]) -> str | None:
    hh, pers = any(t in _HH_TOKENS for t in tokens), any(t in _PERSON_TOKENS for t in tokens)
    return "households" if hh and not pers else "persons" if pers and not hh else None


@lru_cache(maxsize=1)
def _units() -> dict[str, str]:
    cat = _load_catalogue()
    return dict(zip(cat["name"], cat["unit"]))


def _in_universe(indicator: str, universe: str | None) -> str:
    """The variant of ``indicator`` counting ``universe`` (``mobile_phone`` <-> ``mobile_phone_hh``,
    by the catalogue's ``_hh`` naming), or ``indicator`` when there is none."""
    units = _units()
    if universe is None or units.get(indicator) == universe:
        return indicator
    other = indicator[:-3] if indicator.endswith("_hh") else indicator + "_hh"
    return other if units.get(other) == universe else indicator


def header_universe(header: object) -> str | None:
    """``"households"`` or ``"persons"`` when the header says which it counts, else ``None``.

    Examples
    --------
    >>> header_universe("% of households with a mobile phone"), header_universe("Smartphone")
    ('households', None)
    """
    return _universe(normalise_header(header).split())


def ambiguous_indicators(header: object) -> tuple[str, ...]:
    """The indicators an ambiguous header may mean (French ``Portable``), else ``()``.

    Examples
    --------
    >>> ambiguous_indicators("Portable")
    ('mobile_phone', 'desktop_laptop')
    """
    tokens = [t for t in normalise_header(header).split()
              if t not in _PCT_TOKENS | _SHARE_TOKENS | _TOTAL_TOKENS | _BREAKDOWN_TOKENS | _NOISE_TOKENS]
    if " ".join(tokens) in _AMBIGUOUS:
        return _AMBIGUOUS[" ".join(tokens)]
    rec = recognise_concept(header)
    return rec.alternatives if rec.ambiguous else ()


def column_role(header: object) -> tuple[str, str | None] | None:
    """Role of a non-indicator column: area, code, level, parent, indicator, value, denominator.

    Returns ``(role, universe)`` where ``universe`` is only set for denominators
    (``"households"``, ``"persons"`` or ``None`` when the name does not say), or ``None``.

    Examples
    --------
    >>> column_role("Nom de la commune")
    ('area', None)
    >>> column_role("Total")
    ('denominator', None)
    >>> column_role("Nome do bairro"), column_role("Viviendas particulares")  # by concept
    (('area', None), ('denominator', 'households'))
    """
    norm = normalise_header(header)
    role = _column_role(norm)
    if role is None and _recognise(norm).indicator is None:
        rec = recognise_concept(header)
        if rec.confident and rec.role in _ROLE_OF_CONCEPT:
            return (_ROLE_OF_CONCEPT[rec.role], rec.universe if rec.role == "denominator" else None)
    return role


#: Roles of :class:`~egovkit.concepts.Recognition` as column roles (a long table's variable column
#: is its ``indicator`` column here).
_ROLE_OF_CONCEPT = {"area": "area", "code": "code", "parent": "parent", "level": "level",
                    "denominator": "denominator", "variable": "indicator", "value": "value"}


@lru_cache(maxsize=8192)
def _column_role(norm: str) -> tuple[str, str | None] | None:
    if not norm:
        return None
    dens = _squashed_denominators()
    if _squash(norm) in dens:
        return ("denominator", dens[_squash(norm)])
    # "Households (number)", "Number of\nhouseholds", "Ménages (nombre)": the unit words aside
    core = [t for t in norm.split() if t not in _COUNT_WORDS]
    if core and len(core) < len(norm.split()) and _squash(" ".join(core)) in dens:
        return ("denominator", dens[_squash(" ".join(core))])
    for role, aliases in _squashed_roles().items():
        if _squash(norm) in aliases:
            return (role, None)
    return None


@lru_cache(maxsize=1)
def _squashed_denominators() -> dict[str, str | None]:
    return {_squash(k): v for k, v in _DENOMINATOR_ALIASES.items()}


@lru_cache(maxsize=1)
def _squashed_roles() -> dict[str, frozenset[str]]:
    return {role: frozenset(_squash(a) for a in aliases) for role, aliases in _ROLE_ALIASES.items()}


def is_breakdown_only(header: object) -> bool:
    """True for headers such as ``Male`` / ``Femmes``: sub-population denominators."""
    tokens = normalise_header(header).split()
    return bool(tokens) and all(t in _BREAKDOWN_TOKENS for t in tokens)


def is_not_ict(header: object) -> bool:
    """True for household assets that are not ICT (bicycle, car, refrigerator...) and columns
    whose words say they are no indicator (income, ``area_km2``, year, margins of error).

    Examples
    --------
    >>> is_not_ict("Motor Cycle"), is_not_ict("Internet")
    (True, False)
    """
    if _squash(normalise_header(header)) in _squashed_not_ict():
        return True
    rec = recognise_concept(header)
    return rec.role == "other" and rec.confident and not rec.negated


@lru_cache(maxsize=1)
def _squashed_not_ict() -> frozenset[str]:
    return frozenset(_squash(x) for x in _NOT_ICT)

