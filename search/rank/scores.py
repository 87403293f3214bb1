"""Scores: every matching passage of a query with its score, and the ordering of the
top N that the searcher pages through (ties broken by document and position)."""
from __future__ import annotations

import numpy as np


class Scores:
    """Matching top-level docnums (ascending, int64) and their scores (float64)."""

    __slots__ = ("ids", "values")

    def __init__(self, ids: np.ndarray, values: np.ndarray):
        self.ids = ids
        self.values = values

    def __len__(self) -> int:
        return len(self.ids)

    def __bool__(self) -> bool:
        return len(self.ids) > 0

    def add(self, docnums: list[int], bonus: list[float]) -> None:
        """Raise the scores of `docnums` (which must match) by `bonus`."""
        if docnums:
            self.values = self.values.copy()
            self.values[np.searchsorted(self.ids, docnums)] += bonus

    def within(self, lo: int, hi: int) -> "Scores":
        """The matches with lo <= docnum < hi."""
        a, b = np.searchsorted(self.ids, [lo, hi])
        return Scores(self.ids[a:b], self.values[a:b])

    def top_set(self, n: int, tie) -> np.ndarray:
        """The docnums of the `n` best (ascending, in no rank order): what best(n, tie) holds,
        with tie() asked only about the scores equal to the n-th."""
        values = self.values
        if len(values) <= n:
            return self.ids
        cutoff = np.partition(values, len(values) - n)[len(values) - n]
        above = self.ids[values > cutoff]
        equal = self.ids[values == cutoff]
        if len(above) + len(equal) > n:
            equal = np.array(sorted(equal.tolist(), key=tie)[:n - len(above)], np.int64)
        return np.sort(np.concatenate((above, equal)))

    def best(self, n: int, tie) -> list[tuple[int, float]]:
        """The `n` best (docnum, score), best first; equal scores by tie(docnum)."""
        if n <= 0 or not len(self.ids):
            return []
        values = self.values
        if len(values) <= n:
            chosen = np.arange(len(values))
        else:
            cutoff = np.partition(values, len(values) - n)[len(values) - n]
            chosen = np.flatnonzero(values >= cutoff)
        ids, scores = self.ids[chosen], values[chosen]
        order = np.lexsort((ids, -scores))             # best first, equal scores by docnum
        ids, scores = ids[order].tolist(), scores[order].tolist()
        # Runs of equal scores that reach into the first n are ordered by tie() (a document id
        # lookup each), the rest need none.
        out, i = [], 0
        while i < len(ids) and len(out) < n:
            j = i + 1
            while j < len(ids) and scores[j] == scores[i]:
                j += 1
            run = list(zip(ids[i:j], scores[i:j]))
            if j - i > 1:
                run.sort(key=lambda hit: tie(hit[0]))
            out += run
            i = j
        return out[:n]
