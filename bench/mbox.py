"""`python -m bench mailbox`: indexing one large mailbox, its speed and its peak memory.

A mailbox of N small messages (about 2 KB each, a third of them replies quoting a line,
a tenth with a body line mbox must quote as ">From ") is written with the standard
library's EmailMessage and BytesGenerator (mangle_from_). It is indexed by build_index in
a child process, whose peak RSS (wait4's rusage) is the figure: the mailbox is read a
message at a time, so the peak follows --memory-mb, not the mailbox's size.
"""
from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import tempfile
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage
from pathlib import Path

from bench.report import table

VOCABULARY = ("fuel shipment inspectors harbour committee agenda calendar delegation ministry survey pelican "
              "walrus tonnage berth convoy winter talks agreement energy reactor framework verification "
              "sanctions envoy summit missile moratorium liaison office protocol annex deadline schedule "
              "meeting minutes report review budget transport ferry cargo customs").split()


def write_mailbox(path: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    words = lambda k: " ".join(rnd.choice(VOCABULARY) for _ in range(k))       # noqa: E731
    generator_policy = policy.default.clone(linesep="\n")
    with open(path, "wb") as f:
        for i in range(n):
            m = EmailMessage()
            m["From"] = f"Sender {i % 97} <s{i % 97}@example.org>"
            m["To"] = "Desk <desk@example.org>"
            m["Subject"] = f"Message {i}: {words(4)}"
            m["Date"] = f"Mon, {1 + i % 28} Oct 2000 10:{i % 60:02d}:00 +0900"
            m["Message-ID"] = f"<m{i}@example.org>"
            body = "\n\n".join(words(rnd.randint(40, 60)).capitalize() + "." for _ in range(4)) + "\n"
            if i % 10 == 0:
                body += "\nFrom the desk: a line that mbox must quote.\n"
            if i % 3 == 0:
                body += f"\nOn Sun, 8 Oct 2000, Desk wrote:\n> {words(30)}\n"
            m.set_content(body)
            buf = io.BytesIO()
            BytesGenerator(buf, mangle_from_=True, policy=generator_policy).flatten(m)
            f.write(f"From s{i % 97}@example.org Mon Oct  9 10:00:00 2000\n".encode() + buf.getvalue().rstrip(b"\n")
                    + b"\n\n")


_CHILD = """
import json, sys, time
from pathlib import Path
from indexer import build_index
t = time.perf_counter()
s = build_index([Path(sys.argv[1])], Path(sys.argv[2]), memory_mb=int(sys.argv[3]), procs=1)
print(json.dumps({"seconds": time.perf_counter() - t, "passages": s.passages, "line": s.line()}))
"""


def run(messages: int = 100_000, memory_mb: int = 256) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-mailbox-") as tmp:
        folder = Path(tmp) / "mail"
        folder.mkdir()
        box = folder / "mail.mbox"
        write_mailbox(box, messages)
        size = box.stat().st_size
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(folder), str(Path(tmp) / "idx"), str(memory_mb)],
                                 stdout=subprocess.PIPE, text=True)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        if status:
            raise RuntimeError(f"the indexing child failed (status {status})")
        done = json.loads(out)
    return {"messages": messages, "mailbox_mb": round(size / 1e6, 1), "memory_mb": memory_mb,
            "seconds": round(done["seconds"], 1), "messages_per_s": round(messages / done["seconds"], 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "passages": done["passages"], "summary": done["line"]}


def render(figures: dict) -> str:
    rows = [[f"{figures['messages']:,}", f"{figures['mailbox_mb']:,}", str(figures["memory_mb"]),
             f"{figures['seconds']:,}", f"{figures['messages_per_s']:,}", f"{figures['peak_rss_mb']:,}"]]
    return table(["messages", "mailbox MB", "--memory-mb", "seconds", "messages/s", "peak RSS MB"], rows)
