"""Where the HTML model's cross-validated decisions go wrong, per page type (train pages only).

The shipped model's configuration (its header's ``chosen``, tree weighting and context columns) is
cross-validated on the train pages exactly as :mod:`training.train_html` chose it (same site-grouped
folds, out-of-fold stage-1 logits, code guard). Each held-out block is then *leaked* (kept, the gold
leaves it out) or *dropped* (content the model lost). The report gives their words by block size and
by site, and the largest and a fixed sample of each: what to work on next, without looking at dev.

    python -m training.html_errors --cache /tmp/html-cache --type product
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.htmlmodel import DEFAULT_HTML_MODEL, HtmlModel, load_html_model
from training import train_html

SIZE_BANDS = ((0, 10), (10, 40), (40, 100), (100, None))  # block sizes in words the report splits errors by
SHOWN = 20  # blocks listed per kind, largest first, and as many sampled at random (seed SEED)
SEED = 13


@dataclass(frozen=True)
class Miss:
    """One held-out block the model got wrong."""

    kind: str  # "leaked" (kept, not in the gold) or "dropped" (in the gold, not kept)
    words: int
    site: str
    text: str


def held_out_logits(data: Sequence[train_html.PageData], model: HtmlModel) -> list[np.ndarray]:
    """Each page's out-of-fold final logits under ``model``'s configuration (code guard included)."""
    chosen = model.meta["chosen"]
    setting, c, weighting = chosen["extraction"], chosen["C"], chosen["weighting"]
    folds = train_html.site_folds(data)
    stage1 = train_html.oof_logits(data, setting, c, weighting, folds)
    if not chosen["tree_rounds"]:
        return stage1
    xs = train_html.context_rows(data, setting, stage1, model.context_features)
    staged = train_html.tree_cv(data, xs, folds, chosen["tree_leaves"], model.meta.get("tree_weighting", "words"))
    return train_html.guarded(data, staged[chosen["tree_rounds"]], stage1)


def misses(data: Sequence[train_html.PageData], logits: Sequence[np.ndarray], threshold: float) -> list[Miss]:
    """The blocks whose decision at P(content) ``threshold`` disagrees with their label.

    >>> from types import SimpleNamespace as NS
    >>> page = NS(page=NS(domain="a.com"), texts=["kept noise", "lost body"], labels=np.array([0, 1]),
    ...           words=np.array([2.0, 2.0]))
    >>> [m.kind for m in misses([page], [np.array([2.0, -2.0])], 0.5)]
    ['leaked', 'dropped']
    """
    out = []
    for d, z in zip(data, logits):
        for text, kept, label, words in zip(d.texts, train_html.sigmoid(z) >= threshold, d.labels, d.words):
            if kept != bool(label):
                out.append(Miss("leaked" if kept else "dropped", int(words), d.page.domain, text))
    return out


def summary(found: Sequence[Miss]) -> dict[str, dict]:
    """Per kind: blocks, words, words per size band (``SIZE_BANDS``) and the ten sites with most words.

    >>> summary([Miss("leaked", 3, "a.com", "x"), Miss("leaked", 50, "b.com", "y")])["leaked"]["bands"]
    {'0-10': 3, '10-40': 0, '40-100': 50, '100+': 0}
    """
    out = {}
    for kind in ("leaked", "dropped"):
        mine = [m for m in found if m.kind == kind]
        sites: Counter[str] = Counter()
        for m in mine:
            sites[m.site] += m.words
        bands = {
            f"{lo}-{hi}" if hi else f"{lo}+": sum(
                m.words for m in mine if m.words >= lo and (hi is None or m.words < hi)
            )
            for lo, hi in SIZE_BANDS
        }
        out[kind] = {
            "blocks": len(mine),
            "words": sum(m.words for m in mine),
            "bands": bands,
            "sites": sites.most_common(10),
        }
    return out


def print_report(found: Sequence[Miss], page_type: str) -> None:
    """The summary, then the largest and a seeded sample of each kind of miss."""
    for kind, facts in summary(found).items():
        print(f"== {page_type}: {kind}: {facts['blocks']} blocks, {facts['words']} words")
        print(f"   by block size (words): {facts['bands']}")
        print(f"   by site: {facts['sites']}")
        mine = [m for m in found if m.kind == kind]
        largest = sorted(mine, key=lambda m: -m.words)[:SHOWN]
        sample = random.Random(SEED).sample(mine, min(SHOWN, len(mine)))
        for title, shown in (("largest", largest), ("sample", sample)):
            print(f"   -- {title}")
            for m in shown:
                print(f"   {m.words:5d} {m.site} | {m.text[:160]}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=train_html.REPO.parent / "shared")
    p.add_argument("--cache", type=Path, default=None, help="train_html's scratch folder of prepared pages.")
    p.add_argument("--model", type=Path, default=DEFAULT_HTML_MODEL)
    p.add_argument("--type", dest="page_type", default="article", help="Page type to report (WCXB's names).")
    args = p.parse_args(argv)
    if not (args.shared / "data" / "wcxb" / "gold.jsonl.gz").is_file():
        print(f"html_errors: skipped, WCXB pages not found under {args.shared}/data/wcxb", file=sys.stderr)
        return 0
    model = load_html_model(args.model)
    data = train_html.prepare(train_html.load_pages(args.shared, "train"), args.cache)
    logits = held_out_logits(data, model)
    picked = [i for i, d in enumerate(data) if d.page.page_type == args.page_type]
    if not picked:
        print(f"html_errors: no train page of type {args.page_type!r}", file=sys.stderr)
        return 2
    found = misses([data[i] for i in picked], [logits[i] for i in picked], model.meta["cv_threshold"])
    print_report(found, args.page_type)
    return 0


if __name__ == "__main__":
    sys.exit(main())
