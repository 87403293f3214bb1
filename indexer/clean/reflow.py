"""Plain-text lines -> paragraphs, undoing the hard wraps of PDF- and OCR-derived text.

Such text keeps the page's line breaks, marks no paragraph with a blank line, puts
page numbers, running heads and document symbols on lines of their own and
hyphenates words across line ends. paragraphs() drops that page furniture, joins
wrapped lines (re-joining split words) and breaks where a paragraph really ends,
so a phrase split by a line or page break is still one phrase.
"""
from __future__ import annotations

import operator
import re
import string
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from typing import Iterator, Mapping

from indexer.clean.hyphens import _WORDS, _FIRST_LETTER, _Vocabulary, keep_hyphen  # noqa: F401  (keep_hyphen: tests)
from indexer.clean.normalize import SPACES

TERMINAL = re.compile(r"[.!?:][\"'”’»)\]]*$")
_CLOSERS = "\"'”’»)]"
_TERMINAL_CHARS = frozenset(".!?:")
_OPEN_END = re.compile(r"[,;]$")
_OPEN_END_CHARS = frozenset(",;")
# Page furniture: whole lines that belong to the page, not to the text.
_PAGE_NUMBER = re.compile(
    r"^(?:[-\u2013\u2014]?\s*\d{1,4}\s*[-\u2013\u2014]?|page\s+\d+(?:\s+of\s+\d+)?|\d{1,4}\s*/\s*\d{1,4})$", re.I)
_DOC_SYMBOL = re.compile(r"^(?:\d{1,2}/\d{1,2}/\d{4}\s+)?[A-Z]{1,2}/(?:[A-Z0-9.-]+/)*[A-Z0-9.-]+(?:\s+\d{1,2}/\d{1,2}/\d{4})?$")
_JOB_NUMBER = re.compile(r"^(?:\d{1,4}(?:/\d{1,4})?\s+)?\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{1,4}(?:/\d{1,4})?)?$")
_NO_WORDS = re.compile(r"^[\W_]+$")
_HYPHENATED_END = re.compile(r"(?<=[^\W\d_])-$")
_LAST_WORD = re.compile(r"([^\W\d_]+)-$")
_FIRST_WORD = re.compile(r"^([^\W\d_]+)")
_SPLIT_WORD = re.compile(r"(?<![\w-])([^\W\d_]+)- (?!(?:and|or|nor|to|as well)\b)([^\W\d_]+)")
# A letter, "-" and a space: what _SPLIT_WORD needs, found by a fast search for "- " (a pattern that
# starts with a lookbehind is tried at every position).
_SPLIT_WORD_HYPHEN = re.compile(r"- (?<=[^\W\d_]- )")
LIST_ITEM = re.compile(r"^(?:[-*+\u2022\u25aa\u25e6\u2023]|\(?(?:\d{1,3}|[a-z])[.)])\s+\S")
# "License: LGPL-2+", "From: Jane": a record's field (a Debian copyright file's, a mail header).
FIELD = re.compile(r"^[A-Za-z][\w-]*:\s")
_LABEL_WORDS = 4        # a manual's label in the margin ("NAME", "-d, --date=DAY", "SEE ALSO") is a few words
_BULLETS = frozenset("-*+\u2022\u25aa\u25e6\u2023")
_FUNCTION_END = re.compile(r"\b(?:and|or|of|the|a|an|to|in|for|with|by|on|at|from|that|its|their|our|his|her)$", re.I)

_VOCATIVE = re.compile(
    r"^(?:mr|mrs|ms|madam|madame|mister|sir|dear|your (?:excellenc|majest|highness)\w*|excellenc\w*|ladies|gentlemen"
    r"|distinguished|honou?rable|esteemed|fellow)\b", re.I)
