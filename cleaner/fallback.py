"""Heuristic line scores for when no model can be used (``--no-model`` or no model file).

Named rules, applied in order; the first that fires decides:

1. ``rules.py`` patterns (newsletter, paywall, captions, ...): drop with the rule's category;
2. trafilatura's own text filter (share buttons, "Print", "Mehr zum Thema"): drop as ``social``;
3. sentence-like lines (``SENTENCE_MIN_WORDS`` words and terminal punctuation), and any line of
   ``LONG_LINE_WORDS`` words or more: keep as ``body``;
4. a line above the first article line, at most ``TITLE_LOOKAHEAD`` lines above it: keep as ``title``;
5. a short line between article lines (within ``BODY_REACH`` lines on both sides): keep as ``heading``
   if it has no terminal punctuation, else ``body``;
6. a line with terminal punctuation and at least ``MIN_BODY_WORDS`` words: keep as ``body``;
7. any other line inside the article block (between its first and last sentence-like line), where
   lists, tables and subheads live: keep as ``body``;
8. anything else (short, outside the article block): drop as ``other``.

>>> lines = ["Skip to content", "Title here", "A long article sentence with many words in it.", "Subhead",
...          "Another long sentence with enough words in it.", "Share"]
>>> [c for _, c in fallback_scores(lines)]
['navigation', 'title', 'body', 'heading', 'body', 'social']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleaner.features import LineShape, line_shape

TITLE_LOOKAHEAD = 3  # a title is followed by article text within this many lines
BODY_REACH = 2  # a subhead has article text at most this many lines above and below
MIN_BODY_WORDS = 4  # a short punctuated line with fewer words outside the block is furniture
LONG_LINE_WORDS = 30  # menus and prompts are never this long, punctuated or not
KEEP_SCORE, UNSURE_KEEP, DROP_SCORE = 0.9, 0.6, 0.03  # below any default threshold, above SMOOTH_MIN_SCORE

# trafilatura.utils.RE_FILTER, copied so the fallback does not import trafilatura (0.3 s) for one regex;
# tests/test_fallback.py checks it still equals trafilatura's.
TRAFILATURA_FILTER = re.compile(
    r"\W*(Drucken|E-?Mail|Facebook|Flipboard|Google|Instagram|Linkedin|Mail|PDF|Pinterest|Pocket|Print|QQ|"
    r"Reddit|Twitter|WeChat|WeiBo|Whatsapp|Xing|Mehr zum Thema:?|More on this.{,8}$)$",
    re.IGNORECASE,
)


def _near(indices: Sequence[int], i: int, reach: int, above: bool) -> bool:
    return any(0 < (i - j if above else j - i) <= reach for j in indices)


def _score_line(i: int, text: str, shape: LineShape, sentences: Sequence[int]) -> tuple[float, str]:
    if shape.rules:
        return DROP_SCORE, shape.rules[0].category
    if TRAFILATURA_FILTER.match(text):
        return DROP_SCORE, "social"
    if shape.sentence or len(shape.words) >= LONG_LINE_WORDS:
        return KEEP_SCORE, "body"
    if sentences and 0 < sentences[0] - i <= TITLE_LOOKAHEAD:
        return UNSURE_KEEP, "title"
    punctuated = shape.terminal.split("+")[0] in ("dot", "bang", "q", "ellipsis")
    if _near(sentences, i, BODY_REACH, above=True) and _near(sentences, i, BODY_REACH, above=False):
        return UNSURE_KEEP, "body" if punctuated else "heading"
    if punctuated and len(shape.words) >= MIN_BODY_WORDS:
        return UNSURE_KEEP, "body"
    if sentences and sentences[0] < i < sentences[-1]:
        return UNSURE_KEEP, "body"
    return DROP_SCORE, "other"


def fallback_scores(texts: Sequence[str], shapes: Sequence[LineShape] | None = None) -> list[tuple[float, str]]:
    """``(P(article), category)`` for each stripped non-blank line, from the named heuristics."""
    if shapes is None:
        shapes = [line_shape(t) for t in texts]
    sentences = [i for i, s in enumerate(shapes) if s.sentence]
    return [_score_line(i, t, s, sentences) for i, (t, s) in enumerate(zip(texts, shapes))]
