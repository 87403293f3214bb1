"""Typed-first ranking: a passage that says what was typed outranks one that says only an alias.

A fixed alias weight cannot promise that order under BM25: a rare alias ("USA") has a
higher idf than the common word typed ("US"), and a typed name found only in a
document's title scores little. So an alias-only passage is scored below a floor that
no passage matching the typed words can fall under, keeping the order among alias-only
passages (a monotone squash, floor * a / (a + floor)).

The floor is a lower bound derived from the scorer itself: a term's BM25 at tf = 1 in
the longest field of the index; an OR is as low as its lowest branch; an AND or a
phrase adds up its terms. Where no bound can be derived (a prefix, a fuzzy term), the
typed matcher is walked once for its lowest real score.
"""
from __future__ import annotations

import math
from functools import partial

from whoosh import matching
from whoosh import query as wq
from whoosh.scoring import WeightLengthScorer, bm25

LENGTH_SLACK = 1.25     # field lengths are stored as one byte, rounded: bound them from above


class TypedFirst(wq.BinaryQuery):
    """`typed` OR `alias`, where every passage matching `typed` ranks above every other."""

    JOINT = " TYPEDFIRST "

    def matcher(self, searcher, context=None):
        typed, alias = self.a.matcher(searcher, context), self.b.matcher(searcher, context)
        if not typed.is_active():
            return alias
        if not alias.is_active():
            return typed
        if context is not None and context.weighting is None:
            return matching.UnionMatcher(typed, alias)      # boolean context: scores unused
        floor = score_floor(self.a, partial(term_floor, searcher))
        if floor is None or floor == math.inf:
            floor = _lowest_score(typed.copy())
        return _TypedFirstMatcher(typed, alias, floor)

    def estimate_size(self, ixreader):
        return self.a.estimate_size(ixreader) + self.b.estimate_size(ixreader)


class _TypedFirstMatcher(matching.UnionMatcher):
    def __init__(self, a, b, floor: float):
        super().__init__(a, b)
        self.floor = floor

    def copy(self):
        return type(self)(self.a.copy(), self.b.copy(), self.floor)

    def replace(self, minquality=0):
        # The union's replace() would hand back a bare child and lose the tiers.
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def score(self):
        a, b = self.a, self.b
        at = a.is_active() and (not b.is_active() or a.id() <= b.id())
        bt = b.is_active() and (not a.is_active() or b.id() <= a.id())
        alias = self._squash(b.score()) if bt else 0.0
        return a.score() + alias if at else alias

    def _squash(self, score: float) -> float:
        return squash(score, self.floor)


def squash(score: float, floor: float) -> float:
    """An alias-only score, kept in order and below `floor`."""
    return floor * score / (score + floor) if score > 0 else 0.0


def more_words_score(matched: int, bm25: float) -> float:
    """Tier by words matched; BM25 orders each tier."""
    return matched + bm25 / (bm25 + 1)


def score_floor(q: wq.Query, term_floor) -> float | None:
    """A lower bound on q's score for any passage it matches: inf if it can match none,
    None if unknown. term_floor(fieldname, text, boost) bounds one term (see term_floor)."""
    if isinstance(q, wq.Term):
        return term_floor(q.fieldname, q.text, q.boost)
    if isinstance(q, wq.Phrase):
        floors = [term_floor(q.fieldname, w, 1.0) for w in q.words]
        return None if None in floors else sum(floors) * q.boost
    if isinstance(q, wq.Or):
        floors = [score_floor(s, term_floor) for s in q.subqueries]
        return None if None in floors else min(floors, default=math.inf) * q.boost
    if isinstance(q, wq.And):
        floors = [score_floor(s, term_floor) for s in q.subqueries]
        return None if None in floors else sum(floors) * q.boost
    return None


