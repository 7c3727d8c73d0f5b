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

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.categories import is_keep
from cleaner.distinct import distinct_values
from cleaner.options import Options
from cleaner.rules import Rule, is_truncated_tail
from cleaner.segment import join_kept

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
        return count_categories((d.keep, d.category) for d in self.decisions)

    def summary(self) -> DocumentSummary:
        """The cleaned text and the document's facts, without the decisions."""
        counts = self.counts()
        return DocumentSummary(
            self.text, self.truncated, self.source, counts["kept"], counts["dropped"], self.extraction
        )

    def metadata(self) -> dict[str, object]:
        """Document-level facts: what ``--jsonl`` adds to each document as its ``cleaner`` field."""
        return self.summary().metadata()


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What cleaning one document gives when no one asks for its lines' decisions: the cleaned text and
    the document's facts (``Cleaner.summarize``: no :class:`Decision` is made)."""

    text: str
    truncated: bool
    source: str
    kept: dict[str, int]  # lines kept per category, categories sorted
    dropped: dict[str, int]  # lines dropped per category, categories sorted
    extraction: str = ""

    def counts(self) -> dict[str, dict[str, int]]:
        """Lines kept and dropped per category."""
        return {"kept": self.kept, "dropped": self.dropped}

    def metadata(self) -> dict[str, object]:
        """Document-level facts: what ``--jsonl`` adds to each document as its ``cleaner`` field."""
        return {
            "kept_lines": sum(self.kept.values()),
            "dropped_lines": sum(self.dropped.values()),
            "dropped": self.dropped,
            "truncated": self.truncated,
            "source": self.source,
        } | ({"extraction": self.extraction} if self.extraction else {})


def count_categories(decided: Iterable[tuple[bool, str]]) -> dict[str, dict[str, int]]:
    """Lines kept and dropped per category, of ``(keep, category)`` pairs, categories sorted.

    >>> count_categories([(True, "body"), (False, "menu"), (True, "body"), (True, "title")])
    {'kept': {'body': 2, 'title': 1}, 'dropped': {'menu': 1}}
    """
    pairs = sorted(Counter(decided).items())  # counted in C, then split: (False, ...) sorts first
    return {
        "kept": {category: n for (keep, category), n in pairs if keep},
        "dropped": {category: n for (keep, category), n in pairs if not keep},
    }


Emitted = tuple[str, "Decision | None"]  # a raw input line and its decision (``None`` for a blank line)
Read = tuple[list[bool], list[str | None], list[str | None]]  # lines' keep by score, hard and furniture category


@dataclass(frozen=True, slots=True)
class ScoredLines:
    """A window's non-blank lines and what pass 1 says of them, as columns (what :class:`DecisionStream` reads)."""

    at: list[int]  # each line's place among the window's raw lines
    text: list[str]  # stripped: what the rules compare
    score: list[float]  # P(article)
    keep_cat: list[str]  # the category if kept
    drop_cat: list[str]  # the category if dropped
    rules: list[tuple[Rule, ...]]  # the rules that match it

    @classmethod
    def of(
        cls, raw_lines: Sequence[str], scored: Sequence[tuple[float, str, str]], rules: Sequence[tuple[Rule, ...]]
    ) -> ScoredLines:
        """The non-blank ``raw_lines`` with ``(P(article), keep category, drop category)`` and ``rules`` each."""
        stripped = [line.strip() for line in raw_lines]
        at = [k for k, text in enumerate(stripped) if text]
        if len(at) != len(scored) or len(scored) != len(rules):
            raise ValueError(f"{len(scored)} scores and {len(rules)} rule lists for {len(at)} non-blank lines")
        return cls(
            at,
            [stripped[k] for k in at],
            [s for s, _, _ in scored],
            [c for _, c, _ in scored],
            [c for _, _, c in scored],
            list(rules),
        )


