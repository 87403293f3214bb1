"""Text -> terms with positions and character offsets, without Whoosh.

One tokenizer serves indexing, query parsing and snippet highlighting, so a term
always means the same thing on both sides and a highlight always lands on the
characters that produced the matching term. It folds what a reader considers
the same word: case, diacritics and McCune-Reischauer apostrophes (P'yŏngyang ->
pyongyang), dotted acronyms (U.S.A. -> usa), possessives, and splits hyphenated
names into words so "Jo Myong-rok" and "Jo Myong Rok" are one phrase. Hangul,
Han and Kana runs become overlapping character bigrams (as Lucene's CJK
analyzer does) so a word is found inside longer eojeol.

Case is folded except where it carries information. A short word in capitals
whose lower-case form is a common word ("US", "UN", "WAR") is an acronym in
mixed-case text and keeps its case as a term ("US", never the pronoun "us").
On a line written in capitals (a telegram, a headline, OCR of a typescript) the
same word says nothing by its case, so its term is the "either reading" form
("Us", "War": capitalize()), which a query finds under both readings (see
search/query/compiler.py). No other analysis step makes such a term.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate, chain
from typing import Callable, Iterator, NamedTuple

# English stop words for the stemmed field: Lucene's default set plus the
# question and auxiliary words that natural-language queries carry.
STOP_WORDS = frozenset("""
a an and are as at be but by for if in into is it no not of on or such that the
their then there these they this to was will with what how which who whom why when
where does do did has have had been being can could would should shall may might
must am were its it's his her he she them than those from any all also about
""".split())

# Lower-case words that, written in capitals, are usually an acronym: "US" is
# the United States, "us" the pronoun. Such capitals keep their case as a term.
# Romanized Korean syllables count too: "UN" is not the "un" of Kim Jong-un, nor
# "ROK" the "Rok" of Jo Myong Rok.
_AMBIGUOUS_ACRONYMS = frozenset("""
us it who am an as at be by do go he if in is me my no of on or so to up we
aid all and any are can did for had has her him his how its may not now our out
she the was why you one two new few use war arm oil man men cap
un rok
""".split())

# The terms of those acronyms, and their "either reading" form on a line in capitals.
ACRONYM_TERMS = frozenset(w.upper() for w in _AMBIGUOUS_ACRONYMS)
_EITHER = {w.upper(): w.capitalize() for w in _AMBIGUOUS_ACRONYMS}
_CASED_WORD = re.compile(r"[^\W\d_]{2,}")      # (single letters say nothing: the U and S of U.S.)

_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
CJK_CHARS = _CJK         # the ranges above, for the segmenter: a passage may be cut between two such characters
_CJK_RUN = re.compile(f"[{_CJK}]+")
# No token spans whitespace: _terms relies on it.
_TOKEN = re.compile(
    r"\b[^\W\d_]+(?:\+\+|#)(?![\w+#])"     # a name with its ++ or #: C++ C# F# Notepad++ (not C++11, a#b)
    r"|(?<![\w.])\.[Nn][Ee][Tt]\b"         # .NET, the dot part of the name (not ASP.NET or example.net)
    r"|\b(?:[^\W\d_]\.){2,}"        # an acronym: U.S.  U.S.A.  D.P.R.K.  e.g. (the only tokens that end with ".")
    r"|[^\W\d_]{2,}(?=\d{1,3}\)[^\W\d_])"      # a word glued to a footnote mark: Korea1)The
    r"|\w+(?:['’‘]\w+)*"            # a word, with inner apostrophes (‘ in P‘yŏngyang; ʼ is a letter, \w)
)
_APOSTROPHE_CHARS = "'’‘ʼ"
_APOSTROPHES = re.compile(f"[{_APOSTROPHE_CHARS}]")
_POSSESSIVE = re.compile(f"[{_APOSTROPHE_CHARS}][sS]$")


class Token(NamedTuple):
    text: str
    pos: int
    start: int
    end: int


def fold(word: str) -> str:
    """Lower-case and strip diacritics (ŏ -> o, é -> e); leaves CJK untouched."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def _word_term(raw: str) -> str:
    """The term for one Latin-script word: acronym case rule, then folding."""
    word = (_APOSTROPHES.sub("", _POSSESSIVE.sub("", raw))
            if ("'" in raw or "’" in raw or "‘" in raw or "ʼ" in raw) else raw)
    if not word:
        return ""
    if 2 <= len(word) <= 5 and word.isalpha() and word.isupper():
        lower = word.lower()
        return word if lower in _AMBIGUOUS_ACRONYMS else fold(lower)
    return fold(word)


