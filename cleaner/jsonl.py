"""JSONL datasets: clean the text field of each document, streaming, a few documents at a time.

Each output document keeps every field, has its text field replaced by the
cleaned text (ending with a line break only when the original did), and gains
a ``cleaner`` object (see ``DocumentResult.metadata``).
One odd line never stops the rest: a malformed line, a document without the
field, a line that is not UTF-8, too long, nested too deep or holding a lone
surrogate is yielded as an error with its line number (the caller decides to
skip or stop). A read error part-way (a truncated ``.gz``) is yielded as a
``fatal`` error after the documents before it.

Numbers are written back as they were read: a float too large for a double
(``1e400``) stays ``1e400`` instead of becoming ``Infinity``, which is not JSON.

>>> from cleaner.api import Cleaner
>>> from cleaner.options import Options
>>> outs = list(clean_jsonl_lines(Cleaner(Options(use_model=False)), ['{"text": "Subscribe"}', "{oops"]))
>>> outs[0].line.startswith('{"text": ""'), outs[1].error
(True, 'line 2: malformed JSON (Expecting property name enclosed in double quotes)')
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cleaner.api import Cleaner
from cleaner.decide import Decision, DocumentResult, DocumentSummary
from cleaner.errors import InputError
from cleaner.segment import match_final_newline

METADATA_FIELD = "cleaner"  # the field each output document gains; it cannot be the text field
BATCH_DOCUMENTS = 64  # documents cleaned together without --explain: small ones share the fixed cost of scoring
BATCH_CHARS = 1 << 20  # ... or fewer, when they hold this much text: memory stays bounded
_RAW_NUMBER = "\ue000\ue001cleaner-number:"  # private-use marker of a number kept as its source text
_RAW_NUMBER_JSON = re.compile('"' + _RAW_NUMBER + r'([^"]*)"')


@dataclass(frozen=True, slots=True)
class JsonlOutcome:
    """One input line's outcome: an output line (with newline) or an error message (``fatal``: reading stopped)."""

    lineno: int
    line: str | None = None
    error: str | None = None
    truncated: bool = False
    counts: dict[str, dict[str, int]] | None = None
    decisions: tuple[Decision, ...] = ()  # each non-blank line's decision (for ``clean --jsonl --explain``)
    fatal: bool = False


def _exact_float(text: str) -> float | str:
    """A JSON float; one a double cannot hold is kept as its text, marked (written back unquoted)."""
    value = float(text)
    return value if math.isfinite(value) else _RAW_NUMBER + text


_DECODER = json.JSONDecoder(parse_float=_exact_float)


def dumps_document(doc: dict[str, Any]) -> str:
    """``doc`` as one JSON line (no newline), numbers kept as :func:`_exact_float` read them.

    >>> dumps_document(_DECODER.decode('{"n": 1e400, "m": 1.5}'))
    '{"n": 1e400, "m": 1.5}'
    """
    line = json.dumps(doc, ensure_ascii=False)
    if _RAW_NUMBER in line:
        line = _RAW_NUMBER_JSON.sub(r"\1", line)
    return line


def clean_record(
    cleaner: Cleaner,
    doc: dict[str, Any],
    field: str = "text",
    html: bool = False,
    decisions: bool = True,
    summary: DocumentSummary | None = None,
) -> tuple[dict[str, Any], DocumentResult | DocumentSummary]:
    """A copy of ``doc`` with ``field`` cleaned and the ``cleaner`` metadata added (``doc`` is left as it is),
    and what cleaning it gave: its :class:`DocumentResult`, or without ``decisions`` only its summary (the
    ``summary`` given, when the caller cleaned the text already).

    With ``html``, the field holds an HTML page, extracted first; else it is text, never sniffed.

    >>> from cleaner.options import Options
    >>> out, _ = clean_record(Cleaner(Options(use_model=False)), {"id": 7, "text": "Subscribe"})
    >>> out["id"], out["text"], out["cleaner"]["dropped"]
    (7, '', {'newsletter': 1})
    """
    if decisions:
        result: DocumentResult | DocumentSummary = cleaner.classify(doc[field], html=html)
    else:
        result = summary if summary is not None else cleaner.summarize(doc[field], html=html)
    return {**doc, field: match_final_newline(doc[field], result.text), METADATA_FIELD: result.metadata()}, result


