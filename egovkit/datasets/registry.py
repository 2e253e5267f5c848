"""The registry of real public data files: where each one comes from and its sha256.

One entry per file, read from ``registry.csv`` next to this module. Every file is pinned to
a commit of a public GitHub repository, so its bytes never change; the sha256 was computed
from those bytes. An entry without a hash (``sha256 is None``) cannot be fetched.

Examples
--------
>>> entry = get("kenya_census/V4_T2.36")
>>> entry.url.endswith("/6db00e5b1b71a781e6def15dd98a4828b6d960bc/data/V4_T2.36.rda")
True
>>> entry.mirror_path
'github/Shelmith-Kariuki/rKenyaCensus/6db00e5b1b71a781e6def15dd98a4828b6d960bc/data/V4_T2.36.rda'
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DownloadError

REGISTRY_FILE = Path(__file__).with_name("registry.csv")
RAW_GITHUB = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class DataFile:
    """One pinned file of a public repository.

    Attributes
    ----------
    name
        Registry key, ``<group>/<item>``, e.g. ``"nycgeo/nta_sf"``.
    what
        One line describing the content.
    owner, repo, commit, path
        Where the file lives on GitHub (``commit`` is a full 40-hex commit id).
    sha256
        Hex digest of the file's bytes, or ``None`` when it is not pinned.
    licence, publisher
        Licence as stated by the repository, and the original publisher of the data.
    """

    name: str
    what: str
    owner: str
    repo: str
    commit: str
    path: str
    sha256: str | None
    licence: str
    publisher: str

    @property
    def mirror_path(self) -> str:
        """Relative path of the file in a mirror folder (``github/<owner>/<repo>/<commit>/<path>``)."""
        return f"github/{self.owner}/{self.repo}/{self.commit}/{self.path}"

    @property
    def url(self) -> str:
        """Origin URL on raw.githubusercontent.com at the pinned commit."""
        return f"{RAW_GITHUB}/{self.owner}/{self.repo}/{self.commit}/{self.path}"

    @property
    def group(self) -> str:
        """The part of ``name`` before the slash, e.g. ``"kenya_counties"``."""
        return self.name.split("/", 1)[0]


@lru_cache(maxsize=1)
def _load() -> dict[str, DataFile]:
    with open(REGISTRY_FILE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    entries: dict[str, DataFile] = {}
    for row in rows:
        row["sha256"] = row["sha256"].strip().lower() or None
        entry = DataFile(**row)
        if entry.name in entries:  # pragma: no cover - guards edits of registry.csv
            raise ValueError(f"{REGISTRY_FILE}: duplicate registry name {entry.name!r}")
        entries[entry.name] = entry
    return entries


def registry() -> dict[str, DataFile]:
    """All registered files by name.

    Examples
    --------
    >>> len([n for n in registry() if n.startswith("kenya_counties/")]) - 1  # minus counties.json
    47
    """
    return dict(_load())


def get(name: str) -> DataFile:
    """The registry entry called ``name``; raises :class:`~egovkit.errors.DownloadError` if unknown.

    Examples
    --------
    >>> get("nyc_hotspots/csv").repo
    'DDDI21'
    """
    entries = _load()
    try:
        return entries[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(entries), n=3)
        raise DownloadError(code="datasets.unknown_name", params={
            "name": name, "registry": REGISTRY_FILE.name, "close": close,
            "fix_code": "datasets.fix_did_you_mean" if close else "datasets.fix_list_datasets"}) from None


def names(group: str) -> list[str]:
    """Registered names of one group, sorted, e.g. ``names("nycgeo")``.

    Examples
    --------
    >>> names("acs_s2801")
    ['acs_s2801/data', 'acs_s2801/metadata', 'acs_s2801/title']
    """
    return sorted(n for n, e in _load().items() if e.group == group)
