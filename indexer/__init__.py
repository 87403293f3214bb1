"""Folder of documents -> a Whoosh index of passages with metadata.

    summary = build_index([Path("docs/")], Path("idx/"))

Re-running is incremental: a file whose size and mtime are as last time is not read;
one whose content, sidecar, manifest row or options changed is re-indexed; passages of
files that are gone are removed; everything in one atomic commit. A document's id is
its root's label and its path below the root (store/roots.py).

The stages, in the order a file goes through them (this module runs them, nothing else):

- files.py     folders -> the files to read, and each skipped one with its reason
- readers/     file -> Document: one module per format behind one registry
- clean/       text hygiene, reflow of hard-wrapped text, web-page chrome: what is removed, why
- metadata.py  fields from the text, NAME.meta.json sidecars and --metadata manifests
- document.py  the dataclasses at the boundaries: Document, Block, Passage
- segment.py   Document -> Passages (sections, offsets) of a bounded size
- store/       Passages -> the index on disk; the only part search/ reads
- errors.py    DocsearchError and its kinds, shared with search/
- workers.py   worker processes started so that Ctrl-C is the parent's (no traceback from a worker)
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from indexer.document import Block, Document, Passage
from indexer.errors import (DocsearchError, IndexLockedError, IndexNotFoundError, IndexVersionError,
                            IndexWriteError, InputError, NotAnIndexError, PassageNotFoundError, QueryError,
                            UnsupportedFileError)
from indexer.files import discover, document_id, type_suffix
from indexer.store import moved as _moved  # noqa: F401  (old module paths in indexes on disk)
from indexer.store.directory import default_index_dir

__all__ = ["build_index", "IndexSummary", "default_index_dir", "seeds_path", "Document", "Passage", "Block",
           "DocsearchError", "IndexLockedError", "IndexNotFoundError", "IndexVersionError", "IndexWriteError",
           "InputError", "NotAnIndexError", "PassageNotFoundError", "QueryError", "UnsupportedFileError"]

DEFAULT_MAX_BYTES = 20_000_000
KEEP_ALL = "keep-all"       # Document.boilerplate of a document read with keep_all


def default_ocr_cache() -> Path:
    """$DOCSEARCH_OCR_CACHE, else $XDG_CACHE_HOME/docsearch/ocr, else ~/.cache/docsearch/ocr."""
    if os.environ.get("DOCSEARCH_OCR_CACHE"):
        return Path(os.environ["DOCSEARCH_OCR_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "docsearch" / "ocr"


def seeds_path() -> Path:
    """The bundled default corpus, installed as the `seeds` package's data."""
    import seeds

    return Path(seeds.__file__).parent


@dataclass
class IndexSummary:
    index_dir: Path
    files_seen: int = 0
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    passages: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    gone_roots: list[str] = field(default_factory=list)            # roots re-synced with no PATH that are gone
    warnings: list[str] = field(default_factory=list)              # manifest problems, library warnings

    def skip_counts(self) -> dict[str, int]:
        """Skipped files by kind ('unsupported type', 'too big', ...), most first."""
        from indexer.files import skip_kind

        counts: dict[str, int] = {}
        for _, reason in self.skipped:
            kind = skip_kind(reason)
            counts[kind] = counts.get(kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    ocr_pending: int = 0    # pages without a text layer left unread: Tesseract is not installed

    def line(self) -> str:
        """The one-line summary a terminal user sees at the end."""
        parts = [f"indexed {self.indexed:,} file{'s' * (self.indexed != 1)} ({self.passages:,} passages) "
                 f"in {self.seconds:.1f} s"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} unchanged")
        if self.removed:
            parts.append(f"{self.removed:,} removed")
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in self.skip_counts().items())
        parts.append(f"{len(self.skipped):,} skipped" + (f" ({kinds})" if kinds else ""))
        if self.warnings:
            parts.append(f"{len(self.warnings):,} warning{'s' * (len(self.warnings) != 1)}")
        if self.ocr_pending:
            parts.append(f"{self.ocr_pending:,} page{'s' * (self.ocr_pending != 1)} need OCR")
        return "; ".join(parts)


