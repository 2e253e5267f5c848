"""Levels and totals: which rows are districts, which are totals or higher levels (kept apart).

Totals rows are recognised by name, word-based, case- and accent-insensitive
(:func:`total_kind`); rows that are parents of other rows (:func:`_parent_rows`) and district
rows that equal the sum of the others (:func:`_find_hidden_totals`) are kept apart too; the
table's own total rows are checked against its districts (:func:`_check_totals_rows`).

Examples
--------
>>> total_kind("Total de la région"), total_kind("Kibra")
('national', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validate import ValidationReport
from .blocks import Block
from .context import _Context, _parsed_column
from .numbers import _OK, _decimals, _lines_text, _text
from .roles import Roles, _norm_series, normalise_name

#: Area names (normalised) recognised as totals rows; a trailing ``*`` or words after
#: ``rural``/``urban`` are allowed (``RURAL*``, ``Urban areas``). Names built on a total word
#: are recognised too, see :func:`total_kind`.
TOTAL_NAMES = {"total", "totals", "grand total", "total general", "national", "nation", "country",
               "pays", "ensemble", "all", "all areas", "tous", "kenya", "republic of kenya",
               "france", "france entiere", "france metropolitaine", "united states", "usa",
               "rural", "urban", "urbain", "urbaine", "rurale", "total rural", "total urban",
               "milieu rural", "milieu urbain", "total population", "whole country", "tout le pays"}
# words that make a name a total wherever they stand (EN/FR/ES/PT/IT/DE/TR/NL...)
_TOTAL_WORDS = {"total", "totals", "totaux", "totale", "totales", "totaal", "totalt", "toplam", "gesamt",
                "insgesamt", "summe", "overall", "grandtotal", "subtotal", "subtotals", "soustotal", "nationwide",
                "countrywide"}
# words that make a name a total when they come first (``Ensemble du territoire``, ``All districts``)
_TOTAL_FIRST = {"ensemble", "sum", "somme", "suma", "soma", "national", "nacional", "nationale", "nazionale",
                "all", "tous", "toutes", "todo", "todos", "todas", "tutti", "tutto", "whole", "entire",
                "country", "pays"}
# the same, only with a word about areas after them (``Tout le territoire``, ``Toda la región``; ``Alle`` is a town)
_TOTAL_FIRST_QUALIFIED = {"tout", "toute", "toda", "tutta", "tutte", "alle", "conjunto"}
_AREA_WORDS = {"districts", "district", "areas", "area", "counties", "county", "communes", "commune", "regions",
               "region", "provinces", "province", "municipalities", "municipios", "municipalites", "departments",
               "departements", "departamentos", "zones", "zonas", "wards", "localities", "localites",
               "territory", "territoire", "territorio", "country", "pays", "pais", "nation", "level", "les", "la",
               "le", "du", "de", "des", "los", "las", "as", "os", "da", "do", "the", "of", "combined", "together",
               "states", "cities", "villes", "arrondissements", "cantons", "circles", "cercles", "prefectures",
               "subcounties", "sub", "constituencies", "neighbourhoods", "neighborhoods", "quartiers", "sum",
               "total", "totals", "nacional", "national", "general", "geral", "entier", "entiere", "entire",
               "whole", "all", "tous", "toutes", "todos", "todas", "a", "and", "et", "y", "e", "el", "o",
               "population", "households", "menages", "persons", "personnes", "hogares", "domicilios",
               # singular and ES/PT/IT/DE forms (``Ensemble du département``, ``Toda la región``...)
               "departement", "departamento", "municipality", "municipio", "municipalite", "comuna", "comunas",
               "comune", "comuni", "regiao", "regioes", "regione", "regioni", "provincia", "provincias", "estado",
               "estados", "entidad", "state", "city", "ville", "ciudad", "cidade", "quartier", "neighbourhood",
               "neighborhood", "bairro", "bairros", "barrio", "barrios", "ward", "locality", "localite", "zone",
               "zona", "paese", "land", "gebiet", "gemeinden", "kreise", "en", "al", "del", "dos", "das", "di",
               "della", "dello", "lo", "il", "der", "die", "entiers", "entieres", "completo",
               "completa", "inteiro", "inteira", "tutto", "intero", "intera", "selected", "listed", "above"}
_SUB_WORDS = {"sub", "subtotal", "subtotals", "soustotal", "sous", "subtotaal", "subtotale", "zwischensumme"}
_RURAL = {"rural", "rurale", "rurales", "rurais", "rurali"}
_URBAN = {"urban", "urbain", "urbaine", "urbaines", "urbains", "urbano", "urbana", "urbanos", "urbanas", "urbani"}
# words in front of rural/urban that keep it a total (``Milieu rural``, ``Zona urbana``, ``Área urbana``)
_AREA_LEADS = {"milieu", "zone", "zones", "zona", "zonas", "area", "areas", "medio", "setor", "situacao", "resto",
               "localidad", "localidades"}


def total_kind(name: object) -> str | None:
    """``"national"`` when an area name says the row is a total of the table, ``"subtotal"`` for a
    subtotal, ``"rural"``/``"urban"`` for those totals, else ``None``.

    Word-based, case- and accent-insensitive, qualifiers allowed: ``Total``, ``TOTAL*``,
    ``Total de la région``, ``Grand total``, ``Country total``, ``Ensemble du territoire``,
    ``All districts``, ``National``, ``Toplam``, ``Total geral``... A district named with such a
    word in another sense (``All Saints``, ``Sumatra``) is not a total: ``all``/``sum``/
    ``national``... only count when every other word is a word about areas.

    Examples
    --------
    >>> [total_kind(x) for x in ["Total de la région", "All districts", "Sous-total Nord", "All Saints", "Kibra"]]
    ['national', 'national', 'subtotal', None, None]
    """
    norm = re.sub(r"[^a-z0-9]+", " ", normalise_name(str(name).replace("%", " "))).strip()
    return _total_kind(norm)


@lru_cache(maxsize=1)
def _total_trigger() -> frozenset[str]:
    return frozenset(_TOTAL_WORDS | _TOTAL_FIRST | _TOTAL_FIRST_QUALIFIED | _SUB_WORDS
                     | {w for n in TOTAL_NAMES for w in n.split()} | _RURAL | _URBAN)


def _maybe_total(norm: str) -> bool:
    return not _total_trigger().isdisjoint(norm.split()) or "subtotal" in norm or "soustotal" in norm \
        or "grandtotal" in norm


def _total_kinds(norm: pd.Series) -> pd.Series:
    """:func:`_total_kind` of normalised names ("" when not a total); only names holding a total
    word are looked at (one vectorised pass, so 10^5 district names stay fast)."""
    codes, uniq = pd.factorize(norm.to_numpy(dtype=object))  # long tables repeat every name
    kinds = np.full(len(uniq), "", dtype=object)
    for j, x in enumerate(uniq):
        if isinstance(x, str) and _maybe_total(x):
            kinds[j] = _total_kind(x) or ""
    return pd.Series(kinds[codes] if len(uniq) else np.full(len(norm), "", dtype=object), index=norm.index)


@lru_cache(maxsize=65536)
def _total_kind(norm: str) -> str | None:
    if not norm:
        return None
    toks = norm.split()
    joined = "".join(toks)
    # rural/urban totals: the word first, or after a total/area word (``Total urbano``, ``Área urbana``)
    lead = [t for t in toks if t not in _TOTAL_WORDS and t not in _AREA_WORDS and t not in _AREA_LEADS]
    if toks[0] in {"rural", "rurale"} or (len(lead) == 1 and lead[0] in _RURAL):
        return "rural"
    if toks[0] in {"urban", "urbain", "urbaine"} or (len(lead) == 1 and lead[0] in _URBAN):
        return "urban"
    if any(t in _SUB_WORDS for t in toks) or joined.startswith(("subtotal", "soustotal")):
        return "subtotal"
    if norm in TOTAL_NAMES:
        return "national"
    if any(t in _TOTAL_WORDS for t in toks) or joined in {"grandtotal", "totalgeneral"}:
        return "national"
    if (toks[0] in _TOTAL_FIRST or toks[0] in _TOTAL_FIRST_QUALIFIED and len(toks) > 1) \
            and all(t in _AREA_WORDS or t.isdigit() for t in toks[1:]):
        return "national"
    return None


_TOTAL_LEVELS = {"xxx", "national", "nation", "country", "total", "pays", "ensemble"}
_PLACEHOLDERS = {"", "xxx", "nan", "na", "none", "-"}




# ----------------------------------------------------------------------------------------------
# the table's own totals against its districts
# ----------------------------------------------------------------------------------------------
def _check_totals_rows(data: pd.DataFrame, other: pd.DataFrame, value_type: str, report: ValidationReport,
                       *, rel_tol: float = 0.005, n_districts: int | None = None) -> None:
    """Compare the table's own territory-total row(s) with the sum of its districts.

    Denominators must agree within ``rel_tol`` (0.5 %); rates within the rounding of the
    published values (0.1 percentage point when they were given as percentages, else
    ``rel_tol``). Agreement is noted, disagreement is a warning naming the total row, the
    indicator and both figures; nothing is changed. An indicator with a value dropped in one of the
    ``n_districts`` district areas is not compared (said in a note).
    """
    if data.empty or other.empty or "level" not in other:
        return
    tot = other[other["level"] == "national"]
    if tot.empty:
        return
    if "rate_only" in data.columns:  # published rates without weights: an unweighted mean says nothing
        report.add("info", "totals_check", f"totals row(s) {tot['area_name'].astype(str).unique().tolist()[:3]} "
                   "kept as the territory's published figures; not checked against the districts (published "
                   "rates without households/persons cannot be added up)", action="kept apart")
        return
    sums = data.groupby("indicator")[["numerator", "denominator"]].sum()
    # an indicator with dropped district values cannot add up to the total: not compared
    n_rows = data.groupby("indicator", observed=True)["source_row"].nunique()
    # n_districts: the named district rows (an indicator missing in one of them is partial too)
    partial = set(n_rows.index[n_rows < max(n_rows.max(), n_districts or 0)])
    checked, bad = 0, 0
    for _, r in tot.iterrows():
        ind = r["indicator"]
        if ind not in sums.index or not (r["denominator"] > 0) or ind in partial:
            continue
        num, den = sums.loc[ind, "numerator"], sums.loc[ind, "denominator"]
        if not den > 0:
            continue
        checked += 1
        share_d, share_t = num / den, r["numerator"] / r["denominator"]
        tol_share = 0.001 if value_type == "percent" else rel_tol * max(share_t, 1e-9)
        problems = []
        if abs(den - r["denominator"]) > rel_tol * r["denominator"]:
            problems.append(f"denominator {r['denominator']:,.0f} in the total row vs {den:,.0f} summed over the "
                            "districts")
        if abs(share_d - share_t) > tol_share + 1e-12:
            problems.append(f"rate {100 * share_t:.2f} % in the total row vs {100 * share_d:.2f} % from the districts")
        if problems:
            bad += 1
            row = r.get("source_row")
            report.add("warning", "total_row_disagrees",
                       f"{ind}: the total row {r['area_name']!r} does not match its districts: " + "; ".join(problems),
                       row=None if pd.isna(row) else int(row), area=str(r["area_name"]),
                       fix="check for missing or duplicated districts, or a total of another scope (e.g. another year)")
    if checked and not bad:
        report.add("info", "total_row_agrees", f"the total row(s) agree with the sum of the districts for {checked} "
                   "indicator(s) (denominators within 0.5 %, rates within rounding)", action="kept apart")
    if partial & set(tot["indicator"]):
        report.add("info", "total_row_not_compared", f"the total row(s) not compared with the districts for "
                   f"{sorted(partial & set(tot['indicator']))}: some district values of these indicators were dropped "
                   "(see above)", action="kept apart")


def _classify_rows(ctx: _Context, roles: Roles, district_level: str | None, dec: str = ".") -> pd.DataFrame:
    """Per input row: names, code, level, parent, is_total, is_district, duplicate key.

    Without a level column, rows that are the totals of other rows (a region row among its
    districts) are found by :func:`_parent_rows` and kept apart."""
    raw, report = ctx.raw, ctx.report
    n = len(raw)
    area_name = _text(raw[roles.area])
    norm_name = _norm_series(raw[roles.area])
    kind = _total_kinds(norm_name)
    kind, area_name, norm_name = _totals_elsewhere(ctx, roles, kind, area_name, norm_name)
    country = norm_name.isin(_country_names())
    if _of_countries(int(country.sum()), n):  # a table of countries: 'France' is one of them, not a total
        kind = kind.where(~country, "")
    rural, urban, sub = (kind == "rural"), (kind == "urban"), (kind == "subtotal")
    is_total = kind != ""
    area_code = (_text(raw[roles.code]).str.strip() if roles.code else pd.Series([""] * n))
    if roles.level:
        lvl = _text(raw[roles.level]).str.strip()
        is_total |= lvl.str.lower().isin(_TOTAL_LEVELS)
    else:
        lvl = pd.Series(["district"] * n)
    total_label = np.where(rural, "rural", np.where(urban, "urban", np.where(sub, "subtotal", "national")))
    if roles.level:
        candidates = lvl[~is_total]
        if district_level is None:
            counts = candidates[candidates != ""].value_counts()
            if counts.empty:
                district_level = ""
            else:
                district_level = str(counts.index[0])
                others = {k: int(v) for k, v in counts.items() if k != district_level}
                report.add("info", "district_level",
                           f"district level inferred from column {roles.level!r}: {district_level!r} "
                           f"({int(counts.iloc[0])} rows, the most frequent); other levels kept apart: {others}",
                           column=roles.level, action="inferred",
                           fix=f"pass district_level= one of {list(counts.index)} to choose another")
        elif district_level not in set(lvl):
            raise InputError(f"district_level {district_level!r} is not a value of column {roles.level!r}",
                             file=ctx.name, column=roles.level,
                             fix=f"use one of {sorted(set(lvl))}")
        is_district = ~is_total & (lvl == district_level)
    else:
        is_district = ~is_total
    level_out = lvl.where(~is_total, pd.Series(total_label, index=lvl.index))
    par_norm = _norm_series(raw[roles.parent]) if roles.parent else pd.Series([""] * n)
    if not roles.level:
        upper, upper_level = _parent_rows(ctx, roles, norm_name, par_norm, is_total.to_numpy(), dec)
        if upper.any():
            is_district &= ~upper
            level_out = level_out.where(~upper, pd.Series(upper_level, index=lvl.index))
    else:
        upper = np.zeros(n, dtype=bool)
    if roles.parent:
        par = _text(raw[roles.parent]).str.strip()
        placeholder = par.str.lower().isin(_PLACEHOLDERS) | is_total | upper
        if roles.level:  # the level column tells the parent rows; theirs is their own name
            placeholder |= par_norm == norm_name
        par = par.where(~placeholder, "")
    else:
        par = pd.Series([""] * n)
    rows = pd.DataFrame({
        "area_name": area_name.to_numpy(),
        "area_code": area_code.to_numpy(),
        "level": level_out.to_numpy(),
        "parent": par.to_numpy(),
        "is_total": is_total.to_numpy(),
        "is_district": is_district.to_numpy(),
        "line": ctx.lines,
    })
    # duplicate key: code when there is one, else (parent, normalised name)
    if roles.code:
        rows["key"] = np.where(rows["area_code"] != "", rows["area_code"], norm_name.to_numpy())
    else:
        rows["key"] = rows["parent"].str.upper().to_numpy() + "\x1f" + norm_name.to_numpy()
    missing_name = (norm_name == "").to_numpy() & (rows["area_code"] == "").to_numpy()
    rows["no_name"] = missing_name
    for i in np.flatnonzero(missing_name):
        report.add("error", "missing_area", "the row has no area name or code", row=int(rows["line"].iat[i]),
                   column=roles.area, action="dropped", fix="fill in the district name")
    n_tot = int(rows["is_total"].sum())
    n_other = int((~rows["is_district"] & ~rows["is_total"] & ~upper).sum())
    if n_tot or n_other:
        tot = rows.loc[rows["is_total"]]
        tot_names = tot["area_name"].unique().tolist()[:10]
        where = f" (rows {_lines_text(tot['line'].to_numpy())})" if n_tot else ""
        report.add("info", "kept_apart", f"{n_tot} totals row(s) {tot_names}{where} and {n_other} row(s) of other "
                   "levels kept apart in .other_levels (never mixed with the districts; the totals are checked "
                   "against them)", action="kept apart", row=int(tot["line"].iat[0]) if n_tot else None)
    return rows


def _totals_elsewhere(ctx: _Context, roles: Roles, kind: pd.Series, area_name: pd.Series,
                      norm_name: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Totals rows said outside the area cell: a code cell ``TOTAL``, or (when the area cell is
    empty, or the area column holds codes because no name column was recognised) a total word in
    another text cell of the row (``Total de la région`` under the region's column). A column
    counts only where such words are in a minority of its rows (a parent column reading ``Kenya``
    on every row says nothing). The row is then named by that cell.

    Examples
    --------
    >>> import numpy as np
    >>> from egovkit.validate import ValidationReport
    >>> raw = pd.DataFrame({"Région": ["Bretagne", "Bretagne", "Total de la région"], "code": ["1", "2", "53"],
    ...                     "commune": ["Brest", "Rennes", None]})
    >>> ctx = _Context(raw, np.arange(3) + 2, "t.csv", ValidationReport())
    >>> roles = Roles(layout="wide", area="commune", code="code", parent="Région")
    >>> name = _text(raw["commune"])
    >>> k, n, _ = _totals_elsewhere(ctx, roles, _total_kinds(_norm_series(raw["commune"])), name, _norm_series(name))
    >>> k.tolist(), n.tolist()
    (['', '', 'national'], ['Brest', 'Rennes', 'Total de la région'])
    """
    raw = ctx.raw
    n = len(raw)
    found = np.zeros(n, dtype=bool)
    roles_used = {roles.area, roles.level, roles.indicator_column, roles.value_column, *roles.numeric_columns}
    empty = (norm_name == "").to_numpy()
    as_codes = roles.code is not None and roles.area == roles.code
    cols: list[tuple[str, np.ndarray]] = []
    if roles.code and roles.code != roles.area:
        cols.append((roles.code, np.ones(n, dtype=bool)))
    if empty.any() or as_codes:
        where = np.ones(n, dtype=bool) if as_codes else empty
        for c in raw.columns:
            if c in roles_used or c == roles.code or pd.api.types.is_numeric_dtype(raw[c].dtype):
                continue
            if c != roles.parent and as_codes and not empty.any() and c != raw.columns[0]:
                continue  # codes as names: only the parent and the first column may name the row
            cols.append((c, where))
    if not cols:
        return kind, area_name, norm_name
    kind, area_name, norm_name = kind.copy(), area_name.copy(), norm_name.copy()
    for c, where in cols:
        todo = where & (kind == "").to_numpy() & ~found
        if not todo.any():
            continue
        k = _total_kinds(_norm_series(raw[c]))
        hit = (k != "").to_numpy().copy()
        if not hit.any() or 2 * hit.sum() > n:
            continue  # none, or on most rows: a word of the whole table, not of a totals row
        hit &= todo
        if not hit.any():
            continue
        text = _text(raw[c]).str.strip()
        kind[hit] = k[hit].to_numpy()
        area_name[hit] = text[hit].to_numpy()
        norm_name[hit] = _norm_series(text[hit]).to_numpy()
        found |= hit
    return kind, area_name, norm_name


