"""Twelve languages: the test catalogue (tests/cases/lang, never trained on) meets the goals of issue 9.

The catalogue holds whole documents per language with each noise family at a realistic
position, phrased differently from the authored training documents. The table behind
these tests is ``python -m training.lang_report``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cleaner import Cleaner, phrases
from cleaner.categories import ALL_CATEGORIES
from cleaner.phrases import LANGUAGES
from cleaner.rules import match_rules
from training import data, lang_report

CATALOGUE = lang_report.load_cases()
FAMILIES = ("newsletter", "donation", "paywall", "navigation", "legal", "meta", "caption", "related", "social", "promo")


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, float]]:
    return {s.lang: s.rates() for s in lang_report.report(CATALOGUE, Cleaner())}


def test_catalogue_has_every_language() -> None:
    assert sorted(CATALOGUE) == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_covers_the_noise_families(lang: str) -> None:
    categories = {cat for doc in CATALOGUE[lang] for cat, _ in doc["lines"]}
    assert set(FAMILIES) <= categories and "comments" in categories
    assert categories <= set(ALL_CATEGORIES)
    assert {doc["truncated"] for doc in CATALOGUE[lang]} == {True, False}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_noise_dropped(scores: dict[str, dict[str, float]], lang: str) -> None:
    assert scores[lang]["noise_dropped"] >= lang_report.GOALS["noise_dropped"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_body_kept(scores: dict[str, dict[str, float]], lang: str) -> None:
    assert scores[lang]["body_kept"] >= lang_report.GOALS["body_kept"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_category_right(scores: dict[str, dict[str, float]], lang: str) -> None:
    assert scores[lang]["category_right"] >= lang_report.GOALS["category_right"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_truncated_flag_right(scores: dict[str, dict[str, float]], lang: str) -> None:
    assert scores[lang]["truncated_right"] == 1.0


def test_report_prints_a_row_per_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert lang_report.main([]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [r.split()[0] for r in rows[1:-1]] == sorted(LANGUAGES)


def _training_texts() -> set[str]:
    texts: set[str] = set()
    for path in sorted(data.AUTHORED.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(raw)
            texts.update(line["text"] for line in item["lines"]) if "lines" in item else texts.add(item["text"])
    return texts


def test_no_catalogue_line_is_in_the_training_data() -> None:
    training = _training_texts()
    leaked = [text for docs in CATALOGUE.values() for doc in docs for _, text in doc["lines"] if text in training]
    assert leaked == []


def test_training_loaders_never_read_the_test_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []
    real_read_text, real_read_labeled = Path.read_text, data.read_labeled

    def spy_read_text(self: Path, *args: Any, **kwargs: Any) -> str:
        seen.append(self)
        return real_read_text(self, *args, **kwargs)

    def spy_read_labeled(path: Path) -> Any:
        seen.append(path)
        return real_read_labeled(path)

    monkeypatch.setattr(Path, "read_text", spy_read_text)
    monkeypatch.setattr(data, "read_labeled", spy_read_labeled)
    docs, _ = data.authored_docs([], seed=1)
    assert docs and seen
    assert not [p for p in seen if "cases" in p.parts]
    assert not [p for p in (*data.DOC_FILES, data.CATALOGUE, data.HARD_BODY) if "tests" in p.parts]


@pytest.mark.parametrize("table", ["SKIP_LINKS", "SITE_CONTROLS", "AD_LABELS", "PAYWALL_NOTICES", "READ_ALSO"])
def test_closed_sets_cover_every_language(table: str) -> None:
    assert tuple(getattr(phrases, table)) == LANGUAGES


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Aller au contenu principal", "skip_link"),
        ("Перейти до основного вмісту", "skip_link"),
        ("Hoppa till huvudinnehåll", "skip_link"),
        ("Anzeige", "ad_label"),
        ("Publicidad", "ad_label"),
        ("Lees ook: Kabinet wil snelheid omlaag", "read_also"),
        ("Datenschutz | Impressum | Cookie-Einstellungen", "legal_links"),
        ("Усі права захищені", "rights_reserved"),
        ("Dit artikel is alleen beschikbaar voor abonnees.", "continue_reading"),
        ("Cet article est réservé aux abonnés. Il vous reste 65 % à découvrir.", "continue_reading"),
        ("Door Pieter de Vries", "byline"),
        ("By Jennifer Walsh, Staff Reporter", "byline"),
        ("Lesezeit: 4 Min.", "reading_time"),
    ],
)
def test_closed_set_phrase_matches_its_rule(line: str, rule: str) -> None:
    assert rule in [r.name for r in match_rules(line)]


@pytest.mark.parametrize(
    "line",
    [
        "„Wir haben das Abo gekündigt, weil die Zeitung nicht mehr kam“, sagte die Rentnerin.",
        "Les abonnés du réseau de chaleur paieront 8 % de moins l’an prochain, selon la métropole.",
        "Deel van de opbrengst gaat naar de voedselbank, zei de organisatie.",
        "Politik ist kein Wunschkonzert, sagte der Bürgermeister am Abend.",
        "A Home Office spokesperson said the rules would change in April.",
    ],
)
def test_article_sentences_match_no_hard_rule(line: str) -> None:
    assert not [r.name for r in match_rules(line) if r.hard]
