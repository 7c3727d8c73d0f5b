"""jsonl.py: each outcome of a dataset line, exactly (the CLI and batch tests go through it too)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import pytest

from cleaner.api import Cleaner
from cleaner.errors import InputError
from cleaner.jsonl import JsonlOutcome, clean_jsonl_lines, clean_record
from cleaner.options import Options
from tests.conftest import REPO

RULES = Cleaner(Options(use_model=False))
PAYWALLED = (
    "Council approves new budget\n"
    "The city council approved the new budget on Monday after a long and heated debate, officials said.\n"
    "[Short citation of 8% of the original article]\n"
)


def test_a_document_becomes_itself_with_cleaned_text_and_metadata() -> None:
    doc = {"id": 1, "url": "https://example.org/a", "text": PAYWALLED + "Grüße aus München, sagte er am Montag.\n"}
    [out] = clean_jsonl_lines(RULES, [json.dumps(doc)])
    result = RULES.classify(doc["text"], html=False)
    expected = {"id": 1, "url": "https://example.org/a", "text": result.text, "cleaner": result.metadata()}
    assert out.line == json.dumps(expected, ensure_ascii=False) + "\n"
    assert "Grüße" in out.line  # UTF-8 kept as it is, not \\u-escaped
    assert (out.lineno, out.error, out.truncated, out.counts) == (1, None, True, result.counts())
    assert result.metadata()["kept_lines"] == 3 and result.metadata()["dropped"] == {"paywall": 1}


def test_errors_name_their_line_and_blank_lines_count_but_are_skipped() -> None:
    lines = ['{"text": "Subscribe"}', "", "   ", "[1, 2]", '{"text": 3}', '{"body": "x"}', "{oops", '{"text": "Hi"}']
    outs = list(clean_jsonl_lines(RULES, lines))
    assert [(o.lineno, o.error) for o in outs] == [
        (1, None),
        (4, "line 4: no string field 'text'"),
        (5, "line 5: no string field 'text'"),
        (6, "line 6: no string field 'text'"),
        (7, "line 7: malformed JSON (Expecting property name enclosed in double quotes)"),
        (8, None),
    ]
    assert all(o.line is None and o.counts is None and not o.truncated for o in outs if o.error)


def test_another_text_field() -> None:
    [out] = clean_jsonl_lines(RULES, [json.dumps({"text": "kept as it is", "body": PAYWALLED})], field="body")
    got = json.loads(out.line or "")
    assert got["text"] == "kept as it is" and got["body"] == RULES.clean(PAYWALLED, html=False)


def test_html_looking_text_is_cleaned_as_text() -> None:
    text = "<html><body><p>Not extracted: a dataset's text field is text.</p></body></html>\n"
    [out] = clean_jsonl_lines(RULES, [json.dumps({"text": text})])
    assert json.loads(out.line or "")["text"] == RULES.clean(text, html=False)


def test_clean_record_leaves_the_input_document_alone() -> None:
    doc = {"id": 7, "text": PAYWALLED}
    out, result = clean_record(RULES, doc)
    assert doc == {"id": 7, "text": PAYWALLED}
    assert out == {"id": 7, "text": result.text, "cleaner": result.metadata()}


def test_an_html_field_without_extractable_text_is_an_error_of_its_line_only() -> None:
    page = json.dumps({"text": "<html><body><p>" + "The council met on Monday to vote. " * 5 + "</p></body></html>"})
    plain = json.dumps({"text": "Plain words, not a page, but long enough to count as text for sure."})
    outcomes = list(clean_jsonl_lines(Cleaner(Options(use_model=False)), [plain, page], html=True))
    assert outcomes[0].error is not None and outcomes[0].error.startswith("line 1: no text could be extracted")
    assert outcomes[1].error is None and "The council met" in json.loads(outcomes[1].line or "")["text"]


@pytest.mark.parametrize("html", [False, True])
def test_a_summary_is_what_the_decisions_give(html: bool) -> None:
    """``summarize`` (what --jsonl and batch use when no explanation is asked) agrees with ``classify``."""
    cleaner = Cleaner(Options())
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    if html:
        page = "<html><body><nav>Home | News</nav><article><h1>A title</h1><p>{}</p></article></body></html>"
        texts = [page.format(t[:2000]) for t in texts]
    else:
        texts += ["", "\n\n", "Subscribe\n\nA line of text that is long enough to be kept as article text, surely.\n"]
    for text in texts:
        assert cleaner.summarize(text, html=html) == cleaner.classify(text, html=html).summary()


def _dataset_texts() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    long_line = "A sentence of an article that goes on and on. " * 40
    return [
        *seeds,
        "",
        "\n\n",
        "Subscribe\n",
        PAYWALLED,
        f"Title of the story\n{long_line}\nSubscribe now\n",
        "<html><body><p>Not extracted: a dataset's text field is text.</p></body></html>\n",
        seeds[0][:300],
    ]


@pytest.mark.parametrize("window", [4, 60, 5_000])
@pytest.mark.parametrize("options", [Options(), Options(max_line_chars=200), Options(use_model=False)], ids=str)
def test_summaries_of_documents_cleaned_together_are_each_ones_own(
    monkeypatch: pytest.MonkeyPatch, window: int, options: Options
) -> None:
    """``summarize_many`` gives each text's ``summarize``: documents of one window scored together (in batches of
    at most a window's lines), longer, empty and HTML ones on their own."""
    monkeypatch.setattr("cleaner.api.WINDOW_LINES", window)
    cleaner = Cleaner(options)
    texts = _dataset_texts()
    for html in (None, False):
        assert cleaner.summarize_many(texts, html=html) == [cleaner.summarize(t, html=html) for t in texts]
    assert cleaner.summarize_many([]) == []


