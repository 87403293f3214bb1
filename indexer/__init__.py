"""Folder of documents -> a Whoosh index of passages with metadata.

    summary = build_index([Path("docs/")], Path("idx/"))

Re-running is incremental: only files whose content hash changed are re-read,
passages of files that are gone are removed, everything in one atomic commit.

The stages, in the order a file goes through them (this module runs them, nothing else):

- files.py     folders -> the files to read, and each skipped one with its reason
- readers/     file -> Document: one module per format behind one registry
- clean/       text hygiene, reflow of hard-wrapped text, web-page chrome: what is removed, why
- metadata.py  fields from the text, NAME.meta.json sidecars and --metadata manifests
- document.py  the dataclasses at the boundaries: Document, Block, Passage
- segment.py   Document -> Passages (sections, offsets) of a bounded size
- store/       Passages -> the index on disk; the only part search/ reads
- errors.py    DocsearchError and its kinds, shared with search/
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from indexer.document import Block, Document, Passage
from indexer.errors import (DocsearchError, IndexLockedError, IndexNotFoundError, IndexVersionError,
                            IndexWriteError, InputError, NotAnIndexError, QueryError, UnsupportedFileError)
from indexer.files import discover
from indexer.store import moved as _moved  # noqa: F401  (old module paths in indexes on disk)
from indexer.store.directory import default_index_dir

__all__ = ["build_index", "IndexSummary", "default_index_dir", "seeds_path", "Document", "Passage", "Block",
           "DocsearchError", "IndexLockedError", "IndexNotFoundError", "IndexVersionError", "IndexWriteError",
           "InputError", "NotAnIndexError", "QueryError", "UnsupportedFileError"]

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
    ocr_pending: int = 0    # pages without a text layer left unread: Tesseract is not installed

    def line(self) -> str:
        """The one-line summary a terminal user sees at the end."""
        parts = [f"indexed {self.indexed:,} file{'s' * (self.indexed != 1)} ({self.passages:,} passages) "
                 f"in {self.seconds:.1f} s"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} unchanged")
        if self.removed:
            parts.append(f"{self.removed:,} removed")
        parts.append(f"{len(self.skipped):,} skipped")
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


@dataclass(frozen=True)
class _Prepare:
    """One file -> what the writer indexes: ("doc", Document, passages, root), ("unchanged",) or ("skip", why).

    Runs in the indexing worker processes, so it carries everything it needs and pickles.
    """

    boilerplate: frozenset
    manifest: dict
    manifest_base: Path | None
    max_bytes: int | None
    seg_kw: dict
    options: object = None          # readers' ReadOptions (OCR mode and cache, bounds)
    keep_all: bool = False

    def __call__(self, job: "_Job") -> tuple:
        from indexer.readers.load import load_documents
        from indexer.metadata import apply_overrides
        from indexer.segment import segment

        try:
            if job.old_sha256 is not None and job.old_sha256 == _sha256(job.path) and self._reads_same(job):
                return ("unchanged",)
            docs = load_documents(job.path, job.root, max_bytes=self.max_bytes, boilerplate=self.boilerplate,
                                  keep_all=self.keep_all,
                                  **({"options": self.options} if self.options is not None else {}))
        except UnsupportedFileError as e:
            return ("skip", str(e))
        except OSError as e:
            return ("skip", e.strerror or str(e))
        overrides = self.manifest.get(job.rel) or self.manifest.get(_relative_to(job.path, self.manifest_base))
        if overrides:
            docs = [apply_overrides(doc, overrides) for doc in docs]
        first, *inside = [(doc, list(segment(doc, **self.seg_kw))) for doc in docs]
        return ("doc", *first, str(job.root), inside)

    def _reads_same(self, job: "_Job") -> bool:
        """Whether an unchanged file would be read as it was: with the same learned boilerplate
        lines of its own (files added or removed elsewhere change what is learned) and the same
        --keep-all. So an incremental run gives what a clean build of the same files gives."""
        from indexer.readers.load import READERS, boilerplate_fingerprint, file_boilerplate, read_bytes
        from indexer.clean.normalize import decode, normalize

        if self.keep_all or job.old_boilerplate == KEEP_ALL:
            return self.keep_all and job.old_boilerplate == KEEP_ALL
        reader = READERS.get(job.path.suffix.lower())
        if not self.boilerplate or reader is None or reader.binary:     # (binary formats learn none)
            return not job.old_boilerplate
        is_html = reader.type == "html"
        try:
            text = normalize(decode(read_bytes(job.path, self.max_bytes or reader.max_bytes)[0], html=is_html))
        except UnsupportedFileError:
            return False
        return boilerplate_fingerprint(file_boilerplate(text, is_html, self.boilerplate)) == job.old_boilerplate


@dataclass(frozen=True)
class _Job:
    order: int              # position among the candidates
    rel: str
    path: Path
    root: Path
    old_sha256: str | None  # the manifest's hash when the file was indexed from this root before
    old_boilerplate: str = ""   # the manifest's Document.boilerplate for it


def build_index(paths: list[Path] | None = None, index_dir: Path | None = None, *,
                rebuild: bool = False, metadata: Path | None = None,
                max_bytes: int | None = None, min_chars: int | None = None, max_chars: int | None = None,
                procs: int | None = None, memory_mb: int = 256, ocr: str = "auto", keep_all: bool = False,
                progress: Callable[[int, int, str], None] | None = None,
                warn: Callable[[str], None] | None = None) -> IndexSummary:
    """Index documents under `paths` (default: the bundled seeds) into `index_dir`.

    progress(done, total, path) is called per file; warn(message) per skipped file.
    max_bytes: skip larger files; None: each format's limit (20 MB for text, 200 MB for PDF, ...).
    procs: worker processes that load, analyse and write (default: the cores, up to 4, for
    100+ files, else 1, in this process); memory_mb: the budget of the buffered
    postings across all processes (a process over its share writes a segment early).
    ocr: "auto" (OCR pages and images without a text layer, when Tesseract is installed),
    "always" or "never"; results are cached by content hash (default_ocr_cache), outside the
    index so that a --rebuild never repeats an OCR run.
    keep_all: index every line; nothing is left out as chrome, page furniture or boilerplate.
    Raises InputError for a missing path or manifest, and the index errors.
    """
    from indexer.readers.boilerplate import learn_boilerplate
    from indexer.metadata import read_manifest
    from indexer.segment import MAX_CHARS, MIN_CHARS
    from indexer.readers.extracted import ReadOptions
    from indexer.readers.ocr import pending_pages
    from indexer.store.writer import IndexWriter

    if ocr not in ("auto", "always", "never"):
        raise ValueError(f"ocr must be auto, always or never, not {ocr!r}")

    started = time.perf_counter()
    paths = [Path(p) for p in (paths or [seeds_path()])]
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
    manifest = read_manifest(Path(metadata)) if metadata else {}
    # Manifest paths are relative to the manifest's folder, or to the indexed root.
    manifest_base = Path(metadata).absolute().parent if metadata else None
    candidates = list(discover(paths))
    summary = IndexSummary(index_dir=index_dir, files_seen=len(candidates))
    seg_kw = {"min_chars": min_chars or MIN_CHARS, "max_chars": max_chars or MAX_CHARS}
    skipped: list[tuple[int, str, str]] = []
    done = 0

    def tick(rel: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(candidates), rel)

    def skip(order: int, rel: str, reason: str) -> None:
        skipped.append((order, rel, reason))
        pending = pending_pages(reason)
        summary.ocr_pending += pending
        if warn and not pending:        # files that need OCR get one warning at the end, with the count
            warn(f"skipped {rel}: {reason}")

    if procs is None:
        procs = min(os.cpu_count() or 1, 4) if len(candidates) >= 100 else 1
    with IndexWriter(index_dir, rebuild=rebuild, procs=procs, memory_mb=memory_mb) as writer:
        boilerplate = frozenset() if keep_all else learn_boilerplate([c.path for c in candidates], procs=procs,
                                                                     close_fds=writer.lock_fds())
        roots = {str(c.root) for c in candidates}
        # Files that hold several documents (a mailbox): one of their records, by the file's id.
        inside_files = {r.container: r for r in writer.documents.values() if r.container}
        seen: set[str] = set()
        jobs: list[_Job] = []
        for order, cand in enumerate(candidates):
            rel = cand.rel
            if rel in seen:
                skip(order, rel, "the same path under two roots; indexed once")
                tick(rel)
                continue
            seen.add(rel)
            old = writer.documents.get(rel) or inside_files.get(rel)
            same_root = old is not None and not rebuild and old.root == str(cand.root)
            jobs.append(_Job(order, rel, cand.path, cand.root, old.sha256 if same_root else None,
                             old.boilerplate if same_root else ""))
        options = ReadOptions(ocr=ocr, ocr_cache=default_ocr_cache())
        prepare = _Prepare(boilerplate, manifest, manifest_base, max_bytes, seg_kw, options, keep_all)
        for job, kind, detail in writer.add_files(jobs, prepare, weights=[_size(j.path) for j in jobs]):
            tick(job.rel)
            if kind == "doc":
                summary.indexed += 1
                summary.passages += detail
                record = writer.documents.get(job.rel)
                summary.ocr_pending += record.ocr_pending if record is not None else 0
            elif kind == "unchanged":
                summary.unchanged += 1
            else:
                skip(job.order, job.rel, detail)
        # Documents that were indexed from these roots and are gone now.
        for doc_id, record in list(writer.documents.items()):
            if record.root in roots and doc_id not in seen and (record.container or doc_id) not in seen:
                writer.delete(doc_id)
                summary.removed += 1
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
