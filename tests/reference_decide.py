"""``cleaner.decide.DecisionStream`` as first written: one Python object per line, decided one at a time.

The package decides a window's lines together (numpy where every line is concerned); this is the
straightforward code its decisions must equal (``tests/test_decide.py``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cleaner.categories import is_keep
from cleaner.decide import (
    NEVER_TITLE,
    PHRASE_FACTOR,
    REPEAT_MAX_CHARS,
    SEEN_MAX_TEXTS,
    SMOOTH_MAX_CHARS,
    SMOOTH_MIN_SCORE,
    SMOOTH_NEIGHBOUR_SCORE,
    Decision,
    Emitted,
)
from cleaner.options import Options
from cleaner.rules import Rule, is_truncated_tail
from cleaner.segment import is_blank


@dataclass(slots=True)
class _Line:
    """A non-blank line on its way through :class:`ReferenceStream`."""

    n: int
    raw: str  # without its line ending's ``\r``: what :class:`Decision` shows
    text: str  # stripped: what the rules compare
    score: float
    keep_cat: str
    drop_cat: str
    rules: tuple[Rule, ...]
    keep: bool  # by the threshold or a kept category, before smoothing: what smoothing reads of neighbours
    decision: Decision | None = None


class ReferenceStream:
    """The old ``DecisionStream``: each non-blank line decided as soon as its successor is read."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.truncated = False  # final after :meth:`finish`
        self._queue: deque[tuple[str, _Line | None]] = deque()  # raw lines read and not yet given out
        self._before: _Line | None = None  # the last decided line (the left neighbour of ``_pending``)
        self._pending: _Line | None = None  # the last line read, waiting for its right neighbour
        self._n = 0
        self._headline: str | None = None  # the first kept line's text
        self._seen: set[str] | None = set()  # texts before the headline (a copy before it makes it a repeat)
        self._paywall = False
        self._last_kept: str | None = None

    def feed(
        self, raw_lines: Sequence[str], scored: Sequence[tuple[float, str, str]], rules: Sequence[tuple[Rule, ...]]
    ) -> Iterator[Emitted]:
        """Read the next raw lines (with ``scored`` and ``rules`` of their non-blank ones, in order); give out
        every line decided so far, blank ones with ``None``, in input order."""
        threshold = self.options.threshold
        phrase_threshold = threshold * PHRASE_FACTOR  # a phrase rule's line must score higher to be kept
        keep_categories = self.options.keep_categories
        append = self._queue.append
        lines = iter(zip(scored, rules, strict=True))
        for raw in raw_lines:  # the hot loop of every cleaned line: attributes are read once, above
            self._n += 1
            if is_blank(raw):
                append((raw, None))
                continue
            (score, keep_cat, drop_cat), line_rules = next(lines)
            phrase = bool(line_rules) and any(not r.generic for r in line_rules)
            keep = score >= (phrase_threshold if phrase else threshold) or drop_cat in keep_categories
            line = _Line(self._n, raw.rstrip("\r"), raw.strip(), score, keep_cat, drop_cat, line_rules, keep)
            append((raw, line))
            if self._pending is not None:
                self._decide(self._pending, self._before, line)
                self._before = self._pending
            self._pending = line
        if next(lines, None) is not None:
            raise ValueError("more scores than non-blank lines")
        yield from self._emit()

    def finish(self) -> Iterator[Emitted]:
        """Decide the last line and give out the rest; :attr:`truncated` is then final."""
        if self._pending is not None:
            self._decide(self._pending, self._before, None)
            self._before = self._pending = None
        yield from self._emit()
        last = self._last_kept
        self.truncated = self._paywall or (last is not None and is_truncated_tail(last))

    def _emit(self) -> Iterator[Emitted]:
        queue = self._queue
        while queue and (queue[0][1] is None or queue[0][1].decision is not None):  # type: ignore[union-attr]
            raw, line = queue.popleft()
            yield raw, (line.decision if line is not None else None)

    def _smoothed(self, line: _Line, before: _Line | None, after: _Line | None) -> bool:
        """Whether a dropped line is kept by its neighbours (see the module's step 3)."""
        if not self.options.smooth or before is None or after is None or line.keep or line.rules:
            return line.keep
        if len(line.text) > SMOOTH_MAX_CHARS or line.score < SMOOTH_MIN_SCORE:
            return False
        return min(before.score, after.score) >= SMOOTH_NEIGHBOUR_SCORE and before.keep and after.keep

    def _decide(self, line: _Line, before: _Line | None, after: _Line | None) -> None:
        options = self.options
        keep = self._smoothed(line, before, after)
        category = line.keep_cat if keep else line.drop_cat
        hard = next((r for r in line.rules if r.hard), None) if line.rules else None
        if hard is not None and hard.category not in options.keep_categories:
            keep, category = False, hard.category
        elif keep and category == "title" and line.rules:
            furniture = next((r for r in line.rules if r.category in NEVER_TITLE and not r.generic), None)
            if furniture is not None and furniture.category not in options.keep_categories:
                keep, category = False, furniture.category
        short = len(line.text) <= REPEAT_MAX_CHARS
        if self._seen is not None:  # no headline yet
            if keep:
                self._headline, seen_before, self._seen = line.text, line.text in self._seen, None
                if seen_before and short:
                    keep, category = "repeat" in options.keep_categories, "repeat"
            elif short and len(self._seen) < SEEN_MAX_TEXTS:
                self._seen.add(line.text)
        elif keep and short and line.text == self._headline:
            keep, category = "repeat" in options.keep_categories, "repeat"
        line.decision = Decision(line.n, line.raw, keep, category, float(line.score))
        self._paywall = self._paywall or category == "paywall"
        if keep and is_keep(category):
            self._last_kept = line.raw
