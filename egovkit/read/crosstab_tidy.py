"""From the labelled columns of a table-tool download to one column per indicator beside a
denominator: the choice of columns, the sums of exclusive parts, the check of percentages.

Examples
--------
>>> _tidy([], [], "Região", [], ValidationReport(), "t.csv") is None
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..shared.messages import render
from ..validate import ValidationReport
from .column_headers import column_role, recognise_indicator
from .crosstab_grid import _Block, _variable_parts
from .crosstab_labels import (
    _and_sides,
    _Column,
    _device,
    _is_answer,
    _is_negative,
    _is_total,
    _is_unknown,
    _only_part,
    _prefix,
    _segments,
    _tokens,
    _without_only,
)


def _tidy(cols: list[_Column], areas: list[str], area_name: str, blocks: list[_Block], report: ValidationReport,
          name: str) -> pd.DataFrame | None:
    """Choose the denominator and one column per indicator."""
    den_name = "Total"
    for b in blocks:
        if b.variable:
            lab = _variable_parts(b.variable)[0]
            role = column_role(lab)
            if role and role[0] == "denominator":
                den_name = lab
                break
    totals = [c for c in cols if _is_total(c.label) and not c.percent]
    cols = [c for c in cols if not (c.percent and _is_total(c.label))]  # 100 %: not an indicator
    den_vars = [c for c in cols if (r := column_role(c.label)) and r[0] == "denominator" and r[1] and not c.percent
                and not recognise_indicator(c.label).indicator and c not in totals and not _is_answer(c.label)]
    negatives = [c for c in cols if _is_negative(c)]
    unknown = [c for c in cols if _is_unknown(c.label)]
    rest = [c for c in cols if c not in totals and c not in den_vars and c not in negatives and c not in unknown]
    # exclusive combinations: "somente A", "somente B", "A e B" of one parent
    only = [c for c in rest if _only_part(c.label)]
    combos = [c for c in rest if any(_prefix(c.label) == _prefix(o.label) for o in only) and _and_sides(c.label)
              and any(_device(s) for s in _and_sides(c.label))]
    part_set = {id(c) for c in only + combos}
    direct: dict[str, list[_Column]] = {}
    for c in rest:
        if id(c) in part_set:
            continue
        ind = recognise_indicator(c.full).indicator
        if ind:
            direct.setdefault(ind, []).append(c)
    chosen, checks = _choose(direct, bool(totals or den_vars or negatives), report)
    extra = _sum_parts(only, combos, direct, report)
    if not chosen and not extra:
        return None
    den, summed = None, False
    lead = chosen[0] if chosen else None  # the denominator of the same breakdown as the first indicator
    if totals:
        den = next((t for t in totals if lead is not None and _prefix(t.label) == _prefix(lead.label)), totals[0])
        den_vals = den.values
        how = render("read.den_total_row" if len(areas) == 1 else "read.den_total_column", {"label": den.label})
    elif den_vars:
        den = den_vars[0]
        den_vals, den_name = den.values, den.label
        how = render("read.den_sheet_column", {"label": den.label, "sheet": den.sheet})
    elif negatives:
        same = [n for n in negatives if lead is not None and _prefix(n.full) == _prefix(lead.full)]
        parts = _partition(same + [n for n in negatives if n not in same], rest, unknown, part_set)
        if parts is None:
            den_vals = None
        else:
            den_vals = np.sum([c.values for c in parts], axis=0)
            summed = True
            for seg in _segments(parts[0].label)[:-1] if den_name == "Total" else []:  # 'Domicílios (Mil...) - Sim'
                role = column_role(_variable_parts(seg)[0])
                if role and role[0] == "denominator" and role[1]:
                    den_name = _variable_parts(seg)[0]
                    break
            how = render("read.den_sum_answers", {"answers": " + ".join(repr(c.label) for c in parts)})
            for n in negatives:  # the other questions' answers must add up to the same households
                if n in parts:
                    continue
                other = _partition([n], rest, unknown, part_set)
                if other is None:
                    continue
                alt = np.sum([c.values for c in other], axis=0)
                gap = np.nanmax(np.abs(alt / den_vals - 1)) if np.all(den_vals > 0) else 0.0
                if gap > 0.02:
                    report.add("warning", "read.crosstab_answers_differ", params={
                        "answers": ", ".join(repr(c.label) for c in other), "gap": float(gap),
                        "others": ", ".join(repr(c.label) for c in parts)}, action="kept")
    else:
        den_vals = None
    out = {area_name: areas}
    if den_vals is not None:
        if den_name in out or den_name in {c.label for c in chosen} | set(extra):
            den_name = f"{den_name} (total)"
        out[den_name] = np.asarray(den_vals, dtype=float)
        report.add("info", "crosstab_denominator", params={"how": how}, column=den_name, action="inferred")
    for c in chosen:
        head = c.full if c.percent is False else (c.full if "%" in c.full else f"{c.full} (%)")
        if head in out:
            continue
        out[head] = c.values
        _check_percentages(c, head, checks.get(id(c), []), den_vals, report)
    for label, vals in extra.items():
        if label not in out:
            out[label] = vals
    checked = {id(p) for ps in checks.values() for p in ps}
    left = [c.label for c in cols if c not in chosen and c is not den and id(c) not in part_set | checked]
    if left:
        report.add("info", "read.crosstab_left_out", params={
            "columns": ", ".join(map(repr, left[:12])) + ("..." if len(left) > 12 else "")}, action="ignored")
    tidy = pd.DataFrame(out)
    tidy.attrs["egovkit_source"] = name
    tidy.attrs["summed_denominator"] = summed
    return tidy


def _choose(direct: dict[str, list[_Column]], has_den: bool,
            report: ValidationReport) -> tuple[list[_Column], dict[int, list[_Column]]]:
    """One column per indicator: counts before percentages (checked against them when a denominator
    is there), the 'Total' group before its breakdowns, else the largest (a warning)."""
    chosen: list[_Column] = []
    checks: dict[int, list[_Column]] = {}  # percentages left out for counts: checked against them
    for ind, cs in direct.items():
        counts = [c for c in cs if not c.percent and recognise_indicator(c.full).kind is None]
        pcts = [c for c in cs if c not in counts]
        pick = counts or pcts
        best = pick[0]
        overall = [c for c in pick if any(_is_total(seg) for seg in _segments(c.label)[:-1])]
        if len(pick) > 1 and len(overall) == 1:  # 'Total - Sim' beside 'Urbana - Sim', 'Rural - Sim'
            best = overall[0]
            report.add("info", "crosstab_breakdown", params={
                "indicator": ind, "read": best.label, "columns": [c.label for c in pick if c is not best]},
                column=best.label, action="ignored")
        elif len(pick) > 1:
            best = max(pick, key=lambda c: np.nansum(c.values))
            report.add("warning", "crosstab_choice", params={
                "n": len(pick), "indicator": ind, "columns": [c.label for c in pick], "read": best.label},
                column=best.label, action="inferred")
        if counts and pcts and has_den:
            report.add("info", "read.crosstab_counts_read", params={
                "indicator": ind, "read": best.label, "columns": [c.label for c in pcts]}, action="ignored")
            checks[id(best)] = pcts
        chosen.append(best)
    return chosen, checks


def _check_percentages(c: _Column, head: str, pcts: list[_Column], den_vals: np.ndarray | None,
                       report: ValidationReport) -> None:
    """Warn when published percentages left out differ from the counts over the denominator."""
    for p in pcts:
        if den_vals is not None:
            got = 100 * np.asarray(c.values, float) / np.asarray(den_vals, float)
            diff = np.nanmax(np.abs(got - p.values)) if len(got) else 0
            if diff > 0.15:
                report.add("warning", "crosstab_check", params={"percentages": p.label, "sheet": p.sheet,
                                                                "counts": c.label, "diff": float(diff)},
                           column=head, action="kept")


def _sum_parts(only: list[_Column], combos: list[_Column], direct: dict[str, list[_Column]],
               report: ValidationReport) -> dict[str, np.ndarray]:
    """Households with a device no category names alone: the sum of the exclusive combinations
    holding it (``somente celular`` + ``celular e fixo``), keyed by a header naming the device."""
    derived: dict[str, tuple[list[_Column], str]] = {}
    for c in only + combos:
        sides = _and_sides(c.label) if c in combos else [_without_only(c.label)]
        for side in sides or []:
            dev = _device(side)
            if dev and dev not in direct:
                derived.setdefault(dev, ([], side))[0].append(c)
    extra = {}
    for dev, (cs, side) in derived.items():
        label = side if _device(side) == dev else cs[0].label
        extra[label] = np.sum([c.values for c in cs], axis=0)
        report.add("info", "crosstab_parts", params={"device": dev, "categories": [c.label for c in cs],
                                                     "label": label}, column=label, action="inferred")
    return extra


def _partition(negatives: list[_Column], rest: list[_Column], unknown: list[_Column],
               part_set: set[int]) -> list[_Column] | None:
    """The answers of one question that together are every household: its positive answer (the
    union, not a combination), the negative one and the unknown ones of the same parent."""
    from .universe import _NO

    neg = negatives[0]
    pre = _prefix(neg.full)
    words = _tokens(neg.full) - _NO - {"nem", "sem", "not", "without", "ni", "ne", "pas", "kein", "keine", "geen"}
    cands = [c for c in rest if id(c) not in part_set and _prefix(c.full) == pre and not c.percent]
    if not cands:
        return None
    pos = max(cands, key=lambda c: (len(_tokens(c.full) & words), np.nansum(c.values)))
    if not _tokens(pos.full) & words and pre == "":
        return None
    return [pos, neg] + [u for u in unknown if _prefix(u.full) == pre]
