"""Year counts -> the geometry of an SVG bar chart, each bar a link that filters to its year.

Drawn on the server as plain SVG in the page: it needs no script, scales with the
page, and every label is escaped by the template like any other value.
"""
from __future__ import annotations

from dataclasses import dataclass

from search.collect.trend import _axis

WIDTH, HEIGHT, LABEL = 300, 96, 14          # SVG units; the page scales it to its column
PAD = 14                                    # room for half a year label at either end


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
    step = (WIDTH - 2 * PAD) / max(len(years), 12)    # a lone year is a bar, not a wall
    left = (WIDTH - step * len(years)) / 2
    gap = min(2.0, step * 0.2) if len(years) > 40 else step * 0.25
    out: list[Bar] = []
    every = max(1, -(-len(years) // 6))             # at most about six year labels
    last_label = (len(years) - 1) // every * every
    if len(years) - 1 - last_label >= every / 2:
        last_label = len(years) - 1                # the last year gets the label if it has room
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        h = 0 if n == 0 else max(2.0, (HEIGHT - LABEL - 4) * n / peak)
        out.append(Bar(year, n, round(left + i * step + gap / 2, 2), round(HEIGHT - LABEL - h, 2),
                       round(step - gap, 2), round(h, 2),
                       (i % every == 0 and i <= last_label) or i == last_label))
    return out
