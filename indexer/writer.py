"""The only module that changes an index: passages in, one atomic commit out.

An index folder holds Whoosh's files and `docsearch.json`, the marker that says
the folder is ours, which schema version wrote it, and the per-document manifest
(hash, size, mtime, root) that makes re-indexing incremental. The manifest is
stamped with the Whoosh generation it describes; if a crash lands between the
Whoosh commit and the marker write, the stamp no longer matches and the manifest
is rebuilt from the index's stored fields, so the two can never disagree.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from . import schema as S
from .document import Document, Passage
from .errors import (IndexLockedError, IndexNotFoundError, IndexVersionError,
                     IndexWriteError, NotAnIndexError)

MARKER = "docsearch.json"
LOCK = "docsearch.lock"
FORMAT = "docsearch-index"


@dataclass
class DocRecord:
    """What the manifest remembers of one indexed document."""

    doc_id: str
    path: str
    root: str
    sha256: str
    size: int
    mtime: float
    passages: int
    title: str | None = None
    date: str | None = None
    source: str | None = None
    language: str | None = None


def read_marker(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
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
            raise _write_error(self.path.parent, e) from e
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(self.fd)
            raise IndexLockedError(
                f"The index in {self.path.parent} is locked by another writer (pid {holder}); "
                "wait for it to finish") from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _write_error(index_dir: Path, e: OSError) -> IndexWriteError:
    reason = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
              errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EDQUOT: "the disk quota is exceeded"}.get(e.errno, e.strerror or str(e))
    return IndexWriteError(f"Cannot write the index in {index_dir}: {reason}; the previous index is unchanged")


def _atomic_write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=0, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def passage_fields(doc: Document, passage: Passage) -> dict:
    """The Whoosh document for one passage; doc-level metadata repeats on each so a hit is self-contained."""
    fields = {
        "id": passage.id, "doc_id": doc.doc_id, "path": doc.path, "ordinal": passage.ordinal,
        "body": passage.text, "exact": passage.text,
        "start": passage.start, "end": passage.end,
        "language": passage.language or doc.language or "",
    }
    if doc.title:
        fields["title"] = doc.title
    if passage.section:
        fields["section"] = passage.section
    if doc.date:
        fields["date_text"] = doc.date
        number = S.date_number(doc.date)
        if number is not None:
            fields["date"] = number
    for name in ("source", "author", "url"):
        value = getattr(doc, name)
        if value:
            fields[name] = value
    for key, value in doc.meta.items():
        if value not in (None, ""):
            fields[S.META_PREFIX + key] = str(value)
    return fields


class IndexWriter:
    """Opens (or creates) an index for one run of changes and commits them atomically.

    Use as a context manager: leaving the block normally commits, an exception
    (Ctrl-C included) cancels and leaves the previous commit untouched.
    """

    def __init__(self, index_dir: Path, *, rebuild: bool = False, procs: int = 1, memory_mb: int = 256):
        self.index_dir = Path(index_dir)
        self.rebuild = rebuild
        self.procs = procs
        self.memory_mb = memory_mb
        self._lock: WriteLock | None = None
        self._writer = None
        self._target: Path | None = None    # with rebuild: the real index dir, swapped in at commit
        self.documents: dict[str, DocRecord] = {}
        self.marker: dict | None = None

    # -- opening -------------------------------------------------------------
    def __enter__(self) -> "IndexWriter":
        marker = check_index_dir(self.index_dir, for_writing=True)
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise _write_error(self.index_dir, e) from e
        self._lock = WriteLock(self.index_dir).__enter__()
        try:
            self._open(marker)
        except BaseException:
            self._lock.__exit__()
            raise
        return self

    def _open(self, marker: dict | None) -> None:
        try:
            if marker is not None and not self.rebuild:
                check_version(self.index_dir, marker)
                ix = S.open_index(self.index_dir)
                self.documents = self._load_manifest(ix, marker)
            elif marker is not None:
                # Build beside the old index and swap at commit: until then the old one answers.
                self._target = self.index_dir
                work = Path(tempfile.mkdtemp(prefix=f".{self.index_dir.name}.rebuild-", dir=self.index_dir.parent))
                ix = S.create_index(work)
                self.index_dir = work
            else:
                ix = S.create_index(self.index_dir)
                self._write_marker(S.generation(ix))      # an empty index is still ours
            self._ix = ix
            # Each worker (and the parent) buffers postings up to its share of the memory budget.
            self._writer = S.open_writer(ix, procs=self.procs, limitmb=max(16, self.memory_mb // (self.procs + 1)))
        except S.LockError as e:
            raise IndexLockedError(f"The index in {self.index_dir} is locked by another writer; wait for it to finish") from e
        except OSError as e:
            raise _write_error(self.index_dir, e) from e

    def _load_manifest(self, ix, marker: dict) -> dict[str, DocRecord]:
        if marker.get("generation") == S.generation(ix):
            return {k: DocRecord(**v) for k, v in marker.get("documents", {}).items()}
        # The marker lags the index (a crash between commit and marker write): recover from stored fields.
        documents = {}
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                info = fields.get("docinfo")
                if info:
                    documents[info["doc_id"]] = DocRecord(**info)
        return documents

    # -- changes -------------------------------------------------------------
    def replace(self, doc: Document, passages: Iterable[Passage], root: str) -> int:
        """Delete a document's passages and add its new ones; returns how many were added."""
        passages = list(passages)
        self.delete(doc.doc_id)
        record = DocRecord(doc.doc_id, doc.path, root, doc.sha256, doc.size, doc.mtime, len(passages),
                           doc.title, doc.date, doc.source, doc.language)
        for passage in passages:
            fields = passage_fields(doc, passage)
            if passage.ordinal == 0:
                fields["docinfo"] = asdict(record)
            self._writer.add_document(**fields)
        self.documents[doc.doc_id] = record
        return len(passages)

    def delete(self, doc_id: str) -> None:
        if doc_id in self.documents or self.rebuild:
            self._writer.delete_by_term("doc_id", doc_id)
        self.documents.pop(doc_id, None)

    # -- finishing -----------------------------------------------------------
    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._commit()
            elif self._writer is not None:
                self._writer.cancel()
                if self._target is not None:
                    shutil.rmtree(self.index_dir, ignore_errors=True)
        finally:
            self._lock.__exit__()
        return False

    def _commit(self) -> None:
        try:
            self._writer.commit()
            self._writer = None
            self._write_marker(S.generation(self._ix))
            if self._target is not None:
                self._swap_in()
        except OSError as e:
            if self._writer is not None:
                self._writer.cancel()
            if self._target is not None:
                shutil.rmtree(self.index_dir, ignore_errors=True)
            raise _write_error(self._target or self.index_dir, e) from e

    def _write_marker(self, generation: int) -> None:
        _atomic_write_json(self.index_dir / MARKER, {
            "format": FORMAT, "schema_version": S.SCHEMA_VERSION, "generation": generation,
            "documents": {k: asdict(v) for k, v in sorted(self.documents.items())},
        })

    def _swap_in(self) -> None:
        """Move the rebuilt index into the old folder, then drop the old files.

        Whoosh opens the highest-numbered TOC, so the old index keeps answering
        until its own TOC goes, which happens after every new file is in place.
        """
        target, work = self._target, self.index_dir
        old = {p.name for p in target.iterdir()} - {LOCK, MARKER}
        new = {p.name for p in work.iterdir()} - {MARKER}
        for name in sorted(new):
            os.replace(work / name, target / name)
        os.replace(work / MARKER, target / MARKER)
        for name in sorted(old - new, key=lambda n: not n.endswith(".toc")):
            (target / name).unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        self.index_dir = target
