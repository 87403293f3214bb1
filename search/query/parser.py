"""Tokens -> tree: the nodes of a parsed query, the recursive-descent parser of the
grammar in parse.py, the fast path for plain words and phrases, and the checks on the
tree the compiler needs (parenthesis balance, stop words only, joinable words)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.store.analysis import EXACT, STEMMED
from search.query.aliases import Alias
from search.query.lexer import Field, OPERATORS, Tok, located_error
from search.query.limits import MAX_DEPTH
from search.query.vocabulary import Vocabulary


# A plain word (no operator, field, modifier, suffix, escape or parenthesis) or a closed
# straight-quoted phrase without escapes or slop, each followed by a space or the end.
_PLAIN_TOKEN = re.compile(r'\s*(?:"([^"“”„\\]*)"|([^\s()"“”„\\:*~]+))(?=\s|\Z)')


def plain_tree(text: str):
    """The tree of a query that is only plain words and phrases, as Lexer and Parser build it
    (most queries are: keywords, a quoted phrase, a question), without their character and
    grammar steps; None for anything else, which the lexer and parser read."""
    leaves = []
    pos, end = 0, len(text)
    while pos < end:
        m = _PLAIN_TOKEN.match(text, pos)
        if m is None:
            if text[pos:].isspace():
                break
            return None
        word = m.group(2)
        if word is None:
            start = m.start(1) - 1                    # the opening quote
            tok = Tok("phrase", start + 1, m.group(1), number=0, end=m.end(1))
        elif word[0] in "+-=" or word in OPERATORS:
            return None                               # maybe a modifier or an operator
        else:
            tok = Tok("word", m.start(2) + 1, word, base=word, end=m.end(2))
        leaves.append(Leaf(tok, None))
        pos = m.end()
    if not leaves:
        return None
    return leaves[0] if len(leaves) == 1 else Group("space", tuple(leaves))


def balance(tokens: list[Tok], text: str, notes: list[str]) -> list[Tok]:
    """Check parentheses; see the module docstring for when an unmatched one is ignored."""
    stack, unmatched = [], []
    for n, t in enumerate(tokens):
        if t.kind == "(":
            stack.append(n)
        elif t.kind == ")":
            if stack:
                stack.pop()
            else:
                unmatched.append(n)
    unmatched = sorted(unmatched + stack)
    if not unmatched:
        return tokens
    uses_syntax = any(t.kind in ("op", "field") or (t.kind == "mod" and n + 1 < len(tokens)
                                                    and tokens[n + 1].kind == "(")
                      for n, t in enumerate(tokens))
    if uses_syntax:
        t = tokens[unmatched[0]]
        fix = "close it with ')' or remove it" if t.kind == "(" else "remove it or open it with '(' before"
        open_quote = next((q for q in tokens if q.kind == "phrase" and not q.closed), None)
        if open_quote is not None:
            fix += f" (the quote at column {open_quote.col} is never closed)"
        raise located_error("unbalanced parenthesis", fix, text, t.col)
    for n in unmatched:
        notes.append(f"ignored the unmatched '{tokens[n].kind}' at column {tokens[n].col} "
                     "(parentheses only group with AND, OR, NOT or a field)")
    drop = set(unmatched)
    return [t for n, t in enumerate(tokens) if n not in drop]


# --- parser: tokens -> tree -------------------------------------------------------------------

@dataclass(frozen=True)
class Leaf:
    tok: Tok
    field: Field | None      # None: the default (body, title, section / exact)
    literal: bool = False     # =word: no alias expansion (issue 5)


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class Required:
    child: object


@dataclass(frozen=True)
class Group:
    kind: str                 # "space" (default operator), "and", "or"
    children: tuple


@dataclass(frozen=True)
class Run:
    """Consecutive plain words expanded as a whole: an alias name, or two words that join."""
    leaves: tuple                     # the Leaf nodes, as typed
    terms: tuple[str, ...]            # their EXACT terms, in order
    aliases: tuple[Alias, ...] = ()   # the set's other names
    joined: str = ""                  # the joined form of two words ("jong il" -> "jongil")


class Parser:
    """Recursive descent over the grammar in the module docstring; depth is bounded by MAX_DEPTH."""

    def __init__(self, tokens: list[Tok], text: str):
        self.tokens = tokens + [Tok("eof", len(text) + 1)]
        self.text = text
        self.i = 0

    def parse(self):
        return self.clauses(None, False, 0)

    def peek(self) -> Tok:
        return self.tokens[self.i]

    def take(self) -> Tok:
        self.i += 1
        return self.tokens[self.i - 1]

    def _is_op(self, tok: Tok, *names: str) -> bool:
        return tok.kind == "op" and tok.text in names

    def _operand_follows(self, op: Tok) -> None:
        nxt = self.peek()
        if nxt.kind in ("eof", ")") or self._is_op(nxt, "AND", "OR"):
            raise located_error(f"{op.text} has nothing after it", f"add a word after {op.text} or remove it",
                                self.text, op.col)

    def clauses(self, fld, literal, depth):
        items = []
        while self.peek().kind not in ("eof", ")"):
            tok = self.peek()
            if self._is_op(tok, "AND", "OR"):
                raise located_error(f"{tok.text} has nothing before it", f"add a word before {tok.text} or remove it",
                                    self.text, tok.col)
            items.append(self.either(fld, literal, depth))
        return items[0] if len(items) == 1 else Group("space", tuple(items))

    def either(self, fld, literal, depth):
        items = [self.both(fld, literal, depth)]
        while self._is_op(self.peek(), "OR"):
            self._operand_follows(self.take())
            items.append(self.both(fld, literal, depth))
        return items[0] if len(items) == 1 else Group("or", tuple(items))

    def both(self, fld, literal, depth):
        items = [self.negated(fld, literal, depth)]
        while self._is_op(self.peek(), "AND"):
            self._operand_follows(self.take())
            items.append(self.negated(fld, literal, depth))
        return items[0] if len(items) == 1 else Group("and", tuple(items))

    def negated(self, fld, literal, depth):
        negate = False
        while self._is_op(self.peek(), "NOT"):
            self._operand_follows(self.take())
            negate = not negate
        node = self.modified(fld, literal, depth)
        return Not(node) if negate else node

    def modified(self, fld, literal, depth):
        sign = None
        while self.peek().kind == "mod":
            mod = self.take()
            if mod.text == "=":
                literal = True
            else:
                sign = mod.text
        node = self.primary(fld, literal, depth)
        return Not(node) if sign == "-" else Required(node) if sign == "+" else node

    def primary(self, fld, literal, depth):
        tok = self.take()
        if tok.kind == "(":
            return self.group(tok, fld, literal, depth)
        if tok.kind == "field":
            return self.value(tok, literal, depth)
        if tok.kind in ("word", "phrase"):
            return Leaf(tok, fld, literal)
        raise located_error("a word is missing", "put a word, \"phrase\" or (group) there", self.text, tok.col)

    def group(self, tok, fld, literal, depth):
        if depth + 1 > MAX_DEPTH:
            raise located_error(f"parentheses nested deeper than {MAX_DEPTH}", "remove some parentheses",
                                self.text, tok.col)
        node = self.clauses(fld, literal, depth + 1)
        self.take()                               # ")": balance guarantees it
        return node

    def value(self, ftok, literal, depth):
        fld, tok = ftok.field, self.peek()
        if tok.kind == "(":
            return self.group(self.take(), fld, literal, depth)
        if tok.kind == "range":
            self.take()
            if fld.kind != "date":
                raise located_error(f"a range on {ftok.text}:", "ranges work only on date:, e.g. date:[1993 TO 1995-06]",
                                    self.text, tok.col)
            return Leaf(tok, fld, literal)
        if tok.kind in ("word", "phrase"):
            return Leaf(self.take(), fld, literal)
        raise located_error(f"{ftok.text}: has no value", f"write {ftok.text}:WORD, {ftok.text}:\"a phrase\" "
                            f"or {ftok.text}:(a OR b)", self.text, ftok.col)


def plain_terms(node) -> tuple[str, ...] | None:
    """The EXACT terms of a plain default-field word (no field, suffix, modifier or =), else None."""
    if (isinstance(node, Leaf) and node.field is None and not node.literal and node.tok.kind == "word"
            and not node.tok.suffix):
        return exact_terms(node.tok.text) or None
    return None


class _Analysed(dict):
    """Query text -> its terms under one analyzer, as a tuple: a query's words are analysed
    several times (stop-word test, alias runs, the word itself), and recur across queries."""

    LIMIT = 20_000          # entries; starts over beyond this
    LONGEST = 200           # longer text (a pasted paragraph) is analysed each time

    def __init__(self, analyzer):
        super().__init__()
        self.analyzer = analyzer

    def __call__(self, text: str) -> tuple[str, ...]:
        found = self.get(text)
        if found is None:
            found = tuple(self.analyzer.terms(text, lines=False))
            if len(text) <= self.LONGEST:
                if len(self) >= self.LIMIT:
                    self.clear()
                self[text] = found
        return found


exact_terms = _Analysed(EXACT)
stemmed_terms = _Analysed(STEMMED)


def ascii_word(term: str) -> bool:
    return term.isascii() and term.isalpha() and term.islower()


def joinable(term: str) -> bool:
    """A lower-case Latin word, at least two letters, not a stop word: may be one part of a
    name written joined, hyphenated or spaced (Kim Jongil, Jong-il, Jong Il)."""
    return len(term) >= 2 and ascii_word(term) and not STEMMED.is_stop(term)


def split_pairs(vocabulary: Vocabulary, word: str) -> tuple[tuple[str, str], ...]:
    """Where lower-case ASCII `word` (4 letters or more) may be two words written joined: each
    (a, b) with word == a + b, neither a stop word, each more frequent in the index than word.
    Remembered in the vocabulary's `memo` when it has one (IndexVocabulary: per generation)."""
    memo = getattr(vocabulary, "memo", None)
    key = ("split", word)
    if memo is not None:
        found = memo.get(key)
        if found is not None:
            return found
    frequency, is_stop = vocabulary.frequency, STEMMED.is_stop
    known = getattr(vocabulary, "known", lambda term: None)
    count = frequency(word)
    pairs = []
    for k in range(2, len(word) - 1):
        a, b = word[:k], word[k:]
        # Parts of a lower-case ASCII word, two letters or more: joinable unless a stop word.
        if is_stop(a) or is_stop(b):
            continue
        # Both must be more frequent than word. Ask first about the part already looked up, else
        # the shorter one: "ing", "co" recur across words and are mostly cached; "peacekee" is not.
        first, second = (a, b) if len(a) <= len(b) else (b, a)
        if known(first) is None and known(second) is not None:
            first, second = second, first
        if frequency(first) > count and frequency(second) > count:
            pairs.append((a, b))
    found = tuple(pairs)
    if memo is not None:
        memo[key] = found
    return found


