"""Train the second stage (trees over each line's document context) and export it as plain arrays.

The features are :func:`cleaner.context.context_matrix` of the first stage's
*out-of-fold* logits, so the trees learn from scores like those the first stage
gives on pages it has never seen, not the over-confident scores of its own
training lines.
"""

from __future__ import annotations

import numpy as np

from cleaner.stage2 import TreeEnsemble

MAX_ITER = 200  # boosting rounds
LEARNING_RATE = 0.1
MAX_LEAF_NODES = 31
MIN_SAMPLES_LEAF = 40  # a leaf speaks for at least this many training lines: no single-page rules
L2 = 1.0


def fit_trees(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None,
    seed: int,
    max_iter: int = MAX_ITER,
    max_leaf_nodes: int = MAX_LEAF_NODES,
) -> TreeEnsemble:
    """Fit the boosted trees on context rows ``x`` and keep (1) / drop (0) targets ``y``."""
    return export(fit_classifier(x, y, weights, seed, max_iter, max_leaf_nodes))


def fit_classifier(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None, seed: int, max_iter: int, max_leaf_nodes: int
) -> object:
    """The fitted ``HistGradientBoostingClassifier`` (the text model's settings, but rounds and leaves)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=LEARNING_RATE,
        max_leaf_nodes=max_leaf_nodes,
        min_samples_leaf=MIN_SAMPLES_LEAF,
        l2_regularization=L2,
        early_stopping=False,
        random_state=seed,
    )
    clf.fit(x, y, sample_weight=weights)
    return clf


def export(clf: object) -> TreeEnsemble:
    """The trees of a fitted binary ``HistGradientBoostingClassifier`` as a :class:`TreeEnsemble`."""
    feature, threshold, left, right, value, roots = [], [], [], [], [], []
    offset, depth = 0, 1
    for (predictor,) in clf._predictors:
        nodes = predictor.nodes
        if nodes["is_categorical"].any():
            raise ValueError("categorical splits are not supported")
        leaf = nodes["is_leaf"].astype(bool)
        idx = np.arange(len(nodes)) + offset
        feature.append(np.where(leaf, 0, nodes["feature_idx"]).astype(np.int32))
        threshold.append(np.where(leaf, 0.0, nodes["num_threshold"]).astype(np.float64))
        left.append(np.where(leaf, idx, nodes["left"].astype(np.int64) + offset).astype(np.int32))
        right.append(np.where(leaf, idx, nodes["right"].astype(np.int64) + offset).astype(np.int32))
        value.append(np.where(leaf, nodes["value"], 0.0).astype(np.float32))
        roots.append(offset)
        depth = max(depth, int(nodes["depth"].max()))
        offset += len(nodes)
    return TreeEnsemble(
        feature=np.concatenate(feature),
        threshold=np.concatenate(threshold),
        left=np.concatenate(left),
        right=np.concatenate(right),
        value=np.concatenate(value),
        roots=np.array(roots, np.int32),
        baseline=float(np.ravel(clf._baseline_prediction)[0]),
        depth=depth,
    )
