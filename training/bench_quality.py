"""Quality part of ``make bench``: the dev line sets and the HTML path, ours against baselines.

Everything here reads the shared data (``$CLEANER_SHARED``, else ``../shared``) and returns
aggregate numbers only; nothing from the data is written to the repository.

The article benchmark's metric is ``cleaner.evaluate_html.shingle_prf``:

>>> overlap_prf("a b c d e", "a b c d")
(0.5, 1.0, 0.6667)
"""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.api import Cleaner
from cleaner.decide import Decision, DocumentResult
from cleaner.evaluate import evaluate, read_labeled
from cleaner.evaluate_html import shingle_prf as overlap_prf
from cleaner.htmlinput import extract_html
from cleaner.options import DEFAULT_THRESHOLD, Options
from cleaner.segment import is_blank, split_lines
from training.baselines import BASELINES, Baseline

REPO = Path(__file__).resolve().parent.parent
SWEEP = (0.02, 0.05, 0.1, DEFAULT_THRESHOLD, 0.15, 0.25, 0.4, 0.6)  # from "keep nearly all" to "drop when unsure"
FLAVORS = ("page", "residue")  # the two line-set flavors: naive page dump and trafilatura residue
GOLD_LABELS = ("body", "title", "noise", "mixed")  # the line sets' labels, the confusion matrix's columns


def shared_dir() -> Path:
    """The shared data folder: ``$CLEANER_SHARED`` or ``../shared`` beside the repository."""
    return Path(os.environ.get("CLEANER_SHARED", REPO.parent / "shared"))


class BaselineClassifier:
    """Adapts a ``lines -> keep flags`` baseline to the ``classify`` protocol of :func:`evaluate`."""

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline

    def classify(self, text: str, html: bool | None = None) -> DocumentResult:
        raw = split_lines(text)
        numbered = [(n, line.rstrip("\r")) for n, line in enumerate(raw, 1) if not is_blank(line)]
        flags = self.baseline([t.strip() for _, t in numbered])
        decisions = tuple(Decision(n, t, k, "body" if k else "other", float(k)) for (n, t), k in zip(numbered, flags))
        return DocumentResult(tuple(raw), decisions, False, "baseline")


@dataclass(frozen=True)
class MethodScores:
    """One table row group: a method's scores per flavor (as :func:`cleaner.evaluate.evaluate` gives them)."""

    method: str
    threshold: float | None  # None for methods without a threshold
    scores: dict[str, dict[str, Any]]


def lineset_quality(docs: Sequence[dict[str, Any]], sweep: bool = True) -> list[MethodScores]:
    """Ours at the default threshold, the sweep (unless ``sweep`` is false), the rules, then every baseline."""
    swept = (
        [MethodScores("cleaner sweep", t, evaluate(docs, Cleaner(Options(threshold=t)))) for t in SWEEP]
        if sweep
        else []
    )
    default = next((r.scores for r in swept if r.threshold == DEFAULT_THRESHOLD), None)
    if default is None:
        default = evaluate(docs, Cleaner(Options(threshold=DEFAULT_THRESHOLD)))
    rows = [MethodScores("cleaner (model)", DEFAULT_THRESHOLD, default), *swept]
    rows.append(MethodScores("cleaner --no-model", None, evaluate(docs, Cleaner(Options(use_model=False)))))
    rows += [MethodScores(name, None, evaluate(docs, BaselineClassifier(fn))) for name, fn in BASELINES.items()]
    return rows


def confusion(docs: Iterable[dict[str, Any]], cleaner: Cleaner) -> dict[str, Counter[tuple[str, str]]]:
    """Per flavor, counts of (category we gave the line, its gold label)."""
    out: dict[str, Counter[tuple[str, str]]] = {f: Counter() for f in FLAVORS}
    for doc in docs:
        result = cleaner.classify("\n".join(line["text"] for line in doc["lines"]) + "\n", html=False)
        counts = out.setdefault(doc.get("flavor", "unknown"), Counter())
        counts.update((d.category, line["label"]) for d, line in zip(result.decisions, doc["lines"]))
    return out


def load_html_pages(html_dir: Path) -> list[tuple[str, str, str]]:
    """``(id, html, gold text)`` of the dev pages, decoded the way the line sets were built."""
    from trafilatura.utils import decode_file

    gold = json.loads((html_dir / "dev-gold.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(gold):
        path = html_dir / "dev" / f"{page_id}.html.gz"
        if path.is_file():
            pages.append((page_id, decode_file(gzip.decompress(path.read_bytes())), gold[page_id]["articleBody"]))
    return pages


def _kept_text(text: str, baseline: Baseline) -> str:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return "\n".join(line for line, keep in zip(lines, baseline(lines)) if keep)


def html_quality(pages: Sequence[tuple[str, str, str]]) -> dict[str, tuple[float, float, float]]:
    """Mean P/R/F1 per method over the pages: trafilatura alone, ours, and trafilatura followed by a baseline."""
    cleaner = Cleaner()
    outputs: dict[str, list[tuple[float, float, float]]] = {}
    for _, html, gold in pages:
        extracted = extract_html(html)
        candidates = {"trafilatura alone": extracted, "cleaner (HTML model)": cleaner.classify(html, html=True).text}
        for name, fn in BASELINES.items():
            if name != "keep everything":
                candidates[f"trafilatura + {name}"] = _kept_text(extracted, fn)
        for name, text in candidates.items():
            outputs.setdefault(name, []).append(overlap_prf(text, gold))
    return {name: tuple(round(sum(col) / len(col), 4) for col in zip(*prf)) for name, prf in outputs.items()}


def load_dev_docs(linesets: Path) -> list[dict[str, Any]]:
    """The dev split's labeled documents."""
    return list(read_labeled(linesets / "dev.jsonl.gz"))
