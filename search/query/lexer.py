"""Query text -> tokens: input hygiene, the field table, the lexer, and error messages
that point at a column of the query (parse.py has the grammar and the readings)."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Collection

from indexer.errors import QueryError
from indexer.store.schema import META_PREFIX
from search.query.limits import MAX_SLOP


_QUOTES = frozenset('"“”„')
OPERATORS = frozenset({"AND", "OR", "NOT"})
_URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "file", "mailto", "urn", "doi",
                          "isbn", "issn", "arxiv", "tel", "news"})
_IDENT = re.compile(r"[^\W\d]\w*")
_WORD_RUN = re.compile(r'[^\s()"“”„\\:]+')      # characters a word takes as they are (\s is str.isspace)
_PHRASE_RUN = re.compile(r'[^"“”„\\]*')
_SLOP = re.compile(r"~(\d{1,9})(?![^\s()])")       # "a b"~N, then a space, parenthesis or the end


# --- input hygiene and messages ---------------------------------------------------------------

def clean_text(text: str) -> str:
    """Control characters and lone surrogates -> spaces; invisible format characters removed."""
    if text.isascii() and text.isprintable():
        return text                  # no control, format or surrogate character; NFC already
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs"):
            out.append(" ")
        elif cat != "Cf":
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _window(text: str, col: int, width: int = 60) -> tuple[str, int]:
    """The part of a long query around column `col`, and the caret's offset in it."""
    start = max(0, min(col - 1 - width // 2, len(text) - width))
    shown = text[start:start + width]
    caret = col - 1 - start
    if start > 0:
        shown, caret = "…" + shown, caret + 1
    if start + width < len(text):
        shown += "…"
    return shown, caret


def located_error(what: str, fix: str, text: str, col: int) -> QueryError:
    """A one-line message (what, where, what to write instead), then the query and a caret."""
    shown, caret = _window(text, col)
    return QueryError(f"{what} at column {col}: {shown!r} — {fix}\n  {shown}\n  {' ' * caret}^")


# --- fields ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str        # as typed in queries
    index: str       # the Whoosh field
    kind: str        # "stemmed" | "exact" | "id" | "lower" | "date"


_BUILTIN_FIELDS = {f.name: f for f in [
    Field("title", "title", "stemmed"), Field("section", "section", "stemmed"),
    Field("body", "body", "stemmed"),
    Field("source", "source", "exact"), Field("author", "author", "exact"),
    Field("lang", "language", "lower"), Field("language", "language", "lower"),
    Field("path", "path", "id"), Field("doc", "doc_id", "id"), Field("doc_id", "doc_id", "id"),
    Field("date", "date", "date"),
    Field("type", "type", "lower"), Field("page", "pages", "lower"),     # issue 14: format, page label
]}


def field_table(extra: Collection[str]) -> dict[str, Field]:
    """Field names as typed (lower-cased) -> Field; the dict is shared: read it only."""
    return _fields_of(tuple(extra))


@functools.lru_cache(maxsize=64)
def _fields_of(extra: tuple[str, ...]) -> dict[str, Field]:
    fields = {name.lower(): Field(name, META_PREFIX + name, "exact") for name in extra}
    fields.update(_BUILTIN_FIELDS)
    return fields


# --- lexer ----------------------------------------------------------------------------------

@dataclass
class Tok:
    kind: str                 # "(" ")" "op" "mod" "field" "range" "phrase" "word"
    col: int                  # 1-based column of the first character
    text: str = ""            # operator, modifier, word (escapes resolved), phrase or range text
    base: str = ""            # word without its * or ~N suffix
    suffix: str = ""          # "" | "*" | "~"
    number: int | None = None  # fuzzy distance or phrase slop
    closed: bool = True       # phrase had its closing quote
    field: Field | None = None
    end: int = 0              # 0-based offset after a word, or of a phrase's closing quote


class Lexer:
    """Splits the cleaned query into tokens; field names are checked here, as typed."""

    def __init__(self, text: str, fields: dict[str, Field]):
        self.text, self.fields = text, fields
        self.tokens: list[Tok] = []
        self.notes: list[str] = []

    def run(self) -> tuple[list[Tok], list[str]]:
        text, i, glued = self.text, 0, None      # glued: kind of the token this one is attached to
        while i < len(text):
            ch = text[i]
            if ch.isspace():
                i, glued = i + 1, None
                continue
            after, glued = glued, None
            if ch in "()":
                self.tokens.append(Tok(ch, i + 1, ch))
                i += 1
            elif ch in _QUOTES:
                i = self._phrase(i)
            elif after == "field" and ch == "[":
                i = self._range(i)
            elif after != "field" and ch in "+-=" and self._starts_term(i + 1, ch):
                self.tokens.append(Tok("mod", i + 1, ch))
                i, glued = i + 1, "mod"
            else:
                i, glued = self._word(i, after)
        return self.tokens, self.notes

    def _starts_term(self, j: int, mod: str) -> bool:
        """Is a modifier at j-1 glued to a word, phrase or group (and not `- ` or `+-x`)?"""
        text = self.text
        if j >= len(text):
            return False
        ch = text[j]
        if ch == "=" and mod in "+-":
            return self._starts_term(j + 1, "=")
        return ch in _QUOTES or ch == "(" or ch.isalnum() or ch == "_" or (
            ch == "\\" and j + 1 < len(text) and not text[j + 1].isspace())

    def _phrase(self, i: int) -> int:
        text, j, chars = self.text, i + 1, []
        while True:
            run = _PHRASE_RUN.match(text, j)          # up to a quote or a backslash
            chars.append(run.group())
            j = run.end()
            if j >= len(text) or text[j] in _QUOTES:
                break
            if j + 1 < len(text) and (text[j + 1] in _QUOTES or text[j + 1] == "\\"):
                j += 1                                 # \" and \\ stand for the character
            chars.append(text[j])
            j += 1
        close = j
        closed = j < len(text)
        if not closed:
            self.notes.append(f"closed the unterminated quote (column {i + 1}) at the end")
        j += closed
        slop = 0
        if closed and j < len(text) and text[j] == "~":
            m = _SLOP.match(text, j)
            if not m:
                raise located_error("'~' after a phrase needs a number", 'write "…"~N, N the extra words allowed '
                                    'between the phrase words', text, j + 1)
            slop = int(m.group(1))
            if slop > MAX_SLOP:
                raise located_error(f"phrase slop {slop} is too large", f"use ~{MAX_SLOP} or less", text, j + 2)
            j = m.end()
        self.tokens.append(Tok("phrase", i + 1, "".join(chars), number=slop, closed=closed, end=close))
        return j

    def _range(self, i: int) -> int:
        end = self.text.find("]", i)
        if end < 0:
            raise located_error("unclosed date range", "close it with ']': date:[1993 TO 1995-06]", self.text, i + 1)
        self.tokens.append(Tok("range", i + 1, self.text[i + 1:end]))
        return end + 1

    def _word(self, i: int, after: str | None) -> tuple[int, str | None]:
        text, j = self.text, i
        chars: list[str] = []             # runs of characters (a ':' alone), joined at the end
        escaped: list[bool] = []          # per character
        while j < len(text):
            run = _WORD_RUN.match(text, j)
            if run is not None:               # ordinary characters, in one step
                chars.append(run.group())
                escaped += [False] * (run.end() - j)
                j = run.end()
                continue
            ch = text[j]
            if ch.isspace() or ch in "()" or ch in _QUOTES:
                break
            if ch == "\\":
                if j + 1 < len(text) and not text[j + 1].isspace():
                    chars.append(text[j + 1])
                    escaped.append(True)
                    j += 2
                else:
                    j += 1
                continue
            if ch == ":" and after != "field" and ":" not in chars and not any(escaped):
                name = "".join(chars)
                if _IDENT.fullmatch(name):
                    taken = self._field(name, i, j)
                    if taken is not None:
                        return taken
            chars.append(ch)
            escaped.append(False)
            j += 1
        if chars:
            tok = self._word_token("".join(chars), escaped, i, j, after)
            tok.end = j
            self.tokens.append(tok)
        return j, None

    def _field(self, name: str, i: int, colon: int) -> tuple[int, str] | None:
        """At `name:`: emit a field token, or None when the colon is part of the word."""
        text, key = self.text, name.lower()
        nxt = text[colon + 1] if colon + 1 < len(text) else ""
        if not nxt or nxt.isspace() or nxt == ")":
            if key in self.fields:
                self.notes.append(f"read '{name}:' (column {i + 1}) as the word '{name}' because "
                                  f"nothing follows the colon; write {key}:WORD to search that field")
            return None
        if key in self.fields:
            self.tokens.append(Tok("field", i + 1, name, field=self.fields[key]))
            return colon + 1, "field"
        if key in _URL_SCHEMES or text.startswith("//", colon + 1):
            return None
        end = colon
        while end < len(text) and not text[end].isspace() and text[end] not in "()":
            end += 1
        word = text[i:end]
        known = ", ".join(sorted(self.fields))
        raise located_error(f"unknown field '{name}'",
                            f"fields are {known}; to search the text itself write \"{word}\" or "
                            f"{word.replace(':', chr(92) + ':', 1)}", text, i + 1)

    def _word_token(self, word: str, escaped: list[bool], i: int, j: int, after: str | None) -> Tok:
        if after is None and word in OPERATORS and not any(escaped):
            return Tok("op", i + 1, word)
        tok = Tok("word", i + 1, word, base=word)
        if after == "field" and word.startswith((">", "<")):
            return tok                     # a date comparison; its digits are no suffix
        k = len(word)
        while k > 0 and word[k - 1] == "*" and not escaped[k - 1]:
            k -= 1
        if k < len(word):
            tok.base, tok.suffix = word[:k], "*"
        else:
            m = re.search(r"~(\d*)$", word)
            if m and m.start() > 0 and not any(escaped[m.start():]):
                tok.base, tok.suffix = word[:m.start()], "~"
                digits = m.group(1)
                tok.number = 1 if not digits else int(digits) if len(digits) <= 3 else 999
        stars = [n for n, c in enumerate(tok.base) if c == "*" and not escaped[n]]
        literal_value = after == "field" and self.tokens[-1].field.kind in ("id", "lower", "date")
        if stars and not literal_value:
            raise located_error("'*' inside a word", f"'*' only ends a word (prefix search); write "
                                f"{word[:stars[0]]}\\{word[stars[0]:]} to search the text", self.text, i + 1 + stars[0])
        return tok
