"""Held-out classes of problem: a territory row named by the country's official name or an
all-zero code, empty areas and repeated per-row issues said once, a boundary file given as the
table, decimals never read as thousands after a leading 0."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from egovkit.errors import InputError
from egovkit.read import read_table


def _read(path: Path, text: str, **kw):
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(path, **kw)


def _stacked_rates(nation: str, code: str) -> str:
    """An Open SDG-like file: a nation row, regions with a few cities, percentages only."""
    rows = ["Year,Region,City,GeoCode,Value", f"2021,{nation},,{code},61.5"]
    for r, (reg, cities) in enumerate([("Norte", ["Alpha", "Beta"]), ("Sur", ["Gamma"]), ("Este", ["Delta"])], 1):
        rows.append(f"2021,{reg},,{r:02d},")
        rows += [f"2021,{reg},{c},{r:02d}{k:03d},{50 + 3 * k + r}.25" for k, c in enumerate(cities, 1)]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("nation, code", [("United Mexican States", "99"), ("Somewhere Else", "00"),
                                          ("Republic of Kenya", "")])
def test_nation_row_by_official_name_or_zero_code_is_the_territory(tmp_path: Path, nation: str, code: str) -> None:
    t = _read(tmp_path / "indicator_17-8-1.csv", _stacked_rates(nation, code))
    assert nation not in set(t.data["area_name"])
    other = t.other_levels
    assert list(other.loc[other["level"] == "national", "area_name"]) == [nation]
    assert any(nation in i.message for i in t.report.issues if i.severity == "info")  # the decision is noted
    assert not any("is not the sum" in i.message for i in t.report.issues)


def test_zero_code_row_of_counts_is_the_nation_only_when_as_large_as_the_rest(tmp_path: Path) -> None:
    """With households, an all-zero code is the nation when its row is as large as the other
    rows together; a small row coded 00 stays a district."""
    big = "district,code,households,internet\nXanadu,00,1050,110\nA,01,100,10\nB,02,200,20\nC,03,300,30\nD,04,400,40\n"
    t = _read(tmp_path / "t.csv", big)
    assert sorted(t.data["area_name"]) == ["A", "B", "C", "D"]
    assert "all-zero code" in t.report.by_code("country_total")[0].message
    small = big.replace("Xanadu,00,1050,110", "Zero,00,50,5")
    t = _read(tmp_path / "u.csv", small)
    assert sorted(t.data["area_name"]) == ["A", "B", "C", "D", "Zero"]


def test_empty_areas_are_one_note_and_a_zero_denominator_with_counts_warns(tmp_path: Path) -> None:
    rows = ["area,households,internet"] + [f"A{k},{100 * k},{10 * k}" for k in range(1, 6)]
    rows += [f"X{k}94,0,0" for k in range(1, 9)] + ["Y,0,7"]
    t = _read(tmp_path / "t.csv", "\n".join(rows) + "\n")
    notes = t.report.by_code("empty_area")
    assert len(notes) == 1 and notes[0].severity == "info" and "8 row(s)" in notes[0].message
    warns = t.report.by_code("zero_denominator")
    assert [(w.area, w.severity) for w in warns] == [("Y", "warning")]
    assert not t.report.by_code("row_dropped")
    assert sum(f == "dropped" for f in t.report.row_fate.values()) == 9


def test_many_missing_values_are_one_warning_few_are_one_each(tmp_path: Path) -> None:
    rows = ["area,households,internet"] + [f"A{k},{100 * k},{'' if k % 2 else 10 * k}" for k in range(1, 21)]
    t = _read(tmp_path / "t.csv", "\n".join(rows) + "\n")
    (w,) = t.report.by_code("missing_value")
    assert "in 10 rows" in w.message and w.row == 2
    assert not t.report.by_code("row_dropped")
    t = _read(tmp_path / "u.csv", "area,households,internet\nA,100,\nB,200,20\nC,300,30\n")
    assert [w.area for w in t.report.by_code("missing_value")] == ["A"]


def test_empty_geojson_given_as_the_table_says_boundaries_and_empty(tmp_path: Path) -> None:
    p = tmp_path / "empty.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(InputError) as exc:
        read_table(p)
    msg = str(exc.value)
    assert "boundaries, not a census table" in msg and "no features" in msg and "empty.geojson" in msg


@pytest.mark.parametrize("cell", ["0,153", "0,867"])
def test_leading_zero_comma_group_is_a_decimal_not_thousands(tmp_path: Path, cell: str) -> None:
    """'0,153' cannot be a thousands-grouped number: a share column of such cells is read as shares."""
    rows = ["Commune\tHouseholds\tSmartphone (share)"] + [f"N{k}\t{100 + k} 000\t{cell}" for k in range(5)]
    t = _read(tmp_path / "t.csv", "\n".join(rows) + "\n")
    share = (t.data["numerator"] / t.data["denominator"]).to_numpy()
    assert len(share) == 5 and share == pytest.approx([float(cell.replace(",", "."))] * 5)


def _answers_table(levels: bool = True) -> str:
    """A long table of the answers to one question, levels stacked, a constant version column."""
    rows = ["geo_level\tgeo_code\taccess to internet\ttotal\tgeo_version"]
    areas = [("country", "XX", None)] if levels else []
    areas += [("region", "R1", None), ("region", "R2", None)] if levels else []
    areas += [("municipality", f"M{k}", None) for k in range(1, 6)]
    answers = {f"M{k}": [10 * k, 5 * k, 100 - 15 * k + 40] for k in range(1, 6)}
    answers["R1"] = [sum(answers[f"M{k}"][i] for k in (1, 2)) for i in range(3)]
    answers["R2"] = [sum(answers[f"M{k}"][i] for k in (3, 4, 5)) for i in range(3)]
    answers["XX"] = [a + b for a, b in zip(answers["R1"], answers["R2"])]
    for lvl, code, _ in areas:
        for ans, n in zip(["From home", "From cell phone", "No access to internet"], answers[code]):
            rows.append(f"{lvl}\t{code}\t{ans}\t{n}\t2011")
    return "\n".join(rows) + "\n"


def test_long_answers_partition_the_households(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.tsv", _answers_table())
    d = t.data.set_index("area_name")
    assert sorted(d.index) == ["M1", "M2", "M3", "M4", "M5"]
    assert d.loc["M2", "numerator"] == 30 and d.loc["M2", "denominator"] == 30 + 110
    assert (d["indicator"] == "internet").all()
    nat = t.other_levels[t.other_levels["level"] == "national"]
    assert list(nat["area_name"]) == ["XX"]
    assert t.report.by_code("answers_partition") and t.report.by_code("constant_column")
    assert "geo_version" not in " ".join(str(x) for x in t.data["area_name"])
    # every line of the file has a fate (each area's answers share its row's)
    assert len(t.report.row_fate) == len(_answers_table().splitlines()) - 1


def test_answers_without_a_no_answer_are_left_to_the_reader(tmp_path: Path) -> None:
    """Without a 'no' answer the answers need not split all the households: not pivoted."""
    text = _answers_table(levels=False).replace("No access to internet", "From school")
    try:
        t = _read(tmp_path / "t.tsv", text)
    except InputError:
        return
    assert not t.report.by_code("answers_partition")
