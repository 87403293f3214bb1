"""Matching passages -> exact counts per value of year, month, source, author, language, type...

A facet count answers "how many, when, from whom" for a query: the passages and the
documents that match, per value of a field. Counting re-runs nothing: the search
already holds every matching docnum (evaluate.Scores.ids, ascending), so a count is
one numpy gather and one bincount over a per-generation table that gives each docnum
the code of its value (FacetTable). The table is built once per committed generation
and only when facets are first asked for, so a plain search never pays for it.

Where each field's values come from, cheapest exact source first:
- year, month: the sortable `date` column (YYYYMMDD, 00 for unknown parts);
- untokenized indexed fields (language, and any ID field such as a future `type`):
  their terms' postings, so a value that differs between the passages of one
  document (a passage's own language) is counted per passage;
- everything else that is stored (source, author, manifest columns `m_*`): the
  stored value of each document's first passage, since the indexer repeats
  document metadata on every passage (indexer/store/writer.py passage_fields).
A passage without a value counts under None ("unknown" on screen).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from whoosh.fields import ID, NUMERIC

from indexer.errors import QueryError
from indexer.store import schema as S

DATE_FACETS = ("year", "month")
DEFAULT_FIELDS = ("year", "source", "author", "language", "type")
_UNKNOWN = 0                    # code 0 of every field: no value


@dataclass(frozen=True)
class FacetValue:
    value: str | None           # None: passages without this field
    passages: int               # matching passages with this value
    documents: int              # matching documents with at least one such passage

    def to_dict(self) -> dict:
        return {"value": self.value, "passages": self.passages, "documents": self.documents}


@dataclass(frozen=True)
class Facets:
    """Counts for one query: totals, and per field its values (by date for year and month,
    else by passages, most first; ties by value)."""

    query: str | None
    passages: int
    documents: int
    fields: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    first_date: str | None = None   # earliest and latest date of a matching passage (YYYY[-MM[-DD]])
    last_date: str | None = None

    def __getitem__(self, name: str) -> tuple[FacetValue, ...]:
        return self.fields[name]

    def counts(self, name: str, *, per_doc: bool = False) -> dict[str | None, int]:
        """value -> passages (or documents) for one field, in the field's order."""
        return {v.value: (v.documents if per_doc else v.passages) for v in self.fields[name]}

    def to_dict(self) -> dict:
        return {"query": self.query, "passages": self.passages, "documents": self.documents,
                "first_date": self.first_date, "last_date": self.last_date,
                "fields": {name: [v.to_dict() for v in values] for name, values in self.fields.items()}}


class _Column:
    """One field's table: docnum -> code (int32; 0 = no value), code -> value."""

    __slots__ = ("codes", "values", "per_document", "_rank")

    def __init__(self, codes: np.ndarray, values: list[str | None], per_document: bool):
        self.codes, self.values, self.per_document = codes, values, per_document
        self._rank = None

    @property
    def rank(self) -> np.ndarray:
        """code -> the value's place in sorted order, no value last: ties broken in numpy, so a
        column of thousands of values (speakers, titles) costs no Python sort per query."""
        if self._rank is None:
            order = sorted(range(1, len(self.values)), key=lambda c: self.values[c])
            rank = np.empty(len(self.values), np.int64)
            rank[order] = np.arange(len(order))
            rank[0] = len(self.values)
            self._rank = rank
        return self._rank


