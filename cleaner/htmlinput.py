"""HTML input: the page's text blocks scored by the HTML line model, with trafilatura as the fallback.

With the HTML model (``models/cleaner-html-v1.npz``), the page is cut into text blocks with
their DOM context (``htmlfeatures.py``); trafilatura's extraction of the same page (the setting
the model was trained with) becomes a feature of each block (how much of it trafilatura kept), and
the model scores every block (its second stage, when it has one, reading each block with its page:
``htmlcontext.py``). Without the model, or when the page yields no blocks, the lines
are trafilatura's text (tuned for recall), which the text model or the rules then decide.

trafilatura is imported here only, on first use, so plain-text runs never pay for it.

lxml, which trafilatura parses with, gives up on a whole page over things a
browser shrugs off; :func:`sanitize_html` removes them first: character
references to characters XML forbids (``&#8;``, ``&#xFFFF;``), a DOCTYPE with an
internal subset, and runs of more than :data:`MAX_TAG_RUN` identical bare opening
tags (``<div><div>…``). Nesting deeper than libxml2's default limit of 256, which
drops everything after the deep element, is allowed up to libxml2's "huge" limit
(2,048) by giving trafilatura a parser with ``huge_tree`` (its own, otherwise the
same). A page with text from which nothing is extracted is an error, not empty
output.

>>> sanitize_html('<!DOCTYPE html [<!ENTITY x "y">]><p>a&#8;b&#x41;</p>' + "<b>" * 100)
'<!DOCTYPE html><p>ab&#x41;</p><b>'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from cleaner.errors import InputError
from cleaner.htmlfeatures import Block, block_feature_names, hash_names, kept_shares, parse_html, tree_blocks
from cleaner.htmlmodel import HtmlModel

MAX_TAG_RUN = 64  # identical opening tags in a row beyond this collapse to one: no real page nests so, without text
_SPACES = re.compile(r"[ \t\u00a0]+")
FALLBACK_EXTRACTION = "trafilatura favor_recall"  # what --explain names the lines of the fallback path
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_TAG_RUN = re.compile(rf"(<[a-zA-Z][a-zA-Z0-9]*+>)(?:\s*+\1){{{MAX_TAG_RUN},}}")  # possessive: ~1% of extraction
_DOCTYPE_OPEN = re.compile(r"<!DOCTYPE", re.IGNORECASE)  # a doctype's internal subset in parts: its opening,
_DOCTYPE_STOP = re.compile(r"[>\[]")  # where its name part stops, and the end of its internal subset
_DOCTYPE_SUBSET_END = re.compile(r"\]\s*>")
_INVISIBLE_OPEN = re.compile(r"<(?:(script|style|template|noscript)\b|!--)", re.IGNORECASE)  # hidden content opens
_INVISIBLE_CLOSE = {  # and what closes each kind
    kind: re.compile(rf"</{kind}\s*>" if kind != "!--" else "-->", re.IGNORECASE)
    for kind in ("script", "style", "template", "noscript", "!--")
}
_WORD = re.compile(r"\w")


def _xml_char(code: int) -> bool:
    """Whether XML (and so lxml) accepts the character ``code``."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _char_ref(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    return match.group(0) if _xml_char(int(hex_digits, 16) if hex_digits else int(digits)) else ""


def sanitize_html(html: str) -> str:
    """``html`` without what makes lxml drop the page (see the module docstring)."""
    if "&#" in html:
        html = _CHAR_REF.sub(_char_ref, html)
    html = _without_doctype_subset(html)
    return _TAG_RUN.sub(r"\1", html)


def _without_doctype_subset(html: str) -> str:
    """``html`` with its first doctype internal subset cut: ``<!DOCTYPE html [...]>`` becomes ``<!DOCTYPE html>``.

    The same as the pattern first used (``DOCTYPE_SUBSET`` in ``tests/test_html.py``) in linear time: it
    rescanned the rest of the page from every ``<!DOCTYPE`` without a ``[`` or ``>`` after it (0.2 s on 20,000
    characters).

    >>> _without_doctype_subset('<!DOCTYPE html [ <!ENTITY x "y"> ]><p>x</p>')
    '<!DOCTYPE html><p>x</p>'
    """
    at = 0
    while (opening := _DOCTYPE_OPEN.search(html, at)) is not None:
        stop = _DOCTYPE_STOP.search(html, opening.end())  # where [^>\[]* ends
        if stop is None:
            return html  # no later opening reaches a "[" either
        if stop.group() == ">":
            at = stop.start()  # the openings before it stop at the same ">"
            continue
        end = _DOCTYPE_SUBSET_END.search(html, stop.end())
        if end is None:
            return html  # a later subset would need a "]...>" after a later "[": there is none
        return html[: opening.start()] + "<!DOCTYPE html>" + html[end.end() :]
    return html


def has_visible_text(html: str) -> bool:
    """Whether the page has any word character outside tags, scripts, styles and comments, found in linear
    time (the patterns first used rescanned the rest of the page from every opening never closed: 2 s on
    40,000 characters of ``<script>``).

    >>> has_visible_text("<html><script>x()</script></html>"), has_visible_text("<p>Hi</p>")
    (False, True)
    """
    return bool(_WORD.search(_without_tags(_without_invisible(html))))


