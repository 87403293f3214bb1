"""A corpus -> the lines its site repeats on every page (menus, notices, addresses).

learn_boilerplate reads every file's visible text once, before the documents are
read, and returns the keys (chrome.line_key) of the short lines found in a large share
of them; the readers drop lines with those keys. It runs in the indexer's processes
when the corpus is large; the keys learned are the same.
"""
from __future__ import annotations

import math
import operator
import os
import re
import sys
import time
from collections import Counter
from itertools import compress
from pathlib import Path
from typing import Iterable, Sequence

from indexer.errors import UnsupportedFileError
from indexer.workers import ignore_ctrl_c, start_worker
from indexer.clean.normalize import SPACES, decode, normalize
from indexer.readers.html import strip_tags
from indexer.files import type_suffix
from indexer.readers.load import DEFAULT_MAX_BYTES, READERS, is_supported, read_bytes

MAX_BOILERPLATE_LINE = 100    # menus, site names, short notices; not repeated prose
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _visible_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """A file's normalised text (tags stripped for HTML), or None when it cannot be read."""
    path = Path(path)
    if not is_supported(path) or READERS[type_suffix(path.name)].binary:
        return None             # PDFs, office files, mail, images: their readers use no boilerplate
    try:
        raw, _ = read_bytes(path, max_bytes)
        is_html = path.suffix.lower() in (".html", ".htm")
        text = normalize(decode(raw, html=is_html))
    except UnsupportedFileError:
        return None
    if is_html:
        text = normalize(strip_tags(text))
    return text


def line_keys(text: str, is_html: bool) -> set[str]:
    """The keys learn_boilerplate counts for a file whose normalised text is `text`."""
    if is_html:
        text = normalize(strip_tags(text))
    return _short_line_keys(text)


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
            start_worker(worker)
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

    ignore_ctrl_c()
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