class FacetTable:
    """The facet columns of one committed generation, built on first use of each field.

    `evaluator` (search/rank/evaluate.py) supplies the segments, the document groups
    (docnum -> document number) and the deleted-passage mask of the same generation.
    """

    def __init__(self, evaluator):
        self.ev = evaluator
        self.searcher = evaluator.searcher
        self.doccount = evaluator.doccount
        self._columns: dict[str, _Column] = {}
        self._firsts_fields: dict[int, dict] | None = None
        self._date_values: np.ndarray | None = None

    # -- which fields ------------------------------------------------------------------------
    def available(self) -> tuple[str, ...]:
        """Facet names this index can count: the date facets, the stored metadata fields it has
        (source, author, language, type...) and its manifest columns."""
        schema = self.searcher.schema
        names = list(DATE_FACETS)
        skip = {"id", "doc_id", "path", "ordinal", "title", "section", "body", "exact", "date", "date_text",
                "url", "start", "end", "docinfo",
                "page", "page_end", "page_label", "page_end_label"}     # where a passage stands, not a facet
        for name in schema.names():
            if name in skip or name.startswith(S.META_PREFIX) or "*" in name:
                continue
            if schema[name].stored:
                names.append(name)
        reader = self.searcher.reader()
        names += sorted(n[len(S.META_PREFIX):] for n in reader.indexed_field_names()
                        if n.startswith(S.META_PREFIX))
        return tuple(dict.fromkeys(names))

    def resolve(self, name: str) -> str:
        """A facet name as the user writes it -> the index field (or date facet) it counts."""
        name = {"lang": "language"}.get(name, name)
        if name in DATE_FACETS:
            return name
        if name.startswith(S.META_PREFIX) and name in self.searcher.reader().indexed_field_names():
            return name             # m_year: a manifest column that a date facet's name hides
        meta = S.META_PREFIX + name
        if meta in self.searcher.reader().indexed_field_names():
            return meta
        known = self.available()
        if name in known and name in self.searcher.schema.names():
            return name
        raise QueryError(f"unknown facet field {name!r}; count by one of: {', '.join(known)}")

    def defaults(self) -> tuple[str, ...]:
        """DEFAULT_FIELDS that this index has (`type` only once the indexer writes it)."""
        known = self.available()
        return tuple(f for f in DEFAULT_FIELDS if f in known)

    # -- building ------------------------------------------------------------------------------
    def column(self, field_name: str) -> _Column:
        found = self._columns.get(field_name)
        if found is None:
            if field_name in DATE_FACETS:
                found = self._date_column(field_name)
            else:
                fieldobj = self.searcher.schema[field_name]
                if isinstance(fieldobj, ID) and fieldobj.indexed and not field_name.startswith(S.META_PREFIX):
                    found = self._term_column(field_name)
                else:
                    found = self._stored_column(field_name)
            self._columns[field_name] = found
        return found

    def _dates(self) -> np.ndarray:
        """docnum -> the date column: YYYYMMDD, or the column's default where a passage has no date."""
        parts = []
        for seg in self.ev.segments:
            values = np.zeros(seg.doccount, np.int64)
            if "date" in self.searcher.schema and isinstance(self.searcher.schema["date"], NUMERIC):
                col = seg.reader.column_reader("date")
                raw = np.fromiter(iter(col), np.int64, count=-1) if col is not None else np.zeros(0, np.int64)
                values[:len(raw)] = raw[:seg.doccount]
            parts.append(values)
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def dates(self) -> np.ndarray:
        """docnum -> YYYYMMDD, 00 for unknown parts, 0 for no date."""
        if self._date_values is None:
            dates = self._dates()
            # A passage without a date holds the column's default (0, or 2**32 - 1 for the unsigned column).
            self._date_values = np.where(dates < 100000000, dates, 0)
        return self._date_values

    def date_span(self, ids: np.ndarray) -> tuple[str | None, str | None]:
        """The earliest and latest date among the passages `ids` (one per document is enough: a
        date is a document's), as ISO text of the precision known."""
        dates = self.dates()[ids] if len(ids) else np.zeros(0, np.int64)
        dates = dates[dates > 0]
        if not len(dates):
            return None, None
        return _iso(int(dates.min())), _iso(int(dates.max()))

    def _date_column(self, name: str) -> _Column:
        dates = self.dates()
        year = dates // 10000
        if name == "year":
            keys = np.where(year > 0, year, 0)
            label = lambda k: f"{k:04d}"                                        # noqa: E731
        else:
            month = (dates // 100) % 100
            keys = np.where((year > 0) & (month > 0), year * 100 + month, 0)
            label = lambda k: f"{k // 100:04d}-{k % 100:02d}"                   # noqa: E731
        distinct = np.unique(keys[keys > 0])
        codes = np.zeros(len(keys), np.int32)
        if len(distinct):
            codes = np.where(keys > 0, np.searchsorted(distinct, keys) + 1, 0).astype(np.int32)
        return _Column(codes, [None] + [label(int(k)) for k in distinct], per_document=True)

    def _term_column(self, field_name: str) -> _Column:
        """An untokenized field: each term is a whole value; its postings say which passages hold it."""
        codes = np.zeros(self.doccount, np.int32)
        values: list[str | None] = [None]
        reader = self.searcher.reader()
        for text in reader.field_terms(field_name):
            if text == "":
                continue
            postings = self.ev._term_postings(field_name, text)
            if postings is None:
                continue
            values.append(text)
            codes[postings.all()[0]] = len(values) - 1
        # Where every passage of a document has its document's value (the usual case), counting
        # documents needs no (document, value) pairs: the cheap per-document path applies.
        groups = self.ev.groups()
        firsts = np.flatnonzero(np.diff(groups, prepend=-1)) if len(groups) else groups
        uniform = bool(np.array_equal(codes, codes[firsts][groups])) if len(groups) else True
        return _Column(codes, values, per_document=uniform)

    def _first_fields(self) -> dict[int, dict]:
        """Stored fields of each document's first passage (docnum -> fields), read once for every
        stored-value facet."""
        if self._firsts_fields is None:
            groups = self.ev.groups()
            firsts = np.flatnonzero(np.diff(groups, prepend=-1)) if len(groups) else np.zeros(0, np.int64)
            stored = self.searcher.stored_fields
            self._firsts_fields = {int(d): stored(int(d)) for d in firsts}
        return self._firsts_fields

    def _stored_column(self, field_name: str) -> _Column:
        """A document-level stored value, read from each document's first passage and given to all its passages."""
        firsts = self._first_fields()
        values: list[str | None] = [None]
        index: dict[str, int] = {}
        group_codes = np.zeros(len(firsts), np.int32)
        for i, fields in enumerate(firsts.values()):
            value = fields.get(field_name)
            if value in (None, ""):
                continue
            value = str(value)
            code = index.get(value)
            if code is None:
                values.append(value)
                code = index[value] = len(values) - 1
            group_codes[i] = code
        codes = group_codes[self.ev.groups()] if len(group_codes) else np.zeros(self.doccount, np.int32)
        return _Column(codes.astype(np.int32), values, per_document=True)

    # -- counting ----------------------------------------------------------------------------
    def count(self, ids: np.ndarray, fields: tuple[str, ...], query: str | None = None,
              limit: int | None = None) -> Facets:
        """Facets of the live passages `ids` (ascending top-level docnums): every value with at
        least one match, exact; `limit` keeps the first values of each non-date field."""
        groups = self.ev.groups()[ids] if len(ids) else np.zeros(0, np.int64)
        # ids ascend and a document's passages are consecutive docnums: groups ascend too, so
        # the matching documents and how many passages each has come from one pass; a value
        # that is the same on all of a document's passages is then counted per document
        # (thousands) rather than per passage (up to the whole index).
        first_of_doc = np.flatnonzero(np.diff(groups, prepend=-1)) if len(groups) else groups
        per_doc = np.diff(first_of_doc, append=len(ids))
        doc_ids = ids[first_of_doc]
        out: dict[str, tuple[FacetValue, ...]] = {}
        for name in fields:
            col = self.column(self.resolve(name))
            size = len(col.values)
            if col.per_document:
                codes = col.codes[doc_ids]
                documents = np.bincount(codes, minlength=size)
                passages = np.bincount(codes, weights=per_doc, minlength=size).astype(np.int64)
            else:
                codes = col.codes[ids]
                passages = np.bincount(codes, minlength=size)
                pairs = np.unique(groups * size + codes) if len(codes) else codes
                documents = np.bincount(pairs % size, minlength=size)
            present = np.flatnonzero(passages)
            rank = col.rank[present]
            if name in DATE_FACETS:                 # by date, no date last
                order = present[np.argsort(rank, kind="stable")]
            else:                                   # most passages first, then by value, none last
                order = present[np.lexsort((rank, -passages[present]))]
                if limit is not None:
                    order = order[:limit]
            out[name] = tuple(FacetValue(col.values[c], int(passages[c]), int(documents[c])) for c in order.tolist())
        return Facets(query, int(len(ids)), int(len(first_of_doc)), out, *self.date_span(doc_ids))


def _iso(number: int) -> str:
    """20001009 -> '2000-10-09', 20001000 -> '2000-10', 20000000 -> '2000'."""
    year, month, day = number // 10000, number // 100 % 100, number % 100
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if month and day else "")
