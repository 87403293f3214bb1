"""The case of a query: a query typed in capitals reads like the same query in lower case.

The index keeps the case of a short acronym ("US", "UN", "WAR") only where case carries
information, in mixed-case text; on a line in capitals the word is held under its
"either reading" term (indexer/store/analysis.py). A query is text too, and the same
rule reads it: in a query written in capitals ("THE WAR IN KOREA", NPL's queries), the
case of "WAR" or "THE" says nothing, so those words are read in lower case ("the" is a
stop word again, "war" finds "war" and "WAR") and keep their acronym reading as well
(compiler.case_readings). One exception keeps the acronym rule where the archive itself
says the word is one: when the index holds the word in capitals, in mixed-case text, at
least a twentieth as often as in lower case (`US` on an archive about the United States).
Operators (AND, OR, NOT) stay operators.
"""
from __future__ import annotations

import re

from indexer.store.analysis import ACRONYM_TERMS, in_capitals
from search.query.lexer import OPERATORS
from search.query.parser import Group, Leaf, Not, Required
from search.query.vocabulary import Vocabulary

_WORD = re.compile(r"[^\W\d_]+")
ACRONYM_SHARE = 20          # an acronym in capitals at least 1/20 as often as the word: the archive's acronym


def read_capitals(tree, text: str, vocabulary: Vocabulary | None) -> dict[int, str]:
    """Lower-case the acronym-list words of a query written in capitals, in place in its
    tree's tokens; id() of each token changed -> its text as typed (the compiler adds their
    acronym reading and shows what was typed)."""
    words = " ".join(w for w in _WORD.findall(text) if w not in OPERATORS)
    if not words or not in_capitals(words):
        return {}

    def lower(m: re.Match) -> str:
        word = m.group()
        return word.lower() if word in ACRONYM_TERMS and not _acronym(word, vocabulary) else word

    changed = {}
    for leaf in _leaves(tree):
        tok, fld = leaf.tok, leaf.field
        if tok.kind not in ("word", "phrase") or (fld is not None and fld.kind in ("id", "lower", "date")):
            continue
        new = _WORD.sub(lower, tok.text)
        if new != tok.text:
            changed[id(tok)] = tok.text
            tok.text, tok.base = new, _WORD.sub(lower, tok.base) if tok.base else tok.base
    return changed


def _acronym(word: str, vocabulary: Vocabulary | None) -> bool:
    """Whether the index uses `word` ("US") as an acronym: in capitals in mixed-case text,
    at least 1/ACRONYM_SHARE as often as in lower case."""
    if vocabulary is None:
        return False
    upper = vocabulary.frequency(word)
    return upper > 0 and upper * ACRONYM_SHARE >= vocabulary.frequency(word.lower())


def _leaves(tree):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            yield node
        elif isinstance(node, (Not, Required)):
            stack.append(node.child)
        elif isinstance(node, Group):
            stack.extend(node.children)
