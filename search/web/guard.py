"""What keeps the server harmless: bounded requests, strict headers, errors as one line.

Documents are hostile input (a title may hold <script>, a file may be a symlink to
/etc/passwd) and so are requests. Templates escape every value (Jinja2 autoescape);
this module bounds what a request may ask, rate-limits each client, sets headers that
forbid inline scripts, framing and MIME sniffing, and turns any failure into a short
page or JSON object that never shows a traceback.
"""
from __future__ import annotations

import html
import json
import threading
import time

MAX_QUERY_CHARS = 2_000         # the library allows 10,000; a browser query box needs far less
MAX_PAGE_SIZE = 50
MAX_RESULTS_DEPTH = 1_000       # page * page size: deeper paging is refused
MAX_CONTEXT = 5                 # neighbours either side of a passage
MAX_FACET_VALUES = 20

HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# The original HTML files of the archive are served in a sandbox: a unique origin, no scripts.
SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


class Refused(Exception):
    """A request outside the bounds: status and one line for the user."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def bounded_int(value: str | None, default: int, low: int, high: int, name: str) -> int:
    if value in (None, ""):
        return default
    try:
        n = int(value)
    except ValueError:
        raise Refused(400, f"{name} must be a whole number, not {value[:40]!r}") from None
    if not low <= n <= high:
        raise Refused(400, f"{name} must be between {low} and {high}")
    return n


def bounded_query(q: str | None) -> str:
    q = q or ""
    if len(q) > MAX_QUERY_CHARS:
        raise Refused(400, f"query too long ({len(q):,} characters; at most {MAX_QUERY_CHARS:,} here)")
    return q


class RateLimit:
    """A token bucket per client address: `rate` requests a second, bursts of `burst`."""

    def __init__(self, rate: float, burst: int, clients: int = 10_000):
        self.rate, self.burst, self.clients = rate, burst, clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if len(self._buckets) >= self.clients and client not in self._buckets:
                self._buckets.clear()               # bounded memory: forget everyone rather than grow
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1, now)
            return True


class Guard:
    """ASGI middleware: the Host check, the rate limit, only GET and HEAD, and the security
    headers on every response.

    `hosts`: the Host header values accepted (None: any). A page on another site can make the
    browser resolve its own name to 127.0.0.1 (DNS rebinding) and read this server as if it
    were that site; the Host header still names that site, so a loopback server accepts only
    its loopback names.
    """

    def __init__(self, app, limit: RateLimit, hosts: frozenset[str] | None = None):
        self.app, self.limit, self.hosts = app, limit, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.hosts is not None:
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.strip("[]") not in self.hosts:
                return await _plain(send, 400, "unexpected Host header; open this page as http://127.0.0.1:PORT/")
        client = (scope.get("client") or ("?", 0))[0]
        if not self.limit.allow(client):
            return await _plain(send, 429, "too many requests; wait a second and try again", [(b"retry-after", b"1")])
        if scope["method"] not in ("GET", "HEAD"):
            return await _plain(send, 405, "this server is read-only: only GET and HEAD", [(b"allow", b"GET, HEAD")])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        return await self.app(scope, receive, send_with_headers)


async def _plain(send, status: int, line: str, extra=()):
    body = error_html(line).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())] + list(extra) + HEADERS})
    await send({"type": "http.response.body", "body": body})


def error_html(line: str) -> str:
    """The one-line error page (no template: it must work when templates fail)."""
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>docsearch: error</title>'
            '<link rel="stylesheet" href="/static/style.css"></head><body><main class="error">'
            f'<p>{html.escape(line)}</p><p><a href="/">New search</a></p></main></body></html>\n')


def error_json(line: str) -> str:
    return json.dumps({"error": line}, ensure_ascii=False) + "\n"
