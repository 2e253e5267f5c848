"""The shape of the package (issue 11): small modules, no import cycle, no private name imported
across sub-packages, one name per concept in every public signature.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import egovkit

PACKAGE = Path(egovkit.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
#: "about 600 lines"
MAX_LINES = 620
#: old keyword -> the one name (a public function may keep the old one only through @renamed)
OLD_NAMES = {"area": "key/name", "district": "key/name", "name_column": "name", "boundary_key": "key",
             "id_column": "key", "district_names": "name", "area_column": "key/name", "radius": "radius_m",
             "radii": "radii_m"}
#: where an old word is not a district key column: ``ValidationReport.add(area=)`` is the district *value* a
#: finding is about (the ``area`` column of every validation report), not a column to read
NOT_A_KEY = {("validate.py", "add", "area")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _subpackage(module: str) -> str:
    """``egovkit.read.roles`` -> ``egovkit.read``; a top-level module is its own (``egovkit.geo``)."""
    return ".".join(module.split(".")[:2])


def _imports(path: Path, top_level_only: bool = False) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            out.append((module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return [(m, n) for m, n in out if m == "egovkit" or m.startswith("egovkit.")]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_about_600_lines(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {n} lines: split it into modules named for what they do"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_name_imported_across_subpackages(path):
    here = _subpackage(_module_name(path))
    bad = [(m, n) for m, names in _imports(path) for n in names
           if _subpackage(m) != here and n.startswith("_") and not n.startswith("__")]
    assert not bad, f"{path.relative_to(PACKAGE)} imports private names of another sub-package: {bad}"


def test_no_import_cycle_between_modules():
    files = {_module_name(p): p for p in MODULES}
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        deps = set()
        for m, names in _imports(path, top_level_only=True):
            for target in [f"{m}.{n}" for n in names] + [m]:
                if target in files and target != mod:
                    deps.add(target)
                    break
        graph[mod] = deps
    # a package's __init__ re-exporting its own modules is not a cycle: leave packages out as targets
    packages = {_module_name(p) for p in MODULES if p.name == "__init__.py"}
    graph = {m: {d for d in deps if d not in packages} for m, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if not state.get(d):
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if not state.get(m):
            cycle = visit(m)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _renamed_olds(fn: ast.FunctionDef) -> set[str]:
    olds = set()
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and getattr(d.func, "id", getattr(d.func, "attr", "")) == "renamed":
            olds |= {k.arg for k in d.keywords}
    return olds


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_public_functions_use_the_one_name_for_district_key_and_radius(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            a = node.args
            names = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
            for old in sorted(names & set(OLD_NAMES)):
                if (str(path.relative_to(PACKAGE)), node.name, old) in NOT_A_KEY:
                    continue
                bad.append(f"{node.name}({old}=) -> {OLD_NAMES[old]}")
    assert not bad, f"{path.relative_to(PACKAGE)}: " + "; ".join(bad)


def _keywords(fn) -> set[str]:
    """The keywords ``fn`` takes: its parameters, and the keys of its ``**kwargs: Unpack[SomeTypedDict]``."""
    import inspect
    import typing

    fn = inspect.unwrap(fn)
    params = inspect.signature(fn).parameters
    names = {n for n, p in params.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    var = [n for n, p in params.items() if p.kind is p.VAR_KEYWORD]
    if var and "Unpack" in str(params[var[0]].annotation):  # resolve only these (a string under PEP 563)
        hint = typing.get_type_hints(fn, include_extras=True).get(var[0])
        if typing.get_origin(hint) is typing.Unpack:
            names |= set(typing.get_args(hint)[0].__annotations__)
    return names


def test_keywords_of_an_unpacked_typed_dict_count_as_parameters():
    from egovkit.distribution import RateColumns, inequality

    assert set(RateColumns.__annotations__) <= _keywords(inequality)
    assert {"weighted", "threshold", "invalid", "report"} <= _keywords(inequality)
    assert "columns" not in _keywords(inequality)


def test_every_renamed_keyword_points_to_a_real_parameter():
    """``@renamed(old="new")``: ``new`` is a parameter of the function (or a key of the ``TypedDict`` its
    ``**kwargs`` unpack) and ``old`` no longer is."""
    import importlib
    import inspect

    seen = 0
    for path in MODULES:
        mod = importlib.import_module(_module_name(path))
        for obj in list(vars(mod).values()):
            targets = [obj] + ([v for v in vars(obj).values() if callable(v)] if inspect.isclass(obj) else [])
            for fn in targets:
                pairs = getattr(fn, "__renamed__", None)
                if not pairs:
                    continue
                params = _keywords(fn)
                for old, new in pairs.items():
                    assert new in params and old not in params, (fn.__qualname__, old, new)
                seen += 1
    assert seen >= 1
