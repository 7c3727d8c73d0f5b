"""Train the HTML line model (``models/cleaner-html-v1.npz``) on the shared HTML pages.

Data: WCXB pages of split ``train`` (``shared/data/wcxb``, CC-BY-4.0) and the article benchmark's
``train`` pages (``shared/data/html``). Each page is cut into blocks (``cleaner.htmlfeatures``);
a block's label is *content* when at least ``LABEL_MIN_COVERAGE`` of its word trigrams occur in
the page's gold text.

Settings (trafilatura setting read by the agreement features, regularisation, block weighting,
threshold) are chosen by site-grouped cross-validation on the train pages (``GroupKFold`` by
domain), scoring the benchmark's metric: mean per-page word F1 of the kept blocks. The dev pages
are scored once, at the end, with the chosen settings: never used to choose.

    python -m training.train_html --shared ../shared [--cache /tmp/html-cache]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cleaner.errors import InputError
from cleaner.evaluate_html import GoldPage, read_article_pages, read_wcxb, score_extractions, word_bag, word_f1
from cleaner.htmlfeatures import (
    HTML_FEATURE_VERSION,
    Block,
    block_feature_names,
    coverage,
    hash_names,
    text_index,
)
from cleaner.htmlinput import blocks_and_extractions
from cleaner.htmlmodel import EXTRACTION_SETTINGS, HtmlModel, load_html_model, save_html_model
from cleaner.options import DEFAULT_THRESHOLD
from training.card import HTML_CARD_MARKER as CARD_MARKER

REPO = Path(__file__).resolve().parent.parent
MODEL_PATH = REPO / "models" / "cleaner-html-v1.npz"
SEED = 13
LABEL_MIN_COVERAGE = 0.5  # a block is content when half its word trigrams are in the gold
FOLDS = 5
C_GRID = (0.03, 0.1, 0.3)  # inverse regularisation strengths tried by CV
WEIGHTINGS = ("words", "log")  # block weight in training: its word count (the metric's unit) or log2(1 + words)
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)  # P(content) cut-offs tried by CV


@dataclass
class PageData:
    """One page's blocks, as the trainer needs them."""

    page: GoldPage
    blocks: list[Block]
    extractions: dict[str, str]  # trafilatura's text of the page, per setting
    labels: np.ndarray  # 1 = content
    words: np.ndarray  # word count of each block
    rows: dict[str, list[list[int]]] = field(default_factory=dict)  # hashed features per setting, on demand

    @property
    def texts(self) -> list[str]:
        return [b.text for b in self.blocks]

    def features(self, setting: str) -> list[list[int]]:
        """Hashed features of each block, reading trafilatura's ``setting`` text (computed once)."""
        if setting not in self.rows:
            self.rows[setting] = [hash_names(n) for n in block_feature_names(self.blocks, self.extractions[setting])]
        return self.rows[setting]


def page_data(page: GoldPage, settings: Sequence[str] = EXTRACTION_SETTINGS) -> PageData:
    """Blocks, labels and trafilatura's texts of one page, cut and extracted exactly as inference does."""
    try:
        cut = blocks_and_extractions(page.html(), settings)
    except InputError:  # markup trafilatura cannot parse: inference falls back, training sees no blocks
        cut = None
    blocks, extractions = cut if cut is not None else ([], dict.fromkeys(settings, ""))
    gold = text_index(page.gold)
    labels = np.array([coverage(b.text, gold) >= LABEL_MIN_COVERAGE for b in blocks], dtype=np.int8)
    words = np.array([max(1, len(b.text.split())) for b in blocks], dtype=np.float32)
    return PageData(page, blocks, extractions, labels, words)


def load_pages(shared: Path, split: str) -> list[GoldPage]:
    """WCXB and article-benchmark pages of ``split``."""
    pages = read_wcxb(shared / "data" / "wcxb", split)
    html_dir = shared / "data" / "html"
    if (html_dir / f"{split}-gold.json").is_file():
        pages += read_article_pages(html_dir, split)
    return pages


