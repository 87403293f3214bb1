"""numpy helpers the inversion (indexer/store/inversion.py) and the evaluator (search/rank/evaluate.py) share."""
from __future__ import annotations

import numpy as np


def ranges(starts: np.ndarray, lengths: np.ndarray, dtype=np.int64) -> np.ndarray:
    """starts[0] .. starts[0] + lengths[0] - 1, starts[1] .., concatenated: the indices of
    several runs of an array in one gather."""
    ends = np.cumsum(lengths, dtype=np.int64)
    total = int(ends[-1]) if len(ends) else 0
    out = np.arange(total, dtype=dtype)
    out += np.repeat((starts.astype(np.int64) - (ends - lengths)).astype(dtype), lengths)
    return out


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique for ascending input, without its sort."""
    if len(values) < 2:
        return values
    first = np.empty(len(values), bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]
