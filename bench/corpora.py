"""Load the benchmark collections: judged test collections in, `Collection`s and passages out.

A judged collection is a folder under the corpora root holding `docs.jsonl`, `queries.jsonl`
and `qrels.tsv` (the layout of ../shared/corpora/*/, documented in each SOURCE.md). The UN
General Debate corpus is plain `.txt` files, used only for speed.
"""
from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

# bench/ sits in the repo; the shared corpora sit beside the repo (../shared/corpora).
DEFAULT_CORPORA = Path(
    os.environ.get("DOCSEARCH_CORPORA", Path(__file__).resolve().parents[2] / "shared" / "corpora")
)
UN_TXT = "un-general-debates/TXT"
JUDGED_FILES = ("docs.jsonl", "queries.jsonl", "qrels.tsv")


class Doc(NamedTuple):
    """What every engine indexes: one record, a title field and a text field."""

    id: str
    title: str
    text: str


def _cranfield_level(grade: int) -> float:
    # cranqrel: 1 = complete answer .. 4 = minimum interest; -1 is "no interest".
    return float(5 - grade) if 1 <= grade <= 4 else 0.0


def _binary_level(grade: int) -> float:
    return 1.0 if grade > 0 else 0.0


# qrels grade -> relevance level (0 = not relevant), per collection (see each SOURCE.md);
# any other collection is read as binary.
LEVELS: dict[str, Callable[[int], float]] = {"cranfield": _cranfield_level}


@dataclass(frozen=True)
class Collection:
    name: str
    docs: list[Doc]
    queries: dict[str, str]                   # query id -> natural-language text
    qrels: dict[str, dict[str, float]]        # query id -> {doc id: relevance level > 0}

    @property
    def judged_queries(self) -> list[str]:
        """Queries with at least one relevant document: the ones metrics are averaged over."""
        return [q for q in self.queries if self.qrels.get(q)]


def judged_collections(root: Path = DEFAULT_CORPORA) -> list[str]:
    """Names of the folders under `root` that hold a judged collection, sorted."""
    return sorted(p.name for p in root.iterdir() if all((p / f).is_file() for f in JUDGED_FILES))


