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
(_collect_anchored); other text without CJK chunk by chunk (_collect_chunks); CJK text,
and queries with prefixes, fuzzy terms or sloppy phrases, token by token (_collect).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, count, repeat
from operator import contains, itemgetter, not_
from typing import Sequence

from indexer.store.analysis import (_CHUNK_SPANS, _CHUNK_TERMS, _CJK_RUN, EXACT, STEMMED, Token, _Memo,
                              _spaced_scan)

from search.query.match import MatchSpec, PhraseSpec, edit_distance

__all__ = ["Snippet", "find_matches", "make_snippet"]

ELLIPSIS = "…"
ANSI_MARK = "\x1b[1;33m"       # bold yellow
ANSI_RESET = "\x1b[0m"

# Whitespace to collapse: a run that starts with a character other than a space, or a space
# followed by more whitespace. (Cheaper for the regex engine than r"\s{2,}|[^\S ]".)
_SPACES = re.compile(r"[^\S ]\s*| \s+")
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

    `tokens`: EXACT.tokens(text) as a list, if the caller already has them.
    """
    if spec.is_empty():
        return []
    return _merge(_occurrences(text, spec, tokens, spaced=tokens is None and _single_spaced(text))[1])


def make_snippet(text: str, spec: MatchSpec, *, size: int = 240,
                 tokens: Sequence[Token] | None = None) -> Snippet:
    """The best excerpt of `text` for `spec`, at most `size` characters, highlights marked.

    The window holds the most distinct matched terms/phrases, then the most matches, then
    the tightest, then the earliest; the whole text when it fits; the start of the text when
    nothing matches. `tokens`: EXACT.tokens(text) as a list, if the caller already has them
    (unused when the text has whitespace to collapse: the collapsed text is scanned instead).
    """
    if size < 3:
        raise ValueError(f"size must be at least 3 characters, got {size}")
    # Work on the text with each whitespace run as one space. No token spans whitespace, so its
    # tokens are the same, at offsets that need no mapping back.
    if not _single_spaced(text):
        text, tokens = _SPACES.sub(" ", text), None     # (tokens given were those of the text before)
    if spec.is_empty():
        occurrences, spans = [], []
    else:
        occurrences, spans = _occurrences(text, spec, tokens, spaced=tokens is None)
    spans = _merge(spans)

    hi = len(text.rstrip())
    lo = len(text) - len(text.lstrip()) if hi else 0
    if hi - lo <= size:
        begin, end = lo, hi
    else:
        region = _best_window(occurrences, size - 2) if occurrences else (lo, lo)
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


# --- matching ------------------------------------------------------------------------------

class _Matcher:
    """Which parts of a query a token's EXACT term matches, cached per term for one spec.

    Each part (a stemmed, exact, prefix or fuzzy term, or a phrase) has a small int id, so
    the window search counts distinct parts cheaply.
    """

    def __init__(self, spec: MatchSpec):
        self.spec = spec
        self.ids: dict[tuple, int] = {}
        self.phrase_ids = tuple(self._id(("phrase", p.terms, p.slop)) for p in spec.phrases)
        # What _collect_chunks can find: words and phrases without slop.
        self.by_chunks = not spec.prefixes and not spec.fuzzy and not any(p.slop for p in spec.phrases)
        # What _collect_anchored searches for: a needle per stemmed and exact term, and each
        # phrase's longest word (its index and needle).
        self.term_needles = tuple({_stem_needle(s) for s in spec.stemmed} | {t.lower() for t in spec.exact})
        self.anchors = tuple(None if not p.terms else
                             (a, p.terms[a].lower()) for p in spec.phrases
                             for a in [max(range(len(p.terms)), key=lambda i: len(p.terms[i]))])
        self.needles = self.term_needles + tuple(anchor[1] for anchor in self.anchors if anchor)
        self.cache: dict[str, tuple] = {}

    def _id(self, part: tuple) -> int:
        return self.ids.setdefault(part, len(self.ids))

    def keys(self, term: str) -> tuple:
        """(ids, chars) for a matching term, () otherwise; chars is how many leading
        characters of the token matched, None for all of them."""
        found = self.cache.get(term)
        if found is not None:
            return found
        spec = self.spec
        ids = []
        whole = False
        chars = 0
        if spec.stemmed and not STEMMED.is_stop(term):
            # Same as STEMMED.tokens(keep_stops=True) gives, without a second tokenizer pass.
            stem = STEMMED._stem(term)
            if stem in spec.stemmed:
                ids.append(self._id(("stem", stem)))
                whole = True
        if term in spec.exact:
            ids.append(self._id(("exact", term)))
            whole = True
        for prefix in spec.prefixes:
            if term.startswith(prefix):
                ids.append(self._id(("prefix", prefix)))
                # A CJK bigram is not a word: mark only the characters the prefix matched.
                if _CJK_RUN.match(term) and len(prefix) < len(term):
                    chars = max(chars, len(prefix))
                else:
                    whole = True
        for target, k in spec.fuzzy:
            if _within_distance(term, target, k):
                ids.append(self._id(("fuzzy", target, k)))
                whole = True
        found = (tuple(ids), None if whole else chars) if ids else ()
        if len(self.cache) < 50_000:
            self.cache[term] = found
        return found


@lru_cache(maxsize=64)
def _cached_matcher(spec: MatchSpec) -> _Matcher:
    return _Matcher(spec)


def _matcher(spec: MatchSpec) -> _Matcher:
    """One matcher per spec, so the term cache serves every hit of a query."""
    global _last_matcher
    last = _last_matcher
    if last[0] is spec:             # a query's hits share its spec: no hashing it for each
        return last[1]
    try:
        matcher = _cached_matcher(spec)
    except TypeError:               # a spec built with lists: fine, just not cacheable
        return _Matcher(spec)
    _last_matcher = (spec, matcher)
    return matcher


_last_matcher: tuple = (None, None)


def _token_table(text: str, tokens: Sequence[Token] | None):
    """(terms, span): the EXACT terms of `text` in order (token i stands at position i) and
    span(i) -> its (start, end) characters."""
    if tokens is None:
        if _single_spaced(text):
            return _spaced_table(text)
        tokens = list(EXACT.tokens(text))
    terms = [t.text for t in tokens]
    return terms, lambda i: (tokens[i].start, tokens[i].end)


def _single_spaced(text: str) -> bool:
    """Whether text's only whitespace is single spaces: nothing for _SPACES to collapse.
    For ASCII, a few substring searches cost less than isprintable (every whitespace
    character but the space is unprintable) or the regex."""
    if text.isascii():
        return not ("  " in text or "\n" in text or "\t" in text or "\r" in text or "\x0b" in text
                    or "\x0c" in text or "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text)
    return "  " not in text and (text.isprintable() or _SPACES.search(text) is None)


def _spaced_table(text: str):
    """_token_table(text, None) for text whose only whitespace is single spaces: without CJK
    (bigrams), the chunk-by-chunk scan of indexer.store.analysis, no Token per word."""
    if text.isascii() or _CJK_RUN.search(text) is None:
        return _spaced_scan(text)
    return _token_table(text, list(EXACT.tokens(text)))


def _occurrences(text: str, spec: MatchSpec, tokens: Sequence[Token] | None, *, spaced: bool):
    """_collect's (occurrences, spans) for `text`; spaced: its only whitespace is single spaces."""
    matcher = _matcher(spec)
    if spaced and matcher.by_chunks and _PREFILTER:
        if text.isascii():
            found = _collect_anchored(text, spec, matcher)
            return found if found is not None else _collect_chunks(text, spec, matcher)
        if _CJK_RUN.search(text) is None:
            return _collect_chunks(text, spec, matcher)
    return _collect(*(_spaced_table(text) if spaced else _token_table(text, tokens)), spec)


