"""The bundled seeds, labeled line by line in training/data/seeds.jsonl: the product's acceptance test."""

from __future__ import annotations

import pytest

from cleaner import Cleaner, Options, classify
from tests.conftest import SEEDS


def _pairs(doc: dict, cleaner: Cleaner) -> list[tuple[dict, bool]]:
    result = cleaner.classify("\n".join(line["text"] for line in doc["lines"]) + "\n", html=False)
    assert len(result.decisions) == len(doc["lines"]), doc["id"]  # else zip() would check fewer lines, vacuously
    return [(line, d.keep) for line, d in zip(doc["lines"], result.decisions)]


def test_seed_labels_cover_every_nonblank_line(seed_docs: list[dict]) -> None:
    for path, doc in zip(SEEDS, seed_docs):
        nonblank = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        assert [line["text"] for line in doc["lines"]] == nonblank, path.name


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_model_keeps_every_article_line(seed_docs: list[dict], index: int) -> None:
    lost = [line["text"] for line, keep in _pairs(seed_docs[index], Cleaner()) if line["label"] != "noise" and not keep]
    assert lost == []


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_model_drops_every_noise_line(seed_docs: list[dict], index: int) -> None:
    kept = [line["text"] for line, keep in _pairs(seed_docs[index], Cleaner()) if line["label"] == "noise" and keep]
    assert kept == []


def test_fallback_keeps_every_article_line(seed_docs: list[dict]) -> None:
    cleaner = Cleaner(Options(use_model=False))
    lost = [
        line["text"]
        for doc in seed_docs
        for line, keep in _pairs(doc, cleaner)
        if line["label"] != "noise" and not keep
    ]
    assert lost == []


def test_fallback_drops_most_noise(seed_docs: list[dict]) -> None:
    cleaner = Cleaner(Options(use_model=False))
    pairs = [(line, keep) for doc in seed_docs for line, keep in _pairs(doc, cleaner) if line["label"] == "noise"]
    dropped = sum(not keep for _, keep in pairs)
    assert dropped / len(pairs) >= 0.7  # recall first: inside the article block the rules keep doubtful lines


def test_truncated_copy_is_flagged() -> None:
    assert classify(SEEDS[1].read_text(encoding="utf-8")).truncated


def test_full_copy_is_not_flagged() -> None:
    assert not classify(SEEDS[0].read_text(encoding="utf-8")).truncated


def test_seed_categories_name_the_noise(seed_docs: list[dict]) -> None:
    result = classify(SEEDS[3].read_text(encoding="utf-8"))
    dropped = {d.text: d.category for d in result.decisions if not d.keep}
    assert dropped["* indicates required"] == "newsletter"
    assert dropped["Skip to content"] == "navigation"
