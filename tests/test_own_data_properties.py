"""Property test of issue 10: a user's own files, end to end, never end in a traceback or lose a row.

Hypothesis draws small territories (a grid of districts with codes and names) and a user's table
of part of them: districts the table does not cover (extra boundary areas), districts the
boundaries do not have, codes written twice (the same row again, or another value), missing
denominators and values, a join by code or by (re-cased) name; and a hotspot list whose coordinate
columns are the wrong way round, whole or row by row. Both ``pipeline.diagnose`` and ``egovkit
run`` (``cli.main``) must end in a result or in an egovkit error with a message (exit code 2),
never in a traceback (exit code 3), and every input row must have a fate: every table row in the
reading's row fates, every district of the table on the map or listed as without boundary, every
boundary area with data or counted as "no data", every hotspot row in its report.

The examples are few and small (``max_examples``) so the file runs in about a minute; the profile
is the "egovkit" one of conftest.py (derandomized: the same examples on every run).
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from shapely.geometry import box

from egovkit.errors import EgovkitError

_WORDS = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Ivy", "Juniper", "Kapok",
          "Larch", "Maple"]
_LON0, _LAT0, _CELL = 2.30, 48.80, 0.02  # a small territory near Paris (lon/lat)


@dataclass
class Case:
    """One drawn user case: the files' contents and what the test expects of them."""

    boundaries: gpd.GeoDataFrame
    table: pd.DataFrame                     # as written to the CSV (blank cells are None)
    by_code: bool
    hotspots: pd.DataFrame | None = None    # as written to the CSV
    hotspot_swap: str = "none"              # "none", "columns" (the whole file) or "rows"
    boundary_key: str | None = None         # --boundary-key (None: guessed)
    notes: list[str] = field(default_factory=list)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    nx, ny = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    n = nx * ny
    alpha = draw(st.booleans())  # numeric FIPS-like codes, or INSEE-like codes with letters
    codes = [f"2A{100 + 3 * i:03d}" if alpha else f"{1001 + 2 * i:05d}" for i in range(n)]
    names = _WORDS[:n]
    cells = [box(_LON0 + (i % nx) * _CELL, _LAT0 + (i // nx) * _CELL,
                 _LON0 + (i % nx + 1) * _CELL, _LAT0 + (i // nx + 1) * _CELL) for i in range(n)]
    b = gpd.GeoDataFrame({"code": codes, "name": names}, geometry=cells, crs=4326)
    bnd_fault = draw(st.sampled_from(["none", "none", "duplicate_code", "missing_code", "extra_part"]))
    if bnd_fault == "duplicate_code":  # two areas under one code
        b.loc[1, "code"] = b.loc[0, "code"]
    elif bnd_fault == "missing_code":
        b.loc[n - 1, "code"] = None
    elif bnd_fault == "extra_part":  # a district in two features (an island written apart)
        part = b.iloc[[0]].copy()
        part["geometry"] = [box(_LON0 - _CELL, _LAT0, _LON0 - _CELL / 2, _LAT0 + _CELL / 2)]
        b = pd.concat([b, part], ignore_index=True)

    covered = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    by_code = draw(st.booleans())
    rows = []
    for i in sorted(covered):
        total = draw(st.integers(50, 5000))
        rows.append({"Code": codes[i], "District": names[i].upper() if not by_code else names[i],
                     "Total households": total,
                     "Households with internet": draw(st.integers(0, total)),
                     "Households with computer": draw(st.integers(0, total))})
    for k in range(draw(st.integers(0, 2))):  # districts that the boundaries do not have
        rows.append({"Code": f"{9001 + k:05d}", "District": f"Nowhere {k}", "Total households": 100,
                     "Households with internet": 10, "Households with computer": 5})
    t = pd.DataFrame(rows)
    for _ in range(draw(st.integers(0, 2))):  # a code twice: the same row again, or another value
        j = draw(st.integers(0, len(t) - 1))
        dup = t.iloc[[j]].copy()
        if draw(st.booleans()):
            dup["Households with internet"] = int(dup["Households with internet"].iloc[0]) // 2
        t = pd.concat([t, dup], ignore_index=True)
    t = t.astype(object)
    for _ in range(draw(st.integers(0, 2 if draw(st.booleans()) else len(t)))):  # missing denominators, values
        j = draw(st.integers(0, len(t) - 1))
        t.loc[j, draw(st.sampled_from(["Total households", "Households with internet"]))] = None
    if not by_code:
        t = t.drop(columns="Code")
    case = Case(b, t, by_code, boundary_key=draw(st.sampled_from([None, "code" if by_code else "name"])))

    if draw(st.booleans()):
        k = draw(st.integers(3, 12))
        pts = [(_LON0 + _CELL * (0.1 + 0.8 * ((7 * i) % 10) / 10) * nx, _LAT0 + _CELL * (0.1 + 0.08 * i) * ny)
               for i in range(k)]
        lon = np.array([p[0] for p in pts])
        lat = np.array([p[1] for p in pts])
        case.hotspot_swap = draw(st.sampled_from(["none", "columns", "rows"]))
        if case.hotspot_swap == "columns":
            lat, lon = lon, lat
        elif case.hotspot_swap == "rows":
            swap = np.zeros(k, dtype=bool)
            swap[: max(1, k // 4)] = True
            lat, lon = np.where(swap, lon, lat), np.where(swap, lat, lon)
        hs = pd.DataFrame({"name": [f"S{i}" for i in range(k)], "latitude": np.round(lat, 6),
                           "longitude": np.round(lon, 6)}).astype(object)
        if draw(st.booleans()):  # a row without coordinates, a (0, 0) placeholder
            hs.loc[k - 1, ["latitude", "longitude"]] = draw(st.sampled_from([(None, None), (0.0, 0.0), ("n/a", "")]))
        case.hotspots = hs
    return case


def _event(text: str) -> None:
    """A line of ``--hypothesis-show-statistics`` (nothing when called outside a property test)."""
    try:
        event(text)
    except InvalidArgument:
        pass


def _write(case: Case, folder: Path) -> tuple[Path, Path, Path | None]:
    table = folder / "table.csv"
    case.table.to_csv(table, index=False)
    bnd = folder / "districts.geojson"
    case.boundaries.to_file(bnd, driver="GeoJSON")
    hs = None
    if case.hotspots is not None:
        hs = folder / "hotspots.csv"
        case.hotspots.to_csv(hs, index=False)
    return table, bnd, hs


def _count_listed(report, code: str, what: str) -> int:
    """How many items the issues of ``code`` stand for: one each, or the count of a summary line."""
    n = 0
    for i in [i for i in report.issues if i.code.startswith(code)]:
        m = re.search(rf"([\d,]+) (?:of [\d,]+ )?{what}", i.message)
        n += int(m.group(1).replace(",", "")) if m and i.area is None else 1
    return n


def _check_diagnosis(case: Case, folder: Path) -> None:
    from egovkit.coverage import read_hotspots
    from egovkit.geo import read_boundaries
    from egovkit.join import join_table
    from egovkit.pipeline import diagnose
    from egovkit.read import read_table

    table_path, bnd_path, hs_path = _write(case, folder)
    n_rows = len(case.table)
    try:
        table = read_table(table_path)
    except EgovkitError as exc:
        assert str(exc).strip()
        _event(f"read_table: {type(exc).__name__}")
        return
    # every table row has a fate, under its line in the file (header = line 1)
    assert set(table.report.row_fate) == set(range(2, n_rows + 2)), table.report.row_fate
    boundaries = read_boundaries(bnd_path)
    sites = None
    if hs_path is not None:
        sites, hrep = read_hotspots(hs_path, districts=boundaries, key="code")
        assert set(hrep.row_fate) == set(range(2, len(case.hotspots) + 2))
        assert len(sites) == len(case.hotspots)
        if case.hotspot_swap == "columns":  # ONE warning for the file, naming the columns
            swaps = [i for i in hrep.issues if i.code.startswith("hotspots.swapped_columns")]
            assert len(swaps) == 1 and "'latitude' and 'longitude'" in swaps[0].message, swaps
        if case.hotspot_swap != "none":
            ok = sites["is_site"].astype(bool)
            assert not sites.loc[ok, "issues"].str.contains("outside_districts").any()  # all swapped back
    try:
        diag = diagnose(table, boundaries, key=case.boundary_key, hotspots=sites)
    except EgovkitError as exc:
        assert str(exc).strip()
        _event(f"diagnose: {type(exc).__name__}: {str(exc)[:60]}")
        return
    _event("diagnosis")
    rep = diag.report
    assert set(range(2, n_rows + 2)) <= set(rep.row_fate)
    assert f"share_{diag.main_indicator}" in diag.districts
    # every district of the table is on the map or listed without boundary; every boundary area has
    # its table row or is counted (once, in a summary beyond 5) as "no data"
    j = join_table(table, boundaries, boundary_on=case.boundary_key)
    n_table = len(diag.rates.drop_duplicates(["area_code", "area_name"]))
    assert j.matched + len(j.unmatched_table) == n_table
    # features of one district written apart are merged (and said so): no boundary feature is lost
    merged = sum(int(n) - 1 for i in rep.by_code("join.parts_merged")
                 for n in re.findall(r"\((\d+) features\)", i.message))
    assert len(diag.districts) == len(j.gdf) == len(boundaries) - merged
    assert j.matched + len(j.unmatched_boundaries) == len(j.gdf)
    assert _count_listed(rep, "join.unmatched_table", "more table rows") == len(j.unmatched_table)
    assert _count_listed(rep, "join.unmatched_boundary", "boundary areas") == len(j.unmatched_boundaries)
    assert len([i for i in rep.issues if i.code.startswith("join.unmatched_boundary")]) <= 5
    if j.by == "code":  # codes are never matched by spelling: a candidate begins or ends with the code
        for frame in (j.unmatched_table, j.unmatched_boundaries):
            for key, cands in zip(frame["key"], frame["candidates"]):
                for name, _ in cands:
                    c = str(name).strip().upper()
                    assert c.startswith(key) or c.endswith(key) or key.startswith(c) or key.endswith(c), (key, c)


def _check_cli(case: Case, folder: Path) -> None:
    from egovkit.cli import main

    table, bnd, hs = _write(case, folder)
    out = folder / "out"
    args = ["run", str(table), str(bnd), "--out", str(out), "--quiet", "--force"]
    if case.boundary_key:
        args += ["--boundary-key", case.boundary_key]
    if hs is not None:
        args += ["--hotspots", str(hs)]
    err, std = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    text = err.getvalue()
    _event(f"egovkit run: exit {code}")
    assert code in (0, 1, 2), f"exit {code}: {text}\n{std.getvalue()}"
    assert "Traceback" not in text and "internal error" not in text
    if code == 2:
        assert text.startswith("error:") and len(text.strip()) > len("error:")
    if code == 0:
        assert (out / "index.html").exists() and (out / "validation_report.txt").exists()
        lines = (out / "validation_report.txt").read_text(encoding="utf-8").splitlines()
        assert sum("boundary areas have no table row" in ln for ln in lines) <= 1


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_diagnose_own_files_never_a_traceback_and_every_row_accounted_for(case):
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check_diagnosis(case, Path(tmp))


@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_egovkit_run_own_files_ends_in_a_report_or_a_one_line_error(case):
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check_cli(case, Path(tmp))


# -- the faithful reproduction behind the property: a partial table against a national file ----------

def test_run_partial_table_against_a_larger_boundary_file(tmp_path):
    """Before: pandas MergeError traceback from present/maps.py (exit 3) and one warning per boundary area."""
    n = 40
    b = gpd.GeoDataFrame({"GEOID": [f"{1001 + 2 * i:05d}" for i in range(n)], "NAME": [f"C{i}" for i in range(n)]},
                         geometry=[box(_LON0 + (i % 8) * _CELL, _LAT0 + (i // 8) * _CELL, _LON0 + (i % 8 + 1) * _CELL,
                                       _LAT0 + (i // 8 + 1) * _CELL) for i in range(n)], crs=4326)
    b.to_file(tmp_path / "national.geojson", driver="GeoJSON")
    t = pd.DataFrame({"GEOID": b["GEOID"][:6], "County": b["NAME"][:6],
                      "Total households": [900, 800, 700, 600, 500, 400],
                      "Households with internet": [700, 600, 500, 400, 300, 200]})
    t.to_csv(tmp_path / "partial.csv", index=False)
    _check_cli(Case(b, t, True), tmp_path)
    out = tmp_path / "out"
    assert (out / "index.html").exists()
    lines = (out / "validation_report.txt").read_text(encoding="utf-8")
    assert "34 of 40 boundary areas have no table row" in lines and "kept and mapped as 'no data'" in lines
    assert "No data (34)" in (out / "maps" / "internet.html").read_text(encoding="utf-8")
    assert "34 districts without data" in (out / "index.html").read_text(encoding="utf-8")
