"""An honest ``truncated`` flag: set for paywall/truncation notices and cut-off last lines only.

Complete articles are the article lines of the shared line sets (read at test time) and of the
authored seeds, some with the furniture of a complete article added (update notes, corrections,
tags, "continue reading in the app"). Truncated copies are the same articles cut the ways real
sites cut them: mid-sentence with an ellipsis, a paywall notice after the first paragraphs, a
citation notice, a "[…]" marker.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.evaluate import read_labeled
from cleaner.rules import TRUNCATION_TAIL, is_truncated_tail
from tests.conftest import SEED_LABELS

MIN_ARTICLES = 50  # issue 9: at least 50 complete articles and 50 truncated copies
MIN_BODY_LINES = 3  # an article needs a few paragraphs to be cut
COMPLETE_FURNITURE = (  # lines on complete articles that must never set the flag
    "This story has been updated with new evacuation orders.",
    "Tags: Wildfire, Los Angeles, Evacuation",
    "Continue reading on our app",
    "Correction: An earlier version of this article gave the wrong date for the hearing.",
    "Dieser Artikel wurde am Dienstag aktualisiert.",
    "Mots-clés : santé, hôpital, grève",
    "Sigue leyendo en la app de El Diario",
    "Update: This article was amended to include a statement from the mayor.",
)
PAYWALL_NOTICES = (  # truncation notices in several languages (not in the training data)
    "Subscribe now to read the rest of this story.",
    "[Short citation of 8% of the original article]",
    "Der vollständige Artikel ist nur für Abonnenten verfügbar.",
    "Il vous reste 70 % de cet article à lire.",
    "Para continuar leyendo este artículo, suscríbete.",
    "L'articolo completo è riservato agli abbonati.",
    "Dit stuk is alleen voor abonnees te lezen.",
    "Полный текст доступен только подписчикам.",
    "Artikeln är bara för prenumeranter.",
    "Bu haberin tamamı abonelere özeldir.",
)


def _articles_from(path: Path) -> Iterator[list[str]]:
    for doc in read_labeled(path):
        lines = [ln["text"] for ln in doc["lines"] if ln["label"] in ("body", "title")]
        last = lines[-1].rstrip() if lines else ""
        if len(lines) >= MIN_BODY_LINES and last[-1:] in ".!?”\"'»)" and not last.endswith(("...", "…")):
            yield lines  # a gold text that itself ends in "..." is a truncated copy, not a complete article


def _seed_articles() -> list[list[str]]:
    docs = [json.loads(line) for line in SEED_LABELS.read_text(encoding="utf-8").splitlines()]
    return [[ln["text"] for ln in d["lines"] if ln["label"] != "noise"] for d in docs if not d.get("truncated")]


@pytest.fixture(scope="module")
def articles(linesets: Path) -> list[list[str]]:
    found = _seed_articles() + list(_articles_from(linesets / "dev.jsonl.gz"))
    if len(found) < MIN_ARTICLES + 10:
        found += list(_articles_from(linesets / "train.jsonl.gz"))
    return found[: MIN_ARTICLES + 10]


def _cut_mid_sentence(lines: list[str], k: int) -> list[str]:
    last = lines[-1]
    words = last.split()
    cut = " ".join(words[: max(3, len(words) * 2 // 3)])
    return [*lines[:-1], cut.rstrip(".,;:!?") + ("…" if k % 2 else "...")]


def _truncate(lines: list[str], k: int) -> list[str]:
    """A truncated copy of an article, cut one of four ways (chosen by ``k``)."""
    keep = lines[: max(2, len(lines) // 2)]
    way = k % 4
    if way == 0:
        return _cut_mid_sentence(keep, k)
    if way == 1:
        return [*keep, PAYWALL_NOTICES[k % len(PAYWALL_NOTICES)]]
    if way == 2:
        return [*_cut_mid_sentence(keep, k), PAYWALL_NOTICES[(k + 3) % len(PAYWALL_NOTICES)]]
    return [*keep[:-1], keep[-1].rstrip() + " […]"]


def _flagged(cleaner: Cleaner, lines: list[str]) -> bool:
    return cleaner.classify("\n".join(lines) + "\n", html=False).truncated


def test_complete_articles_are_not_flagged(articles: list[list[str]]) -> None:
    cleaner = Cleaner()
    assert len(articles) >= MIN_ARTICLES
    flagged = [a[0][:60] for a in articles if _flagged(cleaner, a)]
    assert flagged == []


def test_complete_articles_with_update_notes_tags_and_app_prompts_are_not_flagged(articles: list[list[str]]) -> None:
    cleaner = Cleaner()
    furnished = [[*a, COMPLETE_FURNITURE[k % len(COMPLETE_FURNITURE)]] for k, a in enumerate(articles)]
    flagged = [(a[0][:40], a[-1]) for a in furnished if _flagged(cleaner, a)]
    assert flagged == []


def test_truncated_copies_are_flagged(articles: list[list[str]]) -> None:
    cleaner = Cleaner()
    copies = [_truncate(a, k) for k, a in enumerate(articles)]
    assert len(copies) >= MIN_ARTICLES
    missed = [c[-1][-60:] for c in copies if not _flagged(cleaner, c)]
    assert len(missed) <= 0.05 * len(copies), missed


@pytest.mark.parametrize("line", COMPLETE_FURNITURE)
def test_furniture_of_complete_articles_is_never_paywall(line: str) -> None:
    seed = _seed_articles()[0]
    result = Cleaner().classify("\n".join([*seed, line]) + "\n", html=False)
    assert result.decisions[-1].category != "paywall" and not result.truncated


def test_seed_articles_alone_give_both_flags_right() -> None:
    """Without the shared data: every complete seed is unflagged, every truncated copy of it flagged."""
    cleaner = Cleaner()
    seeds = _seed_articles()
    assert not [a[0] for a in seeds if _flagged(cleaner, a)]
    assert all(_flagged(cleaner, _truncate(a, k)) for a in seeds for k in range(4))


_TAIL_PIECES = st.tuples(
    st.sampled_from(["", "a", "Z", "é", "9", "_", " "]),
    st.sampled_from(["", "”", "’", '"', "'", ")", "["]),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["...", "…", "..", ". . .", ""]),
    st.sampled_from(["", "]", ")"]),
    st.sampled_from(["", " ", "\n", " \t\xa0", "\x1c"]),
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZé9_ .…[]()\"'”’\n\t\x1c\xa0\u2003x")), max_size=30), _TAIL_PIECES)
def test_the_tail_check_reads_only_the_tail(text: str, tail: str) -> None:
    """``is_truncated_tail`` searches the last characters before the trailing whitespace: the same answer
    as searching the whole line (which took 30 us on a long paragraph, for each document)."""
    for line in (text, text + tail, "word " * 300 + text + tail):
        assert is_truncated_tail(line) == bool(TRUNCATION_TAIL.search(line)), repr(line)