_SMALL_WORDS = frozenset("a an and as at by for from in into of on or the to with vs via de la du des et".split())
_NUMBERED_HEADING = re.compile(
    r"^(?:(?P<named>part|chapter|section|article|annex|appendix|book)\s+(?:[ivxlc]+|\d+|[a-z])\b[.:]?"
    r"|(?P<num>\d+(?:\.\d+)+)\.?|(?:\d+|[IVXLC]+|[A-Z])[.)])\s+\S",
    re.I,
)


@dataclass(frozen=True)
class Line:
    text: str
    blank_before: bool      # a blank line (not a page break) separates it from the previous line
    indent: int


@dataclass(frozen=True)
class Paragraph:
    text: str
    lines: int              # source lines joined into it
    blank_before: bool      # separated from the previous paragraph by a blank line
    first: int = 0          # index of its first line among the text's own lines (content_lines)


def furniture_reason(text: str) -> str:
    """Why is_furniture(text) holds, in the words `docsearch show --removed` prints."""
    if _NO_WORDS.match(text):
        return "rule or symbols"
    if _PAGE_NUMBER.match(text):
        return "page number"
    if _JOB_NUMBER.match(text):
        return "print job number"
    return "document symbol"


def wrapped_paragraphs(raw_lines: list[str], removed: list | None = None) -> tuple[bool, list[Paragraph]]:
    """is_wrapped(raw_lines) and paragraphs(raw_lines, wrapped=that), reading the lines once.

    `removed`, when given, receives (at, text, reason) for each line left out (page numbers,
    running heads, document symbols): `at` is the index of the paragraph it stood before.
    """
    lines = _Lines(raw_lines)
    wrapped = _is_wrapped(lines)
    dropped: list[tuple[int, str, str]] = []
    paras = _paragraphs(lines, wrapped, dropped)
    if removed is not None:
        firsts = [p.first for p in paras]
        removed.extend((bisect_left(firsts, k), text, reason) for k, text, reason in dropped)
    return wrapped, paras


def located_paragraphs(raw_lines: list[str], removed: list | None = None
                       ) -> tuple[bool, list[tuple[Paragraph, int, int]]]:
    """wrapped_paragraphs, each paragraph with the indices in raw_lines of its first and last line.

    Paged readers (PDF, OCR) join all pages' lines, so that a sentence running over a
    page break is one paragraph and running heads are seen repeating, then map each
    paragraph back to the pages it stands on through these indices. `removed` receives
    (paragraph index it stood before, text, reason), as in wrapped_paragraphs.
    """
    lines = _Lines(raw_lines)
    wrapped = _is_wrapped(lines)
    kept = _content(lines)[3]
    out = []
    at = 0
    dropped: list[tuple[int, str, str]] = []
    paras = _paragraphs(lines, wrapped, dropped)
    for para in paras:
        out.append((para, kept[at], kept[at + para.lines - 1]))
        at += para.lines
    if removed is not None:
        firsts = [p.first for p in paras]
        removed.extend((bisect_left(firsts, k), text, reason) for k, text, reason in dropped)
    return wrapped, out


def is_wrapped(lines: list[str]) -> bool:
    """True for hard-wrapped text: most lines fill a common width and end mid-sentence."""
    return _is_wrapped(_Lines(lines))


def is_furniture(text: str) -> bool:
    """Page numbers, document symbols (A/55/PV.10), print job numbers, rules (----)."""
    if len(text) > 40:
        return bool(_NO_WORDS.match(text))
    return bool(_PAGE_NUMBER.match(text) or _JOB_NUMBER.match(text) or _DOC_SYMBOL.match(text) or _NO_WORDS.match(text))


def content_lines(raw_lines: list[str]) -> list[Line]:
    """The text's own lines: furniture and running heads removed, page-break blanks forgotten."""
    return [Line(*line) for line in zip(*_content(_Lines(raw_lines))[:3])]


def paragraphs(raw_lines: list[str], *, wrapped: bool) -> list[Paragraph]:
    """Group lines into paragraphs; `wrapped` selects the hard-wrap rules (see is_wrapped)."""
    return _paragraphs(_Lines(raw_lines), wrapped)


