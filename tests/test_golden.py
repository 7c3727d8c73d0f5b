"""Golden cases: article lines that look like boilerplate must survive; boilerplate in context must go.

Each case is one line placed in a realistic document (a headline, article
paragraphs around it). Cases live in ``tests/cases/*.json`` with a comment each;
none of them is in the training data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import Cleaner

CASES = Path(__file__).parent / "cases"
SURVIVE = json.loads((CASES / "must_survive.json").read_text(encoding="utf-8"))
NOISE = json.loads((CASES / "noise.json").read_text(encoding="utf-8"))
HEAD = [
    "Flood waters recede as city counts the cost",
    "Emergency crews worked through the night to pump water out of flooded basements across the old town, "
    "officials said on Sunday.",
    "The river peaked at nearly two metres above its normal level late on Saturday, the highest in forty years.",
]
TAIL = [
    "Insurers said it was too early to estimate the damage, but local businesses expect losses in the millions.",
    "The mayor promised a full review of the city's flood defences once the clean-up is complete.",
]


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


@pytest.mark.parametrize("case", SURVIVE, ids=[c["label"] for c in SURVIVE])
def test_article_line_survives_in_the_middle(cleaner: Cleaner, case: dict) -> None:
    doc = "\n".join([*HEAD, case["line"], *TAIL]) + "\n"
    assert case["line"] in cleaner.clean(doc).split("\n"), case["comment"]


@pytest.mark.parametrize("case", NOISE, ids=[c["label"] for c in NOISE])
def test_noise_line_dropped_after_the_article(cleaner: Cleaner, case: dict) -> None:
    doc = "\n".join([*HEAD, *TAIL, case["line"]]) + "\n"
    result = cleaner.classify(doc)
    decision = result.decisions[-1]
    assert not decision.keep, case["comment"]


@pytest.mark.parametrize("case", NOISE, ids=[c["label"] for c in NOISE])
def test_noise_line_gets_its_category(cleaner: Cleaner, case: dict) -> None:
    doc = "\n".join([*HEAD, *TAIL, case["line"]]) + "\n"
    assert cleaner.classify(doc).decisions[-1].category == case["category"], case["comment"]


def test_headline_repeated_below_is_dropped(cleaner: Cleaner) -> None:
    doc = "\n".join([*HEAD, HEAD[0], *TAIL]) + "\n"
    decisions = cleaner.classify(doc).decisions
    assert decisions[0].keep and not decisions[3].keep and decisions[3].category == "repeat"
