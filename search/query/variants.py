"""Aliases and spelling variants: what a word or phrase may also match.

A mixin of the Compiler (compiler.py), which holds the state these methods use
(the alias table, the vocabulary, the notes and the MatchSpec being collected).
"""
from __future__ import annotations

from typing import Sequence

from whoosh import query as wq

from indexer.store.analysis import STEMMED
from search.query.aliases import Alias
from search.query.limits import MAX_SPLIT_CHECKS, MAX_VARIANTS
from search.query.match import PhraseSpec
from search.query.parser import Leaf, Run, ascii_word, contains, hyphen_flags, joinable, plain_terms, split_pairs
from search.query.parts import Part, all_of, any_of, describe, show
from search.rank.tiers import TypedFirst


class Variants:
    """The Compiler's methods for aliases and spelling variants (see parse.py's readings)."""

    def runs(self, children: tuple) -> tuple:
        """Children of a space group, with runs of plain words that name an alias (longest
        first) or that join into one word replaced by a Run."""
        if self.aliases is None and self.vocabulary is None:
            return children
        plain = [plain_terms(child) for child in children]
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

    def alias_run(self, children: tuple, plain: list, i: int) -> Run | None:
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
                return Run(tuple(children[i:end]), key, others)
        return None

    def join_run(self, children: tuple, plain: list, i: int) -> Run | None:
        if self.vocabulary is None or i + 1 >= len(children):
            return None
        a, b = plain[i], plain[i + 1]
        if a is None or b is None or len(a) != 1 or len(b) != 1:
            return None
        joined = self.joined(a[0], b[0], hyphen=False)
        return Run(tuple(children[i:i + 2]), a + b, joined=joined) if joined else None

    def run(self, node: Run, positive: bool) -> Part | None:
        """What was typed (its words combined by the operator), or an alias, or the joined word."""
        self.in_run += 1
        try:
            parts = [p for p in (self.compile(leaf, positive) for leaf in node.leaves) if p is not None]
        finally:
            self.in_run -= 1
        typed = None
        if parts:
            kind, combine = ("AND", all_of) if self.operator == "and" else ("OR", any_of)
            typed = Part(combine(parts), describe(kind, [p.desc for p in parts]))
        alternatives = []
        if node.aliases:
            self.expanded.append(" ".join(leaf.tok.text for leaf in node.leaves))
            alternatives += [self.alias_part(alias, len(node.terms), positive) for alias in node.aliases]
            # Its words' own variants come with them; here the joins across words ("jong il").
            alternatives += [self.variant_part(v, 0, positive) for v in self.variants(node.terms, (), split=False)]
        if node.joined:
            stemmed = STEMMED.terms(node.joined, lines=False) or [node.joined]
            alternatives.append(self.stemmed_word(stemmed[0], positive, f'variant word "{node.joined}"'))
        return self.expand(typed, alternatives)

    def alternatives(self, node: Leaf, terms: Sequence[str], slop: int, positive: bool) -> list[Part]:
        """Alias and spelling-variant parts for a word or phrase typed as `terms`."""
        if node.literal:
            return []
        found = []
        if self.aliases is not None and not self.in_run:
            others = self.useful_aliases(tuple(terms))
            if not others and self.lowered_text:      # "US" read as "us" in a query in capitals
                others = self.useful_aliases(self.case_readings(terms)[-1])
            if others:
                self.expanded.append(node.tok.text)
                found += [self.alias_part(alias, len(terms), positive) for alias in others]
        if self.vocabulary is not None:
            found += [self.variant_part(v, slop, positive)
                      for v in self.variants(tuple(terms), hyphen_flags(node.tok.text))]
        return found

    def useful_aliases(self, typed: tuple[str, ...]) -> tuple[Alias, ...]:
        """The other names of typed's alias set, less those that contain typed (they add nothing)."""
        return tuple(a for a in self.aliases.others(typed) if not contains(a.terms, typed))

    def alias_part(self, alias: Alias, typed_terms: int, positive: bool) -> Part:
        """One alias name: a phrase, or a stemmed word, weighted below what was typed.

        A phrase scores the sum of its words' scores, so a long name ("Democratic People's
        Republic of Korea" for DPRK) is weighted down by its length over the typed length."""
        weight = self.alias_boost * min(1.0, typed_terms / len(alias.terms))
        if len(alias.terms) > 1:
            if positive:
                self.phrases.append(PhraseSpec(alias.terms))
            return Part(wq.Phrase("exact", list(alias.terms), boost=weight),
                        f"alias phrase {show(alias.text, ' '.join(alias.terms))}", alias=True)
        stemmed = STEMMED.terms(alias.text, lines=False)
        if not stemmed:                                   # a stop word: search it as written
            if positive:
                self.exact.add(alias.terms[0])
            return Part(wq.Term("exact", alias.terms[0], boost=weight),
                        f"alias word {show(alias.text, alias.terms[0])} (exact)", alias=True)
        # In the passage text only, like an alias phrase: a title names every passage of its
        # document, and an alias there would lift passages that do not mention the name at all.
        if positive:
            self.stemmed.add(stemmed[0])
        return Part(wq.Term("body", stemmed[0], boost=weight), f"alias word {show(alias.text, stemmed[0])}", alias=True)

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
        if not (joinable(a) and joinable(b)):
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
        if self.split_checks >= MAX_SPLIT_CHECKS or not (ascii_word(word) and len(word) >= 4):
            return []
        found = []
        for pair in split_pairs(self.vocabulary, word):
            if self.split_checks >= MAX_SPLIT_CHECKS:
                break
            self.split_checks += 1
            if look and self.vocabulary.has_phrase(pair):
                found.append(pair)
        return found

    def variant_part(self, terms: tuple[str, ...], slop: int, positive: bool) -> Part:
        if len(terms) == 1:
            if positive:
                self.exact.add(terms[0])
            return Part(wq.Term("exact", terms[0]), f'variant "{terms[0]}"')
        if positive:
            self.phrases.append(PhraseSpec(terms, slop))
        return Part(wq.Phrase("exact", list(terms), slop=slop + 1),
                    f'variant phrase "{" ".join(terms)}"' + (f"~{slop}" if slop else ""))

    @staticmethod
    def expand(typed: Part | None, alternatives: list[Part]) -> Part | None:
        """What was typed OR its alternatives (each scores where it matches); a passage that
        matches only an alias ranks below every passage that matches what was typed (tiers.py)."""
        if not alternatives:
            return typed
        parts = ([typed] if typed is not None else []) + alternatives
        if len(parts) == 1:
            return parts[0]
        desc = describe("OR", [p.desc for p in parts])
        names = [p for p in parts if not p.alias]
        aliases = [p for p in parts if p.alias]
        if not names or not aliases:
            return Part(any_of(parts), desc)
        return Part(TypedFirst(any_of(names), any_of(aliases)), desc)
