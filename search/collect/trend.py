"""Queries -> matches per year or month, side by side: what `docsearch trend` draws and writes.

A trend is the year (or month) facet of each query (facets.py), laid on one
zero-filled axis from the earliest to the latest period any query reaches, so
that a gap in the archive shows as a zero and not as a missing bar. Matches in
undated documents cannot stand on the axis; they are counted apart (`undated`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Mapping, Sequence

BY = ("year", "month")


@dataclass(frozen=True)
class Series:
    query: str
    counts: tuple[int, ...]     # one per period of the Trend
    undated: int                # matches in documents without a date (or without a month, by month)
    total: int                  # all matches, dated or not

    def to_dict(self) -> dict:
        return {"query": self.query, "counts": list(self.counts), "undated": self.undated, "total": self.total}


@dataclass(frozen=True)
class Trend:
    by: str                     # "year" or "month"
    per_doc: bool               # counts of documents rather than passages
    periods: tuple[str, ...]    # "1999", "2000", ... or "2000-01", "2000-02", ...
    series: tuple[Series, ...]

    def to_dict(self) -> dict:
        return {"by": self.by, "unit": "documents" if self.per_doc else "passages",
                "periods": list(self.periods), "series": [s.to_dict() for s in self.series]}

    def to_csv(self) -> str:
        """One row per period, one column per query; undated matches on a last row `undated`."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow([self.by] + [s.query for s in self.series])
        for i, period in enumerate(self.periods):
            w.writerow([period] + [s.counts[i] for s in self.series])
        if any(s.undated for s in self.series):
            w.writerow(["undated"] + [s.undated for s in self.series])
        return out.getvalue()


def _axis(labels: set[str], by: str) -> tuple[str, ...]:
    """Every year (or month) from the first label to the last."""
    if not labels:
        return ()
    if by == "year":
        years = sorted(int(x) for x in labels)
        return tuple(f"{y:04d}" for y in range(years[0], years[-1] + 1))
    months = sorted(int(x[:4]) * 12 + int(x[5:7]) - 1 for x in labels)
    return tuple(f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(months[0], months[-1] + 1))


def trend(searcher, queries: Sequence[str], by: str = "year", per_doc: bool = False, operator: str = "and",
          date_from: str | None = None, date_to: str | None = None,
          filters: Mapping[str, str] | None = None) -> Trend:
    """Matches of each query per `by` period (documents with per_doc), on one zero-filled axis."""
    if by not in BY:
        raise ValueError(f"by must be 'year' or 'month', not {by!r}")
    if not queries:
        raise ValueError("trend needs at least one query")
    counted = []
    for query in queries:
        f = searcher.facets(query, (by,), operator=operator, date_from=date_from, date_to=date_to, filters=filters)
        counted.append((query, f.counts(by, per_doc=per_doc), f.documents if per_doc else f.passages))
    periods = _axis({v for _, counts, _ in counted for v in counts if v is not None}, by)
    series = tuple(Series(q, tuple(counts.get(p, 0) for p in periods), counts.get(None, 0), total)
                   for q, counts, total in counted)
    return Trend(by, per_doc, periods, series)
