"""Counts per year (or per month of one year) -> the geometry of an SVG bar chart whose bars are links.

Drawn on the server as plain SVG in the page: it needs no script, scales with the
page, and every label is escaped by the template like any other value. A bar filters
the results to its period (from=to=period); with one year chosen, a second chart
shows that year's months, so a click on a year drills down to its months.
"""
from __future__ import annotations

from dataclasses import dataclass

from search.collect.trend import _axis

WIDTH, HEIGHT, LABEL = 300, 96, 14          # SVG units; the page scales it to its column
PAD = 14                                    # room for half a label at either end
LABEL_ROOM = 28                             # a label's width (four characters at 10 units) and a gap
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Bar:
    period: str                 # "2000" or "2000-10": what the bar filters to
    count: int
    x: float
    y: float
    width: float
    height: float
    label: str | None           # written under the bar, or None

    @property
    def year(self) -> str:      # kept for templates written against years
        return self.period


def bars(counts: dict[str | None, int]) -> list[Bar]:
    """A bar per year from the first to the last year with matches (zero-filled)."""
    years = _axis({k for k in counts if k is not None}, "year")
    return _layout(years, counts, years)


def month_bars(year: str, counts: dict[str | None, int]) -> list[Bar]:
    """Twelve bars, January to December of `year` (counts keyed 'YYYY-MM')."""
    periods = tuple(f"{year}-{m:02d}" for m in range(1, 13))
    return _layout(periods, counts, MONTHS) if any(counts.get(p) for p in periods) else []


def _layout(periods, counts, labels) -> list[Bar]:
    if not periods:
        return []
    peak = max(counts.get(p, 0) for p in periods) or 1
    step = (WIDTH - 2 * PAD) / max(len(periods), 12)  # a lone period is a bar, not a wall
    left = (WIDTH - step * len(periods)) / 2
    gap = min(2.0, step * 0.2) if len(periods) > 40 else step * 0.25
    every = max(1, -(-len(periods) // 6))           # at most about six labels
    last_label = (len(periods) - 1) // every * every
    if (len(periods) - 1 - last_label) * step >= LABEL_ROOM:
        last_label = len(periods) - 1               # the last one gets a label if it has room
    out: list[Bar] = []
    for i, period in enumerate(periods):
        n = counts.get(period, 0)
        h = 0 if n == 0 else max(2.0, (HEIGHT - LABEL - 4) * n / peak)
        shown = (i % every == 0 and i <= last_label) or i == last_label
        out.append(Bar(period, n, round(left + i * step + gap / 2, 2), round(HEIGHT - LABEL - h, 2),
                       round(step - gap, 2), round(h, 2), labels[i] if shown else None))
    return out


def chosen_year(date_from: str, date_to: str) -> str | None:
    """The year both date filters fall in ('2000' and '2000', or '2000-10' and '2000-10'), else None."""
    a, b = (date_from or "")[:4], (date_to or "")[:4]
    return a if a and a == b and a.isdigit() and len(a) == 4 else None
