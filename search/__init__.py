"""Ranked keyword and phrase search with highlighted snippets over a docsearch index.

    from search import Searcher
    with Searcher() as s:                      # the default index; built from the seeds if missing
        for hit in s.search('"no hostile intention" OR missile'):
            print(hit.rank, hit.title, hit.snippet.text)

The names below are loaded when first used (PEP 562), so `import search.cli` costs only
the command line until a command needs the library.

The stages, in the order a query goes through them:

- query/       text -> ParsedQuery: lexer, parser, compiler, aliases, variants, limits
- rank/        ParsedQuery + open index -> every matching passage scored (BM25F, proximity,
               feedback), without Whoosh's per-document matchers
- searcher.py  Searcher: opens the index, runs the stages, pages, filters, groups by document
- results.py   the dataclasses it returns: Hit, Results, PassageContext, IndexStats, RemovedLines
- present/     Hits -> snippets with exact highlights, and text, JSON or HTML; trend bars
- collect/     every match counted: facets per year, source, column...; trends; batch search
- arguments.py checks of the library's arguments (types, counts, dates), errors naming them
- cli.py       the docsearch command: a thin layer over Searcher and indexer.build_index
- cliutil.py   what the commands share: one-line errors, closed pipes, query words read as options
- web/         docsearch serve: the local web page and JSON API over one open Searcher

From indexer/, search/ reads only indexer.store (the index format) and indexer.errors;
tests/test_layout.py keeps it so.
"""
from importlib import import_module

from indexer.errors import (ArgumentError, ArgumentTypeError, DocsearchError, IndexLockedError, IndexNotFoundError,
                            IndexVersionError, IndexWriteError, InputError, NotAnIndexError, PassageNotFoundError,
                            QueryError)

_LAZY = {"Searcher": "searcher", "Hit": "results", "Results": "results", "PassageContext": "results",
         "ContextPassage": "results", "IndexStats": "results", "DocumentInfo": "results",
         "Snippet": "present.snippets", "Facets": "collect.facets", "FacetValue": "collect.facets",
         "RemovedLines": "results", "RemovedLine": "results"}

__all__ = ["Searcher", "Hit", "Results", "Snippet", "PassageContext", "ContextPassage", "IndexStats", "DocumentInfo",
           "Facets", "FacetValue", "RemovedLines", "RemovedLine",
           "DocsearchError", "ArgumentError", "ArgumentTypeError", "IndexLockedError", "IndexNotFoundError",
           "IndexVersionError", "IndexWriteError", "InputError", "NotAnIndexError", "PassageNotFoundError", "QueryError"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = globals()[name] = getattr(import_module(f".{module}", __name__), name)
    return value


def __dir__():
    return sorted({*globals(), *_LAZY})
