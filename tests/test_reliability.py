"""Faults and load: killed and interrupted writers, stale and live locks, readers during
writes, a full disk and a read-only index folder, many searches, many re-indexing runs.

Each test drives the real `docsearch` command in subprocesses (`python -m search.cli`) or
the library, on corpora generated here. Counts are reduced by default, so that a newcomer's
run of the suite stays within minutes; DOCSEARCH_LONG_TESTS=1 (set by .ci/run) runs the full
counts. Never skipped.
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO
from indexer import IndexLockedError, build_index
from indexer.store import schema as S
from indexer.store.directory import MARKER
from search import Searcher

LONG = os.environ.get("DOCSEARCH_LONG_TESTS") == "1"
SEED = 6
PYTHON_ENV = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
ARCHIVE_FILES = 480          # and 30 more that come and go: a run of ~0.7 s, two workers
QUERIES = ("treaty", "missile inspection", '"reactor envoy"', "sanction OR summit", "epocha", "epochb", "tok7")

# -- a generated archive that changes between two versions ---------------------------

_VOCAB = ("missile treaty framework delegation summit reactor inspection sanction envoy armistice "
          "border ceasefire talks agreement nuclear programme council statement visit minister "
          "economy famine harvest railway port tariff").split()
_VOCAB += [f"{a}{b}" for a in ("ka", "mo", "su", "ri", "pe") for b in ("lan", "dor", "vik", "mun", "tes", "zor")]


def _paragraph(rng: random.Random, marker: str = "") -> str:
    words = [rng.choice(_VOCAB) for _ in range(rng.randint(25, 70))]
    if marker:
        words.insert(rng.randrange(len(words)), marker)
    return " ".join(words).capitalize() + "."


def _file_text(i: int, version: int | None, rng: random.Random) -> str:
    marker = "" if version is None else "epoch" + "ab"[version]
    paras = [_paragraph(rng, marker) for _ in range(rng.choice((1, 2, 3, 6)))]
    return f"Report {i}\n\nThe file tok{i} opens here. " + "\n\n".join(paras) + "\n"


def make_corpus(folder: Path, version: int, n: int = 240, gone: int = 30) -> Path:
    """Version 0 or 1 of an archive: n files, every third one rewritten between versions
    (its passages all carry epocha or epochb), `gone` files only in version 0 and as many new in 1."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for i in range(n):
        changes = i % 3 == 0
        rng = random.Random(f"{SEED}-{i}-{version if changes else 'x'}")
        wanted[f"f{i:03}.txt"] = _file_text(i, version if changes else None, rng)
    for j in range(gone):
        name = f"{'old' if version == 0 else 'new'}{j:02}.txt"
        wanted[name] = _file_text(1000 + j + 100 * version, version, random.Random(f"{SEED}-{name}"))
    for p in folder.iterdir():
        if p.name not in wanted:
            p.unlink()
    for name, text in wanted.items():
        p = folder / name
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")
    return folder


# -- observing an index ---------------------------------------------------------------

def stored_passages(index_dir: Path) -> frozenset:
    """Every live passage as (id, text, start, end, section), read with Whoosh's own reader."""
    ix = S.open_index(index_dir)
    with ix.searcher() as s:
        return frozenset((f["id"], f["body"], f["start"], f["end"], f.get("section")) for f in s.all_stored_fields())


def snapshot(index_dir: Path) -> dict:
    """What a reader can see: the passages, and the ranked top 10 (with scores) and totals of QUERIES."""
    with Searcher(index_dir) as s:
        top = {q: (r.total, tuple((h.id, round(h.score, 4)) for h in r)) for q in QUERIES for r in [s.search(q)]}
    return {"passages": stored_passages(index_dir), "top": top}


def answers(snap: dict) -> dict:
    """The part of a snapshot that does not depend on the index's history: passages, totals, top-10 ids."""
    return {"passages": snap["passages"], "top": {q: (t, frozenset(i for i, _ in hits)) for q, (t, hits) in snap["top"].items()}}


