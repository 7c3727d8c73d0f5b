"""Stage 1: logistic regressions over the hashed line features, exported as weight rows.

Two heads share the features: a binary *keep head* (article or not: the score
stage 2 reads) and a multinomial *category head* (which kind of line: what
``--explain`` shows and ``--keep-category`` acts on). Both fold their intercept
into the weight row of the always-present ``bias`` feature, so inference is a
sum of weight rows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix, diags

from cleaner.features import DOC_KEY_MAX, DOC_KEY_MIN, N_FEATURES, hash_feature
from cleaner.rules import RULES

C_KEEP = 0.02  # inverse L2 strength of the keep head; strong, or word features memorise sites (site CV)
C_CATEGORY = 0.02  # the same for the category head
MIN_FEATURE_COUNT = 2  # features seen in fewer training lines get no weight: they only memorise
MAX_ITER = 300
RULE_FEATURE_SCALE = 10.0  # rule features are trusted priors: scaling them up weakens their L2 penalty
NEIGHBOUR_TAGS = ("p1", "n1")  # neighbour prefixes under which features.py repeats rule categories


def rule_columns() -> list[int]:
    """Hashed columns of the rule features (a closed vocabulary: rule names and categories)."""
    cats = sorted({r.category for r in RULES})
    names = [f"rule:{r.name}" for r in RULES] + ["rule:none"] + [f"rulecat:{c}" for c in cats]
    names += [f"{tag}:rulecat:{c}" for tag in NEIGHBOUR_TAGS for c in cats]
    names += [f"d{dk}:rulecat:{c}" for dk in range(DOC_KEY_MIN, DOC_KEY_MAX + 1) for c in cats]
    return sorted({hash_feature(n) for n in names})


def _prepared(x: csr_matrix) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """``x`` with rare columns removed and rule columns scaled; the kept columns and their scale."""
    seen = np.bincount(x.indices, minlength=N_FEATURES)
    keep_cols = seen >= MIN_FEATURE_COUNT
    scale = np.ones(N_FEATURES, np.float32)
    scale[rule_columns()] = RULE_FEATURE_SCALE
    xs = (x @ diags(scale)).tocsr()[:, keep_cols]
    return xs, np.flatnonzero(keep_cols), scale[keep_cols]


def _fit_logistic(c: float, seed: int, x: csr_matrix, y: np.ndarray, weights: np.ndarray | None):
    """A fitted ``LogisticRegression`` (sklearn imported lazily: training only). Stopping at ``MAX_ITER``
    before full convergence is expected with this much data and is reported in one line, not a warning dump."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=MAX_ITER, random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(x, y, sample_weight=weights)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        print(f"train: logistic regression stopped at {MAX_ITER} iterations (not fully converged)", file=sys.stderr)
    return clf


def _fold_bias(cols: np.ndarray, table: np.ndarray, bias_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add the intercept to the row of the ``bias`` feature (inserting it when it has none)."""
    bias = hash_feature("bias")
    where = int(np.searchsorted(cols, bias))
    if where < len(cols) and cols[where] == bias:
        table[where] += bias_row
        return cols, table
    return np.insert(cols, where, bias), np.insert(table, where, bias_row, axis=0)


def fit_keep_head(
    x: csr_matrix, keep: np.ndarray, weights: np.ndarray | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Binary logistic regression, article (1) or not (0): feature columns and their weight (a column vector)."""
    xs, cols, scale = _prepared(x)
    clf = _fit_logistic(C_KEEP, seed, xs, keep.astype(int), weights)
    positive = list(clf.classes_).index(1)
    sign = 1.0 if positive == 1 else -1.0
    table = (sign * clf.coef_[0] * scale)[:, None].astype(np.float32)
    return _fold_bias(cols, table, np.array([sign * clf.intercept_[0]], np.float32))


def fit_category_head(
    x: csr_matrix, targets: Sequence[str], weights: np.ndarray | None, seed: int
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Multinomial logistic regression over the categories: classes, feature columns, weights per class."""
    xs, cols, scale = _prepared(x)
    clf = _fit_logistic(C_CATEGORY, seed, xs, np.asarray(targets, dtype=str), weights)
    classes = tuple(str(c) for c in clf.classes_)
    coef = clf.coef_.T.astype(np.float32) * scale[:, None]
    if len(classes) == 2:  # binary: sklearn keeps one column, for classes_[1]
        coef = np.hstack([-coef / 2, coef / 2])
        bias_row = np.array([-clf.intercept_[0] / 2, clf.intercept_[0] / 2], np.float32)
    else:
        bias_row = clf.intercept_.astype(np.float32)
    cols, table = _fold_bias(cols, coef, bias_row)
    return classes, cols, table


def keep_logits(x: csr_matrix, cols: np.ndarray, table: np.ndarray) -> np.ndarray:
    """The keep head's logit of each row of ``x`` (float64)."""
    dense = np.zeros(N_FEATURES, np.float64)
    dense[cols] = table[:, 0]
    return np.asarray(x @ dense).ravel()


def category_keep_logits(x: csr_matrix, classes: Sequence[str], cols: np.ndarray, table: np.ndarray) -> np.ndarray:
    """The category head's keep logit of each row of ``x``: the summed probability of its keep classes."""
    from cleaner.categories import is_keep
    from cleaner.model import keep_logit, softmax

    dense = np.zeros((N_FEATURES, table.shape[1]), np.float64)
    dense[cols] = table
    return keep_logit(softmax(np.asarray(x @ dense)), np.array([is_keep(c) for c in classes]))


def combine(
    category: tuple[np.ndarray, np.ndarray], keep: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray]:
    """One weight table over the union of both heads' columns: the category columns, then the keep column."""
    cat_cols, cat_table = category
    if keep is None:
        nonzero = np.abs(cat_table).max(axis=1) > 0
        return cat_cols[nonzero], cat_table[nonzero]
    keep_cols, keep_table = keep
    cols = np.union1d(cat_cols, keep_cols)
    table = np.zeros((len(cols), cat_table.shape[1] + 1), np.float32)
    table[np.searchsorted(cols, cat_cols), :-1] = cat_table
    table[np.searchsorted(cols, keep_cols), -1] = keep_table[:, 0]
    nonzero = np.abs(table).max(axis=1) > 0
    return cols[nonzero], table[nonzero]