def either_reading(term: str) -> str | None:
    """The "either reading" term ("War") of an acronym-list word given as its acronym ("WAR"),
    lower-case ("war") or either-reading term; None for any other term."""
    return _EITHER.get(term.upper()) if term.isalpha() else None


def in_capitals(line: str) -> bool:
    """Whether a line is written in capitals, so its case says nothing about a word: its words
    (of two letters or more) in capitals outnumber those with a lower-case letter more than
    three to one."""
    caps = lower = 0
    for word in _CASED_WORD.findall(line):
        if word.isupper():
            caps += 1
        elif word != word.upper():      # (a word without case, 北韓, counts neither way)
            lower += 1
    return caps > 3 * lower


def _line_terms(line: str, terms: list[str] | None = None) -> list[str]:
    """The terms of one CJK-free line (`terms`: its context-free terms, if known), each
    acronym written in capitals on a line in capitals read as its either-reading term."""
    if terms is None:
        terms = list(chain.from_iterable(map(_CHUNK_TERMS.__getitem__, line.split())))
    if ACRONYM_TERMS.isdisjoint(terms) or not in_capitals(line):
        return terms
    return [term for term, _, _ in _capitals(line, list(_scan(line)))]


def _capitals(text: str, scanned: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """_scan(text) with each acronym written as such (US, not U.S.) on a line in capitals
    replaced by its either-reading term."""
    if ACRONYM_TERMS.isdisjoint([term for term, _, _ in scanned]):
        return scanned
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    lines: dict[int, bool] = {}
    out = []
    for term, start, end in scanned:
        if term in _EITHER and text[start:end] == term:
            i = bisect_right(starts, start) - 1
            caps = lines.get(i)
            if caps is None:
                stop = starts[i + 1] - 1 if i + 1 < len(starts) else len(text)
                caps = lines[i] = in_capitals(text[starts[i]:stop])
            if caps:
                term = _EITHER[term]
        out.append((term, start, end))
    return out


def _bigrams(run: str, offset: int) -> Iterator[tuple[str, int, int]]:
    if len(run) == 1:
        yield run, offset, offset + 1
        return
    for i in range(len(run) - 1):
        yield run[i:i + 2], offset + i, offset + i + 2


_last_text: str | None = None
_last_raw: list[tuple[str, int, int]] = []


def _raw_tokens(text: str) -> list[tuple[str, int, int]]:
    """(term before stop/stem, start, end) in text order.

    The index analyses each passage twice in a row (stemmed body, exact phrase
    field); remembering the last text makes the second pass free.
    """
    global _last_text, _last_raw
    if text is not _last_text:
        _last_raw = _capitals(text, list(_scan(text)))
        _last_text = text
    return _last_raw


class _Memo(dict):
    """key -> compute(key), computed on first use; forgets everything when it holds `limit` keys."""

    def __init__(self, compute, limit: int):
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key):
        value = self.compute(key)
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


def _token_term(token: str) -> str:
    """The term of one _TOKEN match without CJK (or an acronym); "" for none."""
    return _word_term(token.replace(".", "") if token[-1] == "." else token)


# Token -> term: a corpus repeats its words, and a dict lookup costs a fraction of the case and apostrophe rules.
_TOKEN_TERMS = _Memo(_token_term, 200_000)
# Whitespace-free chunk of CJK-free text ("nations,") -> its terms: one lookup instead of the regex.
_CHUNK_TERMS = _Memo(lambda chunk: tuple(filter(None, map(_TOKEN_TERMS.__getitem__, _TOKEN.findall(chunk)))),
                     100_000)


def _chunk_spans(chunk: str) -> tuple[tuple[int, int], ...]:
    """(start, end) within `chunk` of each token that _CHUNK_TERMS[chunk] holds the term of."""
    return tuple(m.span() for m in _TOKEN.finditer(chunk) if _TOKEN_TERMS[m.group()])


# Chunk -> its terms' offsets within it: looked up only for the few terms a snippet marks.
_CHUNK_SPANS = _Memo(_chunk_spans, 100_000)


def _spaced_scan(text: str) -> tuple[list[str], Callable[[int], tuple[int, int]]]:
    """_scan(text) as (terms, span): the terms in order, and span(i) -> (start, end) of term i.

    For CJK-free text whose only whitespace is single spaces (what a snippet works on): its
    chunks are text.split(" ") and a chunk starts one character after the previous one
    ends, so the terms come from _CHUNK_TERMS without a regex over the text, and offsets
    are worked out only for the terms asked about. Each word is read on its own (as
    tokens(lines=False)): a snippet's text has its lines joined.
    """
    chunks = text.split(" ")
    chunk_terms = list(map(_CHUNK_TERMS.__getitem__, chunks))
    terms = list(chain.from_iterable(chunk_terms))
    table: list = []

    def span(i: int) -> tuple[int, int]:
        if not table:
            # Terms up to the end of each chunk; characters up to the end of each chunk, spaces left out.
            table[:] = (list(accumulate(map(len, chunk_terms))), list(accumulate(map(len, chunks))))
        term_ends, char_ends = table
        c = bisect_right(term_ends, i)
        if c:
            i -= term_ends[c - 1]
            offset = char_ends[c - 1] + c
        else:
            offset = 0
        start, end = _CHUNK_SPANS[chunks[c]][i]
        return offset + start, offset + end

    return terms, span


