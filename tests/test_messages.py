"""Messages as codes: every code of the catalogue has an English and a French template with the same
fields, the French one really French; every finding and error egovkit raises uses a code.

The per-module test reads the source (ast) of each module of egovkit: a ``report.add(...)`` must
give a catalogue code and no ready English message, an ``InputError(...)`` a ``code=``, and no ``fix=``
is a written-out English text.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import egovkit
from egovkit.shared.messages import LANGUAGES, PARTS, message_codes, message_entry, message_fields, render

PACKAGE = Path(egovkit.__file__).parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
CODES = set(message_codes())
#: words the same in both languages (codes, units, names of data sets and formats)
_NEUTRAL = re.compile(r"\{[^}]*\}|\b[A-Z0-9_]{2,}\b|[\W\d_]+")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_renders_in_every_language_with_the_same_fields(code):
    entry = message_entry(code)
    for part in PARTS:
        if part not in entry:
            continue
        en = entry[part]["en"]
        for lang in LANGUAGES:
            assert entry[part][lang].strip(), f"{code}.{part}: empty {lang} text"
            assert _fields(entry[part][lang]) == _fields(en), f"{code}.{part}: {lang} fields differ from English"
            params = {f: 3 for f in message_fields(code, part, lang)}
            try:
                render(code, params, lang=lang, part=part)
            except (ValueError, TypeError):  # a list field: give it a list
                render(code, {f: [3] for f in params}, lang=lang, part=part)
        if not entry.get("same"):
            words_en = _NEUTRAL.sub(" ", en).split()
            assert not words_en or entry[part]["fr"] != en, (
                f"{code}.{part}: the French text is the English one (mark `same: true` if it is a name or code)")


_ERRORS = {"InputError", "JoinError", "DownloadError", "EgovkitError"}


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _codes(node: ast.AST) -> list[str | None]:
    """The code(s) a call gives: a literal, or each branch of ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    return [_literal(node)]


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        kw = {k.arg: k.value for k in call.keywords}
        where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
        fix = kw.get("fix")
        if isinstance(fix, (ast.Constant, ast.JoinedStr)) and not (isinstance(fix, ast.Constant) and fix.value is None):
            out.append(f"{where}: fix= is written-out text (put it in the catalogue)")
        func = call.func
        if (isinstance(func, ast.Attribute) and func.attr == "add" and call.args
                and _literal(call.args[0]) in ("error", "warning", "info")):
            if len(call.args) >= 3 or "message" in kw:
                out.append(f"{where}: report.add() with a ready message (give params= and a catalogue code)")
            code_node = call.args[1] if len(call.args) > 1 else kw.get("code")
            for c in _codes(code_node) if code_node is not None else [None]:
                if c not in CODES:
                    out.append(f"{where}: report.add() code {c!r} is not a literal code of the catalogue")
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in _ERRORS:
            if call.args or "message" in kw:
                out.append(f"{where}: {name} with a ready message (give code= and params=)")
            for c in _codes(kw["code"]) if "code" in kw else [None]:
                if c not in CODES:
                    out.append(f"{where}: {name} code {c!r} is not a literal code of the catalogue")
        if name == "warn" and call.args and isinstance(call.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
            out.append(f"{where}: a warning written out in English (say it with render(code, params))")
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_says_every_finding_by_code(path):
    problems = _problems(path)
    assert not problems, "\n".join(problems)
