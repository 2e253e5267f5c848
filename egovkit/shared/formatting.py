"""Numbers, percentages and percentage points written in the user's language.

The one place where egovkit turns a figure into text: English writes ``12,043.5`` and
``12.3%``, French ``12 043,5`` (narrow no-break spaces between thousands) and ``12,3 %``
(a no-break space before ``%``). Every function takes ``lang`` (``"en"`` or ``"fr"``);
``None`` means :data:`egovkit.settings.language`. A missing value (``None``, NaN) is ``–``.

Examples
--------
>>> format_percent(0.1234, "en"), format_percent(0.1234, "fr")
('12.3%', '12,3\\xa0%')
>>> format_number(12043016, "fr")
'12\\u202f043\\u202f016'
>>> "{value:.2f} < {threshold:.0%}".format(value=LocalNumber(0.25, "fr"), threshold=LocalNumber(0.5, "fr"))
'0,25 < 50\\xa0%'
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from .. import settings

__all__ = ["MISSING", "LocalNumber", "format_number", "format_percent", "format_points", "format_whole_pct",
           "resolve_language", "speaking", "speaks_its_lang"]

F = TypeVar("F", bound=Callable[..., Any])

#: What a missing value is written as (an en dash).
MISSING = "–"
_NBSP = "\u00a0"
_NNBSP = "\u202f"  # narrow no-break space: the French thousands separator


def resolve_language(lang: str | None = None) -> str:
    """``lang``, or :data:`egovkit.settings.language` when ``lang`` is ``None``.

    Examples
    --------
    >>> resolve_language("fr"), resolve_language(None) == settings.language
    ('fr', True)
    """
    return settings.language if lang is None else lang


@contextmanager
def speaking(lang: str | None) -> Iterator[str]:
    """Within the block, ``lang`` is :data:`egovkit.settings.language` (the language of every ``lang=None``);
    the previous language comes back after it.

    >>> with speaking("fr"):
    ...     format_percent(0.5, decimals=0)
    '50\xa0%'
    >>> format_percent(0.5, "en", 0)
    '50%'
    """
    before = settings.language
    settings.language = resolve_language(lang)
    try:
        yield settings.language
    finally:
        settings.language = before


def speaks_its_lang(func: F) -> F:
    """Decorate a function with a ``lang`` parameter: everything it says (messages, notes of the tables it
    computes) is in that language while it runs, whatever :data:`egovkit.settings.language` is."""
    signature = inspect.signature(func)
    default = signature.parameters["lang"].default

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        lang = signature.bind_partial(*args, **kwargs).arguments.get("lang", default)
        with speaking(lang):
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]


def _is_missing(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _localise(text: str, lang: str) -> str:
    """A number written by Python (``,`` thousands, ``.`` decimals, ``%``) in ``lang``'s way."""
    if lang != "fr":
        return text
    text = text.replace(",", _NNBSP).replace(".", ",")
    return text[:-1] + _NBSP + "%" if text.endswith("%") else text


def format_number(x: float | int | None, lang: str | None = None, decimals: int = 0) -> str:
    """``1,234.5`` (en) or ``1 234,5`` (fr, narrow no-break spaces); ``–`` if missing.

    Examples
    --------
    >>> format_number(1234.5, "en", 1), format_number(1234.5, "fr", 1)
    ('1,234.5', '1\\u202f234,5')
    >>> format_number(float("nan"), "en")
    '–'
    """
    if _is_missing(x):
        return MISSING
    return _localise(f"{float(x):,.{decimals}f}", resolve_language(lang))


def format_percent(share: float | None, lang: str | None = None, decimals: int = 1) -> str:
    """A share (0-1) written as a percentage: ``12.3%`` (en), ``12,3 %`` (fr).

    Examples
    --------
    >>> format_percent(0.5, "en", 0), format_percent(0.5, "fr", 0)
    ('50%', '50\\xa0%')
    """
    if _is_missing(share):
        return MISSING
    lang = resolve_language(lang)
    num = format_number(100 * float(share), lang, decimals)
    return num + (_NBSP + "%" if lang == "fr" else "%")


def format_points(diff_share: float | None, lang: str | None = None, decimals: int = 1) -> str:
    """A difference of shares in percentage points: ``4.2 pp`` (en), ``4,2 pts`` (fr).

    Examples
    --------
    >>> format_points(-0.042, "en"), format_points(-0.042, "fr")
    ('-4.2\\xa0pp', '-4,2\\xa0pts')
    """
    if _is_missing(diff_share):
        return MISSING
    lang = resolve_language(lang)
    num = format_number(100 * float(diff_share), lang, decimals)
    return num + _NBSP + ("pts" if lang == "fr" else "pp")


def format_whole_pct(pct: float | None, lang: str | None = None) -> str:
    """A percentage (0-100) as a whole number, but ``< 1`` / ``> 99`` rather than ``0`` / ``100``
    when it is not exactly 0 or 100 (the ``%`` sign is left to the sentence).

    Examples
    --------
    >>> [format_whole_pct(p) for p in (0, 0.2, 25.4, 99.7, 100)]
    ['0', '< 1', '25', '> 99', '100']
    """
    if _is_missing(pct):
        return MISSING
    pct = float(pct)  # type: ignore[arg-type]
    if 0 < pct < 0.5:
        return "< 1"
    if 99.5 <= pct < 100:
        return "> 99"
    return format_number(pct, lang, 0)


class LocalNumber(float):
    """A float whose format specs (``{value:.2f}``, ``{value:,.0f}``, ``{value:.0%}``) follow the
    language: decimal comma, narrow no-break thousands space and ``\u00a0%`` in French.

    For sentence templates that choose their own precision (``"... below {threshold:.0%}"``).

    Examples
    --------
    >>> f"{LocalNumber(1234.5, 'fr'):,.1f}", f"{LocalNumber(0.125, 'en'):.1%}"
    ('1\\u202f234,5', '12.5%')
    """

    lang: str

    def __new__(cls, value: float, lang: str | None = None) -> "LocalNumber":
        obj = super().__new__(cls, value)
        obj.lang = resolve_language(lang)
        return obj

    def __format__(self, spec: str) -> str:
        return _localise(format(float(self), spec), self.lang)
