"""Counting what matches, over time and over lists of queries: facets, trends, batch search.

In: a Searcher's matches (every matching docnum, from search/rank/evaluate.py). Out: counts.
- facets.py: FacetTable (docnum -> value code per field, once per generation) and Facets,
  exact passage and document counts per year, month, source, author, language, type, column;
- trend.py: one or more queries -> counts per year or month, zero-filled, as rows for CSV/JSON/charts;
- batch.py: a file of queries -> per query its total, documents, first and last date, top hits;
  a malformed query is a row with its error, never the end of the batch.
"""
