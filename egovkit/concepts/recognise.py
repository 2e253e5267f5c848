"""Recognise what a column header says: role, indicator, universe, value kind, with a reason.

A header is split into words (:func:`~egovkit.concepts.catalogue.tokenize`), the longest phrases
of the word catalogues are matched left to right, the language most of them belong to settles
words that mean different things in different languages (``nombre``: number in French, name in
Spanish), and a few rules turn the matched concepts into a :class:`Recognition`:

* a device/service concept (internet, computer...) makes an indicator; its universe word
  (households / persons, or a "using" word) picks the catalogue variant; a concept with one of its
  children means the child (``broadband internet``), siblings or an ``or`` mean the parent
  (``fixed or mobile telephone``); two unrelated concepts, or a bare word of several meanings
  (``phone``, French ``portable``), are ambiguous: low confidence and the candidates, never a guess;
* a negation (``without``, ``sans``, ``sin``, ``sem``) makes the complement: a column that is not
  read, its alternatives naming the catalogue's complement indicator when there is one (``no_computer``);
* precision, money, speed, surface, density, income and ethnicity words make an ``other`` column
  (``Internet MOE``, ``area_km2``, ``population density``), as do household assets that are not ICT;
* otherwise coordinates, codes, long-table variable/value columns, area names and denominators.

Confidence is 0-1: the rule's own certainty times the part of the header's words understood.

Examples
--------
>>> r = recognise("Households with access to the Internet (%)")
>>> r.role, r.indicator, r.universe, r.value_kind, r.confidence >= 0.9
('indicator', 'internet', 'households', 'percent', True)
>>> recognise("Hogares con computadora").indicator
'computer'
>>> recognise("Phone").alternatives
('telephone', 'mobile_phone')
>>> recognise("Nom de la commune").role, recognise("wgs84_x").axis
('area', 'x')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ..shared.messages import JoinedPhrase, Phrase, has_message, render, said_in
from .catalogue import Entry, concepts, index, language_names, tokenize

#: Below this confidence a recognition is not used without the user's word.
CONFIDENT = 0.6
ROLES = ("indicator", "area", "code", "parent", "level", "denominator", "coordinate", "variable", "value", "other")
#: ``other`` concepts that stop a column from being an indicator even when it names a device.
_STRONG_OTHER = {"precision", "money", "speed", "surface", "density", "income", "ethnicity", "per_capita", "network"}
_KIND_ORDER = ("percent", "share", "rate", "count")
#: ``other`` concepts said in a reason (message ``concepts.other_<concept>``: "a date or period"...).
_OTHER_SAID = {"per_capita", "network", "precision", "money", "speed", "surface", "density", "income", "ethnicity",
               "time", "row_id", "education", "dimension"}


def _say(code: str, **params: object) -> str:
    """A part of a reason: message ``concepts.<code>`` in English (the reason's canonical text, which the
    readers match), a :class:`~egovkit.shared.messages.Phrase` said again in the user's language."""
    return render(f"concepts.{code}", params, lang="en")


def _other_text(concept: str) -> str:
    """An ``other`` concept said ("a date or period"), or its name."""
    return _say(f"other_{concept}") if concept in _OTHER_SAID else concept


def _kind_text(kind: str) -> str:
    """A value kind said ("percent (0-100)")."""
    return _say(f"kind_{kind}")


@lru_cache(maxsize=1)
def _restrictive() -> frozenset[str]:
    """Breakdown words that are not persons (``only``, ``both``...): ``concepts.yaml`` ``restrictive``."""
    return frozenset(" ".join(tokenize(w)) for w in concepts().get("restrictive") or ())


