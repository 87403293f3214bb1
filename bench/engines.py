"""Engine keys -> engine objects, and why an engine cannot run here (so a run reports it, not crashes)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from bench.peers import PEERS, Peer
from bench.project import Project, project_missing

PROJECT = "docsearch"
ENGINES = (PROJECT, *PEERS)                # column order in every table
NAMES = {PROJECT: Project.name, **{k: cls.name for k, cls in PEERS.items()}}


def missing(key: str) -> str | None:
    """None if engine `key` can run; else the reason, saying what to install."""
    if key == PROJECT:
        return project_missing()
    if key == "tantivy" and importlib.util.find_spec("tantivy") is None:
        return "tantivy not installed: pip install -e '.[bench]'"
    return None


def make(key: str, index_dir: Path, **kw) -> Peer:
    return Project(index_dir) if key == PROJECT else PEERS[key](index_dir, **kw)