def _parse(raw: str | bytes | None, field: str) -> dict[str, Any] | str:
    """The document of one line, or the reason it cannot be cleaned."""
    if raw is None:
        return "longer than the size limit of one document"
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"not UTF-8 ({exc.reason} at byte {exc.start}): JSONL must be UTF-8"
    try:
        doc = _DECODER.decode(raw)
    except RecursionError:
        return "nested too deeply"
    except ValueError as exc:
        return f"malformed JSON ({str(exc).split(':')[0]})"
    if not isinstance(doc, dict) or not isinstance(doc.get(field), str):
        return f"no string field {field!r}"
    return doc


def _is_blank(raw: str | bytes | None) -> bool:
    return raw is not None and not raw.strip()


def clean_jsonl_lines(
    cleaner: Cleaner,
    lines: Iterable[str | bytes | None],
    field: str = "text",
    html: bool = False,
    decisions: bool = True,
    batch: int | None = None,
) -> Iterator[JsonlOutcome]:
    """Clean each JSON document in ``lines`` (str, UTF-8 bytes, or None for an over-long line); blanks are skipped.

    Each document is cleaned by :func:`clean_record` (``html``: its text field holds a page; ``decisions``:
    each outcome carries its lines' decisions, for an explanation). Without either, documents are read
    ahead ``batch`` at a time (``BATCH_DOCUMENTS`` unless told; fewer when they hold ``BATCH_CHARS`` of text)
    and cleaned together (:meth:`Cleaner.summarize_many`): the same outputs, in the same order.
    """
    parsed = _parsed(lines, field)
    if decisions or html:
        for item in parsed:
            yield (
                item
                if isinstance(item, JsonlOutcome)
                else _clean_line(cleaner, item[1], field, item[0], html, decisions)
            )
        return
    size = BATCH_DOCUMENTS if batch is None else batch
    pending: list[JsonlOutcome | tuple[int, dict[str, Any]]] = []
    documents = chars = 0
    for item in parsed:
        pending.append(item)
        if not isinstance(item, JsonlOutcome):
            documents += 1
            chars += len(item[1][field])
        if documents >= size or chars >= BATCH_CHARS:
            yield from _clean_batch(cleaner, pending, field)
            pending, documents, chars = [], 0, 0
    yield from _clean_batch(cleaner, pending, field)


def _parsed(lines: Iterable[str | bytes | None], field: str) -> Iterator[JsonlOutcome | tuple[int, dict[str, Any]]]:
    """Each non-blank line's document with its line number, or the error outcome that replaces it."""
    iterator = iter(lines)
    lineno = 0
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            return
        except InputError as exc:
            yield JsonlOutcome(lineno + 1, error=f"line {lineno + 1}: {exc}; the rest is not read", fatal=True)
            return
        lineno += 1
        if _is_blank(raw):
            continue
        doc = _parse(raw, field)
        yield JsonlOutcome(lineno, error=f"line {lineno}: {doc}") if isinstance(doc, str) else (lineno, doc)


def _clean_batch(
    cleaner: Cleaner, batch: list[JsonlOutcome | tuple[int, dict[str, Any]]], field: str
) -> Iterator[JsonlOutcome]:
    """The outcomes of a batch of parsed lines, in order, its documents' texts cleaned together."""
    docs = [item[1] for item in batch if not isinstance(item, JsonlOutcome)]
    summaries = iter(cleaner.summarize_many([doc[field] for doc in docs], html=False))
    for item in batch:
        if isinstance(item, JsonlOutcome):
            yield item
        else:
            yield _clean_line(cleaner, item[1], field, item[0], decisions=False, summary=next(summaries))


def _clean_line(
    cleaner: Cleaner,
    doc: dict[str, Any],
    field: str,
    lineno: int,
    html: bool = False,
    decisions: bool = True,
    summary: DocumentSummary | None = None,
) -> JsonlOutcome:
    try:
        doc, result = clean_record(cleaner, doc, field, html, decisions, summary)
        line = dumps_document(doc) + "\n"
        line.encode("utf-8")  # a lone surrogate ("\ud800") parses but cannot be written
    except UnicodeEncodeError as exc:
        return JsonlOutcome(lineno, error=f"line {lineno}: invalid text ({exc.reason}: {exc.object[exc.start]!r})")
    except RecursionError:
        return JsonlOutcome(lineno, error=f"line {lineno}: nested too deeply")
    except InputError as exc:  # with html: a text field whose page gives no text or cannot be parsed
        return JsonlOutcome(lineno, error=f"line {lineno}: {exc}")
    made = result.decisions if isinstance(result, DocumentResult) else ()
    return JsonlOutcome(lineno, line=line, truncated=result.truncated, counts=result.counts(), decisions=made)