@dataclass(frozen=True)
class Recognition:
    """What a column header was recognised as, how sure, and why.

    ``role`` is one of ``indicator``, ``area``, ``code``, ``parent``, ``level``, ``denominator``,
    ``coordinate``, ``variable`` (the indicator-name column of a long table), ``value`` (its value
    column) or ``other``. ``indicator`` is an egovkit catalogue name (``None`` when ambiguous:
    ``alternatives`` lists the candidates). ``value_kind`` is ``count``, ``percent`` (0-100),
    ``share`` (0-1), ``rate`` (percent or share, the values decide) or ``None``.
    ``universe`` is ``households`` or ``persons`` (indicators and denominators). ``axis`` is ``x``
    or ``y`` for coordinates; ``breakdown`` the sub-population word (``female``); ``negated`` tells
    a "without ..." column.
    """

    column: str
    role: str
    indicator: str | None = None
    universe: str | None = None
    value_kind: str | None = None
    confidence: float = 0.0
    reason: str = ""
    alternatives: tuple[str, ...] = ()
    language: str | None = None
    axis: str | None = None
    breakdown: str | None = None
    negated: bool = False

    @property
    def confident(self) -> bool:
        """True when the recognition may be used without asking (confidence >= :data:`CONFIDENT`)."""
        return self.confidence >= CONFIDENT and not (self.role == "indicator" and self.indicator is None)

    @property
    def ambiguous(self) -> bool:
        """True when several indicators are plausible: the user must choose (``columns=``)."""
        return self.role == "indicator" and self.indicator is None and len(self.alternatives) > 1

    def fix(self, lang: str | None = None) -> str:
        """How to say what the column is, in Python (the CLI spells it ``--columns "header=indicator"``),
        in ``lang`` (default :data:`egovkit.settings.language`).

        Examples
        --------
        >>> recognise("Phone").fix("en")
        "columns={'Phone': 'telephone'} (or 'mobile_phone')"
        >>> recognise("Phone").fix("fr")
        "columns={'Phone': 'telephone'} (ou 'mobile_phone')"
        """
        first = self.alternatives[0] if self.alternatives else (self.indicator or "<indicator>")
        rest = [a for a in self.alternatives[1:]]
        more = render("concepts.or_others", {"others": ", ".join(map(repr, rest))}, lang=lang) if rest else ""
        return f"columns={{{self.column!r}: {first!r}}}{more}"

    @property
    def head(self) -> str:
        """The reason without the words matched ("a code column"), said again in the user's language
        when it fills a message.

        >>> recognise("GeoCode").head
        'a code column'
        """
        reason = self.reason
        if isinstance(reason, Phrase) and isinstance(reason.params.get("head"), str):
            return reason.params["head"]
        return reason.split(": ")[0]

    def reason_text(self, lang: str | None = None) -> str:
        """Why, in ``lang`` (default :data:`egovkit.settings.language`); ``reason`` is the English text.

        >>> r = recognise("Value")
        >>> r.reason_text("en") == r.reason, r.reason_text("fr")
        (True, "la colonne des valeurs d'un tableau long : 'value' = value (anglais)")
        """
        return said_in(self.reason, lang)

    def __str__(self) -> str:
        what = self.role if self.indicator is None else f"{self.role} {self.indicator!r}"
        return f"{self.column!r}: {what} ({self.confidence:.2f}) - {self.reason_text()}"


@dataclass
class _Span:
    start: int
    stop: int
    text: str
    entries: list[Entry] = field(default_factory=list)
    quality: dict[Entry, int] = field(default_factory=dict)  # 3 exact, 2 plural, 1 stem

    def has(self, category: str) -> bool:
        return any(e.category == category for e in self.entries)

    def concepts(self, category: str) -> list[str]:
        return list(dict.fromkeys(e.concept for e in self.entries if e.category == category and e.concept))

    @property
    def languages(self) -> set[str]:
        return {e.language for e in self.entries}


