"""The only module that changes an index: passages in, one atomic commit out.

(fastwriter writes the new segments' files on its behalf; they count only once
this module's commit has written the TOC that names them.)

An index folder holds Whoosh's files and `docsearch.json`, the marker that says
the folder is ours, which schema version wrote it, and the per-document manifest
(hash, size, mtime, root) that makes re-indexing incremental. The manifest is
stamped with the Whoosh generation it describes; if a crash lands between the
Whoosh commit and the marker write, the stamp no longer matches and the manifest
is rebuilt from the index's stored fields, so the two can never disagree.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import traceback
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from indexer.store import schema as S
from indexer.store.fields import RECORD_BYTES, DocRecord, document_fields, passage_fields  # noqa: F401  (here before fields.py)
from indexer.store.progress import Reading
from indexer.store.roots import Roots
from indexer.document import Document, Passage
from indexer.errors import IndexLockedError, IndexWriteError
from indexer.workers import ignore_ctrl_c, start_worker
from indexer.store.directory import (FORMAT, LOCK, MARKER, WriteLock, atomic_write_json, check_index_dir,
                                     check_version, write_error)

# Workers start by fork where it is safe (Linux): instant, and they inherit the run's state.
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


# What `prepare` returns for one file: ("doc", Document, [Passage], root[, inside[, extra]]), ("unchanged",
# (size, mtime)) or ("skip", reason); `inside`: (Document, [Passage]) of the messages, attachments it holds,
# maybe an iterator read as it is written (a mailbox); `extra`: its abs_path, inputs and notes
# (indexer/__init__.py). add_files yields (job, kind, detail).
Prepared = tuple


class IndexWriter:
    """Opens (or creates) an index for one run of changes and commits them atomically.

    Use as a context manager: leaving the block normally commits, an exception
    (Ctrl-C included) cancels and leaves the previous commit untouched.

    New passages are inverted in memory and written as whole segments
    (fastwriter.SegmentBuilder), in this process or, with add_files and
    procs > 1, in worker processes that also load the files; deletions, small-
    segment merges and the TOC that makes the new segments live stay with one
    Whoosh writer in this process. memory_mb bounds the buffered postings of
    all builders together and the files their readers hold; a builder over its share
    writes a segment early.
    """

    def __init__(self, index_dir: Path, *, rebuild: bool = False, procs: int = 1, memory_mb: int = 256):
        self.index_dir = Path(index_dir)
        self.rebuild = rebuild
        self.procs = procs
        self.memory_mb = memory_mb
        self._lock: WriteLock | None = None
        self._writer = None
        self._target: Path | None = None    # with rebuild: the real index dir, swapped in at commit
        self._run = _new_run_id()            # names this run's segment files, so a cancel finds them all
        self._builder = None                 # a fastwriter.SegmentBuilder for replace()
        self._segments: list = []            # written by this run, in document order
        self._workers: list = []
        self.documents: dict[str, DocRecord] = {}
        self.marker: dict | None = None
        self.roots = Roots()                 # the index's roots and their labels (store/roots.py)
        self.metadata: dict[str, str] = {}
        self.notes: list[tuple[str, str]] = []   # (doc_id, a library's warning while reading it)
        self.dirty, self._opened_roots = False, {}   # a run that changed nothing writes nothing
        self._held: dict[str, set[str]] | None = None

    # -- opening -------------------------------------------------------------
    def __enter__(self) -> "IndexWriter":
        marker = check_index_dir(self.index_dir, for_writing=True)
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise write_error(self.index_dir, e) from e
        self._lock = WriteLock(self.index_dir).__enter__()
        try:
            self._open(marker)
        except BaseException:
            self._lock.__exit__()
            raise
        return self

    def _open(self, marker: dict | None) -> None:
        # Kept on --rebuild too: the index's roots keep their labels, so ids stay the same.
        self.roots = Roots.from_marker(marker)
        self._opened_roots = dict(self.roots.by_label)
        found = (marker or {}).get("metadata")
        self.metadata = dict(found) if isinstance(found, dict) else {}   # root -> the manifest later runs apply
        self.dirty = marker is None or self.rebuild
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
            # Whoosh's writer takes the lock and does deletions, merges of small old segments (at commit,
            # when the builders are done: half the budget) and the TOC.
            self._writer = S.open_writer(ix, limitmb=max(16, self.memory_mb // 2))
            # Fields added to the schema since the index was made, within its SCHEMA_VERSION (see the
            # comment there): in the schema this run writes, so the documents it adds carry them.
            for name, fieldtype in S.build_schema().items():
                if name not in self._writer.schema:
                    self._writer.add_field(name, fieldtype)
        except S.LockError as e:
            raise IndexLockedError(f"The index in {self.index_dir} is locked by another writer; wait for it to finish") from e
        except OSError as e:
            raise write_error(self.index_dir, e) from e

    def _load_manifest(self, ix, marker: dict) -> dict[str, DocRecord]:
        if marker.get("generation") == S.generation(ix):
            return {k: _record(v) for k, v in marker.get("documents", {}).items()}
        # The marker lags the index (a crash between commit and marker write): recover from stored fields.
        documents = {}
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                info = fields.get("docinfo")
                if info:
                    documents[info["doc_id"]] = _record(info)
        return documents

    # -- changes -------------------------------------------------------------
    def replace(self, doc: Document, passages: Iterable[Passage], root: str, inside: Iterable = (),
                extra: dict | None = None) -> int:
        """Delete a file's documents (its own and those it held) and add its new ones; returns
        how many passages were added."""
        steps = self._replacing(doc, passages, root, inside, extra)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def _replacing(self, doc: Document, passages: Iterable[Passage], root: str, inside: Iterable = (),
                   extra: dict | None = None, reading: "Reading | None" = None) -> Iterator[tuple]:
        """replace(), yielding a Reading.step() report as the documents inside a big file are
        taken; returns the passages added."""
        count = 0
        reading = reading or Reading()
        for n, (one, one_passages) in enumerate(chain([(doc, list(passages))], inside)):   # inside: lazy
            record, docs = document_fields(one, one_passages, root, (extra or {}).get("abs_path", ""),
                                           (extra or {}).get("inputs", ""))
            if n == 0:
                self._forget_file(record)
            self.delete(record.doc_id)
            if self._builder is None:
                self._builder = self._new_builder(self.memory_mb, "p")
            for fields in docs:
                self._builder.add_document(fields)
            self._remember(record)
            self._builder.outside = len(self.documents) * RECORD_BYTES     # the records share the budget
            count += len(one_passages)
            report = reading.step(one)
            if report is not None:
                yield report
        self.notes += [(doc.container or doc.doc_id, note) for note in (extra or {}).get("notes", ())]   # the file
        self.dirty = True
        return count

    def _forget_file(self, record: DocRecord) -> None:
        """Before a file is indexed anew: delete every document it held last time, so a message
        or attachment it no longer has does not stay behind."""
        file_id = record.container or record.doc_id
        if self._held is None:              # container id -> ids of the documents it holds, built once
            self._held = {}
            for doc_id, r in self.documents.items():
                if r.container:
                    self._held.setdefault(r.container, set()).add(doc_id)
        for doc_id in [file_id, *sorted(self._held.pop(file_id, ()))]:
            self.delete(doc_id)

    def _remember(self, record: DocRecord) -> None:
        self.documents[record.doc_id] = record
        if record.container and self._held is not None:
            self._held.setdefault(record.container, set()).add(record.doc_id)

    def delete(self, doc_id: str) -> None:
        if doc_id in self.documents:
            self._writer.delete_by_term("doc_id", doc_id)
            self.dirty = True
        self.documents.pop(doc_id, None)

    def add_files(self, jobs: Sequence, prepare: Callable[[object], Prepared],
                  weights: Sequence[int] | None = None, reserve: Callable[[object], int] | None = None,
                  reading: Callable[[object, tuple], None] | None = None) -> Iterator[tuple[object, str, object]]:
        """Run `prepare(job)` for each job and index what it returns; yields (job, kind, detail) per job.

        kind is "doc" (detail: passages added), "unchanged" or "skip" (detail: the reason).
        reading(job, (fraction, documents, doc_id)) is called while a big file is read, before
        its result: the part of it read, its documents taken and the last one's id (a mailbox's
        messages as they are taken; a reader's own reports, a PDF's pages: prepare(job, report)).
        With procs > 1 the jobs are split, in order and balanced by `weights`, between
        worker processes that prepare and invert them; results arrive as workers finish them.
        reserve(job): the bytes reading the job's file takes; the buffered postings make room
        for them first (SegmentBuilder.make_room), so memory_mb covers the readers too.
        """
        procs = min(self.procs, len(jobs))
        if procs <= 1:
            for job in jobs:
                if reserve is not None and self._builder is not None:
                    self._builder.make_room(reserve(job))
                tracker = Reading()
                send = (lambda report, job=job: reading(job, report)) if reading else None
                prepared = prepare(job, tracker.reporter(send)) if send else prepare(job)
                if prepared[0] == "doc":
                    _, doc, passages, root, *rest = prepared
                    steps = self._replacing(doc, passages, root, rest[0] if rest else (),
                                            rest[1] if len(rest) > 1 else None, tracker)
                    while True:
                        try:
                            report = next(steps)
                        except StopIteration as done:
                            yield job, "doc", done.value
                            break
                        if send:
                            send(report)
                else:
                    yield job, prepared[0], prepared[1] if len(prepared) > 1 else None
            return
        import multiprocessing
        from multiprocessing.connection import wait

        chunks = _split(jobs, weights, procs)
        budget = (self.memory_mb << 20) // procs
        # The records this process holds share the budget: each worker's builder leaves room for its
        # part of them (SegmentBuilder.outside), read from here as they grow.
        ctx = multiprocessing.get_context(START_METHOD)
        # A forked worker inherits the locks' descriptors and closes them, so that
        # the locks go with this process even if a worker outlives it briefly.
        locks = self.lock_fds()
        held = ctx.Value("q", len(self.documents) * RECORD_BYTES // procs, lock=False)
        inbox, begun = {}, {}
        for k, chunk in enumerate(chunks):
            receiver, sender = ctx.Pipe(duplex=False)
            prefix = self._run + "0123456789abcdefghijklmnopqrstuvwxyz"[k % 36]
            process = ctx.Process(target=_worker, daemon=True, name=f"docsearch-index-{k}",
                                  args=(sender, str(self.index_dir), self._writer.schema, chunk, prepare,
                                        budget, prefix, os.getpid(), locks, reserve, reading is not None, held))
            start_worker(process)
            sender.close()
            self._workers.append(process)
            inbox[receiver] = (k, chunk, process)
        written: list[list] = [[] for _ in chunks]
        while inbox:
            for receiver in wait(list(inbox)):
                k, chunk, process = inbox[receiver]
                try:
                    i, kind, *detail = receiver.recv()
                except EOFError:
                    process.join()
                    raise IndexWriteError(
                        f"Cannot write the index in {self._target or self.index_dir}: an indexing worker stopped "
                        f"(exit code {process.exitcode}); the previous index is unchanged") from None
                if kind == "done":
                    written[k] = detail[0]
                    del inbox[receiver]
                    receiver.close()
                elif kind == "error":
                    if isinstance(detail[0], OSError):
                        raise write_error(self._target or self.index_dir, detail[0]) from detail[0]
                    raise detail[0]
                elif kind == "reading":
                    reading(chunk[i], detail[0])
                elif kind in ("records", "doc"):       # the records of a file, a batch at a time, then its end
                    records, *rest = detail
                    if (k, i) not in begun:
                        begun[k, i] = records[0].container or records[0].doc_id     # the file's id
                        self._forget_file(records[0])
                    for record in records:
                        self.delete(record.doc_id)
                        self._remember(record)
                    held.value = len(self.documents) * RECORD_BYTES // procs
                    if kind == "records":
                        continue
                    count, *notes = rest
                    file_id = begun.pop((k, i))
                    self.notes += [(file_id, note) for note in (notes[0] if notes else ())]
                    self.dirty = True
                    yield chunk[i], "doc", count
                else:
                    yield chunk[i], kind, detail[0] if detail else None
        for process in self._workers:
            process.join()
        self._workers = []
        self._segments += [segment for segments in written for segment in segments]

    def lock_fds(self) -> list[int]:
        """The lock descriptors a forked child inherits and must close, so that the locks
        go with this process even if the child outlives it briefly."""
        if START_METHOD != "fork":
            return []
        whoosh_lock = getattr(self._writer, "writelock", None)
        return [fd for fd in (self._lock.fd, getattr(whoosh_lock, "fd", None)) if fd is not None]

    def _new_builder(self, memory_mb: int, tag: str):
        from indexer.store import fastwriter

        return fastwriter.SegmentBuilder(self._ix.storage, self._writer.schema, S.INDEX_NAME,
                                         limit_bytes=memory_mb << 20, segid_prefix=self._run + tag)

    def _stop_workers(self) -> None:
        for process in self._workers:
            if process.is_alive():
                process.terminate()
        for process in self._workers:
            process.join()
        self._workers = []

    # -- finishing -----------------------------------------------------------
    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None and not self.dirty and self.roots.by_label == self._opened_roots \
                    and not self._workers and not self._segments and self._builder is None:
                self._cancel()      # nothing changed: no new generation, no marker rewrite
            elif exc_type is None:
                self._commit()
            elif self._writer is not None:
                self._cancel()
        finally:
            self._lock.__exit__()
        return False

    def _commit(self) -> None:
        if self._workers:
            # add_files was left before its workers finished: their documents are not all written.
            self._cancel()
            raise RuntimeError("IndexWriter.add_files was not iterated to the end; nothing was committed")
        from indexer.store import fastwriter

        try:
            if self._builder is not None:
                self._segments += self._builder.finish()
            fastwriter.commit_segments(self._writer, self._segments)
            self._writer = None
            self._write_marker(S.generation(self._ix))
            if self._target is not None:
                self._swap_in()
        except OSError as e:
            if self._writer is not None:
                self._cancel()
            elif self._target is not None:
                shutil.rmtree(self.index_dir, ignore_errors=True)
            raise write_error(self._target or self.index_dir, e) from e

    def _cancel(self) -> None:
        """Stop the workers and remove every file this run wrote; the last commit stays as it was."""
        from indexer.store import fastwriter

        # Best effort: on a full or read-only disk the clean-up itself can fail, and what it
        # leaves are files no TOC names, which the next commit removes; the error that
        # stopped the run is the one to report.
        with contextlib.suppress(OSError):
            self._stop_workers()
            fastwriter.discard_files(self._ix.storage, S.INDEX_NAME, self._run)
        writer, self._writer = self._writer, None
        try:
            writer.cancel()             # closing its column files writes to the disk
        except OSError:
            if writer.writelock:
                writer.writelock.release()
        with contextlib.suppress(OSError):
            # Whoosh's writer leaves its own (empty) segment's files for the next commit to clean.
            fastwriter.discard_files(self._ix.storage, S.INDEX_NAME, writer.newsegment.segid + ".")
        if self._target is not None:
            shutil.rmtree(self.index_dir, ignore_errors=True)

    def _write_marker(self, generation: int) -> None:
        atomic_write_json(self.index_dir / MARKER, {
            "format": FORMAT, "schema_version": S.SCHEMA_VERSION, "generation": generation,
            "roots": self.roots.to_marker(), "metadata": self.metadata,
            # Each record becomes a dict only as it is written: a copy of them all would double
            # the manifest's memory at the end of a run (100,000 messages: about 65 MB).
            "documents": self.documents,
        }, default=DocRecord.to_json)

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


_RECORD_BATCH = 1000     # records a worker sends at a time while it reads a file of many documents


def _record(data: dict) -> DocRecord:
    """A manifest entry -> DocRecord; keys of other versions (older, newer) are left to their defaults."""
    return DocRecord(**{k: v for k, v in data.items() if k in DocRecord.__dataclass_fields__})


def _new_run_id() -> str:
    """A random segment-id prefix: lower-case letters and digits, as Whoosh's segment ids."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % 36] for b in os.urandom(10))