def _collect_anchored(text: str, spec: MatchSpec, matcher: "_Matcher"):
    """_collect for ASCII text whose only whitespace is single spaces (and a spec _collect_chunks
    takes), from a search for a piece of each word instead of a look at every chunk; None when
    a piece is too frequent in the text to be worth it.

    In ASCII text a token's term, lower-cased, is the token lower-cased, unless the token has
    an apostrophe (possessive, "don't") or is a dotted acronym ("U.S."); and a stem without
    its last character (two for "-ie": dying -> die) begins the word it was made from
    (_stem_needle). So a word of the query can only stand in a chunk where its needle occurs
    or in one with an apostrophe or an acronym: only those chunks are read, and a phrase is
    checked around its longest word.
    """
    low = text.lower()
    for needle in matcher.needles:
        if low.count(needle) > _ANCHOR_LIMIT:
            return None
    marked = []                             # an apostrophe or an acronym in the chunks there
    at = text.find("'")
    while at >= 0:
        marked.append(at)
        at = text.find("'", at + 1)
    if "." in text:
        marked.extend(m.start() for m in _ACRONYM_HINT.finditer(text))
    occurrences = []
    spans = []
    stemmed, exact = spec.stemmed, spec.exact
    if stemmed or exact:
        known = matcher.cache.get
        for chunk_start in _chunk_starts(text, low, matcher.term_needles, marked):
            chunk_end = text.find(" ", chunk_start)
            if chunk_end < 0:
                chunk_end = len(text)
            chunk = text[chunk_start:chunk_end]
            stems = _CHUNK_STEMS[chunk] if stemmed else None
            for k, term in enumerate(_CHUNK_TERMS[chunk]):
                if not (stemmed and stems[k] in stemmed or exact and term in exact):
                    continue
                found = known(term) or matcher.keys(term)
                if not found:
                    continue
                ids, chars = found
                start, end = _CHUNK_SPANS[chunk][k]
                start += chunk_start
                end = start + chars if chars is not None else chunk_start + end
                occurrences.append((start, end, ids))
                spans.append((start, end))
    for phrase, phrase_id, anchor in zip(spec.phrases, matcher.phrase_ids, matcher.anchors):
        if anchor is None:
            continue
        a, needle = anchor
        terms = phrase.terms
        ids = (phrase_id,)
        for chunk_start in _chunk_starts(text, low, (needle,), marked):
            chunk_end = text.find(" ", chunk_start)
            if chunk_end < 0:
                chunk_end = len(text)
            chunk_terms = _CHUNK_TERMS[text[chunk_start:chunk_end]]
            for k, term in enumerate(chunk_terms):
                if term != terms[a]:
                    continue
                found = _phrase_around(text, chunk_start, chunk_end, chunk_terms, k, terms, a)
                if found is not None:
                    occurrences.append((*found, ids))
                    spans.append(found)
    if spec.phrases:
        occurrences.sort(key=_START_END)
    return occurrences, spans


