"""Path -> Document: the one entry point that reads a file, whatever its format.

load_document checks the file (type, size, readability), decodes and normalises its
text, hands it to the reader for its format (*_reader.py), builds offset-carrying blocks
and applies a NAME.meta.json sidecar. Every problem with a file's content surfaces as
UnsupportedFileError with a one-line reason, so an indexing run can skip and report it.
learn_boilerplate reads a whole corpus once to find the lines its site repeats.
"""
from __future__ import annotations

import hashlib
import math
import operator
import os
import re
import stat
import sys
import time
from collections import Counter
from itertools import compress
from pathlib import Path
from typing import Callable, Iterable, Sequence

from indexer.document import Block, Document, make_blocks
from indexer.errors import InputError, UnsupportedFileError
from indexer.extracted import Extracted
from indexer.files import document_id
from indexer.html_reader import read_html, strip_tags
from indexer.markdown_reader import read_markdown
from indexer.text_reader import read_plain
from indexer.metadata import (LANGUAGE_SAMPLE, apply_overrides, detect_language, is_sidecar, read_sidecar,
                              sidecar_for)
from indexer.textclean import SPACES, decode, normalize

DEFAULT_MAX_BYTES = 20_000_000
READERS: dict[str, Callable[[str, frozenset[str]], Extracted]] = {
    ".txt": read_plain,
    ".md": lambda text, boilerplate: read_markdown(text),
    ".html": read_html,
    ".htm": read_html,
}
SUPPORTED_SUFFIXES = frozenset(READERS)
MAX_BLOCK_CHARS = 3000          # a longer paragraph (a transcript with no breaks) is cut ...
TARGET_BLOCK_CHARS = 1200       # ... at the first sentence end past this length
MAX_BOILERPLATE_LINE = 100    # menus, site names, short notices; not repeated prose
MAX_HEADING_CHARS = 300         # a longer "heading" (an <h2> around an article) is read as body text
_HAS_LETTER = re.compile(r"[^\W\d_]")
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
) -> Document:
    """Read one file into a Document; raise UnsupportedFileError("<reason>") when it cannot be indexed.

    `boilerplate` holds line keys learned by learn_boilerplate over the same corpus.
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
    extracted = reader(normalize(decode(raw, html=is_html)), boilerplate)
    text, blocks = make_blocks(split_long_parts(extracted.parts))
    if not blocks:
        raise UnsupportedFileError("no readable text in the HTML" if is_html else "empty file (no text after cleaning)")
    doc = Document(
        doc_id=doc_id, path=doc_id, text=text, blocks=blocks,
        sha256=hashlib.sha256(raw).hexdigest(), mtime=info.st_mtime, size=info.st_size,
    )
    fields = dict(extracted.fields)
    if not fields.get("language"):
        fields["language"] = detect_language(_body_sample(blocks))
    doc = apply_overrides(doc, fields)
    sidecar = sidecar_for(path)
    if sidecar is not None:
        doc = apply_overrides(doc, {key: clean_field(value) for key, value in read_sidecar(sidecar).items()})
    return doc


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


def _visible_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """A file's normalised text (tags stripped for HTML), or None when it cannot be read."""
    path = Path(path)
    if not is_supported(path):
        return None
    try:
        raw, _ = read_bytes(path, max_bytes)
        is_html = path.suffix.lower() in (".html", ".htm")
        text = normalize(decode(raw, html=is_html))
    except UnsupportedFileError:
        return None
    if is_html:
        text = normalize(strip_tags(text))
    return text


def learn_boilerplate(paths: Iterable[Path], *, min_docs: int = 3, min_fraction: float = 0.3,
                      procs: int = 1, close_fds: Sequence[int] = ()) -> frozenset[str]:
    """Line keys (chrome.line_key) found in at least max(min_docs, min_fraction * N) of N documents.

    Lines a site repeats on every page (menus, notices, addresses) pass; prose does not,
    and a corpus smaller than `min_docs` learns nothing. Unreadable files are skipped
    here: load_document reports them. procs > 1 reads the files in that many processes
    (see _learn_in_parallel); the keys learned are the same.
    """
    paths = [Path(p) for p in paths]
    if procs > 1 and len(paths) >= PARALLEL_LEARN_FILES:
        counts, n = _learn_in_parallel(paths, procs, min_fraction, close_fds)
    else:
        counts, n = _count_keys(paths)
    threshold = max(min_docs, math.ceil(min_fraction * n))
    return frozenset(key for key, count in counts.items() if count >= threshold and _HAS_LETTER.search(key))


