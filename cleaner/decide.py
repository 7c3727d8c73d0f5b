"""From per-line scores to decisions: threshold, repeat rule, neighbour smoothing, document flags.

Pass 1 (the model or the fallback) gives each non-blank line ``P(article)`` and
a category; this module turns that into keep/drop:

1. keep when the score reaches the threshold, or the category is one the user keeps; a line that
   a *hard* rule matches (``rules.py``: whole lines no article contains) is dropped regardless;
2. a later copy of the headline (the first kept line) is dropped as ``repeat``;
3. smoothing: a short dropped line that no rule marks as boilerplate and that
   sits between two confidently kept article lines is kept (a subhead the model
   doubted), so one uncertain line cannot punch a hole in a story;
4. a line kept as ``title`` that a navigation, meta, publisher, social, legal or comments phrase
   rule matches (a skip link, byline, section label, site name) is dropped with the rule's category:
   such lines are never the headline (shape rules such as "a | b | c" do not count: headlines have those);
5. the document is ``truncated`` when a paywall line (a truncation or subscriber notice) is present
   or the last kept line is cut off ("...less tha...", "[…]"). Update notes, corrections, tags and
   app prompts have their own categories (meta, navigation, promo) and never set it.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cleaner.categories import is_keep
from cleaner.options import Options
from cleaner.rules import Rule, is_truncated_tail
from cleaner.segment import is_blank, join_kept

SMOOTH_MAX_CHARS = 120  # only short lines (subheads, one-liners) are rescued by their neighbours
SMOOTH_MIN_SCORE = 0.02  # ...and only if the model gave them at least this much chance of being article
SMOOTH_NEIGHBOUR_SCORE = 0.8  # the neighbours on both sides must be this sure to be article
# a line a phrase rule names ("Support us", "Lees ook: ...", an update note) must reach this many times the
# threshold: on the train splits (aeb + a third of WCXB, ~90k body lines) 5x the v2 threshold (0.3) drops 158 more
# body lines (mostly "READ MORE: ..." teasers and editor's notes that WCXB's gold keeps) and 1,079 more noise lines
PHRASE_FACTOR = 5.0
REPEAT_MAX_CHARS = 300  # a repeated headline is short; long repeats (pull quotes) count as body in the data
SEEN_MAX_TEXTS = 50_000  # texts remembered before the headline: bounds memory when no line is ever kept
NEVER_TITLE = frozenset(
    {"navigation", "meta", "publisher", "social", "legal", "comments"}
)  # rule categories of page furniture


@dataclass(frozen=True, slots=True)
class Decision:
    """What happened to one non-blank input line."""

    n: int  # 1-based line number in the input
    text: str  # the line without its line ending
    keep: bool
    category: str
    score: float  # P(article) from the model or the heuristics
    extraction: str = ""  # HTML input: where the line came from ("page blocks + trafilatura default", ...)
    decided_by: str = ""  # HTML input: which model (or rule) decided it

    def as_record(self) -> dict[str, object]:
        """The ``--explain`` record (without the file name); HTML lines add ``extraction`` and ``model``."""
        record: dict[str, object] = {
            "n": self.n,
            "keep": self.keep,
            "category": self.category,
            "score": round(self.score, 4),
        }
        if self.extraction:
            record |= {"extraction": self.extraction, "model": self.decided_by}
        record["text"] = self.text
        return record


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Decisions for one document and the facts derived from them."""

    lines: tuple[str, ...]  # raw input lines (after HTML extraction, when the input was HTML)
    decisions: tuple[Decision, ...]  # one per non-blank line, in order
    truncated: bool
    source: str  # "model" or "rules": what scored the lines ("html-model" for HTML scored by the HTML model)
    extraction: str = ""  # HTML input: where the lines came from

    @property
    def text(self) -> str:
        """The cleaned text: kept lines, byte-identical, blank runs collapsed."""
        dropped = {d.n for d in self.decisions if not d.keep}
        return join_kept(self.lines, [n not in dropped for n in range(1, len(self.lines) + 1)])

    def counts(self) -> dict[str, dict[str, int]]:
        """Lines kept and dropped per category."""
        kept = Counter(d.category for d in self.decisions if d.keep)
        dropped = Counter(d.category for d in self.decisions if not d.keep)
        return {"kept": dict(sorted(kept.items())), "dropped": dict(sorted(dropped.items()))}

    def metadata(self) -> dict[str, object]:
        """Document-level facts: what ``--jsonl`` adds to each document as its ``cleaner`` field."""
        counts = self.counts()
        return {
            "kept_lines": sum(counts["kept"].values()),
            "dropped_lines": sum(counts["dropped"].values()),
            "dropped": counts["dropped"],
            "truncated": self.truncated,
            "source": self.source,
        } | ({"extraction": self.extraction} if self.extraction else {})


@dataclass(slots=True)
class _Line:
    """A non-blank line on its way through :class:`DecisionStream`."""

    n: int
    raw: str  # without its line ending's ``\r``: what :class:`Decision` shows
    text: str  # stripped: what the rules compare
    score: float
    keep_cat: str
    drop_cat: str
    rules: tuple[Rule, ...]
    keep: bool  # by the threshold or a kept category, before smoothing: what smoothing reads of neighbours
    decision: Decision | None = None


Emitted = tuple[str, "Decision | None"]  # a raw input line and its decision (``None`` for a blank line)


class DecisionStream:
    """:func:`decide`, a window of lines at a time, with the same decisions as for the whole document at once.

    Each non-blank line is decided as soon as the next one is known (smoothing reads both neighbours); what
    the rest of the document needs from a window is a few facts: the headline, the texts seen before it,
    whether a paywall line was seen, the last kept line. Memory is bounded by the window, not the document:
    of the short texts before the first kept line (a later copy of the headline among them is a repeat),
    the first ``SEEN_MAX_TEXTS`` distinct ones are remembered (at most ~15 MB), far more than any page has.

    >>> stream = DecisionStream(Options())
    >>> out = list(stream.feed(["Home", "", "A story, long enough to be article text."], [(0.01, "body", "navigation"),
    ...     (0.9, "body", "noise")], [(), ()]))
    >>> [(raw, d and (d.keep, d.category)) for raw, d in out]  # the last line waits for its successor
    [('Home', (False, 'navigation')), ('', None)]
    >>> [(raw, d.keep) for raw, d in stream.finish()], stream.truncated
    ([('A story, long enough to be article text.', True)], False)
    """

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


def decide(
    raw_lines: Sequence[str],
    scored: Sequence[tuple[float, str, str]],
    rules: Sequence[tuple[Rule, ...]],
    options: Options,
    source: str,
) -> DocumentResult:
    """Turn ``(P(article), keep category, drop category)`` and the matching rules of each non-blank line
    into a :class:`DocumentResult`."""
    stream = DecisionStream(options)
    emitted = [*stream.feed(raw_lines, scored, rules), *stream.finish()]
    decisions = tuple(d for _, d in emitted if d is not None)
    return DocumentResult(tuple(raw_lines), decisions, stream.truncated, source)
