"""The rule table itself: every pattern is a valid regular expression (they compile lazily, on first use)."""

from __future__ import annotations

import re

from cleaner.rules import RULES


def test_every_rule_pattern_compiles() -> None:
    for rule in RULES:
        assert isinstance(re.compile(rule.pattern.source), re.Pattern), rule.name


def test_derived_needles_are_up_to_date() -> None:
    """``cleaner/needles.py`` is what ``python -m training.needles`` derives from today's rules."""
    from training.needles import main

    assert main(["--check"]) == 0, "a rule's pattern changed: run `python -m training.needles`"
