"""The index folder: where it lives, the marker that says it is ours, and its write lock.

An index folder holds Whoosh's files, `docsearch.json` (MARKER: format, schema version,
generation and the per-document manifest) and `docsearch.lock`. Both sides of docsearch
read this module: the writer to claim and commit a folder, the searcher to check what it
opens. A mistyped --index never overwrites a user's files: a folder that holds
something else is refused.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import tempfile
from pathlib import Path

from indexer.errors import IndexLockedError, IndexNotFoundError, IndexVersionError, IndexWriteError, NotAnIndexError
from indexer.store import schema as S

MARKER = "docsearch.json"
LOCK = "docsearch.lock"
FORMAT = "docsearch-index"


def read_marker(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except PermissionError as e:
        raise NotAnIndexError(f"Cannot read {index_dir}/{MARKER}: permission denied; its owner can share the "
                              f"index with 'chmod -R a+rX {index_dir}'") from e
    except (OSError, ValueError) as e:
        raise NotAnIndexError(f"{index_dir}/{MARKER} is unreadable ({e}); rebuild with 'docsearch index --rebuild'") from e


def check_index_dir(index_dir: Path, *, for_writing: bool) -> dict | None:
    """The marker of an existing index, None for a folder a new index may be made in.

    Refuses folders that hold something else, so a mistyped --index never
    overwrites a user's files.
    """
    if not index_dir.exists():
        if for_writing:
            return None
        raise IndexNotFoundError(f"No index in {index_dir}; run 'docsearch index DOCS --index {index_dir}' first")
    if not index_dir.is_dir():
        raise NotAnIndexError(f"{index_dir} is a file, not an index folder")
    marker = read_marker(index_dir)
    if marker is None or marker.get("format") != FORMAT:
        if any(p.name not in (LOCK,) for p in index_dir.iterdir()):
            raise NotAnIndexError(f"{index_dir} is not a docsearch index (no {MARKER}); choose an empty or new folder")
        if for_writing:
            return None
        raise IndexNotFoundError(f"No index in {index_dir}; run 'docsearch index DOCS --index {index_dir}' first")
    return marker


def check_version(index_dir: Path, marker: dict) -> None:
    version = marker.get("schema_version")
    if version != S.SCHEMA_VERSION:
        raise IndexVersionError(
            f"The index in {index_dir} has schema version {version}, this docsearch needs {S.SCHEMA_VERSION}; "
            f"rebuild it with 'docsearch index DOCS --index {index_dir} --rebuild'")


class WriteLock:
    """An exclusive flock on docsearch.lock: the kernel drops it when its process dies,
    so a killed writer never leaves a stale lock; a live holder is named by pid."""

    def __init__(self, index_dir: Path):
        self.path = index_dir / LOCK
        self.fd: int | None = None

    def __enter__(self):
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise write_error(self.path.parent, e) from e
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(self.fd)
            raise IndexLockedError(
                f"The index in {self.path.parent} is locked by another writer (pid {holder}); "
                "wait for it to finish") from None
        try:
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        except OSError as e:           # a full disk can refuse even these few bytes
            self.__exit__()
            raise write_error(self.path.parent, e) from e
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass                   # an unwritable lock file only keeps a stale pid
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


def write_error(index_dir: Path, e: OSError) -> IndexWriteError:
    reason = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
              errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EDQUOT: "the disk quota is exceeded"}.get(e.errno, e.strerror or str(e))
    return IndexWriteError(f"Cannot write the index in {index_dir}: {reason}; the previous index is unchanged")


def atomic_write_json(path: Path, data: dict, default=None) -> None:
    """Write `data` as JSON to `path` atomically; default(obj) turns what json cannot (a
    record) into what it can, one object at a time as the file is written."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        # mkstemp makes the file 0600; the marker follows the umask like Whoosh's files, so an
        # index shared read-only with other users stays readable by them.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=0, sort_keys=True, default=default)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def default_index_dir() -> Path:
    """$DOCSEARCH_INDEX, else the per-user data folder ($XDG_DATA_HOME/docsearch/index)."""
    env = os.environ.get("DOCSEARCH_INDEX")
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "docsearch" / "index"
