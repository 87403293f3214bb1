"""The user's query text -> a Whoosh query, plus what highlighting and ranking need.

In: a query string as a user types it (or a natural-language question from a
benchmark). Out: a `ParsedQuery` (the Whoosh query, a `MatchSpec` for
highlighting, the positive words for proximity ranking and did-you-mean, and
the notes of any lenient reading), or a `QueryError` whose first line says
what is wrong and what to write instead; positional errors add the query and a
caret line under it. A hand-written parser, because Whoosh's own never raises:
it silently turns mistakes into other queries. `check_expansion(query, reader)`
is the second step, once an index is open: it refuses a prefix or fuzzy term
that would expand to too many index terms.

Grammar (precedence from loosest to tightest: space, OR, AND, NOT)::

    query    := clauses EOF
    clauses  := either*                      # joined by the default operator
    either   := both ("OR" both)*
    both     := negated ("AND" negated)*
    negated  := "NOT"* modified
    modified := ("+" | "-")? "="? primary    # glued to what follows: -word, +"a b", -(x y)
    primary  := "(" clauses ")" | FIELD ":" value | PHRASE | WORD
    value    := "(" clauses ")" | "[" DATE "TO" DATE "]" | PHRASE | WORD
    PHRASE   := '"' text '"' ("~" N)?        # also curly quotes; unclosed: closes at the end
    WORD     := chars up to space, ( ) or a quote; '\\' escapes one character;
                a trailing '*' makes a prefix, a trailing '~' or '~N' a fuzzy term

Readings and decisions:

- Words are analysed with indexer.store.analysis.STEMMED and searched in body, title
  and section (boosted). A word that analyses to several tokens (Kumchang-ri,
  Hangul bigrams) is an exact phrase; punctuation alone (`?`, `,`) is ignored.
  Stop words are dropped (noted), unless every positive word is one (`the
  who`): then they are searched unstemmed on the exact field.
- `a b OR c` is `a AND (b OR c)`: space binds loosest, like web search engines.
  With operator="or" plain clauses are optional and `+word` clauses required
  (Lucene semantics: AndMaybe). `-x`/`NOT x` exclude; a query with nothing
  positive means every passage except those. Only upper-case AND, OR, NOT are
  operators, and `NOT NOT x` is `x`.
- Phrases, prefixes and fuzzy terms use the unstemmed "exact" field.
  `"a b"~N` allows N extra positions (Whoosh slop N+1), at most MAX_SLOP.
- Fields: title:, section:, body: (stemmed, like plain words); source:,
  author: and the index's extra metadata columns (`country:japan` -> m_country;
  unstemmed, several tokens make a phrase); lang:/language: (lower-cased),
  path:, doc:/doc_id: (the stored value as typed, `path:reports/*` a prefix);
  date:. `field:(a OR b)` applies the field to the whole group.
- `field:` names a field only when a value follows without a space. A known
  field followed by a space (`title: missile`) is read as a word and noted. An
  unknown name (`foo:bar`) is a QueryError, except URL schemes and `x://`
  (`http://example.org` is searched as words).
- An unbalanced parenthesis is a QueryError when the query uses operator
  syntax (AND, OR, NOT, a field, or `-(`/`+(`), since the grouping then
  matters; otherwise (natural-language text such as `(or foreign) craft?`) the
  unmatched parenthesis is ignored with a note, because grouping cannot change
  a query without operators.
- An operator with nothing on one side (`missile AND`, `OR x`, `NOT`) is a
  QueryError: it was meant to combine with something, and guessing would
  search for a different thing than the user meant.
- `*` inside a word (`col*r`) is a QueryError (only trailing prefixes are
  supported; `col\\*r` searches the text). `?` is punctuation, not a wildcard.
- Dates: `date:2000`, `date:2000-10`, `date:2000-10-09`, `date:>=2000` (also
  >, <, <=), `date:[1993 TO 1995-06]` with `*` for an open end; a period
  covers its unknown-day/month entries (2000 -> 20000000..20001231).
- Control characters and lone surrogates become spaces; invisible format
  characters (soft hyphen, zero-width space) are removed.
- Aliases (when parse_query gets an AliasTable, search/query/aliases.py): a word or
  phrase that is a name of an alias set also matches the set's other names, a
  multi-word name as an exact phrase and a one-word name as a stemmed word,
  weighted by alias_boost (< 1) so passages that say what was typed rank first.
  Names of several words are found among consecutive plain words too (`North
  Korea` unquoted), longest first. A name that contains what was typed (`1994
  Agreed Framework` for `agreed framework`) adds nothing and is left out.
  Expansion applies under NOT too (`-DPRK` excludes North Korea); only positive
  names are highlighted. `=word`, `="a phrase"` and `=(group)` search the text
  as typed: no aliases and no spelling variants.
- Spelling variants (when parse_query gets a Vocabulary, i.e. an open index):
  a name written joined, hyphenated or spaced is one name. A word rare in the
  index that splits into two words which stand together in it (`Jongil` ->
  "jong il") also matches them as a phrase; a hyphenated word (`Jong-il`) also
  matches its joined form when the index has it; two adjacent words (`Jong
  Il`, also inside a phrase) also match their joined form when that is much
  rarer than either part (so `in to` never becomes "into"). Variants weigh as
  much as what was typed.
- Bounds: MAX_QUERY_CHARS characters, MAX_CLAUSES searchable clauses (as
  typed, like Lucene's maxClauseCount), MAX_DEPTH nested parentheses,
  MAX_FUZZY_TERMS different fuzzy terms; beyond them a QueryError, never a
  crash. A clause repeated in one group is searched once (noted). Wide ANDs and
  ORs are nested in groups of _FANOUT, so no query within the bounds recurses
  deeply in Whoosh. With the index open, check_expansion bounds each prefix or
  fuzzy term (EXPANSION_LIMIT index words) and the whole query (MAX_TERMS).
"""
from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from itertools import islice
from typing import Collection, Iterator, Mapping, Protocol, Sequence

from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher as WhooshSearcher

from indexer.store.analysis import EXACT, STEMMED
from indexer.errors import QueryError
from indexer.store.schema import META_PREFIX

from search.query.aliases import Alias, AliasTable
from search.rank.tiers import MoreWordsFirst, TypedFirst
from search.query.match import MatchSpec, PhraseSpec
from search.query.termtable import TermTable
from search.rank.whoosh_fixes import AndNot

__all__ = ["ParsedQuery", "parse_query", "check_expansion", "refuse_too_deep", "date_range", "QueryError",
           "MAX_QUERY_CHARS", "MAX_CLAUSES", "MAX_DEPTH", "MAX_FUZZY_DISTANCE", "MAX_SLOP",
           "EXPANSION_LIMIT", "MAX_TERMS", "MAX_FUZZY_TERMS", "DEFAULT_BOOSTS", "ALIAS_BOOST",
           "KEYWORD_QUERY_WORDS", "Vocabulary", "IndexVocabulary", "word_spans"]

MAX_QUERY_CHARS = 10_000     # longer text is refused before any work is done
MAX_CLAUSES = 1_024          # searchable words, phrases and ranges in one query
MAX_DEPTH = 64               # nested parentheses; deeper is refused, never a RecursionError
MAX_FUZZY_DISTANCE = 2       # word~3 would match most short words of the index
MAX_SLOP = 100               # "a b"~N
EXPANSION_LIMIT = 1_024      # index terms a prefix or fuzzy term may expand to (check_expansion)
MAX_TERMS = 4_096            # index terms one query may read in all (check_expansion)
MAX_FUZZY_TERMS = 16         # different fuzzy terms in one query: each walks the vocabulary
DATE_MIN, DATE_MAX = 0, 2**32 - 1   # the date field's range (unsigned 32-bit YYYYMMDD)
DEFAULT_BOOSTS = {"body": 1.0, "title": 2.0, "section": 1.5}
ALIAS_BOOST = 0.5            # weight of an alias's match relative to what was typed
KEYWORD_QUERY_WORDS = 3      # an OR query of up to this many words ranks more matched words first
MAX_VARIANTS = 3             # spelling variants per word or phrase
MAX_SPLIT_CHECKS = 16        # phrase look-ups per query for words that may be written joined
_FANOUT = 16                 # widest And/Or handed to Whoosh (see _tree)