@dataclass(frozen=True, slots=True)
class DecidedLines:
    """Raw lines given out together, blank ones included, with the decision of each non-blank one as plain
    lists: cleaning reads :meth:`keeps`, only an explanation needs :class:`Decision` objects (:meth:`emitted`)."""

    raw: list[str]
    first_n: int  # the 1-based line number of ``raw[0]``
    at: list[int]  # the place among ``raw`` of each non-blank line, in order: the lists below are theirs
    keep: list[bool]
    category: list[str]
    score: list[float]

    def keeps(self) -> list[bool]:
        """Whether each raw line is kept (a blank line counts as kept: the joiner decides about blank lines)."""
        keep = np.ones(len(self.raw), bool)
        keep[self.at] = self.keep
        return keep.tolist()

    def counted(self) -> Iterator[tuple[bool, str]]:
        """Keep and category of each non-blank line, in order."""
        return zip(self.keep, self.category)

    def emitted(self) -> Iterator[Emitted]:
        """Each raw line with its :class:`Decision` (``None`` for a blank line)."""
        slots = [-1] * len(self.raw)
        for k, a in enumerate(self.at):
            slots[a] = k
        for k, (raw, s) in enumerate(zip(self.raw, slots)):
            if s < 0:
                yield raw, None
            else:
                yield (
                    raw,
                    Decision(self.first_n + k, raw.rstrip("\r"), self.keep[s], self.category[s], float(self.score[s])),
                )


@dataclass(slots=True)
class _Lines:
    """Non-blank lines read and not yet decided, as parallel lists (the stream holds at most one between
    windows: the last line read, waiting for its right neighbour)."""

    score: list[float]
    keep_cat: list[str]
    drop_cat: list[str]
    rules: list[tuple[Rule, ...]]
    text: list[str]  # stripped: what the rules compare
    at: list[int]  # the line's place among the raw lines being given out
    keep: list[bool]  # by the threshold or a kept category, before smoothing: what smoothing reads of neighbours
    hard: list[str | None]  # the category a hard rule drops the line as (steps 1 and 4: :func:`_override`)
    furniture: list[str | None]  # the category a furniture rule drops the line as, if it is kept as a title

    def tail(self, k: int, shift: int) -> _Lines:
        """The lines from the ``k``-th on, their places moved back by ``shift``."""
        return _Lines(
            *(v[k:] for v in (self.score, self.keep_cat, self.drop_cat, self.rules, self.text)),
            [a - shift for a in self.at[k:]],
            *(v[k:] for v in (self.keep, self.hard, self.furniture)),
        )


