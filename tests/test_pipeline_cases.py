"""The general pipeline and what moved out of it: the worked cases (``egovkit.cases``) and the
readers of the user's files (``egovkit.run_files``).

The figures of the Kenya and NYC cases are pinned by tables written before the move
(``tests/data/case_figures``): a change that alters a figure fails here. When a figure changes on
purpose, rewrite them with ``python tests/test_pipeline_cases.py --write`` and say why in the commit.
"""

from __future__ import annotations

import ast
import importlib
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import egovkit
import egovkit.pipeline as pipeline

GOLDEN = Path(__file__).parent / "data" / "case_figures"
#: The tables of a Diagnosis that carry figures (GeoDataFrames without their geometry).
#: the pinned tables: their file names in tests/data/case_figures and the Diagnosis fields holding them
TABLES = {"territory": "territory", "gaps": "gap_to_territory", "composite": "composite", "inequality": "inequality",
          "lagging": "lagging", "coverage": "coverage", "new_sites": "new_sites"}
PACKAGE = Path(egovkit.__file__).parent
SPLIT = ("pipeline.py", "run_files.py", "cases/__init__.py", "cases/example.py", "cases/kenya.py", "cases/nyc.py")


@pytest.mark.parametrize("name", sorted(pipeline.MOVED))
def test_old_import_paths_still_work_and_warn(name):
    where = importlib.import_module(pipeline.MOVED[name])
    with pytest.warns(DeprecationWarning, match=f"egovkit.pipeline.{name} moved to {where.__name__}"):
        old = getattr(pipeline, name)
    assert old is getattr(where, name)


def test_unknown_names_are_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'diagnose_mars'"):
        pipeline.diagnose_mars  # noqa: B018


def test_general_pipeline_keeps_the_main_job_and_knows_no_case():
    for name in ("Diagnosis", "diagnose", "write_outputs", "coverage_table"):
        assert name in vars(pipeline), name
    code = (PACKAGE / "pipeline.py").read_text(encoding="utf-8")
    code = code.split('\n"""\n', 1)[1].split("# -- old import paths")[0]
    for word in ("kenya", "nyc", "NYC_", "Exampleland"):
        assert word not in code, word
    readers = [(m, n) for m, n in _imports(PACKAGE / "pipeline.py")
               if m.startswith(("egovkit.datasets", "egovkit.read", "egovkit.geo"))
               or any(x.startswith("read_") for x in n)]
    assert not readers, readers  # files are read before diagnose() (egovkit.run_files, egovkit.cases)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``from ... import`` of a file, relative modules made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("egovkit", *path.relative_to(PACKAGE).parent.parts))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            out.append((".".join([*base, node.module or ""]).strip("."), [a.name for a in node.names]))
    return out


def test_no_cycle_no_oversized_module_no_private_name_across_modules():
    for rel in SPLIT:
        path = PACKAGE / rel
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, rel
        for module, names in _imports(path):
            if module.startswith("egovkit"):
                assert not [n for n in names if n.startswith("_")], (rel, module, names)
    # pipeline (at any depth) imports neither the cases nor the file readers; the readers no case
    assert not [m for m, _ in _imports(PACKAGE / "pipeline.py") if m.startswith(("egovkit.cases", "egovkit.run_files"))]
    assert not [m for m, _ in _imports(PACKAGE / "run_files.py") if m.startswith("egovkit.cases")]


def _figures(diag) -> dict[str, pd.DataFrame]:
    out = {}
    for name, field_name in TABLES.items():
        df = getattr(diag, field_name)
        if df is not None:
            out[name] = pd.DataFrame(df.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    return out


def _case(case: str):
    from egovkit.cases import diagnose_kenya, diagnose_nyc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return diagnose_kenya(None) if case == "kenya" else diagnose_nyc(None)


@pytest.mark.parametrize("case", ["kenya", "nyc"])
def test_case_figures_are_those_pinned_before_the_move(case, shared_data, mirror):
    """Every figure table of the case equals the one written by the code before the move."""
    got = _figures(_case(case))
    pinned = sorted(p.stem.split("__", 1)[1] for p in GOLDEN.glob(f"{case}__*.csv"))
    assert sorted(got) == pinned
    for name in pinned:
        want = pd.read_csv(GOLDEN / f"{case}__{name}.csv", keep_default_na=False, na_values=[""])
        have = pd.read_csv(_roundtrip(got[name]), keep_default_na=False, na_values=[""])
        pd.testing.assert_frame_equal(have, want, check_exact=False, rtol=1e-9, obj=f"{case} {name}")


def _roundtrip(df: pd.DataFrame):
    import io

    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.12g")
    buf.seek(0)
    return buf


def write_golden() -> None:
    """Write the pinned tables (run from the repository with the real data set up)."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for case in ("kenya", "nyc"):
        for name, df in _figures(_case(case)).items():
            (GOLDEN / f"{case}__{name}.csv").write_text(_roundtrip(df).getvalue(), encoding="utf-8")


if __name__ == "__main__" and "--write" in sys.argv:
    write_golden()