def hyphen_flags(text: str) -> tuple[bool, ...]:
    """For each pair of adjacent EXACT tokens of `text`, whether a hyphen alone joins them
    (() when text has no hyphen: no pair is)."""
    if "-" not in text and "‐" not in text and "‑" not in text:
        return ()
    tokens = list(EXACT.tokens(text, lines=False))
    return tuple(text[a.end:b.start] in ("-", "‐", "‑") for a, b in zip(tokens, tokens[1:]))


def contains(terms: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether `part` stands in `terms` as a contiguous run."""
    n = len(part)
    return any(terms[i:i + n] == part for i in range(len(terms) - n + 1))


def _is_stop_word(text: str) -> bool:
    return len(exact_terms(text)) == 1 and not stemmed_terms(text)


def all_stop_words(tree) -> bool:
    """True when every positive leaf is a default-field stop word (`the who`): search them as written."""
    stops = others = False
    stack = [(tree, True)]
    while stack:
        node, positive = stack.pop()
        if isinstance(node, Not):
            stack.append((node.child, not positive))
        elif isinstance(node, Required):
            stack.append((node.child, positive))
        elif isinstance(node, Group):
            stack.extend((c, positive) for c in node.children)
        elif positive:
            tok = node.tok
            if node.field is None and tok.kind == "word" and not tok.suffix and _is_stop_word(tok.text):
                stops = True
            elif node.field is not None or tok.kind != "word" or tok.suffix or exact_terms(tok.text):
                others = True
    return stops and not others
