"""Train model v2 (keep head, category head, context trees) and write it with its model card.

    python -m training.train [--shared ../shared] [--user-data my.jsonl ...] [--out FILE] [--replace]

Steps, each printed with its time:

1. corpora: the shared line sets (aeb train, WCXB train), the repo's authored
   data (seeds, catalogue noise and hard body lines inserted into training
   pages) and any ``--user-data``;
2. the design matrix, with the package's own feature code;
3. out-of-fold keep logits by site-grouped cross-validation (no site is ever
   scored by a model that saw it);
4. label cleaning: WCXB ``noise`` lines that the out-of-fold model confidently
   calls article text are left out of the loss (the WCXB gold leaves out some
   real content; see the model card for how many and a sample);
5. the final keep head and category head on all data;
6. stage 2: boosted trees over each line's document context, learned from the
   out-of-fold logits; their own out-of-fold scores choose the threshold (the
   highest that keeps ``TARGET_RECALL`` of residue body lines in site CV);
7. scores on the dev splits, against the shipped model, and the model card.

Without the shared data it stops, unless ``--allow-no-shared`` asks for a
model of the authored (and user) data alone. It writes ``--out`` (default: a
candidate file beside the shipped model) and replaces the shipped model only
with ``--replace``, and then only when the candidate is not worse on dev
(``--force`` overrides). Deterministic: one seed drives every random choice.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.api import Cleaner
from cleaner.categories import ALL_CATEGORIES, is_keep
from cleaner.context import FEATURE_NAMES as CONTEXT_FEATURES
from cleaner.context import context_matrix
from cleaner.evaluate import evaluate_report, read_labeled
from cleaner.features import FEATURE_VERSION, N_FEATURES
from cleaner.model import DEFAULT_MODEL, LinearModel, load_model, save_model
from cleaner.options import Options
from training import data, linear, stage2
from training.card import write_card
from training.design import Design, design

SEED = 20261126
FOLDS = 3  # site-grouped folds for the out-of-fold scores (each fit sees 2/3 of the sites)
CLEAN_P = 0.9  # a WCXB noise line whose out-of-fold P(article) is at least this is left out of the loss
CATEGORY_SAMPLE = 60_000  # generic shared lines (body/noise/title) sampled for the category head; all fine labels
TARGET_RECALL = 0.99  # the threshold keeps at least this share of residue body lines in site CV
THRESHOLD_FLOOR = 0.02  # never a lower threshold: below it scores are noise-level
COMPARE_TOLERANCE = 0.005  # a candidate may trail the shipped model by this much on a dev figure
CANDIDATE = DEFAULT_MODEL.with_name("cleaner-candidate.npz")


def log(message: str, started: float) -> None:
    print(f"train [{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("CLEANER_SHARED", "../shared")),
        help="folder holding data/linesets (default: $CLEANER_SHARED or ../shared)",
    )
    p.add_argument("--out", type=Path, default=CANDIDATE, help=f"model file to write (default: {CANDIDATE.name})")
    p.add_argument("--card", type=Path, default=None, help="model card to write (default: beside --out)")
    p.add_argument("--user-data", type=Path, action="append", default=[], help="extra labeled JSONL (repeatable)")
    p.add_argument(
        "--user-weight",
        type=float,
        default=data.GOLDEN_WEIGHT,
        help=f"training weight of each user-labeled line (default {data.GOLDEN_WEIGHT:g})",
    )
    p.add_argument("--no-authored", action="store_true", help="leave out the repo's authored data")
    p.add_argument("--allow-no-shared", action="store_true", help="train without the shared data (much weaker)")
    p.add_argument("--replace", action="store_true", help=f"then install the model as {DEFAULT_MODEL.name}")
    p.add_argument("--force", action="store_true", help="with --replace: replace even a better shipped model")
    p.add_argument("--folds", type=int, default=FOLDS, help="site-grouped folds for out-of-fold scores")
    p.add_argument("--seed", type=int, default=SEED)
    return p.parse_args(argv)


def build_corpora(args: argparse.Namespace) -> tuple[list[data.Doc], dict[str, Any]]:
    """Every training document, and a description of each corpus for the model card."""
    corpora: dict[str, Any] = {}
    docs: list[data.Doc] = []
    aeb: list[data.Doc] = []
    for split, name, licence in (
        (data.SHARED_TRAIN, "aeb train", "MIT (ScrapingHub article-extraction-benchmark)"),
        (data.WCXB_TRAIN, "WCXB train", "CC-BY-4.0 (WCXB, Murrough Foley 2026)"),
    ):
        path = data.shared_split(args.shared, split)
        if path is None:
            continue
        part = data.read_jsonl(path)
        if split == data.WCXB_TRAIN:
            part = data.with_wcxb_sites(part, args.shared)
        else:
            aeb = part
        docs += part
        corpora[name] = {
            "path": str(split),
            "docs": len(part),
            "lines": sum(len(d["lines"]) for d in part),
            "sha256": data.file_sha256(path),
            "licence": licence + "; page text belongs to its publishers",
        }
    if not args.no_authored:
        base = [d for d in aeb if d.get("flavor") == "residue"]
        authored, info = data.authored_docs(base, args.seed)
        docs += authored
        corpora["authored (this repo, MIT)"] = info
    if args.user_data:
        user = data.user_docs(args.user_data, weight=args.user_weight)
        docs += user
        corpora["user data"] = {
            "files": [str(p) for p in args.user_data],
            "docs": len(user),
            "weight": args.user_weight,
        }
    return docs, corpora


def site_folds(groups: np.ndarray, k: int) -> np.ndarray:
    """The fold of each row: sites dealt to ``k`` folds by scikit-learn's ``GroupKFold`` (sizes balanced)."""
    from sklearn.model_selection import GroupKFold

    sites, inverse = np.unique(groups.astype(str), return_inverse=True)
    k = min(k, len(sites))
    if k < 2:
        return np.zeros(len(groups), np.int64)
    fold_of_site = np.zeros(len(sites), np.int64)
    for f, (_, test) in enumerate(GroupKFold(n_splits=k).split(sites, groups=sites)):
        fold_of_site[test] = f
    return fold_of_site[inverse]


