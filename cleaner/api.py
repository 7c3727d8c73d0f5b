"""The public API: ``clean``, ``classify`` and the reusable :class:`Cleaner`.

>>> text = ("Skip to content\\nHeadline of the story\\n"
...         "The minister resigned on Tuesday after weeks of pressure, aides said.\\n")
>>> print(clean(text), end="")
Headline of the story
The minister resigned on Tuesday after weeks of pressure, aides said.
>>> [(d.n, d.keep, d.category) for d in classify(text).decisions]
[(1, False, 'navigation'), (2, True, 'title'), (3, True, 'body')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cleaner.categories import is_keep
from cleaner.context import context_matrices
from cleaner.decide import (
    DecidedLines,
    Decision,
    DecisionStream,
    DocumentResult,
    DocumentSummary,
    ScoredLines,
    count_categories,
    decide,
    read_windows,
)
from cleaner.fallback import fallback_scores
from cleaner.features import batch_groups, line_shape
from cleaner.model import LinearModel, default_model_path, load_model
from cleaner.options import Options
from cleaner.rules import Rule, match_rules
from cleaner.segment import KeptJoiner, iter_line_chunks, looks_like_html

if TYPE_CHECKING:
    from cleaner.htmlinput import ScoredBlocks
    from cleaner.htmlmodel import HtmlModel

Scored = list[tuple[float, str, str]]  # (P(article), category if kept, category if dropped) per line
Columns = tuple[list[float], list[str], list[str], list[tuple[Rule, ...]]]  # scores, keep and drop categories, rules
WINDOW_LINES = 5_000  # longer documents are scored in windows of this many lines: bounds memory, no article is longer


def model_scores(model: LinearModel, texts: list[str]) -> Columns:
    """Score stripped non-blank lines with the model: stage 1 per line, then stage 2 in context (if any).

    The drop category of a line a phrase rule matches is that rule's category (the first that
    matches): rules name closed sets of phrases in many languages, the model's classes were learnt
    mostly from English. Shape rules (separators, times) name a line only the model calls ``noise``.
    """
    return model_scores_many(model, [texts])[0]


def model_scores_many(model: LinearModel, documents: Sequence[list[str]]) -> list[Columns]:
    """:func:`model_scores` of each document's lines, the same numbers: features and stage-2 context are
    each document's own, but they are computed, and stage 1's sums and stage 2's trees run, once over all
    the documents' lines. Each call has a fixed cost of a few hundred numpy calls, which small documents
    (``--jsonl``, ``batch``) then share instead of paying each."""
    groups = batch_groups(documents)
    sizes = np.array([len(texts) for texts in documents], np.int64)
    probs, keep_logit, category_logit = model.scores_grouped(groups)
    named = [_named_category(f.shape.rules) for f in groups.facts]  # per distinct text
    text_index = groups.text_index
    ruled = np.fromiter((c is not None for c in named), bool, len(named))[text_index]
    if model.stage2 is not None:
        context = context_matrices(keep_logit, groups.length, ruled, category_logit, sizes)
        keep_logit = model.stage2.decision(context).astype(np.float64)
    keep_p = (1.0 / (1.0 + np.exp(-keep_logit))).tolist()
    keep_mask = model.keep_mask
    classes = np.array(model.classes)
    keep_cat = classes[keep_mask][probs[:, keep_mask].argmax(axis=1)].tolist()
    drop_cat = classes[~keep_mask][probs[:, ~keep_mask].argmax(axis=1)].tolist()
    for i in np.flatnonzero(ruled).tolist():
        phrase, category = named[text_index[i]]  # type: ignore[misc]
        if phrase or drop_cat[i] == "noise":
            drop_cat[i] = category
    rules = groups.line_rules()
    ends = np.cumsum(sizes).tolist()
    return [(keep_p[a:b], keep_cat[a:b], drop_cat[a:b], rules[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _named_category(rules: tuple[Rule, ...]) -> tuple[bool, str] | None:
    """What the rules a line matches say it is: a phrase rule's category (``True``, the first phrase rule's),
    a shape rule's (``False``: only for a line the model calls ``noise``), or nothing."""
    if not rules:
        return None
    named = next((r for r in rules if not r.generic), None)
    return (True, named.category) if named is not None else (False, rules[0].category)


