"""Whether a hyphen at a line end joins two words ("heavy-handed") or splits one into syllables
("interna-tional"), decided from the document's own words (reflow.py asks, line by line).

A quoted passage is the document's own text, so the hyphen stays unless the evidence says the
line end split a word: the document's own spelling, the pair itself (a capital, a suffix, a
number, a false start), and, for what stays in doubt, how often the text's lines end in a hyphen.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Mapping

_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_FIRST_LETTER = re.compile(r"[^\W\d_]")
# Words run together through a line-end hyphen ("heavy-" and "handed" on the next line, or "heavy- handed"
# where a copy made the line end a space): the pieces a hyphen decision is about, never evidence for it.
_SPLIT_RUN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:-[ \n][^\W\d_]+(?:-[^\W\d_]+)*)+")
# A line-end hyphen between two letters, in a text whose lines are joined by "\n".
_LINE_END_SITE = re.compile(r"(?<=[^\W\d_])-\n(?=[^\W\d_])")
SPLITS_EVERY = 1500          # a text with a line-end hyphen every 1,500 characters or more often splits words there
SPLITS_SEEN = 2              # ... and at least this many: one line-end hyphen is no habit

# Common parts of compounds: a part that stands before (or after) a line-end hyphen and is a word.
KEEP_HYPHEN_BEFORE = frozenset(
    "self non ex well ill half all cross so long short full far high low semi quasi vice anti counter post pre"
    " twenty thirty forty fifty sixty seventy eighty ninety hundred first second third one two three four".split()
)
KEEP_HYPHEN_AFTER = frozenset(
    "based related led owned term scale level wide free oriented making building keeping called like style"
    " type fold year old run born sized bound affected friendly focused driven up on off by out over down back"
    " made known ended needed rooted seated".split()
)
# Word parts that stand before a hyphen and are never a syllable of a longer word split at a line end.
COMPOUND_PREFIXES = frozenset("self non well ill half cross quasi vice counter".split())
SYLLABLE_SUFFIXES = frozenset(
    "tion tions sion sions ment ments ness ity ities ance ances ence ences ing ings ed ly al ally ous ive ives"
    " ize ized izes ise ised ises able ible ure ures ary ory ical ic ics ist ists ism isms ship ant ants ent"
    " ents ate ated ates ation ations er ers ty ties cy gy ogy ful fully less ably ability tional tive tives"
    .split()
)
_TENS = frozenset("twenty thirty forty fifty sixty seventy eighty ninety".split())
_UNITS = frozenset("one two three four five six seven eight nine".split())
_ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth".split())
_SUSPENDED = frozenset(["and", "or", "nor", "to"])


def keep_hyphen(left: str, right: str, vocab: Mapping[str, int] = {}, *, copied: bool = False) -> bool:
    """Whether 'left-' at a line end and 'right' on the next line form a hyphenated word
    ("heavy-handed") rather than one word split into syllables ("interna-tional"). `copied`: the
    pair stands as 'left- right' inside a line, where a copy made the line end a space.

    The document decides. `vocab` counts its words as they stand elsewhere in it (not the pieces
    of a split). Its own spelling of the word settles the case ("international" elsewhere joins;
    "peace-keeping" elsewhere keeps). Then the evidence of the pair itself: a capital after the
    hyphen (inter-Korean, Secretary-General), a one-letter part (e-mail), a false start ("the l-
    life", "mem- member"), a suspended hyphen ("inter- and intra-"), a number (fifty-fifth), a
    compound's prefix (self-, non-) or part (-based) or two parts that are words the document uses
    elsewhere keep the hyphen; a suffix (-tion, -ment) or a fragment after a capitalised part
    (Gen-eral, Sep-tember) joins it.

    What stays in doubt follows how the text treats its line ends (splits_words): a text that
    splits words at its line ends (a typeset page, a MEDLINE abstract) has a hyphen at the end of
    many of its lines, and there the pair joins ("pa-/tients"); a text whose line-end hyphens are
    compounds has few, and there it keeps its hyphen, since joining a real compound alters the
    text ("heavyhanded"). So does a copied pair: on the UN debates every "- " inside a line is a
    real hyphen.
    """
    verdict = _hyphen_evidence(left, right, vocab, copied)
    if verdict is not None:
        return verdict
    splits_words = getattr(vocab, "splits_words", None)
    return copied or not (splits_words and splits_words())


def _hyphen_evidence(left: str, right: str, vocab: Mapping[str, int], copied: bool = False) -> bool | None:
    """keep_hyphen's answer where the document or the pair settles it; None when in doubt."""
    if len(left) == 1:
        return True                             # e-mail, "a l- a": no syllable stands alone before a line-end hyphen
    low_left, low_right = left.lower(), right.lower()
    joined, hyphenated = vocab.get(low_left + low_right, 0), vocab.get(f"{low_left}-{low_right}", 0)
    if joined and right[:1].isupper() and not left.isupper():
        exact = getattr(vocab, "exact", None)
        if exact is not None and not exact(left + right):
            joined = 0                          # "Southeast" elsewhere is no spelling of "South- East" joined: "SouthEast"
    if joined or hyphenated:
        return hyphenated >= joined             # the document's own spelling; a tie is doubt: keep
    if right[:1].isupper() or low_right in _SUSPENDED:
        return True
    if low_right.startswith(low_left) and (len(left) == 2 or vocab.get(low_right, 0)):
        return True                             # a speaker's false start, as transcribed: "mem- member"
    if low_left in _TENS and (low_right in _UNITS or low_right in _ORDINALS):
        return True
    if low_right in SYLLABLE_SUFFIXES:
        return False
    if low_left in COMPOUND_PREFIXES:
        return True
    # A word of two letters says little ("in", "un", "re" before a word: in-security or insecurity).
    left_word = len(left) >= 3 and (bool(vocab.get(low_left, 0)) or low_left in KEEP_HYPHEN_BEFORE)
    right_word = bool(vocab.get(low_right, 0)) or low_right in KEEP_HYPHEN_AFTER
    if left_word and right_word:
        return True
    if len(left) >= 3 and low_right in KEEP_HYPHEN_AFTER and len(right) >= 4:
        return True                             # rules-based, sea-level, decision-making
    if not (left_word or right_word or copied) and left[:1].isupper() and not left.isupper():
        return False                            # Gen-eral, Sep-tember (inside a line: "Western- styled")
    return None


class _Vocabulary(Mapping[str, int]):
    """Lower-cased _WORDS of the lines -> count, counted per word on first lookup.

    Only line-end hyphens ask (a few words in most documents, none in many), so counting
    every word of every document up front costs far more than it answers. A word's count
    is the number of its occurrences that are whole _WORDS tokens of the text: not preceded
    by a letter or by a letter and a hyphen (the token would have begun earlier) and not
    followed by a letter or by a hyphen and a letter (it would go on).
    """

    def __init__(self, texts: list[str]):
        self._texts = texts
        self._joined: str | None = None
        self._text: str | None = None
        self._counts: dict[str, int] = {}
        self._splits: bool | None = None

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
        return Counter(_WORDS.findall(_SPLIT_RUN.sub(" ", self._lower())))

    def splits_words(self) -> bool:
        """Whether the text splits words at its line ends: a line-end hyphen for every
        SPLITS_EVERY characters of text or more often. MEDLINE abstracts, hyphenated by their
        typesetter, have one in 300 characters (a median; 99% of those that have one at all: one
        in 1,600 or more); the UN debates, whose line-end hyphens are compounds (Secretary-/
        General), one in 6,500 (none more often than one in 1,600). Measured in characters, not
        lines: in a text whose lines are paragraphs one line-end hyphen is an accident.

        And at least SPLITS_SEEN of them: in a short text one line-end hyphen makes the density
        and says nothing of a habit. The abstracts of CISI and Cranfield with one line-end hyphen
        the pair leaves in doubt hold a real hyphen in all 61 ("machine-/readable", "low-/ranking",
        "re-/entering"); MEDLINE's, a syllable split in at least 50 of 59 ("con-/taining"; the rest
        "year-/old", "two-/thirds", "genito-/urinary" and a few that are written either way). In
        doubt, the hyphen stays."""
        if self._splits is None:
            text = self._whole()
            sites = len(_LINE_END_SITE.findall(text))
            self._splits = sites >= SPLITS_SEEN and sites * SPLITS_EVERY >= len(text)
        return self._splits

    def _whole(self) -> str:
        if self._joined is None:
            self._joined = "\n".join(self._texts)
        return self._joined

    def _lower(self) -> str:
        if self._text is None:
            self._text = self._whole().lower()
        return self._text

    def exact(self, word: str) -> int:
        """How often the text writes `word` as a whole word, with its capitals as given: whether a
        join ("South"+"East") would be the document's own spelling ("Southeast" is not; "MacArthur" is)."""
        return self._count(word, self._whole())

    def _count(self, word: str, text: str | None = None) -> int:
        if not _WORDS.fullmatch(word):
            return 0
        text = self._lower() if text is None else text
        letter = _FIRST_LETTER.match
        size = len(text)
        count = 0
        i = text.find(word)
        while i >= 0:
            j = i + len(word)
            if not ((i >= 1 and letter(text, i - 1)) or (i >= 2 and text[i - 1] == "-" and letter(text, i - 2))
                    or (i >= 3 and text[i - 2] == "-" and text[i - 1] in " \n" and letter(text, i - 3))
                    or (j < size and letter(text, j)) or (j + 1 < size and text[j] == "-" and letter(text, j + 1))
                    or (j + 2 < size and text[j] == "-" and text[j + 1] in " \n" and letter(text, j + 2))):
                count += 1
            i = text.find(word, i + 1)
        return count