class DecisionStream:
    """:func:`decide`, a window of lines at a time, with the same decisions as for the whole document at once.

    Each non-blank line is decided as soon as the next one is known (smoothing reads both neighbours); what
    the rest of the document needs from a window is a few facts: the headline, the texts seen before it,
    whether a paywall line was seen, the last kept line. Memory is bounded by the window, not the document:
    of the short texts before the first kept line (a later copy of the headline among them is a repeat),
    the first ``SEEN_MAX_TEXTS`` distinct ones are remembered (at most ~15 MB), far more than any page has.
    A window's lines are decided together, with numpy where every line is concerned (threshold, smoothing)
    and line by line only where few are (lines that rules match, lines before the headline).

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
        self._held: list[str] = []  # raw lines read and not yet given out: the waiting line, blank lines after it
        self._waiting = _Lines([], [], [], [], [], [], [], [], [])  # the waiting line (none, or one)
        self._before: tuple[float, bool] | None = None  # score and keep of the last decided line
        self._n = 0  # raw lines read
        self._headline: str | None = None  # the first kept line's text
        self._seen: set[str] | None = set()  # texts before the headline (a copy before it makes it a repeat)
        self._paywall = False
        self._last_kept: str | None = None

    def feed(
        self, raw_lines: Sequence[str], scored: Sequence[tuple[float, str, str]], rules: Sequence[tuple[Rule, ...]]
    ) -> Iterator[Emitted]:
        """Read the next raw lines (with ``scored`` and ``rules`` of their non-blank ones, in order); give out
        every line decided so far, blank ones with ``None``, in input order."""
        return self.feed_lines(raw_lines, ScoredLines.of(raw_lines, scored, rules)).emitted()

    def finish(self) -> Iterator[Emitted]:
        """Decide the last line and give out the rest; :attr:`truncated` is then final."""
        return self.finish_lines().emitted()

    def feed_lines(self, raw_lines: Sequence[str], scored: ScoredLines) -> DecidedLines:
        """:meth:`feed`, with the non-blank lines' scores as columns, giving :class:`DecidedLines`."""
        raw, lines = self._taken(raw_lines, scored)
        return self._give_out(raw, lines, max(len(lines.score) - 1, 0))

    def finish_lines(self) -> DecidedLines:
        """:meth:`finish`, as :class:`DecidedLines`."""
        out = self._give_out(self._held, self._waiting, len(self._waiting.score))
        self._finished()
        return out

    def feed_last(self, raw_lines: Sequence[str], scored: ScoredLines, read: Read | None = None) -> DecidedLines:
        """:meth:`feed_lines` of the document's last raw lines, then :meth:`finish_lines`, in one step: the same
        decisions, decided together (what a document of one window needs; ``--jsonl`` has many). ``read`` is
        :func:`read_lines` of ``scored`` when the caller worked it out for many documents at once."""
        raw, lines = self._taken(raw_lines, scored, read)
        out = self._give_out(raw, lines, len(lines.score))
        self._finished()
        return out

    def _taken(
        self, raw_lines: Sequence[str], scored: ScoredLines, read: Read | None = None
    ) -> tuple[list[str], _Lines]:
        """The raw lines held and these, with the lines not decided yet: the waiting one and these."""
        held = len(self._held)
        raw = self._held + list(raw_lines)
        lines = self._waiting
        if scored.at:
            keep, hard, furniture = read if read is not None else self._read(scored)
            lines = _Lines(
                lines.score + scored.score,
                lines.keep_cat + scored.keep_cat,
                lines.drop_cat + scored.drop_cat,
                lines.rules + scored.rules,
                lines.text + scored.text,
                lines.at + ([k + held for k in scored.at] if held else scored.at),
                lines.keep + keep,
                lines.hard + hard,
                lines.furniture + furniture,
            )
        self._n += len(raw_lines)
        return raw, lines

    def _finished(self) -> None:
        """Every line is decided: :attr:`truncated` is final."""
        last = self._last_kept
        self.truncated = self._paywall or (last is not None and is_truncated_tail(last))

    def _read(self, scored: ScoredLines) -> Read:
        """:func:`read_lines` of a window's new lines."""
        return read_lines(self.options, scored.score, scored.drop_cat, scored.rules)

    def _give_out(self, raw: list[str], lines: _Lines, m: int) -> DecidedLines:
        """Decide the first ``m`` of ``lines`` (the rest wait), and give out the raw lines before the first
        that waits."""
        keep, category = self._decide(lines, m) if m > 0 else ([], [])
        if m:
            last = next((i for i in range(m - 1, -1, -1) if keep[i] and is_keep(category[i])), None)
            if last is not None:
                self._last_kept = raw[lines.at[last]].rstrip("\r")
        end = lines.at[m] if m < len(lines.at) else len(raw)
        out = DecidedLines(raw[:end], self._n - len(raw) + 1, lines.at[:m], keep, category, lines.score[:m])
        self._held = raw[end:]
        self._waiting = lines.tail(m, end)
        return out

    def _decide(self, lines: _Lines, m: int) -> tuple[list[bool], list[str]]:
        """Keep and category of the first ``m`` of ``lines`` (the module's steps 1 to 4), and the facts
        later windows need (the neighbour of the next line, whether a paywall line was seen)."""
        keep = self._smoothed(lines, m)
        category = [k if kept else d for kept, k, d in zip(keep, lines.keep_cat, lines.drop_cat)]
        for i, (hard, furniture) in enumerate(zip(lines.hard[:m], lines.furniture[:m])):
            if hard is not None:
                keep[i], category[i] = False, hard
            elif furniture is not None and keep[i] and category[i] == "title":
                keep[i], category[i] = False, furniture
        self._repeats(lines.text, keep, category)
        self._before = (lines.score[m - 1], lines.keep[m - 1])
        self._paywall = self._paywall or "paywall" in category
        return keep, category

    def _smoothed(self, lines: _Lines, m: int) -> list[bool]:
        """Keep by the threshold of the first ``m`` lines, and by their neighbours (the module's step 3): a
        short dropped line that no rule matches, between two lines kept surely enough, is kept."""
        keep = np.array(lines.keep[:m], bool)
        if not self.options.smooth:
            return keep.tolist()
        score = np.array(lines.score[: m + 1], np.float64)
        sure = np.array(lines.keep[: m + 1], bool) & (score >= SMOOTH_NEIGHBOUR_SCORE)
        before = np.empty(m, bool)
        before[0] = self._before is not None and self._before[1] and self._before[0] >= SMOOTH_NEIGHBOUR_SCORE
        before[1:] = sure[: m - 1]
        after = np.zeros(m, bool)  # the last line of the document has no right neighbour
        after[: len(sure) - 1] = sure[1:]
        doubt = ~keep & before & after & (score[:m] >= SMOOTH_MIN_SCORE)
        for i in np.flatnonzero(doubt).tolist():
            keep[i] = not lines.rules[i] and len(lines.text[i]) <= SMOOTH_MAX_CHARS
        return keep.tolist()

    def _repeats(self, texts: list[str], keep: list[bool], category: list[str]) -> None:
        """A later copy of the headline (the first kept line) is a repeat (the module's step 2), in place."""
        repeat_kept = "repeat" in self.options.keep_categories
        start = 0
        if self._seen is not None:  # no headline yet
            first = next((i for i, k in enumerate(keep) if k), len(keep))
            seen = self._seen
            if len(seen) + first <= SEEN_MAX_TEXTS:  # the bound cannot be reached: no need to count
                seen.update(text for text in texts[:first] if len(text) <= REPEAT_MAX_CHARS)
            else:
                for text in texts[:first]:
                    if len(text) <= REPEAT_MAX_CHARS and len(seen) < SEEN_MAX_TEXTS:
                        seen.add(text)
            if first == len(keep):
                return
            headline = self._headline = texts[first]
            if headline in seen and len(headline) <= REPEAT_MAX_CHARS:
                keep[first], category[first] = repeat_kept, "repeat"
            self._seen, start = None, first + 1
        headline = self._headline
        if headline is None or len(headline) > REPEAT_MAX_CHARS:
            return
        for i in range(start, len(keep)):
            if keep[i] and texts[i] == headline:
                keep[i], category[i] = repeat_kept, "repeat"


