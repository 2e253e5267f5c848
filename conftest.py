"""Fixtures for every test item: tests, notebooks and the doctests of the package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import egovkit.settings as settings


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A test or a doctest that switches :data:`egovkit.settings.language` leaves it as it was."""
    before = settings.language
    yield
    settings.language = before