def out_of_fold_logits(
    d: Design, keep: np.ndarray, use: np.ndarray, fold: np.ndarray, seed: int, started: float, category: bool = False
) -> np.ndarray:
    """Keep logits of every row from a head fitted without the row's site: the keep head, or with ``category``
    the category head's keep logit (fitted on :func:`category_sample` rows)."""
    oof = np.zeros(len(d), np.float64)
    folds = np.unique(fold)
    for f in folds:
        train, test = use & (fold != f), fold == f
        if category:
            rows = category_sample(d, train, seed)
            head = linear.fit_category_head(d.x[rows], d.target[rows], d.weight[rows], seed)
            oof[test] = linear.category_keep_logits(d.x[test], *head)
        elif len(np.unique(keep[train])) > 1:
            oof[test] = linear.keep_logits(
                d.x[test], *linear.fit_keep_head(d.x[train], keep[train], d.weight[train], seed)
            )
        log(
            f"out-of-fold {'category' if category else 'keep'} head {f + 1}/{len(folds)} ({int(train.sum())} lines)",
            started,
        )
    return oof


def suspicious_noise(d: Design, oof: np.ndarray) -> np.ndarray:
    """WCXB noise lines that the out-of-fold keep head confidently calls article text (likely gold omissions)."""
    p = 1.0 / (1.0 + np.exp(-oof))
    return (d.source == "wcxb") & (d.label == "noise") & (p >= CLEAN_P)


CLEANING_SAMPLE = 12  # cleaned lines printed for a look by eye (never written to the repo: the data is not ours)


def docs_text(d: Design, mask: np.ndarray, seed: int) -> list[tuple[str, str]]:
    """A deterministic sample of ``(flavor, text)`` of the rows in ``mask`` (texts come from the design's docs)."""
    rows = np.flatnonzero(mask)
    if not len(rows) or d.texts is None:
        return []
    picked = np.random.default_rng(seed).choice(rows, min(CLEANING_SAMPLE, len(rows)), replace=False)
    return [(str(d.flavor[i]), d.texts[i]) for i in sorted(picked)]


def print_sample(sample: list[tuple[str, str]]) -> None:
    for flavor, text in sample:
        print(f"    [{flavor}] {text[:150]}", file=sys.stderr)


def context_rows(d: Design, logits: np.ndarray, category: np.ndarray) -> np.ndarray:
    """Stage-2 features of every row, document by document."""
    out = np.zeros((len(d), len(CONTEXT_FEATURES)), np.float32)
    for lo, hi in d.doc_bounds():
        out[lo:hi] = context_matrix(logits[lo:hi], d.length[lo:hi], d.ruled[lo:hi], category[lo:hi])
    return out


