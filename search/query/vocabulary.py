"""What the parser may ask an open index about its words, for spelling variants:
a Protocol, and the implementation over a Whoosh searcher, with its caches."""
from __future__ import annotations

from typing import Protocol, Sequence

from whoosh import query as wq, scoring
from whoosh.searching import Searcher as WhooshSearcher

from search.query.termtable import TermTable


class Vocabulary(Protocol):
    """What the parser may ask an open index about its words (for spelling variants).

    Optional, used when present (IndexVocabulary has both): `known(term)`, frequency(term)
    if already looked up else None, so the parser can ask first what costs nothing; and
    `memo`, a dict in which the parser keeps what it derives from the answers (a word's
    split candidates) for as long as the answers hold.
    """

    def frequency(self, term: str) -> int:
        """Passages whose text holds the EXACT term."""

    def has_phrase(self, terms: Sequence[str]) -> bool:
        """Whether the EXACT terms stand together, in order, in some passage."""


class IndexVocabulary:
    """A Vocabulary over an open Whoosh searcher's "exact" field; look-ups are cached, so keep
    one per searcher (a searcher sees one committed generation, so answers never go stale)."""

    CACHE = 100_000          # entries; the cache starts over beyond this

    def __init__(self, searcher, *, reader=None, phrase_count=None):
        """searcher: an open Whoosh searcher; or None and the `reader` of one generation.
        phrase_count(terms): how many passages hold the phrase in "exact" (the Searcher passes
        its evaluator's); without it, Whoosh's phrase matcher answers."""
        self.searcher = searcher
        self._phrase_count = phrase_count
        self._reader = searcher.reader() if reader is None else reader
        self.terms = TermTable(self._reader, "exact")
        self._unscored = None
        self._freq: dict[str, int] = {}
        self._phrases: dict[tuple[str, ...], bool] = {}
        self.memo = _Memo(self.CACHE)     # what the parser derives from these answers, per word

    def frequency(self, term: str) -> int:
        found = self._freq.get(term)
        if found is None:
            if len(self._freq) >= self.CACHE:
                self._freq.clear()
            found = self._freq[term] = self.terms.doc_frequency(term)
        return found

    def known(self, term: str) -> int | None:
        """frequency(term) when it was already looked up, else None (no look-up)."""
        return self._freq.get(term)

    def has_phrase(self, terms: Sequence[str]) -> bool:
        key = tuple(terms)
        found = self._phrases.get(key)
        if found is None:
            if len(self._phrases) >= self.CACHE:
                self._phrases.clear()
            if self._phrase_count is not None:
                found = self._phrases[key] = self._phrase_count(key) > 0
            else:
                # Whoosh's phrase matcher, segment by segment: the first segment that has the
                # phrase answers, without the merged matcher's steps across segments.
                phrase = wq.Phrase("exact", list(key))
                found = self._phrases[key] = any(phrase.matcher(leaf).is_active()
                                                 for leaf, _ in self._phrase_searcher().leaf_searchers())
        return found

    def _phrase_searcher(self):
        """A Whoosh searcher over the same reader whose matchers carry no BM25 scorer: whether a
        phrase stands in the index needs no score, and each scorer reads its term's statistics
        (per segment, the deleted passages' postings too)."""
        if self._unscored is None:
            self._unscored = WhooshSearcher(self._reader, weighting=_Unscored(), closereader=False)
        return self._unscored


class _Unscored(scoring.WeightingModel):
    """Matchers for existence tests: one shared constant scorer instead of a model per term."""

    _SCORER = scoring.WeightScorer(1.0)

    def scorer(self, searcher, fieldname, text, qf=1):
        return self._SCORER


class _Memo(dict):
    """A dict that starts over beyond `limit` entries."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        super().__setitem__(key, value)
