"""Phrase-aware highlighting: a passage's text and a MatchSpec -> a Snippet.

In: the passage text and the MatchSpec of the query that found it (search/query/match.py).
Out: a Snippet of at most `size` characters around the best-matching region, cut at
word boundaries with "…" where text was cut, whitespace runs collapsed to one space,
and (start, end) highlights into Snippet.text that cover exactly what matched: any
inflected form of a stemmed term, exact, prefix and fuzzy terms (within Levenshtein
distance, as Whoosh's fuzzy search counts it), and a phrase's words only where the
whole phrase stands (one span when its words are adjacent). Tokens
come from indexer.store.analysis, so a highlight lands on the characters that produced the
matching index term (for Hangul and other CJK text: the matched characters, not the
whole eojeol).

How a passage is read, fastest first (each is tested against reading every token): an
ASCII passage only in the chunks where a piece of a query's word occurs
(scan.py: collect_anchored); other text without CJK chunk by chunk (scan.py:
collect_chunks); CJK text, and queries with prefixes, fuzzy terms or sloppy phrases,
token by token (matching.py: collect). snippets.py chooses and cuts the window.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Sequence

from indexer.store.analysis import Token
from search.present.matching import SPACES, merge, single_spaced
from search.present.scan import find_occurrences
from search.query.match import MatchSpec


__all__ = ["Snippet", "find_matches", "make_snippet"]

ELLIPSIS = "…"
ANSI_MARK = "\x1b[1;33m"       # bold yellow
ANSI_RESET = "\x1b[0m"

# What a document must not send to a terminal: ESC sequences (CSI, and OSC/DCS/APC/PM/SOS
# strings when terminated), their 8-bit C1 forms, and any other C0/C1 control or DEL.
_UNSAFE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]P_^X][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)"
    r"|[\x00-\x1f\x7f-\x9f]"
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“‘(\[]?[^\W_a-z])")
_LEAD_SKIP = frozenset(" \t\n\r\f\v,;:.!?)]}”’-–—")     # not worth starting a snippet with
_TAIL_SKIP = frozenset(" \t\n\r\f\v,;:([{“‘-–—")         # not worth ending one with
_SNAP_LIMIT = 20          # a "word" longer than this (URL, unspaced CJK) may be cut inside


@dataclass(frozen=True)
class Snippet:
    """An excerpt of a passage with the spans that matched the query."""

    text: str                                   # the excerpt, with "…" where text was cut
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) into text, sorted, non-overlapping

    def __post_init__(self):
        spans = tuple((int(s), int(e)) for s, e in self.highlights)
        last = 0
        for s, e in spans:
            if not last <= s < e <= len(self.text):
                raise ValueError(f"highlights must be sorted, non-overlapping, non-empty spans "
                                 f"within the text (length {len(self.text)}); got {spans}")
            last = e
        object.__setattr__(self, "highlights", spans)

    def _segments(self):
        """(piece, marked) in text order, pieces made safe for display."""
        pos = 0
        for s, e in self.highlights:
            if s > pos:
                yield _safe(self.text[pos:s]), False
            yield _safe(self.text[s:e]), True
            pos = e
        if pos < len(self.text):
            yield _safe(self.text[pos:]), False

    def to_html(self) -> str:
        """HTML-escaped text with matches in <mark>; control characters dropped."""
        return "".join(f"<mark>{html.escape(p)}</mark>" if marked else html.escape(p)
                       for p, marked in self._segments())

    def to_ansi(self, color: bool = True) -> str:
        """Text for a terminal, matches in bold yellow (plain with color=False).

        Control characters and escape sequences from the document are always removed, so
        a document cannot drive the terminal.
        """
        if not color:
            return "".join(p for p, _ in self._segments())
        return "".join(f"{ANSI_MARK}{p}{ANSI_RESET}" if marked else p
                       for p, marked in self._segments())

    def to_dict(self) -> dict:
        return {"text": self.text, "highlights": [[s, e] for s, e in self.highlights]}


def _safe(piece: str) -> str:
    return _UNSAFE.sub(_unsafe_replacement, piece) if _UNSAFE.search(piece) else piece


def _unsafe_replacement(m: re.Match) -> str:
    return " " if m.group() in "\t\n\r\x0b\x0c" else ""


def find_matches(text: str, spec: MatchSpec, *, tokens: Sequence[Token] | None = None
                 ) -> list[tuple[int, int]]:
    """Character spans in `text` of everything `spec` matches, sorted and merged.

    `tokens`: EXACT.tokens(text, lines=False) as a list, if the caller already has them.
    """
    if spec.is_empty():
        return []
    return merge(find_occurrences(text, spec, tokens, spaced=tokens is None and single_spaced(text))[1])


def make_snippet(text: str, spec: MatchSpec, *, size: int = 240,
                 tokens: Sequence[Token] | None = None,
                 quoted: Sequence[tuple[int, int]] = ()) -> Snippet:
    """The best excerpt of `text` for `spec`, at most `size` characters, highlights marked.

    The window holds the most distinct matched terms/phrases, then the most matches, then
    the tightest, then the earliest; the whole text when it fits; the start of the text when
    nothing matches. `tokens`: EXACT.tokens(text, lines=False) as a list, if the caller has them
    (unused when the text has whitespace to collapse: the collapsed text is scanned instead).
    `quoted`: (start, end) spans of `text` quoted from another message (an e-mail's quoted
    reply): a window around the new text is chosen over one in the quote when it holds as
    many distinct matched terms.
    """
    if size < 3:
        raise ValueError(f"size must be at least 3 characters, got {size}")
    # Work on the text with each whitespace run as one space. No token spans whitespace, so its
    # tokens are the same, at offsets that need no mapping back.
    if not single_spaced(text):
        if quoted:
            quoted = _collapsed_spans(text, quoted)
        text, tokens = SPACES.sub(" ", text), None     # (tokens given were those of the text before)
    if spec.is_empty():
        occurrences, spans = [], []
    else:
        occurrences, spans = find_occurrences(text, spec, tokens, spaced=tokens is None)
    spans = merge(spans)

    hi = len(text.rstrip())
    lo = len(text) - len(text.lstrip()) if hi else 0
    if hi - lo <= size:
        begin, end = lo, hi
    else:
        region = _window(occurrences, size - 2, quoted) if occurrences else (lo, lo)
        begin, end = _place(text, region, lo, hi, size)

    prefix = ELLIPSIS if begin > lo else ""
    suffix = ELLIPSIS if end < hi else ""
    shift = len(prefix) - begin
    highlights = tuple([((s if s > begin else begin) + shift, (e if e < end else end) + shift)
                        for s, e in spans if s < end and e > begin and s < e])
    return _snippet(prefix + text[begin:end] + suffix, highlights)


def _snippet(text: str, highlights: tuple[tuple[int, int], ...]) -> Snippet:
    """A Snippet without Snippet's checks: make_snippet's highlights are sorted, merged, cut to
    the excerpt and shifted with it (the property tests hold it to that)."""
    snippet = object.__new__(Snippet)
    object.__setattr__(snippet, "text", text)
    object.__setattr__(snippet, "highlights", highlights)
    return snippet


# --- the window ----------------------------------------------------------------------------

_START, _END, _KEYS = itemgetter(0), itemgetter(1), itemgetter(2)


def _window(occurrences, budget: int, quoted: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """_best_window, or the best window among the occurrences outside `quoted` where it holds as
    many distinct keys: where the same words are in the new text and the quote, the new text."""
    best = _best_window(occurrences, budget)
    if not quoted:
        return best
    new = [o for o in occurrences if not any(s <= o[0] < e for s, e in quoted)]
    if not new or len(new) == len(occurrences):
        return best
    own = _best_window(new, budget)
    if _distinct_within(occurrences, own) >= _distinct_within(occurrences, best):
        return own
    return best


def _distinct_within(occurrences, region: tuple[int, int]) -> int:
    start, end = region
    return len({key for o in occurrences if start <= o[0] and o[1] <= end for key in o[2]})


def _collapsed_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` of `text` moved to where they stand once SPACES has made each whitespace run one space."""
    runs = [(m.start(), m.end()) for m in SPACES.finditer(text)]

    def moved(pos: int) -> int:
        shift = 0
        for s, e in runs:
            if s >= pos:
                break
            shift += min(e, pos) - s - 1          # the run, or its part before pos, is one space
        return pos - shift

    return [(moved(s), moved(e)) for s, e in spans]