def category_sample(d: Design, use: np.ndarray, seed: int) -> np.ndarray:
    """Rows for the category head: every finely labeled line, and a sample of the generic shared ones."""
    generic = use & np.isin(d.target, ["body", "title", "noise"]) & (d.weight <= 1.0)
    fine = use & ~generic
    rng = np.random.default_rng(seed)
    picked = np.flatnonzero(generic)
    if len(picked) > CATEGORY_SAMPLE:
        picked = np.sort(rng.choice(picked, CATEGORY_SAMPLE, replace=False))
    mask = fine.copy()
    mask[picked] = True
    return mask


def choose_threshold(scores: np.ndarray, d: Design) -> float:
    """The highest threshold keeping ``TARGET_RECALL`` of residue body lines (out-of-fold stage-2 scores)."""
    body = np.isin(d.label, ["body", "title"]) & (d.flavor == "residue") & (d.weight <= 1.0)
    if not body.any():
        return 0.5
    cut = float(np.quantile(scores[body], 1 - TARGET_RECALL, method="lower"))
    return round(max(THRESHOLD_FLOOR, min(cut, 0.5)), 3)


def fit_model(d: Design, args: argparse.Namespace, started: float) -> tuple[LinearModel, dict[str, Any]]:
    """Both heads and the trees on design ``d``; the threshold and training facts in the returned meta."""
    use = d.target != ""
    keep = np.array([is_keep(t) for t in d.target]) & use
    weight = d.weight
    fold = site_folds(d.group, args.folds)
    facts: dict[str, Any] = {}
    cross_validate = args.folds > 1 and len(np.unique(fold)) > 1
    if cross_validate:
        dropped = suspicious_noise(d, out_of_fold_logits(d, keep, use, fold, args.seed, started))
        facts["label_cleaning"] = {
            "rule": f"WCXB noise lines with out-of-fold P(article) >= {CLEAN_P} left out of the loss",
            "lines": int(dropped.sum()),
            "of_wcxb_noise": int(((d.source == "wcxb") & (d.label == "noise")).sum()),
        }
        use &= ~dropped
        log(f"label cleaning: {int(dropped.sum())} WCXB noise lines left out; a sample to look at:", started)
        print_sample(docs_text(d, dropped, args.seed))
    keep_head = linear.fit_keep_head(d.x[use], keep[use], weight[use], args.seed)
    log("keep head fitted", started)
    cats = category_sample(d, use, args.seed)
    classes, cat_cols, cat_table = linear.fit_category_head(d.x[cats], d.target[cats], weight[cats], args.seed)
    log(f"category head fitted ({int(cats.sum())} lines, {len(classes)} classes)", started)
    cols, table = linear.combine((cat_cols, cat_table), keep_head)
    trees, threshold = None, 0.5
    if cross_validate:
        oof = out_of_fold_logits(d, keep, use, fold, args.seed, started)
        oof_cat = out_of_fold_logits(d, keep, use, fold, args.seed, started, category=True)
        ctx = context_rows(d, oof, oof_cat)
        oof2 = np.zeros(len(d))
        for f in np.unique(fold):
            train, test = use & (fold != f), fold == f
            if len(np.unique(keep[train])) > 1:
                oof2[test] = stage2.fit_trees(ctx[train], keep[train], weight[train], args.seed).decision(ctx[test])
        threshold = choose_threshold(1.0 / (1.0 + np.exp(-oof2)), d)
        facts["cv"] = cv_figures(d, oof, oof2, threshold)
        trees = stage2.fit_trees(ctx[use], keep[use], weight[use], args.seed)
        log(f"context trees fitted ({len(trees.roots)} trees); threshold {threshold} from site CV", started)
    facts["class_counts"] = dict(sorted(Counter(d.target[use].tolist()).items()))
    facts["trained_lines"] = int(use.sum())
    facts["threshold"] = threshold
    return LinearModel(classes, table, cols, {}, trees, keep_head=True), facts


