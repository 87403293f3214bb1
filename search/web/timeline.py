"""Year counts -> the geometry of an SVG bar chart, each bar a link that filters to its year.

Drawn on the server as plain SVG in the page: it needs no script, scales with the
page, and every label is escaped by the template like any other value.
"""
from __future__ import annotations

from dataclasses import dataclass

from search.collect.trend import _axis

WIDTH, HEIGHT, LABEL = 600, 90, 16


@dataclass(frozen=True)
class Bar:
    year: str
    count: int
    x: float
    y: float
    width: float
    height: float
    label: bool                 # whether the year is written under the bar


def bars(counts: dict[str | None, int]) -> list[Bar]:
    """A bar per year from the first to the last year with matches (zero-filled)."""
    years = _axis({k for k in counts if k is not None}, "year")
    if not years:
        return []
    peak = max(counts.get(y, 0) for y in years) or 1
    step = WIDTH / max(len(years), 12)                # a lone year is a bar, not a wall
    left = (WIDTH - step * len(years)) / 2
    gap = min(2.0, step * 0.2) if len(years) > 40 else step * 0.25
    every = max(1, round(len(years) / 8))
    out = []
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        h = 0 if n == 0 else max(2.0, (HEIGHT - LABEL - 4) * n / peak)
        out.append(Bar(year, n, round(left + i * step + gap / 2, 2), round(HEIGHT - LABEL - h, 2),
                       round(step - gap, 2), round(h, 2), i % every == 0 or i == len(years) - 1))
    return out
