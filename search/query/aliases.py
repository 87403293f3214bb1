"""Alias sets: names that mean the same thing, so a query for one also finds the others.

In: alias files, one set of equivalent names per line, separated by `|`; `#` starts a
comment; blank lines are skipped::

    DPRK | North Korea | Democratic People's Republic of Korea

Out: an `AliasTable` that answers "which other names share a set with these words?".
Names are compared as indexer.store.analysis.EXACT terms, so case, diacritics, dots and
hyphens fold the way they do in the index ("U.S." is "US", "Non-Proliferation" is
"non proliferation"), while a short all-capital acronym keeps its case ("US" is not
"us"). Sets that share a name are one set. The table shipped with the project is
`aliases.txt` beside this module; `load_aliases(path)` adds a user's file to it, or
replaces it with `builtin=False`.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

from indexer.store.analysis import EXACT
from indexer.errors import InputError

__all__ = ["Alias", "AliasTable", "load_aliases", "BUILTIN_ALIASES"]

BUILTIN_ALIASES = "aliases.txt"     # package data of `search.query`


@dataclass(frozen=True)
class Alias:
    """One name of a set: as written in the file, and as the index's EXACT terms."""

    text: str
    terms: tuple[str, ...]


class AliasTable:
    """Sets of equivalent names, looked up by the EXACT terms of what the user typed."""

    def __init__(self, sets: Iterable[Sequence[str]] = ()):
        self._sets: list[dict[tuple[str, ...], Alias]] = []   # each set: terms -> Alias
        self._where: dict[tuple[str, ...], int] = {}          # terms -> index into _sets
        self._starts: set[tuple[str, ...]] = set()            # every leading part of every name
        for names in sets:
            self.add(names)

    def add(self, names: Sequence[str], *, source: str = "alias set") -> None:
        """Add one set; a name already in a set joins the two sets into one."""
        found: dict[tuple[str, ...], Alias] = {}
        for name in names:
            name = " ".join(name.split())
            terms = tuple(EXACT.terms(name, lines=False))
            if not terms:
                raise ValueError(f"{source}: the name {name!r} has no searchable words")
            found.setdefault(terms, Alias(name, terms))
        if len(found) < 2:
            raise ValueError(f"{source}: a set needs at least two names that differ as search words, "
                             f"separated by '|' (got {' | '.join(names)!r})")
        targets = sorted({self._where[t] for t in found if t in self._where})
        if targets:
            index = targets[0]
            merged = self._sets[index]
            for other in targets[1:]:
                for terms, alias in self._sets[other].items():
                    merged.setdefault(terms, alias)
                self._sets[other] = {}
        else:
            index, merged = len(self._sets), {}
            self._sets.append(merged)
        for terms, alias in found.items():
            merged.setdefault(terms, alias)
        for terms in merged:
            self._where[terms] = index
            self._starts.update(terms[:n] for n in range(1, len(terms) + 1))

    def starts_a_name(self, terms: Sequence[str]) -> bool:
        """Whether some name begins with these EXACT terms (so a longer match may follow)."""
        return tuple(terms) in self._starts

    def others(self, terms: Sequence[str]) -> tuple[Alias, ...]:
        """The other names of the set whose name has exactly these EXACT terms; () if none."""
        index = self._where.get(tuple(terms))
        if index is None:
            return ()
        key = tuple(terms)
        return tuple(alias for t, alias in self._sets[index].items() if t != key)

    def sets(self) -> list[tuple[str, ...]]:
        """Each set's names as written, in file order."""
        return [tuple(a.text for a in s.values()) for s in self._sets if s]

    def __len__(self) -> int:
        return sum(1 for s in self._sets if s)

    def __bool__(self) -> bool:
        return bool(self._where)

    def read(self, text: str, source: str = "aliases") -> "AliasTable":
        """Add the sets of an alias file's text; errors name the line."""
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if line:
                self.add([n for n in line.split("|") if n.strip()], source=f"{source}, line {number}")
        return self

    @classmethod
    def builtin(cls) -> "AliasTable":
        """The curated table that ships with docsearch (search/query/aliases.txt)."""
        text = resources.files(__package__).joinpath(BUILTIN_ALIASES).read_text(encoding="utf-8")
        return cls().read(text, BUILTIN_ALIASES)


def load_aliases(path: str | Path | None = None, *, builtin: bool = True) -> AliasTable:
    """The built-in table (unless builtin=False) plus the sets of the alias file at `path`."""
    table = AliasTable.builtin() if builtin else AliasTable()
    if path is None:
        return table
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise InputError(f"No alias file {path}; give a text file with one set per line, "
                         "e.g. 'DPRK | North Korea'") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"Cannot read the alias file {path} ({e}); it must be UTF-8 text") from e
    try:
        return table.read(text, str(path))
    except ValueError as e:
        raise InputError(f"Bad alias file: {e}") from e
