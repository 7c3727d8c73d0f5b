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
from collections.abc import Iterator, Sequence

_HTML_START = re.compile(r"\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
HTML_SNIFF_CHARS = 1024  # how much of the start of a document is checked for an HTML tag
LINE_CHUNK_CHARS = 1 << 20  # iter_line_chunks splits this much text at a time


def split_lines(text: str) -> list[str]:
    """Split ``text`` into raw lines (without the ``\n``), dropping one final newline."""
    return _split(_unix_lone_cr(text))


def _split(text: str) -> list[str]:
    lines = text.split("\n") if text else []
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def iter_line_chunks(text: str, chunk_chars: int = LINE_CHUNK_CHARS) -> Iterator[list[str]]:
    """:func:`split_lines`, lazily, as lists of about ``chunk_chars`` characters of lines each: a document of
    millions of lines is never one list.

    >>> list(iter_line_chunks("a\\n\\nb\\nc\\n", chunk_chars=2))
    [['a', ''], ['b', 'c']]
    """
    text = _unix_lone_cr(text)
    start = 0
    while start < len(text):
        end = text.find("\n", start + chunk_chars)
        if end < 0:
            yield _split(text[start:])
            return
        yield text[start:end].split("\n")
        start = end + 1


def _unix_lone_cr(text: str) -> str:
    """``text`` with old-Mac line ends (mostly lone ``\r``) turned into ``\n``; any other text as it is."""
    if "\r" in text and _mostly_lone_cr(text):
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


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
    return KeptJoiner().add_lines(lines, keep)


class KeptJoiner:
    """:func:`join_kept` a window of lines at a time: :meth:`add_lines` gives the text to write for them (a
    blank line is held until a kept text line follows it, so it may come out with a later window).

    >>> joiner = KeptJoiner()
    >>> [joiner.add_lines(lines, [True] * len(lines)) for lines in (["", "a", ""], ["", "b", ""])]
    ['a\\n', '\\nb\\n']
    """

    __slots__ = ("_blank", "_started")

    def __init__(self) -> None:
        self._started = False  # a text line was written: a blank line may follow
        self._blank: str | None = None  # the blank line held until the next kept text line

    def add_lines(self, lines: Sequence[str], keep: Sequence[bool]) -> str:
        """The text to write for ``lines``, each kept or not by ``keep``.

        >>> KeptJoiner().add_lines(["", "a", "", "", "b", "x", ""], [True] * 5 + [False, True])
        'a\\n\\nb\\n'
        """
        out = []
        started, blank = self._started, self._blank
        for line, kept in zip(lines, keep):
            if not kept:
                continue
            if not line.strip():
                if started and blank is None:
                    blank = line
                continue
            if blank is not None:
                out.append(f"{blank}\n{line}\n")
                blank = None
            else:
                out.append(line + "\n")
            started = True
        self._started, self._blank = started, blank
        return "".join(out)


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
