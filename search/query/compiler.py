"""Tree -> Whoosh query + MatchSpec: fields, weights, phrases, prefixes, fuzzy terms and
dates. Aliases and spelling variants are variants.py's, mixed into the Compiler."""
from __future__ import annotations

import calendar
import re

from whoosh import query as wq

from indexer.errors import QueryError
from indexer.store.analysis import EXACT, STEMMED, either_reading
from search.query.aliases import AliasTable
from search.query.lexer import Field, Tok, located_error
from search.query.limits import MAX_CLAUSES, MAX_FUZZY_DISTANCE, MAX_FUZZY_TERMS
from search.query.match import MatchSpec, PhraseSpec
from search.query.parser import Group, Leaf, Not, Required, Run, exact_terms, stemmed_terms
from search.query.parts import Key, Part, any_of, combine_parts, describe, max_gap, show, weighted
from search.query.variants import Variants
from search.query.vocabulary import Vocabulary
from search.rank.whoosh_fixes import AndNot


DATE_MIN, DATE_MAX = 0, 2**32 - 1   # the date field's range (unsigned 32-bit YYYYMMDD)
DEFAULT_BOOSTS = {"body": 1.0, "title": 2.0, "section": 1.5}
ALIAS_BOOST = 0.5            # weight of an alias's match relative to what was typed
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DATE_FORMS = ("write date:YYYY, date:YYYY-MM, date:YYYY-MM-DD, date:>=YYYY (also >, <, <=) "
               "or date:[YYYY TO YYYY-MM] (either end may be *)")


