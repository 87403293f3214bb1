"""The adapter for docsearch itself: the same interface as the peers (see bench.peers).

The project indexes files with its own indexer (`indexer.build_index`) and is queried through
`search.Searcher.search` with the user's raw text; nothing here tokenises or rewrites a query.
Each benchmark document is written as a file `ID.txt` (title line, blank line, text) with a
sidecar `ID.txt.meta.json` (`{"title": ...}`), so the title reaches the title field either way;
a hit's `doc_id` (the path relative to the indexed root) maps back by file name.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterable

from bench.corpora import Doc
from bench.peers import Hit, Peer


def user_env(**extra: str) -> dict:
    """The environment for timing `docsearch` commands: this one, but Python keeps compiled
    bytecode, as on a user's machine (pip compiles an installed package; an editable checkout
    is compiled on first import unless PYTHONDONTWRITEBYTECODE, set in some sandboxes, says not to)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def project_missing() -> str | None:
    """Why the project cannot be benchmarked (its API does not import yet), or None."""
    try:
        from indexer import build_index  # noqa: F401
        from search import Searcher  # noqa: F401
    except ImportError as e:
        return f"docsearch API not importable ({e})"
    return None


def write_files(docs: Iterable[Doc], folder: Path) -> int:
    """One `ID.txt` per record plus its `.meta.json` title sidecar; returns the count."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for d in docs:
        body = f"{d.title}\n\n{d.text}" if d.title else d.text
        (folder / f"{d.id}.txt").write_text(body, encoding="utf-8")
        if d.title:
            (folder / f"{d.id}.txt.meta.json").write_text(json.dumps({"title": d.title}), encoding="utf-8")
        n += 1
    return n


def _doc_id(hit) -> str:
    return Path(hit.doc_id).name.removesuffix(".txt")


def _snippet_text(hit) -> str:
    snippet = hit.snippet
    return getattr(snippet, "text", snippet) or ""


class Project(Peer):
    """docsearch: build_index over files, then one Searcher kept open for all queries."""

    name = "docsearch"

    def __init__(self, index_dir: Path, search_kw: dict | None = None, **build_kw):
        super().__init__(index_dir)
        self.build_kw = build_kw
        self.search_kw = search_kw or {}      # Searcher settings (bench/tuning.py tries a few)
        self.summary = None
        self._searcher = None

    def build(self, docs: Iterable[Doc]) -> int:
        """Write `docs` as files beside the index, then index that folder."""
        folder = self.index_dir.with_name(self.index_dir.name + "-files")
        shutil.rmtree(folder, ignore_errors=True)
        write_files(docs, folder)
        return self.build_paths([folder])

    def build_paths(self, paths: list[Path]) -> int:
        """Index files or folders as a user would; returns the passages written."""
        from indexer import build_index

        self.summary = build_index(list(paths), self.index_dir, **self.build_kw)
        return self.summary.passages

    def _open(self):
        if self._searcher is None:
            from search import Searcher

            self._searcher = Searcher(self.index_dir, **self.search_kw)
            self._searcher.__enter__()
        return self._searcher

    def search(self, text, k=100):
        hits = self._open().search(text, limit=k, operator="or", per_doc=1)
        return [_doc_id(h) for h in hits]

    def keywords(self, text, k=10):
        hits = self._open().search(text, limit=k, operator="and")
        return [Hit(_doc_id(h), _snippet_text(h)) for h in hits]

    def phrase(self, text, k=10):
        hits = self._open().search(f'"{text}"', limit=k)
        return [Hit(_doc_id(h), _snippet_text(h)) for h in hits]

    def close(self):
        if self._searcher is not None:
            self._searcher.__exit__(None, None, None)
            self._searcher = None