@pytest.mark.parametrize(("documents", "chars"), [(1, 1 << 20), (2, 1 << 20), (3, 1 << 20), (64, 1 << 20), (64, 500)])
def test_documents_read_ahead_give_the_outcomes_of_each_line_alone(
    monkeypatch: pytest.MonkeyPatch, documents: int, chars: int
) -> None:
    """Without --explain, documents are read ahead and cleaned together: the outcomes are those of each line
    cleaned on its own (as with --explain), in order, with errors where they were; a read error comes last."""
    monkeypatch.setattr("cleaner.jsonl.BATCH_DOCUMENTS", documents)
    monkeypatch.setattr("cleaner.jsonl.BATCH_CHARS", chars)
    cleaner = Cleaner(Options())
    lines: list[str | None] = [json.dumps({"id": i, "text": t}) for i, t in enumerate(_dataset_texts())]
    lines[3:3] = ["", "{oops", None, '{"text": 3}']

    def read() -> Iterator[str | None]:
        yield from lines
        raise InputError("the file is cut short")

    def facts(outcomes: Iterable[JsonlOutcome]) -> list[tuple]:
        return [(o.lineno, o.line, o.error, o.truncated, o.counts, o.fatal) for o in outcomes]

    together = facts(clean_jsonl_lines(cleaner, read(), decisions=False))
    alone = facts(clean_jsonl_lines(cleaner, read(), decisions=True))
    assert together == alone
    assert together[-1][2:] == (
        f"line {len(lines) + 1}: the file is cut short; the rest is not read",
        False,
        None,
        True,
    )
    assert [o[0] for o in together][:5] == [1, 2, 3, 5, 6]


def test_one_at_a_time_each_document_is_answered_before_the_next_is_read() -> None:
    """``batch=1`` (what the CLI uses when a terminal types the documents): no reading ahead."""
    read: list[int] = []

    def typed() -> Iterator[str]:
        for i in range(3):
            read.append(i)
            yield json.dumps({"text": f"Subscribe {i}"})

    outcomes = clean_jsonl_lines(RULES, typed(), decisions=False, batch=1)
    assert next(outcomes).lineno == 1 and read == [0]
    assert [o.lineno for o in outcomes] == [2, 3] and read == [0, 1, 2]
