"""A list of queries -> one row per query: total, documents, first and last date, top hits.

For the question "do any of these 300 names appear, how often and when" (Datashare's
batch search). Each query runs as `search()` with its facets, so a row's numbers are
the ones `docsearch search` would show. A query that cannot run (an unbalanced
parenthesis, an unknown field) becomes a row with its error; the batch goes on.

Input: one query per line, or CSV with a header naming `id` and `query` columns
(read_queries). Output: CSV (rows_to_csv) or JSON (BatchRow.to_dict).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from indexer.errors import DocsearchError, InputError

MAX_QUERIES = 100_000


@dataclass(frozen=True)
class BatchRow:
    id: str
    query: str
    total: int = 0              # matching passages
    documents: int = 0          # matching documents
    first_date: str | None = None
    last_date: str | None = None
    hits: tuple = ()            # the top Hits
    error: str | None = None    # why the query could not run; the counts are then 0

    def to_dict(self) -> dict:
        return {"id": self.id, "query": self.query, "total": self.total, "documents": self.documents,
                "first_date": self.first_date, "last_date": self.last_date, "error": self.error,
                "hits": [h.to_dict() for h in self.hits]}


def read_queries(path: str | Path) -> list[tuple[str, str]]:
    """(id, query) pairs from a file: CSV with `id` and `query` columns when its first line
    names them (or the file ends in .csv), else one query per line (id: the line number).
    Blank lines are skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from e
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    header = [c.strip().lower() for c in next(csv.reader([first]))] if first else []
    pairs: list[tuple[str, str]] = []
    if "query" in header and ("id" in header or path.suffix.lower() == ".csv"):
        reader = csv.reader(io.StringIO(text))
        columns = [c.strip().lower() for c in next(reader)]
        qcol, icol = columns.index("query"), columns.index("id") if "id" in columns else None
        for n, row in enumerate(reader, start=1):
            if not any(cell.strip() for cell in row):
                continue
            query = row[qcol] if qcol < len(row) else ""
            ident = row[icol] if icol is not None and icol < len(row) else str(n)
            pairs.append((ident.strip(), query))
    elif path.suffix.lower() == ".csv":
        raise InputError(f"{path}: a CSV batch needs a header line with a 'query' column (and 'id')")
    else:
        pairs = [(str(n), line) for n, line in enumerate(lines, start=1) if line.strip()]
    if len(pairs) > MAX_QUERIES:
        raise InputError(f"{path}: {len(pairs):,} queries; at most {MAX_QUERIES:,} in one batch")
    return pairs


def run_batch(searcher, queries: Iterable[tuple[str, str]], top: int = 3, operator: str = "and",
              date_from: str | None = None, date_to: str | None = None, filters: Mapping[str, str] | None = None,
              progress: Callable[[int, BatchRow], None] | None = None) -> Iterator[BatchRow]:
    """One BatchRow per (id, query), in order; progress(done, row) after each."""
    for done, (ident, query) in enumerate(queries, start=1):
        try:
            if not query.strip():
                raise DocsearchError("empty query")
            results = searcher.search(query, limit=max(top, 1), operator=operator, date_from=date_from,
                                      date_to=date_to, filters=filters, facets=("year",))
            f = results.facets
            row = BatchRow(ident, query, results.total, f.documents, f.first_date, f.last_date,
                           tuple(results.hits[:top]))
        except DocsearchError as e:
            row = BatchRow(ident, query, error=(str(e).splitlines() or ["error"])[0])
        if progress is not None:
            progress(done, row)
        yield row


CSV_COLUMNS = ("id", "query", "total", "documents", "first_date", "last_date", "top_ids", "top_titles", "error")


def rows_to_csv(rows: Iterable[BatchRow], out) -> None:
    """Write rows as CSV to the text stream `out`; top hits as ' | '-joined ids and titles."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow([r.id, r.query, r.total, r.documents, r.first_date or "", r.last_date or "",
                    " | ".join(h.id for h in r.hits), " | ".join((h.title or h.path) for h in r.hits),
                    r.error or ""])
