"""pyproject.toml and environment.yml list the same dependencies (names and lower bounds)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_SPLIT = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(spec: str) -> tuple[str, str]:
    m = _SPLIT.match(spec.strip())
    assert m, spec
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(meta["dependencies"]) + [s for extra in meta.get("optional-dependencies", {}).values() for s in extra]
    return dict(_parse(s) for s in specs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out: dict[str, str] = {}
    for item in env["dependencies"]:
        if isinstance(item, dict):
            for s in item.get("pip", []):
                out.update([_parse(s)])
        else:
            name, ver = _parse(item)
            if name not in {"python", "pip"}:
                out[name] = ver
    return out


def test_same_dependencies():
    py, env = _pyproject(), _environment()
    assert set(py) - set(env) == set(), "in pyproject.toml but not in environment.yml"
    assert set(env) - set(py) == set(), "in environment.yml but not in pyproject.toml"


def test_same_version_bounds():
    py, env = _pyproject(), _environment()
    diff = {k: (py[k], env[k]) for k in py if k in env and py[k] != env[k]}
    assert diff == {}


def test_python_version_agrees():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    py = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert py == ["python" + meta["requires-python"]]
