"""Translations (``en.yaml``, ``fr.yaml``) and number formatting per language.

The sentences of the report are templates in these YAML files; numbers are filled in
from the computed tables with :func:`format_number` / :func:`format_percent`, so the
text never carries a hand-typed value.

Examples
--------
>>> format_percent(0.1234, "en"), format_percent(0.1234, "fr")
('12.3%', '12,3\\xa0%')
>>> format_number(12043016, "fr")
'12\\u202f043\\u202f016'
>>> translations("fr")["no_data"]
'Pas de données'
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...errors import InputError

__all__ = ["LANGUAGES", "translations", "format_number", "format_percent", "format_points"]

_DIR = Path(__file__).resolve().parent
#: Languages with a translation file.
LANGUAGES = ("en", "fr")
_NBSP = "\u00a0"
_NNBSP = "\u202f"  # narrow no-break space: French thousands separator


@lru_cache(maxsize=None)
def _load(lang: str) -> dict[str, Any]:
    return yaml.safe_load((_DIR / f"{lang}.yaml").read_text(encoding="utf-8")) or {}


def translations(lang: str = "en") -> dict[str, Any]:
    """Labels and sentence templates for ``lang``; missing keys fall back to English.

    Raises
    ------
    InputError
        If ``lang`` has no translation file.
    """
    if lang not in LANGUAGES:
        raise InputError(f"language {lang!r} is not available", column="lang",
                         fix=f"use one of {', '.join(LANGUAGES)}")
    out = dict(_load("en"))
    if lang != "en":
        out.update(_load(lang))
    return out


def _is_missing(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def format_number(x: float | int | None, lang: str = "en", decimals: int = 0) -> str:
    """``1,234.5`` (en) or ``1 234,5`` (fr, narrow no-break spaces); ``–`` if missing.

    Examples
    --------
    >>> format_number(1234.5, "en", 1)
    '1,234.5'
    """
    if _is_missing(x):
        return "–"
    text = f"{float(x):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", _NNBSP).replace(".", ",")
    return text


def format_percent(share: float | None, lang: str = "en", decimals: int = 1) -> str:
    """A share (0-1) written as a percentage: ``12.3%`` (en), ``12,3 %`` (fr).

    Examples
    --------
    >>> format_percent(0.5, "en", 0)
    '50%'
    """
    if _is_missing(share):
        return "–"
    num = format_number(100 * float(share), lang, decimals)
    return num + (_NBSP + "%" if lang == "fr" else "%")


def format_points(diff_share: float | None, lang: str = "en", decimals: int = 1) -> str:
    """A difference of shares in percentage points: ``4.2 pp`` (en), ``4,2 pts`` (fr).

    Examples
    --------
    >>> format_points(-0.042, "en")
    '-4.2\\xa0pp'
    """
    if _is_missing(diff_share):
        return "–"
    num = format_number(100 * float(diff_share), lang, decimals)
    return num + _NBSP + ("pts" if lang == "fr" else "pp")
