"""The benchmark's baselines: one or two behaviours of each, as their sources describe them."""

from __future__ import annotations

import pytest

from training.baselines import (
    BASELINES,
    Baseline,
    c4_lines,
    justext_lines,
    keep_all,
    refinedweb_lines,
    trafilatura_lines,
)

ARTICLE = (
    "The city council approved the new budget on Monday night after a debate that lasted "
    "more than four hours, with most members saying the spending plan was overdue."
)


def test_keep_all_keeps_everything() -> None:
    assert keep_all(["Menu", ARTICLE, ""]) == [True, True, True]


def test_c4_needs_terminal_punctuation_and_five_words() -> None:
    assert c4_lines(
        [ARTICLE, "Four words end here.", "Five words but no mark", '"Yes, we will do it," she said."']
    ) == [True, False, False, True]


def test_c4_drops_javascript_policy_and_ellipsis_lines() -> None:
    lines = [
        "Please enable JavaScript to view the comments below.",
        "This site uses cookies to improve things.",
        "Read the rest of this very long story...",
    ]
    assert c4_lines(lines) == [False, False, False]


def test_refinedweb_drops_uppercase_numbers_counters_and_single_words() -> None:
    lines = ["BREAKING NEWS FROM THE CITY", "2024 11 27", "1.2K likes", "Menu", ARTICLE]
    assert refinedweb_lines(lines) == [False, False, False, False, True]


def test_refinedweb_drops_short_navigation_lines_only() -> None:
    long_line = "Read more about the council's decision, which was taken after long public consultations and debate"
    assert refinedweb_lines(["Sign in to your account", "Our latest stories read more", long_line]) == [
        False,
        False,
        True,
    ]


def test_trafilatura_drops_share_buttons() -> None:
    assert trafilatura_lines(["Facebook", "Twitter", ARTICLE]) == [False, False, True]


def test_trafilatura_drops_long_lines_repeated_too_often() -> None:
    assert trafilatura_lines([ARTICLE] * 4) == [True, True, True, False]


def test_justext_keeps_prose_and_drops_short_boilerplate() -> None:
    long_paragraph = ARTICLE + " " + ARTICLE.replace("Monday", "Tuesday")  # over jusText's 200-character bar
    flags = justext_lines(["Home", "News", long_paragraph, long_paragraph, "Privacy"])
    assert flags[2] and flags[3]
    assert not flags[0] and not flags[-1]


@pytest.mark.parametrize("baseline", list(BASELINES.values()), ids=list(BASELINES))
def test_one_flag_per_line_and_empty_input(baseline: Baseline) -> None:
    assert baseline([]) == []
    assert len(baseline(["Menu", ARTICLE, "<b>&amp;</b>"])) == 3
