"""The load benchmark: many searches against one index, and what they cost over time.

In: an index folder and a list of queries. Out: figures (a dict, also written as
bench/results/load-<host>.json) for two workloads:

- library: `library_searches` searches in this process through `search.Searcher`; one
  Searcher stays open for most of them and every `reopen_every`-th search opens and closes a
  new one (the open/close path is where file descriptors leak). RSS (VmRSS) and the number of
  open descriptors (/proc/self/fd) are read, after a gc.collect(), once `warmup` searches are
  done and at the end.
- cli: `cli_searches` sequential `docsearch search` runs, each a fresh interpreter
  (`python -m search.cli`); each child's peak RSS comes from wait4's rusage, and this
  process's descriptors are counted before and after (a leaked pipe would show there).

Growth is the end figure minus the warmed-up one; the tests (tests/test_reliability.py)
hold it within a tolerance. Linux only (/proc).
"""
from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from bench.project import user_env

REPO = Path(__file__).resolve().parents[1]


def rss_kb() -> int:
    """This process's resident set size in KiB (VmRSS)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise OSError("no VmRSS in /proc/self/status")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) - 1      # minus the descriptor listdir itself holds


def library_load(index_dir: Path, queries: Sequence[str], searches: int = 10_000, *,
                 warmup: int = 500, reopen_every: int = 10) -> dict:
    """`searches` library searches (every `reopen_every`-th through a fresh Searcher)."""
    from search import QueryError, Searcher

    started = time.perf_counter()
    s = Searcher(index_dir)
    hits = errors = 0
    warm_rss = warm_fds = None
    latencies = []
    try:
        for i in range(searches):
            if i == warmup:
                gc.collect()        # closed readers' files go with their objects: count what is left
                warm_rss, warm_fds = rss_kb(), open_fds()
            q = queries[i % len(queries)]
            t = time.perf_counter()
            try:
                if i % reopen_every == reopen_every - 1:
                    with Searcher(index_dir) as fresh:
                        hits += len(fresh.search(q, limit=10))
                else:
                    hits += len(s.search(q, limit=10))
            except QueryError:
                errors += 1
            latencies.append(time.perf_counter() - t)
        gc.collect()
        end_rss, end_fds = rss_kb(), open_fds()        # the kept Searcher still open, as at warm-up
    finally:
        s.close()
    if warm_rss is None:
        warm_rss, warm_fds = end_rss, end_fds
    return {
        "searches": searches, "warmup": warmup, "reopen_every": reopen_every, "hits": hits,
        "query_errors": errors, "seconds": round(time.perf_counter() - started, 2),
        "median_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000, 3),
        "rss_kb_warm": warm_rss, "rss_kb_end": end_rss, "rss_kb_growth": end_rss - warm_rss,
        "fds_warm": warm_fds, "fds_end": end_fds, "fds_growth": end_fds - warm_fds,
    }


def cli_load(index_dir: Path, queries: Sequence[str], searches: int = 500, *, window: int = 50) -> dict:
    """`searches` sequential CLI searches; compares the children's peak RSS, first vs last `window`."""
    env = user_env(PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    fds_before = open_fds()
    started = time.perf_counter()
    peaks, seconds, failures = [], [], []
    for i in range(searches):
        q = queries[i % len(queries)]
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "search.cli", "search", q, "--index", str(index_dir)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        stderr = proc.stderr.read()
        proc.stderr.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds.append(time.perf_counter() - t)
        peaks.append(usage.ru_maxrss)                   # KiB on Linux
        if proc.returncode not in (0, 2) or (proc.returncode == 2 and b"Traceback" in stderr):
            failures.append((q, proc.returncode, stderr.decode("utf-8", "replace")[-300:]))
    window = max(1, min(window, searches // 2))
    first, last = statistics.median(peaks[:window]), statistics.median(peaks[-window:])
    return {
        "searches": searches, "seconds": round(time.perf_counter() - started, 2),
        "median_s": round(statistics.median(seconds), 3),
        "peak_rss_kb_first": int(first), "peak_rss_kb_last": int(last), "peak_rss_kb_growth": int(last - first),
        "fds_before": fds_before, "fds_after": open_fds(), "failures": failures[:5], "failed": len(failures),
    }


def run_load(index_dir: Path, queries: Sequence[str], *, library_searches: int = 10_000, cli_searches: int = 500,
             out: Path | None = None, tag: str | None = None) -> tuple[dict, Path]:
    """Both workloads; prints one line each and writes bench/results/load-<tag>.json (tag: host name)."""
    from bench.report import write_json

    figures = {
        "index_dir": str(index_dir), "queries": list(queries),
        "library": library_load(Path(index_dir), queries, library_searches),
        "cli": cli_load(Path(index_dir), queries, cli_searches),
    }
    lib, cli = figures["library"], figures["cli"]
    print(f"load: {lib['searches']:,} library searches in {lib['seconds']} s (median {lib['median_ms']} ms): "
          f"RSS {lib['rss_kb_warm']:,} -> {lib['rss_kb_end']:,} KiB, fds {lib['fds_warm']} -> {lib['fds_end']}")
    print(f"load: {cli['searches']:,} CLI searches in {cli['seconds']} s (median {cli['median_s']} s): "
          f"child peak RSS {cli['peak_rss_kb_first']:,} -> {cli['peak_rss_kb_last']:,} KiB, "
          f"fds {cli['fds_before']} -> {cli['fds_after']}, {cli['failed']} failed")
    path = write_json("load", figures, tag, out)
    return figures, path
