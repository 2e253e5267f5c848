"""Column roles of census-style tables: areas, codes, levels, parents, denominators, indicators.

Each header is recognised by :mod:`egovkit.read.column_headers` (:func:`column_role`,
:func:`recognise_indicator`); this module assigns the roles of a table's columns
(:func:`_assign_roles`, returning a :class:`Roles`). ``read_table(columns=...)`` always wins over
what is recognised.

Tables whose headers are a census office's variable codes (INEGI ``VPH_INTER``, ABS ``IA_Total``,
CSO ``T15_2_Y``, DANE ``STP19_INT1``) are read through the publisher codebooks of
:mod:`egovkit.read.codebooks` (:mod:`egovkit.read.codebook_roles`): the codes give the indicators,
their denominator (the question's universe) and the area columns, for every argument the user did
not give, in a ``codebook`` note. Once the roles are known, :mod:`egovkit.read.universe` checks that
the denominator is the universe of the counts (a ``denominator_universe`` warning otherwise).

The names of :mod:`~egovkit.read.column_headers`, :mod:`~egovkit.read.area_keys` and
:mod:`~egovkit.read.denominator_rows` stay importable from here.

Examples
--------
>>> normalise_header("DeskTop/Computer/Laptop/Tablet")
'desktop computer laptop tablet'
>>> recognise_indicator("MPO_Total_Perc")
ColumnMatch(indicator='mobile_phone', kind='percent', breakdown=None)
>>> column_role("ConventionalHouseholds")
('denominator', 'households')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from ..concepts import Recognition, said_universe
from ..concepts import recognise as recognise_concept
from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .area_keys import _norm_series, area_keys  # noqa: F401  (imported from here by levels, stacked)
from .codebook_roles import _codebook_roles
from .column_headers import (  # noqa: F401  (the header names, importable from here as before)
    CATALOGUE_PATH,
    ColumnMatch,
    _column_role,
    _in_universe,
    _recognise,
    _squash,
    _squashed_not_ict,
    _units,
    ambiguous_indicators,
    catalogue,
    column_role,
    header_universe,
    indicator_names,
    is_breakdown_only,
    is_not_ict,
    normalise_header,
    normalise_name,
    recognise_indicator,
)
from .context import _check_column, _Context
from .denominator_rows import _denominator_rows
from .numbers import _as_text
from .universe import universe_word


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


def _either(options) -> str:
    """``'a' or 'b'``: the options quoted, joined by the catalogue's word for "or".

    >>> _either(("mobile_phone", "desktop_laptop"))
    "'mobile_phone' or 'desktop_laptop'"
    """
    return f" {render('read.word_or')} ".join(map(repr, options))


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


@dataclass
class _Sorted:
    """What each column of a table was sorted as (:func:`_sort_column`), before the roles are chosen."""

    by_role: dict[str, list[str]] = field(default_factory=lambda: {r: [] for r in (
        "area", "code", "level", "parent", "indicator", "value")})
    dens: list[tuple[str, str | None]] = field(default_factory=list)
    ind_cols: list[tuple[str, str, str | None]] = field(default_factory=list)  # (column, indicator, kind)
    breakdowns: list[str] = field(default_factory=list)
    not_ict: list[str] = field(default_factory=list)
    unknown_num: list[str] = field(default_factory=list)
    ignored_text: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unrelated: list[Recognition] = field(default_factory=list)  # income, area_km2...: notes, not warnings
    uncertain: list[Recognition] = field(default_factory=list)  # one candidate indicator, too few words understood
    recognitions: list[Recognition] = field(default_factory=list)
    book_other: set[str] = field(default_factory=set)  # a recognised product's codes that are not read


#: the keyword of :func:`egovkit.read.read_table` that gives a role's column
_KEYWORD = {"area": "name", "code": "key"}


def _assign_roles(ctx: _Context, *, area, code, level, parent, denominator, universe, columns, layout) -> Roles:
    """The role of every column of ``ctx.raw`` (the arguments of ``read_table`` win), each inference
    reported; an :class:`~egovkit.errors.InputError` when no area or indicator column is found.

    The steps: the arguments checked (:func:`_checked_arguments`), a publisher codebook's roles
    (:func:`~egovkit.read.codebook_roles._codebook_roles`), each column sorted (:func:`_sort_column`),
    the recognitions said (:func:`_say_recognitions`), the layout, the area, code, parent and level
    columns (:func:`_area_columns`), the denominators, the indicator columns (:func:`_wide_indicators`
    or :func:`_long_columns`), the columns left out said (:func:`_say_left_out`)."""
    raw, report = ctx.raw, ctx.report
    columns, den_map = _checked_arguments(ctx, area=area, code=code, level=level, parent=parent,
                                          denominator=denominator, columns=columns, layout=layout)
    # publisher codebooks (INEGI VPH_INTER, ABS IA_Total, CSO T15_2_Y...): they fill in only what was not given
    hint = {c for c in (area, code, parent) if c is not None}
    book = _codebook_roles(ctx, area=area, code=code, parent=parent, denominator=denominator, universe=universe,
                           columns=columns, layout=layout)
    if book is not None:
        area, code, parent = book["area"], book["code"], book["parent"]
        denominator, universe, columns, den_map = book["denominator"], book["universe"], book["columns"], \
            book["den_map"]
    explicit = {area, code, level, parent} | ({denominator} if isinstance(denominator, str) else set()) \
        | set(den_map.values())
    given = {c: a for c, a in ((area, "area"), (code, "code"), (level, "level"), (parent, "parent"))
             if c is not None}
    given.update({c: "denominator" for c in explicit - set(given) if c is not None})
    s = _Sorted(book_other=set(book["other"]) if book is not None else set())
    for col in raw.columns:
        _sort_column(ctx, col, s, given=given, columns=columns, layout=layout, book=book)
    _say_recognitions(ctx, s, book, hint)
    _bare_total_as_value(ctx, s, layout)

    if layout is None:
        layout = "wide" if s.ind_cols or not (s.by_role["indicator"] and s.by_role["value"]) else "long"
        if layout == "long":
            report.add("info", "layout", params={"indicator": s.by_role["indicator"][0],
                                                 "value": s.by_role["value"][0]}, action="inferred")
    roles: dict = {"layout": layout}
    area, code, parent, level = _area_columns(ctx, s.by_role, area=area, code=code, parent=parent, level=level)
    roles.update(area=area, code=code, parent=parent, level=level)

    # denominators
    dens = s.dens
    if isinstance(denominator, str):
        dens = [(denominator, universe)]
    elif den_map:
        dens = [(c, universe) for c in dict.fromkeys(den_map.values())]
    elif universe is not None and len(dens) == 1:
        dens = [(dens[0][0], universe)]
    roles["denominators"] = dens
    roles["den_map"] = den_map

    if layout == "wide":
        roles["indicator_columns"] = _wide_indicators(ctx, s)
    else:
        roles.update(_long_columns(ctx, s, area=area, code=code, parent=parent, dens=dens))
        dens = roles["denominators"]
    _say_left_out(ctx, s, book)

    ind_cols = s.ind_cols
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


def _checked_arguments(ctx: _Context, *, area, code, level, parent, denominator, columns,
                       layout) -> tuple[dict[str, str], dict[str, str]]:
    """The columns the arguments name are in the table and ``columns=`` maps to catalogue indicators;
    returns ``columns`` as a dict and the ``{indicator: column}`` of a ``denominator=`` dict."""
    for col, arg in ((area, "name"), (code, "key"), (level, "level"), (parent, "parent")):  # read_table's keywords
        _check_column(ctx, col, arg)
    columns = dict(columns or {})
    valid = set(indicator_names()) | {"ignore"}
    for col, ind in columns.items():
        if ind not in valid:
            raise InputError(code="read.not_an_indicator", params={"indicator": ind,
                                                                   "indicators": sorted(valid - {"ignore"})},
                             file=ctx.name, column=col)
        if layout == "wide":
            _check_column(ctx, col, "columns")
    den_map: dict[str, str] = {}
    if isinstance(denominator, dict):
        den_map = dict(denominator)
        for col in den_map.values():
            _check_column(ctx, col, "denominator")
    elif denominator is not None:
        _check_column(ctx, denominator, "denominator")
    return columns, den_map


def _sort_column(ctx: _Context, col: str, s: _Sorted, *, given: dict[str, str], columns: dict[str, str],
                 layout: str | None, book: dict | None) -> None:
    """Sort one column: given by an argument, a role (area, code, denominator...), an indicator, or
    a column left out (and why), its recognition appended to ``s.recognitions``."""
    raw = ctx.raw
    rec = recognise_concept(col)
    if col in given:
        said = render("read.reason_given", {"argument": _KEYWORD.get(given[col], given[col])})
        s.recognitions.append(_as_given(rec, given[col], said))
        return
    if col in s.book_other and col not in columns:
        s.recognitions.append(replace(rec, role="other", indicator=None, confidence=0.9, alternatives=(),
                                      reason=render("read.reason_code_not_read",
                                                    {"product": book["match"].codebook.product})))
        return
    match = recognise_indicator(col)
    if col in columns and layout != "long":
        if columns[col] == "ignore":
            s.ignored.append(col)
            s.recognitions.append(_as_given(rec, "other", render("read.reason_ignored_as_asked")))
        else:
            s.ind_cols.append((col, columns[col], match.kind))
            s.recognitions.append(_as_given(rec, "indicator", render("read.reason_given_columns"),
                                            indicator=columns[col]))
        return
    role = column_role(col)
    if role is not None and role[0] == "denominator" and _concept_only(col) and not _looks_numeric(raw[col]):
        role = None  # words of a universe over text cells ("Situação do domicílio"): not a denominator
    if role is not None:
        s.recognitions.append(_agreed(rec, {"indicator": "variable"}.get(role[0], role[0]), universe=role[1]))
        if role[0] == "denominator":
            s.dens.append((col, role[1]))
        else:
            s.by_role[role[0]].append(col)
        return
    if match.indicator is not None:
        s.recognitions.append(_agreed(rec, "indicator", indicator=match.indicator))
        if match.breakdown is not None:
            s.breakdowns.append(col)
        else:
            s.ind_cols.append((col, match.indicator, match.kind))
            _check_header_universe(ctx, col, match.indicator)
        return
    s.recognitions.append(rec)
    if ambiguous_indicators(col):
        options = ambiguous_indicators(col)
        why = rec.head if rec.ambiguous else render("read.portable_ambiguous")
        ctx.report.add("warning", "ambiguous_column", params={
            "column": col, "options": _either(options), "why": why, "first": options[0],
            "others": ", ".join(map(repr, options[1:]))}, column=col, action="ignored")
    elif is_breakdown_only(col):
        s.breakdowns.append(col)
    elif _squash(normalise_header(col)) in _squashed_not_ict():
        s.not_ict.append(col)
    elif rec.confidence >= 0.5 and (rec.role == "other" and rec.confidence > 0 or rec.role == "coordinate"):
        s.unrelated.append(rec)
    elif book is not None:  # another code of a recognised product: one note (below), no cell read
        s.book_other.add(col)
    elif rec.role == "indicator" and rec.indicator is not None and _looks_numeric(raw[col]):
        s.uncertain.append(rec)
    elif _looks_numeric(raw[col]):
        s.unknown_num.append(col)
    else:
        s.ignored_text.append(col)


def _check_header_universe(ctx: _Context, col: str, indicator: str) -> None:
    """A warning when the header speaks of another universe than the one ``indicator`` counts (and
    the catalogue has no variant of the device in that universe)."""
    said = header_universe(col)
    unit = catalogue().set_index("name").loc[indicator, "unit"]
    if said is not None and said != unit:
        ctx.report.add("warning", "read.universe_mismatch_header", params={
            "column": col, "said": universe_word(said), "indicator": indicator, "unit": universe_word(unit)},
            column=col, action="inferred")


def _say_recognitions(ctx: _Context, s: _Sorted, book: dict | None, hint: set[str]) -> None:
    """The recognitions into the report (those a codebook filled in say so), and a note naming the
    columns recognised by what their headers say rather than by the catalogue's spellings."""
    supplied: set[str] = set()
    if book is not None:  # what the codebook filled in is not "given": say where it comes from
        supplied = {c for c in (book["area"], book["code"], book["parent"]) if c is not None and c not in hint} | \
            set(book["supplied_columns"]) | set(book["supplied_denominators"])
        cb = book["match"].codebook
        s.recognitions[:] = [replace(r, reason=render("read.reason_codebook", {
            "what": f"{r.role} {r.indicator}" if r.indicator else r.role, "product": cb.product,
            "file": cb.source_file})) if r.column in supplied else r for r in s.recognitions]
    ctx.report.recognitions = s.recognitions
    by_concept = [r for r in s.recognitions if r.confident and r.role in ("indicator", "area", "code", "denominator")
                  and _concept_only(r.column) and r.column not in supplied]
    if by_concept:
        ctx.report.add("info", "recognised_columns", params={"columns": "; ".join(
            f"{r.column!r} -> {r.indicator or r.role} ({r.confidence:.2f})" for r in by_concept)}, action="inferred")


