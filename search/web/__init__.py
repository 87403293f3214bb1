"""The local web page: the library behind a browser, read-only, on 127.0.0.1 by default.

In: HTTP GET requests. Out: HTML pages (no JavaScript build step; search works without
JavaScript, which only adds the copy-citation button) and a JSON API whose bodies are the
CLI's `--format json` output. Routes call the same library functions as the CLI.
- app.py: create_app(): the routes (/, /passage/ID, /file/ID, /api/search, /api/passage/ID,
  /api/facets) over one open Searcher (serialised by a lock; it reopens on new commits);
- guard.py: what keeps hostile input harmless: bounds on query length, page size and request
  rate, security headers, one-line error pages, never a traceback;
- files.py: the original file of a document, only from inside its indexed root;
- timeline.py: year counts -> SVG bar geometry for the timeline (each bar a filtering link);
- templates/ (Jinja2, autoescaped) and static/ (one stylesheet, one small script).

Why Starlette + uvicorn + Jinja2: a few small, well-kept pure-Python packages (uvicorn's
optional speedups are not needed); Starlette's test client drives every route in-process
for the tests, and Jinja2 escapes every value by default, which is what documents that are
hostile input need.
"""