class Compiler(Variants):
    """Turns the tree into a Whoosh query, collecting the MatchSpec and words of positive leaves."""

    def __init__(self, text: str, operator: str, boosts: dict[str, float], stop_words_only: bool,
                 aliases: AliasTable | None = None, vocabulary: Vocabulary | None = None,
                 alias_boost: float = ALIAS_BOOST, lowered: dict[int, str] | None = None):
        self.text = text
        self.lowered = lowered or {}        # id() of the Toks a query in capitals read in lower case -> as typed
        self.operator, self.boosts, self.stop_words_only = operator, boosts, stop_words_only
        self.aliases, self.vocabulary, self.alias_boost = aliases, vocabulary, alias_boost
        self.expanded: list[str] = []       # typed names whose aliases were added
        self.in_run = 0                     # compiling a Run's own words: no aliases of their own
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
        """What to highlight. An either-reading term ("War") brings its acronym form ("WAR"): a
        snippet's text has its lines joined, so matching.py marks it where the words around it
        are in capitals (MatchSpec.in_capitals)."""
        derived = {t.upper() for t in self.exact if either_reading(t) == t} - self.exact - self.stemmed
        return MatchSpec(frozenset(self.stemmed), frozenset(self.exact | derived), tuple(dict.fromkeys(self.phrases)),
                         frozenset(self.prefixes), tuple(dict.fromkeys(self.fuzzy)), frozenset(derived))

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

    def compile(self, node, positive: bool) -> Part | None:
        if isinstance(node, Not):
            part = self.compile(node.child, not positive)
            if part is None:
                return None
            if part.excluded is not None:                 # NOT (everything except x) = x
                return part.excluded
            return Part(AndNot(wq.Every(), part.query), f"NOT {part.desc}", excluded=part)
        if isinstance(node, Required):
            return self.compile(node.child, positive)
        if isinstance(node, Group):
            return self.group(node, positive)
        if isinstance(node, Run):
            return self.run(node, positive)
        part = self.leaf(node, positive)
        if part is not None:
            self.clauses += 1
            if self.clauses > MAX_CLAUSES:
                raise QueryError(f"query too long: more than {MAX_CLAUSES} words, phrases and fields; "
                                 "shorten it to the words that matter")
        return part

    def group(self, node: Group, positive: bool) -> Part | None:
        children = self.runs(node.children) if node.kind == "space" else node.children
        parts = [(child, self.compile(child, positive)) for child in children]
        parts = [(child, p) for child, p in parts if p is not None]
        if node.kind == "or":
            if not parts:
                return None
            items = self.distinct([p for _, p in parts])
            return items[0] if len(items) == 1 else Part(any_of(items), describe("OR", [p.desc for p in items]))
        required, optional, excluded = [], [], []
        for child, p in parts:
            if p.excluded is not None:
                excluded.append(p.excluded)
            elif node.kind == "and" or self.operator == "and" or isinstance(child, Required):
                required.append(p)
            else:
                optional.append(p)
        return combine_parts(self.distinct(required), self.distinct(optional, required),
                             self.distinct(excluded, scored=False))

    def distinct(self, parts: list[Part], taken: list[Part] = (), scored: bool = True) -> list[Part]:
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
        seen = {Key(p.query) for p in taken}
        out: list[tuple[Part, Key]] = []
        counts: dict[Key, int] = {}
        for p in parts:
            key = Key(p.query)
            if key in seen:
                self.repeated.append(p.desc)
                if key in counts:
                    counts[key] += 1
            else:
                seen.add(key)
                counts[key] = 1
                out.append((p, key))
        if scored:
            return [weighted(p, counts[key]) for p, key in out]
        return [p for p, _ in out]

    def leaf(self, node: Leaf, positive: bool) -> Part | None:
        tok, fld = node.tok, node.field
        self._current = tok
        if fld is not None and fld.kind == "date":
            return _date_part(tok, self.text)
        if fld is not None and fld.kind in ("id", "lower"):
            return self.id_part(tok, fld)
        if tok.kind == "phrase":
            return self.phrase(node, positive)
        if tok.suffix:
            return self.expanding(node, positive)
        return self.word(node, positive)

    def id_part(self, tok: Tok, fld: Field) -> Part:
        """lang:, path:, doc: match the stored value as typed (lang: lower-cased); `path:dir/*` is a prefix."""
        value = tok.text if tok.kind == "phrase" or tok.suffix != "*" else tok.base
        if fld.kind == "lower":
            value = value.lower()
        if tok.kind == "word" and tok.suffix == "*":
            return Part(wq.Prefix(fld.index, value), f'{fld.name}:prefix "{value}*"')
        return Part(wq.Term(fld.index, value), f'{fld.name}:"{value}"')

    def word(self, node: Leaf, positive: bool) -> Part | None:
        tok, fld = node.tok, node.field
        exact = list(exact_terms(tok.text))
        if not exact:
            return None                                   # punctuation: a separator, not a word
        label = ("=" if node.literal else "") + (f"{fld.name}:word" if fld else "word")
        if fld is not None:
            return self.field_terms(tok.text, fld, label, 0)
        if len(exact) > 1:                                # Kumchang-ri, 북한이해: an exact phrase
            readings = self.case_readings(exact)
            if positive:
                self.phrases.extend(PhraseSpec(r) for r in readings)
            typed = Part(_either([wq.Phrase("exact", list(r)) for r in readings]),
                         f"{label} {show(tok.text, 'phrase ' + ' '.join(exact))}")
            return self.expand(typed, self.alternatives(node, exact, 0, positive))
        stemmed = stemmed_terms(tok.text)
        if not stemmed:
            # A stop word among other words is ignored; alone (`the`) or excluded (`-the`) it is
            # searched as written, so `-the` removes what `the` finds.
            if not self.stop_words_only and positive:
                self.stops.append(tok.text)
                return None
            readings = [r[0] for r in self.case_readings(exact)]
            if positive:
                self.exact.update(readings)
            return Part(_either([wq.Term("exact", r) for r in readings]),
                        f"{label} {show(tok.text, exact[0])} (exact)")
        term = stemmed[0]
        if positive:
            self.words.append(term)
            self.raw_words.append(tok.text)
        also = tuple(r[0] for r in self.case_readings(exact)[1:])
        cased = f" (also {', '.join(also)})" if also else ""
        typed = self.stemmed_word(term, positive, f"{label} {show(self.lowered.get(id(tok), tok.text), term)}{cased}",
                                  also=also)
        return self.expand(typed, self.alternatives(node, exact, 0, positive))

    def case_readings(self, terms: list[str] | tuple[str, ...]) -> list[tuple[str, ...]]:
        """`terms` and the other ways the index may hold them, by case (analysis.py).

        An acronym-list word ("war", "US") is also its either-reading term ("War", "Us"),
        which a line written in capitals holds; a word that a query in capitals had in
        capitals and that was read in lower case ("WAR" -> "war") is also its acronym.
        """
        readings = [tuple(terms)]
        either = tuple(either_reading(t) or t for t in terms)
        if either != readings[0]:
            readings.append(either)
        if self.lowered:
            upper = tuple(t.upper() if either_reading(t) and t.islower() else t for t in terms)
            if upper not in readings and self.lowered_text:
                readings.append(upper)
        return readings

    @property
    def lowered_text(self) -> bool:
        """Whether the word or phrase being compiled was read in lower case from capitals."""
        return self._current is not None and id(self._current) in self.lowered

    _current = None

    def stemmed_word(self, term: str, positive: bool, desc: str, weight: float = 1.0, also: tuple = ()) -> Part:
        """A STEMMED term in body, title and section (boosted); `also`: other terms it may be
        indexed as (its either-reading or acronym term, see case_readings), unstemmed."""
        if positive:
            self.stemmed.add(term)
            self.exact.update(also)
        return Part(wq.Or([wq.Term(name, t, boost=self.boosts[name] * weight)
                           for name in ("body", "title", "section") for t in (term, *also)]), desc)

    def field_terms(self, text: str, fld: Field, label: str, slop: int) -> Part | None:
        """A word or phrase in one text field, analysed the way that field was indexed."""
        analyzer = STEMMED if fld.kind == "stemmed" else EXACT
        tokens = list(analyzer.tokens(text, lines=False))
        if not tokens:
            if EXACT.terms(text, lines=False):
                self.stops.append(f"{fld.name}:{text}")
            return None
        terms = [t.text for t in tokens]
        readings = self.case_readings(terms)
        if len(terms) == 1:
            return Part(_either([wq.Term(fld.index, r[0]) for r in readings]),
                        f"{label} {show(text, terms[0])}")
        query = _either([wq.Phrase(fld.index, list(r), slop=max_gap(tokens) + slop) for r in readings])
        return Part(query, f"{label} {show(text, terms)}" + (f"~{slop}" if slop else ""))

    def phrase(self, node: Leaf, positive: bool) -> Part | None:
        tok, fld = node.tok, node.field
        prefix = "=" if node.literal else ""
        if fld is not None:
            return self.field_terms(tok.text, fld, f"{prefix}{fld.name}:phrase", tok.number)
        terms = list(exact_terms(tok.text))
        if not terms:
            self.empty_phrases.append(tok.col)
            return None
        slop = f"~{tok.number}" if tok.number else ""
        alternatives = self.alternatives(node, terms, tok.number, positive)
        readings = self.case_readings(terms)
        if len(terms) == 1:
            if positive:
                self.exact.update(r[0] for r in readings)
            typed = Part(_either([wq.Term("exact", r[0]) for r in readings]),
                         f"{prefix}phrase {show(tok.text, terms[0])}")
            return self.expand(typed, alternatives)
        if positive:
            self.phrases.extend(PhraseSpec(r, tok.number) for r in readings)
        typed = Part(_either([wq.Phrase("exact", list(r), slop=tok.number + 1) for r in readings]),
                     f'{prefix}phrase "{tok.text}"{slop}' + ("" if " ".join(terms) == tok.text
                                                             else f" -> {' '.join(terms)}"))
        return self.expand(typed, alternatives)

    def expanding(self, node: Leaf, positive: bool) -> Part:
        """word* and word~N: one EXACT-folded term, expanded in the index by Whoosh."""
        tok, fld = node.tok, node.field
        index = fld.index if fld else "exact"
        label = f"{fld.name}:" if fld else ""
        terms = EXACT.terms(tok.base, lines=False)
        what = "prefix" if tok.suffix == "*" else "fuzzy term"
        if len(terms) != 1:
            fix = ("put at least one letter before '*'" if tok.suffix == "*" and not terms
                   else f"a {what} is one word; search the words separately or as a \"phrase\"")
            raise located_error(f"{tok.text!r} cannot be a {what}", fix, self.text, tok.col)
        term = terms[0]
        if tok.suffix == "*":
            if positive and fld is None:
                self.prefixes.add(term)
            return Part(wq.Prefix(index, term), f"{label}prefix {show(tok.text, term + '*')}")
        if not 1 <= tok.number <= MAX_FUZZY_DISTANCE:
            raise located_error(f"fuzzy distance {tok.number} in {tok.text!r}",
                                f"write {tok.base}~1 or {tok.base}~2 (at most {MAX_FUZZY_DISTANCE} edits)",
                                self.text, tok.col)
        self.fuzzy_terms.add((index, term, tok.number))
        if len(self.fuzzy_terms) > MAX_FUZZY_TERMS:
            raise located_error(f"more than {MAX_FUZZY_TERMS} fuzzy terms", "each one searches the whole vocabulary; "
                                "keep '~' for the words you may have misspelt", self.text, tok.col)
        if positive and fld is None:
            self.fuzzy.append((term, tok.number))
        return Part(wq.FuzzyTerm(index, term, maxdist=tok.number, prefixlength=1),
                    f"{label}fuzzy {show(tok.text, f'{term}~{tok.number}')}")


