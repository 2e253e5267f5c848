"""Messages as codes, with a template in every language egovkit speaks (English, French).

Every sentence egovkit says to a user -- a finding of the validation report, its fix, the action
taken, an error, a line of the command line -- has a **code** (``negative_value``,
``cli.summary``...) and one template per language in the catalogue ``egovkit/shared/messages/``
(one YAML file per part of the package; a code is in one file only)::

    negative_value:
      message:
        en: "value {value} is negative"
        fr: "la valeur {value} est négative"
      fix:
        en: "correct the value in the file"
        fr: "corrigez la valeur dans le fichier"

:func:`render` fills a template with named values. Text from user files only ever fills a field:
it is never read as a template (``{`` in a district name stays ``{``), and a template can only
name fields (no attribute or index access). Format specs write numbers the language's way:
``{n:n}`` a count with thousands separators, ``{share:pct}`` a share 0-1 as a percentage,
``{x:.2f}`` a decimal number (``0,25`` in French), ``{names:list}`` a list joined by commas.
``lang=None`` means :data:`egovkit.settings.language`.

Examples
--------
>>> render("where.row", {"row": 12}, lang="fr")
'ligne 12'
>>> render("where.row", {"row": "{7*7}"}, lang="en")
'row {7*7}'
>>> "where.row" in message_codes()
True
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .formatting import LocalNumber, format_number, format_percent, resolve_language

__all__ = ["CATALOGUE_DIR", "LANGUAGES", "PARTS", "Phrase", "JoinedPhrase", "has_message", "message_codes",
           "message_fields", "message_entry", "render", "render_or", "said_in"]

#: The folder of the message catalogue (one YAML file per part of the package).
CATALOGUE_DIR = Path(__file__).parent / "messages"
#: The languages every message has a template in.
LANGUAGES = ("en", "fr")
#: What an entry may hold: the sentence, how to fix it.
PARTS = ("message", "fix")
#: Set (to anything but ``0``) by the test suite: a template field without a value raises instead
#: of being shown as ``{field}``.
_STRICT_ENV = "EGOVKIT_STRICT_MESSAGES"


@lru_cache(maxsize=None)
def _catalogue() -> dict[str, dict[str, Any]]:
    """Every code of every catalogue file; a code in two files, or a malformed entry, raises."""
    out: dict[str, dict[str, Any]] = {}
    where: dict[str, str] = {}
    for f in sorted(CATALOGUE_DIR.glob("*.yaml")):
        spec = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        if not isinstance(spec, dict):
            raise ValueError(f"{f}: the message catalogue must map codes to entries")
        for code, entry in spec.items():
            if code in out:
                raise ValueError(f"{f}: message code {code!r} is already in {where[code]}")
            if not isinstance(entry, dict) or not set(entry) & set(PARTS) or not set(entry) <= {*PARTS, "same"}:
                raise ValueError(f"{f}: message {code!r} must have message: and/or fix:, each with en: and fr:")
            for part in PARTS:
                if part in entry and (not isinstance(entry[part], dict)
                                      or not all(isinstance(entry[part].get(lg), str) for lg in LANGUAGES)):
                    raise ValueError(f"{f}: message {code!r}, {part}: needs a text in each of {LANGUAGES}")
            out[code] = entry
            where[code] = f.name
    return out


def message_codes() -> tuple[str, ...]:
    """Every message code of the catalogue, sorted.

    >>> "action.dropped" in message_codes()
    True
    """
    return tuple(sorted(_catalogue()))


def has_message(code: str | None, part: str = "message") -> bool:
    """Whether the catalogue has a ``part`` (``message`` or ``fix``) for ``code``.

    >>> has_message("where.row"), has_message("no such code")
    (True, False)
    """
    return code is not None and part in _catalogue().get(code, {})


def message_entry(code: str) -> dict[str, Any]:
    """The raw entry of ``code`` (``{"message": {"en": ..., "fr": ...}, "fix": ...}``).

    >>> message_entry("where.row")["message"]["en"]
    'row {row}'
    """
    return _catalogue()[code]


def message_fields(code: str, part: str = "message", lang: str = "en") -> set[str]:
    """The names of the fields a template fills.

    >>> sorted(message_fields("where.row"))
    ['row']
    """
    return {f for _, f, _, _ in string.Formatter().parse(_catalogue()[code][part][lang]) if f}


class _Formatter(string.Formatter):
    """``str.format`` restricted to named fields, writing numbers the language's way."""

    def __init__(self, lang: str, strict: bool) -> None:
        self.lang = lang
        self.strict = strict

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        if not field_name.isidentifier():
            raise ValueError(f"message templates name fields only, not {field_name!r}")
        if field_name not in kwargs:
            if self.strict:
                raise KeyError(field_name)
            return _Missing(field_name), field_name
        return kwargs[field_name], field_name

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if isinstance(value, _Missing):
            return value
        value = self._said(value)
        if conversion == "r":  # a name from a file, quoted: 'Kibra'
            return "'" + str(value) + "'"
        return super().convert_field(value, conversion)

    def _said(self, value: Any) -> Any:
        """A :class:`Phrase` (or a list of them) said again in this template's language."""
        if isinstance(value, Phrase):
            return value.in_language(self.lang)
        if isinstance(value, (list, tuple)) and any(isinstance(v, Phrase) for v in value):
            return [self._said(v) for v in value]
        return value

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return "{" + value.name + "}"
        value = self._said(value)
        if format_spec == "n":
            return format_number(value, self.lang)
        if format_spec == "pct":
            return format_percent(value, self.lang)
        if format_spec == "list":
            return ", ".join(str(v) for v in value)
        if format_spec == "rlist":
            return ", ".join("'" + str(v) + "'" for v in value)
        if format_spec and isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(LocalNumber(float(value), self.lang), format_spec)
        return format(value if format_spec else str(value), format_spec)


