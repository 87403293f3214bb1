"""Folder of documents -> a Whoosh index of passages with metadata.

    summary = build_index([Path("docs/")], Path("idx/"))

Re-running is incremental: only files whose content hash changed are re-read,
passages of files that are gone are removed, everything in one atomic commit.
"""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .document import Block, Document, Passage
from .errors import (DocsearchError, IndexLockedError, IndexNotFoundError, IndexVersionError,
                     IndexWriteError, InputError, NotAnIndexError, QueryError, UnsupportedFileError)
from .files import discover

__all__ = ["build_index", "IndexSummary", "default_index_dir", "seeds_path", "Document", "Passage", "Block",
           "DocsearchError", "IndexLockedError", "IndexNotFoundError", "IndexVersionError", "IndexWriteError",
           "InputError", "NotAnIndexError", "QueryError", "UnsupportedFileError"]

DEFAULT_MAX_BYTES = 20_000_000


def default_index_dir() -> Path:
    """$DOCSEARCH_INDEX, else the per-user data folder ($XDG_DATA_HOME/docsearch/index)."""
    env = os.environ.get("DOCSEARCH_INDEX")
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "docsearch" / "index"


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

    def line(self) -> str:
        """The one-line summary a terminal user sees at the end."""
        parts = [f"indexed {self.indexed:,} file{'s' * (self.indexed != 1)} ({self.passages:,} passages) "
                 f"in {self.seconds:.1f} s"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} unchanged")
        if self.removed:
            parts.append(f"{self.removed:,} removed")
        parts.append(f"{len(self.skipped):,} skipped")
        return "; ".join(parts)


def _sha256(path: Path) -> str:
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


def build_index(paths: list[Path] | None = None, index_dir: Path | None = None, *,
                rebuild: bool = False, metadata: Path | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, min_chars: int | None = None, max_chars: int | None = None,
                procs: int | None = None, memory_mb: int = 256,
                progress: Callable[[int, int, str], None] | None = None,
                warn: Callable[[str], None] | None = None) -> IndexSummary:
    """Index documents under `paths` (default: the bundled seeds) into `index_dir`.

    progress(done, total, path) is called per file; warn(message) per skipped file.
    procs: worker processes for analysis (default: all cores for 100+ files, else 1);
    memory_mb: the posting buffers' budget across all processes.
    Raises InputError for a missing path or manifest, and the index errors.
    """
    from .loaders import learn_boilerplate, load_document
    from .metadata import apply_overrides, read_manifest
    from .segment import MAX_CHARS, MIN_CHARS, segment
    from .writer import IndexWriter

    started = time.perf_counter()
    paths = [Path(p) for p in (paths or [seeds_path()])]
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
    manifest = read_manifest(Path(metadata)) if metadata else {}
    # Manifest paths are relative to the manifest's folder, or to the indexed root.
    manifest_base = Path(metadata).absolute().parent if metadata else None
    candidates = list(discover(paths))
    summary = IndexSummary(index_dir=index_dir, files_seen=len(candidates))
    seg_kw = {"min_chars": min_chars or MIN_CHARS, "max_chars": max_chars or MAX_CHARS}

    def skip(rel: str, reason: str) -> None:
        summary.skipped.append((rel, reason))
        if warn:
            warn(f"skipped {rel}: {reason}")

    if procs is None:
        procs = min(os.cpu_count() or 1, 4) if len(candidates) >= 100 else 1
    with IndexWriter(index_dir, rebuild=rebuild, procs=procs, memory_mb=memory_mb) as writer:
        boilerplate = learn_boilerplate([c.path for c in candidates])
        roots = {str(c.root) for c in candidates}
        seen: set[str] = set()
        for done, cand in enumerate(candidates, 1):
            rel = cand.rel
            if progress:
                progress(done, len(candidates), rel)
            if rel in seen:
                skip(rel, "the same path under two roots; indexed once")
                continue
            seen.add(rel)
            try:
                old = writer.documents.get(rel)
                if old is not None and not rebuild and old.root == str(cand.root) \
                        and old.sha256 == _sha256(cand.path):
                    summary.unchanged += 1
                    continue
                doc = load_document(cand.path, cand.root, max_bytes=max_bytes, boilerplate=boilerplate)
            except UnsupportedFileError as e:
                skip(rel, str(e))
                continue
            except OSError as e:
                skip(rel, e.strerror or str(e))
                continue
            overrides = manifest.get(rel) or manifest.get(_relative_to(cand.path, manifest_base))
            if overrides:
                doc = apply_overrides(doc, overrides)
            summary.passages += writer.replace(doc, segment(doc, **seg_kw), str(cand.root))
            summary.indexed += 1
        # Documents that were indexed from these roots and are gone now.
        for doc_id, record in list(writer.documents.items()):
            if record.root in roots and doc_id not in seen:
                writer.delete(doc_id)
                summary.removed += 1
    summary.seconds = time.perf_counter() - started
    return summary