def cache_key() -> str:
    """What prepared pages depend on: the cutting and extraction code, the feature version, trafilatura's version.

    Cached pages live in a sub-folder named by it, so a scratch cache from older code is never read.
    """
    import trafilatura

    import cleaner.htmlfeatures
    import cleaner.htmlinput

    h = hashlib.sha256(f"{HTML_FEATURE_VERSION} {trafilatura.__version__} {LABEL_MIN_COVERAGE}".encode())
    for module in (cleaner.htmlfeatures, cleaner.htmlinput):
        h.update(Path(str(module.__file__)).read_bytes())
    return h.hexdigest()[:12]


def prepare(pages: Sequence[GoldPage], cache: Path | None) -> list[PageData]:
    """``page_data`` of every page; with ``cache``, stored there per page (a scratch folder, never shipped)."""
    folder = cache / f"prep-{cache_key()}" if cache else None
    out = []
    for i, page in enumerate(pages):
        path = folder / f"{page.path.parent.name}-{page.id}.pkl" if folder else None
        if path is not None and path.is_file():
            out.append(pickle.loads(path.read_bytes()))  # our own scratch files, written just below
            continue
        data = page_data(page)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(data))
            tmp.replace(path)  # a killed run leaves no half-written page behind
        out.append(data)
        if (i + 1) % 100 == 0:
            print(f"  prepared {i + 1}/{len(pages)} pages", file=sys.stderr)
    return out


def design(data: Sequence[PageData], setting: str, weighting: str):
    """Sparse design matrix, labels and sample weights of the blocks of ``data``."""
    from scipy.sparse import csr_matrix

    from cleaner.htmlfeatures import N_FEATURES

    indptr, indices = [0], []
    for d in data:
        for row in d.features(setting):
            indices += row
            indptr.append(len(indices))
    x = csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(indptr) - 1, N_FEATURES))
    x.sum_duplicates()
    x.data[:] = 1.0
    y = np.concatenate([d.labels for d in data]) if data else np.zeros(0)
    w = np.concatenate([d.words for d in data]) if data else np.zeros(0)
    return x, y, (w if weighting == "words" else np.log2(1 + w))


def fit(data: Sequence[PageData], setting: str, c: float, weighting: str) -> tuple[np.ndarray, float]:
    """Logistic-regression weights (per bucket) and intercept."""
    from sklearn.linear_model import LogisticRegression

    x, y, w = design(data, setting, weighting)
    clf = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=200)
    clf.fit(x, y, sample_weight=w / w.mean())
    col = list(clf.classes_).index(1)
    coef = clf.coef_[0] if col == 1 else -clf.coef_[0]
    bias = float(clf.intercept_[0] if col == 1 else -clf.intercept_[0])
    return coef.astype(np.float32), bias


def kept_text(texts: Sequence[str], probs: np.ndarray, threshold: float) -> str:
    """The kept blocks, one per line."""
    return "\n".join(t for t, p in zip(texts, probs) if p >= threshold)


def predict(coef: np.ndarray, bias: float, rows: Sequence[Sequence[int]]) -> np.ndarray:
    """P(content) of each block (the same arithmetic as :class:`HtmlModel`, bias in bucket 0)."""
    dense = coef.copy()
    dense[0] += bias
    return HtmlModel(dense, np.arange(len(dense)), {}).predict(rows) if len(rows) else np.zeros(0)


def threshold_f1s(d: PageData, probs: np.ndarray, thresholds: Sequence[float]) -> list[float]:
    """WCXB word F1 of the page when the blocks with P >= each threshold are kept.

    The same numbers as ``word_prf(kept_text(d.texts, probs, t), d.page.gold)[2]`` for each ``t``
    (blocks are joined by line breaks, which no word crosses), in one pass over the blocks sorted by P.
    """
    gold = word_bag(d.page.gold)
    n_gold = sum(gold.values())
    order = np.argsort(-probs, kind="stable")
    pred: Counter[str] = Counter()
    common = n_pred = 0
    pos = 0
    out: dict[float, float] = {}
    for t in sorted(thresholds, reverse=True):
        while pos < len(order) and probs[order[pos]] >= t:
            for word, c in word_bag(d.texts[order[pos]]).items():
                before = pred[word]
                pred[word] = before + c
                common += min(before + c, gold[word]) - min(before, gold[word])
                n_pred += c
            pos += 1
        out[t] = word_f1(common, n_pred, n_gold)
    return [out[t] for t in thresholds]


