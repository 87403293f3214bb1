"""Did-you-mean: a corrected query from the index's own vocabulary, offered and never applied.

In: the query as typed, an open Whoosh reader, and a function that counts a query's hits.
Out: the whole query with each word that the index does not know (or barely knows)
replaced by its closest, most frequent neighbour in the index's "exact" vocabulary,
everything else kept as typed (quotes, operators, fields, the user's capitalisation), or
None when nothing close is known or the correction would not find more.

Words in phrases count; field names and values, operators, numbers, acronyms kept in
capitals, prefixes (word*), fuzzy terms (word~) and excluded words do not. Only the first
MAX_LOOKUPS distinct rare words are looked up, so a query of a thousand unknown words costs
no more than one of sixteen.
"""
from __future__ import annotations

from typing import Callable, Collection
from weakref import WeakKeyDictionary

from indexer.store.analysis import EXACT
from indexer.errors import QueryError

from search.query.parse import IndexVocabulary, word_spans
from search.query.match import edit_distance
from search.query.termtable import TermTable

__all__ = ["suggest", "RARE"]

RARE = 2            # a word in at most this many passages may be a misspelling of a frequent one
RARE_FACTOR = 3     # ...of a word at least this many times as frequent
MIN_LENGTH = 3      # shorter words are left alone
OUTSHONE = 20       # candidates this many times rarer than the most frequent one are dropped
MAX_LOOKUPS = 16    # rare words looked up per query: each walks the vocabulary (~10 ms)


def suggest(query: str, reader, count: Callable[[str], int], total: int,
            extra_fields: Collection[str] = (), vocabulary: IndexVocabulary | None = None) -> str | None:
    """The corrected query when it finds more than `total` passages (count(corrected) says), else None.

    vocabulary: the parser's IndexVocabulary of `reader`'s generation, whose cached term
    frequencies and term table are shared (None: ask the reader).
    """
    if vocabulary is None:
        vocabulary = IndexVocabulary(None, reader=reader)
    frequency = vocabulary.frequency
    try:
        text, spans = word_spans(query, extra_fields)
    except QueryError:
        return None
    pieces, last = [], 0
    looked_up: dict[str, str | None] = {}      # a repeated word is looked up once
    walks = 0
    for start, end in spans:
        for tok in EXACT.tokens(text[start:end], lines=False):
            term = tok.text
            if len(term) < MIN_LENGTH or not term.isalpha() or not term.islower():
                continue
            if term not in looked_up:
                rare = frequency(term) <= RARE
                if rare and walks >= MAX_LOOKUPS:
                    continue                    # bounded work: later rare words stay as typed
                walks += rare
                looked_up[term] = _closest(reader, term, vocabulary) if rare else None
            better = looked_up[term]
            if better is None:
                continue
            s, e = start + tok.start, start + tok.end
            pieces += [text[last:s], _like(text[s:e], better)]
            last = e
    if not pieces:
        return None
    corrected = "".join(pieces) + text[last:]
    try:
        return corrected if count(corrected) > total else None
    except QueryError:
        return None


def _closest(reader, term: str, vocabulary: IndexVocabulary) -> str | None:
    """The best replacement for `term`: fewest edits (a swap of two letters is one), then the
    most passages; words of up to 5 letters allow one edit, longer ones two. None when `term`
    is common enough to be meant, or nothing close is much more common."""
    frequency = vocabulary.frequency
    term_count = frequency(term)
    if term_count > RARE:
        return None
    allowed = 1 if len(term) <= 5 else 2
    candidates = []
    # Words within two plain edits (what Whoosh's automaton finds), measured with a swap of
    # two letters counting as one.
    for candidate in _near_words(reader, term, vocabulary.terms):
        if candidate == term or edit_distance(term, candidate, 2, swaps=False) > 2:
            continue
        distance = edit_distance(term, candidate, allowed)
        if distance > allowed:
            continue
        found = frequency(candidate)
        if found >= max(1, term_count * RARE_FACTOR):
            candidates.append((distance, -found, candidate))
    if not candidates:
        return None
    # A candidate far rarer than the best-known one is likely another misspelling in the
    # documents ("bibliograhic" for "bibliografic", when "bibliographic" is common).
    floor = -min(found for _, found, _ in candidates) / OUTSHONE
    return min(c for c in candidates if -c[1] >= floor)[2]


_LEXICONS: "WeakKeyDictionary[object, dict[str, dict[int, list[str]]]]" = WeakKeyDictionary()


def _near_words(reader, term: str, table: TermTable) -> list[str]:
    """The index's lower-case alphabetic "exact" words that may be within two edits of term:
    its first letter, a length within two, a third of it in common. Whoosh's terms_within walks the term dictionary (merging segments) and
    runs an automaton per call, tens of ms per rare word; the words of each first letter are
    read once per reader and kept by length."""
    by_letter = _LEXICONS.get(reader)
    if by_letter is None:
        by_letter = _LEXICONS[reader] = {}
    by_length = by_letter.get(term[0])
    if by_length is None:
        by_length = by_letter[term[0]] = {}
        words = set(table.segment_terms(term[0]))  # each segment's own list: no merge
        for word in sorted(b.decode("utf-8") for b in words):
            if word.isalpha() and word.islower():
                by_length.setdefault(len(word), []).append(word)
    n = len(term)
    # Two edits leave at least one of three pieces of the word intact (pigeonhole): a
    # substring test in C drops most words before the edit distance in Python.
    a, b = n // 3, 2 * n // 3
    pieces = [term[:a] or term[:1], term[a:b], term[b:]]
    return [w for k in range(n - 2, n + 3) for w in by_length.get(k, ())
            if pieces[0] in w or pieces[1] in w or pieces[2] in w]


def _like(typed: str, word: str) -> str:
    """`word` in the capitalisation the user typed (ALBRIGTH -> ALBRIGHT, Albrigth -> Albright),
    unless that would change its meaning (USS -> "US" the acronym, for the pronoun "us")."""
    letters = [c for c in typed if c.isalpha()]
    shown = word
    if len(letters) > 1 and all(c.isupper() for c in letters):
        shown = word.upper()
    elif letters and letters[0].isupper():
        shown = word[:1].upper() + word[1:]
    return shown if EXACT.terms(shown, lines=False) == [word] else word