_SHORT = range(1, 41)                        # line lengths that is_furniture reads beyond _NO_WORDS
_LAST_CHAR = operator.itemgetter(slice(-1, None))
_FIRST_CHAR = operator.itemgetter(0)
_ASCII_STARTS_LOWER = {**dict.fromkeys(string.ascii_lowercase, True), **dict.fromkeys(string.ascii_uppercase, False)}


class _Lines:
    """A text's lines with what is_wrapped and paragraphs both read, worked out once.

    The per-line tests run as C-level passes (map, compress, filter) over all lines:
    a Python call per line and test was most of the cost of reading a page.
    """

    __slots__ = ("raw", "stripped", "furniture", "texts")

    def __init__(self, raw_lines: list[str]):
        self.raw = raw_lines
        self.stripped = stripped = list(map(str.strip, raw_lines))
        # is_furniture: a long line only when it has no word; a short one by the patterns.
        self.furniture = furniture = list(map(bool, map(_NO_WORDS.match, stripped)))
        for i in compress(range(len(stripped)), map(_SHORT.__contains__, map(len, stripped))):
            furniture[i] = is_furniture(stripped[i])
        _unpaged(stripped, furniture)
        self.texts = list(filter(None, compress(stripped, map(operator.not_, furniture))))


PAGE_LINES = 250        # a printed page holds fewer lines than this (a UN speech's pages: 40 to 70)
PAGE_CHARS = 80         # ... and more characters than this (a line at least): marks closer together mark one break
_PAGE_VALUE = re.compile(r"^(?:page\s+)?[-\u2013\u2014]?\s*(\d{1,4})\s*[-\u2013\u2014]?(?:\s*(?:of|/)\s*(\d{1,4}))?$", re.I)


def _unpaged(stripped: list[str], furniture: list[bool]) -> None:
    """Keep lines that only look like page numbers (furniture set back to False) unless the
    text is paged: print job numbers or document symbols (two or more), the marks of a printed
    page, or number lines that run as pages do, rising ("2", "3"; "page 1 of 9", "2/9" with one
    total). A changelog's "5/7" and "8/22" (dates) or a lone "10" are text.

    Marks count by the page breaks they mark (marks within PAGE_CHARS of each other mark one),
    and a paged text has a break every PAGE_LINES lines at least: in Linux's changelog (50,000
    lines) "I/O" and "Q/QP" are no document symbols and "7352", ending an item ("Dell Inspiron /
    7352"), is no page number; nor are sed's example outputs "1", "6", "1", "5", "6", within
    eight lines of its NEWS, or "1" and "2" after Python's ">>> inc()" in 17,000 lines of HISTORY."""
    numbers, marks = [], []
    for i in compress(range(len(stripped)), furniture):
        text = stripped[i]
        if _PAGE_NUMBER.match(text):
            m = _PAGE_VALUE.match(text)
            numbers.append((i, int(m[1]) if m else 0, m[2] if m else None))
        elif not _NO_WORDS.match(text):
            marks.append(i)                 # a print job number or a document symbol
    if not numbers and not marks:
        return
    pages = sum(map(bool, stripped)) / PAGE_LINES       # the fewest page breaks a paged text this long has
    starts = list(accumulate(map(len, stripped), initial=0))

    def marked_pages(found: list[int]) -> int:
        """Page breaks the lines mark: lines within PAGE_CHARS of each other mark one (a print
        job number and a document symbol side by side at the foot and head of two pages)."""
        return 1 + sum(starts[b] - starts[a] >= PAGE_CHARS for a, b in zip(found, found[1:])) if found else 0

    if len(marks) >= 2 and marked_pages(marks) >= max(1.0, pages):
        return
    totals = {total for _, _, total in numbers if total is not None}
    values = [n for _, n, _ in numbers]
    rising = sum(b > a for a, b in zip(values, values[1:]))
    if (marked_pages([i for i, _, _ in numbers]) >= max(2.0, pages) and len(totals) <= 1
            and all(n <= int(t) for _, n, t in numbers if t) and rising >= 0.75 * (len(values) - 1)):
        return
    for i in [i for i, _, _ in numbers] + marks:      # (one "S/390" in a changelog is a machine's name)
        furniture[i] = False


