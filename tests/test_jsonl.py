"""jsonl.py: each outcome of a dataset line, exactly (the CLI and batch tests go through it too)."""

from __future__ import annotations

import json

import pytest

from cleaner.api import Cleaner
from cleaner.jsonl import clean_jsonl_lines, clean_record
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