def marker_agrees(index_dir: Path) -> bool:
    """docsearch.json names the documents in the index whenever it is stamped with its generation."""
    marker = json.loads((index_dir / MARKER).read_text(encoding="utf-8"))
    ix = S.open_index(index_dir)
    if marker.get("generation") != S.generation(ix):
        return True     # lagging marker: recovered from stored fields by the next writer
    return set(marker["documents"]) == {pid.rsplit("#", 1)[0] for pid, *_ in stored_passages(index_dir)}


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def cli(*args, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **PYTHON_ENV}, timeout=timeout, **kw)


def start_cli(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "search.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **PYTHON_ENV},
                            start_new_session=True, preexec_fn=_as_in_a_terminal, **kw)


def _as_in_a_terminal() -> None:
    """SIGINT as a terminal's command has it. A test run started as a background job (`cmd &` in
    a script) ignores SIGINT, and children inherit that: docsearch never saw the Ctrl-C, every
    run ended with 0, and the Ctrl-C test failed for the way it was launched."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes of session `sid`: the writer and its workers."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry))
    return found


def wait_gone(sid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@contextlib.contextmanager
def reaped(proc: subprocess.Popen):
    """Whatever a test does, the process group it started is gone afterwards."""
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=10)


# -- killed and interrupted writers ----------------------------------------------------

@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Version 0 indexed (the pristine old index), the reference new state after one
    uninterrupted run to version 1, and a clean build of version 1; docs left at version 1."""
    base = tmp_path_factory.mktemp("archive")
    docs = make_corpus(base / "docs", 0, n=ARCHIVE_FILES)
    pristine = base / "pristine"
    assert cli("index", docs, "--index", pristine, "-q").returncode == 0
    make_corpus(docs, 1, n=ARCHIVE_FILES)
    after = base / "after"
    shutil.copytree(pristine, after)
    started = time.perf_counter()
    with reaped(start_cli("index", docs, "--index", after, "-q")) as proc:
        locked = wait_locked(proc, after) - started
        _, stderr = proc.communicate(timeout=120)
    seconds = time.perf_counter() - started
    assert proc.returncode == 0, stderr
    clean = base / "clean"
    assert cli("index", docs, "--index", clean, "-q").returncode == 0
    return {"docs": docs, "pristine": pristine, "old": snapshot(pristine), "new": snapshot(after),
            "clean": snapshot(clean), "seconds": seconds, "locked": locked, "bytes_new": dir_bytes(after), "base": base}