def _chunk_starts(text: str, low: str, needles, marked: list[int]) -> list[int]:
    """Where the chunks holding a needle (in `low`, text lower-cased) or a marked position start, in order."""
    places = list(marked)
    for needle in needles:
        at = low.find(needle)
        while at >= 0:
            places.append(at)
            at = low.find(needle, at + 1)
    return sorted({text.rfind(" ", 0, at) + 1 for at in places})


def _stem_needle(stem: str) -> str:
    """What any word with this STEMMED stem begins with, lower-cased: the stem without its last
    character. Snowball's English steps remove suffixes, and where they write one ("-ational"
    -> "-ate", y -> i, "hoping" -> "hope") the stem keeps the word up to its last character,
    but for C+"ying" -> C+"ie" (dying -> die); terms that are not stemmed are their own stem.
    tests/test_snippets.py checks it on the stemmer."""
    return (stem[:-2] if stem.endswith("ie") else stem[:-1]).lower()


_ANCHOR_LIMIT = 8       # more places than this for a needle: read every chunk instead
_ACRONYM_HINT = re.compile(r"\.[^\W\d_]\.")       # in every dotted acronym token: "U.S." holds ".S."


def _phrase_around(text: str, start: int, end: int, here: tuple[str, ...], k: int, terms: tuple[str, ...],
                   a: int):
    """(start, end) characters of `terms` when its word a is term k of the chunk text[start:end]
    (whose terms are `here`), else None. The other words are read from the chunks before and
    after, skipping chunks without a term."""
    chunk_start, chunk_end, at, words = start, end, k, here
    for want in terms[a + 1:]:
        at += 1
        while at >= len(words):
            if chunk_end >= len(text):
                return None
            chunk_start = chunk_end + 1
            chunk_end = text.find(" ", chunk_start)
            if chunk_end < 0:
                chunk_end = len(text)
            words = _CHUNK_TERMS[text[chunk_start:chunk_end]]
            at = 0
        if words[at] != want:
            return None
    last = chunk_start + _CHUNK_SPANS[text[chunk_start:chunk_end]][at][1]
    chunk_start, chunk_end, at, words = start, end, k, here
    for want in terms[a - 1::-1] if a else ():
        at -= 1
        while at < 0:
            if chunk_start == 0:
                return None
            chunk_end = chunk_start - 1
            chunk_start = text.rfind(" ", 0, chunk_end) + 1
            words = _CHUNK_TERMS[text[chunk_start:chunk_end]]
            at = len(words) - 1
        if words[at] != want:
            return None
    return chunk_start + _CHUNK_SPANS[text[chunk_start:chunk_end]][at][0], last