#: First or last word of an area name that says the row is a higher level (``Region North``,
#: ``Western Province``); "county", "district", "commune" name ordinary districts.
_UPPER_FIRST = {"region", "regions", "province", "state", "division", "departement"}
_UPPER_LAST = {"region", "province", "division"}


def _parent_rows(ctx: _Context, roles: Roles, norm_name: pd.Series, par_norm: pd.Series, is_total: np.ndarray,
                 dec: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows that total other rows of the same table, when no level column says so.

    A row is a parent level when its name equals its own parent (``North,North``) or is the
    parent of other rows; its denominator is checked against the sum of those rows, which
    also tells apart a district named like its parent (Kenya's ``TANA RIVER`` sub-county). Without
    a parent column, a name such as ``Region North`` marks a higher level when some rows lack
    such a word; its denominator is checked against the rows below it. Everything is reported.

    Returns (is_parent_level, level label per row).
    """
    report, lines = ctx.report, np.asarray(ctx.lines)
    n = len(norm_name)
    upper = np.zeros(n, dtype=bool)
    label = np.full(n, "", dtype=object)
    nn = norm_name.to_numpy(dtype=object)
    pn = par_norm.to_numpy(dtype=object)
    names = _text(ctx.raw[roles.area]).to_numpy(dtype=object)
    den = np.full(n, np.nan)
    den_col = roles.denominators[0][0] if roles.denominators else None
    if den_col is not None and den_col in ctx.raw.columns:
        _, dv, dst, _ = _parsed_column(ctx, den_col, dec)
        den = np.where(dst == _OK, dv, np.nan)
    # long tables repeat each area once per indicator: each (parent, name, denominator) counts once
    long = roles.layout == "long"
    first = ~pd.DataFrame({"p": pn, "n": nn, "d": den}).duplicated().to_numpy() if long else np.ones(n, dtype=bool)
    valid = ~is_total & (nn != "")

    def close(a: float, b: float) -> bool:
        return bool(np.isfinite(a) and np.isfinite(b) and b > 0 and abs(a - b) <= 0.005 * b)

    def fmt(x: float) -> str:
        return f"{x:,.0f}" if np.isfinite(x) else "unknown"

    if roles.parent:
        pcol = roles.parent
        named_parents = set(pn[valid & (pn != "") & (pn != nn)])
        own = valid & (pn != "") & (nn == pn)
        # hash look-ups and one grouping: np.isin on object arrays compares every row to every name
        cand = own | (valid & pd.Series(nn).isin(named_parents).to_numpy())
        cand_idx = np.flatnonzero(cand & first)
        members_of = pd.Series(cand_idx).groupby(nn[cand_idx], sort=False).indices
        kid_idx = np.flatnonzero(valid & first)
        kid_idx = kid_idx[pd.Series(pn[kid_idx]).isin(members_of.keys()).to_numpy()]
        kids_of = pd.Series(kid_idx).groupby(pn[kid_idx], sort=False).indices if len(kid_idx) else {}
        no_kids = np.array([], dtype=np.int64)
        confirmed, unchecked, as_district, alone = [], [], [], []
        for name in pd.unique(nn[cand_idx]):
            members = cand_idx[members_of[name]]
            kids = kid_idx[kids_of[name]] if name in kids_of else no_kids
            sums = {int(c): float(np.nansum(den[kids[kids != c]])) if np.isfinite(den[kids[kids != c]]).any()
                    else np.nan for c in members}
            if not len(kids[~np.isin(kids, members)]) and len(members) == 1:
                alone.append(int(members[0]))  # no other row under this name: the district itself
                continue
            match = [c for c in members if close(den[c], sums[int(c)])]
            if match:
                confirmed += match
                as_district += [int(c) for c in members if c not in match]
                continue
            # smaller than the rows under its name: it cannot be their total (a district named
            # like its parent, the parent row being absent); no figures: the name decides
            smaller = [c for c in members if np.isfinite(den[c]) and den[c] < 0.995 * sums[int(c)]]
            mine = [c for c in members if own[c] and c not in smaller]
            pick = mine[:1] or [c for c in members if c not in smaller][:1]
            unchecked += [(int(c), len(kids) - 1, sums[int(c)]) for c in pick]
            as_district += [int(c) for c in members if c not in pick]
        chosen = np.array(confirmed + [c for c, _, _ in unchecked], dtype=np.int64)
        upper[chosen] = True
        if long and len(chosen):  # the other rows of a chosen area (a NaN denominator matches no other row)
            keys = pd.MultiIndex.from_arrays([pn[chosen], nn[chosen], den[chosen]])
            same = pd.MultiIndex.from_arrays([pn, nn, den]).isin(keys) & ~np.isnan(den)
            upper |= valid & same
        label[upper] = pcol
        if confirmed:
            c = np.array(sorted(confirmed))
            report.add("info", "parent_rows", f"{len(c)} row(s) are totals of the rows that name them in column "
                       f"{pcol!r} (their {den_col!r} equals the sum of those rows): {list(names[c][:10])} "
                       f"(rows {_lines_text(lines[c])}); kept apart in .other_levels with level {pcol!r}, never "
                       "counted with the districts", row=int(lines[c[0]]), column=pcol, action="kept apart",
                       fix="pass level= with a column telling each row's level to choose otherwise")
        blind = [c for c, _, tot in unchecked if den_col is None or not (np.isfinite(den[c]) and np.isfinite(tot))]
        if blind:  # no figures to compare (published rates, empty cells): the name decides, said once
            b = np.array(sorted(blind))
            report.add("info", "parent_rows", f"{len(b)} row(s) are named as the {pcol!r} of other rows and have no "
                       "households/persons to compare with theirs: kept apart in .other_levels with level "
                       f"{pcol!r} as their totals: {list(names[b][:10])} (rows {_lines_text(lines[b])})",
                       row=int(lines[b[0]]), column=pcol, action="kept apart",
                       fix="pass level= with a column telling each row's level to choose otherwise")
        for c, k, tot in unchecked:
            if c in blind:
                continue
            report.add("warning", "parent_rows", f"row {names[c]!r} is named as the {pcol!r} of other rows; it is "
                       f"kept apart as their total, but its {den_col!r} ({fmt(den[c])}) is not the sum of those "
                       f"{k} row(s) ({fmt(tot)}): some rows may be missing or the figures of another scope",
                       row=int(lines[c]), column=pcol, area=names[c], action="kept apart",
                       fix="check the rows of this area; if the row is a district, give it another name "
                           "or pass level=")
        if as_district:
            d = np.array(sorted(as_district))
            report.add("info", "parent_name_district", f"{len(d)} row(s) carry the name of a {pcol!r} but are not "
                       f"the total of its rows: read as districts: {list(names[d][:10])} (rows "
                       f"{_lines_text(lines[d])})", row=int(lines[d[0]]), column=pcol, action="used",
                       fix="pass level= with a column telling each row's level if that is wrong")
        if alone:
            a = np.array(sorted(alone))
            report.add("info", "parent_name_district", f"{len(a)} row(s) have the name of their {pcol!r} and no "
                       f"other row under it: read as districts: {list(names[a][:10])} (rows "
                       f"{_lines_text(lines[a])})", row=int(lines[a[0]]), column=pcol, action="used",
                       fix="remove the row if it is only the total of districts missing from the file")
        return upper, label
    # no parent column: "Region North" among districts
    toks = [str(x).split() for x in nn]
    flagged = np.array([bool(t) and (t[0] in _UPPER_FIRST or t[-1] in _UPPER_LAST) for t in toks]) & valid
    if not flagged.any() or flagged[valid].all():
        return upper, label
    f_idx = np.flatnonzero(flagged & first)
    agree, disagree = [], []
    for j, c in enumerate(f_idx):  # the rows below it, down to the next such row or a total
        stop = f_idx[j + 1] if j + 1 < len(f_idx) else n
        below = np.arange(c + 1, stop)
        tot_after = np.flatnonzero(is_total[below])
        if len(tot_after):
            below = below[:tot_after[0]]
        below = below[first[below] & valid[below]]
        tot = float(np.nansum(den[below])) if np.isfinite(den[below]).any() else np.nan
        (agree if close(den[c], tot) else disagree).append((int(c), len(below), tot))
    keys = set(nn[f_idx])
    upper = flagged & pd.Series(nn).isin(keys).to_numpy()
    label[upper] = "region"
    if agree:
        c = np.array([x[0] for x in agree])
        report.add("info", "parent_rows", f"{len(c)} row(s) named as a higher level (region, province...) and equal "
                   f"to the sum of the rows below them (their {den_col!r}): {list(names[c][:10])} (rows "
                   f"{_lines_text(lines[c])}); kept "
                   "apart in .other_levels with level 'region'", row=int(lines[c[0]]), column=roles.area,
                   action="kept apart", fix="pass level= with a column telling each row's level to choose otherwise")
    for c, k, tot in disagree:
        report.add("warning", "parent_rows", f"row {names[c]!r} is named as a higher level (region, province...): "
                   f"kept apart, but its {den_col!r} ({fmt(den[c])}) is not the sum of the {k} row(s) below it "
                   f"({fmt(tot)})", row=int(lines[c]), column=roles.area, area=names[c], action="kept apart",
                   fix="check the rows of this region; if the row is a district, rename it or pass level=")
    return upper, label


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Normalised country names in seven languages (``egovkit/read/country_names.csv``, from the CLDR)."""
    names = pd.read_csv(Path(__file__).with_name("country_names.csv"), comment="#", dtype=str, keep_default_na=False)
    return frozenset(names["name"])


def _of_countries(n_countries: int, n_rows: int) -> bool:
    """Whether a table whose area names hold ``n_countries`` country names is a table of countries
    (then a country's name is one of its areas, not the territory's total).

    >>> _of_countries(2, 28), _of_countries(4, 5)
    (False, True)
    """
    return n_countries > max(2, 0.25 * n_rows)


@dataclass
class _HiddenTotals:
    """District rows that are totals under another name (:func:`_find_hidden_totals`)."""

    hidden: set = field(default_factory=set)  # keys kept apart
    votes: dict = field(default_factory=dict)  # key -> columns where the row is the sum of the others
    against: dict = field(default_factory=dict)  # key -> complete columns where it is the largest but not the sum
    n_others: dict = field(default_factory=dict)  # key -> number of other district rows
    row: dict = field(default_factory=dict)  # key -> its input row (position)
    countries: set = field(default_factory=set)  # keys of rows named like a country, as large as the rest
    unsized: set = field(default_factory=set)  # of those, rows of published rates (first row, no size to compare)
    zero_code: set = field(default_factory=set)  # keys of the one row of an all-zero code (00, 000)
    at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # input rows kept apart


def _find_hidden_totals(rows: pd.DataFrame, blocks: list[Block]) -> _HiddenTotals:
    """Find the district rows :func:`_hidden_totals` keeps apart: a district row that is the total
    of the others under another name (the territory's own name, ``Lyon`` above its arrondissements,
    ``Brasil`` above its states). Run on the parsed blocks before the long table is built, so that
    they can be freed first.

    Every denominator column and every indicator column that is complete (a valid value in every
    district row, whatever was dropped later) is checked: the row holding the largest value is a
    total when that value is the sum of the other rows (within 0.5 %, or within the rounding of the
    rates shown) in two such columns, or in the only one there is (four district rows at least).
    Dropped cells only remove their column from the vote, so a
    dropped cell in one indicator does not hide the total. A row named like a country (the
    table's territory among its districts) whose denominator is at least 90 % of the other rows'
    sum is a total too. A row that is the sum of the others in some column only is a possible
    total: a warning names it, and it stays a district."""
    found = _HiddenTotals()
    is_d = rows["is_district"].to_numpy() & ~rows["no_name"].to_numpy()
    has_value = np.zeros(len(rows), dtype=bool)  # a row without any figure is no district to sum
    for b in blocks:
        has_value[b.pos] |= (b.status == _OK) | (b.den_status == _OK)
    is_d &= has_value
    keys = rows["key"].to_numpy()
    n_complete = 0
    seen_den: set[str] = set()
    first_den: tuple[np.ndarray, np.ndarray] | None = None
    for b in blocks:
        sel = is_d[b.pos]
        p = b.pos[sel]
        den, den_ok = b.den[sel], (b.den_status[sel] == _OK) & (b.den[sel] >= 0)
        if first_den is None:
            first_den = (p, np.where(den_ok, den, np.nan))
        if len(p) < 4:  # with 2 or 3 districts a sum is too easily a coincidence
            continue
        checks = []
        if b.den_column not in seen_den:
            seen_den.add(b.den_column)
            checks.append((repr(b.den_column), den, den_ok, 0.0))
        v, ok = b.values[sel], (b.status[sel] == _OK) & (b.values[sel] >= 0)
        label = repr(b.column) if sum(x.column == b.column for x in blocks) == 1 else b.indicator
        if b.kind == "count":
            checks.append((label, v, ok, 0.0))
        else:  # rates become counts (rate x denominator), known within the rounding of the rate shown
            scale = 100.0 if b.kind == "percent" else 1.0
            half = 0.5 * 10.0 ** -_decimals(b.text, b.values) / scale
            checks.append((label, v / scale * den, ok & den_ok, float(np.nansum(den)) * half))
        for label, vals, good, err in checks:
            if not good.all() or not (vals > 0).any():  # a district without a value, or nothing but 0s:
                continue  # the sum proves nothing either way
            n_complete += 1
            i = int(np.argmax(vals))
            top, rest = float(vals[i]), float(vals.sum() - vals[i])
            key = keys[p[i]]
            found.n_others[key] = len(p) - 1
            found.row.setdefault(key, int(p[i]))
            if rest > 0 and abs(top - rest) <= max(0.005 * rest, err):
                found.votes.setdefault(key, []).append(label)
            else:
                found.against.setdefault(key, []).append(label)
    for k, labels in found.votes.items():
        if len(labels) >= min(2, n_complete):
            found.hidden.add(k)
    # a country's name among districts (not a table of countries), as large as the other rows together
    norm = _norm_series(rows["area_name"]).to_numpy(dtype=object)
    country = is_d & pd.Series(norm).isin(_country_names()).to_numpy()
    from .stacked import RATE_ONLY

    rates_only = bool(blocks) and all(b.den_column == RATE_ONLY for b in blocks)
    if country.any() and _of_countries(int(country.sum()), int(is_d.sum())):
        country[:] = False
    # an all-zero code (00, 000: 'national' in many code lists) beside codes of sub-national areas
    codes = rows["area_code"].astype(str).str.strip()
    zero = is_d & codes.str.fullmatch(r"0+").to_numpy() & (int((is_d & (codes != "").to_numpy()).sum()) >= 3)
    zero &= int(zero.sum()) == 1
    found.zero_code = {keys[i] for i in np.flatnonzero(zero)}
    country |= zero
    if country.any() and first_den is not None:
        p, den = first_den
        for j in np.flatnonzero(country[p]):
            rest = np.nansum(np.delete(den, j))
            # published rates have no size: the country's name on the first district row is the territory's,
            # and so is the one row of an all-zero code wherever it stands
            first = rates_only and len(p) >= 2 and (
                (j == 0 and int(country[p].sum()) == 1) or keys[p[j]] in found.zero_code)
            if first or (not rates_only and np.isfinite(den[j]) and rest > 0 and den[j] >= 0.9 * rest):
                found.countries.add(keys[p[j]])
                found.n_others[keys[p[j]]] = len(p) - 1
                found.row.setdefault(keys[p[j]], int(p[j]))
                if first:
                    found.unsized.add(keys[p[j]])
    out = found.hidden | found.countries
    if out:
        found.at = np.flatnonzero(is_d & pd.Series(keys).isin(out).to_numpy())
    return found


def _hidden_totals(ctx: _Context, rows: pd.DataFrame, found: _HiddenTotals, data: pd.DataFrame,
                   other: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep apart the rows found by :func:`_find_hidden_totals` (level 'national'): a note for a row
    named like the country, a warning for a total under another name; a warning for a possible
    total that stays a district."""
    lines, names = rows["line"].to_numpy(), rows["area_name"].to_numpy()
    for k, labels in found.votes.items():
        if k in found.hidden or k in found.countries:
            continue
        p = found.row[k]
        against = ", ".join(dict.fromkeys(found.against.get(k, []))) or "the other complete columns"
        ctx.report.add("warning", "possible_total", f"row {names[p]!r} (line {int(lines[p])}) equals the sum of the "
                       f"{found.n_others[k]} other district rows in {', '.join(dict.fromkeys(labels))} but not in "
                       f"{against}: read as a district; if it is a totals row its figures are counted twice",
                       row=int(lines[p]), area=names[p], action="used",
                       fix="name the row 'Total' if it is the total of the others (or remove it); nothing to do if "
                           "it is a district")
    if not len(found.at):
        return data, other
    at = found.at
    for k in sorted(found.hidden | found.countries, key=lambda k: found.row[k]):
        p = found.row[k]
        if k in found.countries:
            also = f"; it also equals their sum in {', '.join(dict.fromkeys(found.votes[k]))}" if k in found.votes \
                else ""
            size = (f"the first of {found.n_others[k] + 1} rows of published rates (no households/persons to "
                    "compare sizes)") if k in found.unsized else \
                f"as large as the {found.n_others[k]} other district rows together{also}"
            what = "has an all-zero code (national in most code lists)" if k in found.zero_code else \
                "is the name of a country"
            ctx.report.add("info", "country_total", f"row {names[p]!r} (line {int(lines[p])}) {what} "
                           f"and {size}: read as the territory's totals row, kept apart (level "
                           f"'national'){'' if k in found.unsized else ' and checked against them'}, not counted "
                           "as a district", row=int(lines[p]), area=names[p], action="kept apart",
                           fix="if it really is a district, name it otherwise (a country's name among districts is "
                               "read as the territory)")
            continue
        ctx.report.add("warning", "looks_like_total", f"row {names[p]!r} (line {int(lines[p])}) equals the sum of the "
                       f"{found.n_others[k]} other district rows in {', '.join(dict.fromkeys(found.votes[k]))}: it is "
                       "a totals row under another name and is kept apart (level 'national'), not counted as a "
                       "district", row=int(lines[p]), area=names[p], action="kept apart",
                       fix="name the row 'Total' (or remove it); if it really is a district, a row of the table may "
                           "be missing")
    rows.loc[rows.index[at], "is_district"] = False
    rows.loc[rows.index[at], "is_total"] = True
    move = data["_pos"].isin(at).to_numpy()
    if not move.any():
        return data, other
    moved = data[move].copy()
    moved["level"] = pd.array(["national"] * len(moved), dtype="str")
    moved["parent"] = pd.array([pd.NA] * len(moved), dtype="string")
    return data[~move].reset_index(drop=True), pd.concat([other, moved]).sort_values("_pos", kind="stable") \
        .reset_index(drop=True)
