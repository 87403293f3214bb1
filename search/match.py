"""What a query matched, in terms the snippet builder can find in a passage's text.

The parser fills a MatchSpec from the positive parts of the query (words and
phrases searched in the passage text; nothing under NOT, nothing restricted to
another field), and snippets.py marks exactly those tokens: any occurrence of a
stemmed or exact term, but a phrase's words only where the whole phrase stands.
What a query matched includes its expansions (search/query.py): an alias or
spelling variant of several words is one more phrase, an alias of one word one
more stemmed term, a joined spelling one more exact term; so a highlight shows
which name a passage matched on.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhraseSpec:
    terms: tuple[str, ...]      # terms of indexer.analysis.EXACT, in order
    slop: int = 0               # extra positions allowed between consecutive words (0 = adjacent)


@dataclass(frozen=True)
class MatchSpec:
    stemmed: frozenset[str] = frozenset()        # terms of indexer.analysis.STEMMED (plain words)
    exact: frozenset[str] = frozenset()          # terms of indexer.analysis.EXACT (e.g. stop-word-only queries)
    phrases: tuple[PhraseSpec, ...] = ()
    prefixes: frozenset[str] = frozenset()       # EXACT-analysed prefixes of word* queries
    fuzzy: tuple[tuple[str, int], ...] = ()      # (EXACT term, max edit distance) of word~N queries

    def is_empty(self) -> bool:
        return not (self.stemmed or self.exact or self.phrases or self.prefixes or self.fuzzy)

    def merge(self, other: "MatchSpec") -> "MatchSpec":
        return MatchSpec(self.stemmed | other.stemmed, self.exact | other.exact,
                         self.phrases + other.phrases, self.prefixes | other.prefixes,
                         self.fuzzy + other.fuzzy)
