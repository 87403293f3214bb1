"""Changing what an index holds without reading files: remove documents, a folder, a root.

    summary = remove_paths(["old-folder/"], Path("idx/"))

A folder whose files are gone cannot be re-indexed (there is nothing to walk), so
its documents are removed by naming it: a path (present or gone, spelled any way
that resolves to the same place), a root's label or a document id. Everything
named goes in one atomic commit; a name that matches nothing is an InputError and
nothing is removed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import InputError


@dataclass
class RemoveSummary:
    index_dir: Path
    documents: list[str] = field(default_factory=list)     # ids removed
    passages: int = 0
    roots: list[str] = field(default_factory=list)         # roots the index no longer holds

    def line(self) -> str:
        n = len(self.documents)
        text = (f"removed {n:,} document{'s' * (n != 1)} ({self.passages:,} passage{'s' * (self.passages != 1)}) "
                f"from {self.index_dir}")
        if self.roots:
            text += f"; {len(self.roots)} root{'s' * (len(self.roots) != 1)} forgotten: {', '.join(self.roots)}"
        return text


def remove_paths(names: list[str | Path], index_dir: Path) -> RemoveSummary:
    """Remove from `index_dir` every document under each of `names` (a file or folder path,
    present or gone; a root's label; a document id), in one commit."""
    from indexer.store.directory import check_index_dir
    from indexer.store.roots import contains
    from indexer.store.writer import IndexWriter

    index_dir = Path(index_dir)
    if not names:
        raise InputError("Name a file, folder, root or document id to remove")
    check_index_dir(index_dir, for_writing=False)       # never create an index only to remove from it
    summary = RemoveSummary(index_dir)
    with IndexWriter(index_dir) as writer:
        roots = writer.roots
        doomed: dict[str, None] = {}
        gone_roots: set[str] = set()
        for name in names:
            text = os.fsdecode(name)
            if text in writer.documents:
                doomed[text] = None
                continue
            target = roots.by_label.get(text.rstrip("/")) or os.path.realpath(text)
            found = [doc_id for doc_id, record in writer.documents.items() if contains(target, record.location())]
            held = [root for root in roots.by_label.values() if contains(target, root)]
            if not found and not held:
                raise InputError(f"Nothing in the index {index_dir} is under {text}; see 'docsearch list'")
            doomed.update(dict.fromkeys(found))
            gone_roots.update(held)
        for doc_id in doomed:
            summary.passages += writer.documents[doc_id].passages
            writer.delete(doc_id)
            summary.documents.append(doc_id)
        for label, root in list(roots.by_label.items()):
            if root in gone_roots:
                roots.discard(label)
                summary.roots.append(root)
    return summary