def _bare_total_as_value(ctx: _Context, s: _Sorted, layout: str | None) -> None:
    """A long table whose values sit in a column named like a bare total ("Total" beside "Urban",
    "Rural"; "total" beside "household goods"): that column is the value column, not a denominator."""
    if not (layout in (None, "long") and not s.ind_cols and s.by_role["indicator"] and not s.by_role["value"]):
        return
    bare = [c for c, u in s.dens if u is None and recognise_concept(c).role == "denominator"
            and recognise_concept(c).universe is None and _looks_numeric(ctx.raw[c])]
    if bare:
        s.by_role["value"].append(bare[0])
        s.dens[:] = [(c, u) for c, u in s.dens if c != bare[0]]
        why = render("read.reason_bare_total_value", {"column": s.by_role["indicator"][0]})
        s.recognitions[:] = [replace(r, role="value", reason=why) if r.column == bare[0] else r
                             for r in s.recognitions]


def _area_columns(ctx: _Context, by_role: dict[str, list[str]], *, area, code, parent,
                  level) -> tuple[str, str | None, str | None, str | None]:
    """The area, code, parent and level columns (the arguments win), each inference reported; an
    :class:`~egovkit.errors.InputError` when there is no column of names (nor of codes)."""
    raw, report = ctx.raw, ctx.report
    names = by_role["area"]
    if area is None:
        if not names:
            if code is None and by_role["code"]:
                area = by_role["code"][0]
                report.add("warning", "area_column", params={"area": area, "why": render("read.area_from_codes"),
                                                              "fix_code": "read.area_from_codes"},
                           column=area, action="inferred")
            else:
                raise InputError(code="read.no_area_column", params={"columns": list(raw.columns)}, file=ctx.name)
        else:
            nun = {c: raw[c].nunique() for c in names}
            area = max(names, key=lambda c: (nun[c], -names.index(c)))
            if len(names) > 1:
                report.add("info", "area_column", params={
                    "area": area, "why": render("read.area_most_names", {"names": names})},
                    column=area, action="inferred")
    if parent is None:  # a coarser name column (fewer distinct names) is the parent
        n_area = raw[area].nunique()
        others = [c for c in names if c != area and raw[c].nunique() < n_area] + \
            [c for c in by_role["parent"] if c != area]
        if others:
            parent = min(others, key=lambda c: raw[c].nunique())
            report.add("info", "parent_column", params={"parent": parent}, column=parent, action="inferred")
    if code is None and by_role["code"]:
        code = by_role["code"][0]
    if level is None and by_role["level"]:
        level = by_role["level"][0]
    return area, code, parent, level


