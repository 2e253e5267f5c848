"""Fuzz run of ``read_table``: thousands of realistic messy census tables, counts of failures.

Each generated file is a district table as statistics offices and spreadsheet exports write
them: title lines, a header (sometimes split over two physical lines inside quotes), district
rows, a totals row under one of many names and languages (or under the territory's own name: a
hidden total), subtotal rows, footnotes, blank lines, ragged rows, ``,``/``;``/tab separators,
decimal commas, space/dot/comma thousands (including a US Excel copy in a ``;`` file), percent
columns, BOMs and encodings, NUL bytes, unterminated quotes, very long lines, long tables (one row
per area and indicator); files that are not tables at all (binary, empty, a directory, an Excel
workbook or a zip archive named ``.csv``); and tables with random bytes inserted anywhere (only
safety is checked on those: no crash, every row one fate).

The generator knows the truth of every physical line. Each file is read and checked:

- **crashes**: any exception other than an egovkit error (an ``InputError`` must name the file
  and give a fix);
- **lost rows**: a data line (district, total, subtotal or footnote) with no fate in
  ``report.row_fate``;
- **wrong line numbers**: a fate or a ``source_row`` on a line that is not a data line, or a
  district read under another line than its own;
- **double counts**: a total or subtotal row counted as a district;
- **wrong values**: a district's households not read as written (e.g. ``20,852`` read as 20.852);
- **refused**: a readable table refused with an egovkit error (not a failure of safety, but
  counted).

``tests/test_read_properties.py`` runs the same generator through hypothesis (bounded examples).

    .venv/bin/python benchmarks/fuzz_tables.py [N] [--seed S] [--show K]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from egovkit.errors import EgovkitError, EgovkitWarning, InputError
from egovkit.read import read_table

DISTRICT_WORDS = ["Kibra", "Saint-Étienne", "Évreux", "Ñuñoa", "Mombasa", "Lac-Mégantic", "Garissa", "Kisumu",
                  "Nakuru", "Bouaké", "São Roque", "Çankaya", "Machakos", "Thiès", "Lyon", "Quilicura", "Niort",
                  "Ziguinchor", "Kitui", "Beaumont", "Talca", "Embu", "Ouidah", "Coimbra", "Meru", "Vannes"]
#: Totals rows as tables write them (EN/FR/ES/PT/DE/TR...): never districts.
TOTAL_SPELLINGS = ["Total", "TOTAL", "total", "Totals", "Total de la région", "Total région", "Total général",
                   "TOTAL GENERAL", "Grand total", "Grand Total", "Ensemble", "ENSEMBLE", "Ensemble du territoire",
                   "Overall", "All districts", "All areas", "All counties", "National", "National total",
                   "Country total", "Total country", "Whole country", "Toplam", "Total nacional", "Total país",
                   "Total general", "Total geral", "Total do país", "Gesamt", "Insgesamt", "Total (all districts)",
                   "Total:", "TOTAL*", "Total, all communes", "Sum", "Région - total", "Total Region North"]
SUBTOTAL_SPELLINGS = ["Subtotal {}", "Sub-total {}", "Sous-total {}", "Subtotal: {}", "Total {} region",
                      "Sous total {}", "Subtotal"]
TERRITORIES = ["Exampleland", "Région Nord", "Kenya", "Provincia de Talca", "Distrito Central", "Vallée Verte"]
GROUPS = ["North", "South", "East", "West", "Centre", "Urbain", "Coast"]
AREA_HEADERS = ["District", "County", "Commune", "Name", "Nom", "Libellé", "Area name", "Municipality"]
DEN_HEADERS = ["Households", "Ménages", "Total households", "Number of households", "Nombre de ménages",
               "Number of\nhouseholds", "Households (number)"]
IND_HEADERS = {"internet": ["Internet", "Accès internet", "Households with internet", "Internet access"],
               "computer": ["Computer", "Ordinateur", "Desktop/Computer/Laptop/Tablet"],
               "tv": ["Television", "Téléviseur", "TV"],
               "radio": ["Radio", "Poste radio"],
               "smartphone_hh": ["Smartphone"]}
TITLES = ["Table 1: Households owning ICT devices, by district, 2019", "Tableau 3 ; Équipement des ménages",
          "TABLE 2.36: Percentage of households owning selected assets", "Census 2019", "Households, by district",
          "Source: National Statistics Office; provisional", "Région Nord - Recensement 2021"]
NOTES = ["Source: National Statistics Office, Census 2019; figures provisional", "Note: counts are households",
         "* provisional", "Notes: (a) excluding collective households; (b) see annex",
         "Source : INSE, RGPH 2013", "Fuente: INE, Censo 2017", "(1) Including institutions",
         "Reading: 12,5 % of households", "Lecture : 12,5 % des ménages"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


@dataclass
class Case:
    """One generated input and the truth about its physical lines."""

    name: str
    data: bytes | None  # None: the path is a directory
    kind: str = "table"  # "table", "junk" (refused with an egovkit error or read) or "mutated"
    lines: dict[int, str] = field(default_factory=dict)  # physical line -> district/total/subtotal/note
    names: dict[int, str] = field(default_factory=dict)  # district line -> its name
    households: dict[int, float] = field(default_factory=dict)  # district line -> households
    corrupt: set[int] = field(default_factory=set)  # lines where a NUL or a stray quote was put
    features: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# generators (shared with tests/test_read_properties.py)
# ----------------------------------------------------------------------------------------------
def _fmt(x: float, decimal: str, thousands: str, decimals: int) -> str:
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


def _junk(rng: random.Random) -> Case:
    kind = rng.choice(["binary", "png", "pdf", "xlsx", "zip", "empty", "dir", "spaces", "gzip", "ole"])
    if kind == "binary":
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3000)))
    elif kind == "png":
        data = b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(500))
    elif kind == "pdf":
        data = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
    elif kind == "gzip":
        data = b"\x1f\x8b\x08\x00" + bytes(rng.getrandbits(8) for _ in range(300))
    elif kind == "ole":
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.getrandbits(8) for _ in range(600))
    elif kind == "xlsx":
        import pandas as pd

        buf = io.BytesIO()
        n = rng.randint(2, 6)
        pd.DataFrame({"District": [f"D{i}" for i in range(n)], "Households": [100 * (i + 1) for i in range(n)],
                      "Internet": [10 * (i + 1) for i in range(n)]}).to_excel(buf, index=False)
        data = buf.getvalue()
    elif kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("table.csv", "District,Households,Internet\nA,10,2\n")
        data = buf.getvalue()
    elif kind == "empty":
        data = b""
    elif kind == "spaces":
        data = b" \n\n\t \r\n"
    else:
        data = None
    return Case(name="junk.csv", data=data, kind="junk", features=[kind])


def make_case(rng: random.Random) -> Case:  # noqa: C901 (one random case generator in one place; split in issue 11 part 3)
    """A random messy census table (or, one time in 20, a file that is not a table)."""
    if rng.random() < 0.05:
        return _junk(rng)
    feats: list[str] = []
    sep = rng.choice([",", ";", "\t"])
    style = rng.choice(["plain", "eu_space", "eu_dot", "us_comma", "eu_nbsp", "us_in_semicolon"])
    if style == "us_in_semicolon":  # an Excel copy in a US locale, saved with ';' or tabs
        sep = rng.choice([";", "\t"])
    decimal, thousands = {"plain": (".", ""), "eu_space": (",", " "), "eu_dot": (",", "."), "us_comma": (".", ","),
                          "eu_nbsp": (",", "\u00a0"), "us_in_semicolon": (".", ",")}[style]
    if sep == "," and decimal == ",":
        sep = ";"
    feats += [f"sep={sep!r}", f"style={style}"]
    encoding = rng.choice(ENCODINGS)
    if encoding in ("cp1252", "latin-1") and thousands == "\u00a0":
        thousands = " "
    feats.append(encoding)

    n = rng.randint(3, 25)
    names = rng.sample(DISTRICT_WORDS, min(n, len(DISTRICT_WORDS)))
    names += [f"{rng.choice(DISTRICT_WORDS)} {k}" for k in range(n - len(names))]
    small = rng.random() < 0.2
    dens = [rng.randint(50, 900) if small else rng.randint(1000, 400_000) for _ in range(n)]
    inds = rng.sample(list(IND_HEADERS), rng.randint(1, 4))
    as_pct = {i: rng.choice([False, False, "pct", "pct_sign", "share"]) for i in inds}
    counts = {i: [rng.randint(0, d) for d in dens] for i in inds}
    pct_dec = rng.choice([1, 2])

    area_h = rng.choice(AREA_HEADERS)
    den_h = rng.choice(DEN_HEADERS)
    suffix = {False: "", "pct": " (%)", "pct_sign": "", "share": " (share)"}
    header = [area_h, den_h] + [rng.choice(IND_HEADERS[i]) + suffix[as_pct[i]] for i in inds]
    code_col = rng.random() < 0.2
    if code_col:
        header.insert(0, "Code")

    def cells(den: float, cnt: dict[str, float]) -> list[str]:
        out = [_fmt(den, decimal, thousands, 0)]
        for i in inds:
            if as_pct[i] == "share":
                out.append(_fmt(cnt[i] / den if den else 0.0, decimal, "", pct_dec + 2))
            elif as_pct[i]:
                out.append(_fmt(100.0 * cnt[i] / den if den else 0.0, decimal, "", pct_dec)
                           + (rng.choice([" %", "%"]) if as_pct[i] == "pct_sign" else ""))
            else:
                out.append(_fmt(cnt[i], decimal, thousands, 0))
        return out

    # body rows: (role, name, cells)
    body: list[tuple[str, str, list[str], float]] = []
    for k in range(n):
        c = cells(dens[k], {i: counts[i][k] for i in inds})
        if rng.random() < 0.08:  # a missing cell in a district (the totals check must survive it)
            j = rng.randrange(1, len(c)) if len(c) > 1 else 0
            c[j] = rng.choice(["", "-", "..", "n/a"])
            feats.append("missing_cell")
        body.append(("district", names[k], c, float(dens[k])))
    if rng.random() < 0.15 and n >= 6:  # subtotals after groups of districts
        feats.append("subtotals")
        cut = rng.randint(2, n - 2)
        groups = [(0, cut), (cut, n)]
        new_body = []
        for g, (a, b) in enumerate(groups):
            new_body += body[a:b]
            label = rng.choice(SUBTOTAL_SPELLINGS).format(GROUPS[g])
            new_body.append(("subtotal", label, cells(sum(dens[a:b]), {i: sum(counts[i][a:b]) for i in inds}), 0.0))
        body = new_body
    tot = rng.random()
    if tot < 0.65:
        if tot < 0.12:
            label = rng.choice(TERRITORIES)  # a hidden total: the territory's own name
            feats.append("hidden_total")
        else:
            label = rng.choice(TOTAL_SPELLINGS)
            feats.append("total")
        tc = cells(sum(dens), {i: sum(counts[i]) for i in inds})
        if rng.random() < 0.3 and len(tc) > 1:  # the total's indicator cell left empty
            tc[rng.randrange(1, len(tc))] = ""
            feats.append("total_cell_missing")
        row = ("total", label, tc, 0.0)
        if rng.random() < 0.5:
            body.insert(0, row)
        else:
            body.append(row)

    # assemble physical lines
    def quote(c: str) -> str:
        if sep in c or '"' in c or "\n" in c:
            return '"' + c.replace('"', '""') + '"'
        return c

    out: list[str] = []
    case = Case(name=rng.choice(["table.csv", "t.txt", "census.tsv", "data.csv"]), data=None, features=feats)
    line = 1

    def emit(record: str, role: str | None = None, name: str | None = None, den: float = 0.0) -> None:
        nonlocal line
        out.append(record)
        if role:
            case.lines[line] = role
        if role == "district":
            case.names[line] = name or ""
            case.households[line] = den
        line += record.count("\n") + 1

    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        t = rng.choice(TITLES)
        emit(rng.choice([t, quote(t), t + sep * rng.randint(0, 3)]))
        feats.append("title")
        if rng.random() < 0.3:
            emit("")
    long = rng.random() < 0.15  # one row per (area, indicator)
    if long:
        feats.append("long")
        labels = header[-len(inds):]
        header = header[:-len(inds)] + [rng.choice(["Indicator", "Variable", "Indicateur"]),
                                        rng.choice(["Value", "Valeur", "Count"])]
        body = [(role, nm, [c[0], lab, v], den) for role, nm, c, den in body for lab, v in zip(labels, c[1:])]
    emit(sep.join(quote(h) for h in header))
    codes: dict[str, str] = {}
    for role, nm, c, den in body:
        if rng.random() < 0.04:
            emit("")
            feats.append("blank_line")
        row = ([codes.setdefault(nm, f"{100 + len(codes):05d}")] if code_col else []) + [nm] + c
        if rng.random() < 0.1:  # ragged: trailing empty cells dropped, or extra empty cells
            while len(row) > 2 and row[-1] == "":
                row.pop()
            row += [""] * rng.randint(0, 2)
            feats.append("ragged")
        emit(sep.join(quote(x) for x in row), role, nm, den)
    if rng.random() < 0.35:
        if rng.random() < 0.5:
            emit("")
        for _ in range(rng.randint(1, 3)):
            note = rng.choice(NOTES)
            emit(rng.choice([note, quote(note), note + sep * rng.randint(0, len(header) - 1)]), "note")
        feats.append("footnotes")
    if rng.random() < 0.02:
        emit("Note: " + "x" * rng.randint(140_000, 300_000), "note")
        feats.append("huge_line")

    # corruptions on physical lines (a NUL byte, an unterminated quote)
    if rng.random() < 0.12:
        feats.append("nul")
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(out))
            if out[i]:
                p = rng.randrange(len(out[i]) + 1)
                out[i] = out[i][:p] + "\x00" + out[i][p:]
                case.corrupt.add(i)
    if rng.random() < 0.12:
        feats.append("unterminated_quote")
        data_idx = [i for i, r in enumerate(out) if r and '"' not in r and "\n" not in r]
        if data_idx:
            i = rng.choice(data_idx)
            parts = out[i].split(sep)
            j = rng.randrange(len(parts))
            parts[j] = '"' + parts[j]
            out[i] = sep.join(parts)
            case.corrupt.add(i)
    newline = rng.choice(["\n", "\n", "\n", "\r\n", "\r"])
    text = ("\n".join(out) + rng.choice(["\n", ""])).replace("\n", newline)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
        feats.append("fallback_utf8")
    if rng.random() < 0.05:  # random bytes inserted anywhere: only safety is checked
        for _ in range(rng.randint(1, 6)):
            k = rng.randrange(len(data) + 1)
            data = data[:k] + rng.choice([b"\x00", b'"', b";", b",", b"\t", b"\n", b"\r", b"\xef\xbb\xbf", b"\xff",
                                          b"\x81", b"\xc3", b"%", b"1,234"]) + data[k:]
        case.kind = "mutated"
        feats.append("mutated_bytes")
    case.data = data
    # corrupt indices are list positions: translate to physical lines
    starts, ln = [], 1
    for r in out:
        starts.append(ln)
        ln += r.count("\n") + 1
    case.corrupt = {starts[i] for i in case.corrupt}
    return case


# ----------------------------------------------------------------------------------------------
# checking
# ----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    crash: str | None = None
    refused: str | None = None
    lost: list[int] = field(default_factory=list)
    wrong_line: list[int] = field(default_factory=list)
    double: list[str] = field(default_factory=list)
    wrong_value: list[str] = field(default_factory=list)
    bad_error: str | None = None  # an egovkit error without the file name or a fix


def _clean(name: str) -> str:
    return name.replace("\x00", "").replace('"', "").strip()


def check_case(case: Case, folder: Path) -> Outcome:
    """Write the case, read it and compare with the truth."""
    path = folder / case.name
    if path.is_dir():
        path.rmdir()
    elif path.exists():
        path.unlink()
    if case.data is None:
        path.mkdir()
    else:
        path.write_bytes(case.data)
    res = Outcome()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EgovkitWarning)
            t = read_table(path)
    except EgovkitError as exc:
        if isinstance(exc, InputError) and (not exc.file or not exc.fix):
            res.bad_error = str(exc)
        if case.kind == "table":
            res.refused = f"{type(exc).__name__}: {exc}"
        return res
    except Exception:  # noqa: BLE001 - counting crashes is the point
        res.crash = traceback.format_exc(limit=-3)
        return res
    fate = t.report.row_fate
    if case.kind != "table":  # junk that was read, or mutated bytes: every row still has one fate
        if set(fate.values()) - {"used", "kept apart", "dropped"} or len(fate) != t.report.rows_in:
            res.lost = [-1]
        return res
    data_lines = set(case.lines)
    # rows on corrupted lines may legitimately merge or split: they are checked for fate only
    res.lost = sorted(ln for ln in data_lines if ln not in fate and ln not in case.corrupt)
    res.wrong_line = sorted(ln for ln in fate if ln not in data_lines and ln not in case.corrupt)
    used = t.data.drop_duplicates("source_row")
    for row in used.itertuples(index=False):
        ln = int(row.source_row)
        role = case.lines.get(ln)
        if role in ("total", "subtotal"):
            res.double.append(f"line {ln} {row.area_name!r} ({role}) counted as a district")
        elif role == "district" and ln not in case.corrupt:
            if _clean(str(row.area_name)) != _clean(case.names[ln]):
                res.wrong_line.append(ln)
            elif abs(float(row.denominator) - case.households[ln]) > 1e-6 * max(case.households[ln], 1):
                res.wrong_value.append(f"line {ln}: households {row.denominator:g}, written {case.households[ln]:g}")
        elif role is None and ln not in case.corrupt:
            res.wrong_line.append(ln)
    return res


def run(n: int, seed: int = 0, show: int = 3) -> dict[str, int]:
    """Generate and check ``n`` cases; print and return the counts."""
    counts = dict(files=0, crashes=0, lost_rows=0, wrong_line_numbers=0, double_counts=0, wrong_values=0,
                  refused=0, errors_without_file_or_fix=0)
    examples: dict[str, list[str]] = {k: [] for k in counts}
    rng = random.Random(seed)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(n):
            case = make_case(random.Random(rng.getrandbits(64)))
            out = check_case(case, Path(tmp))
            counts["files"] += 1
            tag = f"case {k} {case.features}"
            for key, bad, what in (("crashes", out.crash, out.crash), ("refused", out.refused, out.refused),
                                   ("lost_rows", out.lost, out.lost), ("wrong_line_numbers", out.wrong_line,
                                                                        out.wrong_line),
                                   ("double_counts", out.double, out.double),
                                   ("wrong_values", out.wrong_value, out.wrong_value),
                                   ("errors_without_file_or_fix", out.bad_error, out.bad_error)):
                if bad:
                    counts[key] += len(bad) if isinstance(bad, list) else 1
                    if len(examples[key]) < show:
                        examples[key].append(f"{tag}: {str(what)[-600:]}")
    dt = time.perf_counter() - t0
    print(f"{counts['files']} generated files in {dt:.1f} s (seed {seed})")
    for key in ("crashes", "lost_rows", "wrong_line_numbers", "double_counts", "wrong_values",
                "errors_without_file_or_fix", "refused"):
        print(f"  {key:28s} {counts[key]:6d}")
    for key, ex in examples.items():
        for e in ex:
            print(f"  e.g. {key}: {e}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args(argv)
    np.seterr(all="ignore")
    counts = run(args.n, args.seed, args.show)
    bad = sum(counts[k] for k in ("crashes", "lost_rows", "wrong_line_numbers", "double_counts"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
