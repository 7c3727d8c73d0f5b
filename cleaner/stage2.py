"""The second stage: gradient-boosted trees over each line's document context, as plain arrays.

The trees are trained with scikit-learn's ``HistGradientBoostingClassifier``
(``training/stage2.py``) and exported node by node, so inference is numpy only:
all trees are walked at once, one level per step, for every line of a
document. The result is the log-odds that the line is article text.

>>> import numpy as np
>>> stump = TreeEnsemble(                 # one tree: feature 0 <= 0.5 ? -1 : +1
...     feature=np.array([0, 0, 0]), threshold=np.array([0.5, 0, 0]),
...     left=np.array([1, 1, 2]), right=np.array([2, 1, 2]), value=np.array([0, -1, 1], np.float32),
...     roots=np.array([0]), baseline=0.25, depth=1)
>>> stump.decision(np.array([[0.0], [1.0]], np.float32)).tolist()
[-0.75, 1.25]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

ARRAYS = ("feature", "threshold", "left", "right", "value", "roots")  # the archive members, prefixed ``s2_``
CHUNK_ROWS = 1024  # rows walked at once: the (rows, trees) node arrays then stay in the CPU cache


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """Trees in flat arrays (thresholds in float64, as trained).

    Node ``k`` tests ``x[feature[k]] <= threshold[k]`` and goes to ``left[k]`` or ``right[k]``; a leaf points
    to itself on both sides and holds ``value[k]``. ``roots`` are the trees' first nodes, ``depth`` the deepest
    leaf, ``baseline`` the log-odds before any tree.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    baseline: float
    depth: int
    children: np.ndarray = field(init=False, repr=False, compare=False)  # left, right of node k at 2k, 2k + 1
    threshold32: np.ndarray = field(init=False, repr=False, compare=False)  # float32 thresholds, rounded down

    def __post_init__(self) -> None:
        children = np.stack([self.left, self.right], axis=1).astype(np.int32).ravel()
        object.__setattr__(self, "children", children)
        object.__setattr__(self, "threshold32", _round_down32(self.threshold))

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of each row of ``x`` (``(n, features)`` float32).

        All trees walk one level per step for a chunk of rows: ``x <= threshold`` picks the
        left child. Comparing float32 inputs with thresholds rounded down to float32 gives the
        same answers as comparing with the float64 thresholds, in half the memory traffic.
        """
        n = x.shape[0]
        out = np.zeros(n, np.float32)
        flat = np.ascontiguousarray(x, dtype=np.float32).ravel()
        width = x.shape[1] if x.ndim == 2 else 0
        for lo in range(0, n, CHUNK_ROWS):
            rows = min(CHUNK_ROWS, n - lo)
            cells = flat[lo * width : (lo + rows) * width]
            base = (np.arange(rows, dtype=np.int32) * width)[:, None]
            node = np.broadcast_to(self.roots.astype(np.int32), (rows, len(self.roots))).copy()
            for _ in range(self.depth):
                go_left = cells[base + self.feature[node]] <= self.threshold32[node]
                node = self.children[2 * node + 1 - go_left]
            out[lo : lo + rows] = self.baseline + self.value[node].sum(axis=1, dtype=np.float64)
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        """The members to store in a model archive."""
        return {f"s2_{name}": getattr(self, name) for name in ARRAYS}

    def header(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "depth": self.depth, "trees": len(self.roots), "nodes": len(self.feature)}

    def check(self, n_features: int) -> str | None:
        """What is wrong with these arrays for inputs of ``n_features`` columns, or ``None``."""
        nodes = len(self.feature)
        if any(len(getattr(self, a)) != nodes for a in ("threshold", "left", "right", "value")):
            return "stage-2 node arrays differ in length"
        if nodes == 0 or not len(self.roots):
            return "stage-2 has no trees"
        for name in ("left", "right", "roots"):
            arr = getattr(self, name)
            if arr.min() < 0 or arr.max() >= nodes:
                return f"stage-2 {name} points outside the node arrays"
        if self.feature.min() < 0 or self.feature.max() >= n_features:
            return "stage-2 tests a feature the context matrix does not have"
        if not (np.isfinite(self.threshold).all() and np.isfinite(self.value).all() and np.isfinite(self.baseline)):
            return "stage-2 has non-finite numbers"
        if not 0 < self.depth <= 64:
            return f"stage-2 depth {self.depth} is out of range"
        return None


def _round_down32(values: np.ndarray) -> np.ndarray:
    """The largest float32 at most each value: for a float32 ``v``, ``v <= t`` exactly when ``v <= _round_down32(t)``.

    >>> _round_down32(np.array([0.1, 0.5])).tolist() == [np.nextafter(np.float32(0.1), np.float32(0)), 0.5]
    True
    """
    rounded = values.astype(np.float32)
    above = rounded.astype(np.float64) > values
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


def from_arrays(members: dict[str, np.ndarray], header: dict[str, Any]) -> TreeEnsemble:
    """The ensemble stored in a model archive (``header`` is the ``stage2`` part of its JSON header)."""
    return TreeEnsemble(
        feature=members["s2_feature"].astype(np.int32),
        threshold=members["s2_threshold"].astype(np.float64),
        left=members["s2_left"].astype(np.int32),
        right=members["s2_right"].astype(np.int32),
        value=members["s2_value"].astype(np.float32),
        roots=members["s2_roots"].astype(np.int32),
        baseline=float(header["baseline"]),
        depth=int(header["depth"]),
    )