def read_lines(
    options: Options, score: Sequence[float], drop_cat: Sequence[str], rules: Sequence[tuple[Rule, ...]]
) -> Read:
    """What each line's score and rules decide before its neighbours are known, worked out once per rule
    tuple: kept by the threshold (higher for a line a phrase rule names) or by a kept category, and the
    categories a hard or a furniture rule would drop it as (:func:`_override`). Each line's answer is its
    own: lines of many documents can be read at once (:func:`read_windows`)."""
    kept_categories = options.keep_categories
    sets, which = _rule_sets(rules)
    phrase = np.array([any(not r.generic for r in rule_set) for rule_set in sets], bool)[which]
    threshold = options.threshold
    keep = np.asarray(score, np.float64) >= np.where(phrase, threshold * PHRASE_FACTOR, threshold)
    if kept_categories:
        keep |= np.fromiter((c in kept_categories for c in drop_cat), bool, len(drop_cat))
    overrides = [_override(rule_set, kept_categories) for rule_set in sets]
    spread = which.tolist()
    return keep.tolist(), [overrides[k][0] for k in spread], [overrides[k][1] for k in spread]


def read_windows(options: Options, windows: Sequence[ScoredLines]) -> list[Read]:
    """:func:`read_lines` of each window's lines, worked out for all the windows at once (``--jsonl``)."""
    keep, hard, furniture = read_lines(
        options,
        [s for w in windows for s in w.score],
        [c for w in windows for c in w.drop_cat],
        [r for w in windows for r in w.rules],
    )
    out: list[Read] = []
    start = 0
    for w in windows:
        end = start + len(w.score)
        out.append((keep[start:end], hard[start:end], furniture[start:end]))
        start = end
    return out


def _override(rules: tuple[Rule, ...], kept_categories: frozenset[str]) -> tuple[str | None, str | None]:
    """What the rules a line matches do to it (the module's steps 1 and 4): the category a hard rule drops it
    as, and the category a furniture phrase rule drops it as if it was kept as ``title`` (``None``: nothing;
    a category the user keeps overrides nothing)."""
    hard = next((r for r in rules if r.hard), None)
    if hard is not None and hard.category not in kept_categories:
        return hard.category, None
    furniture = next((r for r in rules if r.category in NEVER_TITLE and not r.generic), None)
    if furniture is not None and furniture.category not in kept_categories:
        return None, furniture.category
    return None, None


def _rule_sets(rules: Sequence[tuple[Rule, ...]]) -> tuple[list[tuple[Rule, ...]], np.ndarray]:
    """The distinct rule tuples of ``rules`` (lines of one text share one tuple object) and each line's one.

    >>> a, b = (), ()
    >>> sets, which = _rule_sets([a, b, a])
    >>> len(sets), which.tolist()
    (1, [0, 0, 0])
    """
    ids = np.fromiter(map(id, rules), np.int64, len(rules))
    distinct = distinct_values(ids)
    which = np.searchsorted(distinct, ids)
    first = np.empty(len(distinct), np.int64)
    first[which[::-1]] = np.arange(len(ids) - 1, -1, -1)  # the first line of each tuple
    return [rules[k] for k in first.tolist()], which


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
