"""Distinct values, keys and rows: one home for the grouping that features, decisions and the trees share.

:func:`distinct_values` is ``np.unique`` without the ``numpy.ma`` import it brings (12 ms of every start);
:func:`distinct_index` numbers hashable keys in order of first occurrence.

Distinct rows of a matrix: a window often holds the same line in the same context many times over.

Scoring is row by row (stage 1 sums a line's weight rows, stage 2 walks the trees on a line's context),
so rows equal to the bit score the same: each distinct row is scored once and the scores are spread
back. Rows are grouped by a hash and the groups checked for equality, so the answer is exact.

>>> first, index = distinct_rows(np.array([[1, 2], [3, 4], [1, 2], [1, 2]]))
>>> first.tolist(), index.tolist()
([0, 1], [0, 1, 0, 0])
>>> distinct_rows(np.array([[1, 2], [3, 4]])) is None  # nothing repeats: score the rows as they are
True
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

MIN_REPEATED_SHARE = 0.2  # below this share of repeated rows, spreading back costs more than it saves
_MIX = np.array([(k * 0x9E3779B97F4A7C15 | 1) % 2**64 for k in range(1, 65)], np.uint64).view(np.int64)  # odd


def distinct_values(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` of finite values, without its ``numpy.ma`` import).

    >>> distinct_values(np.array([3, 1, 3, 2])).tolist(), distinct_values(np.array([])).tolist()
    ([1, 2, 3], [])
    """
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def distinct_index(keys: Sequence[Hashable]) -> tuple[list[int], np.ndarray]:
    """Where each distinct key first occurs, and each key's number among the distinct ones (numbered in order
    of first occurrence).

    >>> distinct_index(["a", "b", "a"])[0], distinct_index(["a", "b", "a"])[1].tolist()
    ([0, 1], [0, 1, 0])
    """
    numbers: dict[Hashable, int] = {}
    first: list[int] = []
    index = np.empty(len(keys), np.int64)
    for i, key in enumerate(keys):
        k = numbers.get(key)
        if k is None:
            k = numbers[key] = len(first)
            first.append(i)
        index[i] = k
    return first, index


def distinct_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For a 2-D array of 4- or 8-byte numbers: the index of the first row of each distinct row (in order of
    first occurrence) and each row's number among them; ``None`` when fewer than ``MIN_REPEATED_SHARE``
    of the rows repeat one before them (or a hash collision makes the grouping unsure)."""
    n = matrix.shape[0]
    if n < 2 or matrix.ndim != 2 or matrix.itemsize not in (4, 8):
        return None
    words = np.ascontiguousarray(matrix).view(np.int32 if matrix.itemsize == 4 else np.int64).astype(np.int64)
    width = words.shape[1]
    mix = np.resize(_MIX, width)
    with np.errstate(over="ignore"):
        keys = (words * mix).sum(axis=1)  # wraps around: a hash of the row
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
    groups = int(starts.sum())
    if groups > n * (1 - MIN_REPEATED_SHARE):
        return None
    group_of_sorted = np.cumsum(starts) - 1
    first_sorted = order[np.flatnonzero(starts)]  # stable sort: the first occurrence of each key
    group = np.empty(n, np.int64)
    group[order] = group_of_sorted
    if not np.array_equal(matrix, matrix[first_sorted[group]]):  # a collision: two different rows, one key
        return None
    by_occurrence = np.argsort(first_sorted, kind="stable")  # number the groups by first occurrence
    rank = np.empty(groups, np.int64)
    rank[by_occurrence] = np.arange(groups)
    return first_sorted[by_occurrence], rank[group]
