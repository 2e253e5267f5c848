"""Publisher codebooks: the coded headers of national census products (INEGI ``VPH_INTER``, ABS
``IA_Total``, CSO ``T15_2_Y``, DANE ``STP19_INT1``...) read as indicators, denominators and areas.

Census offices publish their tables with variable codes, not words. Each product's codes are kept
as data in ``egovkit/read/codebooks/*.yaml`` (one file per publisher, its source cited at the top):
the ICT numerators with their catalogue indicator, the denominator of the question's universe
(occupied private dwellings, households, the total of the same question with 'not stated'), the
area name and code columns, and other codes of the product (which only count for recognising it).

:func:`match_codebook` says which codebook a table's headers belong to, when enough of them are its
codes (at least the codebook's ``min_matches`` distinct codes, one ICT numerator and its denominator
among them). Headers are matched case-insensitively, with a trailing year (``_2016``, ``2020``)
ignored and the truncated short descriptors of the ABS DataPacks (``..._SemD_ro_tr_h_t``) matched by
their first characters; a code written ``re:...`` is a regular expression. The reader
(:func:`egovkit.read.roles._assign_roles`) fills in with it only the arguments the user did not give.

Examples
--------
>>> m = match_codebook(["GEOGID", "GEOGDESC", "T15_2_Y", "T15_2_N", "T15_2_T", "T15_3_B", "T15_3_T"])
>>> m.codebook.key, m.area
('cso_saps_theme15', 'GEOGDESC')
>>> m.columns
{'T15_2_Y': 'computer', 'T15_3_B': 'broadband'}
>>> m.den_map
{'computer': 'T15_2_T', 'broadband': 'T15_3_T'}
>>> match_codebook(["district", "households", "internet"]) is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from ..errors import InputError
from ..shared.formatting import resolve_language
from ..shared.messages import render

CODEBOOK_DIR = Path(__file__).parent / "codebooks"
#: A header at least this long may be a truncated code (ABS short descriptors are cut at 29-30 characters).
_TRUNCATED_MIN = 20


@dataclass(frozen=True)
class Codebook:
    """One publisher product's codes (loaded from a YAML file of ``egovkit/read/codebooks``)."""

    key: str
    product: str
    publisher: str
    country: str
    source_file: str
    min_matches: int
    universe_note: str
    areas: tuple[dict[str, str], ...]
    denominators: dict[str, dict[str, str]]
    indicators: dict[str, dict[str, str]]
    known: tuple[str, ...]
    #: ``universe_note`` in French (``universe_note_fr`` of the YAML file), said in a French report
    universe_note_fr: str = ""

    def note(self, lang: str | None = None) -> str:
        """The universe note in ``lang`` (default :data:`egovkit.settings.language`).

        >>> cb = next(c for c in load_codebooks() if c.source_file == "cso_ie.yaml")
        >>> cb.note("fr").startswith("ménages privés")
        True
        """
        return self.universe_note_fr if resolve_language(lang) == "fr" and self.universe_note_fr else \
            self.universe_note


@dataclass
class CodebookMatch:
    """What :func:`match_codebook` found: the codebook and the table's headers for each role.

    ``columns``: ``{header: indicator}``; ``den_map``: ``{indicator: denominator header}``;
    ``denominators``: ``{header: universe}``; ``codes``: ``{header: code}`` of every matched header;
    ``confidence``: 0-1, from the number of codes matched and the share of the headers they make.
    """

    codebook: Codebook
    codes: dict[str, str]
    columns: dict[str, str] = field(default_factory=dict)
    den_map: dict[str, str] = field(default_factory=dict)
    denominators: dict[str, str] = field(default_factory=dict)
    area: str | None = None
    code: str | None = None
    parent: str | None = None
    area_level: str | None = None
    confidence: float = 0.0

    def describe(self) -> str:
        """One sentence for the report: the codebook, each indicator read and its denominator.

        Examples
        --------
        >>> m = match_codebook(["CED_CODE_2016", "IA_Total", "I_NA_Total", "IC_not_stated_Total", "Total_Total"])
        >>> print(m.describe()[:105])
        headers are codes of ABS Census DataPack, dwelling internet connection (2011 B35, 2016/2021 G37) (5 codes
        """
        from .universe import universe_word

        cb = self.codebook
        parts = []
        for col, ind in self.columns.items():
            den = self.den_map.get(ind)
            label = cb.indicators[self.codes[col]].get("label", "")
            den_label = cb.denominators.get(self.codes.get(den, ""), {}).get("label", "")
            parts.append(render("read.codebook_column_labelled" if label else "read.codebook_column", {
                "column": col, "label": label, "indicator": ind,
                "universe": universe_word(self.denominators.get(den, "households")), "den": den,
                "den_label": f" ({den_label!r})" if den_label else ""}))
        where = render("read.codebook_area_level" if self.area_level else "read.codebook_area",
                       {"area": self.area, "level": self.area_level})
        if self.parent:
            where += render("read.codebook_parent", {"parent": self.parent})
        return render("read.codebook_headers", {"product": cb.product, "n": len(self.codes),
                                                "confidence": self.confidence, "parts": "; ".join(parts),
                                                "where": where, "note": cb.note()})


def _compile(code: str) -> Callable[[str], bool]:
    if code.startswith("re:"):
        rx = re.compile(code[3:], re.IGNORECASE)
        return lambda h: bool(rx.fullmatch(h))
    target = code.upper()
    return lambda h: h.upper() == target or (len(h) >= _TRUNCATED_MIN and target.startswith(h.upper()))


