"""Plausibility is never silent (issue 10 part 3): when what a header says and what the values show
disagree, the reading that gives sensible figures is chosen and a warning says which, and how to
choose the other one (``value_type=``, ``--value-type`` on the command line)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from egovkit.read import read_table

HH = [1200, 800, 1000, 900]


def _read(df: pd.DataFrame, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(df, **kw)


def _table(header: str, values: list, **more) -> pd.DataFrame:
    return pd.DataFrame({"quartier": ["Nord", "Sud", "Est", "Ouest"], "households": HH, header: values, **more})


def _share(t) -> float:
    d = t.data
    return float(d["numerator"].sum() / d["denominator"].sum())


def test_percent_header_over_shares_is_read_as_shares_with_a_warning():
    """Bug: '% homes online' holding 0.93, 0.97... was read as percent: under 1 % instead of over
    80 %, said only by a note buried under warnings about unrelated columns."""
    df = _table("% homes online", [0.93, 0.97, 0.88, 0.91], **{"score xyz": [3, 4, 5, 6]})
    t = _read(df, columns={"% homes online": "internet"})
    assert _share(t) == pytest.approx((0.93 * 1200 + 0.97 * 800 + 0.88 * 1000 + 0.91 * 900) / 3900)
    w = t.report.by_code("value_type_conflict")
    assert len(w) == 1 and w[0].severity == "warning" and w[0].column == "% homes online"
    assert "read as shares" in w[0].message and "value_type='percent'" in w[0].fix
    # what changes the figures comes first, before the column that was only ignored
    assert t.report.issues[0].code == "value_type_conflict"
    text = str(t.report).splitlines()
    assert text[1].startswith("  [WARNING]") and "value_type_conflict" not in text[1] and "homes online" in text[1]
    # the override named in the fix works
    t2 = _read(df, columns={"% homes online": "internet"}, value_type="percent")
    assert _share(t2) < 0.01 and not t2.report.by_code("value_type_conflict")


def test_small_values_under_a_percent_header_stay_percent_with_a_warning():
    t = _read(_table("% fibre", [0.05, 0.12, 0.08, 0.2]), columns={"% fibre": "broadband"})
    assert _share(t) < 0.01
    w = t.report.by_code("value_type_conflict")
    assert len(w) == 1 and "value_type='share'" in w[0].fix
    assert _share(_read(_table("% fibre", [0.05, 0.12, 0.08, 0.2]), columns={"% fibre": "broadband"},
                         value_type="share")) > 0.05


def test_percent_signs_in_the_cells_are_percentages_without_a_warning():
    t = _read(_table("internet", ["0.93%", "0.97%", "0.88%", "0.91%"]))
    assert _share(t) < 0.01 and not t.report.by_code("value_type_conflict")


def test_share_header_over_percentages_is_read_as_percent():
    df = _table("share_internet", [45.5, 62.0, 80.1, 51.3])
    t = _read(df)
    assert t.value_type == "percent" and 0.4 < _share(t) < 0.9
    w = t.report.by_code("value_type_conflict")
    assert len(w) == 1 and "value_type='share'" in w[0].fix
    t2 = _read(df, value_type="share")  # as the fix says: shares, every value above 1 an error
    assert t2.value_type == "share" and len(t2.report.by_code("share_above_1")) == 4


def test_one_share_above_1_stays_an_error_of_its_cell():
    t = _read(_table("share_internet", [0.25, 0.5, 1.2, 0.4]))
    assert t.value_type == "share" and [e.area for e in t.report.by_code("share_above_1")] == ["Est"]
    assert not t.report.by_code("value_type_conflict")


def test_percent_header_over_counts_is_read_as_counts():
    t = _read(_table("internet (%)", [1000, 650, 720, 800]))
    assert t.value_type == "count" and _share(t) == pytest.approx(3170 / 3900)
    w = t.report.by_code("value_type_conflict")
    assert len(w) == 1 and "read as counts" in w[0].message and "value_type='percent'" in w[0].fix
    assert not t.report.by_code("percent_above_100")


def test_a_few_percentages_above_100_stay_errors():
    t = _read(_table("internet (%)", [45.0, 105.0, 72.0, 80.0]))
    assert t.value_type == "percent" and [e.area for e in t.report.by_code("percent_above_100")] == ["Sud"]


def test_count_header_over_percentages_is_read_as_percent():
    df = _table("Number of households with internet", [45.5, 62.1, 80.4, 51.3])
    t = _read(df, columns={"Number of households with internet": "internet"})
    assert t.value_type == "percent" and 0.4 < _share(t) < 0.9
    w = t.report.by_code("value_type_conflict")
    assert len(w) == 1 and "value_type='count'" in w[0].fix


def test_long_table_percent_label_over_shares():
    df = pd.DataFrame({"district": ["A", "A", "B", "B", "C", "C", "D", "D"],
                       "households": [100, 100, 200, 200, 300, 300, 400, 400],
                       "indicator": ["% internet", "computer"] * 4,
                       "value": [0.9, 30, 0.8, 40, 0.7, 50, 0.95, 60]})
    t = _read(df, layout="long")
    net = t.data[t.data["indicator"] == "internet"]
    assert net["numerator"].sum() == pytest.approx(0.9 * 100 + 0.8 * 200 + 0.7 * 300 + 0.95 * 400)
    assert [i.column for i in t.report.by_code("value_type_conflict")] == ["value"]


def test_a_household_indicator_is_never_divided_by_persons():
    """Known wrong figure: a table with Population and HouseholdsWithInternet took Population as the
    denominator of a household indicator (internet over persons: a rate of nothing)."""
    from egovkit.errors import InputError

    df = pd.DataFrame({"District": ["A", "B", "C"], "Population": [4000, 9000, 6000],
                       "HouseholdsWithInternet": [700, 1500, 900]})
    with pytest.raises(InputError, match="never computed over persons") as exc:
        _read(df)
    assert "HouseholdsWithInternet" in str(exc.value) and "denominator={'internet'" in str(exc.value)
    t = _read(df.assign(**{"Number of households": [1000, 2500, 1500]}))
    assert t.data["denominator"].tolist() == [1000, 2500, 1500]
    t = _read(df.assign(**{"Persons using the internet": [2000, 5000, 3000]}))  # persons over persons only
    assert set(t.data["indicator"]) == {"internet_use"} and t.data["denominator"].sum() == 19000
    w = t.report.by_code("universe_mismatch")
    assert len(w) == 1 and w[0].severity == "warning" and "not read" in w[0].message
