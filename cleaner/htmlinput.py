"""HTML input: the page's text blocks scored by the HTML line model, with trafilatura as the fallback.

With the HTML model (``models/cleaner-html-v1.npz``), the page is cut into text blocks with
their DOM context (``htmlfeatures.py``); trafilatura's extraction of the same page (the setting
the model was trained with) becomes a feature of each block (how much of it trafilatura kept), and
the model scores every block. Without the model, or when the page yields no blocks, the lines
are trafilatura's text (tuned for recall), which the text model or the rules then decide.

trafilatura is imported here only, on first use, so plain-text runs never pay for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from cleaner.errors import InputError
from cleaner.htmlfeatures import block_feature_names, hash_names, parse_html, tree_blocks
from cleaner.htmlmodel import HtmlModel

_SPACES = re.compile(r"[ \t\u00a0]+")
FALLBACK_EXTRACTION = "trafilatura favor_recall"  # what --explain names the lines of the fallback path
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def trafilatura_extract(html: str | object, setting: str = "default") -> str:
    """trafilatura's text of a page (markup or a parsed tree), with one of its settings.

    Tables are included, comments left out. Raises :class:`InputError` on markup it cannot parse.
    """
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InputError(f"HTML input needs trafilatura, which failed to import: {exc}") from None
    flags = {"favor_recall": setting == "favor_recall", "favor_precision": setting == "favor_precision"}
    try:
        return trafilatura.extract(html, include_comments=False, include_tables=True, **flags) or ""
    except (ValueError, RecursionError) as exc:
        raise InputError(f"could not parse the HTML: {exc}") from None


def extract_html(html: str) -> str:
    """The text trafilatura extracts from ``html`` (``favor_recall``), one paragraph per line, whitespace collapsed.

    Returns ``""`` when trafilatura finds no text. Raises :class:`InputError` on
    markup it cannot parse at all.
    """
    text = trafilatura_extract(html, "favor_recall")
    if not text:
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line) + "\n"


@dataclass(frozen=True, slots=True)
class ScoredBlocks:
    """The lines of an HTML page as the HTML model sees them."""

    texts: tuple[str, ...]
    tags: tuple[str, ...]  # tag of each line's element
    scores: np.ndarray  # P(content) per line
    extraction: str  # what --explain names the lines' source


def score_blocks(html: str, model: HtmlModel) -> ScoredBlocks | None:
    """The page's text blocks scored by ``model``; ``None`` when the page has no text blocks."""
    tree = parse_html(html)
    if tree is None:
        return None
    blocks = tree_blocks(tree)
    if not blocks:
        return None
    extracted = trafilatura_extract(tree, model.setting)  # after cutting: trafilatura may prune the tree
    rows = [hash_names(names) for names in block_feature_names(blocks, extracted)]
    return ScoredBlocks(
        tuple(b.text for b in blocks),
        tuple(b.tag for b in blocks),
        model.predict(rows),
        f"page blocks + trafilatura {model.setting}",
    )
