"""Ranked hits -> what a person or program reads: snippets and rendered output.

In: passages' text with the query's MatchSpec, and Results (search/results.py). Out:
Snippets with exact highlight spans, and text for a terminal, JSON for programs, a
standalone HTML page for people.

- snippets.py  phrase-aware highlighting: the best window of a passage, marked
- matching.py  which characters of a passage a MatchSpec matches, token by token
- scan.py      the faster reads of long passages (around anchors, chunk by chunk)
- render.py    Results -> text, JSON, HTML
- charts.py    trends -> bar charts and facets -> a compact table, for a terminal (rich)
"""
