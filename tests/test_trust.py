"""Categories a user can trust: the lines of issue 9, furniture never called ``title``, typos refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import Cleaner, Options
from cleaner.decide import Decision, DocumentResult
from training import data, train

BODY = [
    "The county said on Tuesday that the evacuation orders would stay in place for at least two more days.",
    "Firefighters have contained about a third of the blaze, which has burned more than 4,000 hectares.",
    "Residents were told to keep their phones charged and follow the instructions of local officials.",
]
HEADLINE = "Wildfire forces thousands from their homes in the hills"


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


def _decision(cleaner: Cleaner, lines: list[str], target: str) -> tuple[Decision, DocumentResult]:
    result = cleaner.classify("\n".join(lines) + "\n", html=False)
    return next(d for d in result.decisions if d.text == target), result


@pytest.mark.parametrize(
    "furniture",
    [
        "Aller au contenu principal",
        "Перейти до основного вмісту",
        "By Jennifer Walsh, Staff Reporter",
        "Door Pieter de Vries",
        "Politik",
        "Internacional",
        "tagesanzeiger.ch",
    ],
)
def test_furniture_above_the_headline_is_never_title(cleaner: Cleaner, furniture: str) -> None:
    d, _ = _decision(cleaner, [furniture, HEADLINE, *BODY], furniture)
    assert d.category != "title" and not d.keep


def test_a_headline_shaped_like_a_breadcrumb_stays_the_title(cleaner: Cleaner) -> None:
    headline = "Kyiv / Moscow / Washington: what the talks could bring"
    d, _ = _decision(cleaner, [headline, *BODY], headline)
    assert d.keep


@pytest.mark.parametrize(
    ("line", "category", "where"),
    [
        ("This story has been updated with new evacuation orders.", "meta", 4),
        ("Tags: Wildfire, Los Angeles, Evacuation", "navigation", 4),
        ("Datenschutz | Impressum | Cookie-Einstellungen", "legal", 4),
        ("Усі права захищені", "legal", 4),
        ("Photograph: John Locher/AP", "caption", 2),
        ("Published 6:45 a.m. ET March 14, 2025 | Updated 8:02 a.m. ET March 14, 2025", "meta", 1),
        ("By Jennifer Walsh, Staff Reporter", "meta", 1),
        ("Continue reading on our app", "promo", 4),
    ],
)
def test_issue_lines_get_their_category(cleaner: Cleaner, line: str, category: str, where: int) -> None:
    lines = [HEADLINE, *BODY]
    d, result = _decision(cleaner, [*lines[:where], line, *lines[where:]], line)
    assert (d.keep, d.category) == (False, category)
    assert not result.truncated


def test_dutch_page_from_the_issue(cleaner: Cleaner) -> None:
    page = [
        "Gemeente sluit zwembad na vondst van asbest",
        "De gemeente heeft het overdekte zwembad aan de Parkweg per direct gesloten nadat bij een inspectie asbest "
        "is gevonden in het plafond.",
        "Lees ook: Sportclubs zoeken uitwijkmogelijkheden",
        "Volgens de wethouder blijft het bad zeker drie maanden dicht.",
        "Deel dit artikel",
        "Dit artikel is alleen beschikbaar voor abonnees.",
        "Word abonnee en lees onbeperkt alle artikelen.",
        "Meld je aan voor onze nieuwsbrief",
        "Wij gebruiken cookies om je een betere ervaring te bieden.",
    ]
    result = cleaner.classify("\n".join(page) + "\n", html=False)
    dropped = {d.text: d.category for d in result.decisions if not d.keep}
    assert dropped == {
        page[2]: "related",
        page[4]: "social",
        page[5]: "paywall",
        page[6]: "promo",
        page[7]: "newsletter",
        page[8]: "legal",
    }
    assert result.truncated


def _write(tmp_path: Path, category: str) -> Path:
    doc = {
        "id": "u/1",
        "lines": [
            {"text": HEADLINE, "label": "title"},
            {"text": BODY[0], "label": "body"},
            {"text": "Get our newsletter", "label": "noise", "category": category},
        ],
    }
    path = tmp_path / "mine.jsonl"
    path.write_text("\n" + json.dumps(doc) + "\n", encoding="utf-8")
    return path


def test_unknown_user_category_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "newsletterz")
    with pytest.raises(data.LabeledDataError, match=rf"{path}:2: line 3: unknown category 'newsletterz'"):
        data.user_docs([path])


def test_train_stops_on_a_category_typo_without_a_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "newsletterz")
    argv = ["--shared", str(tmp_path / "absent"), "--no-authored", "--user-data", str(path)]
    with pytest.raises(SystemExit) as stop:
        train.main([*argv, "--out", str(tmp_path / "m.npz")])
    assert "newsletterz" in str(stop.value.code) and not (tmp_path / "m.npz").exists()


def test_known_user_category_is_accepted(tmp_path: Path) -> None:
    docs = data.user_docs([_write(tmp_path, "newsletter")])
    assert docs[0]["golden"] and docs[0]["lines"][2]["category"] == "newsletter"


def test_authored_files_use_known_categories_only() -> None:
    for path in data.DOC_FILES:
        assert data.read_checked(path)
    assert data.read_entries(data.CATALOGUE) and data.read_entries(data.HARD_BODY)


def test_a_kept_furniture_category_is_not_dropped_by_the_title_guard() -> None:
    kept = Cleaner(Options(keep_categories=frozenset({"meta"})))
    d, _ = _decision(kept, ["By Jennifer Walsh, Staff Reporter", HEADLINE, *BODY], "By Jennifer Walsh, Staff Reporter")
    assert d.keep
