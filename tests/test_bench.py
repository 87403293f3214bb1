"""The benchmark harness: metrics on hand-computed cases, peers that never choke on a query,
and smoke runs of both commands (the harness works; no timing is asserted)."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

# bench/ is not an installed package (it runs from a checkout, `python -m bench`), so plain
# `pytest` on an installed project needs the repo root on sys.path to import it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from click.testing import CliRunner

from bench import engines
from bench.__main__ import cli
from bench.corpora import Doc, load_collection, paragraphs, sample_phrases, un_files
from bench.metrics import average_precision, evaluate, ndcg_at_k, recall_at_k
from bench.peers import PEERS

PEER_KEYS = list(PEERS)


# --- metrics, computed by hand -------------------------------------------------------------

def test_ndcg_binary():
    # DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3)
    assert ndcg_at_k(["a", "b", "c"], {"a": 1, "c": 1}) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))


def test_ndcg_graded_exponential_and_linear():
    gains = {"a": 3, "b": 1}
    # gain 2^rel - 1: DCG = 1 + 7/log2(3), ideal = 7 + 1/log2(3)
    assert ndcg_at_k(["b", "a"], gains) == pytest.approx((1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3)))
    assert ndcg_at_k(["b", "a"], gains, exponential=False) == pytest.approx(
        (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3)))
    assert ndcg_at_k(["a", "b"], gains) == 1.0


def test_ndcg_cutoff_and_nothing_relevant():
    ranking = [str(i) for i in range(20)]
    assert ndcg_at_k(ranking, {"10": 1}, k=10) == 0.0
    assert ndcg_at_k(ranking, {"10": 1}, k=11) == pytest.approx(1 / math.log2(12))
    assert ndcg_at_k(ranking, {}) == 0.0


def test_average_precision_divides_by_all_relevant():
    gains = {"a": 1, "b": 1, "c": 1}
    assert average_precision(["a", "x", "b", "y"], gains) == pytest.approx((1 + 2 / 3) / 3)
    assert average_precision(["a", "x", "b", "y"], gains, k=2) == pytest.approx(1 / 3)


def test_recall():
    gains = {"a": 1, "b": 1, "c": 1}
    assert recall_at_k(["a", "x", "b"], gains) == pytest.approx(2 / 3)
    assert recall_at_k(["a", "x", "b"], gains, k=1) == pytest.approx(1 / 3)


def test_evaluate_scores_missing_runs_as_zero_and_skips_unjudged():
    qrels = {"1": {"a": 1}, "2": {"b": 1}, "3": {}}
    m = evaluate({"1": ["a"]}, qrels)
    assert m["queries"] == 2
    assert m["ndcg@10"] == m["map@100"] == m["recall@100"] == 0.5


def test_evaluate_without_judgments_raises():
    with pytest.raises(ValueError, match="no judged queries"):
        evaluate({}, {"1": {}})


# --- corpora -------------------------------------------------------------------------------

def test_cranfield_grades_become_levels(tmp_path):
    folder = tmp_path / "cranfield"
    folder.mkdir()
    (folder / "docs.jsonl").write_text('{"id": "1", "title": "t", "text": "x"}\n'
                                       '{"id": "2", "title": "u", "text": "y"}\n')
    (folder / "queries.jsonl").write_text('{"id": "1", "text": "what?"}\n{"id": "2", "text": "how"}\n')
    (folder / "qrels.tsv").write_text("1\t1\t1\n1\t2\t-1\n2\t2\t-1\n")
    coll = load_collection("cranfield", tmp_path)
    assert coll.qrels == {"1": {"1": 4.0}}
    assert coll.judged_queries == ["1"]


def test_paragraphs_split_blank_lines_and_cut_long_ones():
    assert list(paragraphs("a\nb\n \nc\n\n\n")) == ["a\nb", "c"]
    line = "x" * 400
    assert [p.count("\n") + 1 for p in paragraphs("\n".join([line] * 5))] == [2, 2, 1]


@pytest.mark.shared_corpora
def test_un_subset_is_spread_and_sampled_phrases_occur():
    files = un_files(n=20)
    assert files == un_files(n=20)
    assert len({f.parent.name for f in files}) > 10           # many sessions, not the first one
    phrases = sample_phrases(files, 5, seed=1, stop=frozenset({"the", "of"}), exclude=["united nations"])
    assert phrases == sample_phrases(files, 5, seed=1, stop=frozenset({"the", "of"}), exclude=["united nations"])
    text = " ".join(" ".join(f.read_text(encoding="utf-8-sig").split()) for f in files)
    assert all(p in text for p in phrases)
    assert "united nations" not in {p.lower() for p in phrases}


# --- peers ---------------------------------------------------------------------------------

DOCS = [
    Doc("1", "Missile talks", "The missile programme was discussed.\n\nBoth sides agreed framework terms."),
    Doc("2", "Trade", "Trade and development in the region; missile not mentioned twice."),
    Doc("3", "Weather", "Rain in the afternoon."),
]
NASTY = ['What is "the missile" AND OR NOT title:x? (a*b) -c ^2 ~1 [1 TO 2] {} \\ ', "?", "", "AND", '"']


@pytest.fixture(params=PEER_KEYS)
def peer(request, tmp_path):
    engine = PEERS[request.param](tmp_path / request.param)
    engine.build(DOCS)
    yield engine
    engine.close()


@pytest.mark.parametrize("text", NASTY)
def test_peers_never_choke_on_query_text(peer, text):
    assert isinstance(peer.search(text), list)
    assert isinstance(peer.keywords(text), list)
    assert isinstance(peer.phrase(text), list)


def test_peer_search_ranks_title_match_first(peer):
    assert peer.search("missile talks?")[0] == "1"
    assert "3" not in peer.search("missile talks?")


def test_peer_keywords_and_phrase_with_snippets(peer):
    assert [h.id for h in peer.keywords("missile programme")] == ["1"]
    hits = peer.phrase("agreed framework")
    assert [h.id for h in hits] == ["1"]
    assert "framework" in hits[0].snippet.lower()
    assert peer.phrase("framework agreed") == []


# --- the commands, end to end --------------------------------------------------------------

def _json(tmp_path, command):
    [path] = tmp_path.glob(f"{command}-*.json")
    return json.loads(path.read_text())


def _project_expected_status():
    return "missing" if engines.missing(engines.PROJECT) else "ok"


@pytest.mark.shared_corpora
def test_relevance_smoke(tmp_path):
    result = CliRunner().invoke(cli, ["relevance", "--smoke", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "| cranfield | 300 |" in result.output
    fig = _json(tmp_path, "relevance")
    assert fig["machine"]["cores"] >= 1 and fig["date"]
    # Every judged collection under ../shared/corpora runs by default (issue 15: all five).
    assert set(fig["collections"]) == {"cacm", "cisi", "cranfield", "med", "npl"}
    for coll in fig["collections"].values():
        for key in PEER_KEYS:
            r = coll["engines"][key]
            assert r["status"] == "ok" and r["query_errors"] == 0
            assert 0.1 < r["ndcg@10"] <= 1 and 0 < r["map@100"] <= r["recall@100"] <= 1
        project = coll["engines"][engines.PROJECT]
        assert project["status"] == _project_expected_status(), project
        if project["status"] == "ok":
            assert project["query_errors"] == 0 and 0.1 < project["ndcg@10"] <= 1
            assert coll["lead"] == pytest.approx(project["ndcg@10"] - coll["engines"][coll["best_peer"]]["ndcg@10"])
            # Leave-one-collection-out (bench/tuning.py): grid point 0 is the shipped defaults,
            # so the in-sample figure is the main table's; held out is one of the grid's figures.
            tuning = coll["tuning"]
            assert tuning["in_sample"] == pytest.approx(project["ndcg@10"])
            assert tuning["held_out"] in tuning["grid_scores"]
            assert len(tuning["grid_scores"]) == len(tuning["grid"]) > 1
    if _project_expected_status() == "ok":
        assert "held out" in result.output and "chosen without this collection" in result.output


@pytest.mark.shared_corpora
def test_relevance_peers_reproduce_issue_table(tmp_path):
    """Issue 4's peer table, on the whole collections (a few seconds per engine)."""
    result = CliRunner().invoke(cli, ["relevance", "cranfield", "cisi", "--out", str(tmp_path),
                                      *[f"--engine={k}" for k in PEER_KEYS]])
    assert result.exit_code == 0, result.output
    got = {(c, k): r["ndcg@10"] for c, coll in _json(tmp_path, "relevance")["collections"].items()
           for k, r in coll["engines"].items()}
    expected = {("cranfield", "fts5"): 0.351, ("cranfield", "tantivy"): 0.360, ("cranfield", "whoosh"): 0.370,
                ("cisi", "fts5"): 0.361, ("cisi", "tantivy"): 0.310, ("cisi", "whoosh"): 0.293}
    assert got == pytest.approx(expected, abs=0.0015)