def _ended_flags(texts: list[str]) -> Iterator[bool]:
    """map(_ended, texts), without a Python call per text."""
    return map(_TERMINAL_CHARS.__contains__, map(_LAST_CHAR, map(str.rstrip, texts, repeat(_CLOSERS))))


def _starts_lower_flags(texts: list[str]) -> list[bool]:
    """[_starts_lower(t) for t in texts] for non-empty texts: a text that starts with an ASCII
    letter is settled by that letter; the others are asked."""
    flags = list(map(_ASCII_STARTS_LOWER.get, map(_FIRST_CHAR, texts)))
    for i in [i for i, flag in enumerate(flags) if flag is None]:
        flags[i] = _starts_lower(texts[i])
    return flags


def _is_wrapped(lines: _Lines) -> bool:
    texts = lines.texts
    if len(texts) < 6:
        return False
    lengths = sorted(map(len, texts))
    width = lengths[int(0.9 * (len(lengths) - 1))]
    full = len(lengths) - bisect_left(lengths, 0.6 * width)        # lengths >= 0.6 * width
    open_ended = len(texts) - sum(_ended_flags(texts))
    return width <= 250 and full >= 0.5 * len(texts) and open_ended >= 0.5 * len(texts)


def _content(lines: _Lines, dropped: list | None = None) -> tuple[list[str], list[bool], list[int], list[int]]:
    """content_lines as lists: tidied text, blank_before, indent and raw index of each line kept.

    `dropped` receives (kept lines before it, text, reason) for each line left out."""
    stripped, furniture = lines.stripped, lines.furniture
    heads: set[int] = set()
    if len(set(lines.texts)) < len(lines.texts):        # a line repeats: maybe a running head
        repeated = {t for t, count in Counter(lines.texts).items() if count >= 2}
        at_edges = [i for i, text in enumerate(stripped)
                    if text in repeated and not furniture[i] and _is_running_head(text, i, stripped, furniture)]
        # A running head is at the edge of more than one page; a sentence that a speech
        # repeats may stand by a page number once.
        edge_counts = Counter(stripped[i] for i in at_edges)
        heads = {i for i in at_edges if edge_counts[stripped[i]] >= 2}
    kept: list[int] = []
    blanks: list[bool] = []
    blank = False
    after_furniture = False
    for i, text in enumerate(stripped):
        if not text:
            blank = blank or not after_furniture
            continue
        if furniture[i] or i in heads:
            if dropped is not None and not _NO_WORDS.match(text):
                dropped.append((len(kept), text, furniture_reason(text) if furniture[i] else "running head"))
            blank = False
            after_furniture = True
            continue
        after_furniture = False
        blanks.append(blank and bool(kept))
        kept.append(i)
        blank = False
    texts = [stripped[i] for i in kept]
    joined = "\n".join(texts)
    if "  " in joined:                      # tidy_line of every line (they are stripped already)
        texts = SPACES.sub(" ", joined).split("\n")
    raw = [lines.raw[i] for i in kept]
    indents = list(map(operator.sub, map(len, raw), map(len, map(str.lstrip, raw, repeat(" ")))))
    return texts, blanks, indents, kept


