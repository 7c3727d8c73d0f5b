"""Split a document into lines and join kept lines back together.

Line-ending policy: lines are separated by ``\\n``; a ``\\r`` before it stays
part of the raw line, so CRLF input gives CRLF output, byte for byte. A
document whose line ends are mostly lone ``\\r`` (old Mac files, perhaps with
one ``\\n`` at the end) is split on ``\\r`` and written back with ``\\n``.

>>> split_lines("Title\\n\\nBody.\\n")
['Title', '', 'Body.']
>>> split_lines("a\\rb\\rc\\n")
['a', 'b', 'c']
>>> join_kept(["a", "", "", "b", ""], [True, True, True, False, True])
'a\\n'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HTML_START = re.compile(r"\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
HTML_SNIFF_CHARS = 1024  # how much of the start of a document is checked for an HTML tag


def split_lines(text: str) -> list[str]:
    """Split ``text`` into raw lines (without the ``\\n``), dropping one final newline."""
    if "\r" in text and _mostly_lone_cr(text):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _mostly_lone_cr(text: str) -> bool:
    """Whether lone ``\\r`` outnumber the other line ends (``\\n``, ``\\r\\n``): an old Mac file."""
    crlf = text.count("\r\n")
    return text.count("\r") - crlf >= text.count("\n")


def is_blank(line: str) -> bool:
    """A line with nothing but whitespace."""
    return not line.strip()


def looks_like_html(text: str) -> bool:
    """Whether ``text`` starts like an HTML document (doctype, ``<html>``, ``<head>``, ``<body>``).

    >>> looks_like_html("<!DOCTYPE html><html>"), looks_like_html("Plain text <b>")
    (True, False)
    """
    return bool(_HTML_START.match(text[:HTML_SNIFF_CHARS].lstrip("\ufeff")))


def join_kept(lines: Sequence[str], keep: Sequence[bool]) -> str:
    """Join the kept lines; blank lines survive only singly and between kept text lines.

    Blank input lines count as kept or not by ``keep`` too; runs of blank lines
    left behind collapse to one and leading or trailing blanks go.
    """
    out: list[str] = []
    pending_blank: str | None = None
    for line, k in zip(lines, keep):
        if not k:
            continue
        if is_blank(line):
            if out and pending_blank is None:
                pending_blank = line
            continue
        if pending_blank is not None:
            out.append(pending_blank)
            pending_blank = None
        out.append(line)
    return "\n".join(out) + "\n" if out else ""


def match_final_newline(original: str, cleaned: str) -> str:
    """``cleaned`` (which always ends with a line break) without its final one when ``original`` has none:
    a dataset's text field keeps its ending.

    >>> match_final_newline("Title\\r\\nBody", "Title\\r\\nBody\\n"), match_final_newline("Body\\n", "Body\\n")
    ('Title\\r\\nBody', 'Body\\n')
    >>> match_final_newline("Title\\r\\nBody", "Title\\r\\n")
    'Title'
    """
    if original.endswith(("\n", "\r")) or not cleaned.endswith("\n"):
        return cleaned
    return cleaned[:-1].removesuffix("\r")
