"""Path -> Document: the one entry point that reads a file, whatever its format.

load_document checks the file (type, size, readability), decodes and normalises its
text, hands it to the reader for its format (*_reader.py), builds offset-carrying blocks
and applies a NAME.meta.json sidecar. Every problem with a file's content surfaces as
UnsupportedFileError with a one-line reason, so an indexing run can skip and report it.
"""
from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path
from typing import Callable

from indexer.document import Block, Document, Removed, make_blocks
from indexer.errors import InputError, UnsupportedFileError
from indexer.readers.extracted import Extracted
from indexer.files import document_id
from indexer.readers.html import read_html
from indexer.readers.markdown import read_markdown
from indexer.readers.text import read_plain
from indexer.metadata import (LANGUAGE_SAMPLE, apply_overrides, detect_language, is_sidecar, read_sidecar,
                              sidecar_for)
from indexer.clean.normalize import decode, normalize

DEFAULT_MAX_BYTES = 20_000_000
READERS: dict[str, Callable[[str, frozenset[str]], Extracted]] = {
    ".txt": read_plain,
    ".md": lambda text, boilerplate: read_markdown(text),
    ".markdown": lambda text, boilerplate: read_markdown(text),
    ".html": read_html,
    ".htm": read_html,
}
SUPPORTED_SUFFIXES = frozenset(READERS)
MAX_BLOCK_CHARS = 3000          # a longer paragraph (a transcript with no breaks) is cut ...
TARGET_BLOCK_CHARS = 1200       # ... at the first sentence end past this length
MAX_HEADING_CHARS = 300         # a longer "heading" (an <h2> around an article) is read as body text
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def is_supported(path: Path) -> bool:
    """Whether load_document will try this path (sidecars and other types are not documents)."""
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES and not is_sidecar(Path(path))


def load_document(
    path: Path,
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    boilerplate: frozenset[str] = frozenset(),
    keep_all: bool = False,
) -> Document:
    """Read one file into a Document; raise UnsupportedFileError("<reason>") when it cannot be indexed.

    `boilerplate` holds line keys learned by learn_boilerplate over the same corpus; only
    those the file itself holds are used (so a file reads the same whatever else the corpus
    holds, as long as its own boilerplate lines are still boilerplate: Document.boilerplate).
    What the reader leaves out is recorded in Document.removed with its reason; keep_all
    puts it back where it stood instead.
    """
    path, root = Path(path), Path(root)
    doc_id = relative_id(path, root)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None or is_sidecar(path):
        raise UnsupportedFileError(f"unsupported file type {suffix or '(no extension)'}; "
                                   "expected .txt, .md, .html or .htm")
    raw, info = read_bytes(path, max_bytes)
    is_html = suffix in (".html", ".htm")
    decoded = normalize(decode(raw, html=is_html))
    own = file_boilerplate(decoded, is_html, boilerplate) if boilerplate and not keep_all else frozenset()
    extracted = reader(decoded, own)
    if extracted.fields.get("redirect"):
        raise UnsupportedFileError(f"a redirect stub (to {extracted.fields['redirect']}), not a document")
    parts = restore_removed(extracted) if keep_all else extracted.parts
    text, blocks = make_blocks(split_long_parts(parts))
    if not blocks:
        raise UnsupportedFileError("no readable text in the HTML" if is_html else "empty file (no text after cleaning)")
    doc = Document(
        doc_id=doc_id, path=doc_id, text=text, blocks=blocks,
        sha256=hashlib.sha256(raw).hexdigest(), mtime=info.st_mtime, size=info.st_size,
        removed=() if keep_all else tuple(Removed(t, r) for _, t, r in extracted.removed),
        boilerplate="keep-all" if keep_all else boilerplate_fingerprint(own),
    )
    fields = {k: v for k, v in extracted.fields.items() if k != "redirect"}
    if not fields.get("language"):
        fields["language"] = detect_language(_body_sample(blocks))
    doc = apply_overrides(doc, fields)
    sidecar = sidecar_for(path)
    if sidecar is not None:
        doc = apply_overrides(doc, {key: clean_field(value) for key, value in read_sidecar(sidecar).items()})
    return doc


