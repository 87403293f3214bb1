"""Plain-text lines -> paragraphs, undoing the hard wraps of PDF- and OCR-derived text.

Such text keeps the page's line breaks, marks no paragraph with a blank line, puts
page numbers, running heads and document symbols on lines of their own and
hyphenates words across line ends. paragraphs() drops that page furniture, joins
wrapped lines (re-joining split words) and breaks where a paragraph really ends,
so a phrase split by a line or page break is still one phrase.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Mapping

from indexer.textclean import tidy_line

TERMINAL = re.compile(r"[.!?:][\"')\]]*$")
_CLOSERS = "\"')]"
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
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_FIRST_LETTER = re.compile(r"[^\W\d_]")
_SPLIT_WORD = re.compile(r"(?<![\w-])([^\W\d_]+)- (?!(?:and|or|nor|to|as well)\b)([^\W\d_]+)")
_FUNCTION_END = re.compile(r"\b(?:and|or|of|the|a|an|to|in|for|with|by|on|at|from|that|its|their|our|his|her)$", re.I)

# Line-end hyphens kept when the dictionary of the document itself cannot decide.
KEEP_HYPHEN_BEFORE = frozenset(
    "self non ex well ill half all cross so long short full far high low semi quasi vice anti counter post pre"
    " twenty thirty forty fifty sixty seventy eighty ninety hundred first second third one two three four".split()
)
KEEP_HYPHEN_AFTER = frozenset(
    "based related led owned term scale level wide free oriented making building keeping called like style"
    " type fold year old run born sized bound affected friendly focused driven up on off by out over down back"
    " made known ended needed rooted seated".split()
)
SYLLABLE_SUFFIXES = frozenset(
    "tion tions sion sions ment ments ness ity ities ance ances ence ences ing ings ed ly al ally ous ive ives"
    " ize ized izes ise ised ises able ible ure ures ary ory ical ic ics ist ists ism isms ship ant ants ent"
    " ents ate ated ates ation ations er ers ty ties cy gy ogy ful tional tive tives".split()
)
_VOCATIVE = re.compile(
    r"^(?:mr|mrs|ms|madam|madame|mister|sir|dear|your (?:excellenc|majest|highness)\w*|excellenc\w*|ladies|gentlemen"
    r"|distinguished|honou?rable|esteemed|fellow)\b", re.I)
_SUSPENDED = frozenset(["and", "or", "nor", "to"])
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


def is_wrapped(lines: list[str]) -> bool:
    """True for hard-wrapped text: most lines fill a common width and end mid-sentence."""
    texts = [t for t in (line.strip() for line in lines) if t and not is_furniture(t)]
    if len(texts) < 6:
        return False
    lengths = sorted(len(t) for t in texts)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    full = sum(1 for n in lengths if n >= 0.6 * width)
    open_ended = sum(1 for t in texts if not _ended(t))
    return width <= 250 and full >= 0.5 * len(texts) and open_ended >= 0.5 * len(texts)


def is_furniture(text: str) -> bool:
    """Page numbers, document symbols (A/55/PV.10), print job numbers, rules (----)."""
    if len(text) > 40:
        return bool(_NO_WORDS.match(text))
    return bool(_PAGE_NUMBER.match(text) or _JOB_NUMBER.match(text) or _DOC_SYMBOL.match(text) or _NO_WORDS.match(text))


def content_lines(raw_lines: list[str]) -> list[Line]:
    """The text's own lines: furniture and running heads removed, page-break blanks forgotten."""
    stripped = [line.strip() for line in raw_lines]
    furniture = [bool(t) and is_furniture(t) for t in stripped]
    counts = Counter(t for t, f in zip(stripped, furniture) if t and not f)
    out: list[Line] = []
    blank = False
    after_furniture = False
    for i, text in enumerate(stripped):
        if not text:
            blank = blank or not after_furniture
            continue
        if furniture[i] or (counts[text] >= 2 and _is_running_head(text, i, stripped, furniture)):
            blank = False
            after_furniture = True
            continue
        after_furniture = False
        raw = raw_lines[i]
        out.append(Line(tidy_line(text), blank and bool(out), len(raw) - len(raw.lstrip(" "))))
        blank = False
    return out


