"""HTML input: extract the article's text with trafilatura (tuned for recall) before classifying.

trafilatura is imported here only, on first use, so plain-text runs never pay for it.
The settings match the ``residue`` flavor of the training data, so the classifier
sees the kind of text it was trained on.
"""

from __future__ import annotations

import re

from cleaner.errors import InputError

_SPACES = re.compile(r"[ \t\u00a0]+")


def extract_html(html: str) -> str:
    """The text trafilatura extracts from ``html``, one paragraph per line, whitespace collapsed.

    Returns ``""`` when trafilatura finds no text. Raises :class:`InputError` on
    markup it cannot parse at all.
    """
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InputError(f"HTML input needs trafilatura, which failed to import: {exc}") from None
    try:
        text = trafilatura.extract(html, favor_recall=True, include_comments=False, include_tables=True)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"could not parse the HTML: {exc}") from None
    if not text:
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line) + "\n"