@lru_cache(maxsize=1)
def load_codebooks() -> tuple[Codebook, ...]:
    """Every codebook of ``egovkit/read/codebooks/*.yaml``, in file-name order.

    Examples
    --------
    >>> sorted(c.country for c in load_codebooks())
    ['AU', 'CO', 'IE', 'MX']
    """
    out = []
    for path in sorted(CODEBOOK_DIR.glob("*.yaml")):
        try:
            d: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
            out.append(Codebook(
                key=d["key"], product=d["product"], publisher=d["publisher"], country=d["country"],
                source_file=path.name, min_matches=int(d.get("min_matches", 3)),
                universe_note=str(d.get("universe_note", "")).strip(), areas=tuple(d.get("areas") or ()),
                denominators=dict(d.get("denominators") or {}), indicators=dict(d.get("indicators") or {}),
                known=tuple(d.get("known") or ()),
                universe_note_fr=str(d.get("universe_note_fr", "")).strip()))
        except (KeyError, TypeError, yaml.YAMLError) as exc:  # pragma: no cover - broken installation
            raise InputError(code="read.codebook_malformed", params={"problem": str(exc)}, file=str(path)) from exc
    return tuple(out)


def _header_key(header: object) -> str:
    """The header as a code: stripped, BOM and spaces out, a trailing year dropped when not the whole name."""
    h = str(header).replace("\ufeff", "").strip()
    h = re.sub(r"\s+", "_", h)
    return h


def _without_year(h: str) -> str:
    return re.sub(r"(?<=[A-Za-z0-9])_?(19|20)\d\d$", "", h)


def _find(headers: list[str], code: str) -> str | None:
    """The first header that is ``code`` (case, trailing year and truncation tolerated)."""
    test = _compile(code)
    for h in headers:
        key = _header_key(h)
        if test(key) or (not code.startswith("re:") and _without_year(key) != key and test(_without_year(key))):
            return h
    return None


def _score(headers: list[str], cb: Codebook) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The headers matched to the codebook's indicators, denominators and all its codes."""
    inds = {h: c for c in cb.indicators if (h := _find(headers, c)) is not None}
    dens = {h: c for c in cb.denominators if (h := _find(headers, c)) is not None}
    codes = {**inds, **dens}
    for area in cb.areas:
        for key in ("name", "code"):
            if area.get(key) and (h := _find(headers, area[key])) is not None:
                codes.setdefault(h, area[key])
    for k in cb.known:
        if k.startswith("re:"):
            test = _compile(k)
            codes.update({h: k for h in headers if h not in codes and test(_header_key(h))})
        elif (h := _find(headers, k)) is not None:
            codes.setdefault(h, k)
    return inds, dens, codes


def match_codebook(headers: list[object], names_of: Callable[[str], list[str]] | None = None) -> CodebookMatch | None:
    """The codebook the headers belong to, or ``None``.

    Parameters
    ----------
    headers
        The table's column names.
    names_of
        Optional: the distinct values of a column that are not totals rows (used to choose the
        finest area level that names several areas, e.g. ``NOM_MUN`` when every ``NOM_LOC`` reads
        'Total del Municipio'). Without it the finest level present is the area.

    Returns
    -------
    CodebookMatch or None
        ``None`` unless one codebook has at least ``min_matches`` codes among the headers, with an ICT
        numerator and its denominator.

    Examples
    --------
    >>> m = match_codebook(["NOM_ENT", "NOM_MUN", "NOM_LOC", "VIVPARH_CV", "VPH_INTER", "VPH_CEL", "POBTOT"])
    >>> m.area, m.columns["VPH_INTER"], m.den_map["internet"]
    ('NOM_LOC', 'internet', 'VIVPARH_CV')
    """
    hs = [str(h) for h in headers]
    best: tuple[float, CodebookMatch] | None = None
    for cb in load_codebooks():
        inds, dens, codes = _score(hs, cb)
        den_of = {code: h for h, code in dens.items()}
        columns, den_map = {}, {}
        for h, code in inds.items():
            spec = cb.indicators[code]
            den = den_of.get(spec["denominator"])
            if den is None or spec["indicator"] in den_map:  # no universe for it, or the indicator read already
                continue
            columns[h] = spec["indicator"]
            den_map[spec["indicator"]] = den
        if not columns or len(codes) < cb.min_matches:
            continue
        share = len(codes) / max(len(hs), 1)
        confidence = round(min(1.0, 0.5 + 0.08 * len(codes) + 0.3 * share), 2)
        m = CodebookMatch(codebook=cb, codes=codes, columns=columns, den_map=den_map,
                          denominators={den_of[cb.indicators[inds[h]]["denominator"]]:
                                        cb.denominators[cb.indicators[inds[h]]["denominator"]]["universe"]
                                        for h in columns},
                          confidence=confidence)
        _choose_area(m, hs, names_of)
        if best is None or (len(codes), confidence) > (len(best[1].codes), best[0]):
            best = (confidence, m)
    return best[1] if best else None


def _choose_area(m: CodebookMatch, headers: list[str], names_of: Callable[[str], list[str]] | None) -> None:
    """The finest area level of the codebook present in the table that names several areas."""
    levels = []
    for area in m.codebook.areas:
        name = _find(headers, area["name"]) if area.get("name") else None
        code = _find(headers, area["code"]) if area.get("code") else None
        if name or code:
            levels.append((name, code, area.get("level")))
    if not levels:
        return
    chosen = len(levels) - 1
    if names_of is not None:
        for i in range(len(levels) - 1, -1, -1):
            col = levels[i][0] or levels[i][1]
            if len(names_of(col)) >= 2:
                chosen = i
                break
    name, code, level = levels[chosen]
    m.area, m.code, m.area_level = name or code, code if name else None, level
    for name_p, code_p, _ in reversed(levels[:chosen]):
        col = name_p or code_p
        if names_of is None or len(names_of(col)) >= 2:
            m.parent = col
            break
