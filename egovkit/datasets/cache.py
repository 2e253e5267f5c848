"""Safe cache files: atomic writes, one lock per file, hash sidecars for converted files.

Several processes may fill one cache folder at once (a class running the same notebook, a
batch of reports). Three rules keep every file of the cache whole:

- **atomic writes**: a file is written under a temporary name in its own folder, flushed to
  disk and moved into place with :func:`os.replace`, so a reader sees the old file or the new
  one, never half of one (:func:`atomic_write`);
- **one lock per file**: fetching or converting a file is done while holding an exclusive
  lock on ``<file>.lock`` (``fcntl.flock``; ``msvcrt.locking`` on Windows), so the work is
  done once and the other processes wait, then read the result (:func:`file_lock`). The lock
  dies with its process, so a killed run never leaves the cache locked;
- **sidecars**: a converted file carries ``<file>.meta.json`` with its own sha256 and size,
  the sha256 of the original(s) it was converted from and the converter version
  (:func:`read_sidecar`, :func:`check_file`). It is checked on every read.

Locks rely on the file system honouring ``flock``: a local disk does; some network file
systems (old NFS) do not.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
>>> with file_lock(target):
...     sha, size = atomic_write(target, lambda p: p.write_text("abc"))
>>> size, sha[:12], target.read_text()
(3, 'ba7816bf8f01', 'abc')
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import settings
from ..errors import DownloadError

#: Format of the ``.meta.json`` sidecars (bumped if their fields change meaning).
SIDECAR_FORMAT = 1
#: Suffix of the temporary files; a process killed while writing may leave one behind (harmless).
TMP_SUFFIX = ".tmp"


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file of :func:`atomic_write` (``<name>.<random>.tmp<suffix>``)."""
    return TMP_SUFFIX + "." in name or name.endswith(TMP_SUFFIX)


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: ``<path>.lock`` next to it (kept; an unlocked one is harmless)."""
    return path.with_name(path.name + ".lock")


def sidecar_path(path: Path) -> Path:
    """The sidecar of a converted file: ``<path>.meta.json``."""
    return path.with_name(path.name + ".meta.json")


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def file_lock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (between processes and between threads).

    Parameters
    ----------
    path
        The cache file about to be written (the lock file sits next to it).
    timeout
        Seconds to wait for another process before giving up; default
        :data:`egovkit.settings.cache_lock_timeout`.

    Raises
    ------
    DownloadError
        The lock was not obtained within ``timeout`` (the message names the lock file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with file_lock(pathlib.Path(tempfile.mkdtemp()) / "x.csv"):
    ...     pass
    """
    timeout = settings.cache_lock_timeout if timeout is None else timeout
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + timeout
        pause = 0.01
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise DownloadError(code="datasets.lock_timeout",
                                    params={"file": path.name, "timeout": float(timeout), "lock": str(lock)})
            time.sleep(pause)
            pause = min(pause * 2, 0.2)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, write: Callable[[Path], Any]) -> tuple[str, int]:
    """Write ``target`` through ``write(tmp)`` on a temporary path, then move it into place.

    The temporary file is in ``target``'s folder (so :func:`os.replace` is atomic) and keeps
    its suffix (some writers choose the format from it); it does not exist when ``write``
    is called. Nothing is left behind when ``write`` fails.

    Returns
    -------
    (sha256, size)
        Of the bytes now at ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=TMP_SUFFIX + target.suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # some writers (GDAL) refuse to overwrite an existing, empty file
    try:
        write(tmp)
        _fsync(tmp)
        sha, size = _sha_and_size(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return sha, size


def _sha_and_size(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def read_sidecar(path: Path) -> tuple[dict | None, str | None]:
    """The sidecar of ``path`` as a dict, or ``(None, why it cannot be used)``."""
    side = sidecar_path(path)
    try:
        text = side.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, f"its sidecar {side.name} is missing"
    try:
        meta = json.loads(text)
    except ValueError as exc:
        return None, f"its sidecar {side.name} is not valid JSON ({exc})"
    if not isinstance(meta, dict) or not {"sha256", "size", "sources", "converter_version"} <= set(meta):
        return None, f"its sidecar {side.name} lacks the hashes egovkit writes"
    return meta, None


def check_file(path: Path, expected: dict[str, Any]) -> tuple[bytes | None, dict | None, str | None]:
    """Read ``path`` and check it against its sidecar and what the caller expects.

    Parameters
    ----------
    path
        A converted cache file.
    expected
        Fields the sidecar must hold with these values: ``key``, ``sources`` (registry name ->
        sha256 of each original), ``converter_version``.

    Returns
    -------
    (data, meta, problem)
        The file's bytes and its sidecar when they agree (``problem`` is None); else
        ``problem`` says what is wrong (``"missing"`` when neither file nor sidecar exists).
        The caller parses ``data`` itself, so what it reads is exactly what was checked even
        if another process replaces the file meanwhile.
    """
    side_exists = sidecar_path(path).exists()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None, ("missing" if not side_exists
                            else f"the file is missing but its sidecar {sidecar_path(path).name} is there")
    meta, problem = read_sidecar(path)
    if meta is None:
        return None, None, problem
    if meta.get("key") != expected["key"] or meta["sources"] != expected["sources"]:
        theirs = ", ".join(f"{k} {str(v)[:12]}" for k, v in sorted(meta["sources"].items()))
        ours = ", ".join(f"{k} {str(v)[:12]}" for k, v in sorted(expected["sources"].items()))
        return None, None, (f"its sidecar is for {meta.get('key')!r} converted from [{theirs}], not for "
                            f"{expected['key']!r} from [{ours}]")
    if meta["converter_version"] != expected["converter_version"]:
        return None, None, (f"it was converted by converter version {meta['converter_version']}, this egovkit "
                            f"uses {expected['converter_version']}")
    if len(data) != meta["size"]:
        how = "cut short" if len(data) < meta["size"] else "longer than written"
        return None, None, f"it is {len(data):,} bytes, its sidecar records {meta['size']:,} ({how})"
    actual = sha256_bytes(data)
    if actual != meta["sha256"]:
        return None, None, (f"its sha256 {actual[:12]}... differs from the one recorded in its sidecar "
                            f"{str(meta['sha256'])[:12]}... (same size, content changed)")
    return data, meta, None


def write_sidecar(path: Path, meta: dict[str, Any]) -> None:
    """Write ``meta`` (with ``format``) as the sidecar of ``path``, atomically."""
    payload = {"format": SIDECAR_FORMAT, **meta}
    text = json.dumps(payload, indent=1, ensure_ascii=False)
    atomic_write(sidecar_path(path), lambda p: p.write_text(text, encoding="utf-8"))


def verify_converted(folder: Path) -> dict[str, str]:
    """Check every converted file of ``folder`` against its sidecar (sources not checked).

    Returns
    -------
    dict
        File name -> problem, for every file that does not match (empty when all verify).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> verify_converted(pathlib.Path(tempfile.mkdtemp()))
    {}
    """
    problems: dict[str, str] = {}
    for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
        name = path.name
        if not path.is_file() or name.endswith(".lock") or is_temporary(name) or name.endswith(".meta.json"):
            continue
        meta, problem = read_sidecar(path)
        if meta is None:
            problems[name] = problem or "no sidecar"
            continue
        expected = {"key": meta.get("key"), "sources": meta["sources"],
                    "converter_version": meta["converter_version"]}
        _, _, problem = check_file(path, expected)
        if problem is not None:
            problems[name] = problem
    for side in Path(folder).glob("*.meta.json") if Path(folder).is_dir() else []:
        if not is_temporary(side.name) and not side.with_name(side.name[: -len(".meta.json")]).is_file():
            problems[side.name] = "sidecar without its file"
    return problems
