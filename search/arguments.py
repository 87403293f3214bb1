"""Checks of the library's arguments, each error naming the argument: query text, counts, dates.

Errors are DocsearchError subclasses that are also TypeError or ValueError (ArgumentTypeError,
ArgumentError), so `except ValueError` and `except DocsearchError` both catch them; a bad date
is a QueryError, as `date:` in the query language makes it.
"""
from __future__ import annotations

import re

from indexer.errors import ArgumentError, ArgumentTypeError, QueryError


def _date_bound(value: str | None, *, upper: bool) -> int | None:
    """'2000' / '2000-10' / '2000-10-09' -> the first or last YYYYMMDD number it covers."""
    if value is None or value == "":
        return None
    import datetime

    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", str(value).strip())
    try:            # a real calendar day, as date: in the query language checks it (2000-02-30 is not)
        if not m:
            raise ValueError
        datetime.date(int(m.group(1)) or 1, int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        raise QueryError(f"bad date {value!r}: write YYYY, YYYY-MM or YYYY-MM-DD (a real day)") from None
    year, month, day = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if upper:
        return year * 10000 + (month or 12) * 100 + (day or 31)
    return year * 10000 + month * 100 + day


def _check_text(name: str, value) -> None:
    if not isinstance(value, str):
        hint = "; decode bytes first" if isinstance(value, (bytes, bytearray)) else ""
        raise ArgumentTypeError(f"{name} must be a str, not {type(value).__name__}{hint}")


def _check_count(name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ArgumentError(f"{name} must be at least 1, not {value}")
