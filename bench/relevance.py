"""The relevance benchmark: judged collections in, nDCG@10 / MAP@100 / Recall@100 per engine out.

Every engine indexes the same records (title + text), is asked each judged query's natural-
language text for its top 100 documents, and is scored with bench.metrics. A query that raises
is counted (`query_errors`) and scored as an empty ranking, so a syntax error shows in the
table instead of stopping the run.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench import engines
from bench.corpora import Collection
from bench.metrics import evaluate
from bench.report import table

DEPTH = 100
NDCG_K = 10
GOAL_LEAD = 0.02        # issue 4: the project's nDCG@10 at least this far above the best peer


def _unique(ranking: list[str]) -> list[str]:
    return list(dict.fromkeys(ranking))


def run_engine(key: str, coll: Collection, workdir: Path) -> dict:
    """Index `coll` with one engine, run its judged queries, return the metrics and timings."""
    engine = engines.make(key, workdir / key)
    try:
        t0 = time.perf_counter()
        engine.build(coll.docs)
        index_s = time.perf_counter() - t0
        runs, errors = {}, []
        t0 = time.perf_counter()
        for qid in coll.judged_queries:
            try:
                runs[qid] = _unique(engine.search(coll.queries[qid], DEPTH))
            except Exception as e:  # counted and shown: a query must never fail
                errors.append(f"query {qid}: {type(e).__name__}: {e}")
        query_s = time.perf_counter() - t0
    finally:
        engine.close()
    return {"status": "ok", **evaluate(runs, coll.qrels, NDCG_K, DEPTH),
            "index_seconds": round(index_s, 3),
            "query_ms_mean": round(1000 * query_s / max(1, len(coll.judged_queries)), 3),
            "query_errors": len(errors), "first_errors": errors[:3]}


def run_collection(coll: Collection, keys=engines.ENGINES) -> dict:
    """All engines on one collection, plus the project's lead over the best peer."""
    results = {}
    for key in keys:
        reason = engines.missing(key)
        if reason:
            results[key] = {"status": "missing", "reason": reason}
            continue
        with tempfile.TemporaryDirectory(prefix=f"bench-{coll.name}-") as tmp:
            try:
                results[key] = run_engine(key, coll, Path(tmp))
            except Exception as e:
                if key != engines.PROJECT:
                    raise                      # a peer failing is a harness bug: stop
                results[key] = {"status": "error", "reason": f"{type(e).__name__}: {e}"}
    metric = f"ndcg@{NDCG_K}"
    peers = {k: r[metric] for k, r in results.items() if k != engines.PROJECT and r["status"] == "ok"}
    best = max(peers, key=peers.get) if peers else None
    project = results.get(engines.PROJECT, {})
    lead = project[metric] - peers[best] if best and project.get("status") == "ok" else None
    return {"docs": len(coll.docs), "queries": len(coll.judged_queries), "engines": results,
            "best_peer": best, "lead": lead, "goal_lead": GOAL_LEAD,
            "goal_met": None if lead is None else lead >= GOAL_LEAD}


def render(collections: dict[str, dict], keys=engines.ENGINES) -> str:
    """The issue's summary table (nDCG@10 per engine and the lead), then one detail table each."""
    metric = f"ndcg@{NDCG_K}"

    def score(r):
        return r[metric] if r["status"] == "ok" else r["status"]

    out = ["nDCG@10 (Cranfield: relevance 5 - grade, gain 2^rel - 1; the others binary; judged queries only)", "",
           table(["collection", "docs", "queries", *(engines.NAMES[k] for k in keys), "lead over best peer"],
                 [[name, c["docs"], c["queries"], *(score(c["engines"][k]) for k in keys),
                   c["lead"] if c["lead"] is None else f"{c['lead']:+.3f}"] for name, c in collections.items()])]
    tuned = {name: c for name, c in collections.items() if c.get("tuning")}
    if tuned:
        rows = []
        for name, c in tuned.items():
            t, best = c["tuning"], c["best_peer"]
            peer = c["engines"][best][metric] if best else None
            rows.append([name, t["in_sample"], t["held_out"], engines.NAMES.get(best, best), peer,
                         None if peer is None else f"{t['in_sample'] - peer:+.3f}",
                         None if peer is None else f"{t['held_out'] - peer:+.3f}", t["chosen_without"]])
        out += ["", "docsearch's nDCG@10 with its defaults (in-sample: chosen on all collections) and held out "
                "(the setting of bench/tuning.py's grid with the best mean on the other collections)", "",
                table(["collection", "in-sample", "held out", "best peer", "peer nDCG@10", "lead in-sample",
                       "lead held out", "chosen without this collection"], rows)]
    for name, c in collections.items():
        rows = []
        for k in keys:
            r = c["engines"][k]
            if r["status"] == "ok":
                rows.append([engines.NAMES[k], r[metric], r[f"map@{DEPTH}"], r[f"recall@{DEPTH}"],
                             r["index_seconds"], r["query_ms_mean"], r["query_errors"]])
            else:
                rows.append([engines.NAMES[k], r["status"], None, None, None, None, None])
        out += ["", f"### {name}", "",
                table(["engine", "nDCG@10", "MAP@100", "Recall@100", "index s", "ms/query", "query errors"], rows)]
    missing = [f"- {engines.NAMES[k]}: {r['reason']}" for c in collections.values()
               for k, r in c["engines"].items() if r["status"] != "ok"]
    if missing:
        out += ["", *dict.fromkeys(missing)]
    return "\n".join(out)