def _is_running_head(text: str, i: int, stripped: list[str], furniture: list[bool]) -> bool:
    """A repeated short line that is a page head: it sits next to furniture (a page number,
    a print job number, a document symbol), the mark of a page's edge.

    A repeated line that only carries a number is not enough: code, configuration and
    prose repeat such lines ("exit 0", "int main(void)", "General Assembly 22nd meeting"
    where no page edge is near), and removing them lost content.
    """
    bare = text.rstrip("*_" + _CLOSERS)
    if (len(text) > 80 or _ended(bare) or bare[-1:] in _OPEN_END_CHARS or _FUNCTION_END.search(bare)
            or _starts_lower(text)):
        return False          # a sentence's piece: it runs on, or started before this line
    for j in (i - 2, i - 1, i + 1, i + 2):
        if 0 <= j < len(stripped) and furniture[j] and not _NO_WORDS.match(stripped[j]):
            return True       # (a rule or a brace is not a page's edge)
    return False


def _paragraphs(lines: _Lines, wrapped: bool, dropped: list | None = None) -> list[Paragraph]:
    texts, blanks, indents, _ = _content(lines, dropped)
    n = len(texts)
    if not n:
        return []
    vocab = _Vocabulary(texts)
    width = sorted(map(len, texts))[int(0.9 * (n - 1))]
    base_indent = Counter(indents).most_common(1)[0][0]
    ended = list(_ended_flags(texts))
    lower = _starts_lower_flags(texts)
    short, half = 0.8 * width, 0.5 * width
    # A blank line before half the lines or more, and almost never (under a tenth of them) before a
    # line that goes on with an unfinished sentence in lower case: the text marks its paragraphs with
    # blank lines (a telegram's numbered paragraphs, a README's or TODO's items), so a blank line ends
    # one. A copy double-spaced line by line continues sentences after its blanks far more often;
    # hard-wrapped page text marks no paragraph, and a blank line in it is a page break.
    after_blank = sum(blanks)
    continued = sum(map(operator.and_, blanks[1:], map(operator.and_, lower[1:], map(operator.not_, ended))))
    blank_marked = 2 * after_blank >= n and continued < 0.1 * after_blank
    out: list[Paragraph] = []
    pieces = [texts[0]]
    blank_before = False
    first = 0
    for i, (a, b, a_ended, b_lower, b_blank) in enumerate(zip(texts, texts[1:], ended, lower[1:], blanks[1:]), 1):
        # Whether line b continues the paragraph of the line a before it. Unwrapped text has
        # one line per paragraph, and a long line that stops mid-sentence was cut by a page break.
        # A bulleted list item ("- ", "* ") starts a paragraph of its own.
        if b[:1] in _BULLETS and LIST_ITEM.match(b) and (
                not wrapped or a_ended or (pieces[0][:1] == b[:1] and LIST_ITEM.match(pieces[0]))):
            joins = False       # (in wrapped text, "(b) the second" or "- 1" inside a sentence goes on)
        elif b[-1:] != ":" and FIELD.match(b) and FIELD.match(pieces[0]):
            joins = False       # a record's next field ("To: ..." under "From: ..."), not a sentence going on
        elif (indents[i] > indents[i - 1] <= base_indent and len(a) < half and len(a.split()) <= _LABEL_WORDS
              and not a_ended and not runs_on(a) and ": " not in a):
            joins = False       # a short label in the margin over its indented text: a manual's "NAME",
                                # "-a, --all" (a centred title block's lines stand right of the margin;
                                # a record's "Files: a/*" goes on with its value on the indented lines)
        elif b_lower and not a_ended and not (b_blank and indents[i] < indents[i - 1]):
            joins = True        # (after a blank line, a line set back left of the last starts an item)
        elif a[-1] == "-" and b[:1].isalpha() and _HYPHENATED_END.search(a):
            joins = True
        elif not wrapped:
            joins = not a_ended and len(a) >= 150 and not b_blank
        elif a_ended and indents[i] > base_indent:
            joins = False
        elif b_blank:
            joins = not (a_ended or len(a) < short or blank_marked)
        elif a_ended and len(a) < short:
            joins = False
        elif not a_ended and len(a) < half and not runs_on(a):
            # A short unfinished line: a heading or a salutation, unless it is the text's
            # first line, where it is the opening words of a sentence ("May I, as Prime").
            joins = i == 1 and indents[0] <= base_indent     # (a centred first line is a title)
        elif a_ended and heading_level(b) and (i + 1 == n or not lower[i + 1]):
            joins = False
        else:
            joins = True
        if joins:
            joint = _joint(a, b, vocab) if a[-1] == "-" else " "
            if joint is None:           # a word hyphenated at the line end: re-join it
                pieces[-1], joint = pieces[-1][:-1], ""
            pieces.append(joint + b)
        else:
            out.append(_paragraph(pieces, blank_before, vocab, first))
            pieces, blank_before, first = [b], b_blank, i
    out.append(_paragraph(pieces, blank_before, vocab, first))
    return out


