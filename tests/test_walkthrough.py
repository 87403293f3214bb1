"""The first hour of a new user, as a script of real `docsearch` processes (issue 13):
index two folders that share a file name, edit a sidecar and a manifest, delete a folder,
list, remove, search, show, and open a path taken from the JSON."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import write

PARA = ("The delegation discussed the missile programme and the agreed framework at length, "
        "and both sides noted that further talks would be needed before the end of the year.")


def test_first_hour(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DOCSEARCH_INDEX"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")

    def docsearch(*args, code=0):
        result = subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=180)
        assert result.returncode == code, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    # Two folders, each with a README.md and its own notes.
    write(tmp_path / "letters" / "README.md", f"# Letters\n\nLetters about the walrus survey. {PARA}\n")
    write(tmp_path / "letters" / "1998.txt", f"A letter on the walrus colony, 1998. {PARA}\n")
    write(tmp_path / "reports" / "README.md", f"# Reports\n\nReports about the walrus survey. {PARA}\n")
    write(tmp_path / "reports" / "1998.txt.meta.json", json.dumps({"title": "Survey report"}))
    write(tmp_path / "reports" / "1998.txt", f"The walrus count of 1998. {PARA}\n")
    manifest = write(tmp_path / "meta.csv", "path,source\n1998.txt,Field office\n")

    first = docsearch("index", "letters", "--index", "idx")
    assert first.stdout.startswith("indexed 2 files")
    second = docsearch("index", "reports", "--metadata", manifest, "--index", "idx")
    assert second.stdout.startswith("indexed 2 files") and "removed" not in second.stdout

    found = json.loads(docsearch("search", "\"about the walrus survey\"", "--format", "json", "--index", "idx").stdout)
    ids = sorted(h["doc_id"] for h in found["hits"])
    assert ids == ["letters/README.md", "reports/README.md"]        # both README.md kept
    hit = found["hits"][0]
    with open(hit["abs_path"], encoding="utf-8") as f:                # a path from the JSON opens
        assert PARA in f.read()

    # Edit the sidecar and the manifest: a re-run with no PATH picks both up.
    write(tmp_path / "reports" / "1998.txt.meta.json", json.dumps({"title": "Walrus count, revised"}))
    write(manifest, "path,source\n1998.txt,Regional office\n")
    again = docsearch("index", "--index", "idx")
    assert again.stdout.startswith("indexed 1 file") and "3 unchanged" in again.stdout
    hit = json.loads(docsearch("search", "walrus count", "--format", "json", "--index", "idx").stdout)["hits"][0]
    assert (hit["doc_id"], hit["title"], hit["source"]) == ("reports/1998.txt", "Walrus count, revised",
                                                            "Regional office")
    shown = docsearch("show", hit["id"], "--index", "idx").stdout
    assert shown.startswith("Walrus count, revised\n") and "reports/1998.txt" in shown

    # A folder goes away: the index says so, list shows it, remove takes it out.
    shutil.rmtree(tmp_path / "letters")
    resync = docsearch("index", "--index", "idx")
    assert f"{tmp_path / 'letters'} is gone" in resync.stderr
    listed = docsearch("list", "--index", "idx").stdout
    assert "letters/README.md" in listed and "file gone" in listed
    removed = docsearch("remove", "letters", "--index", "idx")
    assert removed.stdout.startswith("removed 2 documents")
    listing = json.loads(docsearch("list", "--format", "json", "--index", "idx").stdout)
    assert [d["doc_id"] for d in listing["documents"]] == ["reports/1998.txt", "reports/README.md"]
    assert all(d["exists"] for d in listing["documents"])
    assert docsearch("remove", "letters", "--index", "idx", code=2).stderr.startswith("docsearch: error: ")
    docsearch("search", "walrus", "--index", "idx", "--format", "json")