def _without_invisible(html: str) -> str:
    """Each script, style, template, noscript element and comment, leftmost first, replaced by a space, as the
    pattern first used (``INVISIBLE`` in ``tests/test_html.py``) did. An opening whose closing is nowhere after
    it stays; the search for a closing is remembered per kind, so each part of the page is searched once."""
    pieces: list[str] = []
    found: dict[str, tuple[int, re.Match[str] | None]] = {}  # kind -> (searched from, its first closing there)
    at = 0
    while (opening := _INVISIBLE_OPEN.search(html, at)) is not None:
        kind = (opening.group(1) or "!--").lower()
        start = opening.end()
        searched_from, closing = found.get(kind, (len(html) + 1, None))
        if searched_from > start or (closing is not None and closing.start() < start):
            closing = _INVISIBLE_CLOSE[kind].search(html, start)
            found[kind] = (start, closing)
        if closing is None:  # no match here: the pattern goes on from the next character
            pieces.append(html[at : opening.start() + 1])
            at = opening.start() + 1
            continue
        pieces += [html[at : opening.start()], " "]
        at = closing.end()
    pieces.append(html[at:])
    return "".join(pieces)


def _without_tags(text: str) -> str:
    """Each ``<`` up to the next ``>`` replaced by a space, as ``TAG`` in ``tests/test_html.py`` did (when a ``<``
    has no ``>`` after it, no later one has)."""
    pieces: list[str] = []
    at = 0
    while (lt := text.find("<", at)) >= 0 and (gt := text.find(">", lt + 1)) >= 0:
        pieces += [text[at:lt], " "]
        at = gt + 1
    pieces.append(text[at:])
    return "".join(pieces)


@functools.cache
def _trafilatura() -> ModuleType:
    """trafilatura, imported on first use, its lxml parser allowed trees deeper than 256 (``huge_tree``).

    trafilatura reads its parser from ``trafilatura.utils.HTML_PARSER`` at each call; the replacement has
    the same settings plus ``huge_tree``. Done once per process; if trafilatura changes that name, nothing
    is replaced and deep pages lose their end as before.
    """
    try:
        import trafilatura
        import trafilatura.utils
        from lxml.html import HTMLParser
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InputError(f"HTML input needs trafilatura, which failed to import: {exc}") from None
    if isinstance(getattr(trafilatura.utils, "HTML_PARSER", None), HTMLParser):
        trafilatura.utils.HTML_PARSER = HTMLParser(
            collect_ids=False,
            default_doctype=False,
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
            huge_tree=True,
        )
    return trafilatura


def trafilatura_extract(html: str | object, setting: str = "default") -> str:
    """trafilatura's text of a page (markup or a parsed tree), with one of its settings.

    Tables are included, comments left out. Raises :class:`InputError` on markup it cannot parse.
    """
    trafilatura = _trafilatura()
    flags = {"favor_recall": setting == "favor_recall", "favor_precision": setting == "favor_precision"}
    source = sanitize_html(html) if isinstance(html, str) else html
    try:
        return trafilatura.extract(source, include_comments=False, include_tables=True, **flags) or ""
    except (ValueError, RecursionError) as exc:
        raise InputError(f"could not parse the HTML: {exc}") from None


def extract_html(html: str) -> str:
    """The text trafilatura extracts from ``html`` (``favor_recall``), one paragraph per line, whitespace collapsed.

    Returns ``""`` when trafilatura finds no text. Raises :class:`InputError` on
    markup it cannot parse at all.
    """
    text = trafilatura_extract(html, "favor_recall")
    if not text:
        if has_visible_text(html):
            raise InputError("no text could be extracted from the HTML, though the page has text")
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


def blocks_and_extractions(html: str, settings: Sequence[str]) -> tuple[list[Block], dict[str, str]] | None:
    """The page's text blocks and trafilatura's text of it per setting; ``None`` when it has no text blocks.

    The HTML model's training cuts and extracts its pages with this very function, so the features it
    learns from are the ones inference computes. Raises :class:`InputError` on markup trafilatura cannot parse.
    """
    _trafilatura()  # its parser, allowed deep trees, is the one parse_html uses
    tree = parse_html(sanitize_html(html))
    if tree is None:
        return None
    blocks = tree_blocks(tree)
    if not blocks:
        return None
    return blocks, {s: trafilatura_extract(tree, s) for s in settings}  # trafilatura works on a copy of the tree


def score_blocks(html: str, model: HtmlModel) -> ScoredBlocks | None:
    """The page's text blocks scored by ``model``; ``None`` when the page has no text blocks."""
    cut = blocks_and_extractions(html, (model.setting,))
    if cut is None:
        return None
    blocks, extracted = cut
    kept = kept_shares(blocks, extracted[model.setting])  # read by both stages: computed once
    rows = [hash_names(names) for names in block_feature_names(blocks, extracted[model.setting], kept)]
    return ScoredBlocks(
        tuple(b.text for b in blocks),
        tuple(b.tag for b in blocks),
        model.score(blocks, kept, rows),
        f"page blocks + trafilatura {model.setting}",
    )
