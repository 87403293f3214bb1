"""Path -> Document: the one entry point that reads a file, whatever its format.

load_document checks the file (type, size, readability), picks the reader for its
format (READERS, by suffix, corrected by the file's first bytes: a PDF named .txt is
read as a PDF; a file with no extension by its first bytes alone; a .gz by what it
holds), lets it extract parts and fields (text readers get decoded, normalised text;
binary readers the bytes), builds offset-carrying blocks and applies a
NAME.meta.json sidecar. Every problem with a file's content surfaces as
UnsupportedFileError with a one-line reason, so an indexing run can skip and report it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from indexer.document import Block, Document, Removed, make_blocks
from indexer.errors import InputError, UnsupportedFileError
from indexer.readers.container import ZIP_MAGIC, zip_format
from indexer.readers.extracted import Extracted, ReadOptions
from indexer.readers.filebytes import (IMAGE_MAGIC, MAGIC, SNIFF_BYTES, DEFAULT_MAX_BYTES, file_sha256,
                                       read_bytes, read_gzip, unnamed_format)
from indexer.files import COMPRESSED, document_id, inner_name, type_suffix, unsupported
from indexer.readers.html import read_html
from indexer.readers.markdown import read_markdown
from indexer.readers.text import read_plain
from indexer.metadata import (LANGUAGE_SAMPLE, apply_overrides, detect_language, is_sidecar, read_sidecar,
                              sidecar_for)
from indexer.clean.normalize import decode, normalize


@dataclass(frozen=True)
class Reader:
    """One format: its `type` (stored, filterable as type:pdf) and how to read it.

    A text reader gets the decoded, normalised text and the corpus's boilerplate lines;
    a binary reader (binary=True) gets the raw bytes and ReadOptions, and is named by
    "module:function" so that its library (PDFium, python-docx...) is imported only when
    a file of its kind is read. A streaming reader (`stream`, a mailbox) reads the file
    itself, a document at a time: the file has no size limit, each document has max_bytes.
    """

    type: str
    read: Callable | str
    binary: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES     # the size limit when the user gives none (--max-bytes)
    stream: str | None = None   # "module:function"(path, max_bytes) -> Extracted or None per document

    def extract(self, raw: bytes, boilerplate: frozenset[str], options: ReadOptions) -> Extracted:
        if not self.binary:
            return self.read(normalize(decode(raw, html=self.type == "html")), boilerplate)
        module, _, name = self.read.partition(":")
        import importlib

        read = getattr(importlib.import_module(module), name)
        try:
            extracted = read(raw, options)
        except UnsupportedFileError:
            raise
        except RecursionError as e:
            raise UnsupportedFileError(f"damaged {self.type.upper()} file (nested too deeply to read)") from e
        except Exception as e:
            # A library's own error on a file it cannot parse (python-docx, PDFium, lxml, email raise
            # many kinds): one file is skipped with the reason, never a run stopped by a traceback.
            message = " ".join(str(e).split())[:200]
            raise UnsupportedFileError(f"damaged {self.type.upper()} file ({type(e).__name__}: {message})") from e
        extracted.parts = [(normalize(text), *rest) for text, *rest in extracted.parts]
        return extracted


READERS: dict[str, Reader] = {
    ".txt": Reader("text", read_plain),
    ".md": Reader("markdown", lambda text, boilerplate: read_markdown(text)),
    ".markdown": Reader("markdown", lambda text, boilerplate: read_markdown(text)),
    ".html": Reader("html", read_html),
    ".htm": Reader("html", read_html),
    # Binary formats are larger for the same text (fonts, images, compression): a scanned report
    # is often 50-100 MB. Their readers keep only the text. A mailbox file is streamed (no limit);
    # its limit is each message's, as an .eml's.
    ".pdf": Reader("pdf", "indexer.readers.pdf:read_pdf", binary=True, max_bytes=200_000_000),
    ".docx": Reader("docx", "indexer.readers.office:read_docx", binary=True, max_bytes=100_000_000),
    ".odt": Reader("odt", "indexer.readers.office:read_odt", binary=True, max_bytes=100_000_000),
    ".epub": Reader("epub", "indexer.readers.epub:read_epub", binary=True, max_bytes=100_000_000),
    **{suffix: Reader("image", "indexer.readers.ocr:read_image", binary=True, max_bytes=50_000_000)
       for suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff")},
    ".eml": Reader("email", "indexer.readers.mail:read_eml", binary=True, max_bytes=50_000_000),
    ".msg": Reader("email", "indexer.readers.outlook:read_msg", binary=True, max_bytes=50_000_000),
    ".mbox": Reader("email", "indexer.readers.mbox:read_mbox", binary=True, max_bytes=50_000_000,
                    stream="indexer.readers.mbox:iter_mbox"),
}
_ZIP_SUFFIXES = (".docx", ".odt", ".epub")
_MAGIC_SUFFIXES = frozenset({suffix for _, suffix in MAGIC} | set(_ZIP_SUFFIXES))   # formats whose bytes tell
# Suffixes that are documents we do not read: counted as skipped, with the reason.
SKIPPED_FORMATS = {
    ".doc": "legacy Word .doc is not read (no well-kept Python reader); save it as .docx or PDF",
}
SUPPORTED_SUFFIXES = frozenset(READERS)
MAX_BLOCK_CHARS = 3000          # a longer paragraph (a transcript with no breaks) is cut ...
TARGET_BLOCK_CHARS = 1200       # ... at the first sentence end past this length
MAX_HEADING_CHARS = 300         # a longer "heading" (an <h2> around an article) is read as body text
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def is_supported(path: Path) -> bool:
    """Whether the path's extension names a reader (sidecars are not documents). load_document
    also reads a name with no extension (by content) and a .gz (as what it holds)."""
    return type_suffix(Path(path).name) in SUPPORTED_SUFFIXES and not is_sidecar(Path(path))


def load_document(
    path: Path,
    root: Path,
    *,
    max_bytes: int | None = None,
    boilerplate: frozenset[str] = frozenset(),
    options: ReadOptions = ReadOptions(),
    keep_all: bool = False,
) -> Document:
    """Read one file into a Document; raise UnsupportedFileError("<reason>") when it cannot be indexed.

    `boilerplate` holds line keys learned by learn_boilerplate over the same corpus. A file
    that holds several documents (a mailbox, a message with attachments) gives its first;
    load_documents gives them all.
    """
    docs = iter_documents(path, root, max_bytes=max_bytes, boilerplate=boilerplate, options=options,
                          keep_all=keep_all)
    try:
        return next(docs)       # (the rest of a mailbox is not read)
    finally:
        docs.close()


def load_documents(
    path: Path,
    root: Path,
    *,
    max_bytes: int | None = None,
    boilerplate: frozenset[str] = frozenset(),
    options: ReadOptions = ReadOptions(),
    keep_all: bool = False,
) -> list[Document]:
    """Every document one file holds, as a list (iter_documents gives them one at a time)."""
    return list(iter_documents(path, root, max_bytes=max_bytes, boilerplate=boilerplate, options=options,
                               keep_all=keep_all))


def iter_documents(
    path: Path,
    root: Path,
    *,
    max_bytes: int | None = None,
    boilerplate: frozenset[str] = frozenset(),
    options: ReadOptions = ReadOptions(),
    keep_all: bool = False,
) -> Iterator[Document]:
    """Every document one file holds: itself, or each message of a mailbox, then the attachments
    in a format we read. Those inside the file are named DOC_ID::N (the Nth message) or
    DOC_ID::FILE NAME (an attachment), share the file's path and hash, and carry
    `container` (the file's id) so that the index replaces and removes them with the file.
    A mailbox is read as it is consumed (Reader.stream): memory holds one message.
    An UnsupportedFileError for the file comes before its first document.
    max_bytes: the size limit; None: the format's own (Reader.max_bytes); a mailbox's messages'.
    `boilerplate`: only the keys the file itself holds are used (so a file reads the same
    whatever else the corpus holds, as long as its own boilerplate lines are still
    boilerplate: Document.boilerplate). What a reader leaves out is recorded in
    Document.removed with its reason; keep_all puts it back where it stood instead.
    """
    path, root = Path(path), Path(root)
    doc_id = relative_id(path, root)
    compressed = type_suffix(path.name) == COMPRESSED
    read = read_gzip if compressed else read_bytes
    named = suffix = type_suffix(inner_name(path.name))
    if not named and not is_sidecar(path):
        suffix = unnamed_format(read(path, None, head=SNIFF_BYTES)[0])
    if suffix in SKIPPED_FORMATS:
        raise UnsupportedFileError(SKIPPED_FORMATS[suffix])
    if suffix not in READERS or is_sidecar(path):
        raise UnsupportedFileError(unsupported(path.name))
    reader = READERS[suffix]
    sidecar = sidecar_for(path)
    user = {key: clean_field(value) for key, value in read_sidecar(sidecar).items()} if sidecar else {}
    if reader.stream and not compressed:
        head, info = read_bytes(path, None, head=1024)
        if not head.startswith(ZIP_MAGIC) and sniff(head, suffix) == suffix:
            yield from _streamed(path, doc_id, reader, info, user, max_bytes, boilerplate, options, keep_all)
            return
    stored = hashlib.sha256() if compressed else None       # (the file's hash, as the index compares)
    raw, info = read(path, max_bytes or reader.max_bytes, **({"digest": stored} if compressed else {}))
    reader = READERS[sniff(raw, suffix if named else "")]
    own = frozenset()
    if boilerplate and not keep_all and not reader.binary and named and not compressed:   # (learned on those only)
        is_html = reader.type == "html"
        own = file_boilerplate(normalize(decode(raw, html=is_html)), is_html, boilerplate)
    extracted = reader.extract(raw, own, options)
    if extracted.fields.get("redirect"):
        raise UnsupportedFileError(f"a redirect stub (to {extracted.fields['redirect']}), not a document")
    sha256 = (stored or hashlib.sha256(raw)).hexdigest()
    base = Document(doc_id=doc_id, path=doc_id, text="", blocks=(), sha256=sha256,
                    mtime=info.st_mtime, size=info.st_size, type=reader.type,
                    boilerplate="keep-all" if keep_all else boilerplate_fingerprint(own))
    if extracted.messages:
        found = False
        for n, message in enumerate(extracted.messages, 1):
            try:
                docs = _with_attachments(message, replace(base, doc_id=f"{doc_id}::{n}", container=doc_id),
                                         reader.type, user, boilerplate, options, keep_all=keep_all)
            except UnsupportedFileError:
                continue                # an empty message in a mailbox: nothing to index, not an error
            found = True
            yield from docs
        if not found:
            raise UnsupportedFileError(_empty_reason(reader.type, extracted))
        return
    yield from _with_attachments(extracted, base, reader.type, user, boilerplate, options, keep_all=keep_all)


def _streamed(path: Path, doc_id: str, reader: Reader, info, user: dict, max_bytes: int | None, boilerplate,
              options: ReadOptions, keep_all: bool) -> Iterator[Document]:
    """The documents of a file its reader streams (a mailbox): each message as it is read."""
    import importlib

    module, _, name = reader.stream.partition(":")
    stream = getattr(importlib.import_module(module), name)
    base = Document(doc_id=doc_id, path=doc_id, text="", blocks=(), sha256=file_sha256(path),
                    mtime=info.st_mtime, size=info.st_size, type=reader.type,
                    boilerplate="keep-all" if keep_all else "")
    found = False
    for n, message in enumerate(stream(path, max_bytes or reader.max_bytes), 1):
        if message is None:
            continue                    # skipped by the reader, which says why
        message.parts = [(normalize(text), *rest) for text, *rest in message.parts]
        try:
            docs = _with_attachments(message, replace(base, doc_id=f"{doc_id}::{n}", container=doc_id,
                                                       read_to=message.read_to),
                                     reader.type, user, boilerplate, options, keep_all=keep_all)
        except UnsupportedFileError:
            continue                    # an empty message: nothing to index, not an error
        found = True
        yield from docs
    if not found:
        raise UnsupportedFileError(f"no text in the {reader.type.upper()} file (no message with text)")


def reader_bytes(path: Path, max_bytes: int | None = None) -> int:
    """About the memory reading `path` takes, for the indexer's --memory-mb: a file read whole is
    held as bytes and as the text made of them (twice its size, within its limit); a streamed
    one (a mailbox) a message at a time (at most the message limit). The libraries' own working
    memory (PDFium, an unzipped container) is not counted."""
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    compressed = type_suffix(path.name) == COMPRESSED
    reader = READERS.get(type_suffix(inner_name(path.name)) or ".txt")   # (no extension: as text, at most)
    if reader is None:
        return 0
    limit = max_bytes or reader.max_bytes
    if compressed:          # held whole once decompressed: text packs about 4:1, at most the limit
        return 2 * min(4 * size, limit)
    return min(size, limit) if reader.stream else 2 * min(size, limit)


def _with_attachments(extracted: Extracted, base: Document, kind: str, user: dict, boilerplate, options,
                      depth: int = 0, keep_all: bool = False) -> list[Document]:
    """The document `extracted` holds, then those of its attachments that we read (an attachment
    we cannot read is listed on its message, never an error for the message)."""
    doc = _document(extracted, base, kind, user, keep_all)
    docs = [doc]
    container = base.container or base.doc_id
    taken: set[str] = set()
    for name, data in extracted.attachments:
        stem, suffix = Path(name).stem, Path(name).suffix.lower()
        unique, n = name, 1
        while unique in taken:                  # two attachments of one name: report.pdf, report-2.pdf
            n += 1
            unique = f"{stem}-{n}{Path(name).suffix}"
        taken.add(unique)
        name = unique
        if suffix not in READERS or depth >= 3:
            continue
        try:
            reader = READERS[sniff(data, suffix)]
            inner = reader.extract(data, boilerplate, options)
            child = replace(base, doc_id=f"{doc.doc_id}::{name}", container=container, type=reader.type,
                            size=len(data), meta={"attachment_of": doc.doc_id})
            docs += _with_attachments(inner, child, reader.type, user, boilerplate, options, depth + 1, keep_all)
        except UnsupportedFileError:
            continue
    return docs


def _document(extracted: Extracted, base: Document, kind: str, user: dict, keep_all: bool = False) -> Document:
    parts = restore_removed(extracted) if keep_all else extracted.parts
    text, blocks = make_blocks(split_long_parts(parts))
    if not blocks:
        raise UnsupportedFileError(_empty_reason(kind, extracted))
    doc = replace(base, text=text, blocks=blocks, page_labels=tuple(extracted.page_labels),
                  removed=() if keep_all else tuple(Removed(t, r) for _, t, r in extracted.removed))
    fields = {k: v for k, v in extracted.fields.items() if k != "redirect"}
    if not fields.get("language"):
        fields["language"] = detect_language(_body_sample(blocks))
    doc = apply_overrides(doc, fields)
    if user:
        doc = apply_overrides(doc, user)
    return doc


def restore_removed(extracted: Extracted) -> list[tuple[str, int]]:
    """The reader's parts with every removed line put back as body text where it stood (--keep-all)."""
    by_position: dict[int, list[str]] = {}
    for at, text, _ in extracted.removed:
        by_position.setdefault(at, []).append(text)
    parts: list[tuple] = []

    def body(text: str, near: tuple | None) -> tuple:
        # On a paged format a line put back stands on the page of the part it stood next to.
        return (text, 0) if near is None or len(near) < 4 else (text, 0, near[2], near[2])

    for i, part in enumerate(extracted.parts):
        parts.extend(body(text, part) for text in by_position.pop(i, []))
        parts.append(part)
    last = extracted.parts[-1] if extracted.parts else None
    for at in sorted(by_position):
        parts.extend(body(text, last) for text in by_position[at])
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


def sniff(raw: bytes, suffix: str) -> str:
    """The READERS key for these bytes: the suffix, unless the first bytes name another format
    ("" for a file with no extension: unnamed_format decides)."""
    head = raw[:1024].lstrip()
    for magic, format_suffix in MAGIC:
        if head.startswith(magic):
            return format_suffix
    if raw.startswith(ZIP_MAGIC):
        found = zip_format(raw)
        if found in READERS:
            return found
        if suffix in _ZIP_SUFFIXES:
            return suffix                   # the reader says what is wrong with the container
        if not suffix:
            raise UnsupportedFileError("unsupported file type: a ZIP archive with no extension that is not "
                                       "a Word, OpenDocument or EPUB file (archives are not opened)")
    if not suffix:
        return unnamed_format(raw)
    if READERS[suffix].type == "image" and not raw.startswith(IMAGE_MAGIC):
        raise UnsupportedFileError(f"not a {suffix[1:].upper()} image (damaged or misnamed)")
    if suffix in _MAGIC_SUFFIXES:
        raise UnsupportedFileError(f"not a {suffix[1:].upper()} file (its first bytes "
                                   f"are not what a {suffix} file starts with); damaged or misnamed")
    return suffix


def _empty_reason(kind: str, extracted: Extracted) -> str:
    if extracted.notes:
        return "; ".join(extracted.notes)
    if kind == "html":
        return "no readable text in the HTML"
    if kind in ("text", "markdown"):
        return "empty file (no text after cleaning)"
    return f"no text in the {kind.upper()} file"


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


def split_long_parts(parts: list[tuple]) -> list[tuple]:
    """Cut body parts longer than MAX_BLOCK_CHARS at sentence ends into ~TARGET_BLOCK_CHARS blocks.

    A heading longer than MAX_HEADING_CHARS is body text: the segmenter never splits a heading,
    so it would become one passage longer than any passage may be.
    """
    out: list[tuple] = []
    for text, level, *page in parts:
        if level and len(text) > MAX_HEADING_CHARS:
            level = 0
        if level or len(text) <= MAX_BLOCK_CHARS:
            out.append((text, level, *page))
        else:
            out.extend((piece, 0, *page) for piece in split_long(text))
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
