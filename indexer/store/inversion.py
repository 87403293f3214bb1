"""Token streams in, each term's postings out: the in-memory inversion of a segment's text fields.

A segment builder keeps every passage's raw terms (analysis._terms: before stop words
and stems) as one array of term ids, 4 bytes a token, and each field as a list of
(document, run of tokens) entries; the body and exact fields of a passage share one
run, and a title repeated on every passage of a document is stored once. Nothing is
done per posting in Python. At flush a field is inverted with numpy: raw terms become
the field's terms (stems, stop words dropped, as analysis.Analyzer.tokens makes them),
a stable sort by term groups the tokens, postings start where (term, document) changes,
and positions are the tokens' places in their run. The result is each term's postings
laid out by indexer/store/codec.py, with the statistics Whoosh's TermInfo keeps.
"""
from __future__ import annotations

from array import array

import numpy as np

from indexer.store import analysis
from indexer.store.arrays import distinct_sorted, ranges
from indexer.store.postings import COUNTS, HEADER, MAGIC, NO_VALUES, SKIP_FROM, SKIP_SHIFT

TOKEN_BYTES = 4.5           # a token in the shared array (arrays over-allocate by about an eighth)
ENTRY_BYTES = 14            # a (document, run) entry of a field
TERM_BYTES = 120            # a new raw term: its str and the dict and list slots
FLUSH_BYTES = 4             # a token of the field being inverted: its term (the rest is a bucket's)
BUCKET_BYTES = 64           # numpy's working arrays per token while a bucket of terms is inverted
_SHORT = 256                # texts up to this long are remembered: titles repeat on every passage


class Tokens:
    """A segment's raw terms: the shared token array and the vocabulary of raw term ids."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.tokens = array("I")
        self._last: tuple[str | None, int, int] = (None, 0, 0)
        self._short: dict[str, tuple[int, int]] = {}
        self._derived: dict[int, list] = {}          # id(analyzer) -> its term (or None) per raw id

    def add(self, text: str) -> tuple[int, int, int]:
        """(start, length) of `text`'s run of raw term ids, and the bytes it added."""
        last, start, length = self._last
        if text is last:
            return start, length, 0
        if len(text) <= _SHORT:
            found = self._short.get(text)
            if found is not None:
                self._last = (text, *found)
                return found[0], found[1], 0
        terms = analysis._terms(text)
        ids = list(map(self.ids.get, terms))
        new = 0
        if None in ids:
            known = self.ids
            for i, tid in enumerate(ids):
                if tid is None:
                    term = terms[i]
                    tid = known.get(term)
                    if tid is None:
                        tid = known[term] = len(self.terms)
                        self.terms.append(term)
                        new += 1
                    ids[i] = tid
        start, length = len(self.tokens), len(ids)
        self.tokens.extend(ids)
        self._last = (text, start, length)
        if len(text) <= _SHORT and len(self._short) < 4096:
            self._short[text] = (start, length)
        return start, length, int(length * TOKEN_BYTES + new * TERM_BYTES)

    def field_terms(self, analyzer: analysis.Analyzer) -> list:
        """`analyzer`'s term for each raw term id (None for a stop word), as Analyzer.tokens gives it."""
        derived = self._derived.setdefault(id(analyzer), [])
        if len(derived) < len(self.terms):
            stop, stem, stops = analyzer.stop, analyzer.stem, analyzer.stop_words
            derived.extend(None if stop and term in stops else analyzer._stem(term) if stem else term
                           for term in self.terms[len(derived):])
        return derived


class TextField:
    """One text field's entries: which document, which run of the shared tokens."""

    __slots__ = ("name", "analyzer", "docs", "starts", "lengths")

    def __init__(self, name: str, analyzer: analysis.Analyzer):
        self.name = name
        self.analyzer = analyzer
        self.docs = array("I")
        self.starts = array("I")
        self.lengths = array("I")

    def add(self, docnum: int, start: int, length: int) -> int:
        self.docs.append(docnum)
        self.starts.append(start)
        self.lengths.append(length)
        return ENTRY_BYTES


