"""The speed benchmark: UN General Debate files in, per-engine indexing and query costs out.

Each engine indexes the same files in a fresh spawned process (so its peak memory is its own,
see MEMORY_METHOD), then, from this process, answers 30 keyword queries (every word
required) and 60 exact phrases, top 10 with a snippet each; the latency of one query includes
building its snippets. Every query is timed once, on its first run, after a few untimed
warm-up queries that are not in the set: a repeated query would time a result cache, not the
engine. Peers get the files' blank-line paragraphs as passages (see corpora.paragraphs); the
project indexes the files itself.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import engines
from bench.corpora import DEFAULT_CORPORA, UN_TXT, dir_size, passages, sample_phrases, un_files
from bench.project import user_env
from bench.report import table

KEYWORDS = (
    "missile", "nuclear disarmament", "climate change", "human rights", "refugees",
    "Korean peninsula", "terrorism", "sustainable development goals", "peacekeeping operations",
    "Security Council reform", "poverty eradication", "HIV AIDS", "small island developing states",
    "Palestine Israel", "sanctions", "globalization", "Afghanistan", "debt relief",
    "gender equality women", "ozone layer", "landmines", "Kyoto Protocol", "pandemic vaccines",
    "migration", "Ebola", "cyber security", "ceasefire", "apartheid South Africa",
    "Millennium Declaration", "food security agriculture",
)
FIXED_PHRASES = (
    "United Nations", "Security Council", "climate change", "human rights", "international community",
    "weapons of mass destruction", "sustainable development", "Korean peninsula", "nuclear weapons",
    "General Assembly", "peace and security", "Millennium Development Goals", "rule of law",
    "self-determination", "developing countries", "Middle East peace process", "international terrorism",
    "small island developing States", "Non-Proliferation Treaty", "Mr. President",
)
SAMPLED_PHRASES = 40
SEED = 4
WARMUP = ("general debate", "economic development", "world peace")   # untimed, not in the sets
TOP_K = 10
CLI_QUERY = "missile"
REPO = Path(__file__).resolve().parents[1]
MEMORY_METHOD = ("peak RSS (VmHWM) of the spawned indexing process, which starts as a bare interpreter, "
                 "plus the largest peak among its own child processes (RUSAGE_CHILDREN ru_maxrss; Whoosh "
                 "procs > 1 or a multi-process indexer): counts pages shared after fork twice, but only "
                 "one of several concurrent children")


def query_set(files: list[Path], seed: int = SEED) -> tuple[list[str], list[str]]:
    """The fixed keyword queries, and the fixed phrases plus phrases sampled from `files`."""
    from whoosh.analysis import STOP_WORDS

    sampled = sample_phrases(files, SAMPLED_PHRASES, seed, frozenset(STOP_WORDS), FIXED_PHRASES)
    return list(KEYWORDS), [*FIXED_PHRASES, *sampled]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100): a value that was measured, never interpolated."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _peak_rss_mb() -> tuple[float, float]:
    """Peak RSS in MB of this process and of its largest reaped child.

    This process's own peak is VmHWM, which starts afresh at exec; ru_maxrss would not, since
    Linux carries the parent's RSS at fork into it across the exec of a spawned process.
    """
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    try:
        with open("/proc/self/status") as f:
            hwm = next(line for line in f if line.startswith("VmHWM:"))
        return int(hwm.split()[1]) / 1024, kids
    except (OSError, StopIteration):     # no /proc: fall back to ru_maxrss (KiB on Linux)
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, kids


def _build_child(key, index_dir, files, source, max_chars, kw, conn):
    """Runs in the spawned process: index, then send back counts, seconds and peak memory."""
    try:
        engine = engines.make(key, index_dir, **kw)
        t0 = time.perf_counter()
        if key == engines.PROJECT:
            n = engine.build_paths([source])
        else:
            n = engine.build(passages(files, max_chars))
        seconds = time.perf_counter() - t0
        own, kids = _peak_rss_mb()
        conn.send({"passages": n, "index_seconds": seconds, "peak_rss_mb": own + kids,
                   "rss_own_mb": own, "rss_children_mb": kids})
    except BaseException:
        conn.send({"error": traceback.format_exc(limit=5)})
    finally:
        conn.close()


def build_in_child(key, index_dir, files, source, max_chars, kw) -> dict:
    """Index with one engine in a fresh process; raises RuntimeError with the child's traceback."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_build_child, args=(key, index_dir, files, source, max_chars, kw, sender))
    proc.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:
        result = {"error": "the indexing process died without a result"}
    proc.join()
    if "error" in result:
        raise RuntimeError(f"{engines.NAMES[key]} indexing failed:\n{result['error']}")
    return result