def _split(jobs: Sequence, weights: Sequence[int] | None, parts: int) -> list[list]:
    """Cut jobs into `parts` runs of consecutive jobs with about equal total weight."""
    weights = list(weights) if weights is not None else [1] * len(jobs)
    total = sum(weights) or 1
    chunks: list[list] = [[] for _ in range(parts)]
    done = 0
    for job, weight in zip(jobs, weights):
        k = min(parts - 1, done * parts // total)
        chunks[k].append(job)
        done += weight
    return [chunk for chunk in chunks if chunk]


def _worker(conn, index_dir: str, schema, jobs: list, prepare, limit_bytes: int, prefix: str, parent: int,
            locks: list[int], reserve=None, reading: bool = False, held=None) -> None:
    """A worker process: prepare its jobs, invert them into segments, report each file and the segments.

    Ctrl-C is the parent's to handle (it stops the workers); a worker whose
    parent is gone stops at the next file.
    """
    ignore_ctrl_c()
    from indexer.store import fastwriter

    for fd in locks:
        try:
            os.close(fd)
        except OSError:
            pass
    from whoosh.filedb.filestore import FileStorage

    builder = fastwriter.SegmentBuilder(FileStorage(index_dir), schema, S.INDEX_NAME,
                                        limit_bytes=limit_bytes, segid_prefix=prefix)
    try:
        for i, job in enumerate(jobs):
            if os.getppid() != parent:
                builder.discard()
                return
            if reserve is not None:
                builder.make_room(reserve(job))
            steps = Reading()
            send = (lambda report, i=i: conn.send((i, "reading", report))) if reading else None
            prepared = prepare(job, steps.reporter(send)) if send else prepare(job)
            if prepared[0] == "doc":
                _, doc, passages, root, *rest = prepared
                extra = rest[1] if len(rest) > 1 else {}
                records, count = [], 0
                for one, one_passages in chain([(doc, passages)], rest[0] if rest else ()):   # inside: lazy
                    record, docs = document_fields(one, one_passages, root, extra.get("abs_path", ""),
                                                   extra.get("inputs", ""))
                    builder.outside = (held.value if held is not None else 0) + len(records) * RECORD_BYTES
                    for fields in docs:
                        builder.add_document(fields)
                    records.append(record)
                    count += len(one_passages)
                    if len(records) == _RECORD_BATCH:      # a mailbox's records go to the parent as they come
                        conn.send((i, "records", records))
                        records = []
                    report = steps.step(one) if send else None
                    if report is not None:
                        send(report)
                conn.send((i, "doc", records, count, list(extra.get("notes", ()))))
            else:
                conn.send((i, *prepared))
        conn.send((None, "done", builder.finish()))
    except BaseException as e:
        builder.discard()
        try:
            conn.send((None, "error", e))
        except Exception:
            conn.send((None, "error", RuntimeError("".join(traceback.format_exception(e)))))
    finally:
        conn.close()