def _sha256(path: Path) -> str:
    import hashlib          # here: `docsearch search` imports this package and never hashes a file

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _relative_to(path: Path, base: Path | None) -> str | None:
    if base is None:
        return None
    try:
        return path.absolute().relative_to(base).as_posix()
    except ValueError:
        return None


def _inputs(path: Path, overrides: dict | None, seg_kw: dict) -> str:
    """A digest of what shapes a document's passages besides its own bytes: its sidecar,
    its manifest row and the segmenting options. A change in any re-indexes the document."""
    import hashlib
    import json

    from indexer.metadata import sidecar_for

    sidecar = sidecar_for(path)
    try:
        side = [sidecar.name, hashlib.sha256(sidecar.read_bytes()).hexdigest()] if sidecar else None
    except OSError:
        side = [sidecar.name, "unreadable"]
    data = json.dumps([side, sorted((overrides or {}).items()), sorted(seg_kw.items())], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class _Prepare:
    """One file -> what the writer indexes: ("doc", Document, passages, root, abs_path, inputs),
    ("unchanged", (size, mtime)) or ("skip", why).

    Runs in the indexing worker processes, so it carries everything it needs and pickles.
    """

    boilerplate: frozenset
    max_bytes: int | None
    seg_kw: dict
    options: object = None          # readers' ReadOptions (OCR mode and cache, bounds)
    keep_all: bool = False

    def __call__(self, job: "_Job", report=None) -> tuple:
        from indexer.readers.extracted import reporting     # report(part, doc_id): how far in its reader is
        with reporting((lambda part: report(part, job.doc_id)) if report else None):
            return self._prepare(job)

    def _prepare(self, job: "_Job") -> tuple:
        from indexer.readers.load import iter_documents
        from indexer.metadata import apply_overrides
        from indexer.segment import segment

        caught: list = []
        try:
            if job.old_sha256 is not None and job.old_sha256 == _sha256(job.path) and self._reads_same(job):
                st = job.path.stat()
                return ("unchanged", (st.st_size, st.st_mtime))
            docs = _recording(iter_documents(job.path, job.root, max_bytes=self.max_bytes,
                                             boilerplate=self.boilerplate, keep_all=self.keep_all,
                                             **({"options": self.options} if self.options is not None else {})),
                              caught)
            first = next(docs)
        except StopIteration:
            return ("skip", "no documents in the file")
        except UnsupportedFileError as e:
            return ("skip", str(e))
        except OSError as e:
            return ("skip", f"cannot read: {e.strerror or e}")
        # Ids with the root's label (store/roots.py): the file's, and those of what it holds (FILE::N).
        base = first.container or first.doc_id
        path = job.rel or job.path.name

        def ready(doc):
            doc_id = job.doc_id + doc.doc_id[len(base):] if doc.doc_id.startswith(base) else doc.doc_id
            container = job.doc_id if doc.container else None
            of = doc.meta.get("attachment_of")      # the message's id, as the index names it too
            meta = {**doc.meta, "attachment_of": job.doc_id + of[len(base):]} if of and of.startswith(base) else doc.meta
            doc = replace(doc, doc_id=doc_id, path=path, container=container, meta=meta)
            doc = apply_overrides(doc, job.overrides) if job.overrides else doc
            return doc, list(segment(doc, **self.seg_kw))

        # Where the file is, printable and valid UTF-8 as ids are (a name that is not UTF-8 is escaped).
        # `notes` is filled when the last document of the file has been read (_recording).
        extra = {"abs_path": document_id(str(job.path)), "inputs": job.inputs, "notes": caught}
        # The documents inside the file (a mailbox's messages) are read as the writer takes them:
        # a mailbox of any size is in memory one message at a time.
        return ("doc", *ready(first), document_id(str(job.root)), map(ready, docs), extra)

    def reader_bytes(self, job: "_Job") -> int:
        """About the memory reading the job's file takes (load.reader_bytes), for --memory-mb."""
        from indexer.readers.load import reader_bytes

        return reader_bytes(job.path, self.max_bytes)

    def _reads_same(self, job: "_Job") -> bool:
        """Whether an unchanged file would be read as it was: with the same learned boilerplate
        lines of its own (files added or removed elsewhere change what is learned) and the same
        --keep-all. So an incremental run gives what a clean build of the same files gives."""
        from indexer.readers.load import READERS, boilerplate_fingerprint, file_boilerplate, read_bytes
        from indexer.clean.normalize import decode, normalize

        if self.keep_all or job.old_boilerplate == KEEP_ALL:
            return self.keep_all and job.old_boilerplate == KEEP_ALL
        reader = READERS.get(type_suffix(job.path.name))      # (None for a name without one, or a .gz: they learn none)
        if not self.boilerplate or reader is None or reader.binary:     # (binary formats learn none)
            return not job.old_boilerplate
        is_html = reader.type == "html"
        try:
            text = normalize(decode(read_bytes(job.path, self.max_bytes or reader.max_bytes)[0], html=is_html))
        except UnsupportedFileError:
            return False
        return boilerplate_fingerprint(file_boilerplate(text, is_html, self.boilerplate)) == job.old_boilerplate


def _gone(writer, seen: set[str], scopes) -> list[str]:
    """The documents indexed from these paths (`scopes`) whose files this run did not see."""
    from indexer.store.roots import contains

    return [doc_id for doc_id, record in writer.documents.items()
            if doc_id not in seen and (record.container or doc_id) not in seen
            and any(contains(scope, record.location()) for scope in scopes)]


def _recording(docs, notes: list):
    """`docs`, each read under warnings.catch_warnings: a library's warning (bs4's
    XMLParsedAsHTMLWarning, a mailbox's skipped messages, ...) becomes one line naming the file,
    one per kind, put in `notes` when the last document has been read."""
    import warnings

    caught: list = []
    docs = iter(docs)
    try:
        while True:
            with warnings.catch_warnings(record=True) as now:
                warnings.simplefilter("always")
                try:
                    doc = next(docs)
                except StopIteration:
                    return
                finally:
                    caught += now
            yield doc
    finally:
        first_kind = {w.category.__name__: " ".join(str(w.message).split()) for w in reversed(caught)}
        notes[:] = [f"{name}: {message[:160]}" for name, message in sorted(first_kind.items())]


@dataclass(frozen=True)
class _Job:
    order: int              # position among the candidates
    doc_id: str             # LABEL/PATH (store/roots.py)
    rel: str                # the path below its root ('' for a file that is its own root)
    path: Path
    root: Path
    old_sha256: str | None  # the manifest's hash when the file was indexed from this root before
    overrides: dict | None  # its manifest row
    inputs: str             # _inputs()
    old_boilerplate: str = ""   # the manifest's Document.boilerplate for it


def _given_paths(paths, index_dir: Path, warn) -> tuple[list[Path], list[str]]:
    """The paths to index: those given; else the index's own roots (those that still exist),
    and the bundled seeds only for an index that has none. Also the roots that are gone."""
    from indexer.store.directory import read_marker
    from indexer.store.roots import Roots

    marker = read_marker(index_dir) if index_dir.is_dir() else None
    if paths:
        for p in paths:
            if not os.path.lexists(p):
                where = os.path.realpath(p)
                held = sum(1 for d in (marker or {}).get("documents", {}).values()
                           if (d.get("abs_path") or "").startswith(where.rstrip("/") + "/") or d.get("abs_path") == where)
                hint = (f"; the index holds {held:,} document{'s' * (held != 1)} from it: "
                        f"'docsearch remove {p}' removes them") if held else ""
                raise InputError(f"No such file or folder: {p}{hint}")
        return [Path(p) for p in paths], []
    roots = sorted(Roots.from_marker(marker).by_label.values())
    if not roots and marker:        # an index written before roots were recorded
        roots = sorted({os.path.realpath(d.get("root", "")) for d in marker.get("documents", {}).values()
                        if d.get("root")})
    if not roots:
        return [seeds_path()], []
    gone = [r for r in roots if not os.path.exists(r)]
    for root in gone:
        if warn:
            warn(f"{root} is gone; its documents stay in the index until 'docsearch remove {root}'")
    return [Path(r) for r in roots if r not in gone], gone


def build_index(paths: list[Path] | None = None, index_dir: Path | None = None, *,
                rebuild: bool = False, metadata: Path | None | bool = None,
                max_bytes: int | None = None, min_chars: int | None = None, max_chars: int | None = None,
                procs: int | None = None, memory_mb: int = 256, ocr: str = "auto", keep_all: bool = False,
                progress: Callable[[int, int, str], None] | None = None,
                warn: Callable[[str], None] | None = None, verbose: bool = False) -> IndexSummary:
    """Index documents under `paths` into `index_dir`.

    No `paths`: the index's own roots again (the bundled seeds for an index that has none).
    No `metadata`: for each root, the manifest last given for it, if still there (False: forget it).
    A document's id is its root's label and its path below it (store/roots.py). A file is
    re-read when its size or mtime differ from the last run and then only if its content,
    its sidecar, its manifest row or the segmenting options changed.
    progress(done, total, path) is called per file (done: files finished); while a mailbox is
    read, up to a thousand times more, done grown by the part read (a float) and path its last
    message (FILE::N). warn(message) per skipped file (of an unsupported type: with verbose), per manifest problem.
    max_bytes: skip larger files; None: each format's limit (20 MB for text, 200 MB for PDF, ...).
    procs: worker processes that load, analyse and write (default: the cores, up to 4, for
    100+ files, else 1, in this process); memory_mb: the budget of the buffered
    postings across all processes and of the files their readers hold (a process over its
    share writes a segment early; load.reader_bytes).
    ocr: "auto" (OCR pages and images without a text layer, when Tesseract is installed),
    "always" or "never"; results are cached by content hash (default_ocr_cache), outside the
    index so that a --rebuild never repeats an OCR run.
    keep_all: index every line; nothing is left out as chrome, page furniture or boilerplate.
    Raises InputError for a missing path or manifest, and the index errors.
    """
    from indexer.files import resolved
    from indexer.metadata import bad_dates, read_manifest
    from indexer.segment import MAX_CHARS, MIN_CHARS
    from indexer.readers.extracted import ReadOptions
    from indexer.readers.ocr import pending_pages
    from indexer.store.writer import IndexWriter

    if ocr not in ("auto", "always", "never"):
        raise ValueError(f"ocr must be auto, always or never, not {ocr!r}")

    started = time.perf_counter()
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
    paths, gone = _given_paths(paths, index_dir, warn)
    given_manifest = metadata is not None and metadata is not False
    forget_manifest = metadata is False
    metadata = Path(os.path.abspath(metadata)) if given_manifest else None
    manifest = read_manifest(metadata) if metadata else {}
    # Without --metadata, each root's documents get the manifest last given for that root.
    remembered: dict[str, str] = {}
    if not given_manifest and not forget_manifest and index_dir.is_dir():
        from indexer.store.directory import read_marker

        found = (read_marker(index_dir) or {}).get("metadata")
        remembered = dict(found) if isinstance(found, dict) else {}
    manifests: dict[str, dict] = {}

    def manifest_for(root: str) -> tuple[Path | None, dict]:
        if given_manifest:
            return metadata, manifest
        path = remembered.get(root)
        if not path or not os.path.isfile(path):
            return None, {}
        if path not in manifests:
            manifests[path] = read_manifest(Path(path))
        return Path(path), manifests[path]

    seeds = seeds_path()
    candidates = [c for c in discover(paths)
                  if not (c.skip and c.root == seeds and c.path.name == "__init__.py")]  # the package's own file
    scopes = [str(resolved(p)) for p in paths]
    summary = IndexSummary(index_dir=index_dir, files_seen=len(candidates), gone_roots=gone)
    seg_kw = {"min_chars": min_chars or MIN_CHARS, "max_chars": max_chars or MAX_CHARS}
    skipped: list[tuple[int, str, str]] = []
    done = 0
    reading: dict[int, float] = {}      # job order -> the part read of a streamed file being read

    def tick(rel: str, order: int | None = None, part: float | None = None) -> None:
        nonlocal done           # a file done; with `part`: that much of a big file read, rel its last document
        done += part is None
        reading.pop(order, None) if part is None else reading.update({order: part})
        if progress:
            progress(done + sum(reading.values()), len(candidates), rel)

    def skip(order: int, rel: str, reason: str, listed: bool = True) -> None:
        skipped.append((order, rel, reason))
        pending = pending_pages(reason)
        summary.ocr_pending += pending
        if warn and listed and not pending:    # files that need OCR get one warning at the end, with the count
            warn(f"skipped {rel}: {reason}")

    if procs is None:
        procs = min(os.cpu_count() or 1, 4) if len(candidates) >= 100 else 1
    with IndexWriter(index_dir, rebuild=rebuild, procs=procs, memory_mb=memory_mb) as writer:
        roots = writer.roots
        for scope in scopes:
            if roots.root_for(scope) is None:
                roots.add(scope)
        # Files that hold several documents (a mailbox): one of their records, by the file's id.
        inside_files = {r.container: r for r in writer.documents.values() if r.container}
        seen: set[str] = set()
        jobs: list[_Job] = []
        quick: list[_Job] = []      # unchanged by size and mtime
        used_rows: set[str] = set()
        for order, cand in enumerate(candidates):
            where = str(cand.path)
            root = roots.root_for(where) or str(cand.root)
            label = roots.add(root)
            rel = "" if where == root else document_id(os.path.relpath(where, root).replace(os.sep, "/"))
            doc_id = f"{label}/{rel}" if rel else label
            if cand.skip:
                skip(order, doc_id, cand.skip, listed=verbose or not cand.skip.startswith("unsupported"))
                tick(doc_id)
                continue
            if doc_id in seen:          # the same file given twice (a folder and a file in it)
                summary.files_seen -= 1
                continue
            seen.add(doc_id)
            key = rel or cand.path.name
            # Manifest paths are relative to the indexed root, or to the manifest's folder.
            rows_path, rows = manifest_for(root)
            row_key = key if key in rows else _relative_to(cand.path, rows_path.parent if rows_path else None)
            overrides = rows.get(row_key) if row_key else None
            if overrides is not None and rows is manifest:
                used_rows.add(row_key)
            inputs = _inputs(cand.path, overrides, {**seg_kw, "keep_all": True} if keep_all else seg_kw)
            old = writer.documents.get(doc_id) or inside_files.get(doc_id)
            old_sha256 = None
            if old is not None and not rebuild and old.inputs == inputs and old.root == document_id(root):
                try:
                    st = cand.path.stat()
                except OSError:
                    st = None
                if st is not None and (st.st_size, st.st_mtime) == (old.size, old.mtime):
                    # As git does: same size and mtime, not read again; unless what is learned as
                    # boilerplate changes below (then _Prepare checks the file's own boilerplate lines).
                    quick.append(_Job(order, doc_id, rel, cand.path, Path(root), old.sha256, overrides, inputs,
                                      old.boilerplate))
                    continue
                old_sha256 = old.sha256
            jobs.append(_Job(order, doc_id, rel, cand.path, Path(root), old_sha256, overrides, inputs,
                             old.boilerplate if old is not None else ""))
        boilerplate = frozenset()
        gone = _gone(writer, seen, scopes)
        # What is learned as boilerplate depends on every file: it is learned again when a file is
        # new, changed or gone, and then each unchanged file is checked against it. When nothing
        # is, what was learned still holds, and an unchanged run reads nothing.
        if (jobs or gone) and not keep_all:
            from indexer.readers.boilerplate import learn_boilerplate   # (and imports no reader)

            boilerplate = learn_boilerplate([c.path for c in candidates if not c.skip], procs=procs,
                                            close_fds=writer.lock_fds())
        if not (jobs or gone):
            quick = [replace(j, old_boilerplate="") for j in quick]     # (nothing to recheck)
        recheck = [j for j in quick if boilerplate or j.old_boilerplate]
        for job in quick:
            if not (boilerplate or job.old_boilerplate):
                summary.unchanged += 1
                tick(job.doc_id)
        jobs = sorted(jobs + recheck, key=lambda j: j.order)
        options = ReadOptions(ocr=ocr, ocr_cache=default_ocr_cache())
        prepare = _Prepare(boilerplate, max_bytes, seg_kw, options, keep_all)
        inside = (lambda job, detail: tick(detail[2], job.order, detail[0])) if progress else None
        for job, kind, detail in writer.add_files(jobs, prepare, weights=[_size(j.path) for j in jobs],
                                                  reserve=prepare.reader_bytes, reading=inside):
            tick(job.doc_id, job.order)
            if kind == "doc":
                summary.indexed += 1
                summary.passages += detail
                record = writer.documents.get(job.doc_id)
                summary.ocr_pending += record.ocr_pending if record is not None else 0
            elif kind == "unchanged":
                summary.unchanged += 1
                record = writer.documents.get(job.doc_id)
                if record is not None and detail and (record.size, record.mtime) != tuple(detail):
                    record.size, record.mtime = detail  # the next run decides from size and mtime again
                    writer.dirty = True
            else:
                skip(job.order, job.doc_id, detail)
        for doc_id, note in writer.notes:
            summary.warnings.append(f"{doc_id}: {note}")
            if warn:
                warn(f"{doc_id}: {note}")
        for doc_id in gone:
            writer.delete(doc_id)
            summary.removed += 1
        if rebuild:     # a rebuilt index holds only what this run indexed
            kept = {d.root for d in writer.documents.values()} | set(scopes)
            for label, root in list(roots.by_label.items()):
                if root not in kept:
                    roots.discard(label)
        if given_manifest or forget_manifest:       # remembered per root, for runs without --metadata
            before = dict(writer.metadata)
            for scope in scopes:
                root = roots.root_for(scope) or scope
                if given_manifest:
                    writer.metadata[root] = str(metadata)
                else:
                    writer.metadata.pop(root, None)
            writer.dirty = writer.dirty or writer.metadata != before
        unused = sorted(set(manifest) - used_rows) if given_manifest else []
        problems = [f"manifest {metadata}: row '{name}' names no file among those indexed" for name in unused[:5]]
        problems += bad_dates(manifest, metadata)
        if len(unused) > 5:
            problems.append(f"manifest {metadata}: {len(unused) - 5:,} more rows name no file among those indexed")
        summary.warnings += problems
        for message in problems:
            if warn:
                warn(message)
    if summary.ocr_pending and warn:
        warn(f"{summary.ocr_pending:,} page{'s' * (summary.ocr_pending != 1)} without a text layer (scans, "
             "images) were not read: Tesseract is not installed. Install it (Debian: apt-get install "
             "tesseract-ocr tesseract-ocr-kor) and index again; --ocr never silences this")
    summary.skipped = [(rel, reason) for _, rel, reason in sorted(skipped)]
    summary.seconds = time.perf_counter() - started
    return summary


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
