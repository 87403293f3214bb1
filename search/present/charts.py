"""Trends and facet counts -> text for a terminal: bars drawn by rich, labels made safe.

Why rich: its Bar renderable draws bars to an eighth of a character, its Table lays
several queries side by side and fits them to the terminal's width, and its Console
drops colour by itself where it must (not a terminal, NO_COLOR set). Everything that
comes from a document (source names, manifest values) goes through render._clean
first and is printed as rich Text, never parsed as markup.
"""
from __future__ import annotations

import io

from rich.bar import Bar
from rich.console import Console
from rich.table import Table
from rich.text import Text

from search.collect.facets import Facets
from search.collect.trend import Trend
from search.present.render import _BIDI, _clean, _count

_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "red")


def _console(color: bool, width: int) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system="standard" if color else None,
                      force_terminal=color, no_color=not color, highlight=False, emoji=False, markup=False)
    return console, buf


def render_trend(trend: Trend, *, color: bool = False, width: int = 80) -> str:
    """One row per period and, per query, a bar scaled to the largest count of the chart and its count."""
    console, buf = _console(color, width)
    unit = "document" if trend.per_doc else "passage"
    if not trend.periods:
        for s in trend.series:
            console.print(Text(f"{_clean(s.query)}: no dated {unit}s" +
                               (f" ({s.undated:,} undated)" if s.undated else "")))
        return _BIDI.sub("", buf.getvalue())
    peak = max((max(s.counts) for s in trend.series), default=0) or 1
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 1), expand=False)
    table.add_column(trend.by, no_wrap=True)
    bar_width = max(8, (width - 8) // len(trend.series) - 8)
    for i, s in enumerate(trend.series):
        table.add_column(Text(_clean(s.query)), no_wrap=True, overflow="ellipsis", max_width=bar_width)
        table.add_column("", justify="right", no_wrap=True)
    for row, period in enumerate(trend.periods):
        cells: list = [period]
        for i, s in enumerate(trend.series):
            n = s.counts[row]
            cells.append(Bar(peak, 0, n, width=bar_width, color=_COLOURS[i % len(_COLOURS)] if color else None))
            cells.append(f"{n:,}")
        table.add_row(*cells)
    console.print(table)
    notes = [f"{_clean(s.query)}: {_count(s.total, unit)}" + (f", {s.undated:,} undated" if s.undated else "")
             for s in trend.series]
    console.print(Text("; ".join(notes), style="dim" if color else ""))
    return _BIDI.sub("", buf.getvalue())


def render_facets(facets: Facets, *, values: int = 8) -> str:
    """A compact table: one line per field, its most frequent values with passages/documents."""
    lines = [f"facets (passages/documents; {_count(facets.passages, 'passage')} in "
             f"{_count(facets.documents, 'document')}):"]
    width = max((len(name) for name in facets.fields), default=0)
    for name, found in facets.fields.items():
        shown = found if name in ("year", "month") and len(found) <= 40 else found[:values]
        cells = [f"{_clean(v.value) if v.value is not None else '(none)'} {v.passages:,}/{v.documents:,}"
                 for v in shown]
        more = f" … {len(found) - len(shown)} more" if len(found) > len(shown) else ""
        lines.append(f"  {name:<{width}}  " + ("  ·  ".join(cells) or "-") + more)
    return _BIDI.sub("", "\n".join(lines) + "\n")
