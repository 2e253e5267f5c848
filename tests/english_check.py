"""Find English sentences of egovkit's own texts in an output meant to be in another language.

Every English text egovkit can write -- the message catalogue (messages and fixes), the report's,
the app's, the workbook's and the diagnosis' YAML texts -- becomes a pattern (its fields match
anything); a pattern of at least two English words found in a French output is an English sentence
left in it. Used by the tests of the French report, CLI and Excel template.
"""

from __future__ import annotations

import base64
import gzip
import re
import string
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import yaml

import egovkit
from egovkit.shared.messages import PARTS, message_codes, message_entry

PACKAGE = Path(egovkit.__file__).parent
#: YAML text catalogues with the English under an ``en`` key (a file by language for i18n/)
_CATALOGUES = ["present/i18n/en.yaml", "present/workbook.yaml", "app/labels.yaml", "distribution/sentences.yaml",
               "diagnosis/data/report_text.yaml", "diagnosis/data/template_text.yaml",
               "diagnosis/data/questionnaire_v1.yaml", "diagnosis/data/action_rules.yaml",
               "diagnosis/data/stakeholder_types.yaml"]
_WORD = re.compile(r"[A-Za-z]{2,}")


def _strings(node, english: bool) -> list[str]:
    """String leaves of a YAML tree; under a mapping with language keys only the ``en`` branch."""
    if isinstance(node, str):
        return [node] if english else []
    if isinstance(node, list):
        return [s for x in node for s in _strings(x, english)]
    if isinstance(node, dict):
        if "en" in node and ("fr" in node or english):
            return _strings(node["en"], True)
        return [s for k, v in node.items() if k != "fr" for s in _strings(v, english)]
    return []


def english_texts() -> list[str]:
    """Every English text egovkit can write (templates with their ``{fields}``)."""
    out = []
    for code in message_codes():
        entry = message_entry(code)
        if entry.get("same"):
            continue
        out += [entry[p]["en"] for p in PARTS if p in entry]
    for rel in _CATALOGUES:
        p = PACKAGE / rel
        if p.exists():
            out += _strings(yaml.safe_load(p.read_text(encoding="utf-8")), english=rel.endswith("en.yaml"))
    return out


@lru_cache(maxsize=4)
def english_patterns(min_words: int = 2) -> tuple[tuple[str, str, re.Pattern], ...]:
    """``(text, longest literal part, pattern)`` of every English text with at least ``min_words`` words
    outside its fields (fields match anything short; whitespace as one space)."""
    pats = []
    for text in set(english_texts()):
        try:
            fmt = list(string.Formatter().parse(text))
        except ValueError:
            fmt = [(text, None, None, None)]
        literals = [" ".join(lit.split()) for lit, _, _, _ in fmt]
        if sum(len(_WORD.findall(lit)) for lit in literals) < min_words:
            continue
        pieces = [re.escape(lit) for lit in literals]
        rx = r".{0,120}?".join(p for p in pieces if p)  # no field wildcard at either end
        longest = max(literals, key=len).strip()
        pats.append((text, longest, re.compile(rx)))
    return tuple(pats)


def english_in(text: str, allow: tuple[str, ...] = (), min_words: int = 2) -> list[str]:
    """The English texts of egovkit (of at least ``min_words`` words) found in ``text``, apart from ``allow``."""
    text = " ".join(text.split())
    found = []
    for src, longest, rx in english_patterns(min_words):
        if src in allow or longest not in text:
            continue
        m = rx.search(text)
        if m:
            found.append(f"{src!r} -> {m.group(0)[:100]!r}")
    return sorted(found)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for k, v in attrs:
            if k in ("title", "alt", "aria-label", "placeholder") and v:
                self.parts.append(v)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees in an HTML page (and its title/alt attributes), scripts left out."""
    p = _Text()
    p.feed(html)
    return "\n".join(p.parts)


def embedded_maps(html: str) -> list[str]:
    """The interactive maps a report inlines gzip-compressed (base64) in its page."""
    out = []
    for b64 in re.findall(r'<script type="application/gzip;base64"[^>]*>\s*([A-Za-z0-9+/=]+)\s*</script>', html):
        try:
            out.append(gzip.decompress(base64.b64decode(b64)).decode("utf-8"))
        except (OSError, ValueError):
            continue
    return out