class Phrase(str):
    """A rendered message that remembers its code and values (what :func:`render` returns).

    It is a ``str`` in the language it was rendered in; filling a field of another template it is
    said again in *that* template's language, so a sub-sentence recorded while reading in English is
    French in a French report.

    >>> inner = render("action.dropped", lang="en")
    >>> inner, render("report.fate", {"n": 2, "fate": inner}, lang="fr")
    ('dropped', '2 écarté')
    """

    code: str
    params: dict[str, Any]
    part: str

    def __new__(cls, text: str, code: str, params: Mapping[str, Any], part: str) -> "Phrase":
        obj = super().__new__(cls, text)
        obj.code, obj.params, obj.part = code, dict(params), part
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # pickle, copy (a report sent to a worker, asdict)
        return (Phrase, (str(self), self.code, self.params, self.part))

    def in_language(self, lang: str) -> str:
        """The same message in ``lang``."""
        return render(self.code, self.params, lang=lang, part=self.part)


class JoinedPhrase(Phrase):
    """Phrases joined by a separator (a catalogue code, so that each language writes its own), said
    again item by item in another language.

    >>> two = JoinedPhrase([render("action.dropped", lang="en"), render("action.used", lang="en")],
    ...                    "shared.list_or", lang="en")
    >>> two, two.in_language("fr")
    ('dropped or used', 'écarté ou utilisé')
    """

    items: tuple[Any, ...]
    sep: str

    def __new__(cls, items: Any, sep: str, *, lang: str | None = None) -> "JoinedPhrase":
        items = tuple(items)
        text = render(sep, lang=lang).join(str(i) for i in items)
        obj = str.__new__(cls, text)
        obj.code, obj.params, obj.part, obj.items, obj.sep = sep, {}, "message", items, sep
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (_joined, (self.items, self.sep, str(self)))

    def in_language(self, lang: str) -> str:
        """The same items in ``lang``, joined the way ``lang`` writes it."""
        return JoinedPhrase([i.in_language(lang) if isinstance(i, Phrase) else i for i in self.items], self.sep,
                            lang=lang)


def _joined(items: tuple[Any, ...], sep: str, text: str) -> JoinedPhrase:
    """A :class:`JoinedPhrase` as it was written (unpickled: its text kept, not rendered again)."""
    obj = str.__new__(JoinedPhrase, text)
    obj.code, obj.params, obj.part, obj.items, obj.sep = sep, {}, "message", tuple(items), sep
    return obj


def said_in(text: Any, lang: str | None = None) -> Any:
    """A text of egovkit's catalogue (a :class:`Phrase`, e.g. a report's source "population points" or a
    recognition's reason) in ``lang`` (default :data:`egovkit.settings.language`); any other text (a file
    name, a user's header) as it is.

    >>> said_in(render("population.source_points", lang="en"), "fr"), said_in("t.csv", "fr")
    ('points de population', 't.csv')
    """
    return text.in_language(resolve_language(lang)) if isinstance(text, Phrase) else text


class _Missing:
    def __init__(self, name: str) -> None:
        self.name = name


def render(code: str, params: Mapping[str, Any] | None = None, *, lang: str | None = None,
           part: str = "message") -> str:
    """The ``part`` (``message`` or ``fix``) of ``code`` in ``lang``, its fields filled from ``params``.

    Raises ``KeyError`` for a code (or part) the catalogue lacks. A field without a value shows as
    ``{field}`` (and raises when ``EGOVKIT_STRICT_MESSAGES`` is set, as in the test suite).

    Examples
    --------
    >>> render("report.summary", {"rows": 3, "fates": "", "errors": 0, "warnings": 1, "notes": 0}, lang="fr")
    '3 lignes lues ; 0 erreur(s), 1 avertissement(s), 0 note(s)'
    """
    lang = resolve_language(lang)
    entry = _catalogue()[code]
    texts = entry[part]
    template = texts.get(lang, texts["en"])
    strict = os.environ.get(_STRICT_ENV, "0") not in ("", "0")
    params = dict(params or {})
    return Phrase(_Formatter(lang, strict).vformat(template, (), params), code, params, part)


def render_or(code: str | None, fallback: str | None, params: Mapping[str, Any] | None = None, *,
              lang: str | None = None, part: str = "message") -> str | None:
    """:func:`render` when the catalogue has ``code``'s ``part``, else ``fallback`` (a text kept as given).

    >>> render_or("no such code", "kept as given")
    'kept as given'
    """
    if has_message(code, part):
        return render(code, params, lang=lang, part=part)  # type: ignore[arg-type]
    return fallback
