"""Ranked hits -> what a person or program reads: snippets and rendered output.

In: passages' text with the query's MatchSpec, and Results (search/results.py). Out:
Snippets with exact highlight spans, and text for a terminal, JSON for programs, a
standalone HTML page for people.

- snippets.py  phrase-aware highlighting: the best window of a passage, marked
- render.py    Results -> text, JSON, HTML
"""
