"""docsearch serve, through Starlette's test client: every route, hostile documents, traversal, limits."""
from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from indexer import build_index
from search import Searcher
from search.cli import cli
from search.web.app import create_app
from tests.conftest import write

FILLER = " The report continues with routine notes on weather, harvest figures and transport schedules." * 4
HOSTILE_TITLE = '<script>alert("title")</script>'
HOSTILE_SOURCE = '"><svg onload=alert(1)>'


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "docs"
    write(root / "plain.txt", "The missile talks of 2001 went on." + FILLER + "\n\nThe missile issue again." + FILLER)
    write(root / "plain.txt.meta.json", json.dumps({"title": "Plain report", "date": "2001-05-02",
                                                    "source": "KCNA"}))
    write(root / "old.txt", "An older missile note from 1998." + FILLER)
    write(root / "old.txt.meta.json", json.dumps({"title": "Old note", "date": "1998-01-20", "source": "Rodong"}))
    write(root / "evil.txt", 'The missile <img src=x onerror=alert("body")> and \u202eevil\u202c text.' + FILLER)
    write(root / "evil.txt.meta.json", json.dumps({"title": HOSTILE_TITLE, "date": "2001-02-03",
                                                   "source": HOSTILE_SOURCE, "url": "javascript:alert(1)"}))
    write(root / "leak.txt", "A missile leak that will become a symlink." + FILLER)
    index = tmp_path / "idx"
    build_index([root], index)
    return root, index


@pytest.fixture
def client(archive):
    with Searcher(archive[1]) as s:
        with TestClient(create_app(s), raise_server_exceptions=False) as c:
            yield c


