"""The scorer behind ``cleaner eval`` and the gate, checked with a stub cleaner whose decisions are known.

Every expected number below is worked out by hand from the documents, so that a
broken ratio, tally or F1 cannot hide behind a doctest whose answer is 1.0.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from cleaner.decide import Decision, DocumentResult
from cleaner.evaluate import _empty, document_keeps, evaluate, evaluate_report, read_labeled, summarize


class Stub:
    """A cleaner that keeps exactly the lines whose text starts with ``+``."""

    def classify(self, text: str, html: bool | None = None) -> DocumentResult:
        lines = tuple(text.split("\n")[:-1])
        decisions = tuple(
            Decision(n, t, t.startswith("+"), "body" if t.startswith("+") else "noise", 0.5)
            for n, t in enumerate(lines, 1)
        )
        return DocumentResult(lines, decisions, False, "model")


def line(label: str, keep: bool, chars: int) -> dict[str, str]:
    """A labeled line of ``chars`` characters that the stub keeps or drops."""
    return {"text": ("+" if keep else "-") * chars, "label": label}


DOCS: list[dict[str, Any]] = [
    {
        "id": "r1",
        "source": "a.example",
        "flavor": "residue",
        "lines": [
            line("title", True, 10),
            line("body", True, 20),
            line("body", False, 30),  # body lost
            line("noise", False, 7),
            line("noise", False, 9),
            line("noise", True, 11),  # noise kept
            line("mixed", False, 3),  # counted, not scored
        ],
    },
    {
        "id": "p1",
        "source": "b.example",
        "flavor": "page",
        "lines": [line("body", True, 40), line("noise", False, 6)],
    },
]


RATES = ("body_recall", "body_recall_chars", "noise_removal", "noise_removal_chars")
DROP = ("drop_precision", "drop_recall", "drop_f1")
COUNTS = ("docs", "body_lines", "noise_lines", "mixed_lines")


def pick(scores: dict[str, Any], keys: tuple[str, ...] = COUNTS + RATES + DROP) -> dict[str, Any]:
    """The figures these tests pin (a summary may carry more, e.g. ranking figures)."""
    return {k: scores[k] for k in keys}


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, Any]]:
    return evaluate(DOCS, Stub())


def test_rates_of_one_flavor(scores: dict[str, dict[str, Any]]) -> None:
    # body: 3 lines (title counts), 2 kept; 60 chars, 30 kept. noise: 3 lines, 2 dropped; 27 chars, 16 dropped.
    # drop decision: 3 drops, 2 of them noise (precision 2/3); 2 of 3 noise lines dropped (recall 2/3).
    assert pick(scores["residue"]) == {
        "docs": 1,
        "body_lines": 3,
        "noise_lines": 3,
        "mixed_lines": 1,
        "body_recall": 0.6667,
        "body_recall_chars": 0.5,
        "noise_removal": 0.6667,
        "noise_removal_chars": 0.5926,
        "drop_precision": 0.6667,
        "drop_recall": 0.6667,
        "drop_f1": 0.6667,
    }


def test_all_adds_up_every_flavor(scores: dict[str, dict[str, Any]]) -> None:
    # body 4 lines, 3 kept; 100 chars, 70 kept. noise 4 lines, 3 dropped; 33 chars, 22 dropped. drops: 3 noise + 1 body.
    assert pick(scores["all"]) == {
        "docs": 2,
        "body_lines": 4,
        "noise_lines": 4,
        "mixed_lines": 1,
        "body_recall": 0.75,
        "body_recall_chars": 0.7,
        "noise_removal": 0.75,
        "noise_removal_chars": 0.6667,
        "drop_precision": 0.75,
        "drop_recall": 0.75,
        "drop_f1": 0.75,
    }
    assert sorted(scores) == ["all", "page", "residue"]
    assert scores["page"]["body_recall"] == scores["page"]["drop_precision"] == 1.0


def test_f1_combines_unequal_precision_and_recall() -> None:
    s = summarize(_empty() | {"noise": 4, "noise_dropped": 1, "body_dropped": 1})
    assert (s["drop_precision"], s["drop_recall"], s["drop_f1"]) == (0.5, 0.25, 0.3333)


def test_an_empty_count_scores_one_and_no_right_drop_scores_zero() -> None:
    s = evaluate([{"id": "x", "flavor": "f", "lines": [line("body", False, 5), line("noise", True, 5)]}], Stub())["f"]
    assert (s["body_recall"], s["noise_removal"], s["drop_precision"], s["drop_recall"], s["drop_f1"]) == (
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
    )
    empty = evaluate([{"id": "y", "flavor": "f", "lines": [line("mixed", True, 5)]}], Stub())["f"]
    assert (empty["body_recall"], empty["noise_removal"], empty["drop_precision"], empty["drop_f1"]) == (
        1.0,
        1.0,
        1.0,
        1.0,
    )


def test_report_by_source_and_worst_documents() -> None:
    docs = [
        *DOCS,
        {
            "id": "r2",
            "source": "a.example",
            "flavor": "residue",
            "lines": [line("body", False, 50), line("body", True, 5)],
        },
        {"id": "r0", "source": "c.example", "lines": [line("body", False, 30), line("body", False, 1)]},
    ]
    report = evaluate_report(docs, Stub(), worst=2)
    by_source = {key.split()[0]: s for key, s in report["by_source"].items()}  # keyed "source" or "source flavor"
    assert len(by_source) == len(report["by_source"]) == 3
    assert pick(by_source["a.example"], COUNTS + RATES) == {
        "docs": 2,
        "body_lines": 5,
        "noise_lines": 3,
        "mixed_lines": 1,
        "body_recall": 0.6,  # 3 of 5 body lines, 35 of 115 chars
        "body_recall_chars": 0.3043,
        "noise_removal": 0.6667,
        "noise_removal_chars": 0.5926,
    }
    assert "unknown" in report["by_flavor"]  # r0 has no flavor
    assert [(d["id"], d["body_lines_lost"], d["body_chars_lost"]) for d in report["worst"]] == [
        ("r2", 1, 50),
        ("r0", 2, 31),
    ]
    assert report["worst"][1]["examples"] == ["-" * 30, "-"]
    assert report["worst"][0]["source"] == "a.example" and report["worst"][0]["flavor"] == "residue"


def test_worst_ties_are_ordered_by_id_and_lossless_documents_are_left_out() -> None:
    docs = [{"id": i, "lines": [line("body", False, 10)]} for i in ("b", "a")] + [
        {"id": "c", "lines": DOCS[1]["lines"]}
    ]
    assert [d["id"] for d in evaluate_report(docs, Stub(), worst=5)["worst"]] == ["a", "b"]
    assert evaluate_report(docs, Stub(), worst=0)["worst"] == []


def test_multi_line_entries_are_refused() -> None:
    with pytest.raises(ValueError, match="bad: blank or multi-line"):
        document_keeps({"id": "bad", "lines": [{"text": "+a\n+b", "label": "body"}]}, Stub())


def test_read_labeled_reads_gzip_and_skips_blank_lines(tmp_path: Path) -> None:
    data = json.dumps(DOCS[0]) + "\n\n" + json.dumps(DOCS[1]) + "\n"
    (tmp_path / "d.jsonl.gz").write_bytes(gzip.compress(data.encode()))
    (tmp_path / "d.jsonl").write_text(data, encoding="utf-8")
    assert list(read_labeled(tmp_path / "d.jsonl.gz")) == list(read_labeled(tmp_path / "d.jsonl")) == DOCS