def _widths(maxima: np.ndarray, smallest: int = 1) -> np.ndarray:
    """The bytes an unsigned value up to each maximum needs: 1, 2 or 4 (at least `smallest`)."""
    out = np.where(maxima < 1 << 8, 1, np.where(maxima < 1 << 16, 2, 4))
    return np.maximum(out, smallest)


def _as(values: np.ndarray, widths: np.ndarray) -> dict[int, bytes]:
    """The values as little-endian bytes of each width some term uses."""
    return {w: values.astype(f"<u{w}").tobytes() for w in np.unique(widths).tolist()}


class Inverted:
    """One text field of a segment, inverted: each document's field length (how many of its
    tokens the field keeps), and `rows()`, the terms in order with their encoded postings and
    the statistics Whoosh's TermInfo keeps, made a bucket of terms at a time so the working
    memory stays near `bucket` tokens' worth (FLUSH_BYTES each)."""

    def __init__(self, field: TextField, tokens: Tokens, bucket: int = 1 << 20):
        self.docs = np.frombuffer(field.docs, np.uint32)
        runs = np.frombuffer(field.lengths, np.uint32).astype(np.int64)
        self.ends = np.cumsum(runs)
        self.starts = self.ends - runs
        self.bucket = bucket
        shared = np.frombuffer(tokens.tokens, np.uint32)
        run_starts = np.frombuffer(field.starts, np.uint32)
        # The field's runs, read a bucket of runs at a time: working memory stays a bucket's.
        pieces = np.searchsorted(self.ends, np.arange(0, int(self.ends[-1]) if len(runs) else 0, bucket))
        pieces = [*distinct_sorted(pieces).tolist(), len(runs)]
        spans = [(a, b) for a, b in zip(pieces, pieces[1:]) if a < b]

        def raw(a: int, b: int) -> np.ndarray:
            return shared[ranges(run_starts[a:b], runs[a:b], np.int32)]

        present = np.zeros(len(tokens.terms), bool)
        for a, b in spans:
            present[raw(a, b)] = True
        # Raw terms -> the field's terms, numbered in sorted order; -1 for stop words.
        names = tokens.field_terms(field.analyzer)
        kept = [(names[i], i) for i in np.flatnonzero(present).tolist() if names[i] is not None]
        self.terms = sorted({name for name, _ in kept})
        rank = {name: r for r, name in enumerate(self.terms)}
        table = np.full(len(tokens.terms), -1, np.int32)
        if kept:
            table[[i for _, i in kept]] = [rank[name] for name, _ in kept]
        self.term = np.empty(int(self.ends[-1]) if len(runs) else 0, np.int32)    # per token, in order
        self.doc_lengths = np.zeros(len(runs), np.int64)
        for a, b in spans:
            lo, hi = int(self.starts[a]), int(self.ends[b - 1])
            piece = self.term[lo:hi]
            np.take(table, raw(a, b), out=piece)
            counted = np.zeros(hi - lo + 1, np.int64)
            np.cumsum(piece >= 0, out=counted[1:])
            self.doc_lengths[a:b] = counted[self.ends[a:b] - lo] - counted[self.starts[a:b] - lo]

    def lengths(self) -> dict[int, int]:
        """docnum -> field length, for the documents whose length is not 0."""
        return {d: n for d, n in zip(self.docs.tolist(), self.doc_lengths.tolist()) if n}

    def rows(self):
        """(term, postings bytes, df, total count, max count, min length, max length, first docnum,
        last docnum) per term, in term order."""
        term = self.term
        per_term = np.bincount(term[term >= 0], minlength=len(self.terms))
        total = int(per_term.sum())
        if not total:
            return
        bounds = np.searchsorted(np.cumsum(per_term), np.arange(self.bucket, total, self.bucket))
        edges = [0, *sorted(set(bounds.tolist()) - {0}), len(self.terms)]
        for lo, hi in zip(edges, edges[1:]):
            if lo < hi:
                at = np.flatnonzero((term >= lo) & (term < hi) if lo or hi < len(self.terms) else term >= 0)
                entry = (np.searchsorted(self.ends, at, side="right")).astype(np.int32)
                yield from self._rows(term[at], (at - self.starts[entry]).astype(np.int32), entry)

    def _rows(self, term, pos, entry):
        order = np.argsort(term, kind="stable")             # by term; documents and positions stay in order
        term, pos, entry = term[order], pos[order], entry[order]
        del order
        n = len(term)
        boundary = np.empty(n, bool)
        boundary[0] = True
        np.not_equal(entry[1:], entry[:-1], out=boundary[1:])
        boundary[1:] |= term[1:] != term[:-1]
        p_at = np.flatnonzero(boundary)                     # postings: first token of each
        del boundary
        p_term = term[p_at]
        p_doc = self.docs[entry[p_at]].astype(np.int64)
        p_count = np.diff(np.append(p_at, n))
        p_length = self.doc_lengths[entry[p_at]]
        del term, entry
        t_at = np.flatnonzero(np.diff(p_term, prepend=-1))  # terms: first posting of each
        t_end = np.append(t_at[1:], len(p_at))
        gaps = np.diff(p_doc, prepend=0)
        gaps[t_at] = p_doc[t_at]
        id_w = _widths(np.maximum.reduceat(gaps, t_at))
        count_w = _widths(np.maximum.reduceat(p_count, t_at))
        tok_at = p_at[t_at]
        tok_end = np.append(tok_at[1:], n)
        pos_w = _widths(np.maximum.reduceat(pos, tok_at), smallest=2)
        gap_bytes, count_bytes, pos_bytes = _as(gaps, id_w), _as(p_count, count_w), _as(pos, pos_w)
        del gaps, pos
        # Skips (codec layout): for each block of a long list, its first docnum and the positions before it.
        df = t_end - t_at
        blocks = np.where(df >= SKIP_FROM, -(-df >> SKIP_SHIFT), 0)
        block_at = np.concatenate(([0], np.cumsum(blocks)))
        within = np.arange(len(p_doc)) - np.repeat(t_at, df)
        heads = ((within & ((1 << SKIP_SHIFT) - 1)) == 0) & np.repeat(df >= SKIP_FROM, df)
        before = np.cumsum(p_count) - p_count
        before -= np.repeat(before[t_at], df)
        skip_docs = p_doc[heads].astype("<u4").tobytes()
        skip_before = before[heads].astype("<u4").tobytes()
        del within, heads, before
        pack = HEADER.pack
        terms = self.terms
        for r, a, b, ta, tb, iw, cw, pw, ka, kb, total, top, shortest, longest, first, last in zip(
                p_term[t_at].tolist(), t_at.tolist(), t_end.tolist(), tok_at.tolist(), tok_end.tolist(),
                id_w.tolist(), count_w.tolist(), pos_w.tolist(), block_at[:-1].tolist(), block_at[1:].tolist(),
                np.add.reduceat(p_count, t_at).tolist(), np.maximum.reduceat(p_count, t_at).tolist(),
                np.minimum.reduceat(p_length, t_at).tolist(), np.maximum.reduceat(p_length, t_at).tolist(),
                p_doc[t_at].tolist(), p_doc[t_end - 1].tolist()):
            g = gap_bytes[iw][a * iw:b * iw]
            c = count_bytes[cw][a * cw:b * cw]
            p = pos_bytes[pw][ta * pw:tb * pw]
            chunk = b"".join((pack(MAGIC, b - a, tb - ta, COUNTS, cw, pw, NO_VALUES, iw, SKIP_SHIFT if kb > ka else 0),
                              g, bytes(-len(g) % 4), c, bytes(-len(c) % 4),
                              skip_docs[4 * ka:4 * kb], skip_before[4 * ka:4 * kb], p, bytes(-len(p) % 4)))
            yield terms[r], chunk, b - a, float(total), float(top), shortest, longest, first, last