def heuristic_scores(texts: list[str]) -> Columns:
    """Score stripped non-blank lines with the named fallback rules."""
    shapes = [line_shape(t) for t in texts]
    scores = fallback_scores(texts, shapes)
    return (
        [s for s, _ in scores],
        ["body" if not is_keep(c) else c for _, c in scores],
        ["other" if is_keep(c) else c for _, c in scores],
        [s.rules for s in shapes],
    )


def check_text(text: object) -> None:
    """Raise a :class:`TypeError` that says what to do when ``text`` is not a ``str``.

    >>> check_text(b"Skip to content")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: cleaner cleans str, not bytes: decode it first, e.g. data.decode('utf-8'), or ...
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"cleaner cleans str, not {type(text).__name__}: decode it first, e.g. data.decode('utf-8'), "
            "or cleaner.textio.decode_bytes(data) to detect the encoding"
        )
    if not isinstance(text, str):
        raise TypeError(f"cleaner cleans str, not {type(text).__name__}")


class Cleaner:
    """Loads the model once and cleans many documents.

    ``model`` wins over ``model_path``; with neither, the shipped model (or
    ``$CLEANER_MODEL``) is used, and the heuristics when there is none:
    ``warning`` then says so. Raises :class:`~cleaner.errors.ModelError` for a
    model file that is given but cannot be used.

    >>> Cleaner(Options(use_model=False)).source
    'rules'
    """

    __slots__ = ("_html_model", "html_model_path", "model", "options", "warning")

    def __init__(
        self,
        options: Options | None = None,
        model_path: Path | None = None,
        model: LinearModel | None = None,
        html_model_path: Path | None = None,
        html_model: HtmlModel | None = None,
    ) -> None:
        if options is not None and not isinstance(options, Options):
            raise TypeError(f"options must be a cleaner.Options, got {type(options).__name__}")
        self.options = options or Options()
        self.warning: str | None = None
        self.html_model_path = html_model_path  # None: the default one, found on the first HTML page
        self._html_model: HtmlModel | bool | None = False  # False: not loaded yet (loaded on the first HTML page)
        if html_model is not None:  # a model given in memory (training scores its candidate so) wins over any file
            self._html_model = html_model if self.options.use_model else None
        if not self.options.use_model:
            self.model = None
            self.warning = "cleaner: --no-model: using heuristic rules instead of the model"
        elif model is not None:
            self.model = model
        else:
            path = model_path or default_model_path()
            self.model = load_model(path) if path is not None else None
            if self.model is None:
                self.warning = "cleaner: no model file found; using heuristic rules (quality is lower)"

    @property
    def source(self) -> str:
        """What scores the lines: ``"model"`` or ``"rules"``."""
        return "model" if self.model is not None else "rules"

    @property
    def html_model(self) -> HtmlModel | None:
        """The HTML line model (loaded on first use); ``None`` without models or with ``--no-model``."""
        if self._html_model is False:  # the HTML modules are imported on the first HTML page: 15 ms of a start
            from cleaner.htmlmodel import default_html_model_path, load_html_model

            path = self.html_model_path or default_html_model_path()
            use = self.options.use_model and path is not None
            self._html_model = load_html_model(path) if use else None  # type: ignore[arg-type]
        return self._html_model  # type: ignore[return-value]

    def classify(self, text: str, html: bool | None = None) -> DocumentResult:
        """Decide every line of ``text``; ``html=None`` sniffs for an HTML document."""
        check_text(text)
        if html or (html is None and looks_like_html(text)):
            return self.classify_html(text)
        return self._classify_text(text)

    def classify_html(self, page: str) -> DocumentResult:
        """Decide the lines of an HTML page: its text blocks by the HTML model, else trafilatura's text.

        Each decision records the extraction its line came from and what decided it.
        """
        from cleaner.htmlinput import FALLBACK_EXTRACTION, extract_html, score_blocks  # HTML only: 10 ms of a start

        model = self.html_model
        blocks = score_blocks(page, model) if model is not None else None
        if model is not None and blocks is not None:
            result = self._decide_blocks(blocks, model)
            if any(d.keep for d in result.decisions):
                return result
        # no HTML model, no text blocks, or nothing kept: never return less than trafilatura would
        result = self._classify_text(extract_html(page))
        decided_by = f"text model {self.model.meta.get('name', 'v1')}" if self.model is not None else "rules"
        decisions = tuple(replace(d, extraction=FALLBACK_EXTRACTION, decided_by=decided_by) for d in result.decisions)
        return replace(result, decisions=decisions, extraction=FALLBACK_EXTRACTION)

    def _decide_blocks(self, blocks: ScoredBlocks, model: HtmlModel) -> DocumentResult:
        from cleaner.htmlinput import HEADING_TAGS

        rules = [match_rules(t) for t in blocks.texts]
        scored: Scored = []
        for p, tag, line_rules in zip(blocks.scores.tolist(), blocks.tags, rules):
            drop = line_rules[0].category if line_rules else "noise"
            scored.append((p, "heading" if tag in HEADING_TAGS else "body", drop))
        result = decide(list(blocks.texts), scored, rules, self.options, "html-model")
        decisions = tuple(
            replace(d, extraction=blocks.extraction, decided_by=_decider(model, d, line_rules, self.options.threshold))
            for d, line_rules in zip(result.decisions, rules)
        )
        return replace(result, decisions=decisions, extraction=blocks.extraction)

    def _classify_text(self, text: str) -> DocumentResult:
        stream = DecisionStream(self.options)
        emitted = [pair for window in self._decided_windows(text, stream) for pair in window.emitted()]
        decisions = tuple(d for _, d in emitted if d is not None)
        return DocumentResult(tuple(raw for raw, _ in emitted), decisions, stream.truncated, self.source)

    def iter_clean(self, text: str, html: bool | None = None) -> Iterator[str]:
        """:meth:`clean`, in pieces whose concatenation is the cleaned text: a plain-text document of
        millions of lines goes through in windows of ``WINDOW_LINES``, in memory bounded by the window."""
        check_text(text)
        if html or (html is None and looks_like_html(text)):
            yield self.classify_html(text).text
            return
        joiner = KeptJoiner()
        for window in self._decided_windows(text, DecisionStream(self.options)):
            yield joiner.add_lines(window.raw, window.keeps())

    def summarize(self, text: str, html: bool | None = None) -> DocumentSummary:
        """The cleaned text of ``text`` and the document's facts (``classify(...).summary()``), without making
        a :class:`Decision` per line: what ``--jsonl`` and ``batch`` need when no explanation is asked."""
        check_text(text)
        if html or (html is None and looks_like_html(text)):
            return self.classify_html(text).summary()
        stream = DecisionStream(self.options)
        return self._summarized(self._decided(self._scored(self._windows(text)), stream), stream)

    def summarize_many(self, texts: Sequence[str], html: bool | None = None) -> list[DocumentSummary]:
        """:meth:`summarize` of each text, the same summaries: plain-text documents of one window are scored
        together, up to ``WINDOW_LINES`` lines at a time (:func:`model_scores_many`), so that many small
        documents (``--jsonl``) share the fixed cost of scoring."""
        summaries: list[DocumentSummary | None] = [None] * len(texts)
        batch: list[tuple[int, list[str], list[str], list[int]]] = []  # (which text, raw lines, texts, at)
        lines = 0
        for k, text in enumerate(texts):
            check_text(text)
            if html or (html is None and looks_like_html(text)):
                summaries[k] = self.classify_html(text).summary()
                continue
            cut = self._windows(text)
            windows = list(islice(cut, 2))
            if len(windows) != 1:  # an empty text or a long one: on its own, from the windows already cut
                stream = DecisionStream(self.options)
                summaries[k] = self._summarized(self._decided(self._scored(chain(windows, cut)), stream), stream)
                continue
            if lines + len(windows[0][1]) > WINDOW_LINES:
                self._summarize_batch(batch, summaries)
                batch, lines = [], 0
            batch.append((k, *windows[0]))
            lines += len(windows[0][1])
        self._summarize_batch(batch, summaries)
        return summaries  # type: ignore[return-value]

    def _summarize_batch(
        self, batch: list[tuple[int, list[str], list[str], list[int]]], summaries: list[DocumentSummary | None]
    ) -> None:
        """Summarize documents of one window each, scored together, into their places in ``summaries``."""
        scored = self._score_windows([(texts, at) for _, _, texts, at in batch])
        reads = read_windows(self.options, scored)
        for (k, raw, _, _), window, read in zip(batch, scored, reads):
            stream = DecisionStream(self.options)
            summaries[k] = self._summarized([stream.feed_last(raw, window, read)], stream)

    def _summarized(self, decided: Iterable[DecidedLines], stream: DecisionStream) -> DocumentSummary:
        """The summary of a document's ``decided`` windows, as ``stream`` decides them."""
        joiner = KeptJoiner()
        pieces: list[str] = []

        def counted() -> Iterator[tuple[bool, str]]:  # counted as they come: memory bounded by the window
            for window in decided:
                pieces.append(joiner.add_lines(window.raw, window.keeps()))
                yield from window.counted()

        counts = count_categories(counted())
        return DocumentSummary("".join(pieces), stream.truncated, self.source, counts["kept"], counts["dropped"])

    def iter_decisions(self, text: str, html: bool | None = None) -> Iterator[Decision]:
        """The decisions of :meth:`classify`, a window at a time: what ``--explain`` writes as it goes, so a
        plain-text document of millions of lines never has all its decisions in memory at once."""
        check_text(text)
        if html or (html is None and looks_like_html(text)):
            yield from self.classify_html(text).decisions
            return
        for window in self._decided_windows(text, DecisionStream(self.options)):
            yield from (d for _, d in window.emitted() if d is not None)

    def _decided_windows(self, text: str, stream: DecisionStream) -> Iterator[DecidedLines]:
        """The raw lines of plain ``text`` with their decisions, a window at a time as ``stream`` decides
        them, then the last ones when it finishes."""
        return self._decided(self._scored(self._windows(text)), stream)

    @staticmethod
    def _decided(scored: Iterable[tuple[list[str], ScoredLines]], stream: DecisionStream) -> Iterator[DecidedLines]:
        """The ``scored`` windows' raw lines with their decisions as ``stream`` decides them, then the last ones."""
        for raw, lines in scored:
            yield stream.feed_lines(raw, lines)
        yield stream.finish_lines()

    def _scored(
        self, windows: Iterable[tuple[list[str], list[str], list[int]]]
    ) -> Iterator[tuple[list[str], ScoredLines]]:
        """Each window's raw lines (:meth:`_windows`), with the scores and rules of their non-blank lines."""
        for raw, texts, at in windows:
            yield raw, self._score_window(texts, at)

    @staticmethod
    def _windows(text: str) -> Iterator[tuple[list[str], list[str], list[int]]]:
        """The raw lines of ``text`` a window at a time (``WINDOW_LINES`` non-blank ones), with those non-blank
        lines stripped and their places among the raw lines."""
        raw: list[str] = []
        texts: list[str] = []
        at: list[int] = []
        for chunk in iter_line_chunks(text):
            stripped = [line.strip() for line in chunk]
            filled = [k for k, t in enumerate(stripped) if t]  # the chunk's non-blank lines
            start = 0  # the first line of the chunk not yet in a window
            while len(texts) + len(filled) >= WINDOW_LINES:
                take, filled = filled[: WINDOW_LINES - len(texts)], filled[WINDOW_LINES - len(texts) :]
                end = take[-1] + 1
                at += [len(raw) + k - start for k in take]
                texts += [stripped[k] for k in take]
                raw += chunk[start:end]
                yield raw, texts, at
                raw, texts, at, start = [], [], [], end
            at += [len(raw) + k - start for k in filled]
            texts += [stripped[k] for k in filled]
            raw += chunk[start:]
        if raw:
            yield raw, texts, at

    def _score_window(self, texts: list[str], at: list[int]) -> ScoredLines:
        """Scores and rules of stripped non-blank lines (at places ``at`` among their raw lines); a line longer
        than ``max_line_chars`` is passed through as body, and its clipped start triggers no rule."""
        return self._score_windows([(texts, at)])[0]

    def _score_windows(self, windows: list[tuple[list[str], list[int]]]) -> list[ScoredLines]:
        """:meth:`_score_window` of each window, the model scoring them together."""
        limit = self.options.max_line_chars
        longs = [[i for i, t in enumerate(texts) if len(t) > limit] for texts, _ in windows]
        clipped = [[t[:limit] for t in texts] if long else texts for (texts, _), long in zip(windows, longs)]
        filled = [texts for texts in clipped if texts]
        if self.model is not None:
            columns = iter(model_scores_many(self.model, filled) if filled else [])
        else:
            columns = iter([heuristic_scores(texts) for texts in filled])
        out = []
        for (texts, at), long, cut in zip(windows, longs, clipped):
            if not cut:
                out.append(ScoredLines([], [], [], [], [], []))
                continue
            score, keep_cat, drop_cat, rules = next(columns)
            for i in long:
                score[i], keep_cat[i], drop_cat[i], rules[i] = 1.0, "body", "body", ()
            out.append(ScoredLines(at, texts, score, keep_cat, drop_cat, rules))
        return out

    def clean_html(self, page: str) -> str:
        """The cleaned text of an HTML page."""
        return self.classify_html(page).text

    def clean(self, text: str, html: bool | None = None) -> str:
        """The cleaned text of ``text`` (:meth:`iter_clean`'s pieces joined: no :class:`Decision` per line is
        made, which took a third of the time of plain text)."""
        return "".join(self.iter_clean(text, html))


