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

from cleaner.distinct import distinct_values

ARRAYS = ("feature", "threshold", "left", "right", "value", "roots")  # the archive members, prefixed ``s2_``
CHUNK_ROWS = 512  # rows at once: the (rows, trees) masks and their gather (400 kB each) then fit a 1 MB L2 cache


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
    masks: LeafMasks | None = field(init=False, repr=False, compare=False)  # the fast path's tables

    def __post_init__(self) -> None:
        children = np.stack([self.left, self.right], axis=1).astype(np.int32).ravel()
        object.__setattr__(self, "children", children)
        object.__setattr__(self, "threshold32", _round_down32(self.threshold))
        object.__setattr__(self, "masks", leaf_masks(self) if self._structure_problem() is None else None)

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of each row of ``x`` (``(n, features)`` float32), by :class:`LeafMasks` when the trees
        allow it (at most 64 leaves each, stored in pre-order), else by :meth:`walk`: the same numbers."""
        if self.masks is None:
            return self.walk(x)
        n = x.shape[0]
        out = np.zeros(n, np.float32)
        x = np.asarray(x, dtype=np.float32)
        for lo in range(0, n, CHUNK_ROWS):
            out[lo : lo + CHUNK_ROWS] = self.baseline + self.masks.leaf_sums(x[lo : lo + CHUNK_ROWS])
        return out

    def walk(self, x: np.ndarray) -> np.ndarray:
        """:meth:`decision` by walking the trees: the reference the fast path is tested against.

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
        problem = self._structure_problem()
        if problem is not None:
            return problem
        if self.feature.min() < 0 or self.feature.max() >= n_features:
            return "stage-2 tests a feature the context matrix does not have"
        if not (np.isfinite(self.threshold).all() and np.isfinite(self.value).all() and np.isfinite(self.baseline)):
            return "stage-2 has non-finite numbers"
        if not 0 < self.depth <= 64:
            return f"stage-2 depth {self.depth} is out of range"
        return None

    def _structure_problem(self) -> str | None:
        nodes = len(self.feature)
        if any(len(getattr(self, a)) != nodes for a in ("threshold", "left", "right", "value")):
            return "stage-2 node arrays differ in length"
        if nodes == 0 or not len(self.roots):
            return "stage-2 has no trees"
        for name in ("left", "right", "roots"):
            arr = getattr(self, name)
            if arr.min() < 0 or arr.max() >= nodes:
                return f"stage-2 {name} points outside the node arrays"
        return None


@dataclass(frozen=True, slots=True)
class LeafMasks:
    """The trees as bit masks of leaves (QuickScorer, Lucchese et al., SIGIR 2015): no walking.

    Each tree's leaves are bits, left to right. A node whose test fails (``x > threshold``) rules out the
    leaves of its left subtree; the leaf a walk would reach is the leftmost one that no failed test rules out.
    For each feature, the thresholds are sorted once: ``masks[f][k]`` holds, per tree, the leaves left
    after the ``k`` smallest thresholds of feature ``f`` failed, so a row needs one binary search and one
    AND per feature. The leaf values are summed in tree order, as the walk sums them: the same numbers.
    """

    features: tuple[int, ...]  # the features some node tests
    cuts: tuple[np.ndarray, ...]  # per feature: its distinct float32 thresholds, sorted
    masks: tuple[np.ndarray, ...]  # per feature: (len(cuts) + 1, trees) unsigned ints
    leaf_values: np.ndarray  # (trees, bits) float32: the value of each tree's i-th leaf from the left
    bits: int  # 32 or 64

    def leaf_sums(self, x: np.ndarray) -> np.ndarray:
        """The sum over trees of the leaf each row of ``x`` (float32) reaches, in float64.

        A feature every row has alike (a document-wide one in a long window; most of them when a line
        repeats) needs one row of masks, not one per row: those are ANDed once, before the others.
        """
        dtype = np.dtype(np.uint32 if self.bits == 32 else np.uint64)
        alike_columns = (x == x[0]).all(axis=0).tolist() if len(x) else []
        alike = [alike_columns[f] for f in self.features] if alike_columns else [False] * len(self.features)
        common = np.full(self.leaf_values.shape[0], np.iinfo(dtype).max, dtype)
        for f, cuts, masks, same in zip(self.features, self.cuts, self.masks, alike):
            if same:
                common &= masks[np.searchsorted(cuts, x[0, f], side="left")]
        alive = np.broadcast_to(common, (x.shape[0], len(common))).copy()
        for f, cuts, masks, same in zip(self.features, self.cuts, self.masks, alike):
            if not same:
                alive &= masks[np.searchsorted(cuts, x[:, f], side="left")]
        lowest = alive & (~alive + dtype.type(1))  # the leftmost leaf left: a power of two
        if self.bits == 32:
            leaf = (lowest.astype(np.float32).view(np.int32) >> 23) - 127
        else:
            leaf = (lowest.astype(np.float64).view(np.int64) >> 52) - 1023
        leaf += np.arange(0, self.leaf_values.size, self.bits, dtype=leaf.dtype)  # each tree's leaf, flat
        return self.leaf_values.ravel().take(leaf).sum(axis=1, dtype=np.float64)


