"""Cross-validation on the shared training split, grouped by site: the place to tune (never on dev).

python -m training.cv [--folds 5] [--threshold 0.25] [--errors errors.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from cleaner.api import Cleaner
from cleaner.evaluate import document_keeps
from cleaner.options import DEFAULT_THRESHOLD, Options
from training import data
from training.train import SEED, fit, line_weights, matrix, site_of


def folds(docs: Sequence[data.Doc], k: int) -> list[list[int]]:
    """Document indices per fold, grouped by site, sites assigned round-robin in sorted order."""
    from sklearn.model_selection import GroupKFold

    groups = [site_of(d) for d in docs]
    return [list(test) for _, test in GroupKFold(n_splits=k).split(docs, groups=groups)]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--shared", type=Path, default=Path("../shared"))
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--threshold", type=float, action="append", default=[])
    p.add_argument("--errors", type=Path, default=None, help="write misclassified lines here")
    p.add_argument("--no-authored", action="store_true")
    args = p.parse_args(argv)
    path = data.shared_split(args.shared, data.SHARED_TRAIN)
    if path is None:
        print("cv: shared line sets not found; nothing to cross-validate", file=sys.stderr)
        return 0
    shared = data.read_jsonl(path)
    thresholds = args.threshold or [DEFAULT_THRESHOLD]
    results: dict[float, list[tuple[data.Doc, list]]] = {t: [] for t in thresholds}
    for test_idx in folds(shared, args.folds):
        test = set(test_idx)
        train_docs = [d for i, d in enumerate(shared) if i not in test]
        if not args.no_authored:
            base = [d for d in train_docs if d.get("flavor") == "residue"]
            train_docs += data.authored_docs(base, SEED)[0]
        rows, targets, owner = matrix(train_docs)
        model = fit(rows, targets, SEED, line_weights(train_docs, owner))
        for t in thresholds:
            cleaner = Cleaner(Options(threshold=t), model=model)
            results[t] += [(shared[i], document_keeps(shared[i], cleaner)) for i in test_idx]
    for t in thresholds:
        scores = _score(results[t])
        for flavor, s in scores.items():
            print(
                f"t={t:.2f} {flavor:8s} body recall {s['body_recall']:.4f} ({s['body_lines']})  "
                f"noise removal {s['noise_removal']:.4f} ({s['noise_lines']})"
            )
    if args.errors:
        t = thresholds[0]
        with args.errors.open("w", encoding="utf-8") as fh:
            for doc, pairs in results[t]:
                for k, (line, keep) in enumerate(pairs):
                    bad = (line["label"] in ("body", "title") and not keep) or (line["label"] == "noise" and keep)
                    if bad:
                        ctx = [ln["text"][:60] for ln in doc["lines"][max(0, k - 1) : k + 2]]
                        fh.write(
                            json.dumps(
                                {
                                    "id": doc["id"],
                                    "flavor": doc["flavor"],
                                    "k": k,
                                    "label": line["label"],
                                    "keep": keep,
                                    "text": line["text"],
                                    "ctx": ctx,
                                },
                                ensure_ascii=False,
                            )
                            + "\n"
                        )
    return 0


def _score(results: list[tuple[data.Doc, list]]) -> dict:
    from cleaner.evaluate import _add, _empty, summarize

    tallies: dict = {"all": _empty()}
    for doc, pairs in results:
        _add(tallies.setdefault(doc["flavor"], _empty()), pairs)
        _add(tallies["all"], pairs)
    return {k: summarize(v) for k, v in sorted(tallies.items())}


if __name__ == "__main__":
    raise SystemExit(main())
