"""Golden cases: article lines that look like boilerplate must survive; boilerplate in context must go.

Each case is one line placed in a realistic document (a headline, article
paragraphs around it). Cases live in ``tests/cases/*.json`` with a comment each.
None of them is in the training data, not even up to case, punctuation, spacing
or digits: the repo's authored data (``training/data/*.jsonl``) and the shared
train split are checked below. Fixed templates the training must learn verbatim
(the "[Short citation of 8% ...]" notice) are pinned by the seeds instead.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from cleaner import Cleaner
from tests.conftest import REPO

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


def _normal(text: str) -> str:
    """A line up to case, punctuation, spacing and digits: near-verbatim copies compare equal."""
    return " ".join(re.sub(r"\W+", " ", re.sub(r"\d", "0", text.lower())).split())


def _labeled_texts(lines: list[str]) -> set[str]:
    """Normalized line texts of JSONL training data: line-set documents or one line per record."""
    out = set()
    for raw in lines:
        record = json.loads(raw)
        out |= {_normal(line["text"]) for line in record["lines"]} if "lines" in record else {_normal(record["text"])}
    return out


def _case_lines() -> dict[str, str]:
    return {f"{c['label']}: {c['line']}": _normal(c["line"]) for c in [*SURVIVE, *NOISE]}


def test_no_case_is_in_the_authored_training_data() -> None:
    files = sorted((REPO / "training" / "data").glob("*.jsonl"))
    seen = _labeled_texts([line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line])
    assert len(files) >= 3 and len(seen) > 100
    assert [case for case, normal in _case_lines().items() if normal in seen] == []


def test_no_case_is_in_the_shared_training_split(linesets: Path) -> None:
    with gzip.open(linesets / "train.jsonl.gz", "rt", encoding="utf-8") as fh:
        seen = _labeled_texts([line for line in fh if line.strip()])
    assert [case for case, normal in _case_lines().items() if normal in seen] == []