def _decider(model: HtmlModel, decision: Decision, rules: tuple[Rule, ...], threshold: float) -> str:
    """What decided an HTML line: a hard rule overriding the model, the repeat rule, or the model."""
    hard = next((r for r in rules if r.hard), None)
    overridden = hard is not None and not decision.keep and decision.score >= threshold
    if overridden and decision.category == hard.category:  # type: ignore[union-attr]
        return f"rule {hard.name}"  # type: ignore[union-attr]
    if decision.category == "repeat":
        return "repeat rule"
    return f"html model {model.name}"


@lru_cache(maxsize=8)  # bounded: one Cleaner per (options, model) in a process, e.g. per batch or Dask worker
def shared_cleaner(options: Options, model_path: Path | None = None) -> Cleaner:
    """The process's :class:`Cleaner` for these options and model, built (and the model loaded) on first use."""
    return Cleaner(options, model_path=model_path)


def classify(text: str, options: Options | None = None) -> DocumentResult:
    """Decisions for every non-blank line of ``text`` (with the shipped model, loaded once)."""
    return shared_cleaner(options or Options()).classify(text)


def clean(text: str, options: Options | None = None) -> str:
    """``text`` without its boilerplate lines: the kept lines, byte-identical and in order."""
    return shared_cleaner(options or Options()).clean(text)
