"""A table's own total row is compared with the sum of its districts (reported, never used)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from egovkit.datasets.synthetic import make_territory
from egovkit.read import read_table


def _read(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(df)


def test_total_row_that_matches_is_noted():
    t = _read(make_territory().table)
    assert t.report.by_code("total_row_agrees") and not t.report.by_code("total_row_disagrees")


def test_missing_district_makes_the_total_row_disagree():
    table = make_territory().table
    dropped = table[table["Level"] == "District"].iloc[3]
    t = _read(table.drop(index=dropped.name))
    bad = t.report.by_code("total_row_disagrees")
    assert len(bad) == 6  # every indicator
    assert all(i.row == 2 and i.area == "Exampleland" for i in bad)  # the total row is line 2 of the file
    assert f"{table.loc[table['Level'] == 'Total', 'Households'].item() - dropped['Households']:,.0f}" in bad[0].message
    # the districts themselves are untouched
    assert t.data["area_name"].nunique() == 23


def test_changed_total_rate_is_reported():
    table = make_territory().table.copy()
    table.loc[table["Level"] == "Total", "Internet"] += 5_000  # +2 points on 254,502 households
    t = _read(table)
    bad = t.report.by_code("total_row_disagrees")
    assert [i.message.split(":")[0] for i in bad] == ["internet"]


@pytest.mark.realdata
def test_kenya_national_rows_agree_with_the_counties(shared_data):
    for name in ("V4_T2.36", "V4_T2.32", "V4_T2.33"):
        t = _read_kenya(shared_data / "kenya-census-2019-ict" / f"{name}.csv")
        assert t.report.by_code("total_row_agrees"), name
        assert not t.report.by_code("total_row_disagrees"), name


def _read_kenya(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(path, level="AdminArea", district_level="County")
