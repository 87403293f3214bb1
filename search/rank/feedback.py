"""Pseudo-relevance feedback (RM3): a query and the index in, the query re-ranked by its best matches out.

A long natural-language question names its topic in a few of its words and
misses the words that relevant passages use for it. RM3 (Lavrenko and Croft's
relevance model interpolated with the query, as Anserini and Indri run it) reads
the best `docs` documents of a first search, weights each term by its share of a
document's text times that document's weight, and keeps the `terms` heaviest.
The final score of a passage is its first-pass score (share `weight`) plus the
expansion terms' (share 1 - `weight`).

Choices that differ from document-level RM3, because the index holds passages:
- the feedback text of a hit is its passage with `window` passages either side
  (the whole record for a short document, the local context in a long speech),
  one hit per document, so one document cannot fill the feedback set;
- the expansion only re-ranks: a passage must still match the query as typed,
  so every hit shows a query word in its snippet and `total` keeps its meaning
  (on the judged collections it scores the same nDCG@10 and MAP as OR-ing the
  terms in);
- the first pass is run once and its scores are kept (`FirstPass`), so the
  second search costs only the expansion terms' postings, not the query's again.

    first = FirstPass(scores)                        # every match of the query, scored once
    expansion = expand(searcher, first)
    final = expansion.query(first, query_words)      # run on the same searcher
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from whoosh import matching
from whoosh import query as Q

from indexer.store.analysis import STEMMED, Analyzer

FIELD = "body"


class FirstPass(Q.Query):
    """A query's matches and scores, computed once, usable as a query on the same searcher.

    Its matcher replays the stored scores (Whoosh docnums are only valid for the reader
    generation they came from, so it must run on the searcher that built it).
    """

    def __init__(self, scores, tie=None):
        self.scores = scores                    # evaluate.Scores: top-level docnums and scores
        self.tie = tie                          # order of equal scores (Scores.best)

    def best(self, n: int) -> list[tuple[int, float]]:
        """The `n` best (docnum, score), best first; ties by `tie` (default: docnum)."""
        return self.scores.best(n, self.tie or (lambda d: d))

    # -- the Query protocol ----------------------------------------------------------------
    def __eq__(self, other):
        return other is self

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"{type(self).__name__}({len(self.scores)} scored passages)"

    def is_leaf(self):
        return True

    def estimate_size(self, ixreader):
        return len(self.scores)

    def matcher(self, searcher, context=None):
        parent = searcher.get_parent()
        offset = 0 if parent is searcher else parent._offset_for_subsearcher(searcher)
        found = self.scores.within(offset, offset + searcher.doc_count_all())
        if not len(found):
            return matching.NullMatcher()
        return matching.ListMatcher((found.ids - offset).tolist(), weights=found.values.tolist())


@dataclass(frozen=True)
class Expansion:
    """The relevance model's top terms (stemmed, weights summing to 1) and how they mix with the query."""

    terms: tuple[tuple[str, float], ...]
    weight: float                      # the original query's share; the terms share 1 - weight
    documents: int                     # first-pass documents the terms came from

    def query(self, original: Q.Query, query_words: int,
              fields: dict[str, float] | None = None) -> Q.Query:
        """`original`, re-ranked by the expansion terms mixed `weight` : 1 - `weight`.

        query_words: how many words `original` weighs, so each keeps weight/query_words of
        its share (RM3 normalises the query's term weights to sum 1). fields: where an
        expansion term is searched and with what boost (default: the body only).
        """
        if not self.terms or self.weight >= 1:
            return original
        if self.weight <= 0:
            raise ValueError("the original query's weight must be above 0: the expansion only re-ranks it")
        fields = fields or {FIELD: 1.0}
        # Scores only compare, so the original keeps its scale (each word weighs 1, a share
        # of weight / query_words) and the terms are scaled to their share relative to it.
        scale = (1 - self.weight) / self.weight * max(1, query_words)
        expansion = Q.Or([Q.Term(name, t, boost=scale * w * boost)
                          for t, w in self.terms for name, boost in fields.items() if boost > 0])
        return Q.AndMaybe(original, expansion)

    def weighted_terms(self, query_words: int) -> list[tuple[str, float]]:
        """The expansion terms with the weights query() gives them in the body, next to the
        query's own words at weight 1 each (for document-level scores, search/rank/documents.py)."""
        if not self.terms or self.weight >= 1:
            return []
        scale = (1 - self.weight) / self.weight * max(1, query_words)
        return [(t, scale * w) for t, w in self.terms]

    def describe(self) -> str:
        """One line for `explain`: where the terms came from and their weights."""
        shown = ", ".join(f"{t} {w:.3f}" for t, w in self.terms) or "no terms"
        return (f"feedback (RM3) from the top {self.documents} documents, query weight "
                f"{self.weight:g}: {shown}")