def wait_locked(proc: subprocess.Popen, index_dir: Path) -> float:
    """Poll until the writer holds the index's lock (its pid is in docsearch.lock) or exits; the time then."""
    lock, pid = index_dir / "docsearch.lock", str(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(OSError):
            if lock.read_text().strip() == pid:
                break
        time.sleep(0.002)
    return time.perf_counter()


def _fresh_copy(archive, name: str) -> Path:
    idx = archive["base"] / name
    shutil.rmtree(idx, ignore_errors=True)
    shutil.copytree(archive["pristine"], idx)
    return idx


def _state(archive, idx: Path) -> str:
    snap = snapshot(idx)
    assert marker_agrees(idx)
    if snap == archive["old"]:
        return "old"
    if snap == archive["new"]:
        return "new"
    old, new = answers(archive["old"]), answers(archive["new"])
    got = answers(snap)
    detail = {q: (got["top"][q], old["top"][q], new["top"][q]) for q in QUERIES if got["top"][q] not in (old["top"][q], new["top"][q])}
    pytest.fail(f"the index is neither its old nor its new committed state: {len(got['passages'])} passages "
                f"(old {len(old['passages'])}, new {len(new['passages'])}); queries that differ: {detail}")


def _finish_and_check(archive, idx: Path) -> None:
    """The next run completes the job: the index equals the uninterrupted run's, leaves no garbage."""
    run = cli("index", archive["docs"], "--index", idx, "-q")
    assert run.returncode == 0, run.stderr
    assert snapshot(idx) == archive["new"]
    assert dir_bytes(idx) <= 1.1 * archive["bytes_new"] + 65536, "files of the killed run were left behind"


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_or_mixes(archive):
    """SIGKILL to the writer's process group (writer and workers) at seeded moments: half spread
    over the whole run (start-up included), half over the part after the writer took the lock."""
    kills = 24 if LONG else 12
    rng = random.Random(SEED)
    whole, working = archive["seconds"] * 1.1, (archive["seconds"] - archive["locked"]) * 1.1
    outcomes = {"old": 0, "new": 0}
    for k in range(kills):
        half, slot = k % 2, k // 2
        delay = (whole if half == 0 else working) * (slot + rng.random()) / (kills // 2)   # one per slice
        idx = _fresh_copy(archive, "killed")
        with reaped(start_cli("index", archive["docs"], "--index", idx, "-q")) as proc:
            if half:
                wait_locked(proc, idx)
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            assert not wait_gone(proc.pid, 5)
        outcomes[_state(archive, idx)] += 1
        _finish_and_check(archive, idx)
    print(f"\n{kills} SIGKILLs over a {archive['seconds']:.2f} s run (lock taken at {archive['locked']:.2f} s): {outcomes}")
    assert outcomes["old"] and sum(outcomes.values()) == kills


@pytest.mark.slow
def test_ctrl_c_at_random_moments_exits_130_and_keeps_the_old_index(archive):
    """SIGINT to the process group, as Ctrl-C in a terminal sends it."""
    rng = random.Random(SEED + 1)
    trials = 8 if LONG else 4
    window = archive["seconds"] * 1.1
    outcomes = {"old": 0, "new": 0}
    codes: dict[int, int] = {}
    for k in range(trials):
        delay = window * (k + rng.random()) / trials
        idx = _fresh_copy(archive, "interrupted")
        with reaped(start_cli("index", archive["docs"], "--index", idx, "-q")) as proc:
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
            # -SIGINT: interrupted while the interpreter was still importing, before docsearch ran.
            assert proc.returncode in (0, 130, -signal.SIGINT), stderr
            if proc.returncode == 130:
                assert stderr.strip().splitlines()[-1].startswith("docsearch: interrupted"), stderr
                assert "Traceback" not in stderr, stderr
            assert not wait_gone(proc.pid, 5)
        state = _state(archive, idx)
        assert state == "new" or proc.returncode != 0
        outcomes[state] += 1
        codes[proc.returncode] = codes.get(proc.returncode, 0) + 1
        _finish_and_check(archive, idx)
    print(f"\n{trials} SIGINTs: {outcomes}, exit codes {codes}")
    assert codes.get(130)


@pytest.mark.slow
def test_killing_only_the_parent_leaves_no_worker_and_no_stale_lock(archive):
    """SIGKILL to the writer alone while its workers run: they must exit by themselves, promptly
    (they hold copies of the lock's descriptor), and the next run must not find the index locked."""
    rng = random.Random(SEED + 2)
    trials = 5 if LONG else 3
    lingering = {}
    killed_with_workers = 0
    for k in range(trials):
        idx = _fresh_copy(archive, "orphans")
        with reaped(start_cli("index", archive["docs"], "--index", idx, "-q")) as proc:
            deadline = time.monotonic() + 30
            while len(session_processes(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.2))
            workers = len(session_processes(proc.pid)) - 1
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            left = wait_gone(proc.pid, 5)
            if left:
                lingering[k] = left
            run = cli("index", archive["docs"], "--index", idx, "-q")
        assert not lingering, f"workers still alive 5 s after their writer was killed: {lingering}; next run: {run.stderr}"
        assert run.returncode == 0, run.stderr
        assert snapshot(idx) == archive["new"]
        killed_with_workers += workers > 0
    print(f"\n{trials} writers killed alone, {killed_with_workers} of them while their workers ran")
    assert killed_with_workers


def test_incremental_index_answers_like_a_clean_build(archive):
    """Same passages and the same number of matches for every query as a clean build."""
    new, clean = answers(archive["new"]), answers(archive["clean"])
    assert new["passages"] == clean["passages"]
    assert {q: t for q, (t, _) in new["top"].items()} == {q: t for q, (t, _) in clean["top"].items()}


def test_incremental_index_ranks_like_a_clean_build(archive):
    ranked = {snap: {q: [pid for pid, _ in hits] for q, (_, hits) in archive[snap]["top"].items()}
              for snap in ("new", "clean")}
    assert ranked["new"] == ranked["clean"]


def test_small_edits_keep_deleted_passages_yet_score_like_a_clean_build(tmp_path):
    """Too few deletions for a merge to purge them: the scores and the order still equal a clean
    build's (statistics count live passages; ties go by document id, not by indexing order)."""
    docs = make_corpus(tmp_path / "docs", 0, n=120, gone=0)
    idx, clean = tmp_path / "idx", tmp_path / "clean"
    build_index([docs], idx)
    for i in (3, 50, 77):
        p = docs / f"f{i:03}.txt"
        p.write_text(p.read_text(encoding="utf-8") + "\nAn extra treaty line on the missile inspection.\n",
                     encoding="utf-8")
    build_index([docs], idx)
    build_index([docs], clean)
    stored, live, _ = _segments(idx)
    assert stored > live == _segments(clean)[1]             # deleted passages are still on disk
    assert snapshot(idx)["top"] == snapshot(clean)["top"]  # ids, order and scores (4 places)


# -- locks ----------------------------------------------------------------------------------

HOLD_LOCK = ("import sys; from pathlib import Path; from indexer.store.directory import WriteLock\n"
             "with WriteLock(Path(sys.argv[1])):\n    print('held', flush=True)\n    sys.stdin.readline()\n")


def _lock_holder(index_dir: Path) -> subprocess.Popen:
    """A live process holding the index's write lock until its stdin gets a line (or it is killed)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, **PYTHON_ENV})
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_live_lock_holder_is_named_and_a_dead_one_is_not_in_the_way(tmp_path):
    docs = make_corpus(tmp_path / "docs", 0, n=12, gone=0)
    idx = tmp_path / "idx"
    assert cli("index", docs, "--index", idx, "-q").returncode == 0
    holder = _lock_holder(idx)
    try:
        run = cli("index", docs, "--index", idx)
        assert run.returncode == 2
        assert run.stderr == (f"docsearch: error: The index in {idx} is locked by another writer "
                              f"(pid {holder.pid}); wait for it to finish\n")
        with pytest.raises(IndexLockedError, match=rf"\(pid {holder.pid}\)"):
            build_index([docs], idx)
        with Searcher(idx) as s:                    # readers are never locked out
            assert s.search("tok3").total == 1
    finally:
        holder.kill()           # SIGKILL: no clean-up runs, the lock file keeps the dead pid
        holder.communicate()
    assert (idx / "docsearch.lock").read_text().strip() == str(holder.pid)
    make_corpus(docs, 1, n=12, gone=0)
    run = cli("index", docs, "--index", idx, "-q")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("indexed 4 files")


# -- readers during writes --------------------------------------------------------------------

READER_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from search import Searcher
idx, stop = Path(sys.argv[1]), Path(sys.argv[2])
fresh = sys.argv[3] == "fresh"
s = None
while not stop.exists():
    try:
        if s is None or fresh:
            s = Searcher(idx)
        r = s.search("epocha OR epochb", limit=1000)
        print(json.dumps(sorted([h.id, h.text] for h in r)), flush=True)
    except Exception as e:
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
    if fresh:
        s.close()
"""


def _epochs(pairs) -> frozenset:
    """An observation: (passage id, epoch) of every passage that carries an epoch marker."""
    out = set()
    for pid, text in pairs:
        words = set(text.lower().replace(".", " ").split())
        marks = words & {"epocha", "epochb"}
        assert len(marks) == 1, f"{pid} carries {marks}"
        out.add((pid, marks.pop()))
    return frozenset(out)


@pytest.mark.slow
@pytest.mark.parametrize("kept_open", [False, True],
                         ids=["fresh-searchers", "kept-open-searchers"])
def test_readers_during_writes_see_one_committed_state_at_a_time(tmp_path, kept_open):
    """Searches run while writers switch the archive between two versions: every answer is one
    version, whole (a changed document's passages all old or all new, no deleted passage, no
    missing one), nothing fails, and a commit is visible to the next search.

    fresh-searchers: library threads and processes opening a Searcher per search, and CLI searches;
    kept-open-searchers: a thread and a process each keeping one Searcher open across the commits.
    """
    docs = make_corpus(tmp_path / "docs", 0, n=150, gone=15)
    idx = tmp_path / "idx"
    assert cli("index", docs, "--index", idx, "-q").returncode == 0
    refs = {}
    for version in (0, 1):
        make_corpus(docs, version, n=150, gone=15)
        ref = tmp_path / f"ref{version}"
        assert cli("index", docs, "--index", ref, "-q").returncode == 0
        with Searcher(ref) as s:
            refs[version] = _epochs((h.id, h.text) for h in s.search("epocha OR epochb", limit=1000))
    assert refs[0] != refs[1] and len(refs[1]) > 50
    make_corpus(docs, 0, n=150, gone=15)

    stop = tmp_path / "stop"
    seen: list[tuple[str, frozenset | str]] = []
    lock = threading.Lock()

    def record(who, observation):
        with lock:
            seen.append((who, observation))

    def library_thread():
        s = Searcher(idx)
        try:
            while not stop.exists():
                try:
                    if not kept_open:
                        s.close()
                        s = Searcher(idx)
                    r = s.search("epocha OR epochb", limit=1000)
                    record("thread", _epochs((h.id, h.text) for h in r))
                except Exception as e:     # noqa: BLE001 - any failure is the finding
                    record("thread", f"{type(e).__name__}: {e}")
        finally:
            s.close()

    def cli_thread():
        while not stop.exists():
            run = cli("search", "epocha OR epochb", "--index", idx, "-n", 1000, "--format", "json", timeout=60)
            if run.returncode != 0:
                record("cli", f"exit {run.returncode}: {run.stderr}")
            else:
                record("cli", _epochs((h["id"], h["text"]) for h in json.loads(run.stdout)["hits"]))

    mode = "kept" if kept_open else "fresh"
    logs = [tmp_path / f"reader{i}.jsonl" for i in range(1 if kept_open else 2)]
    readers = []
    for log in logs:            # to a file: a pipe read only at the end would fill and block the reader
        with open(log, "w", encoding="utf-8") as out:
            readers.append(subprocess.Popen([sys.executable, "-c", READER_SCRIPT, str(idx), str(stop), mode],
                                            stdout=out, env={**os.environ, **PYTHON_ENV}))
    threads = [threading.Thread(target=library_thread) for _ in range(1 if kept_open else 2)]
    if not kept_open:
        threads.append(threading.Thread(target=cli_thread))
    for t in threads:
        t.start()
    kept = Searcher(idx)
    switches = 2 if kept_open else 4 if LONG else 3
    after_commit = []
    try:
        for k in range(switches):
            version = 1 - k % 2
            make_corpus(docs, version, n=150, gone=15)
            time.sleep(0.3)
            run = cli("index", docs, "--index", idx, "-q")
            assert run.returncode == 0, run.stderr
            # The first search after the commit sees it: through a new Searcher, or one kept open.
            with Searcher(idx) as s:
                after_commit.append(_epochs((h.id, h.text) for h in s.search("epocha OR epochb", limit=1000)) == refs[version])
            if kept_open:
                after_commit.append(_epochs((h.id, h.text) for h in kept.search("epocha OR epochb", limit=1000)) == refs[version])
            time.sleep(0.3)
    finally:
        stop.touch()
        for t in threads:
            t.join(60)
        kept.close()
    for proc, log in zip(readers, logs):
        proc.wait(timeout=60)
        for line in log.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            if isinstance(data, dict):
                record("process", data["error"])
            else:
                record("process", _epochs(data))
    failures = [(who, obs) for who, obs in seen if isinstance(obs, str)]
    assert not failures, failures[:3]
    tally = {who: [sum(1 for w, o in seen if w == who and o == refs[v]) for v in (0, 1)]
             for who in {w for w, _ in seen}}
    mixed = [(who, len(obs)) for who, obs in seen if obs not in (refs[0], refs[1])]
    print(f"\n{switches} commits under {len(seen)} concurrent searches (old, new answers): {tally}; "
          f"{len(mixed)} answers were neither")
    assert not mixed, f"{len(mixed)} of {len(seen)} answers were neither version: {mixed[:5]}"
    assert all(after_commit)
    assert all(old and new for old, new in tally.values())


# -- a full disk, a read-only folder ----------------------------------------------------------

@contextlib.contextmanager
def tiny_tmpfs(path: Path, size: str = "2m"):
    """A real 2 MB tmpfs at `path` (needs root and mount); yields False when it cannot be made."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True).returncode == 0
    except OSError:
        made = False
    try:
        yield made
    finally:
        if made:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(folder: Path, leave: int) -> Path:
    """A filler file that takes all free space of `folder`'s file system but `leave` bytes."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    filler = folder / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def _limit_file_size(limit: int):
    """preexec_fn: writes past `limit` bytes fail with EFBIG (a kernel limit, like a full disk to the code)."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


LIBRARY_RUN = ("import sys; from indexer import build_index; from indexer.errors import DocsearchError\n"
               "try:\n    build_index([sys.argv[1]], sys.argv[2], rebuild='--rebuild' in sys.argv)\n"
               "except DocsearchError as e:\n    print(type(e).__name__, e)\n")


def _write_fault_run(docs: Path, idx: Path, files: int, preexec=None, free_space=None, expect: str = "") -> None:
    """Index version 1 (`files` files) into an index that cannot take it: the previous index must stay
    exactly as it was, the run must end within 30 s, and the next run with room must succeed. The
    error's form (one line, exit 2 / IndexWriteError) is checked last."""
    before = snapshot(idx)
    make_corpus(docs, 1, n=files, gone=0)
    started = time.perf_counter()
    run = cli("index", docs, "--index", idx, timeout=90, preexec_fn=preexec)
    seconds = time.perf_counter() - started
    assert snapshot(idx) == before
    lib = subprocess.run([sys.executable, "-c", LIBRARY_RUN, str(docs), str(idx)], capture_output=True, text=True,
                         env={**os.environ, **PYTHON_ENV}, timeout=90, preexec_fn=preexec)
    assert snapshot(idx) == before and seconds < 30
    if free_space:
        free_space()
    again = cli("index", docs, "--index", idx, "-q", timeout=90)       # with room again, the next run succeeds
    assert again.returncode == 0, again.stderr[-2000:]
    with Searcher(idx) as s:
        assert s.search("epochb").total > 0 and s.search(f"tok{files - 1}").total == 1
    message = f"Cannot write the index in {idx}: {expect}; the previous index is unchanged"
    assert (run.returncode, run.stderr) == (2, f"docsearch: error: {message}\n"), run.stderr[-3000:]
    assert lib.stdout == f"IndexWriteError {message}\n", lib.stdout + lib.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("files,leave", [(60, 96 * 1024), (150, 96 * 1024),
                                         (60, 0)],
                         ids=["one-process", "workers", "no-block-left"])
def test_full_disk_fails_cleanly_and_keeps_the_index(tmp_path, files, leave):
    """A real full disk: a 2 MB tmpfs (needs root) filled to `leave` free bytes; elsewhere the same
    write(2) failure from RLIMIT_FSIZE."""
    docs = make_corpus(tmp_path / "docs", 0, n=20, gone=0)
    mnt = tmp_path / "mnt"
    with tiny_tmpfs(mnt) as mounted:
        idx = mnt / "idx"
        assert cli("index", docs, "--index", idx, "-q").returncode == 0
        if mounted:
            filler = fill(mnt, leave=leave)
            _write_fault_run(docs, idx, files, free_space=filler.unlink, expect="the disk is full")
        else:
            _write_fault_run(docs, idx, files, preexec=_limit_file_size(leave and 32 * 1024), expect="File too large")


@pytest.mark.parametrize("files", [60, 150], ids=["one-process", "workers"])
def test_file_size_limit_fails_cleanly_and_keeps_the_index(tmp_path, files):
    """The OS-level stand-in for a full disk, run on every machine: write(2) fails with EFBIG."""
    docs = make_corpus(tmp_path / "docs", 0, n=20, gone=0)
    idx = tmp_path / "idx"
    assert cli("index", docs, "--index", idx, "-q").returncode == 0
    _write_fault_run(docs, idx, files, preexec=_limit_file_size(32 * 1024), expect="File too large")


def without_dac_override():
    """preexec_fn: the child (root or not) obeys file mode bits. Root normally ignores them through
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; dropping both from the bounding set keeps them out
    of the exec'd program too. A no-op for a non-root user, who obeys mode bits anyway."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop():
        for cap in (1, 2):      # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:       # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    return drop


@contextlib.contextmanager
def read_only(folder: Path, method: str):
    """Make `folder` unwritable for the next writer; yields (method used, reason shown, preexec_fn).

    ro-mount: a read-only bind mount of the folder on itself (root); immutable: chattr +i (root,
    ext4/xfs/btrfs); no-permission: mode 0o555, the writer started without DAC override. A
    method the machine cannot do falls back to no-permission, which works everywhere.
    """
    if method == "ro-mount":
        ok = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode == 0
        if ok and subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True).returncode == 0:
            try:
                yield "ro-mount", "the file system is read-only", None
            finally:
                subprocess.run(["umount", str(folder)], capture_output=True)
            return
        if ok:
            subprocess.run(["umount", str(folder)], capture_output=True)
    if method == "immutable" and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        try:
            yield "immutable", "permission denied", None
        finally:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        return
    mode = folder.stat().st_mode
    folder.chmod(0o555)
    try:
        yield "no-permission", "permission denied", without_dac_override()
    finally:
        folder.chmod(mode)


@pytest.mark.parametrize("rebuild", [False, True], ids=["incremental", "rebuild"])
@pytest.mark.parametrize("method", ["ro-mount", "immutable", "no-permission"])
def test_read_only_index_folder_fails_cleanly(tmp_path, method, rebuild):
    docs = make_corpus(tmp_path / "docs", 0, n=30, gone=0)
    idx = tmp_path / "idx"
    assert cli("index", docs, "--index", idx, "-q").returncode == 0
    before = snapshot(idx)
    make_corpus(docs, 1, n=30, gone=0)
    flags = ["--rebuild"] if rebuild else []
    with read_only(idx, method) as (used, reason, preexec):
        run = cli("index", docs, "--index", idx, *flags, preexec_fn=preexec)
        assert run.returncode == 2, run.stderr[-2000:]
        assert run.stderr == (f"docsearch: error: Cannot write the index in {idx}: {reason}; "
                              "the previous index is unchanged\n")
        lib = subprocess.run([sys.executable, "-c", LIBRARY_RUN, str(docs), str(idx), *flags], capture_output=True,
                             text=True, env={**os.environ, **PYTHON_ENV}, timeout=90, preexec_fn=preexec)
        assert lib.stdout == f"IndexWriteError Cannot write the index in {idx}: {reason}; the previous index is unchanged\n", \
            lib.stdout + lib.stderr[-2000:]
        assert snapshot(idx) == before
        assert cli("search", "tok3", "--index", idx).returncode == 0
    print(f"\n{method} -> {used}: {run.stderr.strip()}")
    assert not [p for p in tmp_path.iterdir() if "rebuild" in p.name]
    assert cli("index", docs, "--index", idx, "-q").returncode == 0
    with Searcher(idx) as s:
        assert s.search("epochb").total > 0


# -- load -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_many_searches_do_not_grow_memory_or_leak_descriptors(tmp_path):
    from bench.load import run_load

    docs = make_corpus(tmp_path / "docs", 0, n=120, gone=0)
    idx = tmp_path / "idx"
    assert cli("index", docs, "--index", idx, "-q").returncode == 0
    files_before = sorted(p.name for p in idx.iterdir())
    library, cli_runs = (10_000, 500) if LONG else (2_000, 60)
    queries = [*QUERIES, "nuclear talks", '"treaty framework"~3', "kalan*", "border -ceasefire", "tariff~1",
               "title:report", "nosuchword", "missile AND"]
    figures, _ = run_load(idx, queries, library_searches=library, cli_searches=cli_runs, out=tmp_path)
    lib, cmd = figures["library"], figures["cli"]
    assert lib["fds_growth"] == 0
    assert lib["rss_kb_growth"] <= 16 * 1024, lib         # 16 MiB: allocator noise, not a per-search leak
    assert cmd["failed"] == 0, cmd["failures"]
    assert cmd["fds_after"] == cmd["fds_before"]
    assert cmd["peak_rss_kb_growth"] <= 0.1 * cmd["peak_rss_kb_first"], cmd
    assert sorted(p.name for p in idx.iterdir()) == files_before          # readers write nothing


# -- deletions are purged ---------------------------------------------------------------------

def _segments(index_dir: Path) -> tuple[int, int, int]:
    """(passages stored, deleted ones included; live passages; segments)."""
    ix = S.open_index(index_dir)
    with ix.reader() as r:
        return r.doc_count_all(), r.doc_count(), len(ix._segments())


@pytest.mark.slow
def test_reindexing_many_times_stays_the_size_of_a_clean_build(tmp_path):
    """50 runs, each editing 3 of 200 files. Checked every 5 runs against a clean build of the same
    files: deleted passages are purged (stored <= 1.3 x live + 10) and the index stays within merge
    slack of a clean build (bytes <= 1.5 x clean + 64 KiB per segment beyond the first)."""
    n, runs = 200, 50
    docs = make_corpus(tmp_path / "docs", 0, n=n, gone=0)
    idx, clean = tmp_path / "idx", tmp_path / "clean"
    rng = random.Random(SEED)
    build_index([docs], idx)
    rows = []
    for run in range(1, runs + 1):
        for _ in range(3):
            p = docs / f"f{rng.randrange(n):03}.txt"
            p.write_text(p.read_text(encoding="utf-8") + f"\nEdit {run}. " + _paragraph(rng) + "\n", encoding="utf-8")
        build_index([docs], idx)
        if run % 5 == 0:
            shutil.rmtree(clean, ignore_errors=True)
            build_index([docs], clean)
            stored, live, segments = _segments(idx)
            assert live == _segments(clean)[1]
            rows.append((run, dir_bytes(idx), dir_bytes(clean), stored, live, segments))
    print("\nrun  bytes  clean  ratio  stored  live  segments")
    for run, size, clean_size, stored, live, segments in rows:
        print(f"{run:3} {size:9,} {clean_size:9,} {size / clean_size:5.2f} {stored:6} {live:5} {segments:3}")
    too_big = [row for row in rows if row[1] > 1.5 * row[2] + 65536 * (row[5] - 1) or row[3] > 1.3 * row[4] + 10]
    assert not too_big, too_big