def leaf_masks(trees: TreeEnsemble) -> LeafMasks | None:
    """The :class:`LeafMasks` of ``trees``; ``None`` unless every tree is stored in pre-order (each node's
    left child right after it, as scikit-learn stores them) with at most 64 leaves.

    >>> stump = TreeEnsemble(feature=np.array([0, 0, 0]), threshold=np.array([0.5, 0, 0]),
    ...     left=np.array([1, 1, 2]), right=np.array([2, 1, 2]), value=np.array([0, -1, 1], np.float32),
    ...     roots=np.array([0]), baseline=0.0, depth=1)
    >>> masks = leaf_masks(stump)
    >>> masks.masks[0].tolist(), masks.leaf_sums(np.array([[0.0], [1.0]], np.float32)).tolist()
    ([[4294967295], [4294967294]], [-1.0, 1.0])
    """
    n_nodes = len(trees.feature)
    index = np.arange(n_nodes)
    leaf = trees.left == index
    split = ~leaf
    if not (trees.left[split] == index[split] + 1).all() or not (trees.right[split] > trees.left[split]).all():
        return None
    roots = trees.roots.astype(np.int64)
    if len(roots) > 1 and not (np.diff(roots) > 0).all():
        return None
    ends = np.append(roots[1:], n_nodes)
    leaves_before = np.concatenate(([0], np.cumsum(leaf)))  # leaves with a smaller node index
    leaves_per_tree = leaves_before[ends] - leaves_before[roots]
    bits = 32 if leaves_per_tree.max() <= 32 else 64 if leaves_per_tree.max() <= 64 else 0
    if not bits or roots[0] != 0:
        return None
    dtype = np.uint32 if bits == 32 else np.uint64
    tree_of = np.searchsorted(roots, index, side="right") - 1
    first = leaves_before[index] - leaves_before[roots[tree_of]]  # the first leaf (from the left) under a node
    left_leaves = leaves_before[trees.right] - leaves_before[trees.left]  # leaves of a node's left subtree
    ones = (np.left_shift(np.ones(n_nodes, np.uint64), left_leaves.astype(np.uint64)) - np.uint64(1)).astype(dtype)
    ruled_out = np.left_shift(ones, first.astype(dtype))  # bits of the left subtree's leaves
    full = np.iinfo(dtype).max
    leaf_values = np.zeros((len(roots), bits), np.float32)
    leaf_values[tree_of[leaf], first[leaf]] = trees.value[leaf]
    features, cuts, masks = [], [], []
    for f in distinct_values(trees.feature[split]):
        nodes = index[split & (trees.feature == f)]
        values = trees.threshold32[nodes]
        sorted_cuts = distinct_values(values)
        table = np.full((len(sorted_cuts), len(roots)), full, dtype)
        np.bitwise_and.at(table, (np.searchsorted(sorted_cuts, values), tree_of[nodes]), ~ruled_out[nodes])
        features.append(int(f))
        cuts.append(sorted_cuts)
        masks.append(np.vstack([np.full((1, len(roots)), full, dtype), np.bitwise_and.accumulate(table, axis=0)]))
    return LeafMasks(tuple(features), tuple(cuts), tuple(masks), leaf_values, bits)


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
