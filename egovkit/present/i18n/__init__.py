"""Translations (``en.yaml``, ``fr.yaml``) of maps, charts and report; number formatting per language.

The sentences of the report are templates in these YAML files; numbers are filled in
from the computed tables with :func:`format_number` / :func:`format_percent` (from
:mod:`egovkit.shared.formatting`, re-exported here), so the text never carries a hand-typed value.

Examples
--------
>>> translations("fr")["no_data"]
'Pas de données'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...shared.formatting import format_number, format_percent, format_points
from ...shared.texts import load_texts, text_languages

__all__ = ["LANGUAGES", "translations", "format_number", "format_percent", "format_points"]

_DIR = Path(__file__).resolve().parent
#: Languages with a translation file.
LANGUAGES = text_languages(_DIR)


def translations(lang: str | None = None) -> dict[str, Any]:
    """Labels and sentence templates for ``lang`` (default :data:`egovkit.settings.language`);
    missing keys fall back to English (:func:`egovkit.shared.texts.load_texts`).

    Raises
    ------
    InputError
        If ``lang`` has no translation file.
    """
    return load_texts(_DIR, lang)
