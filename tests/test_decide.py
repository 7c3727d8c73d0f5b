"""From scores to decisions, with constructed scores: no model involved, so these pin ``decide`` itself.

Each test builds a document, gives every non-blank line a score by hand and checks
one rule of ``cleaner/decide.py``: the threshold, the hard-rule override, the
repeated headline, neighbour smoothing (on both sides of each of its limits), the
truncated flag, and how kept lines are joined back (byte for byte, blank lines).
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner.decide import (
    REPEAT_MAX_CHARS,
    SMOOTH_MAX_CHARS,
    SMOOTH_MIN_SCORE,
    SMOOTH_NEIGHBOUR_SCORE,
    Decision,
    DecisionStream,
    DocumentResult,
    ScoredLines,
    decide,
    read_lines,
    read_windows,
)
from cleaner.features import line_shape
from cleaner.options import DEFAULT_THRESHOLD, Options
from cleaner.segment import is_blank
from tests.reference_decide import ReferenceStream

TITLE = "Council approves new budget"
BODY1 = "The city council approved the new budget on Monday after a long and heated debate, officials said."
BODY2 = "The mayor said the plan would fund three new schools and repair the main bridge by next spring."
SUBHEAD = "What the plan costs"  # no rule matches it: only smoothing can save it when the model doubts it
SURE = 0.95  # a confident article line: above SMOOTH_NEIGHBOUR_SCORE
DOUBT = 0.05  # a doubted line: below the default threshold, above SMOOTH_MIN_SCORE


def run(
    lines: list[str], scores: list[float], options: Options | None = None, drop: str = "noise", keep: str = "body"
) -> DocumentResult:
    """``decide`` over ``lines`` with one hand-made score per non-blank line and the real rule matches."""
    texts = [line.strip() for line in lines if not is_blank(line)]
    assert len(scores) == len(texts)
    scored = [(s, keep, drop) for s in scores]
    return decide(lines, scored, [line_shape(t).rules for t in texts], options or Options(), "model")


def keeps(result: DocumentResult) -> list[bool]:
    return [d.keep for d in result.decisions]


# ------------------------------------------------------------------------------------ threshold


def test_threshold_is_inclusive() -> None:
    at, below = DEFAULT_THRESHOLD, DEFAULT_THRESHOLD - 0.001
    assert keeps(run([BODY1, BODY2], [at, below], Options(smooth=False))) == [True, False]


def test_kept_category_is_kept_whatever_the_score() -> None:
    result = run([BODY1, "Photo: Jane Doe"], [SURE, 0.0], Options(keep_categories=frozenset({"caption"})), "caption")
    assert keeps(result) == [True, True]


def test_dropped_line_carries_its_drop_category() -> None:
    result = run([BODY1, "Photo: Jane Doe"], [SURE, 0.0], drop="caption")
    assert [(d.keep, d.category) for d in result.decisions] == [(True, "body"), (False, "caption")]


# ------------------------------------------------------------------------------------ hard rules


def test_hard_rule_drops_a_line_the_model_is_sure_of() -> None:
    result = run([BODY1, "* indicates required", BODY2], [SURE, 0.99, SURE])
    assert [(d.keep, d.category) for d in result.decisions] == [(True, "body"), (False, "newsletter"), (True, "body")]


def test_hard_rule_yields_to_a_kept_category() -> None:
    options = Options(keep_categories=frozenset({"newsletter"}))
    assert keeps(run([BODY1, "* indicates required", BODY2], [SURE, 0.99, SURE], options)) == [True, True, True]


def test_soft_rule_does_not_override_the_model() -> None:
    assert line_shape("Read also:").rules and not line_shape("Read also:").rules[0].hard
    assert keeps(run([BODY1, "Read also:", BODY2], [SURE, 0.99, SURE])) == [True, True, True]


# ------------------------------------------------------------------------------------ repeated headline


def test_later_copy_of_the_headline_is_a_repeat() -> None:
    result = run([TITLE, BODY1, TITLE, BODY2], [0.9, SURE, 0.9, SURE])
    assert [(d.keep, d.category) for d in result.decisions][::2] == [(True, "body"), (False, "repeat")]


def test_repeat_can_be_kept_by_category() -> None:
    result = run([TITLE, BODY1, TITLE], [0.9, SURE, 0.9], Options(keep_categories=frozenset({"repeat"})))
    assert [(d.keep, d.category) for d in result.decisions] == [(True, "body"), (True, "body"), (True, "repeat")]


def test_headline_is_the_first_kept_line_not_the_first_line() -> None:
    result = run(["Weather", TITLE, BODY1, "Weather", TITLE], [0.0, 0.9, SURE, 0.0, 0.9], Options(smooth=False))
    assert [(d.keep, d.category) for d in result.decisions] == [
        (False, "noise"),
        (True, "body"),
        (True, "body"),
        (False, "noise"),
        (False, "repeat"),
    ]


@pytest.mark.parametrize(("extra", "repeat"), [(0, True), (1, False)], ids=["at-limit", "above-limit"])
def test_long_repeats_are_body(extra: int, repeat: bool) -> None:
    long_title = "x" * (REPEAT_MAX_CHARS + extra)
    result = run([long_title, BODY1, long_title], [0.9, SURE, 0.9])
    assert (result.decisions[2].category == "repeat") is repeat and result.decisions[2].keep is not repeat


# ------------------------------------------------------------------------------------ smoothing


def test_smoothing_rescues_a_doubted_subhead_between_sure_article_lines() -> None:
    """What smoothing is for: the model doubts a short subhead; its sure neighbours keep it in the story."""
    lines = [TITLE, BODY1, SUBHEAD, BODY2]
    scores = [0.9, SURE, DOUBT, SURE]
    assert keeps(run(lines, scores)) == [True, True, True, True]
    assert run(lines, scores).decisions[2].category == "body"
    assert keeps(run(lines, scores, Options(smooth=False))) == [True, True, False, True]


@pytest.mark.parametrize(
    ("subhead", "score", "neighbour", "rescued"),
    [
        ("x" * SMOOTH_MAX_CHARS, DOUBT, SURE, True),
        ("x" * (SMOOTH_MAX_CHARS + 1), DOUBT, SURE, False),
        (SUBHEAD, SMOOTH_MIN_SCORE, SURE, True),
        (SUBHEAD, SMOOTH_MIN_SCORE - 0.001, SURE, False),
        (SUBHEAD, DOUBT, SMOOTH_NEIGHBOUR_SCORE, True),
        (SUBHEAD, DOUBT, SMOOTH_NEIGHBOUR_SCORE - 0.001, False),
    ],
    ids=["length-at", "length-above", "score-at", "score-below", "neighbours-at", "neighbours-below"],
)
def test_smoothing_limits(subhead: str, score: float, neighbour: float, rescued: bool) -> None:
    assert run([BODY1, subhead, BODY2], [neighbour, score, neighbour]).decisions[1].keep is rescued


@pytest.mark.parametrize("side", [0, 2])
def test_smoothing_needs_sure_neighbours_on_both_sides(side: int) -> None:
    scores = [SURE, DOUBT, SURE]
    scores[side] = SMOOTH_NEIGHBOUR_SCORE - 0.1
    assert not run([BODY1, SUBHEAD, BODY2], scores).decisions[1].keep


def test_smoothing_needs_kept_neighbours() -> None:
    options = Options(threshold=0.99)  # the neighbours are sure but still dropped
    assert keeps(run([BODY1, SUBHEAD, BODY2], [SURE, DOUBT, SURE], options)) == [False, False, False]


def test_smoothing_leaves_rule_matches_alone() -> None:
    assert keeps(run([BODY1, "Read also:", BODY2], [SURE, DOUBT, SURE])) == [True, False, True]


def test_smoothing_never_touches_the_first_or_last_line() -> None:
    assert keeps(run([SUBHEAD, BODY1, BODY2, SUBHEAD], [DOUBT, SURE, SURE, DOUBT])) == [False, True, True, False]


# ------------------------------------------------------------------------------------ truncated flag


@pytest.mark.parametrize("tail", ["for a second term less tha...", "for a second term less tha…"])
def test_last_article_line_cut_off_is_truncated(tail: str) -> None:
    assert run([TITLE, BODY1, f"The mayor said he would run {tail}"], [0.9, SURE, SURE]).truncated


def test_whole_last_line_is_not_truncated() -> None:
    assert not run([TITLE, BODY1, BODY2], [0.9, SURE, SURE]).truncated


def test_a_dropped_cut_line_does_not_make_it_truncated() -> None:
    assert not run([TITLE, BODY1, "Read the rest of the story tha..."], [0.9, SURE, 0.0]).truncated


def test_only_the_last_article_line_counts() -> None:
    assert not run([TITLE, "He said he would run less tha...", BODY2], [0.9, SURE, SURE]).truncated


def test_a_kept_repeat_that_is_cut_does_not_count() -> None:
    cut_title = "Council approves new budget for the brid..."
    result = run([cut_title, BODY1, cut_title], [0.9, SURE, 0.9], Options(keep_categories=frozenset({"repeat"})))
    assert keeps(result) == [True, True, True] and result.decisions[2].category == "repeat"
    assert not result.truncated  # the last kept line is a repeat, not article text: BODY1 decides


def test_a_paywall_line_anywhere_is_truncated() -> None:
    assert run([TITLE, "Subscribe to read the full story", BODY1], [0.9, 0.0, SURE], drop="paywall").truncated


# ------------------------------------------------------------------------------------ output text and records


def test_kept_lines_are_byte_identical_with_their_padding() -> None:
    lines = ["  Council approves new budget\t", "", BODY1 + " \t ", "Menu  ", "\t" + BODY2 + "  \r", "Plan X\r"]
    result = run(lines, [0.9, SURE, 0.0, SURE, SURE])
    assert result.text == "\n".join([lines[0], "", lines[2], lines[4], lines[5]]) + "\n"
    assert [d.text for d in result.decisions] == [line.rstrip("\r") for line in lines if line.strip()]


def test_blank_lines_between_kept_paragraphs_survive() -> None:
    lines = [TITLE, "", BODY1, "", "Menu", "", "", BODY2]
    assert run(lines, [0.9, SURE, 0.0, SURE]).text == f"{TITLE}\n\n{BODY1}\n\n{BODY2}\n"


def test_blank_line_keeps_its_own_whitespace() -> None:
    assert run([BODY1, " \t", BODY2], [SURE, SURE]).text == f"{BODY1}\n \t\n{BODY2}\n"


def test_counts_and_metadata() -> None:
    result = run([TITLE, BODY1, "* indicates required", "Menu", BODY2], [0.9, SURE, 0.0, 0.0, SURE], drop="navigation")
    assert result.counts() == {"kept": {"body": 3}, "dropped": {"navigation": 1, "newsletter": 1}}
    assert result.metadata() == {
        "kept_lines": 3,
        "dropped_lines": 2,
        "dropped": {"navigation": 1, "newsletter": 1},
        "truncated": False,
        "source": "model",
    }


def test_decision_record_rounds_the_score() -> None:
    record = Decision(3, "Some text", False, "promo", 0.123456).as_record()
    assert record == {"n": 3, "keep": False, "category": "promo", "score": 0.1235, "text": "Some text"}


def test_decisions_number_the_input_lines() -> None:
    result = run(["", TITLE, "", "", BODY1], [0.9, SURE])
    assert [(d.n, d.text) for d in result.decisions] == [(2, TITLE), (5, BODY1)]
    assert result.lines == ("", TITLE, "", "", BODY1) and result.source == "model"


# ------------------------------------------------------------------------------------ a window at a time

_POOL = [TITLE, BODY1, BODY2, SUBHEAD, "", "  ", "Home\r", "Skip to content", "Subscribe to our newsletter", TITLE]


def _fed_in_windows(
    raw: list[str], scores: list[float], options: Options, bounds: list[int]
) -> tuple[list[tuple[str, Decision | None]], bool]:
    """What a :class:`DecisionStream` gives out, and its truncated flag, fed ``raw[lo:hi]`` for each window."""
    stream = DecisionStream(options)
    emitted: list[tuple[str, Decision | None]] = []
    scored = iter([(s, "body", "noise") for s in scores])
    for lo, hi in pairwise(bounds):
        texts = [line.strip() for line in raw[lo:hi] if not is_blank(line)]
        window_scores = [next(scored) for _ in texts]
        emitted += stream.feed(raw[lo:hi], window_scores, [line_shape(t).rules for t in texts])
    emitted += stream.finish()
    return emitted, stream.truncated


@given(
    st.lists(
        st.tuples(st.sampled_from(_POOL), st.sampled_from([0.0, DOUBT, DOUBT, 0.3, SURE, SURE, 1.0])), max_size=30
    ),
    st.lists(st.integers(0, 30), max_size=6),
    st.sampled_from([Options(), Options(smooth=False), Options(keep_categories=frozenset({"repeat", "navigation"}))]),
)
def test_deciding_a_window_at_a_time_is_deciding_the_whole(
    lines: list[tuple[str, float]], cuts: list[int], options: Options
) -> None:
    # cleaner.api feeds long documents in windows; smoothing, the headline and the truncated flag cross them
    raw = [line for line, _ in lines]
    scores = [score for line, score in lines if not is_blank(line)]
    whole = run(raw, scores, options)
    one_line_windows = list(range(len(raw) + 1))  # every boundary between two lines is a window's edge
    for bounds in ([0, *sorted(min(c, len(raw)) for c in cuts), len(raw)], one_line_windows):
        emitted, truncated = _fed_in_windows(raw, scores, options, bounds)
        assert [line for line, _ in emitted] == raw  # every line once, in order
        assert tuple(d for _, d in emitted if d is not None) == whole.decisions
        assert truncated == whole.truncated


def test_a_line_waits_only_for_its_successor() -> None:
    stream = DecisionStream(Options())
    first = list(stream.feed([BODY1, "", BODY2], [(SURE, "body", "noise")] * 2, [(), ()]))
    assert [(line, d and d.keep) for line, d in first] == [(BODY1, True), ("", None)]
    assert [d.text for _, d in stream.finish() if d] == [BODY2]


@pytest.mark.parametrize(("limit", "copy_is_repeat"), [(3, True), (2, False)])
def test_texts_before_the_headline_are_remembered_up_to_a_bound(
    monkeypatch: pytest.MonkeyPatch, limit: int, copy_is_repeat: bool
) -> None:
    """Memory stays bounded when no line is kept: beyond ``SEEN_MAX_TEXTS`` texts, copies are not recognised."""
    from cleaner import decide as decide_module

    monkeypatch.setattr(decide_module, "SEEN_MAX_TEXTS", limit)
    lines = ["Menu A", "Menu B", "Big news today", "Big news today"]
    scored = [(0.01, "body", "navigation")] * 3 + [(0.99, "title", "noise")]
    stream = decide_module.DecisionStream(Options())
    out = [d for _, d in [*stream.feed(lines, scored, [()] * 4), *stream.finish()]]
    assert (out[-1].category == "repeat") is copy_is_repeat
    assert out[-1].keep is not copy_is_repeat


# ------------------------------------------------------------------------------------ against the old code

_RULED_POOL = [
    *_POOL,
    "Advertisement",
    "Photo: Reuters",
    "Read more: the plan in full",
    "Subscribe now",
    "By Jane Doe",
    "Home > News > World",
    "Council approves new budget",
    "This article was truncated...",
    "x" * 400,
]
_CATEGORIES = ["body", "title", "noise", "navigation", "paywall", "newsletter", "caption"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(_RULED_POOL),
            st.sampled_from([0.0, 0.01, DOUBT, 0.1, 0.3, 0.5, SURE, 1.0]),
            st.sampled_from(["body", "title"]),
            st.sampled_from(_CATEGORIES),
        ),
        max_size=40,
    ),
    st.lists(st.integers(0, 40), max_size=6),
    st.sampled_from(
        [
            Options(),
            Options(smooth=False),
            Options(keep_categories=frozenset({"repeat", "navigation"})),
            Options(keep_categories=frozenset({"paywall", "caption"})),
            Options(threshold=0.5),
        ]
    ),
    st.booleans(),
)
def test_decisions_are_those_of_the_line_by_line_code(
    lines: list[tuple[str, float, str, str]], cuts: list[int], options: Options, last_in_one_step: bool
) -> None:
    # the stream decides a window's lines together; tests/reference_decide.py decides one line at a time.
    # ``last_in_one_step``: the last window goes in with feed_last (feed, then finish, in one step)
    raw = [line for line, *_ in lines]
    scored = [(score, kc, dc) for line, score, kc, dc in lines if not is_blank(line)]
    rules = [line_shape(line.strip()).rules for line in raw if not is_blank(line)]
    old = ReferenceStream(options)
    expected = [*old.feed(raw, scored, rules), *old.finish()]
    bounds = [0, *sorted(min(c, len(raw)) for c in cuts), len(raw)]
    stream = DecisionStream(options)
    emitted: list[tuple[str, Decision | None]] = []
    done = 0
    windows = list(pairwise(bounds))
    for w, (lo, hi) in enumerate(windows):
        k = sum(not is_blank(line) for line in raw[lo:hi])
        window = ScoredLines.of(raw[lo:hi], scored[done : done + k], rules[done : done + k])
        if last_in_one_step and w == len(windows) - 1:
            emitted += stream.feed_last(raw[lo:hi], window).emitted()
            break
        emitted += stream.feed_lines(raw[lo:hi], window).emitted()
        done += k
    else:
        emitted += stream.finish()
    assert emitted == expected
    assert stream.truncated == old.truncated


@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from([line for line in _RULED_POOL if not is_blank(line)]),
                st.sampled_from([0.0, 0.01, DOUBT, 0.1, 0.3, 0.5, SURE, 1.0]),
                st.sampled_from(_CATEGORIES),
            ),
            max_size=12,
        ),
        max_size=6,
    ),
    st.sampled_from([Options(), Options(keep_categories=frozenset({"paywall", "caption"})), Options(threshold=0.5)]),
)
def test_reading_many_windows_at_once_reads_each_alone(
    windows: list[list[tuple[str, float, str]]], options: Options
) -> None:
    # --jsonl reads the lines of 64 documents at once (read_windows): each line's answer is its own
    scored = [
        ScoredLines.of([t for t, _, _ in w], [(s, "body", c) for _, s, c in w], [line_shape(t).rules for t, _, _ in w])
        for w in windows
    ]
    alone = [read_lines(options, w.score, w.drop_cat, w.rules) for w in scored]
    assert read_windows(options, scored) == alone
