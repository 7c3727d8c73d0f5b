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

from dataclasses import dataclass
from typing import Any

import numpy as np

ARRAYS = ("feature", "threshold", "left", "right", "value", "roots")  # the archive members, prefixed ``s2_``


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

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of each row of ``x`` (``(n, features)`` float32)."""
        n = x.shape[0]
        if n == 0:
            return np.zeros(0, np.float32)
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        return (self.baseline + self.value[node].sum(axis=1, dtype=np.float64)).astype(np.float32)

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
