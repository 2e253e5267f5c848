"""Texts in the user's language, read from YAML catalogues shipped with egovkit.

A catalogue is either one YAML file whose top-level keys are languages (``en:``, ``fr:``;
e.g. ``egovkit/distribution/sentences.yaml``) or a folder of ``<lang>.yaml`` files (e.g.
``egovkit/present/i18n/``). :func:`load_texts` returns the texts of one language with the
English ones filling any key the language lacks (nested keys included); ``lang=None`` means
:data:`egovkit.settings.language`.

Examples
--------
>>> from pathlib import Path
>>> import egovkit
>>> i18n = Path(egovkit.__file__).parent / "present" / "i18n"
>>> load_texts(i18n, "fr")["no_data"]
'Pas de données'
>>> text_languages(i18n)
('en', 'fr')
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from .formatting import resolve_language

__all__ = ["FALLBACK_LANGUAGE", "load_texts", "text_languages"]

#: The language every catalogue is complete in; its texts fill the gaps of the others.
FALLBACK_LANGUAGE = "en"


@lru_cache(maxsize=None)
def _read(path: str) -> dict[str, dict[str, Any]]:
    """``{language: texts}`` of a catalogue (a YAML file by language, or a folder of ``<lang>.yaml``)."""
    p = Path(path)
    try:
        if p.is_dir():
            return {f.stem: yaml.safe_load(f.read_text(encoding="utf-8")) or {} for f in sorted(p.glob("*.yaml"))}
        spec = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(code="shared.texts_unreadable", params={"detail": str(exc)}, file=str(p)) from exc
    if not isinstance(spec, dict) or not all(isinstance(v, dict) for v in spec.values()):
        raise InputError(code="shared.texts_not_a_mapping", file=str(p))
    return spec


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def text_languages(source: str | Path) -> tuple[str, ...]:
    """The languages a catalogue has texts in, sorted.

    Examples
    --------
    >>> import egovkit
    >>> text_languages(Path(egovkit.__file__).parent / "distribution" / "sentences.yaml")
    ('en', 'fr')
    """
    return tuple(sorted(_read(str(Path(source).resolve()))))


def load_texts(source: str | Path, lang: str | None = None) -> dict[str, Any]:
    """The texts of ``lang`` in a catalogue, English filling the keys ``lang`` lacks.

    Parameters
    ----------
    source
        A YAML file with one top-level key per language, or a folder of ``<lang>.yaml`` files.
    lang
        ``"en"``, ``"fr"`` ...; default :data:`egovkit.settings.language`.

    Returns
    -------
    dict
        A fresh copy: changing it does not change the catalogue.

    Raises
    ------
    InputError
        If the catalogue has no texts in ``lang``.

    Examples
    --------
    >>> import egovkit
    >>> s = load_texts(Path(egovkit.__file__).parent / "distribution" / "sentences.yaml", "fr")
    >>> s["population"]["households"]
    'des ménages'
    """
    lang = resolve_language(lang)
    texts = _read(str(Path(source).resolve()))
    if lang not in texts:
        raise InputError(code="shared.language_unavailable", params={"lang": lang, "known": sorted(texts)},
                         column="lang")
    out = texts.get(FALLBACK_LANGUAGE, {})
    if lang != FALLBACK_LANGUAGE:
        out = _merge(out, texts[lang])
    return copy.deepcopy(out)
