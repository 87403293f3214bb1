"""Query -> ranked passages: every matching passage scored straight from the postings.

In: a Whoosh query tree from search/query and an open index (indexer/store). Out:
Scores (passage numbers and their BM25F scores), re-ranked by proximity and, for
questions, by pseudo-relevance feedback; grouped by document, documents ranked as documents.

- evaluate.py     the evaluator: whole posting lists -> the score of every match
- postings.py     a term's postings over all segments as numpy arrays, read on demand
- scores.py       Scores: every match and its score; the top N in a stable order
- bm25.py         the BM25F weighting (Lucene's idf) Whoosh's matchers use
- stats.py        BM25 statistics over the live passages only
- tiers.py        typed-first and more-words-first ranking (query nodes and their floors)
- proximity.py    a bonus where the query's words stand close together
- feedback.py     RM3 pseudo-relevance feedback for natural-language questions
- quoted.py       an e-mail's new text before its quoted reply where both hold the query's words
- documents.py    per-document results: passage scores plus whole-document BM25
- whoosh_fixes.py corrected Whoosh pieces (AndNot)
"""
