"""Property tests of read_table: random valid wide tables written in random file dialects.

Each example writes a table of counts (or percentages computed here from the counts) in a random
encoding, separator, decimal mark and thousands style, reads it back and checks the result
against the counts the test generated.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table

WORDS = ["Kibra", "Saint-Étienne", "Évreux", "Ñuñoa", "Aÿ", "Mombasa", "Lac-Mégantic", "Garissa"]
HEADERS = {
    "en": ("District", "Households", {"internet": "Internet", "computer": "Computer", "tv": "Television",
                                      "radio": "Radio"}),
    "fr": ("Commune", "Ménages", {"internet": "Accès internet", "computer": "Ordinateur",
                                  "tv": "Téléviseur", "radio": "Poste radio"}),
}


@st.composite
def tables(draw):
    n = draw(st.integers(1, 25))
    inds = draw(st.lists(st.sampled_from(["internet", "computer", "tv", "radio"]), min_size=1, max_size=4,
                         unique=True))
    dens = draw(st.lists(st.integers(1, 3_000_000), min_size=n, max_size=n))
    counts = {i: [draw(st.integers(0, d)) for d in dens] for i in inds}
    names = [f"{draw(st.sampled_from(WORDS))} {k}" for k in range(n)]
    total_at = draw(st.none() | st.integers(0, n - 1))
    return names, np.array(dens, dtype=float), {i: np.array(c, dtype=float) for i, c in counts.items()}, total_at


def fmt_number(x: float, decimal: str, thousands: str, decimals: int | None) -> str:
    text = f"{x:,.{decimals}f}" if decimals is not None else f"{int(x):,}"
    text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
    return text


def write(path: Path, header: list[str], rows: list[list[str]], sep: str, encoding: str) -> None:
    def cell(c: str) -> str:
        return f'"{c}"' if sep in c else c
    lines = [sep.join(cell(c) for c in header)] + [sep.join(cell(c) for c in r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


DIALECTS = st.sampled_from([
    # sep, decimal, thousands, encoding
    (",", ".", "", "utf-8"), (",", ".", ",", "utf-8-sig"), (";", ",", " ", "latin-1"),
    (";", ",", "\u00a0", "utf-8"), (";", ",", ".", "cp1252"), ("\t", ".", "", "utf-8"),
    (";", ",", "\u202f", "utf-8-sig"), (",", ".", " ", "utf-8"),
])


def read_quietly(path: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(path, **kw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), DIALECTS, st.sampled_from(["en", "fr"]), st.booleans())
def test_counts_and_percent_files_round_trip(table, dialect, lang, as_percent):
    names, dens, counts, total_at = table
    sep, decimal, thousands, encoding = dialect
    if encoding in ("latin-1", "cp1252") and thousands in ("\u00a0", "\u202f"):
        thousands = " "
    area_h, den_h, ind_h = HEADERS[lang]
    inds = list(counts)
    header = [area_h, den_h] + [ind_h[i] + (" (%)" if as_percent else "") for i in inds]
    rows, truth = [], []
    for k, name in enumerate(names):
        if total_at == k:
            tot = [fmt_number(dens.sum(), decimal, thousands, None)]
            for i in inds:
                v = counts[i].sum() / dens.sum() * 100 if as_percent else counts[i].sum()
                tot.append(fmt_number(v, decimal, thousands, 6 if as_percent else None))
            rows.append(["Total"] + tot)
        r = [name, fmt_number(dens[k], decimal, thousands, None)]
        for i in inds:
            v = counts[i][k] / dens[k] * 100 if as_percent else counts[i][k]
            r.append(fmt_number(v, decimal, thousands, 6 if as_percent else None))
        rows.append(r)
        truth.append(name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        write(path, header, rows, sep, encoding)
        t = read_quietly(path, decimal=decimal if thousands in (",", ".") else None,
                         value_type="percent" if as_percent else "count")
    # nothing lost: every row used, kept apart (the total) or reported
    assert t.report.rows_in == len(rows)
    assert len(t.report.row_fate) == len(rows)
    assert list(t.report.row_fate.values()).count("used") == len(names)
    assert list(t.report.row_fate.values()).count("kept apart") == (total_at is not None)
    assert not t.report.errors
    assert len(t.data) == len(names) * len(inds)
    # rates in [0, 1], denominators exact
    share = t.data["numerator"] / t.data["denominator"]
    assert ((share >= -1e-12) & (share <= 1 + 1e-9)).all()
    for i in inds:
        sel = t.data[t.data["indicator"] == i]
        assert sel["area_name"].tolist() == truth
        np.testing.assert_array_equal(sel["denominator"].to_numpy(), dens)
        # percentages were written with 6 decimals: back to counts within that rounding
        tol = dens * 0.5e-6 / 100 + 1e-6 if as_percent else 0
        assert np.all(np.abs(sel["numerator"].to_numpy() - counts[i]) <= tol)


@st.composite
def dirty_tables(draw):
    n = draw(st.integers(1, 30))
    cells = st.one_of(
        st.integers(0, 1000).map(str), st.integers(-50, -1).map(str), st.just(""), st.just("-"),
        st.sampled_from(["abc", "n/a", "12,5", "1 000", "9e9"]),
    )
    rows = [[f"D{draw(st.integers(0, n))}", draw(cells), draw(cells), draw(cells)] for _ in range(n)]
    return rows


@settings(max_examples=60, deadline=None)
@given(dirty_tables())
def test_no_row_is_lost_on_dirty_input(rows):
    df = pd.DataFrame(rows, columns=["district", "households", "internet", "computer"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t = read_table(df, value_type="count")
    lines = set(range(2, len(rows) + 2))
    assert set(t.report.row_fate) == lines
    used = {k for k, v in t.report.row_fate.items() if v == "used"}
    apart = {k for k, v in t.report.row_fate.items() if v == "kept apart"}
    dropped = lines - used - apart
    assert set(t.data["source_row"]) == used
    assert set(t.other_levels["source_row"]) == apart
    assert dropped <= {i.row for i in t.report.issues}
    # what was kept is valid, and every district appears once per indicator
    assert (t.data["numerator"] >= 0).all() and (t.data["numerator"] <= t.data["denominator"]).all()
    assert not t.data.duplicated(["area_name", "indicator"]).any()
    # every cell that did not reach the data is named in the report (row + column)
    named = {(i.row, i.column) for i in t.report.issues}
    row_named = {i.row for i in t.report.issues}
    for line, r in zip(range(2, len(rows) + 2), rows):
        for col, ind in (("internet", "internet"), ("computer", "computer")):
            present = ((t.data["source_row"] == line) & (t.data["indicator"] == ind)).any()
            if not present:
                assert (line, col) in named or line in row_named
