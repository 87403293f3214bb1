"""Old module paths that indexes on disk still name: an index opens whatever its age.

Whoosh pickles the schema and the segments into each index's TOC file by module path,
so an index written before the layout change (issue 11) names indexer.schema,
indexer.codec and indexer.analysis. Rather than ask every user to rebuild after an
upgrade, these names resolve to the modules' new homes. Installed by indexer/__init__.py,
before anything can unpickle a TOC; costs nothing until an old name is imported.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

MOVED = {
    "indexer.schema": "indexer.store.schema",
    "indexer.codec": "indexer.store.codec",
    "indexer.analysis": "indexer.store.analysis",
}


class _Moved(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports an old path as the module at its new path (one module object, two names)."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self) if fullname in MOVED else None

    def create_module(self, spec):
        return importlib.import_module(MOVED[spec.name])

    def exec_module(self, module):
        pass                         # the new module is already executed


if not any(isinstance(finder, _Moved) for finder in sys.meta_path):
    sys.meta_path.append(_Moved())
