"""Score the cleaner against labeled documents (the line-set format of ``shared/data/linesets``).

A labeled document is ``{"id", "source", "flavor", "lines": [{"text", "label"}]}`` with
labels ``body``, ``title``, ``noise`` or ``mixed`` (authored data may add a finer
``category``). Scores, per flavor and overall:

* body recall: share of ``body`` + ``title`` lines kept (and of their characters);
* noise removal: share of ``noise`` lines dropped (and of their characters);
* precision / recall / F1 of the *drop* decision; ``mixed`` lines are counted, not scored;
* ranking quality, free of the threshold: noise removal at 99% and at 98% body recall, the
  score cut chosen per data set (lines that a hard rule or the repeat rule drops rank lowest).

Scores are given per flavor, per source and, when documents have one, per ``page_type``.

>>> doc = {"id": "d", "flavor": "residue", "lines": [{"text": "Share on Facebook", "label": "noise"},
...        {"text": "The river rose two metres overnight, flooding the old town.", "label": "body"}]}
>>> from cleaner.options import Options
>>> from cleaner.api import Cleaner
>>> s = evaluate([doc], Cleaner(Options(use_model=False)))["all"]
>>> s["body_recall"], s["noise_removal"]
(1.0, 1.0)
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from cleaner.decide import Decision, DocumentResult
from cleaner.errors import InputError

KEEP_LABELS = ("body", "title")
LABELS = (*KEEP_LABELS, "noise", "mixed")
RECALL_POINTS = (0.99, 0.98)  # body recall levels at which noise removal is reported (threshold-free)
FORCED_DROP = -1.0  # ranking score of a line dropped whatever its score (hard rule, headline repeat)


class Classifier(Protocol):
    def classify(self, text: str, html: bool | None = None) -> DocumentResult: ...


def check_labeled(doc: object) -> dict[str, Any]:
    """``doc`` if it is a labeled document, else a ValueError saying what is wrong.

    >>> check_labeled({"id": "x", "text": "a page"})
    Traceback (most recent call last):
    ...
    ValueError: no "lines" list: a labeled document is {"id", "flavor", "lines": [{"text", "label"}, ...]}
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("lines"), list):
        raise ValueError('no "lines" list: a labeled document is {"id", "flavor", "lines": [{"text", "label"}, ...]}')
    for i, line in enumerate(doc["lines"], 1):
        text = line.get("text") if isinstance(line, dict) else None
        if not isinstance(text, str) or not text.strip() or "\n" in text or "\r" in text:
            raise ValueError(f'labeled line {i}: needs a non-blank one-line string "text"')
        if line.get("label") not in LABELS:
            raise ValueError(f"labeled line {i}: label {line.get('label')!r} is not one of {', '.join(LABELS)}")
    return doc


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line number, JSON value)`` of each non-blank line; a bad line or file is an InputError naming it."""
    opener = gzip.open if path.suffix == ".gz" else open
    lineno = 0
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    yield lineno, json.loads(line)
    except ValueError as exc:  # malformed JSON or not UTF-8
        raise InputError(f"{path}, line {lineno}: not JSON ({exc})") from None
    except (OSError, EOFError, zlib.error) as exc:  # zlib.error: a .gz corrupt part-way
        raise InputError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None


def read_labeled(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file (gzip when the name ends in ``.gz``), unchecked.

    Training reads its authored lists with it too; :func:`labeled_documents` checks the line-set format.
    """
    return (record for _, record in _records(path))


def labeled_documents(path: Path) -> Iterator[dict[str, Any]]:
    """The labeled documents of a line-set JSONL file; anything else is an InputError naming the file and line."""
    for lineno, record in _records(path):
        try:
            doc = check_labeled(record)
        except ValueError as exc:
            raise InputError(f"{path}, line {lineno}: not labeled line-set data: {exc}") from None
        yield doc


def document_decisions(doc: dict[str, Any], cleaner: Classifier) -> list[tuple[dict[str, Any], Decision]]:
    """Each labeled line of ``doc`` with the cleaner's decision."""
    lines = doc["lines"]
    result = cleaner.classify("\n".join(line["text"] for line in lines) + "\n", html=False)
    if len(result.decisions) != len(lines):
        raise ValueError(f"{doc.get('id')}: blank or multi-line entries in labeled lines")
    return list(zip(lines, result.decisions))


def document_keeps(doc: dict[str, Any], cleaner: Classifier) -> list[tuple[dict[str, Any], bool]]:
    """Each labeled line of ``doc`` with the cleaner's keep decision."""
    return [(line, d.keep) for line, d in document_decisions(doc, cleaner)]


def ranking_score(decision: Decision, threshold: float) -> float:
    """The score a line is ranked by: its ``score``, or ``FORCED_DROP`` when a rule dropped it although its
    score reached the threshold.

    >>> ranking_score(Decision(1, "Skip to content", False, "navigation", 0.9), 0.5)
    -1.0
    """
    return FORCED_DROP if not decision.keep and decision.score >= threshold else decision.score


