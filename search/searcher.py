"""Query text -> ranked Hits with phrase-aware snippets, over an index the indexer wrote.

    with Searcher("idx/") as s:
        for hit in s.search('"no hostile intention" OR missile'):
            print(hit.rank, hit.title, hit.snippet.text)

One Whoosh searcher stays open for the Searcher's life and is reopened when a
writer commits, so a long-running program sees new documents and never a
half-written state (Whoosh readers see one committed generation).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from whoosh import query as Q

from indexer.store.directory import check_index_dir, check_version, default_index_dir, read_marker
from indexer.store import schema as S
from indexer.store.analysis import EXACT
from indexer.errors import (ArgumentError, ArgumentTypeError, DocsearchError, IndexNotFoundError, PassageNotFoundError,
                            QueryError)
from indexer.store.roots import Roots

from search.rank import feedback

from search.rank import documents, proximity, quoted
from search.rank.bm25 import BM25
from search.rank.evaluate import Evaluator, Scores
from search.query.match import MatchSpec
from search.query.aliases import load_aliases
from search.query.parse import KEYWORD_QUERY_WORDS, IndexVocabulary, check_expansion, date_range, parse_query, refuse_too_deep
from search.arguments import _check_count, _check_text, _date_bound
from search.results import ContextPassage, DocumentInfo, Hit, IndexStats, PassageContext, RemovedLine, RemovedLines, Results, page_fields, quoted_fields  # noqa: E501
from search.present.snippets import make_snippet
from search.query.spelling import suggest
from search.collect.facets import FacetTable, Facets

_OPERATORS = ("and", "or")


class Searcher:
    """Ranked search over one index; a context manager that keeps its reader open.

    Ranking is BM25 (Lucene's idf; k1 0.9, b 0.6) over body, title and section, a word in the
    title or a section heading weighing a quarter of a body word (the title is stored on every
    passage and is usually also the document's first line and first heading, so a higher
    weight counts it three times), plus, among the best 100 passages, a bonus where the
    query's words stand close together in any order, and one for each pair of neighbouring
    query words within pair_slop positions (search/rank/proximity.py). Queries are
    scored straight from the postings (search/rank/evaluate.py), every match counted. With
    operator="or", keywords (up to KEYWORD_QUERY_WORDS) rank the passages matching more of
    them first; a longer, natural-language question (feedback_min_words words or more) is
    re-ranked by pseudo-relevance feedback (search/rank/feedback.py), which costs about one
    more pass over the expansion terms' postings; feedback_docs=0 turns it off. Results
    grouped by document (per_doc) rank documents as documents: the best passage's score plus
    document_weight times the BM25 of the whole document for the query's words and, with
    document_feedback, the feedback terms (search/rank/documents.py).

    The defaults were chosen on five judged collections by leave-one-collection-out
    (bench/tuning.py; the figures are in the README): one set for every collection.
    """

    def __init__(self, index_dir: str | Path | None = None, *, k1: float = 0.9, b: float = 0.6,
                 title_boost: float = 0.25, section_boost: float = 0.25, proximity_boost: float = 1.0,
                 proximity_slop: int = 8, pair_boost: float = 0.25, pair_slop: int = 3, feedback_docs: int = 5, feedback_terms: int = 20,
                 feedback_weight: float = 0.55, feedback_min_words: int = KEYWORD_QUERY_WORDS + 1,
                 other_passages_weight: float = 0.0, document_weight: float = 1.0,
                 document_feedback: bool = True,
                 snippet_size: int = 240,
                 aliases: str | Path | None = None, builtin_aliases: bool = True, use_aliases: bool = True):
        if snippet_size < 40:
            raise ArgumentError("snippet_size must be at least 40 characters")
        if k1 < 0 or not 0 <= b <= 1:
            raise ArgumentError("BM25 needs k1 >= 0 and 0 <= b <= 1")
        if feedback_docs < 0 or feedback_terms < 1 or not 0 < feedback_weight <= 1:
            raise ArgumentError("feedback needs feedback_docs >= 0 (0 turns it off), feedback_terms >= 1 "
                             "and 0 < feedback_weight <= 1")
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self.boosts = {"title": title_boost, "section": section_boost, "body": 1.0}
        self.proximity_boost = proximity_boost
        if not 0 <= other_passages_weight <= 1:
            raise ValueError("other_passages_weight must be between 0 (best passage only) and 1 (sum)")
        self.other_passages_weight = other_passages_weight
        if document_weight < 0:
            raise ValueError("document_weight must be 0 (passage scores only) or more")
        self.document_weight = document_weight
        self.document_feedback = document_feedback
        self.proximity_slop = proximity_slop
        self.pair = {"pair_boost": pair_boost, "pair_slop": pair_slop}     # proximity.py; 0 turns it off
        self.feedback = {"docs": feedback_docs, "terms": feedback_terms, "weight": feedback_weight,
                         "min_words": feedback_min_words}
        self.snippet_size = snippet_size
        # Alias sets (search/query/aliases.py): the built-in table plus the file `aliases`, or only that
        # file with builtin_aliases=False; use_aliases=False turns expansion off.
        self.aliases = load_aliases(aliases, builtin=builtin_aliases) if use_aliases else None
        self._weighting = BM25(B=b, K1=k1)
        if index_dir is None and check_index_dir(self.index_dir, for_writing=True) is None:
            if os.environ.get("DOCSEARCH_INDEX"):
                # A typo in the variable must not quietly build a seeds index there and answer "no results".
                raise IndexNotFoundError(f"No index in {self.index_dir} (from $DOCSEARCH_INDEX); run 'docsearch "
                                         f"index DOCS' to make it, or point DOCSEARCH_INDEX at an index")
            self._build_default()
        marker = check_index_dir(self.index_dir, for_writing=False)
        check_version(self.index_dir, marker)
        self._ix = None
        try:
            self._searcher = self._open_searcher()
        except Exception as e:      # Whoosh raises bare Exceptions for damaged files
            raise DocsearchError(f"Cannot open the index in {self.index_dir} ({e}); "
                                 f"rebuild it with 'docsearch index DOCS --index {self.index_dir} --rebuild'") from e
        self._extra_fields = self._meta_fields()
        self._roots = Roots.from_marker(marker)

    def _open_searcher(self, attempts: int = 20):
        """A searcher on the latest commit. A writer committing meanwhile deletes the files of
        the generation being opened (its TOC, its merged segments); like Lucene's
        FindSegmentsFile, open the then-latest commit again instead of failing."""
        for attempt in range(attempts):
            try:
                if self._ix is None:
                    self._ix = S.open_index(self.index_dir)
                return self._ix.searcher(weighting=self._weighting)
            except FileNotFoundError:
                self._ix = None
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))

    def _build_default(self) -> None:
        from indexer import build_index

        print(f"docsearch: no index yet; indexing the bundled seeds into {self.index_dir}", file=sys.stderr)
        build_index(None, self.index_dir)

    def _meta_fields(self) -> tuple[str, ...]:
        names = self._searcher.reader().indexed_field_names()
        return tuple(sorted(n[len(S.META_PREFIX):] for n in names if n.startswith(S.META_PREFIX)))

    # -- lifecycle -----------------------------------------------------------
    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def _current(self):
        if self._searcher is None:
            raise DocsearchError("this Searcher is closed")
        if not self._searcher.up_to_date():
            # A new searcher, not Whoosh's refresh(): refresh() reuses the reader of every
            # segment whose id is unchanged, with its old deletions, so passages deleted
            # by the commit would still be found beside their replacements.
            old, self._searcher = self._searcher, self._open_searcher()
            old.close()
            self._extra_fields = self._meta_fields()
            self._roots = Roots.from_marker(read_marker(self.index_dir))
        return self._searcher

    # -- searching -----------------------------------------------------------
    @refuse_too_deep
    def search(self, query: str, limit: int = 10, page: int = 1, per_doc: int | None = None,
               operator: str = "and", date_from: str | None = None, date_to: str | None = None,
               filters: Mapping[str, str] | None = None, facets: Sequence[str] | None = None,
               facet_limit: int | None = None) -> Results:
        """The `page`-th page of `limit` hits, best first; with `facets` (field names, or () for
        the defaults), `results.facets` counts every match per value (see facets()), keeping the
        `facet_limit` most frequent values of each field but year and month when given."""
        _check_text("query", query)
        _check_count("limit", limit)
        _check_count("page", page)
        if per_doc is not None:
            _check_count("per_doc", per_doc)
        if operator not in _OPERATORS:
            raise ArgumentError(f"operator must be 'and' or 'or', not {operator!r}")
        searcher = self._current()
        self._evaluator(searcher).new_query()
        parsed = self._parse(searcher, query, operator)
        check_expansion(parsed.query, searcher.reader())
        filter_query = self._filter(date_from, date_to, filters)
        try:
            scores = self._first_pass(searcher, parsed, filter_query)
            scores, expansion = self._feedback(searcher, scores, parsed, operator)
            quoted.prefer_new_text(self._evaluator(searcher), scores, parsed.words, page * limit)
            found, total = self._top(searcher, scores, page * limit, per_doc, parsed, expansion)
        except DocsearchError:
            raise
        except (ValueError, TypeError, AttributeError) as e:
            raise QueryError(f"cannot run query {query!r}: {e}") from e
        counted = None
        if facets is not None:
            counted = self._facet_table(searcher).count(scores.ids, self._facet_fields(searcher, facets), query,
                                                        facet_limit)
        start = (page - 1) * limit
        hits = tuple(self._hit(rank, score, searcher.stored_fields(docnum), parsed.match)
                     for rank, (docnum, score) in enumerate(found[start:], start + 1))
        suggestion = (self._suggest(searcher, query, total, operator, (date_from, date_to, filters))
                      if total < 3 else None)
        return Results(query, total, page, limit, hits, suggestion, parsed.notes, counted)

    @refuse_too_deep
    def facets(self, query: str | None, fields: Sequence[str] = (), operator: str = "and",
               date_from: str | None = None, date_to: str | None = None,
               filters: Mapping[str, str] | None = None, limit: int | None = None) -> Facets:
        """Exact counts of the passages and documents matching `query` (None: every passage) per
        value of each of `fields` (year, month, source, author, language, type or a manifest
        column; () for those of year, source, author, language, type the index has), under the
        same filters as search(). The matches are computed once, as search() computes them,
        and counted in one pass per field (search/collect/facets.py). `limit` keeps the most
        frequent values of each non-date field."""
        if operator not in _OPERATORS:
            raise ArgumentError(f"operator must be 'and' or 'or', not {operator!r}")
        searcher = self._current()
        ev = self._evaluator(searcher)
        ev.new_query()
        filter_query = self._filter(date_from, date_to, filters)
        if query is None or not query.strip():
            base = Q.Every() if filter_query is None else filter_query
            ids = ev.scores(base).ids
        else:
            parsed = self._parse(searcher, query, operator)
            check_expansion(parsed.query, searcher.reader())
            try:
                ids = self._first_pass(searcher, parsed, filter_query).ids
            except DocsearchError:
                raise
            except (ValueError, TypeError, AttributeError) as e:
                raise QueryError(f"cannot run query {query!r}: {e}") from e
        return self._facet_table(searcher).count(ids, self._facet_fields(searcher, fields), query, limit)

    def facet_fields(self) -> tuple[str, ...]:
        """The names facets() can count in this index."""
        return self._facet_table(self._current()).available()

    def _facet_table(self, searcher) -> FacetTable:
        """One per committed generation, like the evaluator it reads from."""
        table = getattr(self, "_facets", None)
        if table is None or table.searcher is not searcher:
            table = self._facets = FacetTable(self._evaluator(searcher))
        return table

    def _facet_fields(self, searcher, fields) -> tuple[str, ...]:
        table = self._facet_table(searcher)
        fields = tuple(fields) or table.defaults()
        for name in fields:
            table.resolve(name)
        return fields

    def _evaluator(self, searcher) -> Evaluator:
        """One per committed generation: it caches the segments' field lengths and term idfs."""
        ev = getattr(self, "_ev", None)
        if ev is None or ev.searcher is not searcher:
            ev = self._ev = Evaluator(searcher, self._weighting)
        return ev

    def _first_pass(self, searcher, parsed, filter_query) -> Scores:
        """Every passage matching the query (and the filters), scored by BM25 plus the
        proximity bonus (search/rank/proximity.py). Filters join the query as zero-score clauses."""
        query = parsed.query
        if filter_query is not None:
            query = Q.And([query, Q.ConstantScoreQuery(filter_query, 0.0)])
        ev = self._evaluator(searcher)
        scores = ev.scores(query)
        if len(parsed.words) <= 12:
            proximity.rescore(ev, scores, parsed.words, slop=self.proximity_slop, boost=self.proximity_boost,
                              tie=ev.tie, **self.pair)
        return scores

    def _top(self, searcher, scores: Scores, n: int, per_doc: int | None, parsed=None, expansion=None):
        """(the best `n` (docnum, score), how many passages match): with per_doc, documents
        ranked as documents (search/rank/documents.py), at most per_doc passages each, and
        the count is of those kept. The whole-document BM25 weighs the query's plain words
        and, with document_feedback, the feedback terms as the final query weighs them."""
        ev = self._evaluator(searcher)
        if not per_doc:
            return scores.best(n, ev.tie), len(scores)
        groups = ev.groups()
        _, sizes = np.unique(groups[scores.ids], return_counts=True)
        total = int(np.minimum(sizes, per_doc).sum())
        whole = None
        if self.document_weight and parsed is not None:
            terms = [(w, 1.0) for w in parsed.words]
            if expansion is not None and self.document_feedback:
                terms += expansion.weighted_terms(len(parsed.words) + len(parsed.match.phrases))
            whole = documents.document_bm25(ev, terms)
        return documents.top_documents(scores, groups, n, per_doc, self.other_passages_weight, ev.tie,
                                       whole, self.document_weight), total

    def _feedback(self, searcher, scores: Scores, parsed, operator: str):
        """(scores re-ranked by pseudo-relevance feedback, the Expansion or None); see search/rank/feedback.py.

        Only for operator="or" queries of at least feedback_min_words words: the long,
        loosely worded questions it helps. A keyword query (all words required) or a
        short one keeps its ranking and its single pass.
        """
        fb = self.feedback
        if fb["docs"] < 1 or operator != "or" or len(parsed.words) < fb["min_words"]:
            return scores, None
        first = feedback.FirstPass(scores, self._evaluator(searcher).tie)
        expansion = feedback.expand(searcher, first, docs=fb["docs"], terms=fb["terms"], weight=fb["weight"])
        final = expansion.query(first, len(parsed.words) + len(parsed.match.phrases), self.boosts)
        return self._evaluator(searcher).scores(final), expansion

    def _filter(self, date_from, date_to, filters):
        clauses = []
        low, high = _date_bound(date_from, upper=False), _date_bound(date_to, upper=True)
        if low is not None and high is not None and low > high:
            raise QueryError(f"the date range is reversed: from {date_from} is after to {date_to}")
        if low is not None or high is not None:
            clauses.append(date_range(low, high))   # not NumericRange: it over-matches open ranges in 2.7.5
        for name, value in (filters or {}).items():
            clauses.append(self._field_filter(name, value))
        return Q.And(clauses) if clauses else None

    def _field_filter(self, name: str, value: str):
        field = {"lang": "language"}.get(name, name)
        if field in ("language", "type"):
            return Q.Term(field, str(value).strip().lower())
        if field == "page":
            return Q.Term("pages", "".join(str(value).split()).lower())
        if field in ("path", "doc_id"):
            return Q.Term(field, str(value))
        schema = self._current().schema
        if field not in S.TEXT_FIELDS and field in schema.names() and type(schema[field]).__name__ == "ID":
            return Q.Term(field, str(value))     # another whole-value field (a document's type): as stored
        if field not in ("source", "author"):
            if name not in self._extra_fields:
                known = ", ".join(("source", "author", "language", "path", "type", "page") + self._extra_fields)
                raise QueryError(f"unknown filter field {name!r}; filter on one of: {known}")
            field = S.META_PREFIX + name
        terms = EXACT.terms(str(value))
        if not terms:
            raise QueryError(f"the filter {name}={value!r} has no searchable words")
        return Q.Term(field, terms[0]) if len(terms) == 1 else Q.Phrase(field, terms)

    def _hit(self, rank: int, score: float, f: dict, spec: MatchSpec) -> Hit:
        text = f.get("body", "")
        meta = {k[len(S.META_PREFIX):]: v for k, v in f.items() if k.startswith(S.META_PREFIX)}
        root = self._roots.split_id(f["doc_id"])[0]
        return Hit(root=root, abs_path=self._roots.abs_path(f["doc_id"]), rank=rank, score=float(score), id=f["id"], doc_id=f["doc_id"], passage=f["ordinal"],
                   path=f["path"], title=f.get("title"), date=f.get("date_text"), source=f.get("source"),
                   author=f.get("author"), section=f.get("section"), language=f.get("language") or None,
                   text=text, start=f["start"], end=f["end"],
                   snippet=make_snippet(text, spec, size=self.snippet_size, quoted=f.get("quoted_spans") or ()),
                   url=f.get("url"), meta=meta, **page_fields(f), **quoted_fields(f))

    # -- did you mean --------------------------------------------------------
    def _vocabulary_of(self, searcher) -> IndexVocabulary:
        """One per committed generation: its look-ups are cached for the generation's life."""
        vocabulary = getattr(self, "_vocabulary", None)
        if vocabulary is None or vocabulary.searcher is not searcher:
            ev = self._evaluator(searcher)
            vocabulary = self._vocabulary = IndexVocabulary(
                searcher, phrase_count=lambda terms: ev.count(Q.Phrase("exact", list(terms))))
        return vocabulary

    def _parse(self, searcher, query: str, operator: str = "and"):
        """`query` parsed against `searcher`'s generation: one call of the public API uses one
        searcher throughout, since a second _current() could reopen and close the first."""
        return parse_query(query, operator=operator, boosts=self.boosts, extra_fields=self._extra_fields,
                           aliases=self.aliases, vocabulary=self._vocabulary_of(searcher))

    def _suggest(self, searcher, query: str, total: int, operator: str, limits=(None, None, None)) -> str | None:
        """The query with misspelt words corrected from the index's vocabulary (search/query/spelling.py),
        when that finds more passages under the same date and field limits; else None."""
        filter_query = self._filter(*limits)

        def count(corrected: str) -> int:
            parsed = self._parse(searcher, corrected, operator)
            check_expansion(parsed.query, searcher.reader())
            query = parsed.query
            if filter_query is not None:
                query = Q.And([query, Q.ConstantScoreQuery(filter_query, 0.0)])
            return self._evaluator(searcher).count(query)

        return suggest(query, searcher.reader(), count, total, self._extra_fields,
                       vocabulary=self._vocabulary_of(searcher))

    # -- other views ---------------------------------------------------------
    @refuse_too_deep
    def explain(self, query: str, operator: str = "and") -> str:
        """The parsed query as text, lenient readings included, and the feedback terms if any."""
        _check_text("query", query)
        if operator not in _OPERATORS:
            raise ArgumentError(f"operator must be 'and' or 'or', not {operator!r}")
        searcher = self._current()
        self._evaluator(searcher).new_query()
        parsed = self._parse(searcher, query, operator)
        expansion = self._feedback(searcher, self._first_pass(searcher, parsed, None), parsed, operator)[1]
        return parsed.explain() + (f"\n{expansion.describe()}" if expansion else "")

    def passage(self, passage_id: str, context: int = 1, query: str | None = None) -> PassageContext:
        """The passage `DOC_ID#N` with `context` passages either side, highlighted for `query`."""
        _check_text("passage_id", passage_id)
        if not isinstance(context, int) or isinstance(context, bool):
            raise ArgumentTypeError(f"context must be an int, not {type(context).__name__}")
        doc_id, sep, ordinal = passage_id.rpartition("#")
        if not sep or not ordinal.isdigit():
            raise QueryError(f"bad passage id {passage_id!r}: write DOC_ID#N as shown in search results")
        if context < 0:
            raise ArgumentError("context must be 0 or more")
        searcher = self._current()
        spec = self._parse(searcher, query).match if query else MatchSpec()
        wanted = range(int(ordinal) - context, int(ordinal) + context + 1)
        rows = sorted((f for f in searcher.documents(doc_id=doc_id) if f["ordinal"] in wanted),
                      key=lambda f: f["ordinal"])
        if not rows:
            # An id without its root, as ids were before roots were part of them: the one
            # document of that path under any root.
            matches = [f"{label}/{doc_id}" for label in self._roots.by_label
                       if searcher.document(doc_id=f"{label}/{doc_id}") is not None]
            if len(matches) == 1:
                doc_id, passage_id = matches[0], f"{matches[0]}#{ordinal}"
                rows = sorted((f for f in searcher.documents(doc_id=doc_id) if f["ordinal"] in wanted),
                              key=lambda f: f["ordinal"])
            elif len(matches) > 1:
                raise PassageNotFoundError(f"No passage {passage_id}: {doc_id!r} is in several roots; write one of "
                                           + ", ".join(f"'{m}#{ordinal}'" for m in matches))
        if not any(f["ordinal"] == int(ordinal) for f in rows):
            example = next(iter(self._roots.by_label), "docs") + "/report.txt"
            raise PassageNotFoundError(f"No passage {passage_id} in the index; ids look like "
                                       f"'{example}#0' (see search results or 'docsearch list')")
        first = rows[0]
        passages = tuple(ContextPassage(f["id"], f["ordinal"], f["body"], f["start"], f["end"], f.get("section"),
                                        make_snippet(f["body"], spec, size=max(len(f["body"]), 40)),
                                        **page_fields(f), **quoted_fields(f))
                         for f in rows)
        focus = next(i for i, f in enumerate(rows) if f["ordinal"] == int(ordinal))
        return PassageContext(passage_id, doc_id, first["path"], first.get("title"), first.get("date_text"),
                              first.get("source"), first.get("url"), passages, focus, type=first.get("type"),
                              author=first.get("author"), root=self._roots.split_id(doc_id)[0],
                              abs_path=self._roots.abs_path(doc_id))

    def documents(self, path: str | None = None) -> tuple[DocumentInfo, ...]:
        """The documents the index holds, by id; with `path`, those whose id starts with it or
        whose file lies under it (a folder or file path, present or gone)."""
        import os

        from indexer.store.roots import contains

        marker = read_marker(self.index_dir) or {}
        roots = Roots.from_marker(marker)
        where = os.path.realpath(path) if path else None
        out = []
        for doc_id, d in sorted(marker.get("documents", {}).items()):
            abs_path = d.get("abs_path") or roots.abs_path(doc_id)
            if path and not (doc_id.startswith(path) or (abs_path and contains(where, abs_path))):
                continue
            out.append(DocumentInfo(doc_id, d.get("path", ""), roots.split_id(doc_id)[0] or d.get("root"),
                                    abs_path, d.get("title"), d.get("date"), d.get("source"), d.get("language"),
                                    int(d.get("passages", 0)), int(d.get("size", 0)),
                                    bool(abs_path) and os.path.exists(abs_path)))
        return tuple(out)

    def roots(self) -> dict[str, str]:
        """The index's roots: label -> folder (or file), as ids begin with the label."""
        return Roots.from_marker(read_marker(self.index_dir)).to_marker()

    def document_record(self, doc_id: str) -> dict | None:
        """What the index recorded of a document when it was read (its root folder, path relative
        to it, hash, size...): the docinfo of its first passage; None for an unknown id."""
        for f in self._current().documents(doc_id=doc_id):
            if f.get("ordinal") == 0 and f.get("docinfo"):
                return dict(f["docinfo"])
        return None

    def removed(self, doc_id: str) -> RemovedLines:
        """The lines of document `doc_id` (or DOC_ID#N) left out of its passages, with why, in order."""
        doc_id = doc_id.rpartition("#")[0] if doc_id.rpartition("#")[2].isdigit() else doc_id
        first = next((f for f in self._current().documents(doc_id=doc_id) if f["ordinal"] == 0), None)
        if first is None:
            raise IndexNotFoundError(f"No document {doc_id!r} in the index; use the doc_id shown in search results")
        return RemovedLines(doc_id, first["path"], first.get("title"), tuple(RemovedLine(*r) for r in first.get("removed") or ()))

    def stats(self) -> IndexStats:
        marker = read_marker(self.index_dir) or {}
        documents = marker.get("documents", {})
        sources: dict[str, int] = {}
        languages: dict[str, int] = {}
        types: dict[str, int] = {}
        dates = sorted(d["date"] for d in documents.values() if d.get("date"))
        for d in documents.values():
            key = d.get("source") or "(unknown)"
            sources[key] = sources.get(key, 0) + 1
            kind = d.get("type") or "(unknown)"
            types[kind] = types.get(kind, 0) + 1
            lang = d.get("language") or "(unknown)"
            languages[lang] = languages.get(lang, 0) + 1
        size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
        return IndexStats(str(self.index_dir), len(documents), self._current().doc_count(), size,
                          dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
                          dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
                          dates[0] if dates else None, dates[-1] if dates else None,
                          marker.get("schema_version", 0),
                          dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))))
