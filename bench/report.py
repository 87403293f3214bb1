"""Shared output: machine facts, markdown tables, and the JSON file under bench/results/.

Both commands print the table and write the same figures as JSON, so a committed result file
can be read back without rerunning (issue 4: the latest run per machine, with date and size).
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Sequence

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    """What the figures depend on: cores, RAM, and the engine versions."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        ram = None
    versions = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for module in ("tantivy", "whoosh"):
        try:
            from importlib.metadata import version

            versions[module] = version({"whoosh": "whoosh-reloaded"}.get(module, module))
        except Exception:  # not installed: the run reports the engine as missing
            versions[module] = None
    return {
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "ram_gb": round(ram / 2**30, 1) if ram else None,
        "platform": platform.platform(),
        "versions": versions,
    }


def write_json(command: str, figures: dict, tag: str | None, out_dir: Path | None = None) -> Path:
    """Write `figures` with date and machine to OUT/<command>-<tag>.json; return the path."""
    out_dir = Path(out_dir) if out_dir else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    tag = tag or socket.gethostname()
    path = out_dir / f"{command}-{tag}.json"
    doc = {"command": command, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "argv": sys.argv[1:], "machine": machine(), **figures}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A markdown table; floats and None are formatted by `cell`."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)