def _collect_chunks(text: str, spec: MatchSpec, matcher: "_Matcher"):
    """_collect for CJK-free text whose only whitespace is single spaces, and a spec without
    prefixes, fuzzy terms or sloppy phrases, worked on text.split(" ") without a token list.

    A chunk's terms (and stems) come from a memo, the chunks holding a query's word are found
    in one C-level pass, and offsets are added up only to the chunks that matched (chunk c
    starts one character after chunk c - 1 ends).
    """
    chunks = text.split(" ")
    occurrences = []
    spans = []
    chunk_terms = list(map(_CHUNK_TERMS.__getitem__, chunks)) if spec.exact or spec.phrases else None
    stemmed, exact = spec.stemmed, spec.exact
    if stemmed or exact:
        chunk_stems = list(map(_CHUNK_STEMS.__getitem__, chunks)) if stemmed else None
        where = _chunks_holding(chunk_stems, stemmed) if stemmed else []
        if exact:
            where = sorted(set(where).union(_chunks_holding(chunk_terms, exact)))
        known = matcher.cache.get
        at = at_start = 0                   # a chunk and where it starts
        for c in where:
            chunk = chunks[c]
            terms = chunk_terms[c] if chunk_terms is not None else _CHUNK_TERMS[chunk]
            for k, term in enumerate(terms):
                if not (stemmed and chunk_stems[c][k] in stemmed or exact and term in exact):
                    continue
                found = known(term) or matcher.keys(term)
                if not found:
                    continue
                ids, chars = found
                if c > at:
                    at_start += len(" ".join(chunks[at:c])) + 1
                    at = c
                start, end = _CHUNK_SPANS[chunk][k]
                start += at_start
                end = start + chars if chars is not None else at_start + end
                occurrences.append((start, end, ids))
                spans.append((start, end))
    for phrase, phrase_id in zip(spec.phrases, matcher.phrase_ids):
        if not phrase.terms:
            continue
        ids = (phrase_id,)
        first, rest = phrase.terms[0], phrase.terms[1:]
        at = at_start = 0
        for c in _chunks_holding(chunk_terms, (first,)):
            for k, term in enumerate(chunk_terms[c]):
                if term != first:
                    continue
                last = _followed_by(chunk_terms, c, k, rest)
                if last is None:
                    continue
                if c > at:
                    at_start += len(" ".join(chunks[at:c])) + 1
                    at = c
                last_c, last_k = last
                last_start = at_start + len(" ".join(chunks[c:last_c])) + 1 if last_c > c else at_start
                start = at_start + _CHUNK_SPANS[chunks[c]][k][0]
                end = last_start + _CHUNK_SPANS[chunks[last_c]][last_k][1]
                occurrences.append((start, end, ids))
                spans.append((start, end))
    if spec.phrases:
        occurrences.sort(key=_START_END)
    return occurrences, spans


def _chunks_holding(per_chunk: list[tuple[str, ...]], wanted) -> list[int]:
    """Indices of the chunks whose terms (or stems) include one of `wanted`, in order."""
    if len(wanted) == 1:
        for one in wanted:
            return list(compress(count(), map(contains, per_chunk, repeat(one))))
    return list(compress(count(), map(not_, map(frozenset(wanted).isdisjoint, per_chunk))))


def _followed_by(chunk_terms: list[tuple[str, ...]], c: int, k: int, wanted: tuple[str, ...]):
    """(chunk, index) of the last of the terms after term k of chunk c when they are `wanted`,
    else None: the next terms of a phrase, across chunks and chunks without a term."""
    here = chunk_terms[c]
    for want in wanted:
        k += 1
        while k >= len(here):
            c += 1
            if c == len(chunk_terms):
                return None
            here = chunk_terms[c]
            k = 0
        if here[k] != want:
            return None
    return c, k


def _collect(terms: list[str], span, spec: MatchSpec):
    """(occurrences, spans): occurrences are (start, end, ids) per matched token or phrase
    occurrence, sorted, for choosing the window; spans are the character spans to mark.
    terms, span: the passage's tokens (see _token_table)."""
    occurrences = []
    spans = []
    matcher = _matcher(spec)
    if spec.stemmed or spec.exact or spec.prefixes or spec.fuzzy:
        keys_of = matcher.keys
        for i in _candidates(terms, spec):
            found = keys_of(terms[i])
            if not found:
                continue
            ids, chars = found
            start, end = span(i)
            if chars is not None:
                end = start + chars
            occurrences.append((start, end, ids))
            spans.append((start, end))
    for phrase, phrase_id in zip(spec.phrases, matcher.phrase_ids):
        if not phrase.terms:
            continue
        ids = (phrase_id,)
        if not phrase.slop:                 # its words adjacent: where the first stands, the rest follow
            first_term, rest = phrase.terms[0], list(phrase.terms[1:])
            length = len(rest)
            i = -1
            for _ in range(terms.count(first_term)):
                i = terms.index(first_term, i + 1)
                if terms[i + 1:i + 1 + length] == rest:
                    start = span(i)[0]
                    end = span(i + length)[1]
                    occurrences.append((start, end, ids))
                    spans.append((start, end))
            continue
        for path in _phrase_occurrences(terms, phrase):
            first, last = path[0], path[-1]
            start = span(first)[0]
            end = span(last)[1]
            occurrences.append((start, end, ids))
            if last - first == len(path) - 1:       # adjacent words: one span
                spans.append((start, end))
                continue
            run_start = prev = first
            for i in path[1:]:
                if i != prev + 1:                    # a sloppy gap: mark the words apart
                    spans.append((span(run_start)[0], span(prev)[1]))
                    run_start = i
                prev = i
            spans.append((span(run_start)[0], end))
    if spec.phrases:
        occurrences.sort(key=_START_END)
    return occurrences, spans