_QUOTES = frozenset('"“”„')
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "file", "mailto", "urn", "doi",
                          "isbn", "issn", "arxiv", "tel", "news"})
_IDENT = re.compile(r"[^\W\d]\w*")
_WORD_RUN = re.compile(r'[^\s()"“”„\\:]+')      # characters a word takes as they are (\s is str.isspace)
_PHRASE_RUN = re.compile(r'[^"“”„\\]*')
_SLOP = re.compile(r"~(\d{1,9})(?![^\s()])")       # "a b"~N, then a space, parenthesis or the end
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DATE_FORMS = ("write date:YYYY, date:YYYY-MM, date:YYYY-MM-DD, date:>=YYYY (also >, <, <=) "
               "or date:[YYYY TO YYYY-MM] (either end may be *)")


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: what to search, what to highlight, and how it was read."""

    query: wq.Query
    match: MatchSpec           # positive default-field words, phrases, prefixes, fuzzy terms
    words: tuple[str, ...]     # STEMMED terms of the positive plain one-term words, in query order
    raw_words: tuple[str, ...]  # the same words as typed, aligned with `words`
    notes: tuple[str, ...] = ()  # lenient readings applied
    tree: str = ""             # the reading, one line (see explain)

    def explain(self) -> str:
        """The reading as a tree, e.g. AND(word "missiles" -> missil, phrase "agreed framework"),
        then one `note:` line per lenient reading."""
        return "\n".join([self.tree, *(f"note: {n}" for n in self.notes)])


class Vocabulary(Protocol):
    """What the parser may ask an open index about its words (for spelling variants).

    Optional, used when present (IndexVocabulary has both): `known(term)`, frequency(term)
    if already looked up else None, so the parser can ask first what costs nothing; and
    `memo`, a dict in which the parser keeps what it derives from the answers (a word's
    split candidates) for as long as the answers hold.
    """

    def frequency(self, term: str) -> int:
        """Passages whose text holds the EXACT term."""

    def has_phrase(self, terms: Sequence[str]) -> bool:
        """Whether the EXACT terms stand together, in order, in some passage."""


class IndexVocabulary:
    """A Vocabulary over an open Whoosh searcher's "exact" field; look-ups are cached, so keep
    one per searcher (a searcher sees one committed generation, so answers never go stale)."""

    CACHE = 100_000          # entries; the cache starts over beyond this

    def __init__(self, searcher, *, reader=None, phrase_count=None):
        """searcher: an open Whoosh searcher; or None and the `reader` of one generation.
        phrase_count(terms): how many passages hold the phrase in "exact" (the Searcher passes
        its evaluator's); without it, Whoosh's phrase matcher answers."""
        self.searcher = searcher
        self._phrase_count = phrase_count
        self._reader = searcher.reader() if reader is None else reader
        self.terms = TermTable(self._reader, "exact")
        self._unscored = None
        self._freq: dict[str, int] = {}
        self._phrases: dict[tuple[str, ...], bool] = {}
        self.memo = _Memo(self.CACHE)     # what the parser derives from these answers, per word

    def frequency(self, term: str) -> int:
        found = self._freq.get(term)
        if found is None:
            if len(self._freq) >= self.CACHE:
                self._freq.clear()
            found = self._freq[term] = self.terms.doc_frequency(term)
        return found

    def known(self, term: str) -> int | None:
        """frequency(term) when it was already looked up, else None (no look-up)."""
        return self._freq.get(term)

    def has_phrase(self, terms: Sequence[str]) -> bool:
        key = tuple(terms)
        found = self._phrases.get(key)
        if found is None:
            if len(self._phrases) >= self.CACHE:
                self._phrases.clear()
            if self._phrase_count is not None:
                found = self._phrases[key] = self._phrase_count(key) > 0
            else:
                # Whoosh's phrase matcher, segment by segment: the first segment that has the
                # phrase answers, without the merged matcher's steps across segments.
                phrase = wq.Phrase("exact", list(key))
                found = self._phrases[key] = any(phrase.matcher(leaf).is_active()
                                                 for leaf, _ in self._phrase_searcher().leaf_searchers())
        return found

    def _phrase_searcher(self):
        """A Whoosh searcher over the same reader whose matchers carry no BM25 scorer: whether a
        phrase stands in the index needs no score, and each scorer reads its term's statistics
        (per segment, the deleted passages' postings too)."""
        if self._unscored is None:
            self._unscored = WhooshSearcher(self._reader, weighting=_Unscored(), closereader=False)
        return self._unscored


class _Unscored(scoring.WeightingModel):
    """Matchers for existence tests: one shared constant scorer instead of a model per term."""

    _SCORER = scoring.WeightScorer(1.0)

    def scorer(self, searcher, fieldname, text, qf=1):
        return self._SCORER


class _Memo(dict):
    """A dict that starts over beyond `limit` entries."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        super().__setitem__(key, value)


def parse_query(text: str, *, operator: str = "and", boosts: Mapping[str, float] | None = None,
                extra_fields: Collection[str] = (), aliases: AliasTable | None = None,
                vocabulary: Vocabulary | None = None, alias_boost: float = ALIAS_BOOST) -> ParsedQuery:
    """Parse the user's query text; raise QueryError for what cannot be read.

    operator: how words separated by spaces combine, "and" (all must match) or "or".
    boosts: per-field weights of plain words over body, title and section.
    extra_fields: names of the index's extra metadata fields (m_<name>), searchable as name:value.
    aliases: sets of equivalent names to expand (None: no expansion); alias_boost (0..1) weighs
    their matches. vocabulary: the open index's words, for spelling variants (None: none).
    """
    if not 0 <= alias_boost <= 1:
        raise ValueError(f"alias_boost must be between 0 and 1, not {alias_boost!r}")
    mode = operator.lower() if isinstance(operator, str) else operator
    if mode not in ("and", "or"):
        raise ValueError(f"operator must be 'and' or 'or', not {operator!r}")
    weights = dict(DEFAULT_BOOSTS)
    for name, value in (boosts or {}).items():
        if name not in DEFAULT_BOOSTS or not value >= 0:
            raise ValueError(f"boosts take non-negative weights for {sorted(DEFAULT_BOOSTS)}, "
                             f"not {name!r}: {value!r}")
        weights[name] = float(value)
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(text):,} characters, the limit is "
                         f"{MAX_QUERY_CHARS:,}; shorten it to the words that matter")
    text = _clean(text)
    if not text.strip():
        raise QueryError("empty query: type one or more words to search for")

    tree, notes = _plain_tree(text), []
    if tree is None:
        tokens, notes = _Lexer(text, _fields(extra_fields)).run()
        if tokens and all(t.kind in ("op", "(", ")") for t in tokens):
            raise QueryError(f"empty query: {_clip(text)!r} has only operators and parentheses; "
                             "type words to search for (lower-case and, or, not are words)")
        tokens = _balance(tokens, text, notes)
        tree = _Parser(tokens, text).parse()
    compiler = _Compiler(text, mode, weights, _all_stop_words(tree), aliases or None, vocabulary, alias_boost)
    part = compiler.compile(tree, positive=True)
    notes.extend(compiler.notes())
    if part is None:
        reason = f" ({'; '.join(notes)})" if notes else ""
        raise QueryError(f"empty query: nothing searchable in {_clip(text)!r}{reason}; "
                         "type words to search for")
    return ParsedQuery(part.query, compiler.match(), tuple(compiler.words), tuple(compiler.raw_words),
                       tuple(notes), part.desc)


def word_spans(text: str, extra_fields: Collection[str] = ()) -> tuple[str, list[tuple[int, int]]]:
    """Where a query's searchable words stand, for did-you-mean.

    Returns the query as the parser reads it (control characters cleaned) and the
    (start, end) offsets in that text of each plain word and of each phrase's inner
    text: not operators, field names or values, prefixes, fuzzy terms, excluded words
    (-word, NOT word) or words written with backslash escapes. Raises QueryError where
    parse_query would for the lexing step.
    """
    text = _clean(text)
    tokens, _ = _Lexer(text, _fields(extra_fields)).run()
    spans = []
    negated = after_field = False
    for tok in tokens:
        if (tok.kind == "mod" and tok.text == "-") or (tok.kind == "op" and tok.text == "NOT"):
            negated = True
            continue
        if tok.kind == "mod":
            continue
        if not (negated or after_field):
            if tok.kind == "word" and not tok.suffix and text[tok.col - 1:tok.end] == tok.text:
                spans.append((tok.col - 1, tok.end))
            elif tok.kind == "phrase" and text[tok.col:tok.end] == tok.text:
                spans.append((tok.col, tok.end))
        negated, after_field = False, tok.kind == "field"
    return text, spans


def check_expansion(query: wq.Query, reader, limit: int = EXPANSION_LIMIT, total: int = MAX_TERMS) -> None:
    """Refuse a prefix or fuzzy term that expands to more than `limit` index terms, and a
    query that would read more than `total` index terms in all.

    Whoosh expands them into one big OR without a bound, so `a*` on a large
    index is slow and its ranking meaningless; the user is better served by
    typing more letters. Each term read is a matcher (150 different groups with
    `qa*` made 135,000), so the sum is bounded too: a word counts once per field
    it is searched in (3: body, title, section), a phrase once per word, a prefix
    or fuzzy term once per index word it matches (its walk stops at limit + 1).
    """
    counts: dict[wq.Query, int] = {}          # expanding leaf -> index words; a repeated one is walked once
    terms = 0
    for leaf in _leaves(query):
        if isinstance(leaf, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            if leaf not in counts:
                counts[leaf] = _expansion(leaf, reader, limit)
            terms += counts[leaf]
        else:
            terms += len(leaf.words) if isinstance(leaf, wq.Phrase) else 1
    if terms <= total:
        return
    widest = sorted(((n, _shown(leaf), isinstance(leaf, wq.FuzzyTerm)) for leaf, n in counts.items() if n > 1),
                    reverse=True)[:3]
    fixes = dict.fromkeys("allow fewer edits (~1)" if fuzzy else "type more letters before '*'"
                          for _, _, fuzzy in widest)
    fix = (" or ".join(fixes) + " (" + ", ".join(f"'{shown}' matches {n:,}" for n, shown, _ in widest) + ")"
           if widest else "shorten it to the words that matter")
    raise QueryError(f"query too broad: it would search {terms:,} index words, the limit is {total:,} "
                     f"(a word counts once per field: body, title, section); {fix}")


def _expansion(leaf: wq.Query, reader, limit: int) -> int:
    """How many index terms a prefix or fuzzy term matches; QueryError beyond `limit`."""
    try:
        count = sum(1 for _ in islice(leaf._btexts(reader), limit + 1))
    except (KeyError, ValueError):      # a field this index does not have: nothing to expand
        return 0
    if count <= limit:
        return count
    if isinstance(leaf, wq.FuzzyTerm):
        raise QueryError(f"'{_shown(leaf)}' matches more than {limit} words; "
                         "type a longer word or allow fewer edits (~1)")
    raise QueryError(f"'{_shown(leaf)}' matches more than {limit} words; type more letters before '*'")


def _shown(leaf: wq.Query) -> str:
    """A prefix or fuzzy term as the user wrote it: qa*, title:treaty~2."""
    where = "" if leaf.fieldname == "exact" else f"{leaf.fieldname}:"
    if isinstance(leaf, wq.FuzzyTerm):
        return f"{where}{leaf.text}~{leaf.maxdist}"
    return f"{where}{leaf.text}*" if isinstance(leaf, wq.Prefix) else f"{where}{leaf.text}"


def refuse_too_deep(method):
    """Last line behind the bounds: a RecursionError (Whoosh's matchers recurse) -> QueryError."""
    @functools.wraps(method)
    def refusing(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except RecursionError as e:
            raise QueryError("query too deeply nested for the search engine; use fewer parentheses "
                             "or fewer words") from e
    return refusing


def _leaves(q: wq.Query) -> Iterator[wq.Query]:
    stack = [q]
    while stack:
        node = stack.pop()
        children = list(node.children())
        if children:
            stack.extend(children)
        else:
            yield node


# --- input hygiene and messages ---------------------------------------------------------------

def _clean(text: str) -> str:
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


def _clip(text: str, width: int = 60) -> str:
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


def _error(what: str, fix: str, text: str, col: int) -> QueryError:
    """A one-line message (what, where, what to write instead), then the query and a caret."""
    shown, caret = _window(text, col)
    return QueryError(f"{what} at column {col}: {shown!r} — {fix}\n  {shown}\n  {' ' * caret}^")


# --- fields ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Field:
    name: str        # as typed in queries
    index: str       # the Whoosh field
    kind: str        # "stemmed" | "exact" | "id" | "lower" | "date"


_BUILTIN_FIELDS = {f.name: f for f in [
    _Field("title", "title", "stemmed"), _Field("section", "section", "stemmed"),
    _Field("body", "body", "stemmed"),
    _Field("source", "source", "exact"), _Field("author", "author", "exact"),
    _Field("lang", "language", "lower"), _Field("language", "language", "lower"),
    _Field("path", "path", "id"), _Field("doc", "doc_id", "id"), _Field("doc_id", "doc_id", "id"),
    _Field("date", "date", "date"),
    _Field("type", "type", "lower"), _Field("page", "pages", "lower"),
]}


def _fields(extra: Collection[str]) -> dict[str, _Field]:
    """Field names as typed (lower-cased) -> _Field; the dict is shared: read it only."""
    return _fields_of(tuple(extra))


@functools.lru_cache(maxsize=64)
def _fields_of(extra: tuple[str, ...]) -> dict[str, _Field]:
    fields = {name.lower(): _Field(name, META_PREFIX + name, "exact") for name in extra}
    fields.update(_BUILTIN_FIELDS)
    return fields


# --- lexer ----------------------------------------------------------------------------------

@dataclass
class _Tok:
    kind: str                 # "(" ")" "op" "mod" "field" "range" "phrase" "word"
    col: int                  # 1-based column of the first character
    text: str = ""            # operator, modifier, word (escapes resolved), phrase or range text
    base: str = ""            # word without its * or ~N suffix
    suffix: str = ""          # "" | "*" | "~"
    number: int | None = None  # fuzzy distance or phrase slop
    closed: bool = True       # phrase had its closing quote
    field: _Field | None = None
    end: int = 0              # 0-based offset after a word, or of a phrase's closing quote


class _Lexer:
    """Splits the cleaned query into tokens; field names are checked here, as typed."""

    def __init__(self, text: str, fields: dict[str, _Field]):
        self.text, self.fields = text, fields
        self.tokens: list[_Tok] = []
        self.notes: list[str] = []

    def run(self) -> tuple[list[_Tok], list[str]]:
        text, i, glued = self.text, 0, None      # glued: kind of the token this one is attached to
        while i < len(text):
            ch = text[i]
            if ch.isspace():
                i, glued = i + 1, None
                continue
            after, glued = glued, None
            if ch in "()":
                self.tokens.append(_Tok(ch, i + 1, ch))
                i += 1
            elif ch in _QUOTES:
                i = self._phrase(i)
            elif after == "field" and ch == "[":
                i = self._range(i)
            elif after != "field" and ch in "+-=" and self._starts_term(i + 1, ch):
                self.tokens.append(_Tok("mod", i + 1, ch))
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
                raise _error("'~' after a phrase needs a number", 'write "…"~N, N the extra words allowed '
                             'between the phrase words', text, j + 1)
            slop = int(m.group(1))
            if slop > MAX_SLOP:
                raise _error(f"phrase slop {slop} is too large", f"use ~{MAX_SLOP} or less", text, j + 2)
            j = m.end()
        self.tokens.append(_Tok("phrase", i + 1, "".join(chars), number=slop, closed=closed, end=close))
        return j

    def _range(self, i: int) -> int:
        end = self.text.find("]", i)
        if end < 0:
            raise _error("unclosed date range", "close it with ']': date:[1993 TO 1995-06]", self.text, i + 1)
        self.tokens.append(_Tok("range", i + 1, self.text[i + 1:end]))
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
            self.tokens.append(_Tok("field", i + 1, name, field=self.fields[key]))
            return colon + 1, "field"
        if key in _URL_SCHEMES or text.startswith("//", colon + 1):
            return None
        end = colon
        while end < len(text) and not text[end].isspace() and text[end] not in "()":
            end += 1
        word = text[i:end]
        known = ", ".join(sorted(self.fields))
        raise _error(f"unknown field '{name}'",
                     f"fields are {known}; to search the text itself write \"{word}\" or "
                     f"{word.replace(':', chr(92) + ':', 1)}", text, i + 1)

    def _word_token(self, word: str, escaped: list[bool], i: int, j: int, after: str | None) -> _Tok:
        if after is None and word in _OPERATORS and not any(escaped):
            return _Tok("op", i + 1, word)
        tok = _Tok("word", i + 1, word, base=word)
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
            raise _error("'*' inside a word", f"'*' only ends a word (prefix search); write "
                         f"{word[:stars[0]]}\\{word[stars[0]:]} to search the text", self.text, i + 1 + stars[0])
        return tok


# A plain word (no operator, field, modifier, suffix, escape or parenthesis) or a closed
# straight-quoted phrase without escapes or slop, each followed by a space or the end.
_PLAIN_TOKEN = re.compile(r'\s*(?:"([^"“”„\\]*)"|([^\s()"“”„\\:*~]+))(?=\s|\Z)')


def _plain_tree(text: str):
    """The tree of a query that is only plain words and phrases, as _Lexer and _Parser build it
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
            tok = _Tok("phrase", start + 1, m.group(1), number=0, end=m.end(1))
        elif word[0] in "+-=" or word in _OPERATORS:
            return None                               # maybe a modifier or an operator
        else:
            tok = _Tok("word", m.start(2) + 1, word, base=word, end=m.end(2))
        leaves.append(_Leaf(tok, None))
        pos = m.end()
    if not leaves:
        return None
    return leaves[0] if len(leaves) == 1 else _Group("space", tuple(leaves))


def _balance(tokens: list[_Tok], text: str, notes: list[str]) -> list[_Tok]:
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
        raise _error("unbalanced parenthesis", fix, text, t.col)
    for n in unmatched:
        notes.append(f"ignored the unmatched '{tokens[n].kind}' at column {tokens[n].col} "
                     "(parentheses only group with AND, OR, NOT or a field)")
    drop = set(unmatched)
    return [t for n, t in enumerate(tokens) if n not in drop]


# --- parser: tokens -> tree -------------------------------------------------------------------

@dataclass(frozen=True)
class _Leaf:
    tok: _Tok
    field: _Field | None      # None: the default (body, title, section / exact)
    literal: bool = False     # =word: no alias expansion (issue 5)


@dataclass(frozen=True)
class _Not:
    child: object


@dataclass(frozen=True)
class _Required:
    child: object


@dataclass(frozen=True)
class _Group:
    kind: str                 # "space" (default operator), "and", "or"
    children: tuple


@dataclass(frozen=True)
class _Run:
    """Consecutive plain words expanded as a whole: an alias name, or two words that join."""
    leaves: tuple                     # the _Leaf nodes, as typed
    terms: tuple[str, ...]            # their EXACT terms, in order
    aliases: tuple[Alias, ...] = ()   # the set's other names
    joined: str = ""                  # the joined form of two words ("jong il" -> "jongil")


class _Parser:
    """Recursive descent over the grammar in the module docstring; depth is bounded by MAX_DEPTH."""

    def __init__(self, tokens: list[_Tok], text: str):
        self.tokens = tokens + [_Tok("eof", len(text) + 1)]
        self.text = text
        self.i = 0

    def parse(self):
        return self.clauses(None, False, 0)

    def peek(self) -> _Tok:
        return self.tokens[self.i]

    def take(self) -> _Tok:
        self.i += 1
        return self.tokens[self.i - 1]

    def _is_op(self, tok: _Tok, *names: str) -> bool:
        return tok.kind == "op" and tok.text in names

    def _operand_follows(self, op: _Tok) -> None:
        nxt = self.peek()
        if nxt.kind in ("eof", ")") or self._is_op(nxt, "AND", "OR"):
            raise _error(f"{op.text} has nothing after it", f"add a word after {op.text} or remove it",
                         self.text, op.col)

    def clauses(self, fld, literal, depth):
        items = []
        while self.peek().kind not in ("eof", ")"):
            tok = self.peek()
            if self._is_op(tok, "AND", "OR"):
                raise _error(f"{tok.text} has nothing before it", f"add a word before {tok.text} or remove it",
                             self.text, tok.col)
            items.append(self.either(fld, literal, depth))
        return items[0] if len(items) == 1 else _Group("space", tuple(items))

    def either(self, fld, literal, depth):
        items = [self.both(fld, literal, depth)]
        while self._is_op(self.peek(), "OR"):
            self._operand_follows(self.take())
            items.append(self.both(fld, literal, depth))
        return items[0] if len(items) == 1 else _Group("or", tuple(items))

    def both(self, fld, literal, depth):
        items = [self.negated(fld, literal, depth)]
        while self._is_op(self.peek(), "AND"):
            self._operand_follows(self.take())
            items.append(self.negated(fld, literal, depth))
        return items[0] if len(items) == 1 else _Group("and", tuple(items))

    def negated(self, fld, literal, depth):
        negate = False
        while self._is_op(self.peek(), "NOT"):
            self._operand_follows(self.take())
            negate = not negate
        node = self.modified(fld, literal, depth)
        return _Not(node) if negate else node

    def modified(self, fld, literal, depth):
        sign = None
        while self.peek().kind == "mod":
            mod = self.take()
            if mod.text == "=":
                literal = True
            else:
                sign = mod.text
        node = self.primary(fld, literal, depth)
        return _Not(node) if sign == "-" else _Required(node) if sign == "+" else node

    def primary(self, fld, literal, depth):
        tok = self.take()
        if tok.kind == "(":
            return self.group(tok, fld, literal, depth)
        if tok.kind == "field":
            return self.value(tok, literal, depth)
        if tok.kind in ("word", "phrase"):
            return _Leaf(tok, fld, literal)
        raise _error("a word is missing", "put a word, \"phrase\" or (group) there", self.text, tok.col)

    def group(self, tok, fld, literal, depth):
        if depth + 1 > MAX_DEPTH:
            raise _error(f"parentheses nested deeper than {MAX_DEPTH}", "remove some parentheses",
                         self.text, tok.col)
        node = self.clauses(fld, literal, depth + 1)
        self.take()                               # ")": _balance guarantees it
        return node

    def value(self, ftok, literal, depth):
        fld, tok = ftok.field, self.peek()
        if tok.kind == "(":
            return self.group(self.take(), fld, literal, depth)
        if tok.kind == "range":
            self.take()
            if fld.kind != "date":
                raise _error(f"a range on {ftok.text}:", "ranges work only on date:, e.g. date:[1993 TO 1995-06]",
                             self.text, tok.col)
            return _Leaf(tok, fld, literal)
        if tok.kind in ("word", "phrase"):
            return _Leaf(self.take(), fld, literal)
        raise _error(f"{ftok.text}: has no value", f"write {ftok.text}:WORD, {ftok.text}:\"a phrase\" "
                     f"or {ftok.text}:(a OR b)", self.text, ftok.col)


def _plain_terms(node) -> tuple[str, ...] | None:
    """The EXACT terms of a plain default-field word (no field, suffix, modifier or =), else None."""
    if (isinstance(node, _Leaf) and node.field is None and not node.literal and node.tok.kind == "word"
            and not node.tok.suffix):
        return _exact_terms(node.tok.text) or None
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
            found = tuple(self.analyzer.terms(text))
            if len(text) <= self.LONGEST:
                if len(self) >= self.LIMIT:
                    self.clear()
                self[text] = found
        return found


_exact_terms = _Analysed(EXACT)
_stemmed_terms = _Analysed(STEMMED)


def _ascii_word(term: str) -> bool:
    return term.isascii() and term.isalpha() and term.islower()


def _joinable(term: str) -> bool:
    """A lower-case Latin word, at least two letters, not a stop word: may be one part of a
    name written joined, hyphenated or spaced (Kim Jongil, Jong-il, Jong Il)."""
    return len(term) >= 2 and _ascii_word(term) and not STEMMED.is_stop(term)


def _split_pairs(vocabulary: Vocabulary, word: str) -> tuple[tuple[str, str], ...]:
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
        # Parts of a lower-case ASCII word, two letters or more: _joinable unless a stop word.
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


def _hyphens(text: str) -> tuple[bool, ...]:
    """For each pair of adjacent EXACT tokens of `text`, whether a hyphen alone joins them
    (() when text has no hyphen: no pair is)."""
    if "-" not in text and "‐" not in text and "‑" not in text:
        return ()
    tokens = list(EXACT.tokens(text))
    return tuple(text[a.end:b.start] in ("-", "‐", "‑") for a, b in zip(tokens, tokens[1:]))


def _contains(terms: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether `part` stands in `terms` as a contiguous run."""
    n = len(part)
    return any(terms[i:i + n] == part for i in range(len(terms) - n + 1))


def _is_stop_word(text: str) -> bool:
    return len(_exact_terms(text)) == 1 and not _stemmed_terms(text)


def _all_stop_words(tree) -> bool:
    """True when every positive leaf is a default-field stop word (`the who`): search them as written."""
    stops = others = False
    stack = [(tree, True)]
    while stack:
        node, positive = stack.pop()
        if isinstance(node, _Not):
            stack.append((node.child, not positive))
        elif isinstance(node, _Required):
            stack.append((node.child, positive))
        elif isinstance(node, _Group):
            stack.extend((c, positive) for c in node.children)
        elif positive:
            tok = node.tok
            if node.field is None and tok.kind == "word" and not tok.suffix and _is_stop_word(tok.text):
                stops = True
            elif node.field is not None or tok.kind != "word" or tok.suffix or _exact_terms(tok.text):
                others = True
    return stops and not others


# --- compiler: tree -> Whoosh query + MatchSpec ---------------------------------------------

@dataclass(frozen=True)
class _Part:
    query: wq.Query
    desc: str
    excluded: "_Part | None" = None    # set when the part means "every passage except `excluded`"
    alias: bool = False                # another name for what was typed: ranks below it


def _describe(kind: str, parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{kind}({', '.join(parts)})"


def _combine(required: list[_Part], optional: list[_Part], excluded: list[_Part]) -> _Part | None:
    """required AND (optional adds score) AND NOT excluded, in Lucene's sense."""
    if not (required or optional or excluded):
        return None
    descs = [p.desc for p in required]
    if required and optional:
        q = wq.AndMaybe(_and(required), _more_words_first(optional))
        descs.append(f"OPTIONAL({', '.join(p.desc for p in optional)})")
    elif required:
        q = _and(required)
    elif optional:
        q = _more_words_first(optional)
        descs.append(_describe("OR", [p.desc for p in optional]))
    else:
        q = wq.Every()
        descs.append("ALL")
    if not excluded:
        return _Part(q, _describe("AND", descs))
    descs += [f"NOT {p.desc}" for p in excluded]
    negative = _Part(_or(excluded), _describe("OR", [p.desc for p in excluded]))
    whole = _Part(AndNot(q, negative.query), _describe("AND", descs))
    return replace(whole, excluded=negative) if isinstance(q, wq.Every) else whole


class _Key:
    """A query as a dict key, hashed once: Whoosh hashes a compound query's whole tree
    at every look-up."""

    __slots__ = ("query", "hash")

    def __init__(self, query: wq.Query):
        self.query, self.hash = query, hash(query)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other) -> bool:
        return self.query == other.query


_BOOSTABLE = (wq.Term, wq.Phrase, wq.Or, wq.And)


def _weighted(part: _Part, times: int) -> _Part:
    """A clause typed `times` times, searched once with its score multiplied."""
    q = part.query
    if times == 1 or type(q) not in _BOOSTABLE or (isinstance(q, wq.compound.CompoundQuery) and len(q.subqueries) < 2):
        return part
    return replace(part, query=q.with_boost(q.boost * times))


def _more_words_first(parts: list[_Part]) -> wq.Query:
    """Keywords (up to KEYWORD_QUERY_WORDS): the passages matching more of them first. A longer,
    question-like query keeps plain BM25: tiers by matched words cost 0.06 to 0.10 nDCG@10 on
    the relevance collections, whose queries are questions, as Bendersky and Croft found for
    verbose queries."""
    if len(parts) == 1:
        return parts[0].query
    if len(parts) > KEYWORD_QUERY_WORDS:
        return _or(parts)
    return MoreWordsFirst([p.query for p in parts])


def _and(parts: list[_Part]) -> wq.Query:
    return _tree(wq.And, [p.query for p in parts])


def _or(parts: list[_Part]) -> wq.Query:
    return _tree(wq.Or, [p.query for p in parts])


def _tree(kind: type, queries: list[wq.Query]) -> wq.Query:
    """`kind(queries)`, nested in groups of at most _FANOUT when wider.

    Whoosh builds an And's matchers as a chain as long as its list (an Or's can be
    as long too), and each matcher step recurses down it: ~1,000 ANDed words raised
    RecursionError. Groups keep every chain short and the nesting logarithmic; AND
    and OR are associative, so matches and scores are the same.
    """
    while len(queries) > _FANOUT:
        queries = [group[0] if len(group) == 1 else kind(group)
                   for group in (queries[i:i + _FANOUT] for i in range(0, len(queries), _FANOUT))]
    return queries[0] if len(queries) == 1 else kind(queries)


def _show(typed: str, terms: list[str] | str) -> str:
    """`"typed" -> terms`, the arrow only when analysis changed the text."""
    shown = terms if isinstance(terms, str) else " ".join(terms)
    return f'"{typed}"' if shown == typed else f'"{typed}" -> {shown}'


def _max_gap(tokens) -> int:
    """Whoosh slop that lets a stemmed-field phrase span the stop words its analyzer dropped."""
    return max((b.pos - a.pos for a, b in zip(tokens, tokens[1:])), default=1)


class _Compiler:
    """Turns the tree into a Whoosh query, collecting the MatchSpec and words of positive leaves."""

    def __init__(self, text: str, operator: str, boosts: dict[str, float], stop_words_only: bool,
                 aliases: AliasTable | None = None, vocabulary: Vocabulary | None = None,
                 alias_boost: float = ALIAS_BOOST):
        self.text = text
        self.operator, self.boosts, self.stop_words_only = operator, boosts, stop_words_only
        self.aliases, self.vocabulary, self.alias_boost = aliases, vocabulary, alias_boost
        self.expanded: list[str] = []       # typed names whose aliases were added
        self.in_run = 0                     # compiling a _Run's own words: no aliases of their own
        self.split_checks = 0               # phrase look-ups made for splits (at most MAX_SPLIT_CHECKS)
        self.stemmed: set[str] = set()
        self.exact: set[str] = set()
        self.phrases: list[PhraseSpec] = []
        self.prefixes: set[str] = set()
        self.fuzzy: list[tuple[str, int]] = []
        self.words: list[str] = []
        self.raw_words: list[str] = []
        self.stops: list[str] = []
        self.empty_phrases: list[int] = []
        self.repeated: list[str] = []       # clauses searched once though typed again
        self.fuzzy_terms: set[tuple] = set()   # (field, term, distance): at most MAX_FUZZY_TERMS
        self.clauses = 0

    def match(self) -> MatchSpec:
        return MatchSpec(frozenset(self.stemmed), frozenset(self.exact), tuple(dict.fromkeys(self.phrases)),
                         frozenset(self.prefixes), tuple(dict.fromkeys(self.fuzzy)))

    def notes(self) -> list[str]:
        notes = []
        if self.stops:
            notes.append(f"ignored stop words: {', '.join(dict.fromkeys(self.stops))} "
                         "(put them in a \"phrase\" to search them)")
        if self.stop_words_only:
            notes.append("every word is a stop word, so they were searched as written (unstemmed)")
        notes += [f"ignored the empty phrase at column {col}" for col in self.empty_phrases]
        if self.repeated:
            shown = list(dict.fromkeys(self.repeated))
            notes.append(f"searched repeated clauses once: {', '.join(shown[:3])}" + (", …" if len(shown) > 3 else ""))
        if self.expanded:
            names = ", ".join(dict.fromkeys(self.expanded))
            notes.append(f"also searched the aliases of {names}, ranked below what you typed; put = before "
                         "a word, \"phrase\" or (group), or use --no-aliases, to search only what you typed")
        return notes

    def compile(self, node, positive: bool) -> _Part | None:
        if isinstance(node, _Not):
            part = self.compile(node.child, not positive)
            if part is None:
                return None
            if part.excluded is not None:                 # NOT (everything except x) = x
                return part.excluded
            return _Part(AndNot(wq.Every(), part.query), f"NOT {part.desc}", excluded=part)
        if isinstance(node, _Required):
            return self.compile(node.child, positive)
        if isinstance(node, _Group):
            return self.group(node, positive)
        if isinstance(node, _Run):
            return self.run(node, positive)
        part = self.leaf(node, positive)
        if part is not None:
            self.clauses += 1
            if self.clauses > MAX_CLAUSES:
                raise QueryError(f"query too long: more than {MAX_CLAUSES} words, phrases and fields; "
                                 "shorten it to the words that matter")
        return part

    def group(self, node: _Group, positive: bool) -> _Part | None:
        children = self.runs(node.children) if node.kind == "space" else node.children
        parts = [(child, self.compile(child, positive)) for child in children]
        parts = [(child, p) for child, p in parts if p is not None]
        if node.kind == "or":
            if not parts:
                return None
            items = self.distinct([p for _, p in parts])
            return items[0] if len(items) == 1 else _Part(_or(items), _describe("OR", [p.desc for p in items]))
        required, optional, excluded = [], [], []
        for child, p in parts:
            if p.excluded is not None:
                excluded.append(p.excluded)
            elif node.kind == "and" or self.operator == "and" or isinstance(child, _Required):
                required.append(p)
            else:
                optional.append(p)
        return _combine(self.distinct(required), self.distinct(optional, required),
                        self.distinct(excluded, scored=False))

    def distinct(self, parts: list[_Part], taken: list[_Part] = (), scored: bool = True) -> list[_Part]:
        """`parts` less repeats of an earlier part or of one in `taken`, noted.

        A repeated clause adds no match to an AND, an OR or a NOT, only work (580
        copies of one phrase made 580 phrase matchers). But a scored repeat counts, as
        it does in Lucene and in BM25's query-term frequency: a question that names its
        topic three times weighs it three times (searched once, boosted ×3). Dropping
        the weight cost CISI 0.06 nDCG@10.
        """
        if not parts:
            return []
        if len(parts) == 1 and not taken:
            return [parts[0]]                 # nothing to repeat: weighted once is as typed
        seen = {_Key(p.query) for p in taken}
        out: list[tuple[_Part, _Key]] = []
        counts: dict[_Key, int] = {}
        for p in parts:
            key = _Key(p.query)
            if key in seen:
                self.repeated.append(p.desc)
                if key in counts:
                    counts[key] += 1
            else:
                seen.add(key)
                counts[key] = 1
                out.append((p, key))
        if scored:
            return [_weighted(p, counts[key]) for p, key in out]
        return [p for p, _ in out]

    def leaf(self, node: _Leaf, positive: bool) -> _Part | None:
        tok, fld = node.tok, node.field
        if fld is not None and fld.kind == "date":
            return _date_part(tok, self.text)
        if fld is not None and fld.kind in ("id", "lower"):
            return self.id_part(tok, fld)
        if tok.kind == "phrase":
            return self.phrase(node, positive)
        if tok.suffix:
            return self.expanding(node, positive)
        return self.word(node, positive)

    def id_part(self, tok: _Tok, fld: _Field) -> _Part:
        """lang:, path:, doc: match the stored value as typed (lang: lower-cased); `path:dir/*` is a prefix."""
        value = tok.text if tok.kind == "phrase" or tok.suffix != "*" else tok.base
        if fld.kind == "lower":
            value = value.lower()
        if tok.kind == "word" and tok.suffix == "*":
            return _Part(wq.Prefix(fld.index, value), f'{fld.name}:prefix "{value}*"')
        return _Part(wq.Term(fld.index, value), f'{fld.name}:"{value}"')

    def word(self, node: _Leaf, positive: bool) -> _Part | None:
        tok, fld = node.tok, node.field
        exact = list(_exact_terms(tok.text))
        if not exact:
            return None                                   # punctuation: a separator, not a word
        label = ("=" if node.literal else "") + (f"{fld.name}:word" if fld else "word")
        if fld is not None:
            return self.field_terms(tok.text, fld, label, 0)
        if len(exact) > 1:                                # Kumchang-ri, 북한이해: an exact phrase
            if positive:
                self.phrases.append(PhraseSpec(tuple(exact)))
            typed = _Part(wq.Phrase("exact", exact), f"{label} {_show(tok.text, 'phrase ' + ' '.join(exact))}")
            return self.expand(typed, self.alternatives(node, exact, 0, positive))
        stemmed = _stemmed_terms(tok.text)
        if not stemmed:
            if not self.stop_words_only:
                self.stops.append(tok.text)
                return None
            if positive:
                self.exact.add(exact[0])
            return _Part(wq.Term("exact", exact[0]), f"{label} {_show(tok.text, exact[0])} (exact)")
        term = stemmed[0]
        if positive:
            self.words.append(term)
            self.raw_words.append(tok.text)
        typed = self.stemmed_word(term, positive, f"{label} {_show(tok.text, term)}")
        return self.expand(typed, self.alternatives(node, exact, 0, positive))

    def stemmed_word(self, term: str, positive: bool, desc: str, weight: float = 1.0) -> _Part:
        """A STEMMED term in body, title and section (boosted)."""
        if positive:
            self.stemmed.add(term)
        return _Part(wq.Or([wq.Term(name, term, boost=self.boosts[name] * weight)
                            for name in ("body", "title", "section")]), desc)

    def field_terms(self, text: str, fld: _Field, label: str, slop: int) -> _Part | None:
        """A word or phrase in one text field, analysed the way that field was indexed."""
        analyzer = STEMMED if fld.kind == "stemmed" else EXACT
        tokens = list(analyzer.tokens(text))
        if not tokens:
            if EXACT.terms(text):
                self.stops.append(f"{fld.name}:{text}")
            return None
        terms = [t.text for t in tokens]
        if len(terms) == 1:
            return _Part(wq.Term(fld.index, terms[0]), f"{label} {_show(text, terms[0])}")
        query = wq.Phrase(fld.index, terms, slop=_max_gap(tokens) + slop)
        return _Part(query, f"{label} {_show(text, terms)}" + (f"~{slop}" if slop else ""))

    def phrase(self, node: _Leaf, positive: bool) -> _Part | None:
        tok, fld = node.tok, node.field
        prefix = "=" if node.literal else ""
        if fld is not None:
            return self.field_terms(tok.text, fld, f"{prefix}{fld.name}:phrase", tok.number)
        terms = list(_exact_terms(tok.text))
        if not terms:
            self.empty_phrases.append(tok.col)
            return None
        slop = f"~{tok.number}" if tok.number else ""
        alternatives = self.alternatives(node, terms, tok.number, positive)
        if len(terms) == 1:
            if positive:
                self.exact.add(terms[0])
            typed = _Part(wq.Term("exact", terms[0]), f"{prefix}phrase {_show(tok.text, terms[0])}")
            return self.expand(typed, alternatives)
        if positive:
            self.phrases.append(PhraseSpec(tuple(terms), tok.number))
        typed = _Part(wq.Phrase("exact", terms, slop=tok.number + 1),
                      f'{prefix}phrase "{tok.text}"{slop}' + ("" if " ".join(terms) == tok.text
                                                              else f" -> {' '.join(terms)}"))
        return self.expand(typed, alternatives)

    # -- aliases and spelling variants ---------------------------------------------------------

    def runs(self, children: tuple) -> tuple:
        """Children of a space group, with runs of plain words that name an alias (longest
        first) or that join into one word replaced by a _Run."""
        if self.aliases is None and self.vocabulary is None:
            return children
        plain = [_plain_terms(child) for child in children]
        out, i = [], 0
        while i < len(children):
            run = self.alias_run(children, plain, i) or self.join_run(children, plain, i)
            if run is None:
                out.append(children[i])
                i += 1
            else:
                out.append(run)
                i += len(run.leaves)
        return tuple(out)

    def alias_run(self, children: tuple, plain: list, i: int) -> _Run | None:
        if self.aliases is None:
            return None
        terms: list[str] = []
        ends = []
        for j in range(i, len(children)):
            if plain[j] is None:
                break
            terms.extend(plain[j])
            if not self.aliases.starts_a_name(terms):
                break
            ends.append((j + 1, tuple(terms)))
        for end, key in reversed(ends[1:]):               # two words or more; one word is a leaf's
            others = self.useful_aliases(key)
            if others:
                return _Run(tuple(children[i:end]), key, others)
        return None

    def join_run(self, children: tuple, plain: list, i: int) -> _Run | None:
        if self.vocabulary is None or i + 1 >= len(children):
            return None
        a, b = plain[i], plain[i + 1]
        if a is None or b is None or len(a) != 1 or len(b) != 1:
            return None
        joined = self.joined(a[0], b[0], hyphen=False)
        return _Run(tuple(children[i:i + 2]), a + b, joined=joined) if joined else None

    def run(self, node: _Run, positive: bool) -> _Part | None:
        """What was typed (its words combined by the operator), or an alias, or the joined word."""
        self.in_run += 1
        try:
            parts = [p for p in (self.compile(leaf, positive) for leaf in node.leaves) if p is not None]
        finally:
            self.in_run -= 1
        typed = None
        if parts:
            kind, combine = ("AND", _and) if self.operator == "and" else ("OR", _or)
            typed = _Part(combine(parts), _describe(kind, [p.desc for p in parts]))
        alternatives = []
        if node.aliases:
            self.expanded.append(" ".join(leaf.tok.text for leaf in node.leaves))
            alternatives += [self.alias_part(alias, len(node.terms), positive) for alias in node.aliases]
            # Its words' own variants come with them; here the joins across words ("jong il").
            alternatives += [self.variant_part(v, 0, positive) for v in self.variants(node.terms, (), split=False)]
        if node.joined:
            stemmed = STEMMED.terms(node.joined) or [node.joined]
            alternatives.append(self.stemmed_word(stemmed[0], positive, f'variant word "{node.joined}"'))
        return self.expand(typed, alternatives)

    def alternatives(self, node: _Leaf, terms: Sequence[str], slop: int, positive: bool) -> list[_Part]:
        """Alias and spelling-variant parts for a word or phrase typed as `terms`."""
        if node.literal:
            return []
        found = []
        if self.aliases is not None and not self.in_run:
            others = self.useful_aliases(tuple(terms))
            if others:
                self.expanded.append(node.tok.text)
                found += [self.alias_part(alias, len(terms), positive) for alias in others]
        if self.vocabulary is not None:
            found += [self.variant_part(v, slop, positive)
                      for v in self.variants(tuple(terms), _hyphens(node.tok.text))]
        return found

    def useful_aliases(self, typed: tuple[str, ...]) -> tuple[Alias, ...]:
        """The other names of typed's alias set, less those that contain typed (they add nothing)."""
        return tuple(a for a in self.aliases.others(typed) if not _contains(a.terms, typed))

    def alias_part(self, alias: Alias, typed_terms: int, positive: bool) -> _Part:
        """One alias name: a phrase, or a stemmed word, weighted below what was typed.

        A phrase scores the sum of its words' scores, so a long name ("Democratic People's
        Republic of Korea" for DPRK) is weighted down by its length over the typed length."""
        weight = self.alias_boost * min(1.0, typed_terms / len(alias.terms))
        if len(alias.terms) > 1:
            if positive:
                self.phrases.append(PhraseSpec(alias.terms))
            return _Part(wq.Phrase("exact", list(alias.terms), boost=weight),
                         f"alias phrase {_show(alias.text, ' '.join(alias.terms))}", alias=True)
        stemmed = STEMMED.terms(alias.text)
        if not stemmed:                                   # a stop word: search it as written
            if positive:
                self.exact.add(alias.terms[0])
            return _Part(wq.Term("exact", alias.terms[0], boost=weight),
                         f"alias word {_show(alias.text, alias.terms[0])} (exact)", alias=True)
        # In the passage text only, like an alias phrase: a title names every passage of its
        # document, and an alias there would lift passages that do not mention the name at all.
        if positive:
            self.stemmed.add(stemmed[0])
        return _Part(wq.Term("body", stemmed[0], boost=weight), f"alias word {_show(alias.text, stemmed[0])}", alias=True)

    def variants(self, terms: tuple[str, ...], hyphens: Sequence[bool], *, split: bool = True
                 ) -> list[tuple[str, ...]]:
        """Other spellings of `terms`: two adjacent words joined, or (with `split`) a rare word
        split in two. hyphens[k]: the user joined terms k and k+1 with a hyphen."""
        if self.vocabulary is None:
            return []
        found = []
        for k in range(len(terms) - 1):
            joined = self.joined(terms[k], terms[k + 1], hyphen=k < len(hyphens) and hyphens[k])
            if joined:
                found.append(terms[:k] + (joined,) + terms[k + 2:])
        for k, term in enumerate(terms if split else ()):
            # Beyond MAX_VARIANTS a split is cut off: it still spends its phrase check from the
            # query's budget, as before, but its phrase is not looked up.
            found += [terms[:k] + pair + terms[k + 1:]
                      for pair in self.splits(term, look=len(found) < MAX_VARIANTS)]
        return found[:MAX_VARIANTS]

    def joined(self, a: str, b: str, *, hyphen: bool) -> str | None:
        """a+b when the index has it and it spells "a b": typed with a hyphen, or rarer than
        either word (a compound is; "jongil" for "jong il"). Never with a stop word: "in to"
        is not "into"."""
        if not (_joinable(a) and _joinable(b)):
            return None
        vocabulary, word = self.vocabulary, a + b
        count = vocabulary.frequency(word)
        if count and (hyphen or count < min(vocabulary.frequency(a), vocabulary.frequency(b))):
            return word
        return None

    def splits(self, word: str, *, look: bool = True) -> list[tuple[str, str]]:
        """(a, b) with word == a + b where "a b" stands in the index and each part is more
        frequent than `word` (which is often not in the index at all): "jongil" -> jong il.
        At most MAX_SPLIT_CHECKS phrase checks per query, in query order; with look=False
        they are counted but not made (their answers could not be used), and nothing found."""
        if self.split_checks >= MAX_SPLIT_CHECKS or not (_ascii_word(word) and len(word) >= 4):
            return []
        found = []
        for pair in _split_pairs(self.vocabulary, word):
            if self.split_checks >= MAX_SPLIT_CHECKS:
                break
            self.split_checks += 1
            if look and self.vocabulary.has_phrase(pair):
                found.append(pair)
        return found

    def variant_part(self, terms: tuple[str, ...], slop: int, positive: bool) -> _Part:
        if len(terms) == 1:
            if positive:
                self.exact.add(terms[0])
            return _Part(wq.Term("exact", terms[0]), f'variant "{terms[0]}"')
        if positive:
            self.phrases.append(PhraseSpec(terms, slop))
        return _Part(wq.Phrase("exact", list(terms), slop=slop + 1),
                     f'variant phrase "{" ".join(terms)}"' + (f"~{slop}" if slop else ""))

    @staticmethod
    def expand(typed: _Part | None, alternatives: list[_Part]) -> _Part | None:
        """What was typed OR its alternatives (each scores where it matches); a passage that
        matches only an alias ranks below every passage that matches what was typed (tiers.py)."""
        if not alternatives:
            return typed
        parts = ([typed] if typed is not None else []) + alternatives
        if len(parts) == 1:
            return parts[0]
        desc = _describe("OR", [p.desc for p in parts])
        names = [p for p in parts if not p.alias]
        aliases = [p for p in parts if p.alias]
        if not names or not aliases:
            return _Part(_or(parts), desc)
        return _Part(TypedFirst(_or(names), _or(aliases)), desc)

    def expanding(self, node: _Leaf, positive: bool) -> _Part:
        """word* and word~N: one EXACT-folded term, expanded in the index by Whoosh."""
        tok, fld = node.tok, node.field
        index = fld.index if fld else "exact"
        label = f"{fld.name}:" if fld else ""
        terms = EXACT.terms(tok.base)
        what = "prefix" if tok.suffix == "*" else "fuzzy term"
        if len(terms) != 1:
            fix = ("put at least one letter before '*'" if tok.suffix == "*" and not terms
                   else f"a {what} is one word; search the words separately or as a \"phrase\"")
            raise _error(f"{tok.text!r} cannot be a {what}", fix, self.text, tok.col)
        term = terms[0]
        if tok.suffix == "*":
            if positive and fld is None:
                self.prefixes.add(term)
            return _Part(wq.Prefix(index, term), f"{label}prefix {_show(tok.text, term + '*')}")
        if not 1 <= tok.number <= MAX_FUZZY_DISTANCE:
            raise _error(f"fuzzy distance {tok.number} in {tok.text!r}",
                         f"write {tok.base}~1 or {tok.base}~2 (at most {MAX_FUZZY_DISTANCE} edits)",
                         self.text, tok.col)
        self.fuzzy_terms.add((index, term, tok.number))
        if len(self.fuzzy_terms) > MAX_FUZZY_TERMS:
            raise _error(f"more than {MAX_FUZZY_TERMS} fuzzy terms", "each one searches the whole vocabulary; "
                         "keep '~' for the words you may have misspelt", self.text, tok.col)
        if positive and fld is None:
            self.fuzzy.append((term, tok.number))
        return _Part(wq.FuzzyTerm(index, term, maxdist=tok.number, prefixlength=1),
                     f"{label}fuzzy {_show(tok.text, f'{term}~{tok.number}')}")


def date_range(first: int | None, last: int | None) -> wq.Query:
    """Passages dated first..last inclusive (YYYYMMDD numbers; None for an open end).

    Not Whoosh's NumericRange: in whoosh-reloaded 2.7.5 its tiered ranges are
    wrong for an open end or a wide span (date:<1995 matched every dated
    passage). A TermRange over the full-precision terms is exact, and an
    archive has few distinct dates.
    """
    return wq.TermRange("date", DATE_MIN if first is None else first, DATE_MAX if last is None else last)


def _date_part(tok: _Tok, text: str) -> _Part:
    """date:VALUE or date:[A TO B] -> the range of YYYYMMDD numbers it covers."""
    value = tok.text
    if tok.kind == "range":
        parts = value.split()
        if len(parts) != 3 or parts[1].upper() != "TO":
            raise _error(f"bad date range [{value}]", _DATE_FORMS, text, tok.col)
        lo = None if parts[0] == "*" else _period(parts[0], tok, text)[0]
        hi = None if parts[2] == "*" else _period(parts[2], tok, text)[1]
        if lo is not None and hi is not None and lo > hi:
            raise _error(f"date range [{value}] ends before it starts", "write the earlier date first",
                         text, tok.col)
        return _Part(date_range(lo, hi), f"date:[{value}] -> {lo or ''}..{hi or ''}")
    op = re.match(r"[<>]=?", value)
    op = op.group() if op else ""
    lo, hi = _period(value[len(op):], tok, text)
    lo, hi = {">=": (lo, None), ">": (hi + 1, None), "<=": (None, hi), "<": (None, lo - 1)}.get(op, (lo, hi))
    return _Part(date_range(lo, hi), f"date:{value} -> {lo or ''}..{hi or ''}")


def _period(value: str, tok: _Tok, text: str) -> tuple[int, int]:
    """'2000' -> (20000000, 20001231): the first and last YYYYMMDD numbers the period covers."""
    m = _DATE.fullmatch(value)
    reason = ""
    if m:
        year, month, day = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
        if m.group(2) and not 1 <= month <= 12:
            reason = f" (no month {month})"
        elif m.group(3) and not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
            reason = f" (no day {day} in {year}-{month:02d})"
        elif year == 0:
            reason = " (no year 0)"
        else:
            base = year * 10000 + month * 100 + day
            if m.group(3):
                return base, base
            if m.group(2):
                return base, base + 31
            return base, base + 1231
    raise _error(f"bad date {value!r}{reason}", _DATE_FORMS, text, tok.col)
