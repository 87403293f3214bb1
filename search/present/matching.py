"""Which characters of a passage a MatchSpec matches, token by token: the per-spec
Matcher (a term -> the query parts it matches, cached), the passage's token table,
phrase occurrences. scan.py reads long passages faster and is checked against this."""
from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter
from typing import Sequence

from indexer.store.analysis import ACRONYM_TERMS, EXACT, STEMMED, Token, _CJK_RUN, _spaced_scan, either_reading, in_capitals
from search.query.match import MatchSpec, PhraseSpec, edit_distance


# Whitespace to collapse: a run that starts with a character other than a space, or a space
# followed by more whitespace. (Cheaper for the regex engine than r"\s{2,}|[^\S ]".)
SPACES = re.compile(r"[^\S ]\s*| \s+")
START_END = itemgetter(0, 1)


# --- matching ------------------------------------------------------------------------------

class Matcher:
    """Which parts of a query a token's EXACT term matches, cached per term for one spec.

    Each part (a stemmed, exact, prefix or fuzzy term, or a phrase) has a small int id, so
    the window search counts distinct parts cheaply.
    """

    def __init__(self, spec: MatchSpec):
        self.spec = spec
        self.ids: dict[tuple, int] = {}
        self.phrase_ids = tuple(self._id(("phrase", p.terms, p.slop)) for p in spec.phrases)
        # What collect_chunks can find: words and phrases without slop.
        self.by_chunks = not spec.prefixes and not spec.fuzzy and not any(p.slop for p in spec.phrases)
        # What collect_anchored searches for: a needle per stemmed and exact term, and each
        # phrase's longest word (its index and needle).
        self.term_needles = tuple({_stem_needle(s) for s in spec.stemmed} | {t.lower() for t in spec.exact})
        self.anchors = tuple(None if not p.terms else
                             (a, p.terms[a].lower()) for p in spec.phrases
                             for a in [max(range(len(p.terms)), key=lambda i: len(p.terms[i]))])
        self.needles = self.term_needles + tuple(anchor[1] for anchor in self.anchors if anchor)
        self.cache: dict[str, tuple] = {}
        # Phrases with a word a line in capitals holds under its either-reading term ("War"),
        # and that word in capitals: a text without any of these has the phrases as typed.
        self.cased_phrases = any(either_reading(t) for p in spec.phrases for t in p.terms)
        self.cased_needles = tuple({t.upper() for p in spec.phrases for t in p.terms if either_reading(t)})

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
def _cached_matcher(spec: MatchSpec) -> Matcher:
    return Matcher(spec)


def matcher_for(spec: MatchSpec) -> Matcher:
    """One matcher per spec, so the term cache serves every hit of a query."""
    global _last_matcher
    last = _last_matcher
    if last[0] is spec:             # a query's hits share its spec: no hashing it for each
        return last[1]
    try:
        matcher = _cached_matcher(spec)
    except TypeError:               # a spec built with lists: fine, just not cacheable
        return Matcher(spec)
    _last_matcher = (spec, matcher)
    return matcher


_last_matcher: tuple = (None, None)


def token_table(text: str, tokens: Sequence[Token] | None):
    """(terms, span): the EXACT terms of `text` in order (token i stands at position i) and
    span(i) -> its (start, end) characters."""
    if tokens is None:
        if single_spaced(text):
            return spaced_table(text)
        tokens = list(EXACT.tokens(text, lines=False))
    terms = [t.text for t in tokens]
    return terms, lambda i: (tokens[i].start, tokens[i].end)


