"""The teaching notebooks are saved with their results, and 01-03 carry worked exercises.

Students (and readers on the repository) see the charts and static maps without running anything,
so notebooks 01-04 keep their image outputs; a commit that strips them fails here. Notebooks 01-03
have at least two exercises, each followed by a solution cell that checks its answer with an
``assert`` (``pytest --nbval-lax notebooks`` runs those cells).

Re-execute the notebooks and save them with their outputs (volatile metadata stripped,
interactive folium maps left out) with::

    .venv/bin/python tests/test_notebooks_outputs.py notebooks/01*.ipynb ...
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
WITH_IMAGES = ["01", "02", "03", "04"]
WITH_EXERCISES = ["01", "02", "03"]
MAX_BYTES = 1_500_000
REEXECUTE = "re-execute it with `.venv/bin/python tests/test_notebooks_outputs.py notebooks/<notebook>`"
# a repr such as "<folium.folium.Map at 0x7f4c...>" changes at every run
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _notebook(prefix: str) -> nbformat.NotebookNode:
    paths = sorted(NOTEBOOKS.glob(f"{prefix}_*.ipynb"))
    assert len(paths) == 1, f"expected one notebook {prefix}_*.ipynb in {NOTEBOOKS}, found {paths}"
    return nbformat.read(paths[0], as_version=4)


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def exercise_pairs(nb: nbformat.NotebookNode) -> list[tuple[int, int]]:
    """(exercise cell, solution cell) positions: a markdown cell tagged ``exercise`` whose next code
    cell is tagged ``solution`` and checks its answer with an ``assert``."""
    pairs = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or "exercise" not in _tags(cell):
            continue
        nxt = next((j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code"), None)
        if nxt is not None and "solution" in _tags(nb.cells[nxt]) and re.search(r"^\s*assert\b",
                                                                                nb.cells[nxt].source, re.M):
            pairs.append((i, nxt))
    return pairs


@pytest.mark.parametrize("prefix", WITH_IMAGES)
def test_notebook_keeps_its_charts(prefix: str) -> None:
    nb = _notebook(prefix)
    images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert images, f"notebook {prefix} has no chart or map saved: {REEXECUTE} and commit it with its outputs"


@pytest.mark.parametrize("prefix", WITH_IMAGES)
def test_saved_outputs_are_small_and_stable(prefix: str) -> None:
    path = next(NOTEBOOKS.glob(f"{prefix}_*.ipynb"))
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.2f} MB"
    nb = _notebook(prefix)
    assert not [c for c in nb.cells if "execution" in c.get("metadata", {})], f"execution timings saved: {REEXECUTE}"
    for o in _outputs(nb):
        text = str(o.get("data", {}).get("text/plain", ""))
        assert not _ADDRESS.search(text), f"a memory address is saved ({text}): {REEXECUTE}"
        assert "folium" not in text, f"an interactive map is saved (random ids, CDN scripts): {REEXECUTE}"


@pytest.mark.parametrize("prefix", WITH_EXERCISES)
def test_exercises_have_worked_solutions(prefix: str) -> None:
    nb = _notebook(prefix)
    pairs = exercise_pairs(nb)
    assert len(pairs) >= 2, f"notebook {prefix}: {len(pairs)} exercise/solution pair(s), expected at least 2"
    for _, j in pairs:
        errors = [o for o in nb.cells[j].get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"notebook {prefix}: the solution cell {j} was saved with an error"


def test_exercise_pairs_detects_a_missing_assert() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("**Exercise 1.**", metadata={"tags": ["exercise"]}),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("**Exercise 2.**", metadata={"tags": ["exercise"]}),
        nbformat.v4.new_code_cell("x = 1\nassert x == 1", metadata={"tags": ["solution"]}),
    ])
    assert exercise_pairs(nb) == [(2, 3)]


# -- re-executing the notebooks ---------------------------------------------------------------------

def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes at every run: execution timings, kernel metadata other than its name and
    language, interactive folium maps (random element ids, scripts from CDNs), memory addresses,
    and the outputs of cells tagged ``remove-output`` (e.g. a run time)."""
    nb.metadata = nbformat.from_dict({k: nb.metadata[k] for k in ("kernelspec", "language_info")
                                      if k in nb.metadata})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if "remove-output" in _tags(cell):
            cell.outputs = []
            continue
        kept = []
        for o in cell.outputs:
            text = o.get("data", {}).get("text/plain", "")
            if "folium" in str(text):
                continue
            if text:
                o["data"]["text/plain"] = _ADDRESS.sub("", text)
            kept.append(o)
        cell.outputs = kept
    return nb


def execute(path: Path, timeout: int = 1800) -> None:
    """Run ``path`` top to bottom in its folder and save it with its outputs, volatile parts stripped."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(strip_volatile(nb), path)
    print(f"{path.name}: {path.stat().st_size / 1e3:.0f} kB, "
          f"{sum('image/png' in o.get('data', {}) for o in _outputs(nb))} images")


if __name__ == "__main__":
    shared = NOTEBOOKS.parent.parent / "shared" / "data"
    os.environ.setdefault("EGOVKIT_SHARED_DATA", str(shared))
    os.environ.setdefault("EGOVKIT_DATA_MIRROR", str(shared / "originals"))
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend draws the charts into the notebook
    for arg in sys.argv[1:] or sorted(str(p) for p in NOTEBOOKS.glob("0[1-4]_*.ipynb")):
        execute(Path(arg).resolve())