PARALLEL_LEARN_FILES = 200      # fewer files are read faster than processes start
_KEY_PUNCTUATION = re.compile(r"[^\w \n]+")
# chrome.line_key of an ASCII line, a byte at a time: letters lower-cased, digits, spaces and line
# ends kept, everything else (punctuation, "_") a space; runs of spaces are collapsed after.
_KEY_BYTES = bytes(c + 32 if 65 <= c <= 90 else c if chr(c).isalnum() and c < 128 or c in b" \n" else 32
                   for c in range(256))


def _count_keys(paths: list[Path]) -> tuple[Counter, int]:
    """Key -> number of documents with a line of that key (short lines; learn_boilerplate
    keeps only keys with a letter), and the documents read."""
    counts: Counter[str] = Counter()
    n = 0
    for path in paths:
        text = _visible_text(path)
        if text is None:
            continue
        n += 1
        counts.update(_short_line_keys(text))
    return counts, n


def _short_line_keys(text: str) -> set[str]:
    """chrome.line_key of every line of `text` that tidy_line leaves at most MAX_BOILERPLATE_LINE long.

    The whole text is worked on at once (per-line Python calls were most of the cost). A
    line's key does not depend on tidy_line (line_key folds every run of spaces and
    punctuation), so only the lines too long as they stand are tidied, to measure them. The
    key of an ASCII line is a byte translation; other lines (a few percent) take the
    regular-expression route.
    """
    lines = list(map(str.strip, text.split("\n")))
    fits = list(map(MAX_BOILERPLATE_LINE.__ge__, map(len, lines)))
    for i in [i for i, ok in enumerate(fits) if not ok]:
        fits[i] = "  " in lines[i] and len(SPACES.sub(" ", lines[i])) <= MAX_BOILERPLATE_LINE
    short = list(compress(lines, fits))
    joined = "\n".join(short)
    if joined.isascii():
        keyed = joined.encode("ascii").translate(_KEY_BYTES).decode("ascii")
    else:
        plain = list(map(str.isascii, short))
        keyed = "\n".join(compress(short, plain)).encode("ascii").translate(_KEY_BYTES).decode("ascii")
        other = "\n".join(compress(short, map(operator.not_, plain)))
        # [\W_]+ -> " " is "_" -> " ", then other punctuation -> " "; runs of spaces collapse below.
        keyed += "\n" + _KEY_PUNCTUATION.sub(" ", other.lower().replace("_", " "))
    if "  " in keyed:
        keyed = SPACES.sub(" ", keyed)
    return set(map(str.strip, keyed.split("\n")))


def _learn_in_parallel(paths: list[Path], procs: int, min_fraction: float,
                       close_fds: Sequence[int] = ()) -> tuple[Counter, int]:
    """_count_keys over `procs` slices of `paths` at once, returning only what can pass the threshold.

    A key in min_fraction of all N documents is in min_fraction of some slice's
    documents, so each process first offers the keys that pass in its own slice,
    then reports its exact count of every key any process offered: the counts of
    the few keys that can pass, without sending every line of the corpus.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    links, workers = [], []
    try:
        for k in range(procs):
            here, there = ctx.Pipe()
            worker = ctx.Process(target=_learn_worker, args=(there, paths[k::procs], min_fraction,
                                                             os.getpid(), list(close_fds)),
                                 daemon=True, name=f"docsearch-learn-{k}")
            worker.start()
            there.close()
            links.append(here)
            workers.append(worker)
        offers = [_receive(link) for link in links]
        n = sum(count for count, _ in offers)
        candidates = sorted(set().union(*(keys for _, keys in offers)))
        for link in links:
            link.send(candidates)
        counts: Counter[str] = Counter()
        for link in links:
            counts.update(dict(zip(candidates, _receive(link))))
        for worker in workers:
            worker.join()
        return counts, n
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join()


def _receive(link):
    try:
        kind, value = link.recv()
    except EOFError:
        raise RuntimeError("a boilerplate-learning process stopped without an answer") from None
    if kind == "error":
        raise value
    return value


def _learn_worker(link, paths: list[Path], min_fraction: float, parent: int, close_fds: list[int]) -> None:
    """A learning process: it closes the writer's inherited lock descriptors (a lock must go
    with its writer) and exits as soon as its parent is gone (a killed writer leaves no
    process behind)."""
    import threading

    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    try:
        counts, n = _count_keys(paths)
        link.send(("ok", (n, [key for key, count in counts.items()
                              if count >= min_fraction * n and _HAS_LETTER.search(key)])))
        link.send(("ok", [counts.get(key, 0) for key in link.recv()]))
    except BaseException as e:
        try:
            link.send(("error", e))
        except Exception:                   # an exception that does not pickle
            link.send(("error", RuntimeError(f"{type(e).__name__}: {e}")))
    finally:
        link.close()
