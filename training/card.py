"""Write the model card (Markdown) from a trained model's metadata."""

from __future__ import annotations

from pathlib import Path

from cleaner.categories import DROP_CATEGORIES, KEEP_CATEGORIES
from cleaner.model import LinearModel


def _score_table(scores: dict) -> list[str]:
    out = [
        "| data | flavor | docs | body lines | noise lines | body recall | body recall (chars) | noise removal "
        "| noise removal (chars) | drop F1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, by_flavor in scores.items():
        for flavor, s in by_flavor.items():
            out.append(
                f"| {name} | {flavor} | {s['docs']} | {s['body_lines']} | {s['noise_lines']} | "
                f"{s['body_recall']:.4f} | {s['body_recall_chars']:.4f} | {s['noise_removal']:.4f} | "
                f"{s['noise_removal_chars']:.4f} | {s['drop_f1']:.4f} |"
            )
    return out


def write_card(model: LinearModel, path: Path) -> None:
    m = model.meta
    lines = [
        f"# Model card: cleaner line classifier v{m.get('version')}",
        "",
        "A multinomial logistic regression over hashed features of each line in its document context "
        "(`cleaner/features.py`, feature version "
        f"{m['hyperparameters']['feature_version']}). Stored as pickle-free arrays (`cleaner-v1.npz`, "
        "float16 weights); inference is numpy only.",
        "",
        "## Training data",
    ]
    for name, info in m["corpora"].items():
        lines.append(f"- **{name}**: `{info}`")
    lines += [
        "",
        f"Lines used for training: {m['trained_lines']} (per class: {m.get('class_counts', {})}). "
        f"Seed: {m['seed']}. "
        f"Library versions: {m['versions']}. Hyperparameters: {m['hyperparameters']}.",
        "",
        f"## Scores (threshold {m['threshold']})",
        "",
        "`dev` is the shared dev split (sites not in training). Produced by `make train`; "
        "re-check with `cleaner eval ../shared/data/linesets/dev.jsonl.gz`. Nothing was tuned on dev: "
        "the threshold, C, features and rules were chosen by site-grouped 5-fold cross-validation on the "
        "train split (`python -m training.cv`). `seeds` are training data too, so their row is a check, "
        "not a measurement. Goals: residue body recall >= 0.99 and noise removal >= 0.80; page >= 0.98 "
        "and >= 0.95; only the residue recall goal is met.",
        "",
        *_score_table(m["scores"]),
        "",
        "## Classes",
        "",
        "Kept: " + ", ".join(f"`{k}` ({v})" for k, v in KEEP_CATEGORIES.items()) + ".",
        "",
        "Dropped: " + ", ".join(f"`{k}` ({v})" for k, v in DROP_CATEGORIES.items()) + ".",
        "",
        f"Model classes: {', '.join(model.classes)}.",
        "",
        "## Features",
        "",
        "Words (first 30 and last 5 tokens, first bigrams, first/last token), shape (length, word count, "
        "first/last character class, case and digit ratios, URL/e-mail), the names of matching heuristic rules, "
        "position (from start and end), neighbours (shape and rule categories of the lines around, distance to the "
        "nearest sentence-like line above and below), repetition (count in document, repeat of the first line).",
        "",
        "## Known weaknesses",
        "",
        "- The shared data labels bylines, datelines, captions and related links by one benchmark's gold; sites "
        "that put such lines inside the article text are scored against that convention.",
        "- Teaser blurbs of other stories that read like full sentences (e.g. a related story's first paragraph) "
        "are hard to tell from body text without markup.",
        "- Finer noise categories are learned from the authored catalogue only; the shared data says only `noise`, "
        "so categories on unfamiliar sites fall back to the rule that matched, or `noise`.",
        "- Trained mostly on English; the catalogue has German, French, Spanish, Portuguese, Italian, Ukrainian, "
        "Russian and Polish lines, but few.",
    ]
    path.write_text("\n".join(lines) + "\n" + _html_section(path), encoding="utf-8")


HTML_CARD_MARKER = "<!-- html-model: written by training/train_html.py -->"  # its section follows; kept as is


def _html_section(path: Path) -> str:
    """The HTML model's section of the existing card (``training/train_html.py`` writes it), or nothing."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return "\n" + HTML_CARD_MARKER + text.split(HTML_CARD_MARKER, 1)[1] if HTML_CARD_MARKER in text else ""
