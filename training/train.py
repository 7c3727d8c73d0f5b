"""Train the line classifier and write ``models/cleaner-v1.npz`` and its model card.

    python -m training.train [--shared ../shared] [--user-data my.jsonl ...] [--no-authored]

Deterministic: inputs are read in file order, one seed drives every random
choice, and the solver is deterministic. Uses the package's own feature code
(``cleaner.features``), so training and inference cannot drift apart.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from cleaner.api import Cleaner
from cleaner.evaluate import evaluate
from cleaner.features import DOC_KEY_MAX, DOC_KEY_MIN, FEATURE_VERSION, N_FEATURES, document_features, hash_feature
from cleaner.model import DEFAULT_MODEL, LinearModel, save_model
from cleaner.options import DEFAULT_THRESHOLD, Options
from cleaner.rules import RULES
from training import data
from training.card import write_card

SEED = 20261126
C = 0.02  # inverse L2 strength; strong, or word features memorise sites (site CV: 1.0 -> 0.02 helps at high recall)
MIN_FEATURE_COUNT = 2  # features seen in fewer training lines get no weight: they only memorise
MAX_ITER = 300
RULE_FEATURE_SCALE = 10.0  # rule features are trusted priors: scaling them up weakens their L2 penalty (C is strong)
NEIGHBOUR_TAGS = ("p1", "n1")  # neighbour prefixes under which features.py repeats rule categories


def rule_columns() -> list[int]:
    """Hashed columns of the rule features (a closed vocabulary: rule names and categories)."""
    cats = sorted({r.category for r in RULES})
    names = [f"rule:{r.name}" for r in RULES] + ["rule:none"] + [f"rulecat:{c}" for c in cats]
    names += [f"{tag}:rulecat:{c}" for tag in NEIGHBOUR_TAGS for c in cats]
    names += [f"d{dk}:rulecat:{c}" for dk in range(DOC_KEY_MIN, DOC_KEY_MAX + 1) for c in cats]
    return sorted({hash_feature(n) for n in names})


def site_of(doc: dict[str, Any]) -> str:
    """The group of a document for cross-validation: its site (synthetic copies share their base page's site)."""
    url = doc.get("url")
    if url:
        host = urlsplit(url).hostname or ""
        return host.removeprefix("www.")
    return str(doc.get("source", "unknown"))


def matrix(docs: Sequence[data.Doc]) -> tuple[list[list[int]], list[str], list[int]]:
    """Feature rows, targets and document index of every line that has a target."""
    rows: list[list[int]] = []
    targets: list[str] = []
    owner: list[int] = []
    for k, doc in enumerate(docs):
        lines = [ln for ln in doc["lines"] if ln["text"].strip()]
        feats = document_features([ln["text"].strip() for ln in lines])
        for line, f in zip(lines, feats):
            t = data.target_of(line)
            if t is not None:
                rows.append(f)
                targets.append(t)
                owner.append(k)
    return rows, targets, owner


def line_weights(docs: Sequence[data.Doc], owner: Sequence[int]) -> list[float]:
    """The training weight of each row of :func:`matrix`, from the document that owns it."""
    return [data.doc_weight(docs[k]) for k in owner]


def fit(rows: list[list[int]], targets: list[str], seed: int, weights: Sequence[float] | None = None) -> LinearModel:
    """Fit a multinomial logistic regression on hashed features (rows weighted by ``weights``); return arrays."""
    from scipy.sparse import csr_matrix, diags
    from sklearn.linear_model import LogisticRegression

    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
    x = csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(rows), N_FEATURES))
    x.sum_duplicates()
    x.data[:] = 1.0
    seen = np.bincount(x.indices, minlength=N_FEATURES)
    keep_cols = seen >= MIN_FEATURE_COUNT
    scale = np.ones(N_FEATURES, np.float32)
    scale[rule_columns()] = RULE_FEATURE_SCALE
    x = x @ diags(scale)
    x = x[:, keep_cols] if keep_cols.sum() < N_FEATURES else x
    clf = LogisticRegression(C=C, max_iter=MAX_ITER, random_state=seed)
    clf.fit(x, targets, sample_weight=None if weights is None else np.asarray(weights, np.float64))
    classes = tuple(str(c) for c in clf.classes_)
    coef = clf.coef_.T.astype(np.float32) * scale[keep_cols][:, None]  # (features, classes), for 0/1 inputs
    if len(classes) == 2:  # binary: sklearn keeps one column for classes_[1]
        coef = np.hstack([-coef / 2, coef / 2])
    cols = np.flatnonzero(keep_cols)
    bias_row = np.zeros((1, len(classes)), np.float32)
    bias_row[0] = clf.intercept_ if len(classes) > 2 else [-clf.intercept_[0] / 2, clf.intercept_[0] / 2]
    bias = hash_feature("bias")
    table = coef  # the intercept becomes the weight row of the always-present "bias" feature
    where = np.searchsorted(cols, bias)
    if where < len(cols) and cols[where] == bias:
        table[where] += bias_row[0]
    else:
        cols = np.insert(cols, where, bias)
        table = np.insert(table, where, bias_row[0], axis=0)
    nonzero = np.abs(table).max(axis=1) > 0
    return LinearModel(classes, table[nonzero], cols[nonzero], {})