def load_collection(name: str, root: Path = DEFAULT_CORPORA, max_docs: int | None = None) -> Collection:
    """Read one judged collection; `max_docs` keeps the first N documents (for smoke runs).

    Judgments for documents that were cut away are dropped with them, so the metrics of a
    smoke run are computed over the documents that were indexed.
    """
    folder = root / name
    missing = [f for f in JUDGED_FILES if not (folder / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} is not a judged collection: missing {', '.join(missing)}")
    docs = []
    with open(folder / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs.append(Doc(str(d["id"]), d.get("title") or "", d.get("text") or ""))
    if max_docs is not None:
        docs = docs[:max_docs]
    kept = {d.id for d in docs}
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        queries = {str(q["id"]): q["text"] for q in map(json.loads, f)}
    level = LEVELS.get(name, _binary_level)
    qrels: dict[str, dict[str, float]] = {}
    with open(folder / "qrels.tsv", encoding="utf-8") as f:
        for line in f:
            qid, did, grade = line.split()
            g = level(int(grade))
            if g > 0 and did in kept:
                qrels.setdefault(qid, {})[did] = g
    return Collection(name, docs, queries, qrels)


def as_stories(coll: Collection, k: int, seed: int = 1) -> Collection:
    """`coll` re-cut into articles of `k` stories each: its documents in random groups (fixed
    seed), each story (title and text) a paragraph, the article without a title; an article
    is as relevant as its most relevant story. Long news articles that cover several
    stories are where a ranking tuned on abstracts can fail (issue 15); this is a check on
    that shape, never a tuning set."""
    docs = list(coll.docs)
    random.Random(seed).shuffle(docs)
    article_of, articles = {}, []
    for n in range(0, len(docs), k):
        aid = f"a{n // k}"
        group = docs[n:n + k]
        for d in group:
            article_of[d.id] = aid
        articles.append(Doc(aid, "", "\n\n".join(f"{d.title}. {d.text}" if d.title else d.text for d in group)))
    qrels: dict[str, dict[str, float]] = {}
    for q, rel in coll.qrels.items():
        for d, level in rel.items():
            a = article_of[d]
            qrels.setdefault(q, {})[a] = max(qrels.get(q, {}).get(a, 0.0), level)
    return Collection(f"{coll.name}-stories{k}", articles, coll.queries, qrels)


def un_files(root: Path = DEFAULT_CORPORA, n: int | None = None) -> list[Path]:
    """The UN debate files, sorted by path; `n` takes an evenly spread, deterministic subset.

    Evenly spread (every k-th file) rather than the first N, so a subset covers all sessions.
    """
    files = sorted((root / UN_TXT).rglob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no .txt files under {root / UN_TXT}")
    if n is None or n >= len(files):
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


def read_text(path: Path) -> str:
    """A UN file's text: UTF-8, BOM dropped, line ends normalised."""
    return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")


_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def paragraphs(text: str, max_chars: int = 1000) -> Iterator[str]:
    """Blank-line paragraphs, the long ones cut at line ends into pieces of about `max_chars`.

    Most UN files keep the PDF's hard line wraps and few blank lines (37,251 blank-line
    paragraphs over 6,366 files, some of 40,000 characters); cutting them keeps a peer's
    passage near a paragraph's size. 1000 gives ~118,000 passages on the whole corpus, near
    the 113,500 the issue reports.
    """
    for para in _BLANK_LINES.split(text):
        piece: list[str] = []
        size = 0
        for line in para.strip().split("\n"):
            if piece and size + len(line) > max_chars:
                yield "\n".join(piece)
                piece, size = [], 0
            piece.append(line)
            size += len(line) + 1
        if piece and any(s.strip() for s in piece):
            yield "\n".join(piece)


def passages(files: list[Path], max_chars: int = 1000) -> Iterator[Doc]:
    """The peers' records for the speed bench: one per paragraph, id `FILE#ORDINAL`."""
    for path in files:
        for i, para in enumerate(paragraphs(read_text(path), max_chars)):
            yield Doc(f"{path.name}#{i}", "", para)


_WORD = re.compile(r"[A-Za-z]+")


def sample_phrases(files: list[Path], n: int, seed: int, stop: frozenset[str],
                   exclude: Iterable[str] = (), sizes: tuple[int, ...] = (2, 3, 4)) -> list[str]:
    """`n` real 2-4 word spans from the files, chosen by a seeded RNG.

    Spans are taken inside one line of letters-only words and hold at least two words that
    are not stop words, so every engine (Whoosh drops stop words) sees a real phrase that
    occurs in the indexed files. Phrases in `exclude` (any case) are not drawn.
    """
    rng = random.Random(seed)
    out: list[str] = []
    seen = {p.lower() for p in exclude}
    while len(out) < n:
        lines = [ln for ln in read_text(rng.choice(files)).split("\n") if len(_WORD.findall(ln)) >= 4]
        if not lines:
            continue
        line = rng.choice(lines)
        # Runs of consecutive letters-only words (no punctuation between them).
        runs = [r.group(0).split() for r in re.finditer(r"[A-Za-z]+(?: [A-Za-z]+)+", line)]
        size = rng.choice(sizes)
        runs = [r for r in runs if len(r) >= size]
        if not runs:
            continue
        run = rng.choice(runs)
        start = rng.randrange(len(run) - size + 1)
        words = run[start:start + size]
        phrase = " ".join(words)
        if sum(w.lower() not in stop for w in words) >= 2 and phrase.lower() not in seen:
            seen.add(phrase.lower())
            out.append(phrase)
    return out


def dir_size(path: Path) -> int:
    """Bytes under `path` (a file or a folder)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