def removal_at_recall(body_scores: Sequence[float], noise_scores: Sequence[float], recall: float) -> float | None:
    """Share of noise lines below the score cut that keeps ``recall`` of the body lines (ties kept).

    >>> removal_at_recall([0.9, 0.8, 0.7, 0.6], [0.1, 0.65, 0.95], 0.75)
    0.6667
    """
    if not len(body_scores) or not len(noise_scores):
        return None
    body = np.sort(np.asarray(body_scores, np.float64))
    cut = body[int(np.floor(len(body) * (1 - recall)))]
    return round(float((np.asarray(noise_scores) < cut).mean()), 4)


def _empty() -> dict[str, Any]:
    return {
        "ranked_body": [],
        "ranked_noise": [],
    } | {
        k: 0
        for k in (
            "body",
            "body_kept",
            "body_chars",
            "body_chars_kept",
            "noise",
            "noise_dropped",
            "noise_chars",
            "noise_chars_dropped",
            "body_dropped",
            "mixed",
            "docs",
        )
    }


def _add(tally: dict[str, Any], pairs: Iterable[tuple[dict[str, Any], bool]], ranks: Sequence[float] = ()) -> None:
    tally["docs"] += 1
    for k, (line, keep) in enumerate(pairs):
        label, chars = line["label"], len(line["text"])
        if ranks:
            ranked = tally["ranked_body"] if label in KEEP_LABELS else tally["ranked_noise"] if label == "noise" else []
            ranked.append(ranks[k])
        if label in KEEP_LABELS:
            tally["body"] += 1
            tally["body_chars"] += chars
            tally["body_kept"] += keep
            tally["body_chars_kept"] += chars * keep
            tally["body_dropped"] += not keep
        elif label == "noise":
            tally["noise"] += 1
            tally["noise_chars"] += chars
            tally["noise_dropped"] += not keep
            tally["noise_chars_dropped"] += chars * (not keep)
        else:
            tally["mixed"] += 1


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 1.0


def summarize(t: dict[str, Any]) -> dict[str, Any]:
    """Rates from a tally of counts."""
    precision = _ratio(t["noise_dropped"], t["noise_dropped"] + t["body_dropped"])
    recall = _ratio(t["noise_dropped"], t["noise"])
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {
        "docs": int(t["docs"]),
        "body_lines": int(t["body"]),
        "noise_lines": int(t["noise"]),
        "mixed_lines": int(t["mixed"]),
        "body_recall": _ratio(t["body_kept"], t["body"]),
        "body_recall_chars": _ratio(t["body_chars_kept"], t["body_chars"]),
        "noise_removal": _ratio(t["noise_dropped"], t["noise"]),
        "noise_removal_chars": _ratio(t["noise_chars_dropped"], t["noise_chars"]),
        "drop_precision": precision,
        "drop_recall": recall,
        "drop_f1": f1,
        **{
            f"removal_at_{round(100 * r)}": removal_at_recall(t["ranked_body"], t["ranked_noise"], r)
            for r in RECALL_POINTS
        },
    }


def evaluate(docs: Iterable[dict[str, Any]], cleaner: Classifier) -> dict[str, dict[str, Any]]:
    """Scores per flavor and ``all``."""
    return evaluate_report(docs, cleaner, worst=0)["by_flavor"]


def _body_lost(doc: dict[str, Any], pairs: list[tuple[dict[str, Any], bool]]) -> dict[str, Any]:
    lost = [line["text"] for line, keep in pairs if line["label"] in KEEP_LABELS and not keep]
    return {
        "id": doc.get("id"),
        "source": doc.get("source"),
        "flavor": doc.get("flavor"),
        "body_lines_lost": len(lost),
        "body_chars_lost": sum(map(len, lost)),
        "examples": lost[:3],
    }


def evaluate_report(
    docs: Iterable[dict[str, Any]], cleaner: Classifier, worst: int = 5, threshold: float | None = None
) -> dict[str, Any]:
    """Scores per flavor (and ``all``), per source and flavor, per page type and flavor (when documents have
    one), and the ``worst`` documents by body characters lost. ``threshold`` (default: the cleaner's) tells
    which dropped lines were dropped by a rule regardless of their score, for the ranking figures."""
    if threshold is None:
        threshold = cleaner.options.threshold if hasattr(cleaner, "options") else 0.5
    groups: dict[str, dict[str, dict[str, Any]]] = {"by_flavor": {"all": _empty()}, "by_source": {}, "by_page_type": {}}
    losses: list[dict[str, Any]] = []
    for doc in docs:
        decided = document_decisions(doc, cleaner)
        pairs = [(line, d.keep) for line, d in decided]
        ranks = [ranking_score(d, threshold) for _, d in decided]
        flavor = doc.get("flavor", "unknown")
        keys = [("by_flavor", flavor), ("by_flavor", "all"), ("by_source", f"{doc.get('source', 'unknown')} {flavor}")]
        if doc.get("page_type"):
            keys.append(("by_page_type", f"{doc['page_type']} {flavor}"))
        for group, key in keys:
            _add(groups[group].setdefault(key, _empty()), pairs, ranks)
        if worst:
            losses.append(_body_lost(doc, pairs))
    losses.sort(key=lambda d: (-d["body_chars_lost"], str(d["id"])))
    report: dict[str, Any] = {
        group: {k: summarize(v) for k, v in sorted(tallies.items())} for group, tallies in groups.items()
    }
    report["worst"] = [d for d in losses[:worst] if d["body_lines_lost"]]
    return report
