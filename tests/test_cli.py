"""The `docsearch` command through click's CliRunner: outputs, exit codes and error text.

Every invocation passes color=True to CliRunner so that click itself never strips escape
codes: whether colour appears is then the command's own decision (a TTY and no NO_COLOR).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click.testing
import pytest
from click.testing import CliRunner

from conftest import COMMUNIQUE, REPO, REPORT, SEEDS, write
from indexer.store.schema import SCHEMA_VERSION
from indexer.store.directory import MARKER, WriteLock
from search import Hit, Results, Snippet
from search import Searcher
from search.cli import cli
from search.present.render import render_text

C6 = f"seeds/{COMMUNIQUE}#6"
MISSILE_TEXT = (
    "1. DPRK-U.S.A. Joint Communiqué · 2000-10-09 · Institute for Corean-American Studies (ICAS) · "
    f"§ DPRK-U.S.A. Joint Communiqué · {C6}\n"
    "   …The DPRK side informed the U.S. that it will not launch any long-range missile while the talks are "
    "going on to discuss the missile issue as an effort to build new relations.\n"
    "\n"
    "1–1 of 1 result\n"
)


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], color=True, env=env)


@pytest.fixture
def tty(monkeypatch):
    """Make the runner's stdout claim to be a terminal (as `docsearch` on a console sees it)."""
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def assert_error(result, message: str) -> None:
    """Exit 2, one line on stderr naming the problem, nothing on stdout, no traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.startswith("docsearch: error: ")
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


def hit_lines(stdout: str) -> list[str]:
    """The 'N. title · ... · id' lines of text output."""
    return [line for line in stdout.splitlines() if re.match(r"\d+\. ", line)]


def make_docs(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        write(tmp_path / "docs" / name, text)
    return tmp_path / "docs"


def indexed(tmp_path: Path, files: dict[str, str]) -> Path:
    ok(run("index", make_docs(tmp_path, files), "--index", tmp_path / "idx", "-q"))
    return tmp_path / "idx"


# -- text ----------------------------------------------------------------------------------

def test_text_output_off_a_terminal_is_plain(seeds_index):
    result = run("search", "missile", "--index", seeds_index)
    assert ok(result) == MISSILE_TEXT
    assert result.stderr == ""


def test_query_words_may_come_as_separate_arguments(seeds_index):
    assert ok(run("search", "missile", "launch", "--index", seeds_index)) == \
        ok(run("search", "missile launch", "--index", seeds_index))


def test_text_output_on_a_terminal_is_coloured(seeds_index, tty):
    out = ok(run("search", "missile", "--index", seeds_index))
    assert out.startswith("\x1b[1m1.\x1b[0m \x1b[1mDPRK-U.S.A. Joint Communiqué\x1b[0m")
    assert out.count("\x1b[1;33mmissile\x1b[0m") == 2
    assert f"\x1b[36m{C6}\x1b[0m" in out


@pytest.mark.parametrize("command", [["search", "missile"], ["show", C6, "--query", "missile"]])
def test_no_color_wins_over_a_terminal(seeds_index, tty, command):
    coloured = ok(run(*command, "--index", seeds_index))
    plain = ok(run(*command, "--index", seeds_index, env={"NO_COLOR": "1"}))
    assert "\x1b" in coloured
    assert "\x1b" not in plain
    assert plain == re.sub(r"\x1b\[[0-9;]*m", "", coloured)


def test_control_characters_in_a_document_never_reach_the_terminal(tmp_path, tty):
    idx = indexed(tmp_path, {"evil.txt": "Evil \x1b[31mred\x1b[2J walrus \x1b]0;pwned\x07 and a bell\x07 here, "
                                         "then \x9b31m more walrus text.\n"})
    out = ok(run("search", "walrus", "--index", idx))
    ours = re.sub(r"\x1b\[(?:0|1|2|36|1;33)m", "", out)
    assert "\x1b" not in ours and "\x07" not in ours and "\x9b" not in ours
    assert "walrus" in ours
    show = ok(run("show", "evil.txt#0", "--query", "walrus", "--index", idx))
    assert "\x07" not in show and "\x1b" not in re.sub(r"\x1b\[(?:0|1|2|36|1;33)m", "", show)


def test_render_text_neutralises_control_characters_in_any_field():
    evil = "\x1b]0;pwned\x07\x1b[2J"
    hit = Hit(rank=1, score=1.0, id=f"a{evil}.txt#0", doc_id="a.txt", passage=0, path="a.txt",
              title=f"Title{evil}\nsecond line", date="2000", source=f"src{evil}", author=None,
              section=f"sec{evil}", language="en", text=f"walrus {evil} walrus", start=0, end=20,
              snippet=Snippet(f"walrus {evil} walrus", ((0, 6),)))
    results = Results("walrus", 1, 1, 10, (hit,), suggestion=f"walrus{evil}")
    for color in (False, True):
        out = render_text(results, color=color)
        visible = re.sub(r"\x1b\[(?:0|1|2|36|1;33)m", "", out) if color else out
        assert "\x1b" not in visible and "\x07" not in visible
        assert "Title" in visible and "second line" in visible
        assert len(hit_lines(visible)) == 1           # the title's newline did not start a new line


# -- json ----------------------------------------------------------------------------------

def readme_json_example() -> dict:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.S).group(1)
    return json.loads(block)


OPTIONAL_STR = {"title", "date", "source", "author", "section", "language", "url", "type", "page_label",
                "page_end_label"}
OPTIONAL_INT = {"page", "page_end"}     # null for formats without pages (the seeds are text)


def test_json_shape_is_exactly_the_documented_one(seeds_index):
    doc = readme_json_example()
    out = json.loads(ok(run("search", '"no hostile intention"', "--format", "json", "--index", seeds_index)))
    assert list(out) == list(doc)
    assert (out["query"], out["total"], out["page"], out["suggestion"]) == ('"no hostile intention"', 1, 1, None)
    [hit] = out["hits"]
    assert list(hit) == list(doc["hits"][0])
    for key, documented in doc["hits"][0].items():
        if key in OPTIONAL_STR:
            assert hit[key] is None or isinstance(hit[key], str), key
        elif key in OPTIONAL_INT:
            assert hit[key] is None or isinstance(hit[key], int), key
        else:
            assert type(hit[key]) is type(documented), key
    assert (hit["rank"], hit["id"], hit["doc_id"], hit["passage"], hit["path"]) == (
        1, f"seeds/{COMMUNIQUE}#2", f"seeds/{COMMUNIQUE}", 2, COMMUNIQUE)
    assert (hit["title"], hit["date"], hit["author"], hit["language"]) == (
        "DPRK-U.S.A. Joint Communiqué", "2000-10-09", None, "en")
    assert (hit["start"], hit["end"]) == (1520, 2168) and len(hit["text"]) == 2168 - 1520
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["no hostile intention"]
    assert hit["meta"] == {"updated": "2008-06-26"}
    assert (hit["type"], hit["page"], hit["page_end"], hit["page_label"]) == ("text", None, None, None)


def test_json_dates_are_iso(seeds_index):
    out = json.loads(ok(run("search", "relations", "-n", "100", "--format", "json", "--index", seeds_index)))
    assert {h["date"] for h in out["hits"]} == {"2000-10-09", "2019-11-04"}
    assert all(re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", h["date"]) for h in out["hits"])


def test_json_offers_but_never_applies_a_suggestion(seeds_index):
    out = json.loads(ok(run("search", "Albrigth", "--format", "json", "--index", seeds_index)))
    assert out == {"query": "Albrigth", "total": 0, "page": 1, "suggestion": "Albright", "hits": []}


# -- html ----------------------------------------------------------------------------------

def test_html_is_a_standalone_page_with_marks(seeds_index):
    out = ok(run("search", "missile", "--format", "html", "--index", seeds_index))
    assert out.startswith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    assert out.endswith("</body>\n</html>\n")
    assert "<title>docsearch: missile</title>" in out and "<h1>missile</h1>" in out
    assert "<p>1 result</p>" in out
    assert out.count("<mark>missile</mark>") == 2
    assert "<h2>1. DPRK-U.S.A. Joint Communiqué</h2>" in out
    assert f"<code>{C6}</code>" in out
    uri = (SEEDS.resolve() / COMMUNIQUE).as_uri()        # the file, to open from the page
    assert f'<a class="file" href="{uri}">' in out
    assert "<link" not in out and "<script" not in out           # self-contained: nothing to fetch


def test_html_escapes_what_documents_contain(tmp_path):
    idx = indexed(tmp_path, {
        "evil.txt": 'The walrus said <script>alert("x")</script> & left <b>quickly</b>.\n',
        "evil.html": "<html><head><title>Walrus &lt;script&gt;alert(2)&lt;/script&gt;</title></head><body>"
                     "<p>A walrus page whose title tries a script tag, with plenty of text after it.</p>"
                     "</body></html>",
    })
    out = ok(run("search", "walrus", "--format", "html", "--index", idx))
    assert "<script" not in out and "<b>" not in out
    assert 'said &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; left &lt;b&gt;quickly&lt;/b&gt;.' in out
    assert "Walrus &lt;script&gt;alert(2)&lt;/script&gt;" in out


def test_html_links_only_web_urls(tmp_path):
    page = ('<html><head><title>{t}</title><link rel="canonical" href="{u}"></head><body><p>The walrus '
            'colony on the {t} shore was counted during the survey of 1998 by the field team.</p></body></html>')
    idx = indexed(tmp_path, {"js.html": page.format(t="northern", u="javascript:alert(document.cookie)"),
                             "web.html": page.format(t="southern", u="https://example.org/walrus?a=1&b=2")})
    out = ok(run("search", "walrus", "--format", "html", "--index", idx))
    assert "javascript:" not in out
    assert '<a href="https://example.org/walrus?a=1&amp;b=2">southern</a>' in out
    assert "<h2>" in out and ". northern</h2>" in out


def test_html_no_results_and_suggestion(seeds_index):
    out = ok(run("search", "Albrigth", "--format", "html", "--index", seeds_index))
    assert "<p>0 results</p>" in out and "<p>No results.</p>" in out
    assert "<p>Did you mean: <em>Albright</em>?</p>" in out


# -- pages, collapsing, filters ------------------------------------------------------------------

def test_page_two_continues_the_ranks(seeds_index):
    first = ok(run("search", "relations", "-n", "3", "--index", seeds_index))
    second = ok(run("search", "relations", "-n", "3", "--page", "2", "--index", seeds_index))
    everything = ok(run("search", "relations", "-n", "6", "--index", seeds_index))
    assert [line.split(".")[0] for line in hit_lines(second)] == ["4", "5", "6"]
    assert hit_lines(first) + hit_lines(second) == hit_lines(everything)
    assert first.endswith("1–3 of 13 results (page 1 of 5)\n")
    assert second.endswith("4–6 of 13 results (page 2 of 5)\n")


def test_a_page_past_the_end_says_so(seeds_index):
    result = run("search", "relations", "-n", "3", "--page", "9", "--index", seeds_index)
    assert ok(result) == "no results on page 9 (there are 13 results, 5 pages)\n"
    out = json.loads(ok(run("search", "relations", "--page", "9", "--format", "json", "--index", seeds_index)))
    assert (out["total"], out["page"], out["hits"]) == (13, 9, [])


def test_per_doc(seeds_index):
    out = ok(run("search", "relations", "--per-doc", "1", "--index", seeds_index))
    # Each document shows its best passage of the plain ranking.
    with Searcher(seeds_index) as s:
        passages = s.search("relations", limit=100)
    best = [next(h.id for h in passages if h.path == path) for path in (REPORT, COMMUNIQUE)]
    assert [line.split(" · ")[-1] for line in hit_lines(out)] == best
    assert out.endswith("1–2 of 2 results\n")
    data = json.loads(ok(run("search", "relations", "--per-doc", "2", "--format", "json", "--index", seeds_index)))
    assert data["total"] == 4 and [h["path"] for h in data["hits"]] == [REPORT, REPORT, COMMUNIQUE, COMMUNIQUE]


def test_per_doc_with_source(seeds_index):
    out = ok(run("search", "relations", "--per-doc", "1", "--source", "icas", "--index", seeds_index))
    assert [line.split(" · ")[-1] for line in hit_lines(out)] == [f"seeds/{COMMUNIQUE}#2"]
    assert out.endswith("1–1 of 1 result\n")


def test_or_flag(seeds_index):
    assert ok(run("search", "missile", "Nordpolitik", "--index", seeds_index)) == "no results\n"
    out = ok(run("search", "missile", "Nordpolitik", "--or", "--index", seeds_index))
    assert {line.split(" · ")[-1] for line in hit_lines(out)} == {C6, f"seeds/{REPORT}#2"}
    assert out.endswith("1–2 of 2 results\n")


@pytest.mark.parametrize("options,doc_ids", [
    (["--from", "2001"], {REPORT}),
    (["--to", "2000-12"], {COMMUNIQUE}),
    (["--from", "2000-10-09", "--to", "2000-10-09"], {COMMUNIQUE}),
    (["--to", "2000-10-08"], set()),
    (["--source", "icas"], {COMMUNIQUE}),
    (["--source", "Institute for Corean-American Studies"], {COMMUNIQUE}),
    (["--filter", "lang=en"], {COMMUNIQUE, REPORT}),
    (["--filter", "lang=ko"], set()),
])
def test_date_and_source_options(seeds_index, options, doc_ids):
    out = json.loads(ok(run("search", "relations", "-n", "100", *options, "--format", "json",
                            "--index", seeds_index)))
    assert {h["path"] for h in out["hits"]} == doc_ids
    assert out["total"] == len(out["hits"])


# -- did you mean, no results ---------------------------------------------------------------------

def test_no_results_is_exit_zero(seeds_index):
    result = run("search", "zzyzzyvax", "--index", seeds_index)
    assert ok(result) == "no results\n" and result.stderr == ""


def test_did_you_mean_in_text(seeds_index):
    assert ok(run("search", "Albrigth", "--index", seeds_index)) == "no results\ndid you mean: Albright\n"
    assert ok(run("search", "misile", "issue", "--index", seeds_index)) == \
        "no results\ndid you mean: missile issue\n"


def test_did_you_mean_under_results_that_are_few(tmp_path):
    idx = indexed(tmp_path, {"a.txt": "A walrus colony was counted on the northern shore in 1998.\n",
                             "b.txt": "A pelican nested on the harbour wall through the spring.\n",
                             "c.txt": "Two pelican chicks hatched in the reeds by the old mill.\n"})
    out = ok(run("search", "walrus", "pelicn", "--or", "--index", idx))
    assert hit_lines(out) == ["1. a.txt · docs/a.txt#0"]
    assert out.endswith("1–1 of 1 result\ndid you mean: walrus pelican\n")
    data = json.loads(ok(run("search", "walrus pelicn", "--or", "--format", "json", "--index", idx)))
    assert (data["total"], data["suggestion"], len(data["hits"])) == (1, "walrus pelican", 1)


# -- show, stats, explain -----------------------------------------------------------------------

# `show` prints the file's path relative to the current folder when it is below it, else absolute.
def shown() -> str:
    path = SEEDS.resolve() / COMMUNIQUE
    return os.path.relpath(path) if Path.cwd() in path.parents else str(path)


def test_show_prints_an_openable_path(seeds_index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)             # not below the seeds: the absolute path
    assert ok(run("show", C6, "--index", seeds_index)).splitlines()[1].endswith(
        f" · {SEEDS.resolve() / COMMUNIQUE}")
    monkeypatch.chdir(SEEDS.parent)         # below: relative to here
    assert ok(run("show", C6, "--index", seeds_index)).splitlines()[1].endswith(f" · seeds/{COMMUNIQUE}")


def test_show_text(seeds_index):
    out = ok(run("show", C6, "--context", "1", "--query", "missile", "--index", seeds_index))
    lines = out.splitlines()
    assert lines[:4] == ["DPRK-U.S.A. Joint Communiqué",
                         f"2000-10-09 · Institute for Corean-American Studies (ICAS) · {shown()}",
                         "", "§ DPRK-U.S.A. Joint Communiqué"]
    assert [line for line in lines if line.startswith(("  [", "> ["))] == [
        f"  [seeds/{COMMUNIQUE}#5]", f"> [{C6}]", f"  [seeds/{COMMUNIQUE}#7]"]
    assert "They shared the view that the settlement of the missile issue" in out
    assert "\x1b" not in out


def test_show_highlights_the_query_on_a_terminal(seeds_index, tty):
    out = ok(run("show", C6, "--context", "0", "--query", "missile", "--index", seeds_index))
    assert out.count("\x1b[1;33mmissile\x1b[0m") == 3
    assert ok(run("show", C6, "--context", "0", "--index", seeds_index)).count("\x1b[1;33m") == 0


def test_show_json(seeds_index):
    out = json.loads(ok(run("show", C6, "-C", "2", "--query", "missile", "--format", "json",
                            "--index", seeds_index)))
    assert (out["id"], out["doc_id"], out["focus"], out["date"]) == (C6, f"seeds/{COMMUNIQUE}", 2, "2000-10-09")
    assert [p["id"] for p in out["passages"]] == [f"seeds/{COMMUNIQUE}#{i}" for i in range(4, 9)]
    focus = out["passages"][2]
    assert [focus["text"][s:e] for s, e in focus["highlights"]] == ["missile", "missile", "missile"]
    assert (focus["start"], focus["end"]) == (3245, 3622)


def test_stats_text(seeds_index):
    out = ok(run("stats", "--index", seeds_index))
    lines = out.splitlines()
    assert lines[0] == f"index:     {seeds_index}"
    assert lines[1:3] == ["documents: 2", "passages:  20"]
    assert re.fullmatch(r"size:      \d+\.\d MB", lines[3])
    assert lines[4:] == ["dates:     2000-10-09 to 2019-11-04", "languages: en 2", "formats:   text 2", "sources:",
                         "       1  (unknown)", "       1  Institute for Corean-American Studies (ICAS)"]


def test_stats_json(seeds_index):
    out = json.loads(ok(run("stats", "--format", "json", "--index", seeds_index)))
    assert set(out) == {"index_dir", "documents", "passages", "size_bytes", "sources", "languages",
                        "date_from", "date_to", "schema_version", "types"}
    assert out["types"] == {"text": 2}
    assert (out["documents"], out["passages"], out["date_from"], out["date_to"]) == (2, 20, "2000-10-09", "2019-11-04")
    assert out["sources"] == {"(unknown)": 1, "Institute for Corean-American Studies (ICAS)": 1}
    assert out["size_bytes"] > 0


def test_explain(seeds_index):
    assert ok(run("explain", '"Kim Jong Il" -nuclear date:[1999 TO 2001]', "--index", seeds_index)) == (
        'AND(OR(phrase "Kim Jong Il" -> kim jong il, alias phrase "Kim Chong-il" -> kim chong il), '
        'date:[1999 TO 2001] -> 19990000..20011231, NOT word "nuclear")\n'
        'note: also searched the aliases of Kim Jong Il, ranked below what you typed; put = before a word, "phrase" or '
        '(group), or use --no-aliases, to search only what you typed\n')
    assert ok(run("explain", '="Kim Jong Il" -nuclear date:[1999 TO 2001]', "--index", seeds_index)) == (
        'AND(=phrase "Kim Jong Il" -> kim jong il, date:[1999 TO 2001] -> 19990000..20011231, '
        'NOT word "nuclear")\n')
    assert ok(run("explain", '"no hostile', "--index", seeds_index)) == (
        'phrase "no hostile"\nnote: closed the unterminated quote (column 1) at the end\n')
    assert ok(run("explain", "missile", "launch", "--or", "--index", seeds_index)) == \
        'OR(word "missile" -> missil, word "launch")\n'


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["search", "missile"], ["stats"], ["show", f"{C6}"], ["explain", "missile"]])
def test_no_index_at_a_given_folder(tmp_path, command):
    nope = tmp_path / "nope"
    result = run(*command, "--index", nope)
    assert_error(result, f"No index in {nope}; run 'docsearch index DOCS --index {nope}' first")
    assert not nope.exists()


@pytest.mark.parametrize("args,message", [
    (["(missile AND nuclear"], "unbalanced parenthesis at column 1"),
    (["missile AND (nuclear OR launch))"], "unbalanced parenthesis"),
    (["foo:bar"], "unknown field 'foo'"),
    (["date:2000-13"], "bad date '2000-13' (no month 13)"),
    (["date:[1995 TO 1993]"], "ends before it starts"),
    ([""], "empty query"),
    (["   "], "empty query"),
    (["AND"], "empty query"),
    (["missile", "--from", "2000-13"], "bad date '2000-13'"),
    (["missile", "--filter", "colour=red"], "unknown filter field 'colour'"),
    (["word~3"], "fuzzy distance 3"),
])
def test_bad_query_is_one_line_and_exit_2(seeds_index, args, message):
    assert_error(run("search", *args, "--index", seeds_index), message)


@pytest.mark.parametrize("passage_id,message", [
    ("nope", "bad passage id 'nope'"),
    (f"{COMMUNIQUE}#99", f"No passage seeds/{COMMUNIQUE}#99 in the index"),
    ("seeds/nope.txt#0", "No passage seeds/nope.txt#0 in the index; ids look like 'seeds/"),
])
def test_show_bad_id(seeds_index, passage_id, message):
    assert_error(run("show", passage_id, "--index", seeds_index), message)


def test_explain_bad_query(seeds_index):
    assert_error(run("explain", "(missile AND nuclear", "--index", seeds_index), "unbalanced parenthesis")


def test_outdated_index(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    ok(run("index", seeds_copy, "--index", idx))
    marker = json.loads((idx / MARKER).read_text())
    marker["schema_version"] = 0
    (idx / MARKER).write_text(json.dumps(marker))
    for command in (["search", "missile"], ["stats"], ["index", seeds_copy]):
        assert_error(run(*command, "--index", idx),
                     f"has schema version 0, this docsearch needs {SCHEMA_VERSION}; rebuild it with "
                     f"'docsearch index DOCS --index {idx} --rebuild'")
    ok(run("index", seeds_copy, "--index", idx, "--rebuild"))
    assert hit_lines(ok(run("search", "missile", "--index", idx)))


def test_locked_index_refuses_a_second_writer(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    ok(run("index", seeds_copy, "--index", idx))
    with WriteLock(idx):
        assert_error(run("index", seeds_copy, "--index", idx),
                     f"The index in {idx} is locked by another writer (pid {os.getpid()}); wait for it to finish")
        assert hit_lines(ok(run("search", "missile", "--index", idx)))     # readers are not blocked


def test_index_a_path_that_does_not_exist(tmp_path):
    assert_error(run("index", tmp_path / "nope", "--index", tmp_path / "idx"),
                 f"No such file or folder: {tmp_path / 'nope'}")
    assert not (tmp_path / "idx").exists()


def test_index_folder_that_is_not_ours(seeds_copy, tmp_path):
    precious = write(tmp_path / "mine" / "notes.txt", "my notes")
    for command in (["index", seeds_copy], ["index", seeds_copy, "--rebuild"], ["search", "missile"]):
        assert_error(run(*command, "--index", tmp_path / "mine"),
                     f"{tmp_path / 'mine'} is not a docsearch index (no {MARKER})")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
    assert precious.read_text() == "my notes"


@pytest.mark.parametrize("args", [
    ["search"], ["search", "missile", "-n", "0"], ["search", "missile", "--page", "0"],
    ["search", "missile", "--format", "xml"], ["search", "missile", "--filter", "colour"],
    ["show"], ["show", C6, "--context", "-1"], ["nosuchcommand"],
])
def test_usage_errors_exit_2(seeds_index, args):
    result = run(*args, "--index", seeds_index) if args[0] != "nosuchcommand" else run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert "Error:" in result.stderr and "Traceback" not in result.stderr


def test_interrupt_is_exit_130(monkeypatch, tmp_path):
    import indexer

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(indexer, "build_index", interrupted)
    result = run("index", make_docs(tmp_path, {"a.txt": "A walrus.\n"}), "--index", tmp_path / "idx")
    assert result.exit_code == 130
    assert result.stderr == "docsearch: interrupted; the index is as it was before this run\n"


# -- index --------------------------------------------------------------------------------------

SUMMARY = r"indexed {n} files? \({m} passages?\) in \d+\.\d s; {rest}\n"


def test_index_summary_and_skipped_warnings(tmp_path):
    docs = make_docs(tmp_path, {"good.txt": "A short note about the walrus colony on the northern shore, "
                                            "observed during the survey of 1998.\n"})
    (docs / "empty.txt").write_bytes(b"")
    (docs / "bin.txt").write_bytes(b"\x00\x01\x02\xff" * 300)
    idx = tmp_path / "idx"
    first = run("index", docs, "--index", idx)
    assert re.fullmatch(SUMMARY.format(n=1, m=1, rest=r"2 skipped \(1 binary, 1 empty\)"), ok(first))
    assert first.stderr == ("docsearch: warning: skipped docs/bin.txt: binary file (NUL bytes)\n"
                            "docsearch: warning: skipped docs/empty.txt: empty file (0 bytes)\n")
    assert hit_lines(ok(run("search", "walrus", "--index", idx))) == ["1. good.txt · docs/good.txt#0"]   # no title
    again = run("index", docs, "--index", idx)
    assert re.fullmatch(SUMMARY.format(n=0, m=0, rest=r"1 unchanged; 2 skipped \(1 binary, 1 empty\)"), ok(again))
    quiet = run("index", docs, "--index", idx, "--quiet")
    assert re.fullmatch(SUMMARY.format(n=0, m=0, rest=r"1 unchanged; 2 skipped \(1 binary, 1 empty\)"), ok(quiet))
    assert quiet.stderr == ""
    (docs / "good.txt").unlink()
    gone = run("index", docs, "--index", idx, "-q")
    assert re.fullmatch(SUMMARY.format(n=0, m=0, rest=r"1 removed; 2 skipped \(1 binary, 1 empty\)"), ok(gone))
    assert ok(run("search", "walrus", "--index", idx)) == "no results\n"


def test_index_without_paths_indexes_the_seeds(tmp_path):
    result = run("index", "--index", tmp_path / "idx")
    assert re.fullmatch(SUMMARY.format(n=2, m=20, rest="0 skipped"), ok(result))
    assert hit_lines(ok(run("search", "missile", "--index", tmp_path / "idx")))


def test_index_jobs_and_memory_budget(tmp_path):
    """--jobs and --memory-mb reach the indexer: a small budget writes more segments, with the
    same results; no memory or no job is a usage error."""
    from whoosh import index as whoosh_index

    from indexer.store import schema as S

    words = "walrus pelican heron colony survey shore northern count".split()
    docs = make_docs(tmp_path, {f"f{i:03}.txt": " ".join(words[(i + k) % 8] + str(k % 50) for k in range(400))
                                for i in range(300)})
    for name, budget in (("one", "256"), ("small", "1")):
        result = run("index", docs, "--index", tmp_path / name, "--jobs", "1", "--memory-mb", budget, "-q")
        assert re.fullmatch(SUMMARY.format(n=300, m=r"\d+", rest="0 skipped"), ok(result))
    segments = {name: len(whoosh_index.open_dir(str(tmp_path / name), indexname=S.INDEX_NAME)._read_toc().segments)
                for name in ("one", "small")}
    assert segments["small"] > segments["one"] == 1
    assert ok(run("search", "walrus3 heron4", "--index", tmp_path / "small", "-n", "50")) == \
        ok(run("search", "walrus3 heron4", "--index", tmp_path / "one", "-n", "50"))
    for bad in (["--memory-mb", "0"], ["--jobs", "0"]):
        result = run("index", docs, "--index", tmp_path / "bad", *bad)
        assert result.exit_code == 2 and "Invalid value" in result.stderr


def test_index_then_search_tmp_files(tmp_path):
    idx = indexed(tmp_path, {"notes/walrus.md": "# Walrus survey\n\nThe walrus colony on the northern shore "
                                                "was counted during the survey of 1998.\n"})
    out = ok(run("search", "walrus", "--index", idx))
    assert hit_lines(out) == ["1. Walrus survey · § Walrus survey · docs/notes/walrus.md#0"]


# -- the default index, --version -----------------------------------------------------------------

def test_search_without_index_builds_the_default_from_the_seeds(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    default = tmp_path / "docsearch" / "index"
    first = run("search", "missile")
    assert ok(first) == MISSILE_TEXT
    assert first.stderr == f"docsearch: no index yet; indexing the bundled seeds into {default}\n"
    second = run("search", "missile")
    assert ok(second) == MISSILE_TEXT and second.stderr == ""


def test_docsearch_index_variable_pointing_nowhere_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCSEARCH_INDEX", str(tmp_path / "typo"))
    result = run("search", "missile")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"docsearch: error: No index in {tmp_path / 'typo'} (from $DOCSEARCH_INDEX); run "
                             "'docsearch index DOCS' to make it, or point DOCSEARCH_INDEX at an index\n")
    assert not (tmp_path / "typo").exists()


def test_version():
    out = ok(run("--version"))
    assert out.startswith("docsearch ") and out.count("\n") == 1