def _is_running_head(text: str, i: int, stripped: list[str], furniture: list[bool]) -> bool:
    """A repeated short line that is a page head: it carries a number or sits next to furniture."""
    if len(text) > 80 or _ended(text) or text[-1:] in _OPEN_END_CHARS:
        return False
    if any(c.isdigit() for c in text):
        return True
    for j in (i - 2, i - 1, i + 1, i + 2):
        if 0 <= j < len(stripped) and furniture[j]:
            return True
    return False


def paragraphs(raw_lines: list[str], *, wrapped: bool) -> list[Paragraph]:
    """Group lines into paragraphs; `wrapped` selects the hard-wrap rules (see is_wrapped)."""
    lines = content_lines(raw_lines)
    if not lines:
        return []
    vocab = _Vocabulary(lines)
    lengths = sorted(len(line.text) for line in lines)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    base_indent = Counter(line.indent for line in lines).most_common(1)[0][0]
    out: list[Paragraph] = []
    pieces = [lines[0].text]
    blank_before = False
    for i, (prev, line, nxt) in enumerate(zip(lines, lines[1:], lines[2:] + [None])):
        if _continues(prev, line, nxt, wrapped, width, base_indent, first=i == 0):
            joint = _joint(prev.text, line.text, vocab)
            if joint is None:           # a word hyphenated at the line end: re-join it
                pieces[-1], joint = pieces[-1][:-1], ""
            pieces.append(joint + line.text)
            continue
        out.append(_paragraph(pieces, blank_before, vocab))
        pieces, blank_before = [line.text], line.blank_before
    out.append(_paragraph(pieces, blank_before, vocab))
    return out


def _paragraph(pieces: list[str], blank_before: bool, vocab: Mapping[str, int]) -> Paragraph:
    text = "".join(pieces)
    if "- " in text:
        text = _SPLIT_WORD.sub(lambda m: _rejoin(m, vocab), text)
    return Paragraph(text, len(pieces), blank_before)


def _rejoin(m: re.Match, vocab: Mapping[str, int]) -> str:
    """'inter- Korean' (a line-end hyphen that a copy turned into a space) -> 'inter-Korean'."""
    left, right = m.group(1), m.group(2)
    return f"{left}-{right}" if keep_hyphen(left, right, vocab) else left + right


def _continues(prev: Line, line: Line, nxt: Line | None, wrapped: bool, width: int, base_indent: int,
               first: bool = False) -> bool:
    a, b = prev.text, line.text
    if a.endswith("-") and b[:1].isalpha() and _HYPHENATED_END.search(a):
        return True
    ended = _ended(a)
    if _starts_lower(b) and not ended:
        return True
    if not wrapped:
        # One line per paragraph; a long line that stops mid-sentence was cut by a page break.
        return not ended and len(a) >= 150 and not line.blank_before
    short = len(a) < 0.8 * width
    if line.indent > base_indent and ended:
        return False
    if line.blank_before:
        return not (ended or short)
    if ended and short:
        return False
    if not ended and len(a) < 0.5 * width and a[-1:] not in _OPEN_END_CHARS and not _function_end(a):
        # A short unfinished line: a heading or a salutation, unless it is the text's
        # first line, where it is the opening words of a sentence ("May I, as Prime").
        return first
    if ended and heading_level(b) and (nxt is None or not _starts_lower(nxt.text)):
        return False
    return True


def _ended(text: str) -> bool:
    """TERMINAL.search(text), without trying the pattern at every position of the line."""
    return text.rstrip(_CLOSERS)[-1:] in _TERMINAL_CHARS


def _function_end(text: str) -> bool:
    """_FUNCTION_END.search(text): its words have at most 5 letters, so only the line's tail can match."""
    return _FUNCTION_END.search(text, max(0, len(text) - 5)) is not None


def _starts_lower(text: str) -> bool:
    m = _FIRST_LETTER.search(text[:3])
    return bool(m) and m.group().islower()