def cv_scores(data: Sequence[PageData], setting: str, c: float, weighting: str) -> dict[float, float]:
    """Mean per-page word F1 of held-out pages (site-grouped folds) at each threshold."""
    from sklearn.model_selection import GroupKFold

    groups = [d.page.domain for d in data]
    f1s: dict[float, list[float]] = {t: [] for t in THRESHOLDS}
    for train_idx, test_idx in GroupKFold(FOLDS).split(np.zeros(len(data)), groups=groups):
        coef, bias = fit([data[i] for i in train_idx], setting, c, weighting)
        for i in test_idx:
            probs = predict(coef, bias, data[i].features(setting))
            for t, f1 in zip(THRESHOLDS, threshold_f1s(data[i], probs, THRESHOLDS)):
                f1s[t].append(f1)
    return {t: round(float(np.mean(v)), 4) for t, v in f1s.items()}


def choose(data: Sequence[PageData], settings: Sequence[str]) -> tuple[dict, list[dict]]:
    """The best (setting, C, weighting, threshold) by CV, and every CV result."""
    results = []
    for setting in settings:
        for weighting in WEIGHTINGS:
            for c in C_GRID:
                started = time.perf_counter()
                scores = cv_scores(data, setting, c, weighting)
                best_t = max(scores, key=scores.get)  # type: ignore[arg-type]
                results.append(
                    {
                        "extraction": setting,
                        "C": c,
                        "weighting": weighting,
                        "threshold": best_t,
                        "cv_f1": scores[best_t],
                    }
                )
                print(f"  cv {results[-1]} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return max(results, key=lambda r: r["cv_f1"]), results


def shifted_model(coef: np.ndarray, bias: float, threshold: float, meta: dict) -> HtmlModel:
    """The model with its intercept moved so that P = ``threshold`` becomes P = the default threshold."""
    logit = lambda p: float(np.log(p / (1 - p)))  # noqa: E731
    coef = coef.copy()
    coef[0] += bias + logit(DEFAULT_THRESHOLD) - logit(threshold)
    rows = np.flatnonzero(coef)
    return HtmlModel(coef[rows], rows, {**meta, "shifted_to": DEFAULT_THRESHOLD})


def source_counts(data: Sequence[PageData]) -> dict[str, int]:
    """Pages per source folder: ``wcxb`` or ``html`` (the article benchmark)."""
    out: dict[str, int] = {}
    for d in data:
        name = "wcxb" if d.page.path.parent.name == "html" else "html"
        out[name] = out.get(name, 0) + 1
    return out


def data_hash(pages: Sequence[GoldPage]) -> str:
    """Hash of the training pages' ids and gold texts."""
    h = hashlib.sha256()
    for p in sorted(pages, key=lambda p: (p.path.parent.name, p.id)):
        h.update(f"{p.path.parent.name}/{p.id}\n{p.gold}\n".encode())
    return h.hexdigest()[:16]


CARD = REPO / "models" / "MODEL_CARD.md"


def _f3(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


SOURCE_NAMES = {"wcxb": "WCXB train", "html": "article benchmark train"}
LINE_SOURCE = (
    "lines come from the page's text blocks rather than from trafilatura's text: on 704 WCXB train pages "
    "(measured when the HTML path was designed), keeping exactly the blocks labeled content scores word F1 0.983 "
    "(articles), 0.918 (forums), 0.863 (products), 0.890 (listings), while trafilatura's default text scores "
    "0.940, 0.703, 0.631, 0.631: lines taken from trafilatura cannot recover what it dropped"
)


def _sources_text(sources: dict[str, int]) -> str:
    """``{"wcxb": 1294, "html": 113}`` -> ``"WCXB train 1294, article benchmark train 113"``."""
    return ", ".join(f"{SOURCE_NAMES.get(k, k)} {v}" for k, v in sources.items()) or "none"


def _dev_rows(dev: dict) -> list[str]:
    return [
        f"| {k} | {v['pages']} | {v['word_p']:.3f} | {v['word_r']:.3f} | {v['word_f1']:.3f} | "
        f"{_f3(v['with_found'])} | {_f3(v['without_leaked'])} |"
        for k, v in dev.items()
    ]


def card_section(model: HtmlModel) -> list[str]:
    """The HTML model's section of the model card, from its metadata."""
    m = model.meta
    return [
        CARD_MARKER,
        "# Model card: cleaner HTML line model (`cleaner-html-v1.npz`)",
        "",
        "A binary logistic regression, P(content), over hashed features of each text block of an HTML page "
        "(`cleaner/htmlfeatures.py`, HTML feature version "
        f"{HTML_FEATURE_VERSION}): the element's tag and interesting ancestors, class/id tokens and "
        "boilerplate keywords in them, link density, length, first words, position, and how much of the block, "
        f"its neighbours, its containers and its look-alike blocks trafilatura (`{m['extraction']}` setting) kept. "
        "Stored as pickle-free arrays (float16 weights); inference is numpy only. Used by `cleaner clean page.html`; "
        "text input keeps the text model above.",
        "",
        "## Training data",
        "",
        "- **WCXB** (Web Content eXtraction Benchmark, Murrough Foley, 2026, "
        "github:Murrough-Foley/web-content-extraction-benchmark, **CC-BY-4.0**): the pages of the shared split "
        "`train` (`shared/data/wcxb`, split by registered domain); the benchmark's own test split was never read.",
        "- **Article extraction benchmark** (ScrapingHub, MIT): the shared `train` pages (`shared/data/html`).",
        "",
        f"Pages used per source: {_sources_text(m['trained_on'].get('sources', {}))}. "
        f"{m['trained_on'].get('note', '')}".rstrip(),
        "",
        f"Pages: {m['trained_on']['pages']}, blocks: {m['trained_on']['blocks']}; a block is labeled content when "
        f"at least {LABEL_MIN_COVERAGE:.0%} of its word trigrams occur in the page's gold text. Data hash "
        f"{m['data_hash']}, seed {m['seed']}, scikit-learn {m['sklearn']} (training only).",
        "",
        "## Choice of settings",
        "",
        f"Site-grouped {m.get('cv_folds', FOLDS)}-fold cross-validation on the train pages (GroupKFold by domain), "
        "scoring the benchmark's metric (mean per-page word F1 of the kept blocks). Chosen: "
        f"`{json.dumps(m['chosen'])}`; the intercept is shifted so that the chosen threshold maps to the "
        f"cleaner's default threshold {m.get('shifted_to', DEFAULT_THRESHOLD)}. "
        "Every CV result is in the model's header (`cv`):",
        "",
        *(
            f"- trafilatura `{r['extraction']}` read by the agreement features, C {r['C']}, weighting "
            f"{r['weighting']}: best threshold {r['threshold']}, CV word F1 {r['cv_f1']:.4f}"
            for r in m.get("cv", [])
        ),
        *([f"- {m['cv_alternatives']}"] if m.get("cv_alternatives") else []),
        f"- {m.get('line_source', LINE_SOURCE)}",
        "",
        "## Scores on the dev pages (sites unseen in training; never used to choose)",
        "",
        "`cleaner eval ../shared/data/wcxb --split dev` (the whole HTML path, decisions included), WCXB metric:",
        "",
        "| page type | pages | word P | word R | word F1 | `with` found | `without` leaked |",
        "|---|---|---|---|---|---|---|",
        *_dev_rows(m.get("dev", {})),
        "",
        *(
            [
                "`cleaner eval ../shared/data/html --split dev` (the article benchmark's dev pages), same metric:",
                "",
                "| page type | pages | word P | word R | word F1 | `with` found | `without` leaked |",
                "|---|---|---|---|---|---|---|",
                *_dev_rows(m["dev_articles"]),
                "",
            ]
            if m.get("dev_articles")
            else []
        ),
        "## Known weaknesses",
        "",
        "- Labels come from an LLM-drafted, human-reviewed gold that is not perfect (about 1 in 5 residue noise "
        "lines is content the gold left out); the model learns its conventions (no title, no bylines).",
        "- Pages whose content is only in scripts (JSON state of client-rendered apps) have no text blocks; "
        "the path then falls back to trafilatura's text.",
        f"- Trained on {m['trained_on']['pages']:,} pages, mostly English; class/id tokens of unseen site builders "
        "are unknown words.",
        "",
    ]


def write_card_section(model: HtmlModel, card: Path = CARD) -> None:
    """Replace (or add) the HTML model's section at the end of the model card."""
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    head = text.split(CARD_MARKER)[0].rstrip("\n")
    card.write_text((head + "\n\n" if head else "") + "\n".join(card_section(model)), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    p.add_argument("--cache", type=Path, default=None, help="Scratch folder for prepared pages (speeds reruns).")
    p.add_argument("--out", type=Path, default=MODEL_PATH)
    p.add_argument("--settings", nargs="+", default=list(EXTRACTION_SETTINGS), choices=EXTRACTION_SETTINGS)
    args = p.parse_args(argv)
    started = time.perf_counter()
    if not (args.shared / "data" / "wcxb" / "gold.jsonl.gz").is_file():
        print(f"train_html: skipped, WCXB pages not found under {args.shared}/data/wcxb", file=sys.stderr)
        return 0
    train_pages = load_pages(args.shared, "train")
    print(f"train_html: {len(train_pages)} train pages", file=sys.stderr)
    train = prepare(train_pages, args.cache)
    best, results = choose(train, args.settings)
    coef, bias = fit(train, best["extraction"], best["C"], best["weighting"])
    import sklearn

    meta = {
        "name": "html-v1",
        "extraction": best["extraction"],
        "cv_threshold": best["threshold"],
        "trained_on": {
            "pages": len(train),
            "blocks": int(sum(len(d.texts) for d in train)),
            "sources": source_counts(train),
        },
        "data_hash": data_hash(train_pages),
        "seed": SEED,
        "sklearn": sklearn.__version__,
        "cv": results,
        "cv_folds": FOLDS,
        "chosen": best,
    }
    model = shifted_model(coef, bias, best["threshold"], meta)
    dev_pages = load_pages(args.shared, "dev")
    dev = prepare(dev_pages, args.cache)
    texts = [kept_text(d.texts, model.predict(d.features(best["extraction"])), DEFAULT_THRESHOLD) for d in dev]
    model.meta["dev_blocks_only"] = score_extractions([d.page for d in dev], texts)["all"]
    model.meta["dev"] = dev_scores(model, read_wcxb(args.shared / "data" / "wcxb", "dev"))
    if (args.shared / "data" / "html" / "dev-gold.json").is_file():
        model.meta["dev_articles"] = dev_scores(model, read_article_pages(args.shared / "data" / "html", "dev"))
    save_html_model(model, args.out)
    if args.out == MODEL_PATH:
        write_card_section(load_html_model(args.out))
    print(json.dumps({k: model.meta.get(k) for k in ("chosen", "trained_on", "dev", "dev_articles")}, indent=1))
    print(f"train_html: done in {time.perf_counter() - started:.0f} s, wrote {args.out}", file=sys.stderr)
    return 0


def dev_scores(model: HtmlModel, pages: Sequence[GoldPage]) -> dict:
    """The whole HTML path (the cleaner's decisions) on dev pages."""
    from cleaner.api import Cleaner
    from cleaner.evaluate_html import evaluate_html

    return evaluate_html(pages, Cleaner(html_model=model).clean_html)


if __name__ == "__main__":
    raise SystemExit(main())
