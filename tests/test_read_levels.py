"""Parent-level rows without a level column: region rows among their districts are kept apart.

Expected numbers are the sums of the fixtures' own figures or the published KNBS total.
"""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

from egovkit.errors import EgovkitWarning
from egovkit.indicators import aggregate, compute_rates
from egovkit.read import read_table


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(source, **kw)


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_region_row_named_like_its_parent_is_kept_apart() -> None:
    t = _read(_csv("region,district,households,internet\nNorth,North,3000,900\nNorth,A,1000,300\n"
                   "North,B,2000,600\nSouth,South,5000,1000\nSouth,C,2500,500\nSouth,D,2500,500\n"))
    assert sorted(t.data["area_name"]) == ["A", "B", "C", "D"]
    assert t.data["denominator"].sum() == 1000 + 2000 + 2500 + 2500
    apart = t.other_levels.set_index("area_name")
    assert apart.loc["North", "level"] == "region" and apart.loc["South", "level"] == "region"
    assert t.report.row_fate == {2: "kept apart", 3: "used", 4: "used", 5: "kept apart", 6: "used", 7: "used"}
    note = t.report.by_code("parent_rows")[0]
    assert "North" in note.message and "rows 2, 5" in note.message and note.column == "region"


def test_region_row_with_a_blank_parent_found_as_another_rows_parent() -> None:
    t = _read(_csv("region,district,households,internet\n,North,4000,900\nNorth,A,1000,300\nNorth,B,2000,600\n"
                   "North,C,500,100\n"), parent="region")
    assert sorted(t.data["area_name"]) == ["A", "B", "C"]
    # 4000 is not 1000 + 2000 + 500: kept apart by its name, with a warning naming the figures
    w = t.report.by_code("read.parent_row_not_sum")[0]
    assert w.severity == "warning" and w.row == 2 and "3,500" in w.message and "4,000" in w.message
    # smaller than the rows under its name: it cannot be their total, it is a district
    t2 = _read(_csv("region,district,households,internet\n,North,3000,900\nNorth,A,1000,300\nNorth,B,2000,600\n"
                    "North,C,500,100\n"), parent="region")
    assert sorted(t2.data["area_name"]) == ["A", "B", "C", "North"]
    assert "North" in t2.report.by_code("parent_name_district")[0].message


def test_region_prefixed_names_are_kept_apart() -> None:
    t = _read(_csv("district,households,internet\nRegion North,3000,900\nA,1000,300\nB,2000,600\n"
                   "Region South,5000,1000\nC,2500,500\nD,2500,500\n"))
    assert sorted(t.data["area_name"]) == ["A", "B", "C", "D"]
    assert sorted(t.other_levels["area_name"]) == ["Region North", "Region South"]
    assert "equal to the sum of the rows below them" in t.report.by_code("read.upper_rows")[0].message


def test_a_table_of_regions_is_a_table_of_districts() -> None:
    t = _read(_csv("district,households,internet\nRegion North,3000,900\nRegion South,5000,1000\n"))
    assert sorted(t.data["area_name"]) == ["Region North", "Region South"]


def test_district_named_like_its_parent_without_the_parent_row_is_a_district() -> None:
    t = _read(_csv("county,subcounty,households,internet\nTANA RIVER,TANA DELTA,22395,100\n"
                   "TANA RIVER,TANA NORTH,26119,100\nTANA RIVER,TANA RIVER,18470,100\n"))
    assert len(t.data) == 3 and t.other_levels.empty


def test_kenya_236_without_adminarea_counts_each_household_once(shared_data) -> None:
    df = pd.read_csv(shared_data / "kenya-census-2019-ict" / "V4_T2.36.csv").drop(columns="AdminArea")
    t = _read(df)
    assert not t.report.by_code("duplicate_area")  # TANA RIVER county vs sub-county
    lv = t.other_levels.drop_duplicates("source_row")["level"].value_counts().to_dict()
    assert lv == {"County": 47, "national": 1, "rural": 1, "urban": 1}
    tana = t.data[t.data["area_name"] == "TANA RIVER"].drop_duplicates("source_row")
    assert tana["source_row"].tolist() == [31] and tana["parent"].tolist() == ["TANA RIVER"]
    agg = aggregate(compute_rates(t, on_invalid="report")).set_index("indicator")
    assert agg.loc["computer", "denominator"] == 12_043_016  # published conventional households
    assert agg.loc["computer", "pct"] == pytest.approx(8.8, abs=0.05)
    assert agg.loc["internet", "pct"] == pytest.approx(17.9, abs=0.06)


def test_first_denominator_is_parsed_once_and_named_by_the_parent_check(tmp_path, monkeypatch) -> None:
    """The parent-row check and the blocks share one parse of the denominator column; the report
    says which denominator column the check compared (the first of several)."""
    import egovkit.read.blocks
    import egovkit.read.numbers

    calls: list[int] = []
    real = egovkit.read.numbers._parse_numbers

    def counting(text, nums, decimal):
        calls.append(1)
        return real(text, nums, decimal)

    # every caller: the shared parse of a column (numbers._parse_numbers) and the indicator blocks
    monkeypatch.setattr(egovkit.read.numbers, "_parse_numbers", counting)
    monkeypatch.setattr(egovkit.read.blocks, "_parse_numbers", counting)
    path = tmp_path / "t.csv"
    path.write_text("region,district,households,population,internet,mobile phone\n"
                    "North,North,3000,9000,900,4000\nNorth,A,1000,3000,300,1500\nNorth,B,2000,6000,600,2500\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = read_table(path)
    assert len(calls) == 4  # one parse per numeric column (households was parsed twice)
    note = t.report.by_code("parent_rows")[0]
    assert "'households'" in note.message and "'population'" not in note.message
    assert sorted(t.data["area_name"].unique()) == ["A", "B"]
