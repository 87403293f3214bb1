"""An archive the user can manage: ids with their root, edits that take effect, list and remove,
every file accounted for (issue 13). Real folders in tmp_path, through the library and the CLI."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import indexer
from conftest import COMMUNIQUE, SEEDS, write
from indexer import InputError, build_index
from indexer.store.directory import MARKER
from indexer.store.manage import remove_paths
from search import PassageNotFoundError, QueryError, Searcher
from search.cli import cli

PARA = ("The delegation discussed the missile programme and the agreed framework at length, "
        "and both sides noted that further talks would be needed before the end of the year. ")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def hits(idx, query: str) -> list[tuple[str, str | None]]:
    with Searcher(idx) as s:
        return [(h.doc_id, h.title) for h in s.search(query, limit=100)]


def marker(idx) -> dict:
    return json.loads((idx / MARKER).read_text(encoding="utf-8"))


# -- ids ------------------------------------------------------------------------------------------

def test_two_folders_with_the_same_file_name_keep_both(tmp_path):
    a, b, idx = tmp_path / "a", tmp_path / "b", tmp_path / "idx"
    write(a / "README.md", "Alpha notes on the armistice. " + PARA)
    write(b / "README.md", "Beta notes on the armistice. " + PARA)
    build_index([a], idx)
    second = build_index([b], idx)
    assert (second.indexed, second.removed) == (1, 0)
    with Searcher(idx) as s:
        found = s.search("armistice", limit=10)
        assert sorted(h.id for h in found) == ["a/README.md#0", "b/README.md#0"]
        for hit in found:
            assert hit.path == "README.md" and hit.root == str(tmp_path / hit.doc_id.split("/")[0])
            assert hit.abs_path == os.path.join(hit.root, "README.md")
            assert open(hit.abs_path, encoding="utf-8").read().startswith(("Alpha", "Beta"))
    assert marker(idx)["roots"] == {"a": str(a), "b": str(b)}


def test_the_same_folder_spelled_another_way_is_not_read_again(tmp_path, monkeypatch):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "one.txt", "The walrus colony. " + PARA)
    (tmp_path / "link").symlink_to(docs)
    (tmp_path / "elsewhere").mkdir()
    build_index([docs], idx)
    monkeypatch.chdir(tmp_path / "elsewhere")
    for spelling in ("../docs", "../link", str(tmp_path / "link") + "/"):
        summary = build_index([spelling], idx)
        assert (summary.indexed, summary.unchanged, summary.removed) == (0, 1, 0), spelling
    assert hits(idx, "walrus") == [("docs/one.txt", None)]
    assert list(marker(idx)["roots"]) == ["docs"]


def test_folders_of_the_same_name_get_distinct_labels(tmp_path):
    first, second, idx = tmp_path / "x" / "docs", tmp_path / "y" / "docs", tmp_path / "idx"
    write(first / "a.txt", "First walrus. " + PARA)
    write(second / "a.txt", "Second walrus. " + PARA)
    build_index([first, second], idx)
    assert sorted(d for d, _ in hits(idx, "walrus")) == ["docs/a.txt", "docs~2/a.txt"]
    assert marker(idx)["roots"] == {"docs": str(first), "docs~2": str(second)}
    # Stable: a re-run in the other order keeps each folder's label.
    assert build_index([second, first], idx).unchanged == 2


def test_a_subfolder_of_a_root_keeps_the_roots_ids(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "top.txt", "Top level walrus. " + PARA)
    write(docs / "sub" / "deep.txt", "Deep walrus. " + PARA)
    build_index([docs], idx)
    write(docs / "sub" / "new.txt", "New walrus. " + PARA)
    (docs / "sub" / "deep.txt").unlink()
    summary = build_index([docs / "sub"], idx)
    assert (summary.indexed, summary.removed) == (1, 1)
    assert sorted(d for d, _ in hits(idx, "walrus")) == ["docs/sub/new.txt", "docs/top.txt"]


def test_a_file_on_its_own_is_known_by_its_name(tmp_path):
    idx = tmp_path / "idx"
    note = write(tmp_path / "note.txt", "A lone walrus. " + PARA)
    build_index([note], idx)
    assert hits(idx, "walrus") == [("note.txt", None)]
    with Searcher(idx) as s:
        assert s.search("walrus")[0].abs_path == str(note)


def test_show_accepts_an_id_without_its_root_when_it_is_unambiguous(tmp_path, seeds_index):
    with Searcher(seeds_index) as s:
        ctx = s.passage(f"{COMMUNIQUE}#2", context=0)
        assert (ctx.id, ctx.doc_id, ctx.abs_path) == (f"seeds/{COMMUNIQUE}#2", f"seeds/{COMMUNIQUE}",
                                                     str(SEEDS.resolve() / COMMUNIQUE))
    a, b, idx = tmp_path / "a", tmp_path / "b", tmp_path / "idx"
    write(a / "README.md", "Alpha. " + PARA)
    write(b / "README.md", "Beta. " + PARA)
    build_index([a, b], idx)
    with Searcher(idx) as s, pytest.raises(PassageNotFoundError, match="in several roots; write one of "
                                           "'a/README.md#0', 'b/README.md#0'"):
        s.passage("README.md#0")


# -- edits take effect ------------------------------------------------------------------------------

def test_an_edited_sidecar_reindexes_the_document(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "memo.txt", "The walrus memo. " + PARA)
    write(docs / "memo.txt.meta.json", json.dumps({"title": "First title"}))
    build_index([docs], idx)
    write(docs / "memo.txt.meta.json", json.dumps({"title": "Second title"}))
    summary = build_index([docs], idx)
    assert (summary.indexed, summary.unchanged) == (1, 0)
    assert hits(idx, "walrus") == [("docs/memo.txt", "Second title")]
    (docs / "memo.txt.meta.json").unlink()          # a removed sidecar counts too
    assert build_index([docs], idx).indexed == 1
    assert hits(idx, "walrus")[0][1] != "Second title"


def test_an_edited_manifest_row_reindexes_only_that_document(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "a.txt", "Walrus alpha. " + PARA)
    write(docs / "b.txt", "Walrus beta. " + PARA)
    manifest = tmp_path / "meta.tsv"
    manifest.write_text("path\ttitle\na.txt\tAlpha one\nb.txt\tBeta one\n", encoding="utf-8")
    build_index([docs], idx, metadata=manifest)
    manifest.write_text("path\ttitle\na.txt\tAlpha two\nb.txt\tBeta one\n", encoding="utf-8")
    summary = build_index([docs], idx, metadata=manifest)
    assert (summary.indexed, summary.unchanged) == (1, 1)
    assert sorted(hits(idx, "walrus")) == [("docs/a.txt", "Alpha two"), ("docs/b.txt", "Beta one")]


def test_changed_passage_options_reindex(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "long.txt", "\n\n".join(f"Paragraph {i} about the walrus. " + PARA * 2 for i in range(6)))
    build_index([docs], idx)
    assert build_index([docs], idx, max_chars=400).indexed == 1
    assert build_index([docs], idx, max_chars=400).unchanged == 1


def test_an_unchanged_file_is_not_read_and_a_touched_one_is_hashed_once(tmp_path, monkeypatch):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "a.txt", "Walrus. " + PARA)
    build_index([docs], idx)
    read = []
    real = indexer._sha256
    monkeypatch.setattr(indexer, "_sha256", lambda path: read.append(path) or real(path))
    assert build_index([docs], idx, procs=1).unchanged == 1 and read == []      # size and mtime decide
    os.utime(docs / "a.txt", (1, 1))
    assert build_index([docs], idx, procs=1).unchanged == 1 and len(read) == 1  # hashed: same content
    assert build_index([docs], idx, procs=1).unchanged == 1 and len(read) == 1  # the new mtime was kept


# -- list and remove ---------------------------------------------------------------------------------

@pytest.fixture
def two_roots(tmp_path):
    a, b, idx = tmp_path / "a", tmp_path / "b", tmp_path / "idx"
    write(a / "README.md", "# Alpha\n\nAlpha walrus. " + PARA)
    write(a / "sub" / "x.txt", "Alpha sub walrus. " + PARA)
    write(b / "README.md", "# Beta\n\nBeta walrus. " + PARA)
    build_index([a, b], idx)
    return a, b, idx


def test_list_text_json_csv(two_roots):
    a, b, idx = two_roots
    text = run("list", "--index", idx)
    assert text.exit_code == 0
    assert text.output.splitlines() == [
        f"root a: {a}", f"root b: {b}",
        f"a/README.md · Alpha · 1 passage · {(a / 'README.md').stat().st_size} bytes",
        f"a/sub/x.txt · 1 passage · {(a / 'sub' / 'x.txt').stat().st_size} bytes",
        f"b/README.md · Beta · 1 passage · {(b / 'README.md').stat().st_size} bytes",
        "3 documents in 2 roots"]
    data = json.loads(run("list", "--index", idx, "--format", "json").output)
    assert data["roots"] == {"a": str(a), "b": str(b)}
    assert [(d["doc_id"], d["path"], d["root"], d["abs_path"], d["exists"]) for d in data["documents"]] == [
        ("a/README.md", "README.md", str(a), str(a / "README.md"), True),
        ("a/sub/x.txt", "sub/x.txt", str(a), str(a / "sub" / "x.txt"), True),
        ("b/README.md", "README.md", str(b), str(b / "README.md"), True)]
    rows = list(csv.DictReader(io.StringIO(run("list", "--index", idx, "--format", "csv").output)))
    assert [r["doc_id"] for r in rows] == ["a/README.md", "a/sub/x.txt", "b/README.md"]
    assert [d["doc_id"] for d in json.loads(run("list", "--index", idx, "--path", "a/sub", "--format",
                                                "json").output)["documents"]] == ["a/sub/x.txt"]
    assert [d["doc_id"] for d in json.loads(run("list", "--index", idx, "--path", str(b), "--format",
                                                "json").output)["documents"]] == ["b/README.md"]


def test_remove_a_folder_that_is_gone(two_roots):
    import shutil

    a, b, idx = two_roots
    shutil.rmtree(b)
    listed = run("list", "--index", idx).output
    assert "b/README.md · Beta · 1 passage" in listed and "file gone" in listed
    # Re-indexing the rest does not remove the gone folder; naming it as a path is an error.
    assert "No such file or folder" in run("index", a, b, "--index", idx).output
    result = run("remove", b, "--index", idx)
    assert result.exit_code == 0
    assert result.output == f"removed 1 document (1 passage) from {idx}; 1 root forgotten: {b}\n"
    assert sorted(d for d, _ in hits(idx, "walrus")) == ["a/README.md", "a/sub/x.txt"]
    assert marker(idx)["roots"] == {"a": str(a)}


def test_remove_by_label_id_and_subfolder_in_one_commit(two_roots):
    a, b, idx = two_roots
    summary = remove_paths(["b", "a/README.md"], idx)
    assert (sorted(summary.documents), summary.roots) == (["a/README.md", "b/README.md"], [str(b)])
    assert [d for d, _ in hits(idx, "walrus")] == ["a/sub/x.txt"]
    assert remove_paths([a / "sub"], idx).documents == ["a/sub/x.txt"]
    assert marker(idx)["roots"] == {"a": str(a)}         # the folder itself is still a root


def test_remove_what_matches_nothing_is_an_error_and_removes_nothing(two_roots, tmp_path):
    a, b, idx = two_roots
    result = run("remove", "b", "nowhere", "--index", idx)
    assert result.exit_code == 2
    assert "docsearch: error: Nothing in the index" in result.output and "under nowhere" in result.output
    assert len(hits(idx, "walrus")) == 3
    with pytest.raises(InputError):
        remove_paths([], idx)
    missing = run("remove", "a", "--index", tmp_path / "no-index")
    assert missing.exit_code == 2 and not (tmp_path / "no-index").exists()


def test_index_without_paths_resyncs_the_index_own_roots_not_the_seeds(two_roots):
    import shutil

    a, b, idx = two_roots
    write(a / "new.txt", "A new walrus. " + PARA)
    shutil.rmtree(b)
    warnings = []
    summary = build_index(None, idx, warn=warnings.append)
    assert (summary.indexed, summary.unchanged, summary.removed, summary.gone_roots) == (1, 2, 0, [str(b)])
    assert warnings == [f"{b} is gone; its documents stay in the index until 'docsearch remove {b}'"]
    assert not any(d.startswith("seeds/") for d, _ in hits(idx, "missile"))
    result = run("index", "--index", idx)
    assert result.exit_code == 0 and "indexed 0 files" in result.output


# -- every file accounted for -------------------------------------------------------------------------

def test_unsupported_and_special_files_are_counted(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "good.txt", "Walrus. " + PARA)
    write(docs / "README", "No extension, read as text.")       # a file with no extension is read by content
    (docs / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(200))   # ... and counted when binary
    write(docs / "COPYING.gz", "not really gzip")                # read as what it holds: damaged
    write(docs / "logo.svg", "<svg/>")
    os.mkfifo(docs / "pipe.txt")
    quiet = run("index", docs, "--index", idx)
    assert quiet.exit_code == 0
    assert quiet.stdout.startswith("indexed 2 files")
    assert quiet.stdout.endswith("; 4 skipped (1 binary, 1 damaged gzip file, 1 not a regular file, "
                                 "1 unsupported type)\n")
    assert "skipped docs/pipe.txt: not a regular file" in quiet.stderr and "logo" not in quiet.stderr
    verbose = run("index", docs, "--index", idx, "-v")
    assert "docsearch: warning: skipped docs/logo.svg: unsupported file type .svg" in verbose.stderr
    assert "docsearch: warning: skipped docs/COPYING.gz: damaged gzip file (" in verbose.stderr
    assert "README" not in verbose.stderr


def test_a_fifo_named_on_the_command_line_is_a_counted_skip(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    result = run("index", tmp_path / "pipe", "--index", tmp_path / "idx")
    assert result.exit_code == 0 and result.stdout.endswith("; 1 skipped (1 not a regular file)\n")


def test_manifest_rows_naming_no_file_are_warnings(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "a.txt", "Walrus. " + PARA)
    manifest = write(tmp_path / "meta.csv", "path,title\na.txt,Alpha\nmissing.txt,Ghost\n")
    warnings = []
    summary = build_index([docs], idx, metadata=manifest, warn=warnings.append)
    assert warnings == [f"manifest {manifest}: row 'missing.txt' names no file among those indexed"]
    assert summary.line().endswith("; 0 skipped; 1 warning")


# -- as a new user does it, in a real process ----------------------------------------------------------

def test_cli_subprocess_two_folders_list_and_open_a_path(tmp_path):
    a, b, idx = tmp_path / "a", tmp_path / "b", tmp_path / "idx"
    write(a / "README.md", "Alpha walrus. " + PARA)
    write(b / "README.md", "Beta walrus. " + PARA)
    env = {**os.environ, "DOCSEARCH_INDEX": str(idx)}

    def cli_run(*args):
        return subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=120)

    assert cli_run("index", "a").returncode == 0 and cli_run("index", "b").returncode == 0
    out = json.loads(cli_run("search", "walrus", "--format", "json").stdout)
    assert sorted(h["doc_id"] for h in out["hits"]) == ["a/README.md", "b/README.md"]
    for hit in out["hits"]:
        assert open(hit["abs_path"], encoding="utf-8").read().split()[0] in ("Alpha", "Beta")
    listed = json.loads(cli_run("list", "--format", "json").stdout)
    assert [d["doc_id"] for d in listed["documents"]] == ["a/README.md", "b/README.md"]


# -- paths you can open, output edges ----------------------------------------------------------------

def test_index_files_follow_the_umask(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "a.txt", "Walrus. " + PARA)
    old = os.umask(0o022)
    try:
        build_index([docs], tmp_path / "idx")
    finally:
        os.umask(old)
    # (Whoosh makes its empty MAIN_WRITELOCK 0777 & ~umask itself; it holds nothing to read.)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "idx").iterdir()
             if p.is_file() and p.name != "MAIN_WRITELOCK"}
    assert modes[MARKER] == 0o644 and set(modes.values()) == {0o644}, modes


def _docsearch(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)], timeout=120, **kwargs)


def test_a_full_disk_on_stdout_is_one_line_and_exit_1(seeds_index):
    with open("/dev/full", "w") as full:
        result = _docsearch("search", "missile", "--index", seeds_index, stdout=full, stderr=subprocess.PIPE,
                            text=True)
    assert (result.returncode, result.stderr) == (
        1, "docsearch: error: cannot write the output: No space left on device\n")


def test_a_closed_pipe_ends_quietly(seeds_index):
    process = subprocess.Popen([sys.executable, "-m", "search.cli", "search", "relations", "-n", "100",
                                "--format", "json", "--index", str(seeds_index)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()                  # like `| head` that has already stopped reading
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0 and err == ""


def test_the_manifest_is_remembered_for_later_runs(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "a.txt", "Walrus alpha. " + PARA)
    manifest = write(tmp_path / "meta.tsv", "path\ttitle\na.txt\tAlpha title\n")
    build_index([docs], idx, metadata=manifest)
    again = build_index(None, idx)                   # no --metadata: the same manifest, nothing changed
    assert (again.indexed, again.unchanged) == (0, 1)
    assert hits(idx, "walrus") == [("docs/a.txt", "Alpha title")]
    result = run("index", "--index", idx, "--no-metadata")
    assert result.exit_code == 0 and "indexed 1 file" in result.stdout
    assert hits(idx, "walrus")[0][1] != "Alpha title"
    assert run("index", "--index", idx, "--metadata", manifest, "--no-metadata").exit_code == 2


def test_a_library_warning_is_one_line_naming_the_file(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "feed.html", '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Walrus '
                              'feed</title><item><description>The walrus colony grew. ' + PARA + '</description>'
                              '</item></channel></rss>\n')
    result = run("index", docs, "--index", tmp_path / "idx")
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if "XMLParsedAsHTMLWarning" in line]
    assert len(warned) == 1 and warned[0].startswith("docsearch: warning: docs/feed.html: XMLParsedAsHTMLWarning: ")
    assert result.stdout.rstrip().endswith("0 skipped; 1 warning")
    assert [d for d, _ in hits(tmp_path / "idx", "walrus")] == ["docs/feed.html"]


def test_xhtml_is_read_as_html_without_a_warning(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "manual.html", '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
                                'Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
                                '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Transport manual</title>'
                                # (a head as long as DocBook's inline style sheet: bs4 warns past its first 512 characters)
                                '<style type="text/css">' + "".join(f".c{n} {{ margin: {n}px; }}\n" for n in range(40)) +
                                '</style></head>'
                                '<body><h1>Transport manual</h1><p>The walrus transport layer. ' + PARA + '</p></body></html>\n')
    result = run("index", docs, "--index", tmp_path / "idx")
    assert result.exit_code == 0 and "warning" not in result.stderr + result.stdout
    assert hits(tmp_path / "idx", "walrus") == [("docs/manual.html", "Transport manual")]


def test_manifest_bad_dates_are_warnings_and_no_path_column_is_an_error(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "a.txt", "Walrus. " + PARA)
    manifest = write(tmp_path / "meta.csv", "path,date\na.txt,sometime soon\n")
    warnings = []
    build_index([docs], idx, metadata=manifest, warn=warnings.append)
    assert warnings == [f"manifest {manifest}: row 'a.txt', column 'date': 'sometime soon' is not a date "
                        "(kept as text)"]
    write(manifest, "file,date\na.txt,2000\n")
    result = run("index", docs, "--metadata", manifest, "--index", idx)
    assert result.exit_code == 2
    assert result.stderr == (f"docsearch: error: Manifest {manifest} has no 'path' column (its columns: file, "
                             "date); name the column of document paths 'path'\n")


# -- consistent queries and library errors ----------------------------------------------------------

@pytest.mark.parametrize("call,error,message", [
    (lambda s: s.search(None), TypeError, "query must be a str, not NoneType"),
    (lambda s: s.search(b"missile"), TypeError, "query must be a str, not bytes; decode bytes first"),
    (lambda s: s.search("missile", limit=0), ValueError, "limit must be at least 1, not 0"),
    (lambda s: s.search("missile", page="2"), TypeError, "page must be an int, not str"),
    (lambda s: s.search("missile", operator="xor"), ValueError, "operator must be 'and' or 'or', not 'xor'"),
    (lambda s: s.passage(None), TypeError, "passage_id must be a str, not NoneType"),
    (lambda s: s.passage("nope#1"), LookupError, "No passage nope#1 in the index"),
    (lambda s: s.search("missile", date_from="2000-02-30"), QueryError, "bad date '2000-02-30'"),
    (lambda s: s.search("missile", date_from="2019", date_to="2000"), QueryError,
     "the date range is reversed: from 2019 is after to 2000"),
])
def test_library_errors_are_docsearch_errors_naming_the_argument(seeds_index, call, error, message):
    from search import DocsearchError

    with Searcher(seeds_index) as s, pytest.raises(DocsearchError) as caught:
        call(s)
    assert message in str(caught.value)
    assert isinstance(caught.value, error)


def test_cli_dates_are_checked_like_the_query_language(seeds_index):
    bad = run("search", "missile", "--from", "2000-02-30", "--index", seeds_index)
    assert bad.exit_code == 2 and "bad date '2000-02-30'" in bad.stderr
    reversed_ = run("search", "missile", "--from", "2019", "--to", "2000", "--index", seeds_index)
    assert reversed_.exit_code == 2 and "the date range is reversed" in reversed_.stderr


def test_names_with_symbols_are_searchable_as_written(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "cpp.txt", "We rewrote the parser in C++ last year.\n")
    write(docs / "csharp.txt", "The C# client talks to it, and the F# tools too.\n")
    write(docs / "vitamin.txt", "Vitamin C is good for you; plan C failed.\n")
    write(docs / "dotnet.txt", "Our services run on .NET now.\n")
    write(docs / "domain.txt", "Mail goes to example.net and the ASP.NET site.\n")
    idx = tmp_path / "idx"
    build_index([docs], idx)
    found = lambda q: sorted(Path(d).name for d, _ in hits(idx, q))     # noqa: E731
    assert found("C++") == found('"C++"') == found("c++") == ["cpp.txt"]
    assert found("C#") == found("c#") == ["csharp.txt"]
    assert found("F#") == ["csharp.txt"]
    assert found("C") == found("c") == ["vitamin.txt"]       # "C" is not part of C++ or C#
    assert found(".NET") == ["dotnet.txt"]
    assert found("net") == ["domain.txt"]
    with Searcher(idx) as s:
        hit = s.search("C++").hits[0]
    start, end = hit.snippet.highlights[0]
    assert hit.snippet.text[start:end] == "C++"
    result = run("search", "C#", "--index", idx, "--format", "json")
    assert [Path(h["path"]).name for h in json.loads(result.stdout)["hits"]] == ["csharp.txt"]


def test_a_query_word_that_looks_like_an_option_says_how_to_pass_it(seeds_index):
    result = run("search", "missile", "-nuclear", "--index", seeds_index)
    assert result.exit_code == 2
    assert ("Error: '-nuclear' reads as an option; to search for it, quote the whole query and put -- before it: "
            "docsearch search [OPTIONS] -- 'missile -nuclear'") in result.stderr
    quoted = run("search", "--index", seeds_index, "--", "missile -nuclear")
    assert quoted.exit_code == 0 and "missile" in quoted.stdout
    bad_limit = run("search", "-n", "x", "missile", "--index", seeds_index)      # a real option's error is kept
    assert bad_limit.exit_code == 2 and "Invalid value for '-n' / '--limit'" in bad_limit.stderr


def test_indexing_a_gone_folder_says_how_to_remove_it(two_roots):
    import shutil

    a, b, idx = two_roots
    shutil.rmtree(b)
    result = run("index", a, b, "--index", idx)
    assert result.exit_code == 2
    assert result.stderr == (f"docsearch: error: No such file or folder: {b}; the index holds 1 document from it: "
                             f"'docsearch remove {b}' removes them\n")


def test_lenient_readings_are_noted_on_stderr(seeds_index):
    result = run("search", "((missile", "--index", seeds_index)
    assert result.exit_code == 0 and "missile" in result.stdout
    assert result.stderr.startswith("docsearch: note: ignored the unmatched '(' at column 1")
    strict = run("search", "((missile OR rocket", "--index", seeds_index)
    assert strict.exit_code == 2 and "unbalanced parenthesis" in strict.stderr


def test_a_markdown_file_is_read_like_md(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "README.markdown", "# Walrus notes\n\nThe walrus colony. " + PARA)
    summary = build_index([docs], tmp_path / "idx")
    assert (summary.indexed, summary.skipped) == (1, [])
    assert hits(tmp_path / "idx", "walrus") == [("docs/README.markdown", "Walrus notes")]