def test_search_page_marks_matches_and_escapes_documents(client):
    r = client.get("/", params={"q": "missile"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "5 results" in page
    assert "<mark>missile</mark>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(&quot;body&quot;)&gt;" in page
    assert "<svg onload" not in page and "&#34;&gt;&lt;svg onload=alert(1)&gt;" in page
    assert "\u202e" not in page                           # bidi overrides are dropped
    assert "javascript:" not in page
    # The security headers: no inline script can run even if something slipped through.
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_timeline_bar_filters_to_its_year(client):
    page = client.get("/", params={"q": "missile"}).text
    bars = dict(re.findall(r'<a href="([^"]+)" class="bar[^"]*" aria-label="(\d{4}): \d+"', page))
    bars = {year: href.replace("&amp;", "&") for href, year in bars.items()}
    assert set(bars) == {str(y) for y in range(1998, 2002)}          # zero-filled 1998..2001
    filtered = client.get(bars["2001"]).text
    assert "3 results" in filtered and "Old note" not in filtered
    assert 'class="bar selected" aria-label="2001: 3"' in filtered    # the whole timeline stays, 2001 marked
    # ... and 2001's months appear: February (evil.txt) and May (plain.txt's two passages).
    assert "<h3>2001 by month</h3>" in filtered
    months = dict(re.findall(r'<a href="([^"]+)" class="bar[^"]*" aria-label="(2001-\d\d): \d+"', filtered))
    assert len(months) == 12 and 'aria-label="2001-05: 2"' in filtered and 'aria-label="2001-02: 1"' in filtered
    may = client.get({v: k for k, v in months.items()}["2001-05"].replace("&amp;", "&")).text
    assert "2 results" in may and "Plain report" in may and 'class="bar selected" aria-label="2001-05: 2"' in may
    assert "<h3>By year</h3>" in client.get("/", params={"q": "missile"}).text
    assert "by month" not in client.get("/", params={"q": "missile"}).text


def test_facet_link_filters_by_source(client):
    page = client.get("/", params={"q": "missile"}).text
    href = re.search(r'<a href="([^"]+)">KCNA</a>', page).group(1).replace("&amp;", "&")
    filtered = client.get(href).text
    assert "2 results" in filtered and "Plain report" in filtered and "Old note" not in filtered


def test_paging_and_did_you_mean(client, seeds_index):
    page1 = client.get("/", params={"q": "missile", "n": 1}).text
    assert "page 1 of 5" in page1 and 'rel="next"' in page1
    page2 = client.get("/", params={"q": "missile", "n": 1, "page": 2}).text
    assert 'rel="prev"' in page2 and "<span class=\"rank\">2.</span>" in page2
    with Searcher(seeds_index) as s, TestClient(create_app(s)) as c:
        page = c.get("/", params={"q": "Albrigth"}).text
    assert re.search(r'Did you mean <a href="/\?q=Albright">Albright</a>', page)


def test_bad_query_is_a_400_page_with_one_line(client):
    r = client.get("/", params={"q": "nope:missile"})
    assert r.status_code == 400
    quote_ = "(&#39;|&#x27;)"
    assert re.search(f'<p class="error" role="alert">unknown field {quote_}nope{quote_} at column 1', r.text)
    assert "Traceback" not in r.text


def test_passage_page_has_neighbours_mark_citation_and_file_link(client):
    r = client.get("/passage/" + quote("docs/plain.txt#1", safe=""), params={"q": "missile issue"})
    assert r.status_code == 200
    page = r.text
    assert '<section class="passage focus" id="p1">' in page and 'id="p0"' in page
    assert "<mark>missile</mark> <mark>issue</mark>" in page
    assert '<p id="citation">Plain report. KCNA, 2001-05-02. plain.txt. passage docs/plain.txt#1.</p>' in page
    assert 'href="/file/docs%2Fplain.txt"' in page
    hostile = client.get("/passage/" + quote("docs/evil.txt#0", safe="")).text
    assert "<script>alert" not in hostile and "javascript:" not in hostile


def test_original_file_is_served_read_only_from_its_root(client, archive):
    root, _ = archive
    r = client.get("/file/docs/plain.txt")
    assert r.status_code == 200 and r.content == (root / "plain.txt").read_bytes()
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-security-policy"].startswith("sandbox")


@pytest.mark.parametrize("path", ["/file/..%2F..%2Fetc%2Fpasswd", "/file/../../etc/passwd", "/file/%2Fetc%2Fpasswd",
                                  "/file/docs%2F..%2F..%2Fidx", "/static/..%2Fapp.py", "/static/../app.py",
                                  "/file/plain.txt%00", "/passage/..%2F..%2Fetc%2Fpasswd%230"])
def test_path_traversal_is_refused(client, path):
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert "root:" not in r.text and "create_app" not in r.text


def test_symlink_out_of_the_root_is_refused(client, archive, tmp_path):
    root, _ = archive
    secret = write(tmp_path / "secret.txt", "the password is swordfish\n")
    (root / "leak.txt").unlink()
    os.symlink(secret, root / "leak.txt")
    r = client.get("/file/docs/leak.txt")
    assert r.status_code == 404 and "outside its indexed folder" in r.text and "swordfish" not in r.text


def test_api_search_is_exactly_the_cli_json(client, archive):
    _, index = archive
    cli_out = CliRunner().invoke(cli, ["search", "missile", "--index", str(index), "--format", "json", "-n", "2",
                                       "--page", "2", "--from", "2000"]).output
    r = client.get("/api/search", params={"q": "missile", "n": 2, "page": 2, "from": "2000"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.text == cli_out
    faceted = client.get("/api/search", params={"q": "missile", "facets": "year,source"}).json()
    cli_faceted = json.loads(CliRunner().invoke(cli, ["search", "missile", "--index", str(index), "--format", "json",
                                                      "--facets", "year,source"]).output)
    assert faceted == cli_faceted and "facets" in faceted


def test_api_passage_and_facets(client, archive):
    r = client.get("/api/passage/" + quote("docs/plain.txt#1", safe=""), params={"context": 1, "q": "missile"})
    data = r.json()
    assert data["id"] == "docs/plain.txt#1" and [p["passage"] for p in data["passages"]] == [0, 1]
    assert data["passages"][1]["highlights"] == [[4, 11]]
    f = client.get("/api/facets", params={"q": "missile", "facets": "year,source"}).json()
    with Searcher(archive[1]) as s:
        assert f == s.facets("missile", ("year", "source")).to_dict()
    everything = client.get("/api/facets").json()
    assert everything["passages"] >= 5 and everything["documents"] == 4
    assert client.get("/api/passage/" + quote("nope#0", safe="")).status_code == 404
    bad = client.get("/api/facets", params={"q": "missile", "facets": "colour"})
    assert bad.status_code == 400 and "unknown facet field" in bad.json()["error"]


@pytest.mark.parametrize("params,message", [
    ({"q": "x" * 2001}, "query too long"),
    ({"q": "missile", "n": 51}, "n must be between 1 and 50"),
    ({"q": "missile", "n": "ten"}, "n must be a whole number"),
    ({"q": "missile", "n": 50, "page": 21}, "too deep"),
    ({"q": "missile", "op": "xor"}, "op must be"),
    ({"q": "missile", "from": "last week"}, "bad date"),
])
def test_limits(client, params, message):
    for path in ("/", "/api/search"):
        r = client.get(path, params=params)
        assert r.status_code == 400, (path, params)
        assert message in r.text


def test_read_only_and_rate_limited(archive):
    with Searcher(archive[1]) as s, TestClient(create_app(s, rate=0.5, burst=3)) as c:
        assert c.post("/api/search", data={"q": "x"}).status_code == 405
        assert c.delete("/").status_code == 405
        codes = [c.get("/api/search", params={"q": "missile"}).status_code for _ in range(3)]
        assert codes == [200, 429, 429]           # the two refused writes used up two of the three tokens
        assert c.get("/").headers.get("retry-after") == "1"


def test_server_error_is_one_line(archive):
    with Searcher(archive[1]) as s:
        def broken(*a, **k):
            raise RuntimeError("secret internals /etc/shadow")
        s.search = broken
        with TestClient(create_app(s), raise_server_exceptions=False) as c:
            r = c.get("/", params={"q": "missile"})
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "the server failed on this request" in r.text


def test_one_searcher_sees_new_commits(client, archive):
    root, index = archive
    assert "0 results" in client.get("/", params={"q": "zeppelin"}).text
    write(root / "new.txt", "A zeppelin flew over." + FILLER)
    build_index([root], index)
    assert "1 result" in client.get("/", params={"q": "zeppelin"}).text


def test_home_page_without_query_shows_the_archive(client):
    page = client.get("/").text
    assert "It holds" in page and "4 documents" in page and 'class="timeline"' in page


def test_serve_warns_for_other_hosts(monkeypatch, archive):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    r = CliRunner().invoke(cli, ["serve", "--index", str(archive[1]), "--host", "0.0.0.0", "--port", "9999"])
    assert r.exit_code == 0 and "warning: listening on 0.0.0.0" in r.output
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 9999
    r = CliRunner().invoke(cli, ["serve", "--index", str(archive[1])])
    assert "warning" not in r.output and calls[-1]["host"] == "127.0.0.1"


def test_manifest_columns_count_and_filter(tmp_path):
    root = tmp_path / "docs"
    for name, country in (("a.txt", "Japan"), ("b.txt", "Chile"), ("c.txt", "Japan")):
        write(root / name, f"Statement on missile tests by {country}." + FILLER)
    manifest = write(tmp_path / "m.tsv", "path\tcountry\na.txt\tJapan\nb.txt\tChile\nc.txt\tJapan\n")
    build_index([root], tmp_path / "idx", metadata=manifest)
    with Searcher(tmp_path / "idx") as s, TestClient(create_app(s)) as c:
        page = c.get("/", params={"q": "missile"}).text
        assert "<details><summary>country</summary>" in page
        assert re.search(r'<a href="/\?q=missile&amp;country=Japan">Japan</a>\s*<span class="count">2</span>', page)
        assert "<h3>Sources</h3>" not in page           # no document has a source: no list of "(none)"
        filtered = c.get("/", params={"q": "missile", "country": "Japan"}).text
        assert "2 results" in filtered and "<details open><summary>country</summary>" in filtered
        assert '<input type="hidden" name="country" value="Japan">' in filtered   # kept by a new search


def test_serve_on_a_taken_port_is_one_line(archive):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        r = CliRunner().invoke(cli, ["serve", "--index", str(archive[1]), "--port", str(port)])
    assert r.exit_code == 2
    assert r.output.startswith(f"docsearch: error: cannot listen on 127.0.0.1:{port} (")


def test_one_per_document_and_the_json_link(client):
    page = client.get("/", params={"q": "missile", "per_doc": 1}).text
    assert "4 results" in page                       # plain.txt's two missile passages count once
    assert 'name="per_doc" value="1" checked' in page
    href = re.search(r'<a href="(/api/search\?[^"]+)" class="json">JSON</a>', page).group(1).replace("&amp;", "&")
    data = client.get(href).json()
    assert data["total"] == 4 and len({h["doc_id"] for h in data["hits"]}) == 4


def test_documents_in_subfolders_and_missing_files(tmp_path):
    root = tmp_path / "docs"
    write(root / "sub" / "deep" / "nested.txt", "A nested missile memo." + FILLER)
    write(root / "gone.txt", "A missile memo that will be moved away." + FILLER)
    build_index([root], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s, TestClient(create_app(s)) as c:
        page = c.get("/", params={"q": "nested"}).text
        href = re.search(r'<a href="(/passage/[^"]+)">', page).group(1).replace("&amp;", "&")
        assert href.startswith("/passage/docs%2Fsub%2Fdeep%2Fnested.txt%230?")
        passage = c.get(href).text
        assert 'href="/file/docs%2Fsub%2Fdeep%2Fnested.txt"' in passage
        assert c.get("/file/docs%2Fsub%2Fdeep%2Fnested.txt").text.startswith("A nested missile memo.")
        assert c.get("/file/docs/sub/deep/nested.txt").status_code == 200
        (root / "gone.txt").rename(tmp_path / "elsewhere.txt")
        r = c.get("/file/docs/gone.txt")
        assert r.status_code == 404 and "no longer there" in r.text
        assert c.get("/api/search").json() == {"error": "q is required: /api/search?q=QUERY"}


def test_loopback_server_refuses_other_host_names(archive):
    """DNS rebinding: another site's name resolved to 127.0.0.1 still arrives in the Host header."""
    from search.web.guard import LOOPBACK_NAMES

    with Searcher(archive[1]) as s, TestClient(create_app(s, hosts=LOOPBACK_NAMES),
                                               base_url="http://127.0.0.1:8080") as c:
        assert c.get("/", params={"q": "missile"}).status_code == 200
        assert c.get("/api/search", params={"q": "missile"}, headers={"host": "localhost:8080"}).status_code == 200
        assert c.get("/api/search", params={"q": "missile"}, headers={"host": "[::1]:8080"}).status_code == 200
        r = c.get("/api/search", params={"q": "missile"}, headers={"host": "evil.example:8080"})
        assert r.status_code == 400 and "unexpected Host header" in r.text and "missile" not in r.text


def test_html_originals_are_served_in_a_sandbox(tmp_path):
    root = tmp_path / "docs"
    write(root / "page.html", "<html><head><title>Hostile page</title><script>alert(1)</script></head>"
                              "<body><p>A missile report in HTML." + FILLER + "</p></body></html>")
    build_index([root], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s, TestClient(create_app(s)) as c:
        r = c.get("/file/docs/page.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"].startswith("sandbox;")       # a unique origin, no scripts
    assert "script-src" not in r.headers["content-security-policy"]


def test_passage_page_links_back_to_the_same_results(client):
    page = client.get("/", params={"q": "missile", "from": "2001", "to": "2001", "n": 1, "page": 2}).text
    href = re.search(r'<h2><span class="rank">2.</span> <a href="([^"]+)">', page).group(1).replace("&amp;", "&")
    passage = client.get(href).text
    back = re.search(r'<p class="back"><a href="([^"]+)">', passage).group(1).replace("&amp;", "&")
    assert back == "/?q=missile&from=2001&to=2001&n=1&page=2"
    for hostile in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        r = client.get("/passage/" + quote("docs/plain.txt#0", safe=""), params={"q": "missile", "back": hostile})
        assert 'href="/?q=missile"' in r.text and "evil" not in r.text and "javascript:" not in r.text


def test_citation_gives_the_printed_page_of_a_pdf_passage(tmp_path):
    """A citation needs the page: the label the PDF prints ("3"), and both ends of a passage
    that runs over a page break."""
    from tests.test_pdf import LOREM, make_pdf

    pages = [{"heading": "Preface", "outline": 0, "body": "How the record was kept. " + LOREM},
             {"heading": "The First Round", "outline": 0,
              "body": LOREM * 2 + "The envoy proposed a moratorium on missile launches, "},
             {"body": "which the other side accepted after a long recess. " + LOREM * 2},
             {"heading": "Verification", "outline": 0, "body": "Inspectors would visit Yongbyon. " + LOREM}]
    (tmp_path / "docs").mkdir()
    pdf = make_pdf(tmp_path / "docs" / "talks.pdf", pages, title="Report on the Talks",
                   labels={0: ("r", 1), 1: ("D", 1)})          # printed: i, then 1, 2, 3
    build_index([pdf.parent], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s, TestClient(create_app(s), raise_server_exceptions=False) as c:
        cited = {}
        for query in ("Yongbyon", "moratorium"):
            [hit] = s.search(query, limit=1)
            page = c.get("/passage/" + quote(hit.id, safe=""), params={"q": query}).text
            cited[query] = re.search(r'<p id="citation">(.*?)</p>', page).group(1)
    assert "Report on the Talks. " in cited["Yongbyon"] and ". p. 3. talks.pdf. " in cited["Yongbyon"]
    assert ". pp. 1–2. talks.pdf. " in cited["moratorium"]