def _either(queries: list[wq.Query]) -> wq.Query:
    """The one query, or an Or of the readings of a word or phrase (case_readings)."""
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def date_range(first: int | None, last: int | None) -> wq.Query:
    """Passages dated first..last inclusive (YYYYMMDD numbers; None for an open end).

    Not Whoosh's NumericRange: in whoosh-reloaded 2.7.5 its tiered ranges are
    wrong for an open end or a wide span (date:<1995 matched every dated
    passage). A TermRange over the full-precision terms is exact, and an
    archive has few distinct dates.
    """
    return wq.TermRange("date", DATE_MIN if first is None else first, DATE_MAX if last is None else last)


def _date_part(tok: Tok, text: str) -> Part:
    """date:VALUE or date:[A TO B] -> the range of YYYYMMDD numbers it covers."""
    value = tok.text
    if tok.kind == "range":
        parts = value.split()
        if len(parts) != 3 or parts[1].upper() != "TO":
            raise located_error(f"bad date range [{value}]", _DATE_FORMS, text, tok.col)
        lo = None if parts[0] == "*" else _period(parts[0], tok, text)[0]
        hi = None if parts[2] == "*" else _period(parts[2], tok, text)[1]
        if lo is not None and hi is not None and lo > hi:
            raise located_error(f"date range [{value}] ends before it starts", "write the earlier date first",
                                text, tok.col)
        return Part(date_range(lo, hi), f"date:[{value}] -> {lo or ''}..{hi or ''}")
    op = re.match(r"[<>]=?", value)
    op = op.group() if op else ""
    lo, hi = _period(value[len(op):], tok, text)
    lo, hi = {">=": (lo, None), ">": (hi + 1, None), "<=": (None, hi), "<": (None, lo - 1)}.get(op, (lo, hi))
    return Part(date_range(lo, hi), f"date:{value} -> {lo or ''}..{hi or ''}")


def _period(value: str, tok: Tok, text: str) -> tuple[int, int]:
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
    raise located_error(f"bad date {value!r}{reason}", _DATE_FORMS, text, tok.col)
