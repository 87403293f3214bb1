"""The routes of `docsearch serve`: thin handlers that call the library and fill a template.

Every handler reads its parameters through guard.py's bounds, calls one or two Searcher
methods under the lock (a Searcher is not thread-safe, and Starlette runs plain
handlers on a thread pool) and renders. The JSON API returns what the CLI's
`--format json` prints, byte for byte (search.present.render.render_json).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from indexer.errors import DocsearchError, IndexNotFoundError, PassageNotFoundError
from search.present.render import _BIDI, _LINKABLE, render_json
from search.web import guard, timeline
from search.web.files import FileRefused, encoding, media_type, original_file, read_checked
from search.web.guard import Refused

HERE = Path(__file__).resolve().parent
PAGE_FACETS = ("source", "language", "author", "type")
DATE_NAMES = ("year", "month")
MAX_COLUMNS = 8             # manifest columns counted on the page (the API counts any)


def create_app(searcher, *, rate: float = 20.0, burst: int = 60, hosts=None) -> guard.Guard:
    """The ASGI app over one open Searcher (the caller keeps it open and closes it). `hosts`: the
    Host header names accepted (guard.LOOPBACK_NAMES for a loopback server; None: any)."""
    lock = threading.Lock()
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pid"] = lambda value: quote(str(value), safe="")
    env.globals["link"] = _link

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        text = env.get_template(name).render(request=request, **context)
        return HTMLResponse(_BIDI.sub("", text), status_code=status)

    def failure(request: Request, status: int, line: str) -> Response:
        if request.url.path.startswith("/api/"):
            return Response(guard.error_json(line), status_code=status, media_type="application/json")
        return HTMLResponse(guard.error_html(line), status_code=status)

    def run(request: Request, work):
        """Call the library under the lock (reading the parameters too: naming the index's fields
        may reopen the searcher after a commit); its errors become one-line answers."""
        try:
            with lock:
                return work()
        except Refused as e:
            return failure(request, e.status, str(e))
        except FileRefused as e:
            return failure(request, 404, str(e))
        except (IndexNotFoundError, PassageNotFoundError) as e:
            return failure(request, 404, (str(e).splitlines() or ["not found"])[0])
        except (DocsearchError, ValueError) as e:
            return failure(request, 400, (str(e).splitlines() or ["bad request"])[0])

    def home(request: Request):
        def work():
            params = _params(request, searcher)
            results = error = None
            dated = bool(params["from"] or params["to"])
            # Without a date filter the timeline is one more facet of the same matches; with one,
            # it needs the matches of every date (a second evaluation), so the other years show.
            fields = params["facets"] if dated else ("year",) + params["facets"]
            try:
                if params["q"].strip():
                    results = searcher.search(params["q"], **params["search"], facets=fields,
                                              facet_limit=guard.MAX_FACET_VALUES + 1)
                    facets = results.facets
                else:
                    facets = searcher.facets(None, fields, **params["filter"], limit=guard.MAX_FACET_VALUES + 1)
                undated = {**params["filter"], "date_from": None, "date_to": None}
                by_year = (searcher.facets(params["q"] or None, ("year",), **undated) if dated else facets)
                years = timeline.bars(by_year.counts("year"))
                year = timeline.chosen_year(params["from"], params["to"])
                months = timeline.month_bars(year, searcher.facets(
                    params["q"] or None, ("month",), **{**undated, "date_from": year, "date_to": year},
                ).counts("month")) if year else []
            except DocsearchError as e:
                error, facets, years, months, year = (str(e).splitlines() or ["error"])[0], None, [], [], None
            return page(request, "search.html", status=400 if error else 200, p=params, results=results,
                        facets=facets, error=error, bars=years, months=months, year=year, chart=timeline,
                        types=searcher.facet_fields())
        return run(request, work)

    def passage(request: Request):
        pid = request.path_params["pid"]
        q = guard.bounded_query(request.query_params.get("q"))
        back = request.query_params.get("back") or ""
        # Only a search page of this server: a link back, never to another site or scheme.
        back = back if back.startswith("/?") and len(back) <= guard.MAX_QUERY_CHARS * 2 else None

        def work():
            ctx = searcher.passage(pid, context=2, query=q or None)
            record = searcher.document_record(ctx.doc_id) or {}
            return page(request, "passage.html", ctx=ctx, q=q, back=back, citation=_citation(ctx, record),
                        url=ctx.url if ctx.url and _LINKABLE.match(ctx.url) else None,
                        snippet_html=lambda s: Markup(s.to_html()))
        return run(request, work)

    def original(request: Request):
        doc_id = request.path_params["doc_id"]

        def work():
            path, record = original_file(searcher, doc_id)
            headers = {"content-security-policy": guard.SANDBOX, "content-disposition": "inline"}
            if encoding(path):
                headers["content-encoding"] = encoding(path)
            return Response(read_checked(path), media_type=media_type(path, record.get("type")), headers=headers)
        return run(request, work)

    def api_search(request: Request):
        def work():
            params = _params(request, searcher)
            if not params["q"].strip():
                raise Refused(400, "q is required: /api/search?q=QUERY")
            results = searcher.search(params["q"], **params["search"], facets=params["api_facets"])
            return Response(render_json(results), media_type="application/json")
        return run(request, work)

    def api_passage(request: Request):
        pid = request.path_params["pid"]
        q = guard.bounded_query(request.query_params.get("q"))

        def work():
            context = guard.bounded_int(request.query_params.get("context"), 1, 0, guard.MAX_CONTEXT, "context")
            return Response(render_json(searcher.passage(pid, context=context, query=q or None)),
                            media_type="application/json")
        return run(request, work)

    def api_facets(request: Request):
        def work():
            params = _params(request, searcher)
            found = searcher.facets(params["q"] or None, params["api_facets"] or (), **params["filter"])
            return Response(json.dumps(found.to_dict(), ensure_ascii=False, indent=2) + "\n",
                            media_type="application/json")
        return run(request, work)

    def not_found(request: Request, exc):
        return failure(request, 404, "not found")

    def server_error(request: Request, exc):
        return failure(request, 500, "the server failed on this request; it has not changed anything")

    routes = [
        Route("/", lambda r: _safe(r, home)),
        Route("/passage/{pid:path}", lambda r: _safe(r, passage)),
        Route("/file/{doc_id:path}", lambda r: _safe(r, original)),
        Route("/api/search", lambda r: _safe(r, api_search)),
        Route("/api/passage/{pid:path}", lambda r: _safe(r, api_passage)),
        Route("/api/facets", lambda r: _safe(r, api_facets)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 500: server_error, Exception: server_error})
    app.state.failure = failure
    return guard.Guard(app, guard.RateLimit(rate, burst), frozenset(hosts) if hosts is not None else None)


def _safe(request: Request, handler):
    """Bounds checked before the handler runs turn into one-line answers too."""
    try:
        return handler(request)
    except Refused as e:
        return request.app.state.failure(request, e.status, str(e))


def _params(request: Request, searcher) -> dict:
    """The query string -> search() and facets() arguments, every value bounded."""
    qp = request.query_params
    q = guard.bounded_query(qp.get("q"))
    n = guard.bounded_int(qp.get("n"), 10, 1, guard.MAX_PAGE_SIZE, "n")
    page = guard.bounded_int(qp.get("page"), 1, 1, guard.MAX_RESULTS_DEPTH, "page")
    if page * n > guard.MAX_RESULTS_DEPTH:
        raise Refused(400, f"page {page} is too deep; at most {guard.MAX_RESULTS_DEPTH} results are paged through")
    op = qp.get("op") or "and"
    if op not in ("and", "or"):
        raise Refused(400, "op must be 'and' or 'or'")
    available = searcher.facet_fields()
    standard = tuple(f for f in PAGE_FACETS if f in available)
    # Manifest columns (country, speaker...) count and filter too; a column named like a date
    # facet (year) is reached through the date filters instead.
    columns = tuple(f for f in available if f not in DATE_NAMES and f not in PAGE_FACETS)[:MAX_COLUMNS]
    filters = {}
    for name in ("source", "lang", "author", "type", *columns):
        value = (qp.get(name) or "")[:200]
        if value:
            filters[name] = value
    date_from, date_to = (qp.get("from") or None), (qp.get("to") or None)
    per_doc = guard.bounded_int(qp.get("per_doc"), 0, 0, 100, "per_doc") or None
    filt = {"operator": op, "date_from": date_from, "date_to": date_to, "filters": filters}
    wanted = tuple(f.strip() for f in (qp.get("facets") or "").split(",") if f.strip())[:12]
    return {"q": q, "n": n, "page": page, "op": op, "from": date_from or "", "to": date_to or "",
            "filters": filters, "per_doc": per_doc, "filter": filt,
            "search": {"limit": n, "page": page, "per_doc": per_doc, **filt},
            "facets": standard + columns, "columns": columns,
            "api_facets": wanted or None}


def _link(p: dict, **changes) -> str:
    """The search page's URL with some parameters changed (None removes one); page resets to 1."""
    values = {"q": p["q"], "op": p["op"] if p["op"] != "and" else None, "from": p["from"] or None,
              "to": p["to"] or None, "n": p["n"] if p["n"] != 10 else None, "per_doc": p["per_doc"],
              **p["filters"]}
    values["page"] = None
    values.update(changes)
    return "/?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _citation(ctx, record: dict) -> str:
    """Title. Source, date. Page where known. Path or URL. Passage id: what a footnote needs."""
    parts = [ctx.title or record.get("path") or ctx.path]
    where = ", ".join(x for x in (ctx.source, ctx.date) if x)
    if where:
        parts.append(where)
    focus = ctx.passages[ctx.focus]
    if focus.pages:                      # "p. iv", "pp. 12–13": the printed labels where defined
        parts.append(focus.pages)
    parts.append(ctx.url if ctx.url and _LINKABLE.match(ctx.url) else ctx.path)
    parts.append(f"passage {ctx.id}")
    return ". ".join(" ".join(str(p).split()) for p in parts) + "."