def cv_figures(d: Design, stage1: np.ndarray, stage2_logits: np.ndarray, threshold: float) -> dict[str, Any]:
    """Site-CV ranking figures of the stage-1 and stage-2 out-of-fold scores, per source and flavor."""
    from cleaner.evaluate import removal_at_recall

    out: dict[str, Any] = {}
    shared = d.weight <= 1.0
    p2 = 1.0 / (1.0 + np.exp(-stage2_logits))
    for source in sorted(set(d.source[shared])):
        for flavor in ("residue", "page"):
            m = shared & (d.source == source) & (d.flavor == flavor)
            body, noise = m & np.isin(d.label, ["body", "title"]), m & (d.label == "noise")
            if not body.any() or not noise.any():
                continue
            out[f"{source} {flavor}"] = {
                "stage1_removal_at_98": removal_at_recall(stage1[body], stage1[noise], 0.98),
                "stage2_removal_at_98": removal_at_recall(stage2_logits[body], stage2_logits[noise], 0.98),
                "stage2_removal_at_99": removal_at_recall(stage2_logits[body], stage2_logits[noise], 0.99),
                "body_recall": round(float((p2[body] >= threshold).mean()), 4),
                "noise_removal": round(float((p2[noise] < threshold).mean()), 4),
            }
    return out


def dev_scores(shared: Path, model: LinearModel, threshold: float) -> dict[str, Any]:
    """The model's scores on every dev split present (at ``threshold``), by flavor, source and page type."""
    cleaner = Cleaner(Options(threshold=threshold), model=model)
    out: dict[str, Any] = {}
    for name, split in (("dev", data.SHARED_DEV), ("wcxb-dev", data.WCXB_DEV)):
        path = data.shared_split(shared, split)
        if path is not None:
            report = evaluate_report(read_labeled(path), cleaner, worst=0, threshold=threshold)
            out[name] = {k: report[k] for k in ("by_flavor", "by_page_type")}
    return out


CURVE_THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7)  # points of the trade-off table in the model card


def threshold_curve(shared: Path, model: LinearModel, threshold: float) -> dict[str, list[tuple[float, float, float]]]:
    """Body recall and noise removal at several thresholds on each dev split and flavor (one pass each).

    Lines that a rule drops whatever their score count as dropped at every threshold.
    """
    from cleaner.evaluate import KEEP_LABELS, document_decisions, ranking_score

    cleaner = Cleaner(Options(threshold=threshold), model=model)
    out: dict[str, list[tuple[float, float, float]]] = {}
    for name, split in (("dev", data.SHARED_DEV), ("wcxb-dev", data.WCXB_DEV)):
        path = data.shared_split(shared, split)
        if path is None:
            continue
        ranked: dict[str, tuple[list[float], list[float]]] = {}
        for doc in read_labeled(path):
            body, noise = ranked.setdefault(doc.get("flavor", "unknown"), ([], []))
            for line, d in document_decisions(doc, cleaner):
                score = ranking_score(d, threshold)
                (body if line["label"] in KEEP_LABELS else noise if line["label"] == "noise" else []).append(score)
        for flavor, (body, noise) in sorted(ranked.items()):
            b, z = np.array(body), np.array(noise)
            out[f"{name} {flavor}"] = [
                (t, round(float((b >= t).mean()), 4), round(float((z < t).mean()), 4)) for t in CURVE_THRESHOLDS
            ]
    return out


def compare(candidate: dict[str, Any], shipped: dict[str, Any]) -> list[str]:
    """Dev figures where the candidate trails the shipped model by more than ``COMPARE_TOLERANCE``."""
    worse = []
    for split, report in candidate.items():
        for flavor, s in report["by_flavor"].items():
            old = shipped.get(split, {}).get("by_flavor", {}).get(flavor)
            if old is None or flavor == "all":
                continue
            for key in ("body_recall", "noise_removal"):
                if s[key] < old[key] - COMPARE_TOLERANCE:
                    worse.append(f"{split} {flavor} {key}: {s[key]:.4f} < shipped {old[key]:.4f}")
    return worse


def print_scores(title: str, scores: dict[str, Any]) -> None:
    for split, report in scores.items():
        for flavor, s in report["by_flavor"].items():
            print(
                f"  {title:9s} {split:9s} {flavor:8s} body recall {s['body_recall']:.4f}  "
                f"noise removal {s['noise_removal']:.4f}  removal@98%recall {s['removal_at_98']}"
            )


