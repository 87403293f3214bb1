"""docsearch serve in a real browser: Playwright driving Debian's Chromium (installed by .ci/run).

Types a query on the seeds, sees the marked phrase, clicks a year in the timeline,
opens a passage and copies its citation; a screenshot of each page is saved in
$DOCSEARCH_SCREENSHOTS (or the test's tmp_path). Off CI, a machine without Chromium or
Playwright skips it and says why; on CI (CI=true) their absence is a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from search import Searcher
from search.web.app import create_app
from search.web.guard import LOOPBACK_NAMES

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and Path(p).exists()), None)


def _need_browser():
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the Playwright package is not installed (pip install '.[test]')"
    if reason is None and CHROMIUM is None:
        reason = "Chromium is not installed (apt-get install chromium; .ci/run does it)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def server(seeds_index):
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Searcher(seeds_index) as s:
        app = create_app(s, hosts=LOOPBACK_NAMES)              # as `docsearch serve` runs it
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        srv = uvicorn.Server(config)
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not srv.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
        srv.should_exit = True
        thread.join(10)


def test_search_timeline_passage_and_citation_in_chromium(server, tmp_path):
    _need_browser()
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("DOCSEARCH_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(server + "/")
        page.fill("input[name=q]", '"Kim Jong Il"')
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/?q=*")
        expect(page.locator("mark").first).to_have_text("Kim Jong Il")
        total = page.locator("p.total").inner_text()
        page.screenshot(path=str(shots / "serve-search.png"), full_page=True)

        # Two years have matches (the communiqué of 2000, the 2019 article); keep 2000.
        bars = page.locator("svg.timeline a.bar")
        years = [bars.nth(i).get_attribute("aria-label") for i in range(bars.count())]
        assert any(y.startswith("2000: ") for y in years) and any(y.startswith("2019: ") for y in years)
        page.locator('svg.timeline a.bar[aria-label^="2000:"] rect.fill').click()
        page.wait_for_url("**from=2000*")
        expect(page.locator("svg.timeline a.bar.selected")).to_have_attribute("aria-label", years[0])
        dates = page.locator(".hit .meta span:first-child").all_inner_texts()
        assert dates and all(d.startswith("2000") for d in dates)
        assert page.locator("p.total").inner_text() != total
        page.screenshot(path=str(shots / "serve-year.png"), full_page=True)

        page.locator(".hit h2 a").first.click()
        page.wait_for_url("**/passage/**")
        expect(page.locator("section.passage.focus mark").first).to_have_text("Kim Jong Il")
        citation = page.locator("#citation").inner_text()
        assert citation.startswith("DPRK-U.S.A. Joint Communiqué. Institute for Corean-American Studies (ICAS), "
                                   "2000-10-09.")
        page.click("#copy-citation")
        expect(page.locator("#copied")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == citation
        page.screenshot(path=str(shots / "serve-passage.png"), full_page=True)

        with page.expect_popup() as popup:
            page.click("text=Open the original file")
        original = popup.value
        original.wait_for_load_state()
        assert "DPRK-U.S.A. Joint Communiqué" in original.locator("body").inner_text()
        browser.close()
    assert not errors, errors
    for name in ("serve-search.png", "serve-year.png", "serve-passage.png"):
        assert (shots / name).stat().st_size > 10_000


def test_search_works_without_javascript(server, tmp_path):
    """The form, the timeline links and the passage page need no script; the copy button,
    which does, stays hidden and the citation stays readable."""
    _need_browser()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(server + "/")
        page.fill("input[name=q]", "missile")
        page.check("input[name=op][value=or]")
        page.click("button[type=submit]")
        page.wait_for_url("**op=or*")
        expect(page.locator("mark").first).to_have_text("missile")
        page.locator(".hit h2 a").first.click()
        page.wait_for_url("**/passage/**")
        expect(page.locator("#copy-citation")).to_be_hidden()
        expect(page.locator("#citation")).to_contain_text("DPRK-U.S.A. Joint Communiqué")
        browser.close()