def _word_quality(pattern: str, stem: bool, token: str) -> int:
    """3 exact, 2 plural of the word, 1 stem, 0 no match."""
    if token == pattern:
        return 3
    if stem:
        return 1 if token.startswith(pattern) else 0
    if len(token) > 3 and ((token[-1] == "s" and token[:-1] == pattern)
                           or (token.endswith("es") and token[:-2] == pattern)):
        return 2
    return 0


def _match(tokens: list[str], langs: frozenset[str] | None = None) -> tuple[list[_Span], list[int]]:
    """Longest catalogue phrases left to right; returns the spans and the positions not understood.

    ``langs``: when given, phrases of several words count only in these languages (an English
    header "Telephone Mobile Phone" is not the French phrase "téléphone mobile")."""
    by_first, stem_first = index()
    spans, unknown = [], []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        cands = list(by_first.get(tok, ()))
        if len(tok) > 3 and tok.endswith("s"):
            cands += by_first.get(tok[:-1], [])
            if tok.endswith("es"):
                cands += by_first.get(tok[:-2], [])
        cands += [e for e in stem_first if tok.startswith(e.words[0])]
        best: list[tuple[int, int, Entry]] = []
        for e in cands:
            n = len(e.words)
            if i + n > len(tokens) or (langs and n > 1 and e.language not in langs):
                continue
            q = min(_word_quality(w, s, t) for w, s, t in zip(e.words, e.stems, tokens[i:i + n]))
            if q:
                best.append((n, q, e))
        if not best:
            if not tok.isdigit() and tok != "/":
                unknown.append(i)
            i += 1
            continue
        n = max(b[0] for b in best)
        quality: dict[Entry, int] = {}
        for ln, qq, e in best:
            if ln == n:
                quality[e] = max(qq, quality.get(e, 0))
        spans.append(_Span(i, i + n, " ".join(tokens[i:i + n]), list(quality), quality))
        i += n
    return spans, unknown


def _settle_languages(spans: list[_Span]) -> list[str]:
    """Keep, for words of several meanings, the meaning of the header's main language(s).

    Returns the main languages (most spans), best first."""
    votes: Counter[str] = Counter()
    for s in spans:
        langs = s.languages
        if len(langs) < len(language_names()):  # a word of every language says nothing
            votes.update(langs)
    if not votes:
        main: list[str] = []
    else:
        top = max(votes.values())
        main = sorted((lang for lang, v in votes.items() if v == top), key=lambda x: list(language_names()).index(x))
    for s in spans:
        meanings = {(e.category, e.concept) for e in s.entries}
        if len(meanings) < 2:
            continue
        mine = [e for e in s.entries if e.language in main]
        if mine and len({(e.category, e.concept) for e in mine}) < len(meanings):
            s.entries = mine
            meanings = {(e.category, e.concept) for e in mine}
        if len(meanings) > 1:  # still several: the exact word beats a plural or a stem
            q = max(s.quality[e] for e in s.entries)
            s.entries = [e for e in s.entries if s.quality[e] == q]
        if len({(e.category, e.concept) for e in s.entries}) > 1:  # a meaning beats a filler word
            meaningful = [e for e in s.entries if e.category != "filler"]
            if meaningful:
                s.entries = meaningful
    return main


def _describe(s: _Span) -> str:
    """A span of the header and what it means: ``'ordinateur' = device computer (French)``."""
    cats = list(dict.fromkeys((e.category, e.concept) for e in s.entries))
    codes = sorted({e.language for e in s.entries}, key=lambda c: language_names()[c])
    langs: str = JoinedPhrase([_say(f"language_{c}") for c in codes], "shared.list_comma", lang="en") \
        if len(codes) <= 2 else _say("several_languages")
    meaning = JoinedPhrase([f"{c}" + (f" {k}" if k else "") for c, k in cats], "shared.list_or", lang="en")
    return _say("word_meaning", text=s.text, meaning=meaning, languages=langs)


def _universe_text(universe: str | None) -> str:
    """``households`` / ``persons`` said (another universe as named)."""
    return _say(f"universe_{universe}") if universe in ("households", "persons") else str(universe)


