"""A document's original file, served only from inside the root folder it was indexed from.

The index records each document's root and its path below it (indexer/store/writer.py
DocRecord). A path is served only when, with every symlink resolved, it is a regular
file inside the resolved root: `..` in a recorded path, or a symlink from inside the root
to a file outside it, is refused. Ids come from the user, so an unknown id is simply
not found: nothing is ever built from the request's text alone.
"""
from __future__ import annotations

import mimetypes
import os
import stat
from pathlib import Path

from indexer.errors import DocsearchError


class FileRefused(DocsearchError):
    """The file is not served (unknown, gone, or outside its indexed root)."""


def original_file(searcher, doc_id: str) -> tuple[Path, dict]:
    """The resolved path of `doc_id`'s file, checked to lie inside its indexed root, and the
    index's record of it (its `type` says how to serve a file whose name does not)."""
    record = searcher.document_record(doc_id)
    if not record or not record.get("root") or not record.get("path"):
        raise FileRefused(f"no document {doc_id!r} in the index")
    try:
        root = Path(record["root"]).resolve(strict=True)
        # A file indexed on its own is its own root (indexer/store/roots.py): only that file.
        path = root if root.is_file() else (root / record["path"]).resolve(strict=True)
    except (OSError, RuntimeError) as e:
        raise FileRefused(f"the file of {doc_id!r} is no longer there") from e
    if not path.is_relative_to(root) or (path == root and not root.is_file()):
        raise FileRefused(f"the file of {doc_id!r} lies outside its indexed folder; not served")
    if not path.is_file():
        raise FileRefused(f"the file of {doc_id!r} is not a regular file")
    return path, record


def media_type(path: Path, kind: str | None = None) -> str:
    """Text as UTF-8 text; HTML as HTML (served in a sandbox, see app.py); else by extension, or
    by the indexed `kind` (the record's type) for a name that has none (README, changelog.gz:
    its type was found by content). For a .gz, the type of what it holds (see encoding())."""
    name = path.name[:-3] if encoding(path) else path.name
    suffix = Path(name).suffix.lower()
    if suffix in (".txt", ".md", ".markdown", ".text") or (kind in ("text", "markdown") and suffix not in (".html", ".htm")):
        return "text/plain; charset=utf-8"
    if suffix in (".html", ".htm") or kind == "html":
        return "text/html"
    return mimetypes.guess_type(name)[0] or _BY_KIND.get(kind, "application/octet-stream")


_BY_KIND = {"pdf": "application/pdf", "email": "message/rfc822"}


def encoding(path: Path) -> str | None:
    """"gzip" for a compressed original: served as stored, the browser shows what it holds."""
    return "gzip" if path.name.lower().endswith(".gz") else None


MAX_BYTES = 64 * 2**20


def read_checked(path: Path) -> bytes:
    """The bytes of a path original_file() returned, opened without following a symlink put
    in its place since the check, and refused unless still a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise FileRefused(f"the file {path.name!r} cannot be read now") from e
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"the file {path.name!r} is not a regular file")
        if info.st_size > MAX_BYTES:
            raise FileRefused(f"the file {path.name!r} is larger than {MAX_BYTES // 2**20} MB; open it from disk")
        return f.read(MAX_BYTES)
