"""Global configuration: cache folder, data mirror, language, thresholds.

Each setting can be given by an environment variable (read when egovkit is imported)
or changed at run time::

    >>> import egovkit.settings as s
    >>> before, s.language = s.language, "fr"
    >>> s.language
    'fr'
    >>> s.language = before

Environment variables
---------------------
EGOVKIT_CACHE_DIR
    Folder for downloaded and converted data sets (default: the user's cache folder,
    e.g. ``~/.cache/egovkit``).
EGOVKIT_DATA_MIRROR
    A local folder (or ``file://``/``https://`` base URL) laid out like
    ``https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<path>``, i.e.
    ``<mirror>/github/<owner>/<repo>/<commit>/<path>``. When set, data sets are taken
    from there instead of the internet (used by the tests, pointing at
    ``../shared/data/originals``).
EGOVKIT_CACHE_LOCK_TIMEOUT
    Seconds a process waits for another one writing the same cache file (default 600).
EGOVKIT_LANG
    ``en`` (default) or ``fr`` for sentences and reports: the language of every ``lang=None`` of
    :mod:`egovkit.shared` (numbers, percentages, texts of the YAML catalogues, indicator labels).
"""

from __future__ import annotations

import os
from pathlib import Path


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "egovkit"


cache_dir: Path = Path(os.environ.get("EGOVKIT_CACHE_DIR") or _default_cache())
data_mirror: str | None = os.environ.get("EGOVKIT_DATA_MIRROR") or None
language: str = os.environ.get("EGOVKIT_LANG", "en")

#: Seconds to wait for another process that is writing the same cache file (see
#: :func:`egovkit.datasets.cache.file_lock`); a process that dies releases its lock at once.
cache_lock_timeout: float = float(os.environ.get("EGOVKIT_CACHE_LOCK_TIMEOUT") or 600)

#: Denominators (households or persons) below this are flagged ``small_denominator``.
small_denominator: int = 50

#: Show progress bars on long steps.
progress: bool = True
