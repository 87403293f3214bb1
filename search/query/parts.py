"""Compiled pieces of a query (Part) and how they combine: AND, OR, exclusions, weights,
and the nesting that keeps wide groups shallow for Whoosh."""
from __future__ import annotations

from dataclasses import dataclass, replace

from whoosh import query as wq

from search.rank.tiers import MoreWordsFirst
from search.rank.whoosh_fixes import AndNot


KEYWORD_QUERY_WORDS = 3      # an OR query of up to this many words ranks more matched words first
_FANOUT = 16                 # widest And/Or handed to Whoosh (see _tree)


# --- compiler: tree -> Whoosh query + MatchSpec ---------------------------------------------

@dataclass(frozen=True)
class Part:
    query: wq.Query
    desc: str
    excluded: "Part | None" = None    # set when the part means "every passage except `excluded`"
    alias: bool = False                # another name for what was typed: ranks below it


def describe(kind: str, parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{kind}({', '.join(parts)})"


def combine_parts(required: list[Part], optional: list[Part], excluded: list[Part]) -> Part | None:
    """required AND (optional adds score) AND NOT excluded, in Lucene's sense."""
    if not (required or optional or excluded):
        return None
    descs = [p.desc for p in required]
    if required and optional:
        q = wq.AndMaybe(all_of(required), _more_words_first(optional))
        descs.append(f"OPTIONAL({', '.join(p.desc for p in optional)})")
    elif required:
        q = all_of(required)
    elif optional:
        q = _more_words_first(optional)
        descs.append(describe("OR", [p.desc for p in optional]))
    else:
        q = wq.Every()
        descs.append("ALL")
    if not excluded:
        return Part(q, describe("AND", descs))
    descs += [f"NOT {p.desc}" for p in excluded]
    negative = Part(any_of(excluded), describe("OR", [p.desc for p in excluded]))
    whole = Part(AndNot(q, negative.query), describe("AND", descs))
    return replace(whole, excluded=negative) if isinstance(q, wq.Every) else whole


class Key:
    """A query as a dict key, hashed once: Whoosh hashes a compound query's whole tree
    at every look-up."""

    __slots__ = ("query", "hash")

    def __init__(self, query: wq.Query):
        self.query, self.hash = query, hash(query)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other) -> bool:
        return self.query == other.query


_BOOSTABLE = (wq.Term, wq.Phrase, wq.Or, wq.And)


def weighted(part: Part, times: int) -> Part:
    """A clause typed `times` times, searched once with its score multiplied."""
    q = part.query
    if times == 1 or type(q) not in _BOOSTABLE or (isinstance(q, wq.compound.CompoundQuery) and len(q.subqueries) < 2):
        return part
    return replace(part, query=q.with_boost(q.boost * times))


def _more_words_first(parts: list[Part]) -> wq.Query:
    """Keywords (up to KEYWORD_QUERY_WORDS): the passages matching more of them first. A longer,
    question-like query keeps plain BM25: tiers by matched words cost 0.06 to 0.10 nDCG@10 on
    the relevance collections, whose queries are questions, as Bendersky and Croft found for
    verbose queries."""
    if len(parts) == 1:
        return parts[0].query
    if len(parts) > KEYWORD_QUERY_WORDS:
        return any_of(parts)
    return MoreWordsFirst([p.query for p in parts])


def all_of(parts: list[Part]) -> wq.Query:
    return _tree(wq.And, [p.query for p in parts])


def any_of(parts: list[Part]) -> wq.Query:
    return _tree(wq.Or, [p.query for p in parts])


def _tree(kind: type, queries: list[wq.Query]) -> wq.Query:
    """`kind(queries)`, nested in groups of at most _FANOUT when wider.

    Whoosh builds an And's matchers as a chain as long as its list (an Or's can be
    as long too), and each matcher step recurses down it: ~1,000 ANDed words raised
    RecursionError. Groups keep every chain short and the nesting logarithmic; AND
    and OR are associative, so matches and scores are the same.
    """
    while len(queries) > _FANOUT:
        queries = [group[0] if len(group) == 1 else kind(group)
                   for group in (queries[i:i + _FANOUT] for i in range(0, len(queries), _FANOUT))]
    return queries[0] if len(queries) == 1 else kind(queries)


def show(typed: str, terms: list[str] | str) -> str:
    """`"typed" -> terms`, the arrow only when analysis changed the text."""
    shown = terms if isinstance(terms, str) else " ".join(terms)
    return f'"{typed}"' if shown == typed else f'"{typed}" -> {shown}'


def max_gap(tokens) -> int:
    """Whoosh slop that lets a stemmed-field phrase span the stop words its analyzer dropped."""
    return max((b.pos - a.pos for a, b in zip(tokens, tokens[1:])), default=1)
