"""Documents laid one after another: where each line sits, for features computed over a batch at once.

``--jsonl`` and ``batch`` score many small documents together, and their context features are computed
in one pass of array operations over all of their lines (``cleaner.features``, ``cleaner.context``):
each line's place in its document and its document's size make every feature the document's own.
A single document (the plain-text path) keeps plain integers, so that it pays no more than before.

>>> spans = Spans(np.array([2, 3]))
>>> spans.i.tolist(), spans.n.tolist(), spans.first.tolist()
([0, 1, 0, 1, 2], [2, 2, 3, 3, 3], [0, 0, 2, 2, 2])
>>> Spans(np.array([4])).n
4
"""

from __future__ import annotations

import numpy as np


class Spans:
    """Documents of ``sizes`` lines each (none empty), one after another; a single one keeps plain integers."""

    def __init__(self, sizes: np.ndarray) -> None:
        self.sizes = sizes
        self.single = len(sizes) == 1
        self.begins = np.cumsum(sizes) - sizes  # where each document begins
        self.g = np.arange(int(sizes.sum()))  # each line's place in the batch
        self.first: np.ndarray | int  # each line's document's first line
        self.n: np.ndarray | int  # each line's document's size
        if self.single:
            self.first, self.n = 0, int(sizes[0])
            self.i = self.g
        else:
            self.first, self.n = np.repeat(self.begins, sizes), np.repeat(sizes, sizes)
            self.i = self.g - self.first  # each line's place in its document

    def spread(self, values: np.ndarray | list) -> np.ndarray:
        """One value per document, given to each of its lines."""
        values = np.asarray(values)
        return np.full(len(self.g), values[0], values.dtype) if self.single else np.repeat(values, self.sizes)

    def parts(self, values: np.ndarray) -> list[np.ndarray]:
        """``values`` (one per line) cut into each document's."""
        return [values] if self.single else np.split(values, self.begins[1:])