class _Vocabulary(Mapping[str, int]):
    """Lower-cased _WORDS of the lines -> count, counted per word on first lookup.

    Only line-end hyphens ask (a few words in most documents, none in many), so counting
    every word of every document up front costs far more than it answers. A word's count
    is the number of its occurrences that are whole _WORDS tokens of the text: not preceded
    by a letter or by a letter and a hyphen (the token would have begun earlier) and not
    followed by a letter or by a hyphen and a letter (it would go on).
    """

    def __init__(self, lines: list[Line]):
        self._lines = lines
        self._text: str | None = None
        self._counts: dict[str, int] = {}

    def get(self, word: str, default=None):
        count = self._counts.get(word)
        if count is None:
            count = self._counts[word] = self._count(word)
        return count or default

    def __getitem__(self, word: str) -> int:
        count = self.get(word, 0)
        if not count:
            raise KeyError(word)
        return count

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def _all(self) -> Counter[str]:
        return Counter(_WORDS.findall(self._lower()))

    def _lower(self) -> str:
        if self._text is None:
            self._text = "\n".join(line.text for line in self._lines).lower()
        return self._text

    def _count(self, word: str) -> int:
        if not _WORDS.fullmatch(word):
            return 0
        text = self._lower()
        letter = _FIRST_LETTER.match
        size = len(text)
        count = 0
        i = text.find(word)
        while i >= 0:
            j = i + len(word)
            if not ((i >= 1 and letter(text, i - 1)) or (i >= 2 and text[i - 1] == "-" and letter(text, i - 2))
                    or (j < size and letter(text, j)) or (j + 1 < size and text[j] == "-" and letter(text, j + 1))):
                count += 1
            i = text.find(word, i + 1)
        return count


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


def keep_hyphen(left: str, right: str, vocab: Mapping[str, int] = {}) -> bool:
    """Whether 'left-' at a line end and 'right' on the next line form a hyphenated word.

    `vocab` counts the document's own words, and its spelling decides first
    ("international" elsewhere in it joins "inter-/national"). Then: a suffix-like
    second part (-tion, -ment, -ing) is a syllable split and joins; a capitalised part
    (inter-Korean, Secretary-General), a number word or common compound part (fifty-
    fifth, self-, -based) or a suspended hyphen ("inter- and intra-") keeps the hyphen,
    as do two parts that are words the document uses elsewhere (peace-loving).
    Anything else (interna-tional) joins, so a phrase across a line break is found.
    """
    joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
    if vocab.get(joined):
        return False
    if vocab.get(hyphenated) or right[:1].isupper():
        return True
    low_left, low_right = left.lower(), right.lower()
    if low_right in SYLLABLE_SUFFIXES:
        return False
    if left[:1].isupper() or low_left in KEEP_HYPHEN_BEFORE or low_right in (KEEP_HYPHEN_AFTER | _SUSPENDED):
        return True
    # A fragment counts once where it stands; a real word shows up again elsewhere.
    return len(left) >= 3 and (vocab.get(low_left, 0) >= 2 or (len(right) >= 3 and vocab.get(low_right, 0) >= 2))


def heading_level(text: str) -> int:
    """2 (3 for '1.2 ...') when a line reads as a section heading, else 0.

    A heading is short, does not end a sentence, and is numbered ("Part I.",
    "Chapter 3.", "1. Introduction") or title-cased or all capitals.
    """
    text = text.strip()
    words = text.split()
    if not 2 <= len(text) <= 100 or len(words) > 14 or text[-1] in ".,;:!?\"'" or _function_end(text):
        return 0
    if _VOCATIVE.match(text):
        return 0            # "Mr. President", "Excellencies": a speech's salutation, not a section
    m = _NUMBERED_HEADING.match(text)
    if m:
        return 3 if m["num"] else 2
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3 or not text[0].isupper() or ", " in text:
        return 0
    if text.isupper() and len(letters) >= 4:
        return 2
    significant = [w for w in _WORDS.findall(text) if w.lower() not in _SMALL_WORDS]
    if significant and all(w[0].isupper() for w in significant):
        return 2
    return 0
