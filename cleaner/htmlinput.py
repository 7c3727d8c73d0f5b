"""HTML input: extract the article's text with trafilatura (tuned for recall) before classifying.

trafilatura is imported here only, on first use, so plain-text runs never pay for it.
The settings match the ``residue`` flavor of the training data, so the classifier
sees the kind of text it was trained on.

lxml, which trafilatura parses with, gives up on a whole page over things a
browser shrugs off; :func:`sanitize_html` removes them first: character
references to characters XML forbids (``&#8;``, ``&#xFFFF;``), a DOCTYPE with an
internal subset, and runs of more than :data:`MAX_TAG_RUN` opening tags in a row
(nesting deeper than libxml2's limit drops everything after the deep element).
A page with text from which nothing is extracted is an error, not empty output.

>>> sanitize_html('<!DOCTYPE html [<!ENTITY x "y">]><p>a&#8;b&#x41;</p>')
'<!DOCTYPE html><p>ab&#x41;</p>'
"""

from __future__ import annotations

import re

from cleaner.errors import InputError

MAX_TAG_RUN = 64  # opening tags in a row beyond this are collapsed: no real page nests so deep without text
_SPACES = re.compile(r"[ \t\u00a0]+")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RUN = re.compile(rf"(?:<[a-zA-Z][^<>]{{0,200}}>\s*){{{MAX_TAG_RUN + 1},}}")
_INVISIBLE = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w")


def _xml_char(code: int) -> bool:
    """Whether XML (and so lxml) accepts the character ``code``."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _char_ref(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    return match.group(0) if _xml_char(int(hex_digits, 16) if hex_digits else int(digits)) else ""


def _last_tag(match: re.Match[str]) -> str:
    return match.group(0).rstrip().rsplit("<", 1)[-1].join(("<", ""))


def sanitize_html(html: str) -> str:
    """``html`` without what makes lxml drop the page (see the module docstring)."""
    if "&#" in html:
        html = _CHAR_REF.sub(_char_ref, html)
    html = _DOCTYPE_SUBSET.sub("<!DOCTYPE html>", html, count=1)
    return _TAG_RUN.sub(_last_tag, html)


def has_visible_text(html: str) -> bool:
    """Whether the page has any word character outside tags, scripts, styles and comments.

    >>> has_visible_text("<html><script>x()</script></html>"), has_visible_text("<p>Hi</p>")
    (False, True)
    """
    return bool(_WORD.search(_TAG.sub(" ", _INVISIBLE.sub(" ", html))))


def extract_html(html: str) -> str:
    """The text trafilatura extracts from ``html``, one paragraph per line, whitespace collapsed.

    Returns ``""`` for a page without visible text. Raises :class:`InputError` on
    markup it cannot parse at all, and when a page with text yields nothing.
    """
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InputError(f"HTML input needs trafilatura, which failed to import: {exc}") from None
    try:
        text = trafilatura.extract(sanitize_html(html), favor_recall=True, include_comments=False, include_tables=True)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"could not parse the HTML: {exc}") from None
    if not text:
        if has_visible_text(html):
            raise InputError("no text could be extracted from the HTML, though the page has text")
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line) + "\n"