def restore_removed(extracted: Extracted) -> list[tuple[str, int]]:
    """The reader's parts with every removed line put back as body text where it stood (--keep-all)."""
    by_position: dict[int, list[str]] = {}
    for at, text, _ in extracted.removed:
        by_position.setdefault(at, []).append(text)
    parts: list[tuple[str, int]] = []
    for i, part in enumerate(extracted.parts):
        parts.extend((text, 0) for text in by_position.pop(i, []))
        parts.append(part)
    for at in sorted(by_position):
        parts.extend((text, 0) for text in by_position[at])
    return parts


def file_boilerplate(text: str, is_html: bool, boilerplate: frozenset[str]) -> frozenset[str]:
    """The learned boilerplate keys this file's own lines have (the keys learn_boilerplate counted)."""
    from indexer.readers.boilerplate import line_keys

    return frozenset(line_keys(text, is_html) & boilerplate)


def boilerplate_fingerprint(keys: frozenset[str]) -> str:
    """A short stable name for a file's set of boilerplate keys ("" for none)."""
    if not keys:
        return ""
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()[:16]


def _body_sample(blocks: tuple[Block, ...]) -> str:
    """The first LANGUAGE_SAMPLE characters of the body blocks joined by spaces (not the whole text)."""
    texts: list[str] = []
    size = -1
    for block in blocks:
        if not block.heading:
            texts.append(block.text)
            size += 1 + len(block.text)
            if size >= LANGUAGE_SAMPLE:
                break
    return " ".join(texts)[:LANGUAGE_SAMPLE]


def clean_field(value: str) -> str:
    """A metadata value from JSON, made like the document's own text and one line: no control
    characters (an escape sequence in a title), no lone surrogates ("\\ud800" is valid JSON but
    cannot be stored as UTF-8), runs of whitespace as one space."""
    return " ".join(normalize(_SURROGATE.sub("", value)).split())


def relative_id(path: Path, root: Path) -> str:
    """The posix path of `path` under `root`, as files.document_id spells it (printable, one
    line, the same id discover() gives the file); a file given as its own root is known by its name."""
    if path == root or root.is_file():
        return document_id(path.name)
    try:
        return document_id(path.relative_to(root).as_posix())
    except ValueError:
        pass
    try:
        return document_id(path.resolve().relative_to(root.resolve()).as_posix())
    except (ValueError, OSError) as e:
        raise InputError(f"{path} is not inside {root}; pass the folder that contains it") from e


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, object]:
    """The file's bytes and stat, refusing non-files, empty files and files over `max_bytes`.

    Size is checked on stat, before reading, so a huge file costs nothing.
    """
    try:
        info = path.stat()
    except OSError as e:
        raise UnsupportedFileError(f"cannot read: {e.strerror or e}") from e
    if not stat.S_ISREG(info.st_mode):
        raise UnsupportedFileError("not a regular file")
    if info.st_size == 0:
        raise UnsupportedFileError("empty file (0 bytes)")
    if info.st_size > max_bytes:
        raise UnsupportedFileError(f"file too large ({info.st_size:,} bytes; limit {max_bytes:,})")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UnsupportedFileError(f"cannot read: {e.strerror or e}") from e
    if not raw:
        raise UnsupportedFileError("empty file (0 bytes)")
    return raw, info


def split_long_parts(parts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Cut body parts longer than MAX_BLOCK_CHARS at sentence ends into ~TARGET_BLOCK_CHARS blocks.

    A heading longer than MAX_HEADING_CHARS is body text: the segmenter never splits a heading,
    so it would become one passage longer than any passage may be.
    """
    out: list[tuple[str, int]] = []
    for text, level in parts:
        if level and len(text) > MAX_HEADING_CHARS:
            level = 0
        if level or len(text) <= MAX_BLOCK_CHARS:
            out.append((text, level))
        else:
            out.extend((piece, 0) for piece in split_long(text))
    return out


def split_long(text: str, target: int = TARGET_BLOCK_CHARS) -> list[str]:
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() - start >= target:
            pieces.append(text[start:m.end()].strip())
            start = m.end()
    tail = text[start:].strip()
    if tail:
        if pieces and len(tail) < target // 4:
            pieces[-1] = f"{pieces[-1]} {tail}"
        else:
            pieces.append(tail)
    return pieces
