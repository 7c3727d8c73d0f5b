"""The rule table itself: every pattern is a valid regular expression (they compile lazily, on first use)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.rules import BREADCRUMB, RULES, match_rules


def test_every_rule_pattern_compiles() -> None:
    for rule in RULES:
        assert isinstance(re.compile(rule.pattern.source), re.Pattern), rule.name


def test_derived_needles_are_up_to_date() -> None:
    """``cleaner/needles.py`` is what ``python -m training.needles`` derives from today's rules."""
    from training.needles import main

    assert main(["--check"]) == 0, "a rule's pattern changed: run `python -m training.needles`"


# The breadcrumb pattern as first written: the same language, but its spaces could go to either side of a
# separator, so a line ending in a separator backtracked exponentially in their number.
OLD_BREADCRUMB = r"^\s*\w[^>›»/|]{0,40}(\s*[>›»/|]\s*[^>›»/|]{1,40}){2,}$"
SEPARATORS = ">›»/|"
PART_CHARS = ["a", "b", "é", "_", "0", "!", " ", " ", "\t", "\n", "\u00a0", "\x1c"]


@st.composite
def crumbs(draw: st.DrawFn) -> str:
    """Lines of up to four separators and parts of up to 45 characters (mostly spaces, letters or both)."""
    alphabet = draw(st.sampled_from([PART_CHARS, [" "], [" ", "a"], ["a"], ["\n", " ", "a"]]))
    parts = draw(st.lists(st.text(st.sampled_from(alphabet), max_size=45), min_size=1, max_size=5))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts) - 1, max_size=len(parts) - 1))
    line = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:]))
    return draw(st.sampled_from(["", "a", "é", " a", "  b", "!"])) + line + draw(st.sampled_from(["", "", "\n"]))


@settings(max_examples=1500, deadline=None)
@given(crumbs())
def test_breadcrumb_matches_what_its_first_pattern_matched(line: str) -> None:
    """The breadcrumb pattern, rewritten so that it cannot backtrack, matches exactly the lines the first one
    did (lines of at most four separators: there the first one is still quick)."""
    assert bool(re.search(BREADCRUMB, line)) == bool(re.search(OLD_BREADCRUMB, line))


@pytest.mark.parametrize(
    "line",
    [
        "x   |   |   |   |   |   |   |   |   |   |   |",  # a minute with the first pattern
        "x  ›  ›  ›  ›  ›  ›  ›  ›  ›  ›  ›  ›  ›  ›",
        "team  |  w  |  l  |  d  |  pts  |  gd  |  form  |",
    ],
)
def test_a_table_row_of_empty_cells_is_no_breadcrumb(line: str) -> None:
    """Rows ending in a separator, on which the first pattern backtracked for seconds to a minute."""
    assert "breadcrumb" not in [r.name for r in match_rules(line)]
    assert [r.name for r in match_rules(line[: line.rindex(line[-1])] + "x")] == ["breadcrumb"]