def scores_on(docs: Sequence[data.Doc], model: LinearModel, threshold: float) -> dict[str, Any]:
    return evaluate(docs, Cleaner(Options(threshold=threshold), model=model))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("CLEANER_SHARED", "../shared")),
        help="folder holding data/linesets (default: $CLEANER_SHARED or ../shared)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_MODEL, help="model file to write")
    p.add_argument("--card", type=Path, default=None, help="model card to write (default: MODEL_CARD.md beside --out)")
    p.add_argument("--user-data", type=Path, action="append", default=[], help="extra labeled JSONL (repeatable)")
    p.add_argument("--no-authored", action="store_true", help="leave out the repo's authored data")
    p.add_argument("--no-compare", action="store_true", help="skip the comparison model without authored data")
    p.add_argument("--seed", type=int, default=SEED)
    return p.parse_args(argv)


def build_corpora(args: argparse.Namespace, with_authored: bool) -> tuple[list[data.Doc], dict[str, Any]]:
    corpora: dict[str, Any] = {}
    docs: list[data.Doc] = []
    train_path = data.shared_split(args.shared, data.SHARED_TRAIN)
    shared_docs = data.read_jsonl(train_path) if train_path else []
    if train_path:
        docs += shared_docs
        corpora["shared linesets train"] = {
            "path": str(data.SHARED_TRAIN),
            "docs": len(shared_docs),
            "lines": sum(len(d["lines"]) for d in shared_docs),
            "sha256": data.file_sha256(train_path),
            "licence": "MIT (ScrapingHub article-extraction-benchmark); article text belongs to its publishers",
        }
    if with_authored:
        base = [d for d in shared_docs if d.get("flavor") == "residue"]
        authored, info = data.authored_docs(base, args.seed)
        docs += authored
        corpora["authored (this repo, MIT)"] = info
    if args.user_data:
        user = data.user_docs(args.user_data)
        docs += user
        corpora["user data"] = {"files": [str(p) for p in args.user_data], "docs": len(user)}
    return docs, corpora


def train_once(args: argparse.Namespace, with_authored: bool) -> tuple[LinearModel, dict[str, Any], Counter[str]]:
    """The model, a description of its corpora, and how many training lines each class had."""
    docs, corpora = build_corpora(args, with_authored)
    rows, targets, owner = matrix(docs)
    model = fit(rows, targets, args.seed, line_weights(docs, owner))
    return model, corpora, Counter(targets)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    if data.shared_split(args.shared, data.SHARED_TRAIN) is None:
        print(
            f"train: shared line sets not found under {args.shared}/data/linesets; "
            "training on the repo's authored data only",
            file=sys.stderr,
        )
    model, corpora, class_counts = train_once(args, with_authored=not args.no_authored)
    dev_path = data.shared_split(args.shared, data.SHARED_DEV)
    dev_docs = data.read_jsonl(dev_path) if dev_path else []
    threshold = DEFAULT_THRESHOLD
    scores: dict[str, Any] = {}
    if dev_docs:
        scores["dev"] = scores_on(dev_docs, model, threshold)
        if not args.no_compare and not args.no_authored:
            bare, _, _ = train_once(args, with_authored=False)
            scores["dev, without authored data"] = scores_on(dev_docs, bare, threshold)
    else:
        print("train: no dev split found; the model card will have no dev scores", file=sys.stderr)
    scores["seeds"] = scores_on(data.read_jsonl(data.SEEDS), model, threshold)
    import sklearn

    meta = {
        "version": "1.0.0",
        "seed": args.seed,
        "threshold": threshold,
        "trained_lines": sum(class_counts.values()),
        "class_counts": dict(sorted(class_counts.items())),
        "corpora": corpora,
        "scores": scores,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "hyperparameters": {
            "C": C,
            "min_feature_count": MIN_FEATURE_COUNT,
            "n_features": N_FEATURES,
            "feature_version": FEATURE_VERSION,
        },
    }
    model = LinearModel(model.classes, model.weights, model.rows, meta)
    save_model(model, args.out)
    card = args.card or args.out.with_name("MODEL_CARD.md")
    write_card(model, card)
    print(
        f"train: wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) and {card} "
        f"in {time.perf_counter() - started:.0f} s"
    )
    for name, by_flavor in scores.items():
        for flavor, s in by_flavor.items():
            print(
                f"  {name:28s} {flavor:8s} body recall {s['body_recall']:.4f}  noise removal {s['noise_removal']:.4f}"
                f"  (lines: {s['body_lines']} body, {s['noise_lines']} noise)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
