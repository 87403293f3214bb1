"""Bounds on a query: how long, how many clauses, how deep, how many index terms.

Every bound turns what would be a slow search, a huge allocation or a RecursionError
into a QueryError that says what to write instead (see parse.py's "Bounds").
"""
from __future__ import annotations

import functools
from itertools import islice
from typing import Iterator

from whoosh import query as wq

from indexer.errors import QueryError


MAX_QUERY_CHARS = 10_000     # longer text is refused before any work is done
MAX_CLAUSES = 1_024          # searchable words, phrases and ranges in one query
MAX_DEPTH = 64               # nested parentheses; deeper is refused, never a RecursionError
MAX_FUZZY_DISTANCE = 2       # word~3 would match most short words of the index
MAX_SLOP = 100               # "a b"~N
EXPANSION_LIMIT = 1_024      # index terms a prefix or fuzzy term may expand to (check_expansion)
MAX_TERMS = 4_096            # index terms one query may read in all (check_expansion)
MAX_FUZZY_TERMS = 16         # different fuzzy terms in one query: each walks the vocabulary
MAX_VARIANTS = 3             # spelling variants per word or phrase
MAX_SPLIT_CHECKS = 16        # phrase look-ups per query for words that may be written joined


def check_expansion(query: wq.Query, reader, limit: int = EXPANSION_LIMIT, total: int = MAX_TERMS) -> None:
    """Refuse a prefix or fuzzy term that expands to more than `limit` index terms, and a
    query that would read more than `total` index terms in all.

    Whoosh expands them into one big OR without a bound, so `a*` on a large
    index is slow and its ranking meaningless; the user is better served by
    typing more letters. Each term read is a matcher (150 different groups with
    `qa*` made 135,000), so the sum is bounded too: a word counts once per field
    it is searched in (3: body, title, section), a phrase once per word, a prefix
    or fuzzy term once per index word it matches (its walk stops at limit + 1).
    """
    counts: dict[wq.Query, int] = {}          # expanding leaf -> index words; a repeated one is walked once
    terms = 0
    for leaf in _leaves(query):
        if isinstance(leaf, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            if leaf not in counts:
                counts[leaf] = _expansion(leaf, reader, limit)
            terms += counts[leaf]
        else:
            terms += len(leaf.words) if isinstance(leaf, wq.Phrase) else 1
    if terms <= total:
        return
    widest = sorted(((n, _shown(leaf), isinstance(leaf, wq.FuzzyTerm)) for leaf, n in counts.items() if n > 1),
                    reverse=True)[:3]
    fixes = dict.fromkeys("allow fewer edits (~1)" if fuzzy else "type more letters before '*'"
                          for _, _, fuzzy in widest)
    fix = (" or ".join(fixes) + " (" + ", ".join(f"'{shown}' matches {n:,}" for n, shown, _ in widest) + ")"
           if widest else "shorten it to the words that matter")
    raise QueryError(f"query too broad: it would search {terms:,} index words, the limit is {total:,} "
                     f"(a word counts once per field: body, title, section); {fix}")


def _expansion(leaf: wq.Query, reader, limit: int) -> int:
    """How many index terms a prefix or fuzzy term matches; QueryError beyond `limit`."""
    try:
        count = sum(1 for _ in islice(leaf._btexts(reader), limit + 1))
    except (KeyError, ValueError):      # a field this index does not have: nothing to expand
        return 0
    if count <= limit:
        return count
    if isinstance(leaf, wq.FuzzyTerm):
        raise QueryError(f"'{_shown(leaf)}' matches more than {limit} words; "
                         "type a longer word or allow fewer edits (~1)")
    raise QueryError(f"'{_shown(leaf)}' matches more than {limit} words; type more letters before '*'")


def _shown(leaf: wq.Query) -> str:
    """A prefix or fuzzy term as the user wrote it: qa*, title:treaty~2."""
    where = "" if leaf.fieldname == "exact" else f"{leaf.fieldname}:"
    if isinstance(leaf, wq.FuzzyTerm):
        return f"{where}{leaf.text}~{leaf.maxdist}"
    return f"{where}{leaf.text}*" if isinstance(leaf, wq.Prefix) else f"{where}{leaf.text}"


def refuse_too_deep(method):
    """Last line behind the bounds: a RecursionError (Whoosh's matchers recurse) -> QueryError."""
    @functools.wraps(method)
    def refusing(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except RecursionError as e:
            raise QueryError("query too deeply nested for the search engine; use fewer parentheses "
                             "or fewer words") from e
    return refusing


def _leaves(q: wq.Query) -> Iterator[wq.Query]:
    stack = [q]
    while stack:
        node = stack.pop()
        children = list(node.children())
        if children:
            stack.extend(children)
        else:
            yield node
