"""Tests of the raw ACS S2801 reader on the real download and on small hand-made variants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from egovkit.errors import InputError
from egovkit.indicators import (
    aggregate,
    compare_districts,
    compute_rates,
    gap_to_territory,
    moe_proportion,
    without_any,
)
from egovkit.read.acs import ACS_S2801_ROWS, read_acs_s2801

RAW = "us-county-acs-s2801/ACSST1Y2018.S2801_data_with_overlays.csv"
META = "us-county-acs-s2801/ACSST1Y2018.S2801_metadata.csv"


@pytest.fixture(scope="module")
def acs(shared_data):
    return read_acs_s2801(shared_data / RAW, shared_data / META)


@pytest.fixture(scope="module")
def raw(shared_data):
    return pd.read_csv(shared_data / RAW, skiprows=[1], dtype={"GEO_ID": str})


def test_reads_838_counties(acs, raw):
    d = acs.data
    assert d["area_code"].nunique() == 838
    assert len(d) == 838 * len(ACS_S2801_ROWS)
    assert d["area_code"].str.fullmatch(r"\d{5}").all()
    assert set(d["area_code"]) == set(raw["GEO_ID"].str[-5:])
    assert d["universe"].eq("households").all() and d["level"].eq("County").all()
    assert (d.loc[d["area_name"] == "Somerset County, New Jersey", "area_code"] == "34035").all()
    assert d.groupby("parent")["area_code"].nunique()["New Jersey"] == 21
    assert acs.other_levels.empty
    assert set(acs.report.row_fate.values()) == {"used"} and len(acs.report.row_fate) == 838
    assert acs.report.row_fate.keys() == set(range(3, 841))  # header = 1, labels = 2
    assert not acs.report.has_errors


def test_values_taken_from_the_right_columns(acs, raw):
    d = acs.data.set_index(["area_code", "indicator"])
    r = raw.assign(code=raw["GEO_ID"].str[-5:]).set_index("code")
    for k, (ind, _, _) in ACS_S2801_ROWS.items():
        sub = d.xs(ind, level="indicator")
        assert np.array_equal(sub["numerator"].to_numpy(), r.loc[sub.index, f"S2801_C01_{k}E"].to_numpy(float))
        assert np.array_equal(sub["numerator_moe"].to_numpy(), r.loc[sub.index, f"S2801_C01_{k}M"].to_numpy(float))
        assert np.array_equal(sub["denominator"].to_numpy(), r.loc[sub.index, "S2801_C01_001E"].to_numpy(float))
    assert acs.data.attrs["labels"]["tablet"].endswith("Tablet or other portable wireless computer")


def test_special_values_reported_once_per_group(acs):
    special = acs.report.by_code("special_value")
    assert 1 <= len(special) <= 5  # not one issue per cell
    x = [i for i in special if "'(X)'" in i.message]
    assert len(x) == 1 and "S2801_C02_001M" in x[0].message and "838 of 838" in x[0].message
    n = [i for i in special if "'N'" in i.message]
    assert len(n) == 1 and "2 of 838" in n[0].message and "Rockwall County, Texas" in n[0].message
    assert acs.report.by_code("overlapping_categories")
    assert len(acs.report.by_code("percent_checked")) == len(ACS_S2801_ROWS)
    assert not acs.report.by_code("percent_mismatch")


def _pct(rates, ind):
    return round(float(rates.set_index("indicator").loc[ind, "pct"]), 1)


def test_new_jersey_household_weighted_shares(acs):
    rates = compute_rates(acs)
    nj = aggregate(rates[rates["parent"] == "New Jersey"], name="New Jersey")
    assert int(nj["n_areas"].iloc[0]) == 21
    assert _pct(nj, "smartphone_hh") == 85.8  # SOURCE.md / README published check
    assert _pct(nj, "tablet") == 66.3
    by_state = aggregate(rates, "parent")
    assert _pct(by_state[by_state["area_name"] == "New Jersey"], "smartphone_hh") == 85.8
    # county extremes in NJ (published percents C02)
    s = rates[(rates["parent"] == "New Jersey") & (rates["indicator"] == "smartphone_hh")].set_index("area_name")
    assert round(s["pct"].max(), 1) == 90.3 and s["pct"].idxmax() == "Somerset County, New Jersey"
    assert round(s["pct"].min(), 1) == 77.0
    t = rates[(rates["parent"] == "New Jersey") & (rates["indicator"] == "tablet")].set_index("area_name")
    assert t["pct"].idxmin() == "Passaic County, New Jersey" and round(t["pct"].min(), 1) == 59.3
    assert round(t["pct"].max(), 1) == 79.9


def test_all_counties_household_weighted_shares(acs):
    nat = aggregate(compute_rates(acs))
    published = {"smartphone_hh": 85.7, "tablet": 63.9, "desktop_laptop": 79.0, "no_computer": 7.4,
                 "broadband": 86.3, "any_device": 92.6, "smartphone_only": 8.4}
    for ind, pct in published.items():
        assert _pct(nat, ind) == pct, ind


def test_moe_carried_through(acs):
    rates = compute_rates(acs, confidence=0.90)
    assert (rates["ci_method"] == "moe").all()
    row = rates[(rates["area_code"] == "34035") & (rates["indicator"] == "tablet")].iloc[0]
    assert row["share_moe90"] == pytest.approx(row["share_moe"])  # the published percent MOE / 100
    assert row["ci_high"] - row["share"] == pytest.approx(row["share_moe"])
    nj = rates[(rates["parent"] == "New Jersey") & (rates["indicator"] == "smartphone_hh")]
    agg = aggregate(nj).iloc[0]
    moe_num = math.sqrt((nj["numerator_moe"] ** 2).sum())
    moe_den = math.sqrt((nj["denominator_moe"] ** 2).sum())
    assert agg["numerator_moe"] == pytest.approx(moe_num)
    assert agg["share_moe90"] == pytest.approx(
        moe_proportion(nj["numerator"].sum(), nj["denominator"].sum(), moe_num, moe_den))
    # two neighbouring NJ counties, tested by hand with the published MOEs
    a = rates[(rates["area_code"] == "34035") & (rates["indicator"] == "smartphone_hh")].iloc[0]
    b = rates[(rates["area_code"] == "34027") & (rates["indicator"] == "smartphone_hh")].iloc[0]  # Morris
    res = compare_districts(rates, "smartphone_hh", "34035", "34027")
    se = math.sqrt((a["share_moe"] / 1.645) ** 2 + (b["share_moe"] / 1.645) ** 2)
    assert res["significant"] == (abs(a["share"] - b["share"]) > 1.645 * se)


def test_no_computer_given_directly_and_complement_matches(acs):
    d = acs.data
    given = without_any(d)
    assert given["indicator"].eq("no_computer").all() and len(given) == 838
    derived = without_any(d[d["indicator"] != "no_computer"])
    assert np.array_equal(derived["numerator"].to_numpy(), given["numerator"].to_numpy())  # 002 + 011 = 001


def test_gaps_on_acs(acs):
    rates = compute_rates(acs)
    g = gap_to_territory(rates)
    sm = g[g["indicator"] == "smartphone_hh"]
    assert sm["rank_of"].eq(838).all() and sm["rank"].min() == 1
    assert sm["gap_significant"].notna().all()


# --------------------------------------------------------------------------- hand-made variants
def _mini(tmp_path, *, label_row=True, rows=None, mutate=None):
    cols = ["GEO_ID", "NAME"]
    for k in ["001"] + list(ACS_S2801_ROWS):
        cols += [f"S2801_C01_{k}E", f"S2801_C01_{k}M", f"S2801_C02_{k}E", f"S2801_C02_{k}M"]
    labels = {"GEO_ID": "id", "NAME": "Geographic Area Name", "S2801_C01_001E": "Estimate!!Total!!Total households"}
    for k, (_, _, lab) in ACS_S2801_ROWS.items():
        labels[f"S2801_C01_{k}E"] = f"Estimate!!Total!!X!!{lab}"
    data = []
    for geo, name, hh in rows or [("0500000US34035", "Somerset County, New Jersey", 1000),
                                  ("0400000US34", "New Jersey", 5000)]:
        row = {"GEO_ID": geo, "NAME": name, "S2801_C01_001E": hh, "S2801_C01_001M": 10,
               "S2801_C02_001E": "(X)", "S2801_C02_001M": "(X)"}
        for k in ACS_S2801_ROWS:
            num = hh // 2 if k not in ("002", "011") else (hh - 100 if k == "002" else 100)
            row.update({f"S2801_C01_{k}E": num, f"S2801_C01_{k}M": 5,
                        f"S2801_C02_{k}E": round(100 * num / hh, 1), f"S2801_C02_{k}M": 0.5})
        data.append(row)
    df = pd.DataFrame(data, columns=cols)
    if mutate:
        df = mutate(df)
    if label_row:
        df = pd.concat([pd.DataFrame([{c: labels.get(c, c) for c in df.columns}]), df.astype(str)], ignore_index=True)
    path = tmp_path / "s2801.csv"
    df.to_csv(path, index=False)
    return path


def test_mini_levels_and_label_row(tmp_path):
    t = read_acs_s2801(_mini(tmp_path))
    assert t.data["area_code"].unique().tolist() == ["34035"]
    assert t.other_levels["level"].unique().tolist() == ["State"]
    assert t.report.row_fate == {3: "used", 4: "kept apart"}
    t2 = read_acs_s2801(_mini(tmp_path, label_row=False))
    assert t2.report.row_fate == {2: "used", 3: "kept apart"}


def test_mini_wrong_label_raises(tmp_path):
    path = _mini(tmp_path)
    text = path.read_text().replace("Estimate!!Total!!X!!Tablet or other portable wireless computer",
                                    "Estimate!!Total!!X!!Dial-up only")
    path.write_text(text)
    with pytest.raises(InputError, match="S2801_C01_007E"):
        read_acs_s2801(path)


def test_mini_missing_column_raises(tmp_path):
    path = _mini(tmp_path, mutate=lambda d: d.drop(columns="S2801_C01_005E"))
    with pytest.raises(InputError, match="S2801_C01_005E"):
        read_acs_s2801(path)


def test_mini_percent_mismatch_bad_geo_and_controlled_moe(tmp_path):
    def mutate(d):
        d = d.astype(object)
        d.loc[0, "S2801_C02_007E"] = 12.3
        d.loc[0, "S2801_C01_001M"] = "*****"
        return d
    rows = [("0500000US34035", "Somerset County, New Jersey", 1000), ("junk", "Nowhere", 10)]
    t = read_acs_s2801(_mini(tmp_path, rows=rows, mutate=mutate))
    mism = t.report.by_code("percent_mismatch")
    assert len(mism) == 1 and mism[0].column == "S2801_C02_007E"
    assert t.report.by_code("bad_geo_id") and t.report.row_fate[4] == "dropped"
    assert (t.data["denominator_moe"] == 0).all()