def term_floor(searcher, fieldname: str, text, boost: float) -> float | None:
    """A term's BM25 at tf = 1 in the longest field of the index (LENGTH_SLACK above it), boosted:
    inf if the index lacks the term, None for a field BM25 does not score."""
    parent = searcher.get_parent()
    field = parent.schema[fieldname] if fieldname in parent.schema else None
    if field is None:
        return None
    try:
        btext = field.to_bytes(text)
    except ValueError:
        return None
    if (fieldname, btext) not in parent.reader():
        return math.inf                              # matches nothing: no bound to give
    scorer = parent.weighting.scorer(parent, fieldname, btext)
    if not isinstance(scorer, WeightLengthScorer):
        return None
    return tf1_floor(scorer.idf, _longest(parent.reader(), fieldname), scorer.avgfl, scorer.B, scorer.K1, boost)


def tf1_floor(idf: float, longest: int, avgfl: float, B: float, K1: float, boost: float) -> float:
    """BM25 at tf = 1 in a field LENGTH_SLACK longer than `longest`, boosted: the floor itself,
    shared by term_floor and the evaluator (search/rank/evaluate.py)."""
    return bm25(idf, 1.0, longest * LENGTH_SLACK + 1, avgfl, B, K1) * boost


def _longest(reader, fieldname: str) -> int:
    """The longest field in the index. (Whoosh's max_field_length fails when a segment has no
    length column for the field: none of its passages has a title, say.)"""
    longest = 0
    for leaf, _ in reader.leaf_readers():
        try:
            longest = max(longest, leaf.max_field_length(fieldname))
        except TypeError:
            pass
    return longest


def _lowest_score(m) -> float:
    lowest = None
    while m.is_active():
        s = m.score()
        lowest = s if lowest is None or s < lowest else lowest
        m.next()
    return lowest or 0.0


class MoreWordsFirst(wq.Or):
    """OR of the words a user typed with operator="or": a passage matching more of them ranks
    above one matching fewer (BM25 decides within a tier).

    BM25 alone sums the words' scores, so a short passage repeating one rare word outranks a
    longer one that has both words of `walrus pelican`. The score is the number of words
    matched plus the BM25 sum squashed below 1, s / (s + 1).
    """

    def matcher(self, searcher, context=None):
        subs = [q.matcher(searcher, context) for q in self.subqueries]
        active = [m for m in subs if m.is_active()]
        if len(active) < 2 or (context is not None and context.weighting is None):
            return super().matcher(searcher, context)
        return _CountingUnionMatcher(active)


class _CountingUnionMatcher(matching.Matcher):
    """A union over `children` whose score counts the children on the current document."""

    def __init__(self, children):
        self.children = children
        self._id = min(c.id() for c in children)

    def is_active(self):
        return self._id is not None

    def id(self):
        return self._id

    def _advance(self):
        ids = [c.id() for c in self.children if c.is_active()]
        self._id = min(ids) if ids else None

    def next(self):
        for c in self.children:
            if c.is_active() and c.id() == self._id:
                c.next()
        self._advance()

    def skip_to(self, target):
        for c in self.children:
            if c.is_active() and c.id() < target:
                c.skip_to(target)
        self._advance()

    def score(self):
        here = [c for c in self.children if c.is_active() and c.id() == self._id]
        return more_words_score(len(here), sum(c.score() for c in here))

    def max_quality(self):
        return len(self.children) + 1.0

    def copy(self):
        m = _CountingUnionMatcher([c.copy() for c in self.children])
        m._id = self._id
        return m

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def supports(self, astype):
        return all(c.supports(astype) for c in self.children)

    def matching_terms(self, id=None):
        id = self._id if id is None else id
        for c in self.children:
            if c.is_active() and c.id() == id:
                yield from c.matching_terms(id)

    def children_list(self):
        return list(self.children)

    def spans(self):
        spans = []
        for c in self.children:
            if c.is_active() and c.id() == self._id:
                spans.extend(c.spans())
        return sorted(set(spans))

    def term(self):
        return None

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()