def _best_window(occurrences, budget: int) -> tuple[int, int]:
    """(start, end) of the run of occurrences fitting in `budget` characters with the most
    distinct keys, then the most occurrences, then the smallest extent, then the earliest."""
    starts = list(map(_START, occurrences))
    ends = list(map(_END, occurrences))
    first_start = starts[0]
    last_end = max(ends)
    if last_end - first_start <= budget:        # all of them fit: the first window holds them all
        return first_start, last_end
    n = len(occurrences)
    keys_of = list(map(_KEYS, occurrences))
    if len(set(keys_of)) == 1:
        # One set of keys for all (one word, one phrase): every window holds the same number
        # of distinct keys, so count occurrences only.
        keys_of = None
        all_keys = 0
    else:
        all_keys = len(set(chain.from_iterable(keys_of)))
    counts: dict = {}
    distinct = 0
    best = None
    best_region = (first_start, min(ends[0], first_start + budget))
    j = 0
    for i in range(n):
        if best is not None and best[1] > n - i and best[0] == all_keys:
            break                   # no later window holds as many keys and occurrences
        start = starts[i]
        if j < i:
            j = i
        while j < n and ends[j] - start <= budget:
            if keys_of is not None:
                for key in keys_of[j]:
                    c = counts.get(key, 0)
                    if not c:
                        distinct += 1
                    counts[key] = c + 1
            j += 1
        if j == i:                  # this occurrence alone is longer than the budget
            continue
        extent_end = max(ends[i:j])
        score = (distinct, j - i, start - extent_end, -start)
        if best is None or score > best:
            best, best_region = score, (start, extent_end)
        if keys_of is not None:
            for key in keys_of[i]:
                c = counts[key] - 1
                counts[key] = c
                if not c:
                    distinct -= 1
    return best_region


