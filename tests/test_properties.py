"""Invariants over generated documents (hypothesis)."""

from __future__ import annotations

from itertools import pairwise
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, Options, api
from cleaner.segment import is_blank, iter_line_chunks, split_lines

BODY = [
    "The council approved the budget on Monday after a long and heated debate, officials said.",
    "“We will not back down,” the mayor told reporters outside city hall on Tuesday evening.",
    "Putin Visits Kursk",
    "- 200 g sugar",
    "He declined to comment.",
]
NOISE = [
    "* indicates required",
    "Subscribe",
    "Skip to content",
    "Read also:",
    "1:34 PM",
    "Share on Facebook",
    "[Short citation of 8% of the original article]",
    "Become a Patron!",
    "   ",
    "",
]
free_text = st.text(max_size=80).map(lambda s: s.replace("\n", " "))
padding = st.text(alphabet=" \t", max_size=3)  # scraped lines often carry it: kept lines keep it, byte for byte
bare_line = st.one_of(st.sampled_from(BODY), st.sampled_from(NOISE), free_text)
line = st.tuples(padding, bare_line, padding, st.sampled_from(["", "", "\r"])).map("".join)
documents = st.lists(line, max_size=30).map(lambda lines: "\n".join(lines))
CLEANERS = {"model": Cleaner(), "rules": Cleaner(Options(use_model=False))}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _written(out: str) -> list[str]:
    """The lines the cleaner wrote: kept lines, each ended by "\\n". Not :func:`split_lines`, whose guess at
    old-Mac line ends would read a kept line holding a lone "\\r" ("\\r0") as two lines."""
    return out.split("\n")[:-1]


def _subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


@SETTINGS
@given(documents, st.sampled_from(sorted(CLEANERS)))
def test_output_lines_are_a_subsequence_of_input_lines(text: str, which: str) -> None:
    out = CLEANERS[which].clean(text, html=False)
    assert _subsequence(_written(out), split_lines(text))


@SETTINGS
@given(documents)
def test_same_input_same_output(text: str) -> None:
    assert Cleaner().clean(text, html=False) == CLEANERS["model"].clean(text, html=False)


@SETTINGS
@given(documents, st.sampled_from(sorted(CLEANERS)))
def test_one_decision_per_nonblank_line_and_keeps_reproduce_output(text: str, which: str) -> None:
    result = CLEANERS[which].classify(text, html=False)
    lines = split_lines(text)
    assert [d.n for d in result.decisions] == [n for n, raw in enumerate(lines, 1) if not is_blank(raw)]
    kept = [d.text for d in result.decisions if d.keep]
    assert [x.rstrip("\r") for x in _written(result.text) if not is_blank(x)] == kept  # CR stays with its line


@SETTINGS
@given(documents, st.sampled_from(sorted(CLEANERS)))
def test_output_is_the_kept_input_lines_byte_for_byte(text: str, which: str) -> None:
    """Kept lines verbatim (padding and CR included) and a blank line wherever kept paragraphs had one."""
    result = CLEANERS[which].classify(text, html=False)
    kept = {d.n for d in result.decisions if d.keep}
    lines = split_lines(text)
    expected: list[str] = []
    gap: str | None = None
    for n, raw in enumerate(lines, 1):
        if is_blank(raw):
            gap = raw if gap is None and expected else gap
        elif n in kept:
            expected += [gap, raw] if gap is not None else [raw]
            gap = None
        # a dropped line between kept ones leaves any blank line seen so far in place
    assert _written(result.text) == expected


@SETTINGS
@given(st.text(max_size=400))
def test_never_raises_on_any_string(text: str) -> None:
    result = CLEANERS["model"].classify(text)
    assert all(0.0 <= d.score <= 1.0 for d in result.decisions)


@SETTINGS
@given(documents)
def test_no_blank_runs_or_edge_blanks(text: str) -> None:
    out = _written(CLEANERS["model"].clean(text, html=False))
    assert not out or (not is_blank(out[0]) and not is_blank(out[-1]))
    assert not any(is_blank(a) and is_blank(b) for a, b in pairwise(out))


@SETTINGS
@given(st.text(alphabet="ab \r\n", max_size=60), st.integers(1, 8))
def test_lines_read_lazily_are_the_lines_split_at_once(text: str, chunk: int) -> None:
    chunks = list(iter_line_chunks(text, chunk_chars=chunk))
    assert [line for lines in chunks for line in lines] == split_lines(text)
    assert all(chunks)  # no empty chunk


@SETTINGS
@given(documents, st.sampled_from(sorted(CLEANERS)))
def test_streamed_output_is_the_cleaned_text(text: str, which: str) -> None:
    # `cleaner clean` writes plain text a window at a time (cleaner.api.WINDOW_LINES lines): the same text
    with patch.object(api, "WINDOW_LINES", 4):
        pieces = list(CLEANERS[which].iter_clean(text, html=False))
        whole = CLEANERS[which].classify(text, html=False)
    assert "".join(pieces) == whole.text
    assert len(pieces) >= len(whole.decisions) // 4 + 1  # a piece per window of 4 lines, then the end


@SETTINGS
@given(documents, st.sampled_from(sorted(CLEANERS)))
def test_streamed_decisions_are_the_decisions(text: str, which: str) -> None:
    # `cleaner clean --explain` writes decisions a window at a time: the same decisions as the whole document's
    with patch.object(api, "WINDOW_LINES", 4):
        streamed = list(CLEANERS[which].iter_decisions(text, html=False))
        whole = CLEANERS[which].classify(text, html=False)
    assert tuple(streamed) == whole.decisions


@SETTINGS
@given(documents, st.integers(1, 12), st.integers(1, 40))
def test_small_windows_and_chunks_decide_as_the_reference(text: str, window: int, chunk: int) -> None:
    # windows are cut from chunks of lines: wherever a window or a chunk ends, the decisions are those of the
    # straightforward pipeline (tests/reference_features.py) with windows of the same size
    from tests.reference_features import reference_classify

    cleaner = CLEANERS["model"]
    if cleaner.model is None:
        return
    with (
        patch.object(api, "WINDOW_LINES", window),
        patch.object(api, "iter_line_chunks", lambda t: iter_line_chunks(t, chunk_chars=chunk)),
    ):
        fast = cleaner.classify(text, html=False)
        slow = reference_classify(cleaner.model, text, cleaner.options)
    assert fast.lines == slow.lines
    assert [(d.n, d.keep, d.category) for d in fast.decisions] == [(d.n, d.keep, d.category) for d in slow.decisions]
    assert all(abs(a.score - b.score) <= 1e-6 for a, b in zip(fast.decisions, slow.decisions))
    assert fast.truncated == slow.truncated
