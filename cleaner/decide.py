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
from collections.abc import Sequence
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


def _smooth(keep: list[bool], scores: Sequence[float], texts: Sequence[str], ruled: Sequence[bool]) -> list[bool]:
    out = list(keep)
    for i in range(1, len(keep) - 1):
        if keep[i] or ruled[i] or len(texts[i]) > SMOOTH_MAX_CHARS or scores[i] < SMOOTH_MIN_SCORE:
            continue
        if min(scores[i - 1], scores[i + 1]) >= SMOOTH_NEIGHBOUR_SCORE and keep[i - 1] and keep[i + 1]:
            out[i] = True
    return out


def decide(
    raw_lines: Sequence[str],
    scored: Sequence[tuple[float, str, str]],
    rules: Sequence[tuple[Rule, ...]],
    options: Options,
    source: str,
) -> DocumentResult:
    """Turn ``(P(article), keep category, drop category)`` and the matching rules of each non-blank line
    into a :class:`DocumentResult`."""
    numbered = [(n, raw.rstrip("\r")) for n, raw in enumerate(raw_lines, 1) if not is_blank(raw)]
    texts = [t.strip() for _, t in numbered]
    scores = [s for s, _, _ in scored]
    ruled = [bool(r) for r in rules]
    named = [any(not r.generic for r in line_rules) for line_rules in rules]
    keep = [
        s >= options.threshold * (PHRASE_FACTOR if phrase else 1.0) or drop_cat in options.keep_categories
        for (s, _, drop_cat), phrase in zip(scored, named)
    ]
    if options.smooth:
        keep = _smooth(keep, scores, texts, ruled)
    categories = [k_cat if k else d_cat for k, (_, k_cat, d_cat) in zip(keep, scored)]
    for i, line_rules in enumerate(rules):
        hard = next((r for r in line_rules if r.hard), None)
        if hard is not None and hard.category not in options.keep_categories:
            keep[i], categories[i] = False, hard.category
        elif keep[i] and categories[i] == "title":
            furniture = next((r for r in line_rules if r.category in NEVER_TITLE and not r.generic), None)
            if furniture is not None and furniture.category not in options.keep_categories:
                keep[i], categories[i] = False, furniture.category
    headline = next((t for t, k in zip(texts, keep) if k), None)
    first_headline = texts.index(headline) if headline is not None else -1
    for i, t in enumerate(texts):
        if keep[i] and i > first_headline and t == headline and len(t) <= REPEAT_MAX_CHARS:
            keep[i], categories[i] = "repeat" in options.keep_categories, "repeat"
    decisions = tuple(
        Decision(n, text, k, cat, float(s)) for (n, text), k, cat, s in zip(numbered, keep, categories, scores)
    )
    return DocumentResult(tuple(raw_lines), decisions, _is_truncated(decisions), source)


def _is_truncated(decisions: Sequence[Decision]) -> bool:
    if any(d.category == "paywall" for d in decisions):
        return True
    kept = [d for d in decisions if d.keep and is_keep(d.category)]
    return bool(kept) and is_truncated_tail(kept[-1].text)
