"""Which files under the given paths are documents, walked once and safely.

Hidden files and folders are skipped, symlinked folders are followed once (a
link back up the tree is not a loop for us), and each file is reported with the
root it was found under: the given folder resolved (realpath), so `../x` and a
symlink to x are the same root. A file with no extension is a document too (its
reader is chosen by its first bytes). Every other file seen (an unsupported
extension, a FIFO or socket) is reported too, with the reason it is skipped,
so that a run can count it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from indexer.errors import InputError

# The suffixes the readers registry reads (indexer/readers/load.py READERS) and those it counts
# as skipped with a reason (SKIPPED_FORMATS); kept here so walking a folder imports no reader.
DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".doc", ".msg", ".docx", ".odt",
                               ".epub", ".eml", ".mbox", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})


@dataclass(frozen=True)
class Candidate:
    path: Path          # as found (may be under a symlinked folder)
    root: Path          # the indexed root its doc_id is relative to
    explicit: bool      # named on the command line, not found by walking
    skip: str | None = None     # why this file is not read (unsupported type, not a regular file)

    @property
    def rel(self) -> str:
        rel = self.path.name if self.path == self.root else self.path.relative_to(self.root).as_posix()
        return document_id(rel)


# Characters a file name may hold that must not reach a terminal or a one-line message:
# C0/C1 controls (newline, ESC), line and paragraph separators, bidi embeddings and isolates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def document_id(rel: str) -> str:
    """A path relative to its root (as os.fsdecode gives it) -> the document's id: valid UTF-8,
    one printable line, stable across runs, distinct for distinct names.

    Bytes that are not UTF-8 (surrogate escapes) become \\xNN, as do control characters;
    bidi controls become \\uNNNN. Other names are their own id.
    """
    text = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _UNPRINTABLE.sub(_escape, text)


COMPRESSED = ".gz"      # a gzip-compressed document (notes.txt.gz, changelog.gz) is read as what it holds


def type_suffix(name: str) -> str:
    """The file-type extension of a name, lower-cased; "" when it has none ("README") or when
    what follows its last dot is a capitalised word, part of the name rather than a type
    ("README.Debian", "changelog.Debian"; types are written .txt or .TXT)."""
    word = os.path.splitext(name)[1][1:]
    if not word or (word[0].isupper() and not word.isupper()):
        return ""
    return "." + word.lower()


def inner_name(name: str) -> str:
    """The name of what a compressed file holds ("notes.txt.gz" -> "notes.txt"), else the name."""
    return name[: -len(COMPRESSED)] if type_suffix(name) == COMPRESSED else name


def is_document_name(name: str) -> bool:
    """A name the readers take: a document suffix, or none at all (README, a mailbox "Inbox":
    the reader decides by the file's first bytes), also inside .gz ("changelog.gz")."""
    inner = inner_name(name)
    suffix = type_suffix(inner)
    return not name.startswith(".") and (suffix in DOCUMENT_SUFFIXES or not suffix) \
        and not inner.endswith(".meta.json") and bool(inner)


def unsupported(name: str) -> str:
    """Why a file of this name is not read: the walker's reason, and the loader's for a file named
    on its own or a sidecar ("doc.txt.meta.json" is a .json)."""
    inner = inner_name(name)
    suffix = type_suffix(inner) or type_suffix(name)
    expected = ", ".join(sorted(DOCUMENT_SUFFIXES))
    where = f" inside {COMPRESSED}" if inner != name else ""
    return f"unsupported file type {suffix or '(no extension)'}{where}; expected one of {expected} (also compressed as {COMPRESSED})"


def resolved(path: Path) -> Path:
    """A given path as its root is stored: the folder resolved; a file's folder resolved, its own name kept."""
    path = Path(path)
    if path.is_dir():
        return Path(os.path.realpath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def discover(paths: list[Path]) -> Iterator[Candidate]:
    """Files to consider, in a stable order; a path that does not exist is an InputError.

    A file named on the command line is its own root; a folder is walked from its realpath.
    """
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(f"No such file or folder: {path}")
        root = resolved(path)
        if not path.is_dir():
            skip = ("not a regular file" if not path.is_file()
                    else None if is_document_name(path.name) else unsupported(path.name))
            yield Candidate(root, root, explicit=True, skip=skip)
            continue
        seen: set[tuple[int, int]] = set()
        yield from _walk(root, root, seen)


def _walk(folder: Path, root: Path, seen: set[tuple[int, int]]) -> Iterator[Candidate]:
    try:
        st = folder.stat()
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return
    seen.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                yield from _walk(Path(entry.path), root, seen)
            elif entry.is_file():
                if is_document_name(entry.name):
                    yield Candidate(Path(entry.path), root, explicit=False)
                elif not entry.name.lower().endswith(".meta.json"):
                    yield Candidate(Path(entry.path), root, explicit=False, skip=unsupported(entry.name))
            else:
                broken = entry.is_symlink() and not os.path.exists(entry.path)
                yield Candidate(Path(entry.path), root, explicit=False,
                                skip="cannot read: broken symbolic link" if broken else "not a regular file")
        except OSError:
            continue


# Skip reasons -> the kinds the one-line summary counts.
_KINDS = (("unsupported file type", "unsupported type"), ("not a regular file", "not a regular file"),
          ("file too large", "too big"), ("binary", "binary"), ("cannot read", "unreadable"),
          ("undecodable", "undecodable"), ("empty", "empty"), ("no readable text", "empty"),
          ("bad sidecar", "bad sidecar"))


def skip_kind(reason: str) -> str:
    """A skip reason -> its kind for the summary's counts ('unsupported type', 'too big', ...)."""
    for prefix, kind in _KINDS:
        if reason.startswith(prefix):
            return kind
    return reason.split(":")[0].split(" (")[0].split(";")[0][:40] or "other"