def _ancestors(concept: str) -> list[str]:
    devices = concepts()["devices"]
    chain, c = [concept], devices.get(concept, {}).get("parent")
    while c:
        chain.append(c)
        c = devices.get(c, {}).get("parent")
    return chain


def _one_device(found: list[str], has_or: bool) -> str | None:
    """The device concept meant by several named together, or ``None`` when unrelated."""
    if len(found) == 1:
        return found[0]
    chains = [_ancestors(c) for c in found]
    common = [c for c in chains[0] if all(c in ch for ch in chains[1:])]
    if not common:
        return None
    top = common[0]
    if top in found and len(found) == 2 and not has_or:  # "broadband internet": the narrower one
        return next(c for c in found if c != top)
    return top


def _indicator_of(concept: str, universe: str | None, use: bool) -> tuple[str | None, str | None, str]:
    """(indicator, universe, note) of a device concept for what the header says."""
    spec = concepts()["devices"][concept]
    inds: dict[str, str] = spec.get("indicators") or {}
    if use and universe != "households" and "use" in inds:
        return inds["use"], "persons", ""
    if use and universe is None and "persons" in inds:
        return inds["persons"], "persons", ""
    key = universe or spec.get("default", "households")
    if key in inds:
        return inds[key], key, ""
    default = spec.get("default", "households")
    if default in inds:
        return inds[default], default, _say("no_variant", universe=_universe_text(universe),
                                            default=_universe_text(default))
    return None, universe, ""


@lru_cache(maxsize=16384)
def recognise(header: object) -> Recognition:
    """Recognise a column header by the concepts its words say, in any catalogue language.

    Parameters
    ----------
    header
        The column name as written in the file.

    Returns
    -------
    Recognition
        Role, indicator, universe, value kind, confidence and the reason (words matched, language).

    Examples
    --------
    >>> recognise("pct_hh_internet").indicator, recognise("share_bb").value_kind
    ('internet', 'share')
    >>> recognise("Domicílios com acesso à Internet").language
    'pt'
    >>> recognise("Population density").role, recognise("Ménages sans ordinateur").alternatives
    ('other', ('no_computer', 'computer'))
    """
    column = str(header)
    tokens = tokenize(column)
    if not tokens:
        return Recognition(column, "other", reason=_say("empty_header"))
    spans, unknown = _match(tokens)
    main = _settle_languages(spans)
    if main and any(len(e.words) > 1 and not {x.language for x in s.entries} & set(main)
                    for s in spans for e in s.entries):
        spans, unknown = _match(tokens, frozenset(main))  # phrases of another language: matched again
        main = _settle_languages(spans) or main
    lang = main[0] if len(main) == 1 else None
    words = [t for t in tokens if not t.isdigit() and t != "/"]
    coverage = 1.0 - len(unknown) / max(len(words), 1)
    scale = 0.5 + 0.5 * coverage
    said = JoinedPhrase(dict.fromkeys(_describe(s) for s in spans
                                      if not all(e.category in ("filler", "or") for e in s.entries)),
                        "shared.list_semicolon", lang="en")
    not_understood = _say("not_understood", words=", ".join(repr(tokens[i]) for i in unknown)) if unknown else ""
    conflict = any(len({(e.category, e.concept) for e in s.entries}) > 1 for s in spans)
    if conflict:
        scale *= 0.9

    def make(role: str, certainty: float, head: str, **kw) -> Recognition:
        reason = _say("reason_words" if said else "reason_head", head=head, words=said, unknown=not_understood)
        return Recognition(column, role, confidence=round(certainty * scale, 2), reason=reason, language=lang, **kw)

    def with_cat(cat: str) -> list[_Span]:
        return [s for s in spans if s.has(cat)]

    others = [k for s in with_cat("other") for k in s.concepts("other")]
    devices = [k for s in with_cat("device") for k in s.concepts("device")]
    strong = [k for k in others if k in _STRONG_OTHER]
    if strong:
        return make("other", 0.9, _say("not_an_indicator", what=_other_text(strong[0])))
    if with_cat("unknown_answer"):
        return make("other", 0.9, _say("unknown_answers"))
    if with_cat("not_ict") and not devices:
        return make("other", 0.9, _say("not_ict"))

    universes = {k for s in with_cat("universe") for k in s.concepts("universe")}
    # both named ("Residents in households", "Population des ménages"): the first one is counted
    named_universes = [k for s in with_cat("universe") for k in s.concepts("universe") if k != "place"]
    universe = named_universes[0] if named_universes else None
    if universe is None and universes == {"place"}:
        universe = "households"
    use = bool(with_cat("use"))
    kinds = {k for s in with_cat("value_kind") for k in s.concepts("value_kind")}
    kind = next((k for k in _KIND_ORDER if k in kinds), None)
    breakdown = next((s.text for s in with_cat("breakdown")), None)
    if universe is None and breakdown is not None and breakdown not in _restrictive():
        universe = "persons"  # women, hommes, mujeres...: a sub-population of persons

    if devices:
        return _device_reading(make, with_cat, devices, main, universe, use, kind, breakdown)
    return _other_reading(make, with_cat, spans, unknown, universe, universes, kind, others, said)


