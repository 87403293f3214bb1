"""Corrected versions of Whoosh pieces that give wrong answers in whoosh-reloaded 2.7.5.

Whoosh is frozen at 2.7.5, so its bugs are fixed here by subclassing, never
by patching the installed library.
"""
from __future__ import annotations

from whoosh import matching
from whoosh import query as wq


class _AndNotMatcher(matching.AndNotMatcher):
    """Upstream checks the excluded list at the start only when both lists
    begin on the same document; when the excluded list begins earlier, the first
    positive document is kept even if it is excluded (`missile -relations`
    returned a passage containing "relations")."""

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class AndNot(wq.AndNot):
    """`a AND NOT b` whose matcher excludes correctly from the first document on."""

    def matcher(self, searcher, context=None):
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(scored, excluded)
