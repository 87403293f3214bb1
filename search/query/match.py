"""What a query matched, in terms the snippet builder can find in a passage's text.

The parser fills a MatchSpec from the positive parts of the query (words and
phrases searched in the passage text; nothing under NOT, nothing restricted to
another field), and snippets.py marks exactly those tokens: any occurrence of a
stemmed or exact term, but a phrase's words only where the whole phrase stands.
What a query matched includes its expansions (search/query/parse.py): an alias or
spelling variant of several words is one more phrase, an alias of one word one
more stemmed term, a joined spelling one more exact term; so a highlight shows
which name a passage matched on. edit_distance is the one measure of a fuzzy term
(word~N) for highlighting and for did-you-mean suggestions.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhraseSpec:
    terms: tuple[str, ...]      # terms of indexer.store.analysis.EXACT, in order
    slop: int = 0               # extra positions allowed between consecutive words (0 = adjacent)


@dataclass(frozen=True)
class MatchSpec:
    stemmed: frozenset[str] = frozenset()        # terms of indexer.store.analysis.STEMMED (plain words)
    exact: frozenset[str] = frozenset()          # terms of indexer.store.analysis.EXACT (e.g. stop-word-only queries)
    phrases: tuple[PhraseSpec, ...] = ()
    prefixes: frozenset[str] = frozenset()       # EXACT-analysed prefixes of word* queries
    fuzzy: tuple[tuple[str, int], ...] = ()      # (EXACT term, max edit distance) of word~N queries
    # Acronym terms ("WAR", also in exact) marked only where they stand in capitals: the query
    # searched their either reading ("War", indexer/store/analysis.py), not the acronym.
    in_capitals: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        return not (self.stemmed or self.exact or self.phrases or self.prefixes or self.fuzzy)

    def merge(self, other: "MatchSpec") -> "MatchSpec":
        return MatchSpec(self.stemmed | other.stemmed, self.exact | other.exact,
                         self.phrases + other.phrases, self.prefixes | other.prefixes,
                         self.fuzzy + other.fuzzy,
                         (self.in_capitals | other.in_capitals) - (self.exact - self.in_capitals)
                         - (other.exact - other.in_capitals) - self.stemmed - other.stemmed)


def edit_distance(a: str, b: str, limit: int, *, swaps: bool = True) -> int:
    """Edits (insert, delete, substitute, and with `swaps` a swap of two adjacent letters:
    optimal string alignment) that turn a into b; any value above `limit` means "more"."""
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    if a == b:
        return 0
    if limit <= 0:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        ca = a[i - 1]
        cur = [i]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            v = prev[j - 1] + (ca != cb)
            if prev[j] + 1 < v:
                v = prev[j] + 1
            if cur[j - 1] + 1 < v:
                v = cur[j - 1] + 1
            if swaps and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and prev2[j - 2] + 1 < v:
                v = prev2[j - 2] + 1
            cur.append(v)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[lb], limit + 1)