def _device_reading(make, with_cat, devices: list[str], main: list[str], universe: str | None, use: bool,
                    kind: str | None, breakdown: str | None) -> Recognition:
    """The reading of a header that names a device or service: one indicator, its complement, or the
    alternatives when it names several unrelated things (``make``/``with_cat``: see :func:`recognise`)."""
    found = list(dict.fromkeys(devices))
    concept = _one_device(found, bool(with_cat("or")))
    why = ""
    if concept is None:  # "Internet (fixed)": a bare qualifier word does not name a second device
        modifiers = set(concepts().get("modifiers") or ())
        kept = [k for s in with_cat("device") if s.text not in modifiers for k in s.concepts("device")]
        if kept:
            found = list(dict.fromkeys(kept))
            concept = _one_device(found, bool(with_cat("or")))
    dev_spans = with_cat("device")
    for a, b in zip(dev_spans, dev_spans[1:]):  # "Telephone Mobile Phone": the general word right before
        ca, cb = a.concepts("device"), b.concepts("device")  # a narrower one may be a lost "/" (either)
        # (English/German only: Romance languages put the narrower word after the noun, "internet haut débit")
        if main and main[0] in ("en", "de") and a.stop == b.start == a.start + 1 and ca and cb \
                and ca[0] != cb[0] and ca[0] in _ancestors(cb[0])[1:] \
                and not with_cat("or") and a.text not in set(concepts().get("modifiers") or ()):
            concept, found = None, [ca[0], cb[0]]
            why = _say("narrower_after", general=ca[0], narrower=cb[0], words=f"{a.text} / {b.text}")
    negated = bool(with_cat("negation"))
    if concept is None:
        alts = tuple(dict.fromkeys(i for c in found for i in [_indicator_of(c, universe, use)[0]] if i))
        return make("indicator", 0.35,
                    why or _say("several_things", things=", ".join(found)),
                    alternatives=alts, universe=universe, value_kind=kind, negated=negated, breakdown=breakdown)
    spec = concepts()["devices"][concept]
    if spec.get("ambiguous") and not negated and found == [concept]:  # the bare word, not "fixed or mobile"
        alts = tuple(dict.fromkeys(_indicator_of(c, universe, use)[0] or c for c in spec["ambiguous"]))
        why = _say(f"why_{concept}") if has_message(f"concepts.why_{concept}") else \
            spec.get("why") or _say("may_mean_several", concept=concept)
        return make("indicator", 0.35, why,
                    alternatives=alts, universe=universe, value_kind=kind, breakdown=breakdown)
    indicator, uni, note = _indicator_of(concept, universe, use)
    certainty = 0.95 if not note else 0.75
    if negated:  # the complement: never read as the indicator itself, nor guessed as another one
        complement = (concepts().get("complements") or {}).get(concept)
        alts = tuple(a for a in (complement, indicator) if a)
        return make("other", 0.9, _say("complement_has" if complement else "complement", of=indicator or concept,
                                       complement=complement),
                    universe=uni, value_kind=kind, negated=True, alternatives=alts)
    if indicator is None:
        return make("other", 0.9, _say("no_indicator", concept=concept.replace("_", " ")))
    head = _say("indicator_kind" if kind else "indicator", indicator=indicator, universe=_universe_text(uni),
                kind=_kind_text(kind) if kind else "", note=note)
    return make("indicator", certainty, head, indicator=indicator, universe=uni, value_kind=kind,
                breakdown=breakdown)


