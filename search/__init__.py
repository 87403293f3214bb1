"""Ranked keyword and phrase search with highlighted snippets over a docsearch index.

    from search import Searcher
    with Searcher() as s:                      # the default index; built from the seeds if missing
        for hit in s.search('"no hostile intention" OR missile'):
            print(hit.rank, hit.title, hit.snippet.text)
"""
import gc

# Importing numpy, Whoosh and these modules makes a few hundred thousand objects and no garbage,
# yet sets off the cyclic collector again and again: paused meanwhile, a search command starts
# about 15 ms sooner. (It is restored as it was, whatever happens.)
_collecting = gc.isenabled()
gc.disable()
try:
    from indexer.errors import (DocsearchError, IndexLockedError, IndexNotFoundError, IndexVersionError,
                                IndexWriteError, InputError, NotAnIndexError, QueryError)

    from .results import ContextPassage, Hit, IndexStats, PassageContext, Results
    from .searcher import Searcher
    from .snippets import Snippet
finally:
    if _collecting:
        gc.enable()

__all__ = ["Searcher", "Hit", "Results", "Snippet", "PassageContext", "ContextPassage", "IndexStats",
           "DocsearchError", "IndexLockedError", "IndexNotFoundError", "IndexVersionError", "IndexWriteError",
           "InputError", "NotAnIndexError", "QueryError"]