def _wide_indicators(ctx: _Context, s: _Sorted) -> list[tuple[str, str, str | None]]:
    """The indicator columns of a wide table; an :class:`~egovkit.errors.InputError` when there is none
    (a raw ACS download, headers that may mean two indicators, or nothing recognised)."""
    raw, name = ctx.raw, ctx.name
    ind_cols = s.ind_cols
    acs = [c for c in raw.columns if re.match(r"S2801_C0\d_\d{3}", str(c))]
    # the second header row of an ACS download ("Estimate!!Total!!..."), found as the header
    # because its words are recognised: the same file
    acs_labels = [c for c in raw.columns if re.match(r"(Estimate|Margin of Error)!!", str(c))]
    if len(acs_labels) >= 4 and any("percent" in str(c).lower() for c in acs_labels) and \
            any(str(c).startswith("Margin of Error!!") for c in acs_labels):
        ind_cols = []
    if not ind_cols and (acs or acs_labels):
        such = render("read.acs_columns", {"n": len(acs), "column": acs[0]}) if acs else \
            render("read.acs_labels", {"label": acs_labels[0]})
        raise InputError(code="read.raw_acs_download", params={"such": such}, file=name)
    if not ind_cols:
        asked = [r for r in s.recognitions if r.role == "indicator" and not r.confident
                 and (r.alternatives or r.indicator)]
        if asked:  # ambiguous or uncertain headers: say which, with the mapping that reads them
            raise InputError(code="read.no_confident_indicator", params={
                "columns": list(raw.columns),
                "asked": "; ".join(render("read.column_may_be", {"column": r.column, "options": _either(
                    r.alternatives or (r.indicator,))}) for r in asked),
                "mapping": ", ".join(f"{r.column!r}: {(r.alternatives or (r.indicator,))[0]!r}" for r in asked)},
                file=name)
        raise InputError(code="read.no_indicator", params={"columns": list(raw.columns),
                                                           "indicators": ", ".join(catalogue()["name"])}, file=name)
    for role_name in ("indicator", "value"):
        s.unknown_num += [c for c in s.by_role[role_name] if _looks_numeric(raw[c])]
    return ind_cols