def _other_reading(make, with_cat, spans: list, unknown: list[int], universe: str | None, universes: set[str],
                   kind: str | None, others: list[str], said: str) -> Recognition:
    """The reading of a header that names no device: a coordinate, a code, an area, a denominator, the
    label or value column of a long table, or nothing known (``make``/``with_cat``: see :func:`recognise`)."""
    if spans and spans[0].has("by") and spans[0].start == 0:  # "by district", "par commune": a title's tail
        return make("other", 0.5, _say("title_breakdown"))
    coords = [k for s in with_cat("coordinate") for k in s.concepts("coordinate")]
    if coords and not unknown and all(s.has("coordinate") or s.has("crs") or s.has("filler") for s in spans):
        axes = set(coords)
        if len(axes) == 1:
            return make("coordinate", 0.95, _say("coordinate", axis=coords[0]), axis=coords[0])
        return make("other", 0.5, _say("both_coordinates"))
    if others:
        return make("other", 0.85, _say("not_an_indicator", what=_other_text(others[0])))
    if with_cat("code"):
        role = "parent" if with_cat("parent") else "code"
        return make("code" if role == "code" else "parent", 0.9, _say("code_column" if role == "code" else
                                                                      "parent_code"))
    named = bool(with_cat("name"))
    if with_cat("variable") and not (with_cat("area") or universe):
        return make("variable", 0.85, _say("variable_column"))
    if with_cat("value") and not (with_cat("area") or universe or named):
        return make("value", 0.85, _say("value_column"), value_kind=kind)
    if universes - {"place"} and not named:  # an unknown word may make it anything else ("Situação do domicílio")
        return make("denominator", 0.9 if not unknown else 0.7,
                    _say("denominator", universe=_universe_text(universe)) if universe else
                    _say("denominator_any"), universe=universe)
    if with_cat("area") or named:
        if with_cat("parent"):
            return make("parent", 0.85, _say("parent_area"))
        return make("area", 0.95 if named and with_cat("area") else 0.9 if with_cat("area") else 0.8,
                    _say("area_names"))
    if with_cat("level"):
        return make("level", 0.85, _say("level_column"))
    if with_cat("parent"):
        return make("parent", 0.8, _say("parent_area"))
    if with_cat("total") and not unknown:
        return make("denominator", 0.6, _say("bare_total"))
    return make("other", 0.0, _say("no_known_word" if not said else "nothing_known"))


def said_universe(header: object) -> str | None:
    """``households`` or ``persons`` when a word of the header names it (not a "using" word), else ``None``.

    Examples
    --------
    >>> said_universe("Hogares con celular"), said_universe("Cell phone"), said_universe("Internet users")
    ('households', None, None)
    """
    spans, _ = _match(tokenize(str(header)))
    _settle_languages(spans)
    said = {e.concept for s in spans for e in s.entries if e.category == "universe" and e.concept != "place"}
    return next(iter(said)) if len(said) == 1 else None
