"""How a passage is read for a MatchSpec, fastest first (find_occurrences).

For the common query (words and phrases without slop) on text whose only whitespace is
single spaces: ASCII text only around the places a query word's letters occur
(collect_anchored), other text without CJK chunk by chunk (collect_chunks). Everything
else, token by token (matching.collect). The fast reads give what matching.collect gives
(tests compare them).
"""
from __future__ import annotations

import re
from itertools import compress, count, repeat
from operator import contains, not_
from typing import Sequence

from indexer.store.analysis import _CHUNK_SPANS, _CHUNK_TERMS, _CJK_RUN, STEMMED, Token, _Memo
from search.present import matching
from search.present.matching import START_END, Matcher
from search.query.match import MatchSpec


# Chunk -> the STEMMED stems of its terms (_CHUNK_TERMS), for finding a query's stemmed words.
_CHUNK_STEMS = _Memo(lambda chunk: tuple(map(STEMMED._stem, _CHUNK_TERMS[chunk])), 100_000)


def find_occurrences(text: str, spec: MatchSpec, tokens: Sequence[Token] | None, *, spaced: bool):
    """collect's (occurrences, spans) for `text`; spaced: its only whitespace is single spaces."""
    found = _find_occurrences(text, spec, tokens, spaced)
    return matching.in_capitals_only(text, *found, spec.in_capitals) if spec.in_capitals else found


def _find_occurrences(text: str, spec: MatchSpec, tokens: Sequence[Token] | None, spaced: bool):
    matcher = matching.matcher_for(spec)
    if matcher.cased_phrases and any(n in text for n in matcher.cased_needles) and matching.CAPITALS.search(text):
        # A phrase may stand in capitals: compared by either-reading terms (matching.collect).
        return matching.collect(*(matching.spaced_table(text) if spaced
                                  else matching.token_table(text, tokens)), spec, text)
    if spaced and matcher.by_chunks and matching.PREFILTER:
        if text.isascii():
            found = collect_anchored(text, spec, matcher)
            return found if found is not None else collect_chunks(text, spec, matcher)
        if _CJK_RUN.search(text) is None:
            return collect_chunks(text, spec, matcher)
    return matching.collect(*(matching.spaced_table(text) if spaced
                              else matching.token_table(text, tokens)), spec, text)


def collect_anchored(text: str, spec: MatchSpec, matcher: Matcher):
    """collect for ASCII text whose only whitespace is single spaces (and a spec collect_chunks
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
        occurrences.sort(key=START_END)
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


def collect_chunks(text: str, spec: MatchSpec, matcher: Matcher):
    """collect for CJK-free text whose only whitespace is single spaces, and a spec without
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
        occurrences.sort(key=START_END)
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
