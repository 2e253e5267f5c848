"""Column roles of census-style tables: areas, codes, levels, parents, denominators, indicators.

Recognises each column from its header (:func:`column_role`, :func:`recognise_indicator`) and
assigns the roles of a table's columns (:func:`_assign_roles`, returning a :class:`Roles`).

Column names are matched case-, accent- and punctuation-insensitively against the aliases of
the ITU catalogue (``egovkit/indicators/itu_indicators.csv``) and against short lists of common
English and French spellings for the other roles. ``read_table(columns=...)`` always wins over
what is recognised here.

Tables whose headers are a census office's variable codes (INEGI ``VPH_INTER``, ABS ``IA_Total``,
CSO ``T15_2_Y``, DANE ``STP19_INT1``) are read through the publisher codebooks of
:mod:`egovkit.read.codebooks`: the codes give the indicators, their denominator (the question's
universe) and the area columns, for every argument the user did not give, in a ``codebook`` note.
Once the roles are known, :mod:`egovkit.read.universe` checks that the denominator is the universe
of the counts (a ``denominator_universe`` warning otherwise).

Examples
--------
>>> normalise_name("DeskTop/Computer/Laptop/Tablet")
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
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..concepts import Recognition, said_universe
from ..concepts import recognise as recognise_concept
from ..errors import InputError
from ..validate import ValidationReport
from .context import _check_column, _Context
from .numbers import _as_text, _lines_text, _text

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


def normalise_name(text: object) -> str:
    """Lower case, no accents, punctuation and underscores as single spaces, ``%`` as ``pct``.

    Examples
    --------
    >>> normalise_name("  Libellé_Commune ")
    'libelle commune'
    >>> normalise_name("Internet (%)")
    'internet pct'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("%", " pct ")
    text = re.sub(r"([a-z])([0-9])", r"\1 \2", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _squash(norm: str) -> str:
    return norm.replace(" ", "")


@lru_cache(maxsize=1)
def _load_catalogue() -> pd.DataFrame:
    """The ITU catalogue (private loader: ``read`` comes before ``indicators`` in the chain)."""
    try:
        df = pd.read_csv(CATALOGUE_PATH, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as exc:  # pragma: no cover - broken installation
        raise InputError("the ITU indicator catalogue is missing", file=str(CATALOGUE_PATH),
                         fix="reinstall egovkit") from exc
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
            norm = normalise_name(key)
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
    match = _recognise(normalise_name(header))
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
    return _universe(normalise_name(header).split())


def ambiguous_indicators(header: object) -> tuple[str, ...]:
    """The indicators an ambiguous header may mean (French ``Portable``), else ``()``.

    Examples
    --------
    >>> ambiguous_indicators("Portable")
    ('mobile_phone', 'desktop_laptop')
    """
    tokens = [t for t in normalise_name(header).split()
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
    norm = normalise_name(header)
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
    tokens = normalise_name(header).split()
    return bool(tokens) and all(t in _BREAKDOWN_TOKENS for t in tokens)


def is_not_ict(header: object) -> bool:
    """True for household assets that are not ICT (bicycle, car, refrigerator...) and columns
    whose words say they are no indicator (income, ``area_km2``, year, margins of error).

    Examples
    --------
    >>> is_not_ict("Motor Cycle"), is_not_ict("Internet")
    (True, False)
    """
    if _squash(normalise_name(header)) in _squashed_not_ict():
        return True
    rec = recognise_concept(header)
    return rec.role == "other" and rec.confident and not rec.negated


@lru_cache(maxsize=1)
def _squashed_not_ict() -> frozenset[str]:
    return frozenset(_squash(x) for x in _NOT_ICT)


# ----------------------------------------------------------------------------------------------
# the roles of a table's columns
# ----------------------------------------------------------------------------------------------
@dataclass
class Roles:
    """Which column of a table plays which role (built by :func:`_assign_roles`).

    ``denominators``: (column, universe or None); ``den_map``: explicit ``{indicator: column}``;
    ``indicator_columns`` (wide layout): (column, indicator, rate marker); ``indicator_column`` and
    ``value_column`` (long layout); ``numeric_columns``: the denominators then the value columns.

    Examples
    --------
    >>> Roles(layout="wide", area="district").denominators
    []
    """

    layout: str
    area: str
    code: str | None = None
    parent: str | None = None
    level: str | None = None
    denominators: list[tuple[str, str | None]] = field(default_factory=list)
    den_map: dict[str, str] = field(default_factory=dict)
    indicator_columns: list[tuple[str, str, str | None]] = field(default_factory=list)
    indicator_column: str | None = None
    value_column: str | None = None
    numeric_columns: list[str] = field(default_factory=list)


def _looks_numeric(col: pd.Series) -> bool:
    """At least half of the filled cells (of the first 5,000) read as numbers."""
    text, nums = _as_text(col.iloc[:5000])
    if text is None:
        return True
    cleaned = text.str.replace(r"[\s\u00a0\u202f%]", "", regex=True).str.replace(",", ".", regex=False)
    ok = pd.to_numeric(cleaned, errors="coerce").notna().to_numpy().copy()
    filled = (text.str.strip() != "").to_numpy().copy()
    if nums is not None:
        ok |= ~np.isnan(nums)
        filled |= ~np.isnan(nums)
    return bool(filled.any()) and ok[filled].mean() >= 0.5


def _assign_roles(ctx: _Context, *, area, code, level, parent, denominator, universe, columns, layout) -> Roles:  # noqa: C901 (reading decisions in one place; split in issue 11 part 3)
    """The role of every column of ``ctx.raw`` (the arguments of ``read_table`` win), each inference
    reported; an :class:`~egovkit.errors.InputError` when no area or indicator column is found."""
    raw, report, name = ctx.raw, ctx.report, ctx.name
    for col, arg in ((area, "area"), (code, "code"), (level, "level"), (parent, "parent")):
        _check_column(ctx, col, arg)
    columns = dict(columns or {})
    valid = set(indicator_names()) | {"ignore"}
    for col, ind in columns.items():
        if ind not in valid:
            raise InputError(f"{ind!r} is not a catalogue indicator", file=name, column=col,
                             fix=f"map it to one of {sorted(valid - {'ignore'})} or 'ignore'")
        if layout == "wide":
            _check_column(ctx, col, "columns")
    den_map: dict[str, str] = {}
    if isinstance(denominator, dict):
        den_map = dict(denominator)
        for col in den_map.values():
            _check_column(ctx, col, "denominator")
    elif denominator is not None:
        _check_column(ctx, denominator, "denominator")

    # publisher codebooks (INEGI VPH_INTER, ABS IA_Total, CSO T15_2_Y...): they fill in only what was not given
    area0, code0, parent0 = area, code, parent
    book = _codebook_roles(ctx, area=area, code=code, parent=parent, denominator=denominator, universe=universe,
                           columns=columns, layout=layout)
    if book is not None:
        area, code, parent = book["area"], book["code"], book["parent"]
        denominator, universe, columns, den_map = book["denominator"], book["universe"], book["columns"], \
            book["den_map"]
    book_other: set[str] = set(book["other"]) if book is not None else set()
    hint = {c for c in (area0, code0, parent0) if c is not None}

    explicit = {area, code, level, parent} | ({denominator} if isinstance(denominator, str) else set()) \
        | set(den_map.values())
    given = {c: a for c, a in ((area, "area"), (code, "code"), (level, "level"), (parent, "parent"))
             if c is not None}
    given.update({c: "denominator" for c in explicit - set(given) if c is not None})
    by_role: dict[str, list[str]] = {r: [] for r in ("area", "code", "level", "parent", "indicator", "value")}
    dens: list[tuple[str, str | None]] = []
    ind_cols: list[tuple[str, str, str | None]] = []  # (column, indicator, kind)
    breakdowns, not_ict, unknown_num, ignored_text, ignored = [], [], [], [], []
    unrelated: list[Recognition] = []  # income, area_km2, "without internet"...: notes, not warnings
    uncertain: list[Recognition] = []  # one candidate indicator, too few words understood
    recognitions: list[Recognition] = []
    for col in raw.columns:
        rec = recognise_concept(col)
        if col in explicit:
            recognitions.append(_as_given(rec, given[col], f"given as {given[col]}="))
            continue
        if col in book_other and col not in columns:
            recognitions.append(replace(rec, role="other", indicator=None, confidence=0.9, alternatives=(),
                                        reason=f"a code of {book['match'].codebook.product} that is not read"))
            continue
        match = recognise_indicator(col)
        if col in columns and layout != "long":
            if columns[col] == "ignore":
                ignored.append(col)
                recognitions.append(_as_given(rec, "other", "ignored as asked (columns=)"))
            else:
                ind_cols.append((col, columns[col], match.kind))
                recognitions.append(_as_given(rec, "indicator", "given by columns=", indicator=columns[col]))
            continue
        role = column_role(col)
        if role is not None and role[0] == "denominator" and _concept_only(col) and not _looks_numeric(raw[col]):
            role = None  # words of a universe over text cells ("Situação do domicílio"): not a denominator
        if role is not None:
            recognitions.append(_agreed(rec, {"indicator": "variable"}.get(role[0], role[0]), universe=role[1]))
            if role[0] == "denominator":
                dens.append((col, role[1]))
            else:
                by_role[role[0]].append(col)
            continue
        if match.indicator is not None:
            recognitions.append(_agreed(rec, "indicator", indicator=match.indicator))
            if match.breakdown is not None:
                breakdowns.append(col)
            else:
                ind_cols.append((col, match.indicator, match.kind))
                said = header_universe(col)
                unit = catalogue().set_index("name").loc[match.indicator, "unit"]
                if said is not None and said != unit:  # no variant of this device in that universe
                    report.add("warning", "universe_mismatch", f"column {col!r} speaks of {said} but indicator "
                               f"{match.indicator!r} counts {unit}: read as {unit}", column=col, action="inferred",
                               fix=f"check what the column counts; map it with columns={{{col!r}: '<indicator>'}} "
                                   "or 'ignore'")
        elif ambiguous_indicators(col):
            options = ambiguous_indicators(col)
            recognitions.append(rec)
            why = rec.reason.split(": ")[0] if rec.ambiguous else \
                "French 'portable': téléphone portable or ordinateur portable"
            report.add("warning", "ambiguous_column", f"column {col!r} may mean {' or '.join(map(repr, options))} "
                       f"({why}): ignored rather than guessed",
                       column=col, action="ignored",
                       fix=f"say which with columns={{{col!r}: {options[0]!r}}} (or "
                           f"{', '.join(map(repr, options[1:]))})")
        elif is_breakdown_only(col):
            recognitions.append(rec)
            breakdowns.append(col)
        elif _squash(normalise_name(col)) in _squashed_not_ict():
            recognitions.append(rec)
            not_ict.append(col)
        elif rec.confidence >= 0.5 and (rec.role == "other" and rec.confidence > 0 or rec.role == "coordinate"):
            recognitions.append(rec)
            unrelated.append(rec)
        elif book is not None:  # another code of a recognised product: one note (below), no cell read
            recognitions.append(rec)
            book_other.add(col)
        elif rec.role == "indicator" and rec.indicator is not None and _looks_numeric(raw[col]):
            recognitions.append(rec)
            uncertain.append(rec)
        elif _looks_numeric(raw[col]):
            recognitions.append(rec)
            unknown_num.append(col)
        else:
            recognitions.append(rec)
            ignored_text.append(col)
    supplied: set[str] = set()
    if book is not None:  # what the codebook filled in is not "given": say where it comes from
        supplied = {c for c in (book["area"], book["code"], book["parent"]) if c is not None and c not in hint} | \
            set(book["supplied_columns"]) | set(book["supplied_denominators"])
        why = f"codebook {book['match'].codebook.product} ({book['match'].codebook.source_file})"
        recognitions[:] = [replace(r, reason=f"{r.role} {r.indicator or ''} by the {why}".replace("  ", " "))
                           if r.column in supplied else r for r in recognitions]
    report.recognitions = recognitions
    by_concept = [r for r in recognitions if r.confident and r.role in ("indicator", "area", "code", "denominator")
                  and _concept_only(r.column) and r.column not in supplied]
    if by_concept:
        report.add("info", "recognised_columns", "recognised by what their headers say: " + "; ".join(
            f"{r.column!r} -> {r.indicator or r.role} ({r.confidence:.2f})" for r in by_concept), action="inferred",
            fix="see report.recognitions for the reasons; correct one with columns={'<header>': '<indicator>'} "
                "(or area=, code=, denominator=)")

    # a long table whose values sit in a column named like a bare total ("Total" beside "Urban",
    # "Rural"; "total" beside "household goods"): that column is the value column, not a denominator
    if layout in (None, "long") and not ind_cols and by_role["indicator"] and not by_role["value"]:
        bare = [c for c, u in dens if u is None and recognise_concept(c).role == "denominator"
                and recognise_concept(c).universe is None and _looks_numeric(raw[c])]
        if bare:
            by_role["value"].append(bare[0])
            dens = [(c, u) for c, u in dens if c != bare[0]]
            recognitions[:] = [replace(r, role="value", reason=f"the value column of a long table (a bare total "
                                       f"beside the indicator column {by_role['indicator'][0]!r})")
                               if r.column == bare[0] else r for r in recognitions]

    # layout
    if layout is None:
        layout = "wide" if ind_cols or not (by_role["indicator"] and by_role["value"]) else "long"
        if layout == "long":
            report.add("info", "layout", f"long layout inferred: indicator column {by_role['indicator'][0]!r}, "
                       f"value column {by_role['value'][0]!r}", action="inferred", fix="pass layout='wide' if not")
    roles: dict = {"layout": layout}

    # area, code, parent
    names = by_role["area"]
    if area is None:
        if not names:
            if code is None and by_role["code"]:
                area = by_role["code"][0]
                report.add("warning", "area_column", f"no area-name column found; the codes of column {area!r} "
                           "are used as names", column=area, action="inferred", fix="pass area='<column>'")
            else:
                raise InputError(f"no area-name column recognised among {list(raw.columns)}", file=name,
                                 fix="pass area='<column with the district names>'")
        else:
            nun = {c: raw[c].nunique() for c in names}
            area = max(names, key=lambda c: (nun[c], -names.index(c)))
            if len(names) > 1:
                report.add("info", "area_column", f"area column: {area!r} (most distinct names among {names})",
                           column=area, action="inferred", fix="pass area= to choose another")
    if parent is None:  # a coarser name column (fewer distinct names) is the parent
        n_area = raw[area].nunique()
        others = [c for c in names if c != area and raw[c].nunique() < n_area] + \
            [c for c in by_role["parent"] if c != area]
        if others:
            parent = min(others, key=lambda c: raw[c].nunique())
            report.add("info", "parent_column", f"parent column: {parent!r}", column=parent, action="inferred",
                       fix="pass parent= to choose another")
    if code is None and by_role["code"]:
        code = by_role["code"][0]
    if level is None and by_role["level"]:
        level = by_role["level"][0]
    roles.update(area=area, code=code, parent=parent, level=level)

    # denominators
    if isinstance(denominator, str):
        dens = [(denominator, universe)]
    elif den_map:
        dens = [(c, universe) for c in dict.fromkeys(den_map.values())]
    elif universe is not None and len(dens) == 1:
        dens = [(dens[0][0], universe)]
    roles["denominators"] = dens
    roles["den_map"] = den_map

    if layout == "wide":
        acs = [c for c in raw.columns if re.match(r"S2801_C0\d_\d{3}", str(c))]
        # the second header row of an ACS download ("Estimate!!Total!!..."), found as the header
        # because its words are recognised: the same file
        acs_labels = [c for c in raw.columns if re.match(r"(Estimate|Margin of Error)!!", str(c))]
        if len(acs_labels) >= 4 and any("percent" in str(c).lower() for c in acs_labels) and \
                any(str(c).startswith("Margin of Error!!") for c in acs_labels):
            ind_cols = []
        if not ind_cols and (acs or acs_labels):
            such = f"{len(acs)} columns such as {acs[0]!r}" if acs else \
                f"codes such as 'S2801_C01_001E' above labels such as {acs_labels[0]!r}"
            raise InputError(f"this is a raw ACS S2801 download ({such}): its "
                             "estimate, margin-of-error and percent columns need their own reader", file=name,
                             fix="read it with egovkit.read_acs_s2801(path) (optionally with the "
                                 "'..._metadata.csv' file), which returns the same kind of table")
        if not ind_cols:
            cat = catalogue()
            asked = [r for r in recognitions if r.role == "indicator" and not r.confident
                     and (r.alternatives or r.indicator)]
            if asked:  # ambiguous or uncertain headers: say which, with the mapping that reads them
                raise InputError(
                    f"no ICT indicator column recognised with confidence among {list(raw.columns)}; "
                    + "; ".join(f"{r.column!r} may be {' or '.join(map(repr, r.alternatives or (r.indicator,)))}"
                                for r in asked), file=name,
                    fix="say which with columns={" + ", ".join(
                        f"{r.column!r}: {(r.alternatives or (r.indicator,))[0]!r}" for r in asked) + "}")
            raise InputError(
                f"no ICT indicator column recognised among {list(raw.columns)}", file=name,
                fix="name the columns with the catalogue names " + ", ".join(cat["name"]) +
                    " (or words such as 'Households with internet (%)', 'Hogares con computadora', "
                    "'Domicílios com acesso à Internet'), or map them explicitly, e.g. "
                    "read_table(path, columns={'Internet access': 'internet'})")
        roles["indicator_columns"] = ind_cols
        for role_name in ("indicator", "value"):
            unknown_num += [c for c in by_role[role_name] if _looks_numeric(raw[c])]
    else:
        ind_col = by_role["indicator"][0] if by_role["indicator"] else None
        val_col = by_role["value"][0] if by_role["value"] else None
        if ind_col is None or val_col is None:
            raise InputError(f"long layout needs an indicator column and a value column; found {list(raw.columns)}",
                             file=name, fix="name them 'indicator' and 'value', or pass layout='wide'")
        roles["indicator_column"], roles["value_column"] = ind_col, val_col
        ignored_text += [c for c, _, _ in ind_cols]
        if not dens:
            dens = _denominator_rows(ctx, area=area, code=code, parent=parent, ind_col=ind_col, val_col=val_col)
            roles["denominators"] = dens

    if breakdowns:
        report.add("info", "breakdown_columns", f"sub-population columns ignored (only totals are read): "
                   f"{breakdowns}", action="ignored",
                   fix="map one explicitly with columns={'<column>': '<indicator>'} to read it instead")
    if not_ict:
        report.add("info", "not_ict", f"not an ICT indicator: ignored: {not_ict}", action="ignored")
    for r in unrelated:
        report.add("info", "unrelated_column", f"column {r.column!r} is not read: {r.reason.split(': ')[0]}",
                   column=r.column, action="ignored",
                   fix=f"if it is an indicator, map it with columns={{{r.column!r}: '<indicator>'}}")
    for r in uncertain:
        report.add("warning", "uncertain_column", f"numeric column {r.column!r} may be {r.indicator!r} "
                   f"(confidence {r.confidence:.2f}: {r.reason}): ignored rather than guessed", column=r.column,
                   action="ignored", fix=f"if it is, say so with columns={{{r.column!r}: {r.indicator!r}}}")
    if book is not None and unknown_num:  # the product's other codes: one note, not a warning each
        book_other |= set(unknown_num)
        unknown_num = []
    if book_other:
        shown = sorted(book_other, key=list(raw.columns).index)
        report.add("info", "codebook_other_columns", f"{len(shown)} other column(s) of "
                   f"{book['match'].codebook.product} are not ICT indicators of its codebook: not read "
                   f"({', '.join(map(str, shown[:12]))}{'...' if len(shown) > 12 else ''})", action="ignored",
                   fix="map one with columns={'<code>': '<indicator>'} to read it")
    for col in unknown_num:
        report.add("warning", "unknown_column", f"numeric column {col!r} is not a recognised indicator: ignored",
                   column=col, action="ignored",
                   fix=f"map it with columns={{{col!r}: '<indicator>'}}; indicators: {', '.join(indicator_names())}")
    if ignored_text:
        report.add("info", "ignored_columns", f"columns not used: {ignored_text}", action="ignored")
    if ignored:
        report.add("info", "ignored_columns", f"columns ignored as asked: {ignored}", action="ignored")

    if layout == "wide" and not den_map:
        probe = Roles(layout=layout, area=area, denominators=dens)
        ind_cols = [(c, variant_for_denominators(i, c, probe, report, c) if c not in columns else i, k)
                    for c, i, k in ind_cols]
        roles["indicator_columns"] = ind_cols
    numeric = [c for c, _ in dens]
    numeric += [c for c, _, _ in ind_cols] if layout == "wide" else [roles["value_column"]]
    roles["numeric_columns"] = numeric
    if layout == "wide":  # is the denominator the universe of the counts? (a warning, nothing changed)
        from .universe import check_denominator_universe
        check_denominator_universe(raw, roles["denominators"], [i for _, i, _ in roles["indicator_columns"]], report,
                                   den_map=den_map)
    return Roles(**roles)


def _codebook_roles(ctx: _Context, *, area, code, parent, denominator, universe, columns, layout) -> dict | None:
    """The arguments a publisher codebook gives a table of coded headers (the user's win), reported;
    ``None`` when no codebook matches (see :mod:`egovkit.read.codebooks`)."""
    if layout == "long":
        return None
    from .codebooks import match_codebook
    from .levels import total_kind

    raw = ctx.raw

    def names_of(col: str) -> list[str]:
        vals = pd.unique(_text(raw[col]).str.strip())
        return [v for v in vals if v and total_kind(v) is None]

    m = match_codebook(list(raw.columns), names_of=names_of)
    if m is None:
        return None
    cb, given = m.codebook, []
    out: dict = {"match": m, "area": area, "code": code, "parent": parent, "denominator": denominator,
                 "universe": universe, "den_map": dict(denominator) if isinstance(denominator, dict) else {}}
    if area is None:
        out["area"] = m.area
        if code is None and m.code not in (None, m.area):
            out["code"] = m.code
        if parent is None and m.parent not in (None, m.area):
            out["parent"] = m.parent
    else:
        given.append("area=")
    cols = dict(columns)
    mine = {h: i for h, i in m.columns.items() if h not in cols and i not in cols.values()}
    if len(mine) < len(m.columns):
        given.append("columns=")
    cols = {**mine, **cols}
    out["columns"] = cols
    if denominator is None:
        read = {i: d for i, d in m.den_map.items() if i in mine.values()}
        dens = set(read.values())
        if len(dens) == 1:
            out["denominator"] = next(iter(dens))
        elif dens:
            out["denominator"] = read
            out["den_map"] = dict(read)
        unis = {m.denominators[d] for d in dens}
        if universe is None and len(unis) == 1:
            out["universe"] = next(iter(unis))
    else:
        given.append("denominator=")
    out["supplied_columns"] = list(mine)
    out["supplied_denominators"] = [] if denominator is not None else list(set(m.den_map[i] for i in mine.values()))
    out["other"] = [h for h in m.codes if h not in cols and h not in m.denominators
                    and h not in (out["area"], out["code"], out["parent"])]
    ctx.report.add("info", "codebook", m.describe() + f" (codebook {cb.source_file})"
                   + (f"; {', '.join(given)} given: yours used" if given else ""), action="inferred",
                   fix="pass columns=, denominator=, area= to read them otherwise (command line: --columns, "
                       "--denominator, --area)")
    return out


def variant_for_denominators(indicator: str, header: object, roles: Roles, report: ValidationReport | None = None,
                             column: str | None = None) -> str:
    """The variant of ``indicator`` counting the universe of the table's denominators, when the
    header does not say which universe it counts and every denominator counts the other one
    (``Cell phone`` in a table of households: ``mobile_phone_hh``, not ``mobile_phone``).

    Examples
    --------
    >>> variant_for_denominators("mobile_phone", "Cell phone",
    ...                          Roles(layout="long", area="a", denominators=[("hh", "households")]))
    'mobile_phone_hh'
    """
    units = _units()
    unis = {u for _, u in roles.denominators}
    if indicator in roles.den_map or len(unis) != 1 or None in unis or units.get(indicator) in unis:
        return indicator
    if header_universe(header) is not None or said_universe(header) is not None:
        return indicator
    other = _in_universe(indicator, next(iter(unis)))
    if other != indicator and report is not None:
        report.add("info", "universe_from_denominator", f"{header!r} does not say whether it counts households or "
                   f"persons; the table's denominators count {next(iter(unis))}: read as {other!r} "
                   f"(not {indicator!r})", column=column, action="inferred",
                   fix=f"map it with columns={{{str(header)!r}: {indicator!r}}} if it counts "
                       f"{units.get(indicator)}")
    return other


def _as_given(rec: Recognition, role: str, reason: str, indicator: str | None = None) -> Recognition:
    """The recognition of a column whose role the user gave (confidence 1)."""
    return replace(rec, role=role, indicator=indicator, confidence=1.0, reason=reason, alternatives=())


def _agreed(rec: Recognition, role: str, indicator: str | None = None, universe: str | None = None) -> Recognition:
    """The recognition of a column read by the catalogue's spellings: the concept's own when it
    agrees, else the catalogue's (with the concept's reading as the reason's second half)."""
    if rec.role == role and rec.indicator == indicator and rec.confident:
        return rec
    what = f"{role} {indicator!r}" if indicator else role
    return replace(rec, role=role, indicator=indicator, universe=universe or rec.universe, confidence=0.95,
                   alternatives=(), reason=f"{what}: a spelling of the egovkit catalogue"
                   + (f" (by its words: {rec.reason})" if rec.reason else ""))


@lru_cache(maxsize=8192)
def _concept_only(header: str) -> bool:
    """True when only the concepts (not the catalogue's spellings) recognise ``header``."""
    norm = normalise_name(header)
    return _recognise(norm).indicator is None and _column_role(norm) is None


def _denominator_rows(ctx: _Context, *, area: str, code: str | None, parent: str | None, ind_col: str,
                      val_col: str) -> list[tuple[str, str | None]]:
    """Long tables giving the denominator as rows (``A,households,1000``): one denominator column
    per such label, each row holding the value of its area's denominator row (same code, else
    same parent and name). Returns the new columns with their universes."""
    raw, report = ctx.raw, ctx.report
    labels = _text(raw[ind_col]).str.strip()
    role_of = {lab: column_role(lab) for lab in pd.unique(labels)}
    den_labels = [lab for lab, r in role_of.items() if r is not None and r[0] == "denominator"]
    if not den_labels:
        return []
    key = _norm_series(raw[area])
    if parent is not None:
        key = _norm_series(raw[parent]) + "\x1f" + key
    if code is not None:
        codes = _text(raw[code]).str.strip()
        key = codes.where(codes != "", key)
    values = _text(raw[val_col]).str.strip()
    lines = np.asarray(ctx.lines)
    out = []
    for lab in den_labels:
        is_den = (labels == lab).to_numpy()
        den_idx = np.flatnonzero(is_den)
        k, v = key[is_den].to_numpy(dtype=object), values[is_den].to_numpy(dtype=object)
        first = ~pd.Series(k).duplicated().to_numpy()
        lut = dict(zip(k[first], v[first]))
        # each later row against its key's first row, all at once (no pass over all rows per key)
        first_line_of = dict(zip(k[first], lines[den_idx[first]]))
        later = np.flatnonzero(~first)
        differs = later[v[later] != pd.Series(k[later]).map(lut).to_numpy(dtype=object)]
        for i in differs:
            j = int(den_idx[i])
            report.add("warning", "duplicate_denominator", f"a second {lab!r} row for this area ({v[i]!r}; "
                       f"row {int(first_line_of[k[i]])} gives {lut[k[i]]!r}): the first is used", row=int(lines[j]),
                       column=val_col, area=str(raw[area].iat[j]), action="ignored",
                       fix="keep one denominator row per area")
        col = lab if lab not in raw.columns else f"{lab} (rows)"
        raw[col] = key.map(lut).fillna("").astype(str)
        ctx.den_rows |= is_den
        where = lines[is_den]
        out.append((col, role_of[lab][1]))
        report.add("info", "denominator_rows", f"{int(is_den.sum())} row(s) labelled {lab!r} in column {ind_col!r} "
                   f"give the denominator of their area (rows {_lines_text(where)}): used as the denominator column "
                   f"{col!r} of the other rows of the same area", row=int(where[0]), column=ind_col, action="used",
                   fix="pass denominator= with a column of your own to use another")
    return out


def _norm_series(s: pd.Series) -> pd.Series:
    """Area names as keys: lower case, no accents, punctuation as single spaces.

    Computed once per distinct name (long tables repeat names); vectorised for ASCII names,
    :func:`normalise_name` (without its ``%``/digit splitting, which is for column headers) for
    the others."""
    codes, uniques = pd.factorize(_text(s))
    txt = pd.Series(uniques, dtype=str)
    out = txt.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    ascii_ = txt.str.isascii().to_numpy()
    if not ascii_.all():
        rest = txt[~ascii_]
        lut = {u: re.sub(r"[^a-z0-9]+", " ", normalise_name(u.replace("%", " "))).strip() for u in rest}
        out = out.where(ascii_, rest.map(lut))
    return pd.Series(out.to_numpy(dtype=object)[codes], index=s.index, dtype=str)