def _scan(text: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of each token, in text order: what queries and highlights read."""
    cjk = _CJK_RUN.search(text) is not None
    term_of = _TOKEN_TERMS.__getitem__
    for m in _TOKEN.finditer(text):
        token = m.group()
        if cjk and token[-1] != "." and _CJK_RUN.search(token) is not None:
            yield from _mixed_scripts(token, m.start())
        else:
            term = term_of(token)
            if term:
                start, end = m.span()
                yield term, start, end


def _terms(text: str) -> list[str]:
    """The terms of _scan(text) without offsets: what indexing reads, about three times faster.

    Since no token spans whitespace, CJK-free text is the concatenation of its
    whitespace-separated chunks' terms, and the chunks repeat ("nations," "the").
    """
    if _CJK_RUN.search(text) is not None:
        return [term for term, _, _ in _capitals(text, list(_scan(text)))]
    terms = list(chain.from_iterable(map(_CHUNK_TERMS.__getitem__, text.split())))
    if ACRONYM_TERMS.isdisjoint(terms):
        return terms
    if "\n" not in text:
        return _line_terms(text, terms)
    return list(chain.from_iterable(map(_line_terms, text.split("\n"))))


def _mixed_scripts(word: str, start: int) -> Iterator[tuple[str, int, int]]:
    """Mixed scripts ("2000년"): Latin parts are words, CJK runs become bigrams."""
    last = 0
    for run in _CJK_RUN.finditer(word):
        if run.start() > last:
            yield from _latin_parts(word[last:run.start()], start + last)
        yield from _bigrams(run.group(), start + run.start())
        last = run.end()
    if last < len(word):
        yield from _latin_parts(word[last:], start + last)


def _latin_parts(part: str, offset: int) -> Iterator[tuple[str, int, int]]:
    for m in re.finditer(r"[^\W_]+", part):
        term = _word_term(m.group())
        if term:
            yield term, offset + m.start(), offset + m.end()


class Analyzer:
    """Tokenizes text into terms; `stem` and `stop` select the field's flavour.

    Stop words still take a position, so phrase distances are those of the text.
    """

    def __init__(self, *, stem: bool, stop: bool, stop_words: frozenset[str] = STOP_WORDS):
        self.stem = stem
        self.stop = stop
        self.stop_words = stop_words
        self._stemmer = None
        self._cache: dict[str, str] = {}

    def __getstate__(self):
        return {"stem": self.stem, "stop": self.stop, "stop_words": self.stop_words}

    def __setstate__(self, state):
        self.__init__(**state)

    def _stem(self, term: str) -> str:
        cached = self._cache.get(term)
        if cached is None:
            if self._stemmer is None:
                import Stemmer  # PyStemmer: Snowball's C stemmer, ~20x faster than Whoosh's Python Porter

                self._stemmer = Stemmer.Stemmer("english")
            # Capitalised acronyms and numbers are names, not inflected words.
            cached = term if (not term.islower() or not term.isalpha()) else self._stemmer.stemWord(term)
            if len(self._cache) < 200_000:
                self._cache[term] = cached
        return cached

    def tokens(self, text: str, keep_stops: bool = False, lines: bool = True) -> Iterator[Token]:
        """Terms with positions; stop words are skipped (or kept, for highlighting).

        lines=False reads each word on its own, without the rule for lines in capitals:
        what a query's words need, whose case the query decides (search/query/compiler.py).
        """
        stop = self.stop and not keep_stops
        stop_words = self.stop_words
        for pos, (term, start, end) in enumerate(_raw_tokens(text) if lines else _scan(text)):
            if stop and term in stop_words:
                continue
            if self.stem:
                term = self._stem(term)
            yield Token(term, pos, start, end)

    def terms(self, text: str, lines: bool = True) -> list[str]:
        return [t.text for t in self.tokens(text, lines=lines)]

    def is_stop(self, term: str) -> bool:
        return self.stop and term in self.stop_words


STEMMED = Analyzer(stem=True, stop=True)
EXACT = Analyzer(stem=False, stop=False)