def _place(text: str, region: tuple[int, int], lo: int, hi: int, size: int) -> tuple[int, int]:
    """[begin, end) of at most `size` characters (ellipses included) of text[lo:hi] around
    region, the cuts moved to word boundaries (or to a sentence start before the region)."""
    rs, re_ = region
    budget = size - 2
    extra = max(0, budget - (re_ - rs))
    begin = max(lo, rs - extra // 2)
    if hi - begin <= size - 1:                  # the rest of the text fits: end uncut
        begin = max(lo, hi - (size - 1))
    if begin > lo:
        # Start with the sentence the region starts in when the window can still hold it all.
        sentence = _last_sentence_end(text, max(0, max(lo, rs - extra) - 1), rs)
        if sentence is not None and sentence.end() <= rs:
            begin = sentence.end()
        else:
            begin = _snap_begin(text, begin, rs)
    room = size - (1 if begin > lo else 0)
    if hi - begin <= room:
        return begin, hi
    end = begin + room - 1
    return begin, _snap_end(text, end, max(re_, begin + 1))


def _last_sentence_end(text: str, pos: int, endpos: int) -> re.Match | None:
    """The last of _SENTENCE_END.finditer(text, pos, endpos), found from the end: matches
    cannot overlap (inside one there is no ".", "!" or "?"), so it is the match at the last
    of those characters where one matches."""
    find = text.rfind
    at = endpos
    while True:
        at = max(find(".", pos, at), find("!", pos, at), find("?", pos, at))
        if at < 0:
            return None
        sentence = _SENTENCE_END.match(text, at, endpos)
        if sentence is not None:
            return sentence


def _is_word(c: str) -> bool:
    """Part of a word for cutting purposes: "Myong-rok" and "DPRK's" are not cut inside."""
    return c.isalnum() or c in _WORD_PUNCT


_WORD_PUNCT = "_'’-"


def _snap_begin(text: str, b: int, limit: int) -> int:
    """Move a cut at b forward past a partial word and leading punctuation, not past limit."""
    orig = b
    if _is_word(text[b - 1]) and _is_word(text[b]):
        while b < limit and ((c := text[b]).isalnum() or c in _WORD_PUNCT):     # (_is_word, inlined)
            b += 1
        if b - orig > _SNAP_LIMIT:
            return orig
    while b < limit and text[b] in _LEAD_SKIP:
        b += 1
    return b


def _snap_end(text: str, e: int, limit: int) -> int:
    """Move a cut at e back before a partial word and trailing punctuation, not before limit."""
    orig = e
    if _is_word(text[e]) and _is_word(text[e - 1]):
        while e > limit and ((c := text[e - 1]).isalnum() or c in _WORD_PUNCT):  # (_is_word, inlined)
            e -= 1
        if orig - e > _SNAP_LIMIT:
            return orig
    while e > limit and text[e - 1] in _TAIL_SKIP:
        e -= 1
    return e
