"""The roots an index holds and the ids of their documents: LABEL/PATH, never colliding.

An index remembers each folder (or single file) it was given, resolved (realpath), with
a short label: the folder's own name, or NAME~2, NAME~3 when another root already has
that name. A document's id is its root's label and its path below the root,
`docs/reports/2000.txt`; a file indexed on its own is known by its label alone. So two
folders that both hold README.md keep both (`a/README.md`, `b/README.md`), the same
folder spelled another way (`../x`, a symlink) is the same root with the same ids, and
ids stay stable and short. Both sides read this: the writer to name documents, the
searcher to give each hit its root and absolute path.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def contains(root: str, path: str) -> bool:
    """Whether `path` is `root` or lies below it (both absolute, normalised)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


@dataclass
class Roots:
    """label -> resolved root path, as the index's marker stores it."""

    by_label: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_marker(cls, marker: dict | None) -> "Roots":
        return cls(dict((marker or {}).get("roots") or {}))

    def to_marker(self) -> dict[str, str]:
        return dict(sorted(self.by_label.items()))

    def label_of(self, root: str) -> str | None:
        return next((label for label, path in self.by_label.items() if path == root), None)

    def root_for(self, path: str) -> str | None:
        """The deepest known root that holds `path`, or None."""
        best = None
        for root in self.by_label.values():
            if contains(root, path) and (best is None or len(root) > len(best)):
                best = root
        return best

    def add(self, root: str) -> str:
        """The label of `root`, given a new one (its name, NAME~2, ...) if it is new."""
        label = self.label_of(root)
        if label is not None:
            return label
        name = os.path.basename(root.rstrip("/")) or "root"
        label, n = name, 1
        while label in self.by_label:
            n += 1
            label = f"{name}~{n}"
        self.by_label[label] = root
        return label

    def discard(self, label: str) -> None:
        self.by_label.pop(label, None)

    def split_id(self, doc_id: str) -> tuple[str | None, str]:
        """doc_id -> (its root, its path below the root); (None, doc_id) for an id of an unknown root."""
        label, _, rel = doc_id.partition("/")
        root = self.by_label.get(label)
        return (root, rel) if root is not None else (None, doc_id)

    def abs_path(self, doc_id: str) -> str | None:
        root, rel = self.split_id(doc_id.split("::")[0])    # a message or attachment: its file
        if root is None:
            return None
        return os.path.join(root, rel) if rel else root


def make_id(label: str, rel: str) -> str:
    """The id of the file at `rel` (posix, '' for a file that is its own root) under the root `label`."""
    return f"{label}/{rel}" if rel else label


def old_location(root: str, path: str) -> str:
    """Where a document of an index written before abs_path was recorded came from."""
    real = os.path.realpath(root)
    if path and os.path.basename(real) == path and not os.path.isdir(real):
        return real
    return os.path.join(real, path)