_START_END = itemgetter(0, 1)


def _candidates(terms: list[str], spec: MatchSpec) -> list[int]:
    """Indices of the tokens that may match spec's terms, in order; every token when the spec
    has prefixes or fuzzy terms. A word's stem comes from STEMMED's own cache, looked up for
    the whole passage in one C-level pass, and the indices of the few stems and terms the
    spec holds are found by list.index, so only those tokens reach _Matcher.keys."""
    if spec.prefixes or spec.fuzzy or not _PREFILTER:
        return range(len(terms))
    found = []
    if spec.stemmed:
        stems = list(map(_STEMS.get, terms))
        if None in stems:
            for i in [i for i, st in enumerate(stems) if st is None]:
                stems[i] = STEMMED._stem(terms[i])
        found = _indices(stems, spec.stemmed)
    if spec.exact:
        exact = _indices(terms, spec.exact)
        found = sorted(set(found).union(exact)) if found else exact
    return found


def _indices(items: list[str], wanted: frozenset[str]) -> list[int]:
    """Sorted indices of the items that are in `wanted`: a pass of list.count per wanted
    string costs less than a set lookup per item, for the few strings a query holds."""
    if len(wanted) > 3:
        wanted = wanted.intersection(items)
    found = []
    for item in wanted:
        i = -1
        for _ in range(items.count(item)):
            i = items.index(item, i + 1)
            found.append(i)
    if len(wanted) > 1:
        found.sort()
    return found


_PREFILTER = True         # (tests turn it off to compare with every token through _Matcher.keys)
_STEMS = STEMMED._cache
# Chunk -> the STEMMED stems of its terms (_CHUNK_TERMS), for finding a query's stemmed words.
_CHUNK_STEMS = _Memo(lambda chunk: tuple(map(STEMMED._stem, _CHUNK_TERMS[chunk])), 100_000)


def _phrase_occurrences(token_terms: list[str], phrase: PhraseSpec):
    """Token indices of each place the phrase stands: its terms in order, each within
    `slop` extra positions of the previous one. token_terms: the tokens' terms (token i
    at position i)."""
    terms, slop, n = phrase.terms, phrase.slop, len(token_terms)
    last = len(terms)
    failed: set[tuple[int, int]] = set()     # (token index, term index) that cannot continue

    def extend(i: int, k: int):
        if k == last:
            return [i]
        if (i, k) in failed:
            return None
        limit = i + 1 + slop
        want = terms[k]
        j = i + 1
        while j < n and j <= limit:
            if token_terms[j] == want:
                rest = extend(j, k + 1)
                if rest is not None:
                    return [i] + rest
            j += 1
        failed.add((i, k))
        return None

    first = terms[0]
    i = -1
    while True:
        try:
            i = token_terms.index(first, i + 1)
        except ValueError:
            return
        path = extend(i, 1)
        if path is not None:
            yield path


def _within_distance(a: str, b: str, k: int) -> bool:
    """Levenshtein distance between a and b is <= k: what Whoosh's fuzzy search allows (a
    swap of two letters is two edits), so a fuzzy term marks exactly the words it matched."""
    return edit_distance(a, b, k, swaps=False) <= k




def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping or touching ones joined."""
    if len(spans) < 2:
        return list(spans)
    spans = sorted(spans)
    merged = [spans[0]]
    for s, e in spans[1:]:
        ms, me = merged[-1]
        if s <= me:
            if e > me:
                merged[-1] = (ms, e)
        else:
            merged.append((s, e))
    return merged


# --- the window ----------------------------------------------------------------------------

_START, _END, _KEYS = itemgetter(0), itemgetter(1), itemgetter(2)


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
