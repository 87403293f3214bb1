"""Ranking metrics: a ranked list of doc ids and one query's judgments in, a float out.

Written here (not taken from a library) so the definitions are visible and tested:
- nDCG@k: DCG = sum gain(rel_i) / log2(i + 1), i from 1, over the ideal ordering of all judged
  documents; gain(rel) = 2**rel - 1 (Burges et al.), the form that reproduces issue 4's peer
  table, or rel itself with `exponential=False` (trec_eval's `ndcg_cut`). Same for binary rel.
- AP@k (MAP@k when averaged): precision at each relevant document retrieved in the top k,
  divided by the number of relevant documents R (trec_eval's convention, not min(R, k)).
- Recall@k: relevant documents in the top k over R.
`gains` maps each relevant doc id to its relevance level > 0 (Cranfield: 5 - grade); unjudged
and non-relevant documents are 0.
Rankings are expected to name each document once.
"""
from __future__ import annotations

import math
from statistics import fmean
from typing import Iterable, Mapping, Sequence


def dcg(levels: Iterable[float], exponential: bool = True) -> float:
    return sum((2**r - 1 if exponential else r) / math.log2(i + 2) for i, r in enumerate(levels))


def ndcg_at_k(ranking: Sequence[str], gains: Mapping[str, float], k: int = 10,
              exponential: bool = True) -> float:
    ideal = dcg(sorted(gains.values(), reverse=True)[:k], exponential)
    if ideal == 0:
        return 0.0
    return dcg((gains.get(d, 0.0) for d in ranking[:k]), exponential) / ideal


def average_precision(ranking: Sequence[str], gains: Mapping[str, float], k: int = 100) -> float:
    relevant = {d for d, g in gains.items() if g > 0}
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for i, d in enumerate(ranking[:k], start=1):
        if d in relevant:
            found += 1
            total += found / i
    return total / len(relevant)


def recall_at_k(ranking: Sequence[str], gains: Mapping[str, float], k: int = 100) -> float:
    relevant = {d for d, g in gains.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def evaluate(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, float]],
             ndcg_k: int = 10, depth: int = 100) -> dict[str, float]:
    """Mean nDCG@ndcg_k, MAP@depth and Recall@depth over the judged queries of `qrels`.

    A judged query missing from `runs` counts as an empty ranking (score 0), never skipped.
    """
    judged = [q for q, g in qrels.items() if any(v > 0 for v in g.values())]
    if not judged:
        raise ValueError("no judged queries: every query's judgments are empty")
    return {
        f"ndcg@{ndcg_k}": fmean(ndcg_at_k(runs.get(q, ()), qrels[q], ndcg_k) for q in judged),
        f"ndcg_linear@{ndcg_k}": fmean(ndcg_at_k(runs.get(q, ()), qrels[q], ndcg_k, exponential=False)
                                       for q in judged),
        f"map@{depth}": fmean(average_precision(runs.get(q, ()), qrels[q], depth) for q in judged),
        f"recall@{depth}": fmean(recall_at_k(runs.get(q, ()), qrels[q], depth) for q in judged),
        "queries": len(judged),
    }