def _long_columns(ctx: _Context, s: _Sorted, *, area: str, code: str | None, parent: str | None,
                  dens: list[tuple[str, str | None]]) -> dict:
    """The indicator and value columns of a long table (and its denominator rows when no column
    holds the denominators); an :class:`~egovkit.errors.InputError` when one is missing."""
    ind_col = s.by_role["indicator"][0] if s.by_role["indicator"] else None
    val_col = s.by_role["value"][0] if s.by_role["value"] else None
    if ind_col is None or val_col is None:
        raise InputError(code="read.long_layout_columns", params={"columns": list(ctx.raw.columns)}, file=ctx.name)
    s.ignored_text += [c for c, _, _ in s.ind_cols]
    out: dict = {"indicator_column": ind_col, "value_column": val_col, "denominators": dens}
    if not dens:
        out["denominators"] = _denominator_rows(ctx, area=area, code=code, parent=parent, ind_col=ind_col,
                                                val_col=val_col)
    return out


def _say_left_out(ctx: _Context, s: _Sorted, book: dict | None) -> None:
    """One finding per kind of column left out: breakdowns, other assets, unrelated, uncertain, a
    codebook's other codes, unknown numeric columns, text columns, columns ignored as asked."""
    report = ctx.report
    if s.breakdowns:
        report.add("info", "breakdown_columns", params={"columns": s.breakdowns}, action="ignored")
    if s.not_ict:
        report.add("info", "not_ict", params={"columns": s.not_ict}, action="ignored")
    for r in s.unrelated:
        report.add("info", "unrelated_column", params={"column": r.column, "reason": r.head},
                   column=r.column, action="ignored")
    for r in s.uncertain:
        report.add("warning", "uncertain_column", params={"column": r.column, "indicator": r.indicator,
                                                          "confidence": r.confidence, "reason": r.reason},
                   column=r.column, action="ignored")
    unknown_num = s.unknown_num
    if book is not None and unknown_num:  # the product's other codes: one note, not a warning each
        s.book_other |= set(unknown_num)
        unknown_num = []
    if s.book_other:
        shown = sorted(s.book_other, key=list(ctx.raw.columns).index)
        report.add("info", "codebook_other_columns", params={
            "n": len(shown), "product": book["match"].codebook.product,
            "columns": ", ".join(map(str, shown[:12])) + ("..." if len(shown) > 12 else "")}, action="ignored")
    for col in unknown_num:
        report.add("warning", "unknown_column", params={"column": col, "indicators": ", ".join(indicator_names())},
                   column=col, action="ignored")
    if s.ignored_text:
        report.add("info", "ignored_columns", params={"columns": s.ignored_text}, action="ignored")
    if s.ignored:
        report.add("info", "read.ignored_as_asked", params={"columns": s.ignored}, action="ignored")



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
        report.add("info", "universe_from_denominator", params={
            "header": str(header), "unit": universe_word(next(iter(unis))), "other": other, "indicator": indicator,
            "indicator_unit": universe_word(str(units.get(indicator)))}, column=column, action="inferred")
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
                   alternatives=(), reason=render("read.reason_catalogue_words" if rec.reason else
                                                  "read.reason_catalogue", {"what": what, "words": rec.reason}))


@lru_cache(maxsize=8192)
def _concept_only(header: str) -> bool:
    """True when only the concepts (not the catalogue's spellings) recognise ``header``."""
    norm = normalise_header(header)
    return _recognise(norm).indicator is None and _column_role(norm) is None


