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
- Case (case.py, compiler.case_readings): a short acronym-list word ("war", "US")
  also searches the term a line written in capitals holds it under ("War", "Us"),
  so `war` finds "THE WAR" and `US` finds "US TROOPS"; a query written in
  capitals reads such words in lower case, and as acronyms too, unless the index
  uses the word as an acronym (`US` stays the United States).
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

from dataclasses import dataclass
from typing import Collection, Mapping

from whoosh import query as wq

from indexer.errors import QueryError
from search.query.aliases import AliasTable
from search.query.case import read_capitals
from search.query.compiler import ALIAS_BOOST, DATE_MAX, DATE_MIN, DEFAULT_BOOSTS, Compiler, date_range
from search.query.lexer import Lexer, clean_text, clip, field_table
from search.query.limits import (EXPANSION_LIMIT, MAX_CLAUSES, MAX_DEPTH, MAX_FUZZY_DISTANCE, MAX_FUZZY_TERMS,
                                 MAX_QUERY_CHARS, MAX_SLOP, MAX_TERMS, check_expansion, refuse_too_deep)
from search.query.match import MatchSpec
from search.query.parser import Parser, all_stop_words, balance, plain_tree
from search.query.parts import KEYWORD_QUERY_WORDS
from search.query.vocabulary import IndexVocabulary, Vocabulary

# The query language's one door: the searcher and the tests import these from here.
__all__ = ["ParsedQuery", "parse_query", "check_expansion", "refuse_too_deep", "date_range", "QueryError",
           "MAX_QUERY_CHARS", "MAX_CLAUSES", "MAX_DEPTH", "MAX_FUZZY_DISTANCE", "MAX_SLOP",
           "EXPANSION_LIMIT", "MAX_TERMS", "MAX_FUZZY_TERMS", "DEFAULT_BOOSTS", "ALIAS_BOOST", "DATE_MIN",
           "DATE_MAX", "KEYWORD_QUERY_WORDS", "Vocabulary", "IndexVocabulary", "word_spans"]


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
    text = clean_text(text)
    if not text.strip():
        raise QueryError("empty query: type one or more words to search for")

    tree, notes = plain_tree(text), []
    if tree is None:
        tokens, notes = Lexer(text, field_table(extra_fields)).run()
        if tokens and all(t.kind in ("op", "(", ")") for t in tokens):
            raise QueryError(f"empty query: {clip(text)!r} has only operators and parentheses; "
                             "type words to search for (lower-case and, or, not are words)")
        tokens = balance(tokens, text, notes)
        tree = Parser(tokens, text).parse()
    lowered = read_capitals(tree, text, vocabulary)
    if lowered:
        notes.append("the query is written in capitals, so its case was read as saying nothing: short words "
                     "that are acronyms only in mixed-case text were searched in lower case and as acronyms")
    compiler = Compiler(text, mode, weights, all_stop_words(tree), aliases or None, vocabulary, alias_boost,
                        lowered)
    part = compiler.compile(tree, positive=True)
    notes.extend(compiler.notes())
    if part is None:
        reason = f" ({'; '.join(notes)})" if notes else ""
        raise QueryError(f"empty query: nothing searchable in {clip(text)!r}{reason}; "
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
    text = clean_text(text)
    tokens, _ = Lexer(text, field_table(extra_fields)).run()
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
