"""Ranked keyword and phrase search with highlighted snippets over a docsearch index.

    from search import Searcher
    with Searcher() as s:                      # the default index; built from the seeds if missing
        for hit in s.search('"no hostile intention" OR missile'):
            print(hit.rank, hit.title, hit.snippet.text)
"""
from indexer.errors import (DocsearchError, IndexLockedError, IndexNotFoundError, IndexVersionError,
                            IndexWriteError, InputError, NotAnIndexError, QueryError)

from .results import ContextPassage, Hit, IndexStats, PassageContext, Results
from .searcher import Searcher
from .snippets import Snippet

__all__ = ["Searcher", "Hit", "Results", "Snippet", "PassageContext", "ContextPassage", "IndexStats",
           "DocsearchError", "IndexLockedError", "IndexNotFoundError", "IndexVersionError", "IndexWriteError",
           "InputError", "NotAnIndexError", "QueryError"]
