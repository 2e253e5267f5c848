"""Property tests of read_table: random valid wide tables written in random file dialects, and
messy files that must read safely.

Each round-trip example writes a table of counts (or percentages computed here from the counts) in
a random encoding, separator, decimal mark and thousands style, reads it back and checks the
result against the counts the test generated. The safety examples come from the generator of
``benchmarks/fuzz_tables.py`` (title lines, notes, ragged rows, NUL bytes, unclosed quotes, totals
in many spellings, hidden totals, binary files...) and from random byte insertions: no exception
but an egovkit error naming the file and the fix, every row one fate on its true line, totals
never counted as districts. The long run (thousands of files) is the benchmark script.
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
    # every dropped row is said: by an issue of its own or in the rows of an issue said once for many
    assert dropped <= {i.row for i in t.report.issues} | {r for i in t.report.issues for r in (i.rows or ())}
    # what was kept is valid, and every district appears once per indicator
    assert (t.data["numerator"] >= 0).all() and (t.data["numerator"] <= t.data["denominator"]).all()
    assert not t.data.duplicated(["area_name", "indicator"]).any()
    # every cell that did not reach the data is named in the report (row + column)
    named = {(r, i.column) for i in t.report.issues for r in (i.row, *(i.rows or ()))}
    row_named = {r for i in t.report.issues for r in (i.row, *(i.rows or ()))}
    for line, _r in zip(range(2, len(rows) + 2), rows):
        for col, ind in (("internet", "internet"), ("computer", "computer")):
            present = ((t.data["source_row"] == line) & (t.data["indicator"] == ind)).any()
            if not present:
                assert (line, col) in named or line in row_named


# ----------------------------------------------------------------------------------------------
# safety: messy files from the fuzz generator of benchmarks/fuzz_tables.py (the long run is there)
# ----------------------------------------------------------------------------------------------
import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from egovkit.errors import InputError  # noqa: E402

from fuzz_tables import TOTAL_SPELLINGS, check_case, make_case  # noqa: E402


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_messy_census_files_read_or_fail_with_an_egovkit_error(rnd):
    case = make_case(rnd)
    with tempfile.TemporaryDirectory() as tmp:
        out = check_case(case, Path(tmp))
    assert out.crash is None, out.crash
    assert out.bad_error is None, out.bad_error
    assert not out.lost, f"rows without a fate: {out.lost} {case.features}"
    assert not out.wrong_line, f"wrong line numbers: {out.wrong_line} {case.features}"
    assert not out.double, f"totals counted as districts: {out.double} {case.features}"
    assert not out.wrong_value, out.wrong_value
    assert out.refused is None, out.refused


def _physical_lines(path: Path, t) -> list[str] | None:
    """The file's lines as read_table decoded them (None for UTF-16 and spreadsheets)."""
    said = [i.message for i in t.report.by_code("encoding")]
    if not said or "UTF-16" in said[0]:
        return None
    data = path.read_bytes()
    enc = "cp1252" if "1252" in said[0] else "latin-1" if "ISO-8859-1" in said[0] else "utf-8-sig"
    text = data.decode(enc, errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x00", "").replace('"', "").split("\n")


MUTATIONS = st.lists(st.tuples(st.floats(0, 1), st.sampled_from(
    ["\x00", '"', ";", ",", "\t", "\n", "\r", "\n\n", "\ufeff", "\xff", "\x81", "%", "1,234", "Total", " "])),
    max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), MUTATIONS)
def test_mutated_bytes_never_crash_and_rows_keep_their_lines(rnd, mutations):
    case = make_case(rnd)
    data = case.data or b"District,Households,Internet\nA,10,2\n"
    for where, what in mutations:  # random insertions anywhere, encodings mixed on purpose
        k = int(where * len(data))
        data = data[:k] + what.encode("utf-8") + data[k:]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.csv"
        path.write_bytes(data)
        try:
            t = read_quietly(path)
        except InputError as exc:
            assert exc.file and exc.fix, str(exc)
            return
        lines = _physical_lines(path, t)
    fates = t.report.row_fate
    assert set(fates.values()) <= {"used", "kept apart", "dropped"}
    assert len(fates) == t.report.rows_in
    if lines is None:
        return
    assert all(1 <= ln <= len(lines) for ln in fates)
    # a row read starts on its line: the line holds the start of its area name
    for row in pd.concat([t.data, t.other_levels]).drop_duplicates("source_row").itertuples():
        name = str(row.area_name).replace('"', "").split("\n")[0].strip()
        assert name in lines[row.source_row - 1], (row.source_row, name, lines[row.source_row - 1])
        assert fates[row.source_row] in ("used", "kept apart")


WORDS_CASES = st.sampled_from([str.upper, str.lower, str.title, lambda s: s])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(TOTAL_SPELLINGS + ["Total de la région", "Ensemble du département", "Todos los municipios",
                                          "Total geral", "Country as a whole", "TOTAL PAÍS", "All communes"]),
       WORDS_CASES, st.integers(4, 12), st.integers(0, 2), st.booleans())
def test_totals_are_never_counted_as_districts(label, case, n, where, drop_cell):
    rng = np.random.default_rng(n * 7 + where)
    dens = rng.integers(100, 50_000, n)
    inet = (dens * rng.uniform(0, 1, n)).astype(int)
    comp = (dens * rng.uniform(0, 1, n)).astype(int)
    rows = [[f"D{k}", str(d), str(i), str(c)] for k, (d, i, c) in enumerate(zip(dens, inet, comp))]
    if drop_cell:  # a district's internet cell missing: the totals check must not rely on it
        rows[1][2] = ""
    total = [case(label), str(dens.sum()), str(inet.sum()), str(comp.sum())]
    rows.insert([0, len(rows) // 2, len(rows)][where], total)
    df = pd.DataFrame(rows, columns=["District", "Households", "Internet", "Computer"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t = read_table(df)
    assert case(label) not in set(t.data["area_name"])
    assert case(label) in set(t.other_levels["area_name"])
    assert t.data.drop_duplicates("area_name")["denominator"].sum() == dens.sum()


@settings(max_examples=100, deadline=None)
@given(st.integers(4, 15), st.integers(0, 10_000), st.booleans(), st.booleans())
def test_hidden_total_under_the_territory_name_is_kept_apart(n, seed, as_percent, drop_cell):
    rng = np.random.default_rng(seed)
    dens = rng.integers(100, 50_000, n)
    inet = (dens * rng.uniform(0, 1, n)).astype(int)
    comp = (dens * rng.uniform(0, 1, n)).astype(int)

    def cells(d, i, c):
        return [str(d)] + ([f"{100 * i / d:.1f}", f"{100 * c / d:.1f}"] if as_percent else [str(i), str(c)])

    rows = [[f"D{k}"] + cells(d, i, c) for k, (d, i, c) in enumerate(zip(dens, inet, comp))]
    if drop_cell:
        rows[0][2] = "-"
    rows.insert(int(rng.integers(0, n + 1)), ["Vallée Verte"] + cells(dens.sum(), inet.sum(), comp.sum()))
    suffix = " (%)" if as_percent else ""
    df = pd.DataFrame(rows, columns=["District", "Households", "Internet" + suffix, "Computer" + suffix])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t = read_table(df)
    assert "Vallée Verte" not in set(t.data["area_name"])
    assert [i.area for i in t.report.by_code("looks_like_total")] == ["Vallée Verte"]
    assert t.data["area_name"].nunique() == n
