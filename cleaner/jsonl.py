"""JSONL datasets: clean the text field of each document, streaming, one line at a time.

Each output document keeps every field, has its text field replaced by the
cleaned text (ending with a line break only when the original did), and gains
a ``cleaner`` object (see ``DocumentResult.metadata``).
A malformed line or a document without the field is yielded as an error with
its line number; the caller decides to skip or stop.

>>> from cleaner.api import Cleaner
>>> from cleaner.options import Options
>>> outs = list(clean_jsonl_lines(Cleaner(Options(use_model=False)), ['{"text": "Subscribe"}', "{oops"]))
>>> outs[0].line.startswith('{"text": ""'), outs[1].error
(True, 'line 2: malformed JSON (Expecting property name enclosed in double quotes)')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cleaner.api import Cleaner
from cleaner.decide import Decision, DocumentResult
from cleaner.segment import match_final_newline


@dataclass(frozen=True, slots=True)
class JsonlOutcome:
    """One input line's outcome: an output line (with newline) or an error message."""

    lineno: int
    line: str | None = None
    error: str | None = None
    truncated: bool = False
    counts: dict[str, dict[str, int]] | None = None
    decisions: tuple[Decision, ...] = ()  # each non-blank line's decision (for ``clean --jsonl --explain``)


def clean_record(
    cleaner: Cleaner, doc: dict[str, Any], field: str = "text", html: bool = False
) -> tuple[dict[str, Any], DocumentResult]:
    """A copy of ``doc`` with ``field`` cleaned and the ``cleaner`` metadata added (``doc`` is left as it is).

    With ``html``, the field holds an HTML page, extracted first; else it is text, never sniffed.

    >>> from cleaner.options import Options
    >>> out, _ = clean_record(Cleaner(Options(use_model=False)), {"id": 7, "text": "Subscribe"})
    >>> out["id"], out["text"], out["cleaner"]["dropped"]
    (7, '', {'newsletter': 1})
    """
    result = cleaner.classify(doc[field], html=html)
    return {**doc, field: match_final_newline(doc[field], result.text), "cleaner": result.metadata()}, result


def clean_jsonl_lines(
    cleaner: Cleaner, lines: Iterable[str], field: str = "text", html: bool = False
) -> Iterator[JsonlOutcome]:
    """Clean each JSON document in ``lines`` (see :func:`clean_record`); blank lines are skipped silently."""
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            yield JsonlOutcome(lineno, error=f"line {lineno}: malformed JSON ({str(exc).split(':')[0]})")
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get(field), str):
            yield JsonlOutcome(lineno, error=f"line {lineno}: no string field {field!r}")
            continue
        doc, result = clean_record(cleaner, doc, field, html)
        line = json.dumps(doc, ensure_ascii=False) + "\n"
        yield JsonlOutcome(lineno, line, truncated=result.truncated, counts=result.counts(), decisions=result.decisions)
