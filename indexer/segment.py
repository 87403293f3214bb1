"""Document -> Passages a reader can quote.

Paragraph-aware: short blocks merge with their neighbours inside one section,
long blocks split at sentence boundaries, so passages land between `min_chars`
and `max_chars` where the text allows it. A heading opens a new passage and
names the section of every passage below it. Each passage is an exact slice of
the document's clean text: `doc.text[p.start:p.end] == p.text`.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterator

from indexer.document import BLOCK_SEPARATOR, Block, Document, Passage
from indexer.metadata import detect_language
from indexer.store.analysis import CJK_CHARS as _CJK

MIN_CHARS = 300
MAX_CHARS = 1200
TINY_CHARS = 40         # a passage shorter than this (");\n}", "UNCLASSIFIED") joins a neighbour

# A sentence ends at . ! ? (optionally closed by a quote or bracket) before
# whitespace and a capital, digit or opening quote; not after a common
# abbreviation or a single initial ("Mr.", "U.S.", "J. Smith").
_SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["“'‘(\[]?[A-Z0-9\u0080-\uffff])""")
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof st no vol fig inc ltd co corp jr sr gen col lt sgt rev hon art sec
vs etc e.g i.e cf op al jan feb mar apr jun jul aug sep sept oct nov dec
""".split())


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    begin = start
    for m in _SENTENCE_END.finditer(text, start, end):
        word = text[max(begin, m.start() - 12):m.start() + 1].split()[-1].rstrip(".").lower()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or re.fullmatch(r"(?:\w\.)+\w", word):
            continue
        spans.append((begin, m.start() + 1 + len(m.group().rstrip()) - 1))
        begin = m.end()
    if begin < end:
        spans.append((begin, end))
    return [(s, e) for s, e in spans if e > s]


def _hard_split(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut an over-long sentence at whitespace, a line break as well as a space (a list of names, one
    to a line, has no spaces: cut anywhere, it split names in two). A cut never falls inside a word:
    without whitespace in the second half of the span it falls at the last whitespace before the
    cap, else between a word and a mark (a path, a URL), else between two CJK characters (a reader of
    those scripts finds a word in any two of them); a word longer than the cap (a 1,500-digit number,
    a key) stays whole in a passage of its own, since a user who pastes it expects to find it."""
    while end - start > max_chars:
        cut = max(text.rfind(" ", start + max_chars // 2, start + max_chars),
                  text.rfind("\n", start + max_chars // 2, start + max_chars))
        if cut <= start:
            cut = _word_boundary(text, start, start + max_chars, end)
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1              # a run of spaces: none of it ends the piece
        yield start, piece_end
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


_SPACE = re.compile(r"\s")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def _inside_word(text: str, at: int) -> bool:
    """Whether a cut at `at` would fall inside a word: between two letters or digits, unless both
    are CJK characters."""
    a, b = text[at - 1], text[at]
    return a.isalnum() and b.isalnum() and not (_CJK_CHAR.match(a) and _CJK_CHAR.match(b))


def _word_boundary(text: str, start: int, limit: int, end: int) -> int:
    """Where _hard_split cuts [start, end) when no space or line break lies in the second half of
    its first `limit - start` characters: the last whitespace of them, else the last place that is
    not inside a word (from the middle on), else the end of the word that runs over the cap."""
    spaces = [m.start() for m in _SPACE.finditer(text, start + 1, limit + 1)]
    if spaces:
        return spaces[-1]
    for at in range(limit, (start + limit) // 2, -1):
        if not _inside_word(text, at):
            return at
    at = limit
    while at < end and _inside_word(text, at):
        at += 1
    return at


def _split_block(text: str, block: Block, min_chars: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Pack a long block's sentences into spans of at most max_chars."""
    cur_start = cur_end = None
    for s, e in _sentence_spans(text, block.start, block.end):
        for s, e in (_hard_split(text, s, e, max_chars) if e - s > max_chars else [(s, e)]):
            if cur_start is None:
                cur_start, cur_end = s, e
            elif e - cur_start <= max_chars and (cur_end - cur_start < min_chars or e - cur_start <= (min_chars + max_chars) // 2):
                cur_end = e
            else:
                yield cur_start, cur_end
                cur_start, cur_end = s, e
    if cur_start is not None:
        yield cur_start, cur_end


def segment(doc: Document, *, min_chars: int = MIN_CHARS, max_chars: int = MAX_CHARS) -> Iterator[Passage]:
    """Passages in document order; they never overlap and cover every block."""
    if min_chars < 1 or max_chars < min_chars:
        raise ValueError(f"need 1 <= min_chars <= max_chars, got {min_chars}, {max_chars}")
    text = doc.text
    spans: list[tuple[int, int, str | None]] = []   # (start, end, section)
    section: str | None = None
    cur: list[int] | None = None                    # [start, end] of the passage being built

    def flush():
        nonlocal cur
        if cur is not None:
            spans.append((cur[0], cur[1], section))
            cur = None

    for block in doc.blocks:
        if block.heading:
            flush()
            section = block.text
            if block.end - block.start > max_chars:     # split like body text, never over max_chars
                spans.extend((s, e, section) for s, e in _split_block(text, block, min_chars, max_chars))
            else:
                cur = [block.start, block.end]
            continue
        if block.end - block.start > max_chars:
            pieces = list(_split_block(text, block, min_chars, max_chars))
            if cur is not None and pieces and pieces[0][1] - cur[0] <= max_chars:
                cur[1] = pieces[0][1]          # a heading or short lead-in joins the first piece
                pieces = pieces[1:]
            flush()
            for s, e in pieces:
                spans.append((s, e, section))
            continue
        if cur is None:
            cur = [block.start, block.end]
        elif block.end - cur[0] <= max_chars and cur[1] - cur[0] < min_chars:
            cur[1] = block.end
        else:
            flush()
            cur = [block.start, block.end]
    flush()
    spans = _merge_tiny(_merge_short_tails(spans, min_chars, max_chars), min(TINY_CHARS, min_chars), max_chars)
    pages = _PageOf(doc)
    quoted = [(b.start, b.end) for b in doc.blocks if b.quoted]
    for ordinal, (s, e, sec) in enumerate(spans):
        passage_text = text[s:e]
        first, last = pages.span(s, e)
        yield Passage(doc.doc_id, ordinal, passage_text, s, e, sec, detect_language(passage_text),
                      first, last, pages.label(first), _quoted_within(quoted, s, e) if quoted else ())


def _quoted_within(quoted: list[tuple[int, int]], start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The quoted blocks' text within [start, end), as spans relative to start; spans that only
    the separator between two blocks keeps apart are one."""
    out: list[list[int]] = []
    for s, e in quoted[max(0, bisect_right(quoted, (start, start)) - 1):]:
        if s >= end:
            break
        s, e = max(s, start) - start, min(e, end) - start
        if e <= s:
            continue
        if out and s - out[-1][1] <= len(BLOCK_SEPARATOR):
            out[-1][1] = e
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out)


class _PageOf:
    """The pages a span of the clean text stands on, from the blocks it overlaps.

    A passage that crosses a page break gets page < page_end, so a citation never
    names only the page it starts on without saying it runs on.
    """

    def __init__(self, doc: Document):
        self.blocks = [b for b in doc.blocks if b.page]
        self.starts = [b.start for b in self.blocks]
        self.labels = doc.page_labels

    def span(self, start: int, end: int) -> tuple[int, int]:
        if not self.blocks:
            return 0, 0
        i = max(0, bisect_right(self.starts, start) - 1)
        if self.blocks[i].end <= start and i + 1 < len(self.blocks):
            i += 1                                  # the span starts in the gap after block i
        j = max(i, bisect_right(self.starts, end - 1) - 1)
        return self.blocks[i].page, max(self.blocks[i].page, self.blocks[j].page_end)

    def label(self, page: int) -> str | None:
        if 0 < page <= len(self.labels) and self.labels[page - 1]:
            return self.labels[page - 1]
        return None


def _merge_short_tails(spans, min_chars, max_chars):
    """A short last passage of a section joins the one before it when both fit."""
    merged: list[tuple[int, int, str | None]] = []
    for s, e, sec in spans:
        if merged:
            ps, pe, psec = merged[-1]
            if psec == sec and e - s < min_chars and e - ps <= max_chars:
                merged[-1] = (ps, e, sec)
                continue
        merged.append((s, e, sec))
    return merged


def _merge_tiny(spans, tiny, max_chars):
    """A fragment of fewer than `tiny` characters joins its neighbour, so that no passage is a few
    stray characters: the one before it in its section, else the one after it (whose section it
    takes: a file number above a title joins the title's passage), else the one before it in
    another section; only when the joined passage stays within max_chars."""
    out = list(spans)
    i = 0
    while i < len(out):
        s, e, sec = out[i]
        if e - s >= tiny or len(out) == 1:
            i += 1
            continue
        before = out[i - 1] if i else None
        after = out[i + 1] if i + 1 < len(out) else None
        if before and before[2] == sec and e - before[0] <= max_chars:
            out[i - 1:i + 1] = [(before[0], e, before[2])]
            i -= 1
        elif after and after[1] - s <= max_chars:
            out[i:i + 2] = [(s, after[1], after[2])]
        elif before and e - before[0] <= max_chars:
            out[i - 1:i + 1] = [(before[0], e, before[2])]
            i -= 1
        else:
            i += 1
    return out
