"""The cost of counting: facets beside a plain search, and the web page's server time, on the UN corpus.

Why a ratio: the machines are shared and noisy, so the figure that means something is
what facets add to the same search in the same process moments apart. Each query runs
once untimed (its postings into the page cache), then plain and faceted searches are
timed alternately, REPS times each, keeping each one's best; p50 and p95 are over the
queries. The facet table is built once per committed generation on first use: its build
time is reported apart. The page time is the server's time on a whole `GET /?q=...` (search,
facets, year timeline, template, response), measured inside the app, beside the round trip
through Starlette's in-process test client; and the same for `GET /api/search`.
A plain search is also timed on a second Searcher that never counted facets, alternately
with the first: the ratio says whether counting, once used, slows searches that do not ask.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.corpora import DEFAULT_CORPORA, UN_TXT, un_files
from bench.report import table
from bench.speed import FIXED_PHRASES, KEYWORDS, percentile

REPS = 3
FIELDS = ("year", "source", "author", "language", "country")


def _best(fn, reps: int = REPS) -> float:
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return 1000 * best


def _stats(values: list[float]) -> dict:
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95)}


def measure(index_dir: Path, queries: list[str]) -> dict:
    from starlette.testclient import TestClient

    from search import Searcher
    from search.web.app import create_app

    with Searcher(index_dir) as s:
        fields = tuple(f for f in FIELDS if f in s.facet_fields())
        s.search("general debate")
        t0 = time.perf_counter()
        s.facets("general debate", fields)          # builds the facet table of this generation
        build_ms = 1000 * (time.perf_counter() - t0)
        plain, faceted, ratios = [], [], []
        for q in queries:
            s.search(q, limit=10)
            p = f = float("inf")
            for _ in range(REPS):                    # alternate, so drift hits both alike
                p = min(p, _best(lambda: s.search(q, limit=10), 1))
                f = min(f, _best(lambda: s.search(q, limit=10, facets=fields), 1))
            plain.append(p)
            faceted.append(f)
            ratios.append(f / p)
        # A plain search where facets were never asked for (a second Searcher, no table) and one
        # where they were: having facets must not slow the searches that do not ask for them.
        with Searcher(index_dir) as fresh:
            fresh.search("general debate")
            untouched, with_table = [], []
            for q in queries:
                a = b = float("inf")
                for _ in range(REPS):
                    a = min(a, _best(lambda: fresh.search(q, limit=10), 1))
                    b = min(b, _best(lambda: s.search(q, limit=10), 1))
                untouched.append(a)
                with_table.append(b)
        timer = _ServerTimer(create_app(s, rate=1e9, burst=10**9))
        with TestClient(timer) as client:
            client.get("/", params={"q": "general debate"})
            page, page_rt = _requests(client, timer, "/", [{"q": q} for q in queries])
            api, api_rt = _requests(client, timer, "/api/search",
                                    [{"q": q, "facets": ",".join(fields)} for q in queries])
        passages = s.facets(None, ("year",)).passages
    return {"fields": list(fields), "queries": len(queries), "passages": passages,
            "table_build_ms": build_ms, "plain": _stats(plain), "faceted": _stats(faceted),
            "ratio_p50": percentile(faceted, 50) / percentile(plain, 50),
            "ratio_p95": percentile(faceted, 95) / percentile(plain, 95),
            "ratio_median_per_query": statistics.median(ratios),
            "plain_without_table": _stats(untouched), "plain_with_table": _stats(with_table),
            "plain_ratio_median_per_query": statistics.median(b / a for a, b in zip(untouched, with_table)),
            "page": _stats(page), "api_search_with_facets": _stats(api),
            "page_round_trip": _stats(page_rt), "api_round_trip": _stats(api_rt)}


class _ServerTimer:
    """ASGI wrapper: how long the server spends on a request, from its start to the last byte
    of the response (what the test client adds around it is not the server's time)."""

    def __init__(self, app):
        self.app, self.last = app, 0.0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()

        async def timed_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = 1000 * (time.perf_counter() - t0)

        await self.app(scope, receive, timed_send)


def _requests(client, timer, path: str, params: list[dict]) -> tuple[list[float], list[float]]:
    """(server ms, round-trip ms) of one GET per parameter set, each the best of REPS."""
    server, trip = [], []
    for p in params:
        best_server = best_trip = float("inf")
        for _ in range(REPS):
            t0 = time.perf_counter()
            r = client.get(path, params=p)
            best_trip = min(best_trip, 1000 * (time.perf_counter() - t0))
            best_server = min(best_server, timer.last)
            if r.status_code != 200:
                raise RuntimeError(f"GET {path} {p} answered {r.status_code}: {r.text[:200]}")
        server.append(best_server)
        trip.append(best_trip)
    return server, trip


def run_facets(n_files: int | None = None, root: Path = DEFAULT_CORPORA) -> dict:
    from indexer import build_index

    files = un_files(root, n_files)
    queries = [*KEYWORDS, *(f'"{p}"' for p in FIXED_PHRASES)]
    manifest = (root / UN_TXT).parent / "metadata.tsv"
    manifest = manifest if manifest.exists() else None          # paths relative to its folder: TXT/...
    with tempfile.TemporaryDirectory(prefix="bench-facets-") as tmp:
        source = root / UN_TXT
        if n_files is not None and len(files) < len(un_files(root)):
            source = Path(tmp) / "docs"
            for f in files:
                dest = source / f.parent.name / f.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.symlink_to(f.resolve())
            if manifest is not None:                  # the subset's rows, their paths now under docs/
                rows = manifest.read_text(encoding="utf-8").splitlines()
                keep = {f"TXT/{f.parent.name}/{f.name}" for f in files}
                kept = [rows[0]] + [r for r in rows[1:] if r.split("\t", 1)[0] in keep]
                manifest = Path(tmp) / "metadata.tsv"
                manifest.write_text("\n".join(r.replace("TXT/", "docs/", 1) for r in kept) + "\n", encoding="utf-8")
        summary = build_index([source], Path(tmp) / "idx", metadata=manifest)
        figures = measure(Path(tmp) / "idx", queries)
    return {"corpus": {"files": len(files), "mb": sum(f.stat().st_size for f in files) / 1e6,
                       "index": summary.line()}, **figures}


def render(fig: dict) -> str:
    c = fig["corpus"]
    rows = [["search, top 10", fig["plain"]["p50_ms"], fig["plain"]["p95_ms"]],
            [f"search + facets ({', '.join(fig['fields'])})", fig["faceted"]["p50_ms"], fig["faceted"]["p95_ms"]],
            ["web page GET /?q=, server time (search, facets, timeline, HTML)", fig["page"]["p50_ms"],
             fig["page"]["p95_ms"]],
            ["web page, round trip through the in-process test client", fig["page_round_trip"]["p50_ms"],
             fig["page_round_trip"]["p95_ms"]],
            ["GET /api/search?q=&facets=..., server time", fig["api_search_with_facets"]["p50_ms"],
             fig["api_search_with_facets"]["p95_ms"]]]
    return "\n".join([
        f"{c['files']} files, {c['mb']:.1f} MB, {fig['passages']:,} passages; {fig['queries']} queries "
        f"(keywords and phrases of the speed benchmark); best of {REPS} each", "",
        table(["what", "p50 ms", "p95 ms"], rows), "",
        f"facets ÷ plain search: p50 {fig['ratio_p50']:.2f}x, p95 {fig['ratio_p95']:.2f}x, median per query "
        f"{fig['ratio_median_per_query']:.2f}x; facet table built once per commit in {fig['table_build_ms']:.0f} ms "
        "(a plain search never builds it)",
        f"plain search where facets were counted before ÷ where they never were: median per query "
        f"{fig['plain_ratio_median_per_query']:.2f}x (p50 {fig['plain_with_table']['p50_ms']:.2f} vs "
        f"{fig['plain_without_table']['p50_ms']:.2f} ms)"])
