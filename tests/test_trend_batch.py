"""docsearch search --facets, trend and batch, through the CLI on real indexed files."""
from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from search import Searcher
from search.cli import cli
from search.collect.batch import read_queries, run_batch
from tests.conftest import write
from tests.test_facets import _make


def _run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


def test_search_facets_json_and_text(tmp_path):
    _, index = _make(tmp_path)
    plain = json.loads(_run("search", "missile", "--index", index, "--format", "json").output)
    result = _run("search", "missile", "--index", index, "--format", "json", "--facets", "year,region")
    assert result.exit_code == 0, result.output
    faceted = json.loads(result.output)
    assert set(faceted) - set(plain) == {"facets"}
    assert faceted["facets"]["year"] == [{"value": "1999", "passages": 3, "documents": 1},
                                         {"value": "2001", "passages": 3, "documents": 2},
                                         {"value": None, "passages": 1, "documents": 1}]
    text = _run("search", "missile", "--index", index, "--facets", "year,source").output
    assert "facets (passages/documents; 7 passages in 4 documents):" in text
    assert "  year    1999 3/1  ·  2001 3/2  ·  (none) 1/1" in text
    assert "  source  KCNA 4/2  ·  Rodong Sinmun 2/1  ·  (none) 1/1" in text


def test_search_unknown_facet_is_exit_2(tmp_path):
    _, index = _make(tmp_path)
    result = _run("search", "missile", "--index", index, "--facets", "colour")
    assert result.exit_code == 2
    assert "unknown facet field 'colour'" in result.output
    result = _run("search", "missile", "--index", index, "--facets", "year", "--format", "html")
    assert result.exit_code == 2 and "--facets shows in --format text and json" in result.output
    assert _run("search", "missile", "--index", index, "--facets", " , ").exit_code == 2


def test_trend_csv_equals_facet_counts(tmp_path):
    _, index = _make(tmp_path)
    for per_doc in (False, True):
        args = ["trend", "missile", "talks", "--index", index, "--format", "csv"] + (["--per-doc"] if per_doc else [])
        result = _run(*args)
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.output)))
        assert rows[0] == ["year", "missile", "talks"]
        with Searcher(index) as s:
            for col, query in ((1, "missile"), (2, "talks")):
                counts = s.facets(query, ("year",)).counts("year", per_doc=per_doc)
                got = {row[0]: int(row[col]) for row in rows[1:]}
                assert {k: v for k, v in got.items() if v} == {k or "undated": v for k, v in counts.items()}
        # Zero-filled from the first year to the last: 1999, 2000 (nothing), 2001, 2002, 2003.
        assert [row[0] for row in rows[1:]] == ["1999", "2000", "2001", "2002", "2003", "undated"]


def test_trend_by_month_json_and_chart(tmp_path):
    _, index = _make(tmp_path)
    data = json.loads(_run("trend", "missile", "--by", "month", "--index", index, "--format", "json").output)
    assert data["by"] == "month" and data["unit"] == "passages"
    assert data["periods"][0] == "1999-12" and data["periods"][-1] == "2001-07" and len(data["periods"]) == 20
    series = data["series"][0]
    assert dict(zip(data["periods"], series["counts"]))["2001-03"] == 2
    assert series["undated"] == 1 and series["total"] == 7
    chart = _run("trend", "missile", "talks", "--index", index).output
    assert "\x1b[" not in chart                      # not a terminal: no colour
    lines = chart.splitlines()
    assert lines[0].split() == ["year", "missile", "talks"]
    row_1999 = next(line for line in lines if line.startswith("1999"))
    assert "█" in row_1999 and row_1999.split()[-1] == "1"       # talks: 1 in 1999
    assert "missile: 7 passages, 1 undated; talks: 3 passages" in " ".join(lines[-2:])


def test_batch_lines_with_malformed_rows(tmp_path):
    _, index = _make(tmp_path)
    queries = write(tmp_path / "q.txt", 'missile\nfoo:bar\n\n"moratorium"\n"a b"~x\nrockets\n')
    out = tmp_path / "out.csv"
    result = _run("batch", queries, "--index", index, "-o", out)
    assert result.exit_code == 0, result.output
    assert "5 queries: 3 ran, 2 with errors" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "query", "total", "documents", "first_date", "last_date", "top_ids",
                             "top_titles", "error"]
    assert [r["id"] for r in rows] == ["1", "2", "4", "5", "6"]
    assert (rows[0]["total"], rows[0]["documents"], rows[0]["first_date"], rows[0]["last_date"]) == \
        ("7", "4", "1999-12-31", "2001-07-01")
    assert len(rows[0]["top_ids"].split(" | ")) == 3
    assert rows[1]["error"].startswith("unknown field 'foo'") and rows[1]["total"] == "0"
    assert rows[2]["top_ids"] == "docs/c.txt#0" and rows[2]["top_titles"] == "c.txt"
    assert "needs a number" in rows[3]["error"]
    assert (rows[4]["total"], rows[4]["first_date"], rows[4]["error"]) == ("1", "2003", "")


def test_batch_csv_input_json_output_and_progress(tmp_path):
    _, index = _make(tmp_path)
    queries = write(tmp_path / "q.csv", 'id,query\nm1,missile\nt2,"talks, again"\nbad,nope:missile\n')
    assert read_queries(queries) == [("m1", "missile"), ("t2", "talks, again"), ("bad", "nope:missile")]
    seen = []
    with Searcher(index) as s:
        rows = list(run_batch(s, read_queries(queries), top=1, progress=lambda done, row: seen.append((done, row.id))))
    assert seen == [(1, "m1"), (2, "t2"), (3, "bad")]
    result = _run("batch", queries, "--index", index, "--format", "json", "--top", "1")
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == ["m1", "t2", "bad"]
    assert data[0]["total"] == rows[0].total == 7 and len(data[0]["hits"]) == 1
    assert data[2]["error"] == rows[2].error and data[2]["error"]


def test_batch_bad_file_is_exit_2(tmp_path):
    result = _run("batch", tmp_path / "missing.txt", "--index", tmp_path / "idx")
    assert result.exit_code == 2
    assert "cannot read" in result.output
    bad = write(tmp_path / "bad.csv", "name,text\na,b\n")
    result = _run("batch", bad, "--index", tmp_path / "idx")
    assert result.exit_code == 2 and "needs a header line with a 'query' column" in result.output


def _on_a_terminal(args, env_extra=None):
    """Run `docsearch ARGS` with stdout and stderr on a pseudo-terminal; (exit code, what it showed)."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update({"COLUMNS": "100", "LINES": "40", **(env_extra or {})})
    proc = subprocess.Popen([sys.executable, "-c", "from search.cli import main; main()", *map(str, args)],
                            stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:                      # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_trend_and_batch_on_a_terminal(tmp_path):
    _, index = _make(tmp_path)
    code, shown = _on_a_terminal(["trend", "missile", "talks", "--index", index])
    assert code == 0 and "Traceback" not in shown, shown
    assert "\x1b[" in shown and "█" in shown                 # coloured bars on a terminal
    code, plain = _on_a_terminal(["trend", "missile", "--index", index], {"NO_COLOR": "1"})
    assert code == 0 and "\x1b[3" not in plain and "█" in plain
    queries = write(tmp_path / "q.txt", "missile\nnope:x\ntalks\n")
    code, shown = _on_a_terminal(["batch", queries, "--index", index, "-o", tmp_path / "out.csv"])
    assert code == 0 and "Traceback" not in shown, shown
    assert "3/3" in shown and "3 queries: 2 ran, 1 with errors" in shown      # the progress bar, then the summary
