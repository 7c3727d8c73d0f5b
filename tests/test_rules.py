"""The rule table itself: every pattern is a valid regular expression (they compile lazily, on first use)."""

from __future__ import annotations

import re

from cleaner.rules import RULES


def test_every_rule_pattern_compiles() -> None:
    for rule in RULES:
        assert isinstance(re.compile(rule.pattern.source), re.Pattern), rule.name
