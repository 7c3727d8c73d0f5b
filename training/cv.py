"""What was tried for model v2: site-grouped cross-validation of data mixes, label cleaning and model families.

    python -m training.cv [--shared ../shared] [--variants all] [--out training/experiments.json]

Every figure is out-of-fold on the train splits only (aeb train + WCXB train,
folds by site): noise removal at the score cut that keeps 98% of body lines,
per source and flavor. The dev splits are never read here; the model card
quotes the table. Variants:

* ``v1-data``: stage 1 on the v1 corpus (aeb train + authored), scored on all train sites;
* ``all-data``: stage 1 on aeb + WCXB (both flavors) + authored;
* ``wcxb-residue``: stage 1 on aeb + the residue flavor of WCXB + authored;
* ``cleaned``: ``all-data`` with suspicious WCXB noise labels left out of the loss;
* ``trees``: ``cleaned`` + stage-2 boosted trees over the document context (what ships);
* ``binned-lr``: ``cleaned`` + a stage-2 logistic regression over binned context features.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.categories import is_keep
from cleaner.evaluate import removal_at_recall
from training import data, linear, stage2
from training.card import EXPERIMENTS
from training.design import Design, design
from training.train import (
    SEED,
    build_corpora,
    context_rows,
    out_of_fold_logits,
    parse_args,
    site_folds,
    suspicious_noise,
)

VARIANTS = ("v1-data", "all-data", "wcxb-residue", "cleaned", "trees", "binned-lr")
BINS = 16  # quantile bins per context feature for the binned logistic regression


def figures(d: Design, score: np.ndarray) -> dict[str, float | None]:
    """Noise removal at 98% body recall per source and flavor, on the shared (non-authored) rows."""
    out: dict[str, float | None] = {}
    for source in ("aeb", "wcxb"):
        for flavor in ("residue", "page"):
            m = (d.source == source) & (d.flavor == flavor)
            body, noise = m & np.isin(d.label, ["body", "title"]), m & (d.label == "noise")
            out[f"{source} {flavor}"] = removal_at_recall(score[body], score[noise], 0.98) if body.any() else None
    return out


def oof_stage1(d: Design, train_rows: np.ndarray, keep: np.ndarray, fold: np.ndarray) -> np.ndarray:
    oof = np.zeros(len(d))
    for f in np.unique(fold):
        train = train_rows & (fold != f)
        head = linear.fit_keep_head(d.x[train], keep[train], d.weight[train], SEED)
        oof[fold == f] = linear.keep_logits(d.x[fold == f], *head)
    return oof


def oof_stage2(
    d: Design, ctx: np.ndarray, train_rows: np.ndarray, keep: np.ndarray, fold: np.ndarray, family: str
) -> np.ndarray:
    out = np.zeros(len(ctx))
    for f in np.unique(fold):
        train, test = train_rows & (fold != f), fold == f
        if family == "trees":
            out[test] = stage2.fit_trees(ctx[train], keep[train], d.weight[train], SEED).decision(ctx[test])
        else:
            out[test] = _binned_lr(ctx[train], keep[train], ctx[test])
    return out


def _binned_lr(x: np.ndarray, y: np.ndarray, test: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import KBinsDiscretizer

    bins = KBinsDiscretizer(n_bins=BINS, encode="onehot", strategy="quantile", subsample=200_000, random_state=SEED)
    clf = LogisticRegression(C=0.5, max_iter=1000).fit(bins.fit_transform(x), y)
    return clf.decision_function(bins.transform(test))


def run(d: Design, variants: Sequence[str], out: Path) -> list[dict[str, Any]]:
    started = time.perf_counter()
    use = d.target != ""
    keep = np.array([is_keep(t) for t in d.target]) & use
    fold = site_folds(d.group, 3)
    authored = ~np.isin(d.source, ["aeb", "wcxb"])
    results: list[dict[str, Any]] = []
    cache: dict[str, np.ndarray] = {}

    def stage1(name: str, rows: np.ndarray) -> np.ndarray:
        if name not in cache:
            cache[name] = oof_stage1(d, rows, keep, fold)
        return cache[name]

    for variant in variants:
        if variant == "v1-data":
            score = stage1(variant, use & ((d.source == "aeb") | authored))
        elif variant == "all-data":
            score = stage1(variant, use)
        elif variant == "wcxb-residue":
            score = stage1(variant, use & ~((d.source == "wcxb") & (d.flavor == "page")))
        else:
            cleaned = use & ~suspicious_noise(d, stage1("all-data", use))
            score = stage1("cleaned", cleaned)
            if variant != "cleaned":
                if "category" not in cache:
                    cache["category"] = out_of_fold_logits(d, keep, cleaned, fold, SEED, started, category=True)
                family = "trees" if variant == "trees" else "binned-lr"
                score = oof_stage2(d, context_rows(d, score, cache["category"]), cleaned, keep, fold, family)
        results.append({"variant": variant, "figures": figures(d, score)})
        print(f"cv [{time.perf_counter() - started:5.0f} s] {variant}: {results[-1]['figures']}", flush=True)
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=None, help="folder holding data/linesets (default: as train)")
    p.add_argument("--variants", default="all", help=f"comma-separated, from {', '.join(VARIANTS)}")
    p.add_argument("--out", type=Path, default=EXPERIMENTS)
    args = p.parse_args(argv)
    train_args = parse_args([] if args.shared is None else ["--shared", str(args.shared)])
    if data.shared_split(train_args.shared, data.WCXB_TRAIN) is None:
        print(f"cv: shared line sets not found under {train_args.shared}; nothing to cross-validate", file=sys.stderr)
        return 0
    variants = VARIANTS if args.variants == "all" else tuple(args.variants.split(","))
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        p.error(f"unknown variants {sorted(unknown)}")
    docs, _ = build_corpora(train_args)
    run(design(docs, progress=data.progress_bar(len(docs), "features")), variants, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
