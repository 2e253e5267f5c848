"""Fetch registered files into the cache: from a mirror folder or the internet, sha256-checked.

Where a file is taken from depends on :data:`egovkit.settings.data_mirror` (environment
variable ``EGOVKIT_DATA_MIRROR``), read at call time:

- not set: ``https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<path>``;
- a folder path or ``file://`` URL: ``<mirror>/github/<owner>/<repo>/<commit>/<path>`` is copied;
- an ``http(s)://`` base URL: ``<base>/github/<owner>/<repo>/<commit>/<path>`` is downloaded.

Files land in ``<cache_dir>/originals/github/<owner>/<repo>/<commit>/<path>``
(:data:`egovkit.settings.cache_dir`, ``EGOVKIT_CACHE_DIR``). A cached file whose hash still
matches is reused without touching the mirror or the network; one whose hash does not is
fetched again, with an :class:`~egovkit.errors.EgovkitWarning`. Several processes can share one
cache: the copy is written under a temporary name and moved into place, under a per-file lock
(:mod:`egovkit.datasets.cache`), so it is fetched once and never read half-written.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sys
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

from .. import settings
from ..errors import DownloadError, EgovkitWarning
from ..shared.messages import render
from .cache import atomic_write, file_lock
from .registry import DataFile, get

log = logging.getLogger("egovkit.datasets")

_CHUNK = 1 << 16


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file's bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:12]
    'ba7816bf8f01'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_root() -> Path:
    """The cache folder in use now (``settings.cache_dir``)."""
    return Path(settings.cache_dir).expanduser()


def cached_path(name: str) -> Path:
    """Where the file ``name`` is (or will be) cached; it may not exist yet."""
    return cache_root() / "originals" / get(name).mirror_path


def is_cached(name: str) -> bool:
    """True when ``name`` is in the cache with the registered hash."""
    entry = get(name)
    path = cached_path(name)
    return entry.sha256 is not None and path.is_file() and sha256_of(path) == entry.sha256


def source_of(entry: DataFile) -> str:
    """Where ``entry`` is taken from now: a local path (mirror folder) or a URL.

    Examples
    --------
    >>> import egovkit.settings as s
    >>> old, s.data_mirror = s.data_mirror, "/data/originals"
    >>> source_of(get("ubernyc/nynta"))
    '/data/originals/github/abelsonlive/ubernyc/60b5d44f883bde97d79efbec1883ee3c1c4a4d75/data/nynta.geojson'
    >>> s.data_mirror = old
    """
    mirror = settings.data_mirror
    if not mirror:
        return entry.url
    mirror = str(mirror)
    if mirror.startswith(("http://", "https://")):
        return mirror.rstrip("/") + "/" + entry.mirror_path
    if mirror.startswith("file://"):
        mirror = unquote(urlparse(mirror).path)
    return str(Path(mirror).expanduser() / entry.mirror_path)


def _fix_params(entry: DataFile) -> dict[str, str]:
    """The values of the fix of a file that the mirror lacks or holds in another version."""
    return {"url": entry.url, "originals": str(cache_root() / "originals")}


def _download(url: str, dest: Path, entry: DataFile) -> None:
    """Stream ``url`` into ``dest`` with a tqdm bar when ``settings.progress``."""
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(dest, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0) or None
            bar = None
            if settings.progress:
                from tqdm.auto import tqdm

                bar = tqdm(total=total, unit="B", unit_scale=True, desc=entry.name, leave=False)
            try:
                for chunk in iter(lambda: resp.read(_CHUNK), b""):
                    out.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DownloadError(code="datasets.download_failed", params={
            "name": entry.name, "url": url, "detail": str(exc), "mirror_path": str(entry.mirror_path)}) from exc


def fetch(name: str) -> Path:
    """Make the registered file ``name`` available in the cache and return its path.

    The bytes are checked against the registered sha256; a cached copy with the right hash
    is reused, so the second call neither copies nor downloads anything. A cached copy with
    a wrong hash is fetched again (with an :class:`~egovkit.errors.EgovkitWarning`).
    Processes sharing the cache fetch each file once: the others wait for it.

    Parameters
    ----------
    name
        A registry name, e.g. ``"kenya_census/V4_T2.36"`` (see :func:`list_datasets`).

    Returns
    -------
    Path
        The cached file.

    Raises
    ------
    DownloadError
        Unknown name, hash not pinned, file missing from the mirror, network failure, or a
        hash mismatch (the message names the file, where it came from, both hashes and the fix).

    Examples
    --------
    >>> fetch("kenya_census/V4_T2.36").name  # doctest: +SKIP
    'V4_T2.36.rda'
    """
    entry = get(name)
    if entry.sha256 is None:
        raise DownloadError(code="datasets.not_pinned", params={"name": entry.name, "url": entry.url})
    dest = cached_path(name)
    if dest.is_file() and sha256_of(dest) == entry.sha256:
        return dest
    with file_lock(dest):  # one process fetches, the others wait and then find it in place
        if dest.is_file():
            actual = sha256_of(dest)
            if actual == entry.sha256:
                return dest
            log.info("rebuilding %s (original): sha256 %s, expected %s", name, actual, entry.sha256)
            warnings.warn(render("datasets.original_refetched", {"path": str(dest), "actual": actual[:12],
                                                                  "expected": entry.sha256[:12]}),
                          EgovkitWarning, stacklevel=2)
        source = source_of(entry)
        atomic_write(dest, lambda tmp: _fetch_into(entry, source, tmp))
    return dest


def _fetch_into(entry: DataFile, source: str, tmp: Path) -> None:
    """Copy or download ``source`` into ``tmp`` and check its sha256 (raise, leaving nothing, if wrong)."""
    if source.startswith(("http://", "https://")):
        log.info("downloading %s from %s", entry.name, source)
        if settings.progress:
            print(f"egovkit: downloading {entry.name} from {source}", file=sys.stderr)
        _download(source, tmp, entry)
    else:
        if not Path(source).is_file():
            raise DownloadError(code="datasets.not_in_mirror", params={"name": entry.name, "source": str(source),
                                                                       **_fix_params(entry)})
        log.info("copying %s from %s", entry.name, source)
        shutil.copyfile(source, tmp)
    actual = sha256_of(tmp)
    if actual != entry.sha256:
        raise DownloadError(code="datasets.sha256_mismatch", params={
            "name": entry.name, "source": str(source), "expected": entry.sha256, "actual": actual,
            **_fix_params(entry)})