@pytest.mark.shared_corpora
def test_speed_smoke(tmp_path):
    result = CliRunner().invoke(cli, ["speed", "--smoke", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fig = _json(tmp_path, "speed")
    assert fig["corpus"]["files"] == 100
    assert len(fig["queries"]["keywords"]) == 30 and len(fig["queries"]["phrases"]) == 60
    peers = [fig["engines"][k] for k in PEER_KEYS]
    assert all(r["status"] == "ok" for r in peers)
    assert len({r["passages"] for r in peers}) == 1 and peers[0]["passages"] > 1000
    for r in peers:
        assert r["index_mb"] > 0 and r["peak_rss_mb"] > 10 and r["mb_s"] > 0
        assert r["phrase"]["no_hits"] == 0
        assert 0 < r["keyword"]["p50_ms"] <= r["keyword"]["p95_ms"]
    assert fig["engines"][engines.PROJECT]["status"] == _project_expected_status()
    if _project_expected_status() == "ok":
        assert set(fig["ratios"]) == set(PEER_KEYS)
        assert fig["cli"]["status"] == "ok" and fig["cli"]["output_lines"] > 0, fig["cli"]


@pytest.mark.shared_corpora
def test_load_smoke(tmp_path):
    result = CliRunner().invoke(cli, ["load", "--smoke", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fig = _json(tmp_path, "load")
    lib, cmd = fig["library"], fig["cli"]
    assert lib["searches"] == 600 and lib["hits"] > 0 and lib["query_errors"] == 0
    assert lib["rss_kb_warm"] > 0 and lib["fds_warm"] > 0
    assert cmd["searches"] == 10 and cmd["failed"] == 0, cmd["failures"]


@pytest.mark.shared_corpora
def test_facets_smoke(tmp_path):
    result = CliRunner().invoke(cli, ["facets", "--smoke", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fig = _json(tmp_path, "facets")
    assert fig["corpus"]["files"] == 100 and fig["passages"] > 1000 and fig["queries"] == 50
    # The UN manifest's columns: country is counted; its 'year' is hidden by the date facet of that name.
    assert "country" in fig["fields"] and "year" in fig["fields"]
    for what in ("plain", "faceted", "page", "api_search_with_facets"):
        assert 0 < fig[what]["p50_ms"] <= fig[what]["p95_ms"]
    assert fig["ratio_p50"] > 0 and fig["table_build_ms"] > 0 and fig["plain_ratio_median_per_query"] > 0
    assert "facets ÷ plain search: p50" in result.output


def test_readme_shows_the_committed_results():
    from bench.readme import README, current

    shown, latest = current(README.read_text(encoding="utf-8"))
    assert "| docsearch |" in latest and "nDCG@10" in latest
    assert shown == latest, "README.md's benchmark tables are stale: run python -m bench readme"


@pytest.mark.parametrize("args,message", [
    (["relevance", "--smoke", "--docs", "5"], "--smoke sets --docs"),
    (["relevance", "nosuch"], "no judged collection nosuch"),
    (["speed", "--smoke", "--files", "5"], "--smoke sets --files"),
    (["load", "--engine", "fts5"], "--engine does not apply"),
    (["facets", "--smoke", "--files", "5"], "--smoke sets --files"),
])
@pytest.mark.shared_corpora      # the commands check their --corpora default exists first
def test_usage_errors(args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output


def test_formats_smoke_run_reads_every_format(tmp_path):
    """`python -m bench formats --smoke`: every format whose writer is installed is made, read
    and timed (figures positive; no speed is asserted)."""
    result = CliRunner().invoke(cli, ["formats", "--smoke", "--ocr-pages", "0", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(next(tmp_path.glob("formats-*-smoke.json")).read_text())
    formats = data["formats"]
    assert {"pdf (text)", "docx", "odt", "epub", "mbox"} <= set(formats)
    assert formats["pdf (text)"]["pages"] == 4 and formats["pdf (text)"]["pages_per_s"] > 0
    assert formats["mbox"]["documents"] > 1 and all(f["mb_per_s"] > 0 for f in formats.values())
    assert "| pdf (text) |" in result.output


def test_held_out_takes_the_setting_best_on_the_other_collections():
    from bench.tuning import held_out

    grid = ({}, {"k1": 2.0}, {"b": 0.1})
    # Setting 1 wins on a and b, setting 2 on c alone: held out, c gets setting 1's figure.
    scores = {"a": [0.5, 0.6, 0.4], "b": [0.5, 0.6, 0.4], "c": [0.5, 0.1, 0.9]}
    got = held_out(scores, grid)
    assert got["c"]["held_out"] == 0.1 and got["c"]["chosen_without"] == "k1=2"
    assert got["a"]["in_sample"] == 0.5 and got["a"]["chosen_without"] == "b=0.1"
    assert got["a"]["held_out"] == 0.4


def test_mailbox_smoke(tmp_path):
    result = CliRunner().invoke(cli, ["mailbox", "--smoke", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    figures = json.loads(next(tmp_path.glob("mailbox-*-smoke.json")).read_text())
    assert figures["messages"] == 2_000 and figures["peak_rss_mb"] > 0 and figures["messages_per_s"] > 0
    assert figures["summary"].startswith("indexed 1 file") and "0 skipped" in figures["summary"]
    assert figures["passages"] >= 2_000            # every message is a document of a passage or more


def test_stories_recut_keeps_every_story_and_the_best_judgement():
    """bench relevance --stories K: a collection re-cut into articles of K stories (a check on long
    documents that cover several stories, issue 15)."""
    from bench.corpora import Collection, Doc, as_stories

    docs = [Doc(str(n), f"Title {n}", f"text of story {n}") for n in range(7)]
    coll = Collection("tiny", docs, {"q": "story"}, {"q": {"1": 1.0, "2": 3.0, "6": 2.0}})
    cut = as_stories(coll, 3)
    assert cut.name == "tiny-stories3" and len(cut.docs) == 3 and [len(d.text.split("\n\n")) for d in cut.docs] == [3, 3, 1]
    assert all(d.title == "" for d in cut.docs)
    where = {f"{d.title}. {d.text}": a.id for a in cut.docs for d in docs if f"{d.title}. {d.text}" in a.text.split("\n\n")}
    assert len(where) == 7                                  # every story in exactly one article
    expected: dict[str, float] = {}
    for d, level in coll.qrels["q"].items():
        a = where[f"Title {d}. text of story {d}"]
        expected[a] = max(expected.get(a, 0.0), level)
    assert cut.qrels["q"] == expected and as_stories(coll, 3).docs == cut.docs     # fixed seed