def relevance_model(feedback: Iterable[tuple[str, float]], *, terms: int = 20, temperature: float = 0.3,
                    analyzer: Analyzer = STEMMED) -> list[tuple[str, float]]:
    """RM1 over (text, first-pass score) pairs: the `terms` most probable terms, weights summing to 1.

    P(w|R) = sum over texts of P(w|text) * P(text|query), with P(w|text) the term's share of
    the text's stemmed, stop-word-free terms. P(text|query) is a softmax of the scores,
    exp((score - best) / (temperature * best)): RM weighs a document by its query
    likelihood, exponential in a log-likelihood, and BM25 scores add like log-odds; the
    temperature is relative to the best score so it does not depend on the query's
    length. (Linear shares give the fifth hit nearly the first one's say.) Numbers and
    one-letter tokens (list markers, variables, initials) are left out.
    """
    counted = [(Counter(t for t in analyzer.terms(text) if len(t) > 1 and not t.isdigit()), score)
               for text, score in feedback]
    counted = [(tf, score) for tf, score in counted if tf]
    best = max((score for _, score in counted), default=0.0)
    if best <= 0:
        return []
    shares = [math.exp((score - best) / (temperature * best)) for _, score in counted]
    total = sum(shares)
    model: Counter[str] = Counter()
    for (tf, _), share in zip(counted, shares):
        length = sum(tf.values())
        for term, n in tf.items():
            model[term] += n / length * share / total
    top = model.most_common(terms)
    norm = sum(p for _, p in top)
    return [(t, p / norm) for t, p in top]


def expand(searcher, first: FirstPass, *, docs: int = 5, terms: int = 20, weight: float = 0.5,
           window: int = 2, temperature: float = 0.3, analyzer: Analyzer = STEMMED) -> Expansion:
    """The RM3 expansion from the best `docs` documents of `first` (their best passage each).

    A hit's text is its passage plus `window` passages either side, found by their ids
    (DOC_ID#N).
    """
    if docs < 1 or terms < 1 or not 0 < weight <= 1 or window < 0 or temperature <= 0:
        raise ValueError("feedback needs docs >= 1, terms >= 1, 0 < weight <= 1, window >= 0 "
                         "and temperature > 0")
    hits = _best_documents(searcher, first, docs)
    feedback = [(_context(searcher, fields, window), score) for fields, score in hits]
    model = relevance_model(feedback, terms=terms, temperature=temperature, analyzer=analyzer)
    return Expansion(tuple(model), weight, len(hits))


def _best_documents(searcher, first: FirstPass, docs: int) -> list[tuple[dict, float]]:
    """(stored fields, score) of the best passage of each of the `docs` best documents."""
    seen: set[str] = set()
    found: list[tuple[dict, float]] = []
    examined, n = 0, 4 * docs
    while True:
        best = first.best(n)
        for docnum, score in best[examined:]:
            fields = searcher.stored_fields(docnum)
            if fields["doc_id"] not in seen:
                seen.add(fields["doc_id"])
                found.append((fields, score))
                if len(found) == docs:
                    return found
        examined = len(best)
        if examined < n:
            return found
        n *= 2


def _context(searcher, fields: dict, window: int) -> str:
    """The passage's body with up to `window` passages of the same document either side."""
    doc_id, ordinal = fields["doc_id"], fields["ordinal"]
    texts = []
    for n in range(max(0, ordinal - window), ordinal + window + 1):
        if n == ordinal:
            texts.append(fields.get(FIELD) or "")
            continue
        number = searcher.document_number(id=f"{doc_id}#{n}")
        if number is not None:
            texts.append(searcher.stored_fields(number).get(FIELD) or "")
    return "\n\n".join(texts)
