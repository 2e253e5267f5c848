"""Shared fixtures. Real data is read from ../shared/data (or $EGOVKIT_SHARED_DATA);
data-set downloads go to the local mirror of the originals, into a temporary cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EGOVKIT_SHARED_DATA") or ROOT.parent / "shared" / "data")
MIRROR = Path(os.environ.get("EGOVKIT_DATA_MIRROR") or SHARED / "originals")

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["EGOVKIT_DATA_MIRROR"] = str(MIRROR)
os.environ.setdefault("EGOVKIT_CACHE_DIR", tempfile.mkdtemp(prefix="egovkit-test-cache-"))
# a message template field without a value raises in the tests (egovkit.shared.messages.render)
os.environ["EGOVKIT_STRICT_MESSAGES"] = "1"

import egovkit.settings as _settings  # noqa: E402

_settings.data_mirror = str(MIRROR)
_settings.cache_dir = Path(os.environ["EGOVKIT_CACHE_DIR"])
_settings.progress = False


# `make test` (and so CI) sets EGOVKIT_REQUIRE_DATA=1: there a missing data folder fails the real-data
# tests instead of skipping them, so a green run always means the published figures were checked.
REQUIRE_DATA = os.environ.get("EGOVKIT_REQUIRE_DATA", "") not in ("", "0")


def _absent(message: str) -> None:
    if REQUIRE_DATA:
        pytest.fail(message + " and EGOVKIT_REQUIRE_DATA is set", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real data sets; the test is skipped when it is absent (fails under EGOVKIT_REQUIRE_DATA)."""
    if not SHARED.is_dir():
        _absent(f"real data folder {SHARED} not found (set EGOVKIT_SHARED_DATA)")
    return SHARED


@pytest.fixture(scope="session")
def mirror() -> Path:
    if not MIRROR.is_dir():
        _absent(f"data mirror {MIRROR} not found (set EGOVKIT_DATA_MIRROR)")
    return MIRROR


#: Debian's chromium (``make browser`` installs it); Playwright drives it and never downloads a browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the module's tests (skipped when chromium or Playwright is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed (run `make browser`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


# Property tests draw the same examples on every run (derandomize): CI is reproducible, and the long
# fuzz runs under benchmarks/ explore further. HYPOTHESIS_PROFILE=explore draws new examples each run.
from hypothesis import settings as _hsettings  # noqa: E402

_hsettings.register_profile("egovkit", derandomize=True, deadline=None, print_blob=True)
_hsettings.register_profile("explore", deadline=None, print_blob=True)
_hsettings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "egovkit"))
