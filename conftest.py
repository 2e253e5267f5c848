"""Fixtures for every test item: tests, notebooks and the doctests of the package."""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest

import egovkit.settings as settings


def _values() -> dict[str, object]:
    """The settings a test may change (language, cache folder, data mirror, thresholds ...)."""
    return {k: v for k, v in vars(settings).items()
            if not k.startswith("_") and not callable(v) and not isinstance(v, types.ModuleType)}


@pytest.fixture(autouse=True)
def _settings_restored() -> Iterator[None]:
    """A test or a doctest that changes :mod:`egovkit.settings` (``language = "fr"``...) leaves it as it was."""
    before = _values()
    yield
    for k, v in before.items():
        setattr(settings, k, v)