def shipped_scores(shared: Path) -> dict[str, Any] | None:
    """Dev scores of the shipped model at its own threshold, or ``None`` when there is none or it is unusable."""
    if not DEFAULT_MODEL.is_file():
        return None
    try:
        shipped = load_model(DEFAULT_MODEL)
    except Exception:
        return None
    return dev_scores(shared, shipped, float(shipped.meta.get("threshold", Options().threshold)))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    for path in args.user_data:  # a typo in the user's labels stops training first, naming the file and line
        data.read_checked(path)
    have_shared = data.shared_split(args.shared, data.SHARED_TRAIN) or data.shared_split(args.shared, data.WCXB_TRAIN)
    if not have_shared and not args.allow_no_shared:
        print(
            f"train: no shared line sets under {args.shared}/data/linesets. Point --shared (or SHARED=... for make) "
            "at the shared data, or pass --allow-no-shared to train on the authored and user data alone "
            "(a much weaker model; it never replaces the shipped one without --force).",
            file=sys.stderr,
        )
        return 2
    docs, corpora = build_corpora(args)
    if not docs:
        print("train: no training documents", file=sys.stderr)
        return 2
    log(f"{len(docs)} documents; building features", started)
    d = design(docs, progress=data.progress_bar(len(docs), "features"))
    log(f"{len(d)} lines, {d.x.nnz} feature entries", started)
    model, facts = fit_model(d, args, started)
    threshold = facts.pop("threshold")
    scores = dev_scores(args.shared, model, threshold)
    scores["seeds"] = dev_scores_seeds(model, threshold)
    curve = threshold_curve(args.shared, model, threshold)
    import sklearn

    meta = {
        "version": "2.0.0",
        "seed": args.seed,
        "threshold": threshold,
        **facts,
        "corpora": corpora,
        "scores": scores,
        "curve": curve,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "hyperparameters": {
            "C_keep": linear.C_KEEP,
            "C_category": linear.C_CATEGORY,
            "min_feature_count": linear.MIN_FEATURE_COUNT,
            "n_features": N_FEATURES,
            "feature_version": FEATURE_VERSION,
            "folds": args.folds,
            "clean_p": CLEAN_P,
            "trees": {
                "max_iter": stage2.MAX_ITER,
                "learning_rate": stage2.LEARNING_RATE,
                "max_leaf_nodes": stage2.MAX_LEAF_NODES,
                "min_samples_leaf": stage2.MIN_SAMPLES_LEAF,
            },
        },
    }
    model = LinearModel(model.classes, model.weights, model.rows, meta, model.stage2, model.keep_head)
    save_model(model, args.out)
    shipped = args.out.resolve() == DEFAULT_MODEL.resolve()
    card = args.card or args.out.with_name("MODEL_CARD.md" if shipped else args.out.stem + ".md")
    write_card(model, card)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) and {card}", started)
    print_scores("candidate", {k: v for k, v in scores.items() if k != "seeds"})
    shipped = shipped_scores(args.shared)
    if shipped:
        print_scores("shipped", shipped)
    return install(args, model, scores, shipped)


def dev_scores_seeds(model: LinearModel, threshold: float) -> dict[str, Any]:
    cleaner = Cleaner(Options(threshold=threshold), model=model)
    report = evaluate_report(read_labeled(data.SEEDS), cleaner, worst=0, threshold=threshold)
    return {"by_flavor": report["by_flavor"], "by_page_type": {}}


def install(
    args: argparse.Namespace, model: LinearModel, scores: dict[str, Any], shipped: dict[str, Any] | None
) -> int:
    """Replace the shipped model with the candidate when asked and when it is not worse (or forced)."""
    if args.out.resolve() == DEFAULT_MODEL.resolve():
        print(f"train: wrote the shipped model {DEFAULT_MODEL} itself (--out names it)")
        return 0
    if not args.replace:
        print(f"train: the shipped model {DEFAULT_MODEL} is unchanged; install this one with --replace")
        return 0
    worse = compare(scores, shipped or {})
    if worse and not args.force:
        print("train: NOT replacing the shipped model; the candidate is worse on dev:\n  " + "\n  ".join(worse))
        print("train: use --force to replace it anyway")
        return 1
    if not have_dev(scores) and not args.force:
        print("train: NOT replacing the shipped model: no dev split to compare on (use --force)")
        return 1
    shutil.copyfile(args.out, DEFAULT_MODEL)
    write_card(load_model(DEFAULT_MODEL), DEFAULT_MODEL.with_name("MODEL_CARD.md"))
    print(f"train: replaced the shipped model {DEFAULT_MODEL} (and MODEL_CARD.md) with the candidate")
    return 0


def have_dev(scores: dict[str, Any]) -> bool:
    return any(k != "seeds" for k in scores)


__all__ = ["ALL_CATEGORIES", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