def time_queries(search, queries: list[str]) -> dict:
    """p50/p95 latency in ms of `search(q, TOP_K)` with its snippets, and how many found nothing."""
    latencies, empty = [], 0
    for q in queries:
        t0 = time.perf_counter()
        hits = search(q, TOP_K)
        sum(len(h.snippet) for h in hits)        # snippets are part of the answer
        latencies.append(1000 * (time.perf_counter() - t0))
        empty += not hits
    return {"p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95), "no_hits": empty}


def run_engine(key, files, source, workdir, keywords, phrases, max_chars, kw) -> dict:
    index_dir = workdir / f"{key}-index"
    built = build_in_child(key, index_dir, files, source, max_chars, kw)
    engine = engines.make(key, index_dir, **kw)
    try:
        for q in WARMUP:
            engine.keywords(q, TOP_K)
            engine.phrase(q, TOP_K)
        kws = time_queries(engine.keywords, keywords)
        phs = time_queries(engine.phrase, phrases)
    finally:
        engine.close()
    return {"status": "ok", **built, "index_mb": dir_size(index_dir) / 1e6,
            "keyword": kws, "phrase": phs, "settings": kw}


def _docsearch_command() -> tuple[list[str], dict, str]:
    """The installed `docsearch` script, else what it runs (`search.cli:main`) from this checkout."""
    exe = shutil.which("docsearch") or shutil.which("docsearch", path=str(Path(sys.executable).parent))
    if exe:
        return [exe], user_env(), "docsearch"
    env = user_env(PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return ([sys.executable, "-c", "import sys; from search.cli import main; sys.exit(main())"], env,
            "python -c 'from search.cli import main; main()' (no docsearch script installed)")


def cli_seconds(runs: int = 5) -> dict:
    """Median whole-process wall time of `docsearch search missile` on an index of seeds/."""
    reason = engines.missing(engines.PROJECT)
    if reason:
        return {"status": "missing", "reason": reason}
    from indexer import build_index

    prefix, env, label = _docsearch_command()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        index = Path(tmp) / "seeds-index"
        build_index([REPO / "seeds"], index)
        cmd = [*prefix, "search", CLI_QUERY, "--index", str(index)]
        times = []
        for _ in range(runs + 1):          # the first run warms the caches and is not counted
            t0 = time.perf_counter()
            done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - t0
            if done.returncode != 0:
                return {"status": "error", "command": label,
                        "reason": f"exit {done.returncode}: {done.stderr.strip()[-300:]}"}
            times.append(elapsed)
    return {"status": "ok", "command": f"{label} search {CLI_QUERY} --index SEEDS_INDEX",
            "runs": runs, "median_seconds": statistics.median(times[1:]),
            "output_lines": len(done.stdout.splitlines())}


def ratios(results: dict) -> dict:
    """docsearch ÷ each peer: > 1 is faster for MB/s, < 1 is faster for latencies and memory."""
    project = results.get(engines.PROJECT, {})
    if project.get("status") != "ok":
        return {}
    out = {}
    for key, r in results.items():
        if key == engines.PROJECT or r.get("status") != "ok":
            continue
        out[key] = {
            "index_mb_s": project["mb_s"] / r["mb_s"],
            "keyword_p50": project["keyword"]["p50_ms"] / r["keyword"]["p50_ms"],
            "keyword_p95": project["keyword"]["p95_ms"] / r["keyword"]["p95_ms"],
            "phrase_p50": project["phrase"]["p50_ms"] / r["phrase"]["p50_ms"],
            "phrase_p95": project["phrase"]["p95_ms"] / r["phrase"]["p95_ms"],
            "peak_rss": project["peak_rss_mb"] / r["peak_rss_mb"],
        }
    return out


def goals(ratio: dict, cli: dict) -> dict:
    """Issue 4's speed goals, each True/False, or None when an engine is missing."""
    fts5, whoosh = ratio.get("fts5"), ratio.get("whoosh")
    return {
        "query_p50 <= 1.0x FTS5": None if not fts5 else max(fts5["keyword_p50"], fts5["phrase_p50"]) <= 1.0,
        "query_p95 <= 3x FTS5": None if not fts5 else max(fts5["keyword_p95"], fts5["phrase_p95"]) <= 3.0,
        "index MB/s >= 4x plain Whoosh": None if not whoosh else whoosh["index_mb_s"] >= 4.0,
        "docsearch search < 0.3 s": None if cli.get("status") != "ok" else cli["median_seconds"] < 0.3,
    }


def run_speed(n_files: int | None = None, root: Path = DEFAULT_CORPORA, keys=engines.ENGINES,
              max_chars: int = 1000, whoosh_procs: int = 2, seed: int = SEED, cli_runs: int = 5) -> dict:
    files = un_files(root, n_files)
    mb = sum(f.stat().st_size for f in files) / 1e6
    keywords, phrases = query_set(files, seed)
    settings = {"whoosh": {"procs": whoosh_procs}}
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        workdir = Path(tmp)
        source = root / UN_TXT
        if len(files) < len(un_files(root)) and engines.PROJECT in keys:
            source = workdir / "files"            # the subset as a folder, for the project to index
            for f in files:
                dest = source / f.parent.name / f.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest)
        for key in keys:
            reason = engines.missing(key)
            if reason:
                results[key] = {"status": "missing", "reason": reason}
                continue
            try:
                r = run_engine(key, files, source, workdir, keywords, phrases, max_chars, settings.get(key, {}))
            except Exception as e:
                if key != engines.PROJECT:
                    raise                      # a peer failing is a harness bug: stop
                results[key] = {"status": "error", "reason": f"{type(e).__name__}: {e}"}
                continue
            r["mb_s"] = mb / r["index_seconds"]
            results[key] = r
            print(f"  {engines.NAMES[key]}: indexed in {r['index_seconds']:.1f} s", file=sys.stderr)
    ratio = ratios(results)
    cli = cli_seconds(cli_runs) if engines.PROJECT in keys else {"status": "skipped"}
    return {"corpus": {"files": len(files), "mb": mb, "max_passage_chars": max_chars,
                       "seed": seed, "top_k": TOP_K},
            "queries": {"keywords": keywords, "phrases": phrases},
            "memory_method": MEMORY_METHOD, "engines": results, "ratios": ratio, "cli": cli,
            "goals": goals(ratio, cli)}


def render(fig: dict, keys=engines.ENGINES) -> str:
    c = fig["corpus"]
    rows = []
    for k in keys:
        r = fig["engines"][k]
        if r["status"] != "ok":
            rows.append([engines.NAMES[k], r["status"], *[None] * 8])
            continue
        rows.append([engines.NAMES[k], r["index_seconds"], r["mb_s"], r["passages"], r["index_mb"],
                     r["peak_rss_mb"], r["keyword"]["p50_ms"], r["keyword"]["p95_ms"],
                     r["phrase"]["p50_ms"], r["phrase"]["p95_ms"]])
    out = [f"{c['files']} files, {c['mb']:.1f} MB; {len(fig['queries']['keywords'])} keyword queries "
           f"(all words), {len(fig['queries']['phrases'])} phrases; top {c['top_k']} with snippets", "",
           table(["engine", "index s", "MB/s", "passages", "index MB", "peak RSS MB", "keyword p50 ms",
                  "keyword p95 ms", "phrase p50 ms", "phrase p95 ms"], rows)]
    if fig["ratios"]:
        out += ["", "docsearch ÷ peer (MB/s: > 1 is faster; latency and memory: < 1 is better)", "",
                table(["peer", "index MB/s", "keyword p50", "keyword p95", "phrase p50", "phrase p95", "peak RSS"],
                      [[engines.NAMES[k], *r.values()] for k, r in fig["ratios"].items()])]
    cli = fig["cli"]
    out += ["", f"`docsearch search {CLI_QUERY}` on the seeds, whole process: "
            + (f"{cli['median_seconds']:.3f} s (median of {cli['runs']}; ran {cli['command']})"
               if cli["status"] == "ok"
               else f"{cli['status']}" + (f" ({cli['reason']})" if "reason" in cli else ""))]
    out += ["", "Goals: " + "; ".join(f"{g}: {'met' if v else 'missed' if v is False else 'n/a'}"
                                     for g, v in fig["goals"].items())]
    missing = [f"- {engines.NAMES[k]}: {r['reason']}" for k, r in fig["engines"].items() if r["status"] != "ok"]
    return "\n".join(out + ([""] + missing if missing else []))