def _paragraph(pieces: list[str], blank_before: bool, vocab: Mapping[str, int], first: int = 0) -> Paragraph:
    text = "".join(pieces)
    if "- " in text and _SPLIT_WORD_HYPHEN.search(text):
        text = _SPLIT_WORD.sub(lambda m: _rejoin(m, vocab), text)
    return Paragraph(text, len(pieces), blank_before, first)


def _rejoin(m: re.Match, vocab: Mapping[str, int]) -> str:
    """'inter- Korean' (a line-end hyphen that a copy turned into a space) -> 'inter-Korean'."""
    left, right = m.group(1), m.group(2)
    return f"{left}-{right}" if keep_hyphen(left, right, vocab, copied=True) else left + right


def _ended(text: str) -> bool:
    """TERMINAL.search(text), without trying the pattern at every position of the line."""
    return text.rstrip(_CLOSERS)[-1:] in _TERMINAL_CHARS


def _function_end(text: str) -> bool:
    """_FUNCTION_END.search(text): its words have at most 5 letters, so only the line's tail can match."""
    return _FUNCTION_END.search(text, max(0, len(text) - 5)) is not None


def runs_on(text: str) -> bool:
    """Whether a line runs on into the next: it ends in a comma or a word that needs one after it."""
    return text[-1:] in _OPEN_END_CHARS or _function_end(text)


def _starts_lower(text: str) -> bool:
    m = _FIRST_LETTER.search(text[:3])
    return bool(m) and m.group().islower()


def _joint(prev: str, nxt: str, vocab: Mapping[str, int]) -> str | None:
    """What goes between two joined lines: a space, nothing after a kept hyphen, or None
    when the line-end hyphen splits one word and must go."""
    if not prev.endswith("-"):
        return " "
    m = _LAST_WORD.search(prev[-60:])
    first = _FIRST_WORD.match(nxt)
    if m and first and not keep_hyphen(m.group(1), first.group(1), vocab):
        return None
    return "" if nxt[:1].isalnum() else " "


def heading_level(text: str) -> int:
    """2 (3 for '1.2 ...') when a line reads as a section heading, else 0.

    A heading is short, does not end a sentence, and is numbered ("Part I.",
    "Chapter 3.", "1. Introduction") or title-cased or all capitals.
    """
    text = text.strip()
    if not 2 <= len(text) <= 100 or text[-1] in ".,;:!?\"'”’" or len(text.split()) > 14 or _function_end(text):
        return 0
    if _VOCATIVE.match(text):
        return 0            # "Mr. President", "Excellencies": a speech's salutation, not a section
    m = _NUMBERED_HEADING.match(text)
    if m:
        return 3 if m["num"] else 2
    if not text[0].isupper() or ", " in text:
        return 0
    letters = sum(map(str.isalpha, text))
    if letters < 3:
        return 0
    if text.isupper() and letters >= 4:
        return 2
    significant = [w for w in _WORDS.findall(text) if w.lower() not in _SMALL_WORDS]
    if significant and all(w[0].isupper() for w in significant):
        return 2
    return 0