def single_spaced(text: str) -> bool:
    """Whether text's only whitespace is single spaces: nothing for SPACES to collapse.
    For ASCII, a few substring searches cost less than isprintable (every whitespace
    character but the space is unprintable) or the regex."""
    if text.isascii():
        return not ("  " in text or "\n" in text or "\t" in text or "\r" in text or "\x0b" in text
                    or "\x0c" in text or "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text)
    return "  " not in text and (text.isprintable() or SPACES.search(text) is None)


def spaced_table(text: str):
    """token_table(text, None) for text whose only whitespace is single spaces: without CJK
    (bigrams), the chunk-by-chunk scan of indexer.store.analysis, no Token per word."""
    if text.isascii() or _CJK_RUN.search(text) is None:
        return _spaced_scan(text)
    return token_table(text, list(EXACT.tokens(text, lines=False)))


def _stem_needle(stem: str) -> str:
    """What any word with this STEMMED stem begins with, lower-cased: the stem without its last
    character. Snowball's English steps remove suffixes, and where they write one ("-ational"
    -> "-ate", y -> i, "hoping" -> "hope") the stem keeps the word up to its last character,
    but for C+"ying" -> C+"ie" (dying -> die); terms that are not stemmed are their own stem.
    tests/test_snippets.py checks it on the stemmer."""
    return (stem[:-2] if stem.endswith("ie") else stem[:-1]).lower()


def collect(terms: list[str], span, spec: MatchSpec, text: str | None = None):
    """(occurrences, spans): occurrences are (start, end, ids) per matched token or phrase
    occurrence, sorted, for choosing the window; spans are the character spans to mark.
    terms, span: the passage's tokens (see token_table); text: the passage, for phrases
    that may stand in capitals (without it, none is taken to)."""
    occurrences = []
    spans = []
    matcher = matcher_for(spec)
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
    cased = None
    for phrase, phrase_id in zip(spec.phrases, matcher.phrase_ids):
        if not phrase.terms:
            continue
        if matcher.cased_phrases and text is not None:
            # The phrase as the index holds it: an acronym among words in capitals under its
            # either-reading term ("THE WAR" is The War), as analysis reads a line in capitals.
            if cased is None:
                cased = _capitals_terms(terms, span, text)
            terms_of_phrase = cased
        else:
            terms_of_phrase = terms
        ids = (phrase_id,)
        if not phrase.slop:                 # its words adjacent: where the first stands, the rest follow
            first_term, rest = phrase.terms[0], list(phrase.terms[1:])
            length = len(rest)
            i = -1
            for _ in range(terms_of_phrase.count(first_term)):
                i = terms_of_phrase.index(first_term, i + 1)
                if terms_of_phrase[i + 1:i + 1 + length] == rest:
                    start = span(i)[0]
                    end = span(i + length)[1]
                    occurrences.append((start, end, ids))
                    spans.append((start, end))
            continue
        for path in _phrase_occurrences(terms_of_phrase, phrase):
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
        occurrences.sort(key=START_END)
    return occurrences, spans


# A word that may be an acronym written in capitals (analysis.ACRONYM_TERMS).
CAPITALS = re.compile(r"\b(?:" + "|".join(sorted(ACRONYM_TERMS, key=len, reverse=True)) + r")\b")
CAPITALS_CONTEXT = 80       # characters each side of a word that tell whether it stands in capitals
_CASED_WORD = re.compile(r"[^\W\d_]{2,}")


def _capitals_terms(terms: list[str], span, text: str) -> list[str]:
    """`terms` with each acronym written as such (US, not U.S.) that stands among words in
    capitals replaced by its either-reading term."""
    out = list(terms)
    for i, term in enumerate(terms):
        if term in ACRONYM_TERMS:
            start, end = span(i)
            if text[start:end] == term and _stands_in_capitals(text, start):
                out[i] = either_reading(term)
    return out


def in_capitals_only(text: str, occurrences: list, spans: list, terms: frozenset[str]):
    """Drop the marks of spec.in_capitals's acronyms that do not stand among words in capitals
    (their lines are joined in a snippet's text, so the words around them decide) or are dotted
    (U.S. is always the acronym)."""
    drop = set()
    for start, end in spans:
        word = text[start:end]
        if word.replace(".", "") in terms and ("." in word or not _stands_in_capitals(text, start)):
            drop.add((start, end))
    if not drop:
        return occurrences, spans
    return ([o for o in occurrences if (o[0], o[1]) not in drop], [s for s in spans if s not in drop])


def _stands_in_capitals(text: str, start: int) -> bool:
    """Whether the word at `start` stands among words in capitals: the text around it is in
    capitals, or the word before or after it is in capitals too ("THE WAR", a heading)."""
    begin = max(0, start - CAPITALS_CONTEXT)
    around = text[begin:start + CAPITALS_CONTEXT]
    if in_capitals(around):
        return True
    words = list(_CASED_WORD.finditer(around))
    at = next((i for i, m in enumerate(words) if m.start() == start - begin), None)
    if at is None:
        return False
    return any(0 <= j < len(words) and words[j].group().isupper() for j in (at - 1, at + 1))


def _candidates(terms: list[str], spec: MatchSpec) -> list[int]:
    """Indices of the tokens that may match spec's terms, in order; every token when the spec
    has prefixes or fuzzy terms. A word's stem comes from STEMMED's own cache, looked up for
    the whole passage in one C-level pass, and the indices of the few stems and terms the
    spec holds are found by list.index, so only those tokens reach Matcher.keys."""
    if spec.prefixes or spec.fuzzy or not PREFILTER:
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


PREFILTER = True         # (tests turn it off to compare with every token through Matcher.keys)
_STEMS = STEMMED._cache


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


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
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
