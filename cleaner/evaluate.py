"""Score the cleaner against labeled documents (the line-set format of ``shared/data/linesets``).

A labeled document is ``{"id", "source", "flavor", "lines": [{"text", "label"}]}`` with
labels ``body``, ``title``, ``noise`` or ``mixed`` (authored data may add a finer
``category``). Scores, per flavor and overall:

* body recall: share of ``body`` + ``title`` lines kept (and of their characters);
* noise removal: share of ``noise`` lines dropped (and of their characters);
* precision / recall / F1 of the *drop* decision; ``mixed`` lines are counted, not scored.

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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from cleaner.decide import DocumentResult
from cleaner.errors import InputError

KEEP_LABELS = ("body", "title")
LABELS = (*KEEP_LABELS, "noise", "mixed")


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
    except (OSError, EOFError) as exc:
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


def document_keeps(doc: dict[str, Any], cleaner: Classifier) -> list[tuple[dict[str, Any], bool]]:
    """Each labeled line of ``doc`` with the cleaner's keep decision."""
    lines = doc["lines"]
    result = cleaner.classify("\n".join(line["text"] for line in lines) + "\n", html=False)
    if len(result.decisions) != len(lines):
        raise ValueError(f"{doc.get('id')}: blank or multi-line entries in labeled lines")
    return [(line, d.keep) for line, d in zip(lines, result.decisions)]


def _empty() -> dict[str, float]:
    return {
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


def _add(tally: dict[str, float], pairs: Iterable[tuple[dict[str, Any], bool]]) -> None:
    tally["docs"] += 1
    for line, keep in pairs:
        label, chars = line["label"], len(line["text"])
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


def summarize(t: dict[str, float]) -> dict[str, Any]:
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


def evaluate_report(docs: Iterable[dict[str, Any]], cleaner: Classifier, worst: int = 5) -> dict[str, Any]:
    """Scores per flavor (and ``all``), per source, and the ``worst`` documents by body characters lost."""
    by_flavor: dict[str, dict[str, float]] = {"all": _empty()}
    by_source: dict[str, dict[str, float]] = {}
    losses: list[dict[str, Any]] = []
    for doc in docs:
        pairs = document_keeps(doc, cleaner)
        _add(by_flavor.setdefault(doc.get("flavor", "unknown"), _empty()), pairs)
        _add(by_flavor["all"], pairs)
        _add(by_source.setdefault(str(doc.get("source", "unknown")), _empty()), pairs)
        if worst:
            losses.append(_body_lost(doc, pairs))
    losses.sort(key=lambda d: (-d["body_chars_lost"], str(d["id"])))
    return {
        "by_flavor": {k: summarize(v) for k, v in sorted(by_flavor.items())},
        "by_source": {k: summarize(v) for k, v in sorted(by_source.items())},
        "worst": [d for d in losses[:worst] if d["body_lines_lost"]],
    }
