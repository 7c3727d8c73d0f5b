"""The HTML path: page blocks, the HTML model file, explain/json records, and the HTML-page evaluation."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.api import Cleaner
from cleaner.cli import cli
from cleaner.errors import InputError, ModelError
from cleaner.evaluate_html import evaluate_html, pages_from, score_extractions, snippet_share, word_prf
from cleaner.htmlfeatures import block_feature_names, page_blocks
from cleaner.htmlmodel import DEFAULT_HTML_MODEL, HtmlModel, load_html_model, save_html_model
from cleaner.options import Options
from tests.conftest import shared_dir

PARAGRAPH = "The council approved the new budget on Monday night after a long debate about school funding."
FORUM = (
    "<html><head><title>Thread</title></head><body><nav><ul><li><a href='/'>Home</a></li>"
    "<li><a href='/forums'>Forums</a></li></ul></nav><main><h1>How do I season a cast iron pan?</h1>"
    + "".join(
        f"<div class='post'><div class='author'><a href='/u/{i}'>user{i}</a></div>"
        f"<div class='message'><p>Reply {i}: I always wipe a thin layer of oil on the pan and bake it for an hour "
        f"at a high temperature, then let it cool slowly in the oven before using it again.</p></div></div>"
        for i in range(6)
    )
    + "</main><footer><p>Copyright 2025 Example Forums. All rights reserved.</p></footer></body></html>"
)


def test_blocks_follow_block_elements_and_skip_scripts() -> None:
    page = (
        "<html><body><nav><a href='/'>Home</a></nav><p>First <b>bold</b> words</p><script>var x</script>"
        "<ul><li>One</li><li>Two</li></ul><pre>a = 1\nb = 2</pre></body></html>"
    )
    assert [b.text for b in page_blocks(page)] == ["Home", "First bold words", "One", "Two", "a = 1", "b = 2"]


def test_hidden_text_is_a_block_marked_hidden() -> None:
    """Collapsed sections (product details, accordions) hold content: hidden is a feature, not a cut."""
    blocks = page_blocks("<html><body><div hidden><p>Specifications</p></div><p>Shown</p></body></html>")
    assert [("hidden" in b.context) for b in blocks] == [True, False]


def test_link_text_is_counted() -> None:
    home, para = page_blocks("<html><body><div><a href='/'>Home</a></div><p>Plain text here.</p></body></html>")
    assert (home.link_chars, para.link_chars) == (4, 0)


def test_features_carry_dom_context_and_trafilatura_agreement() -> None:
    blocks = page_blocks(f"<html><body><aside class='newsletter-box'><p>Sign up</p></aside><p>{PARAGRAPH}</p>")
    names = block_feature_names(blocks, PARAGRAPH)
    assert {"anc:aside", "ka:newsletter", "tk:0"} <= set(names[0])
    assert "tk:1" in names[1]


def test_features_are_the_same_in_every_process() -> None:
    """Training is reproducible: no feature list follows a set's order, which changes with the hash seed (a block
    in several inline elements once listed them so, and retrained models differed)."""
    page = f"<html><body><p><a href='/x'><b><em><code><small>{PARAGRAPH}</small></code></em></b></a></p></body></html>"
    code = (
        "from cleaner.htmlfeatures import block_feature_names, page_blocks\n"
        f"print(block_feature_names(page_blocks({page!r}), ''))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": str(seed)}, check=True,
            capture_output=True, text=True,
        ).stdout
        for seed in range(4)
    }  # fmt: skip
    assert len(outputs) == 1 and "in:small" in outputs.pop()


def test_model_file_round_trips_without_pickle(tmp_path: Path) -> None:
    model = HtmlModel(np.array([0.5, -1.0], np.float32), np.array([0, 7]), {"extraction": "default"})
    path = tmp_path / "m.npz"
    save_html_model(model, path)
    loaded = load_html_model(path)
    assert loaded.predict([[0], [0, 7]]).round(3).tolist() == model.predict([[0], [0, 7]]).round(3).tolist()
    with np.load(path, allow_pickle=False) as npz:
        assert set(npz.files) == {"weights", "rows", "header"}


def test_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="corrupt"):
        load_html_model(path)


needs_model = pytest.mark.skipif(not DEFAULT_HTML_MODEL.is_file(), reason="no shipped HTML model")


@needs_model
def test_forum_posts_are_kept_and_furniture_dropped() -> None:
    text = Cleaner().clean_html(FORUM)
    assert all(f"Reply {i}:" in text for i in range(6))
    assert "All rights reserved" not in text


@needs_model
def test_explain_says_which_extraction_and_model_decided(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(FORUM, encoding="utf-8")
    result = CliRunner().invoke(cli, ["clean", "--explain", str(page)])
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records and all(r["extraction"].startswith("page blocks + trafilatura") for r in records)
    assert any(r["model"].startswith("html model") for r in records)


@needs_model
def test_json_counts_lines_per_deciding_model(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(FORUM, encoding="utf-8")
    doc = json.loads(CliRunner().invoke(cli, ["clean", "--json", str(page)]).output)
    assert doc["source"] == "html-model" and doc["extraction"].startswith("page blocks")
    assert sum(doc["models"].values()) == doc["lines"]


@needs_model
def test_a_page_left_empty_by_the_html_model_falls_back_to_trafilatura() -> None:
    """Never less than trafilatura: a model that drops every block hands the page to trafilatura's text."""
    drop_all = HtmlModel(np.array([-5.0], np.float32), np.array([0]), {"name": "drop-all"})
    page = "<html><body><article>" + "<p>A long paragraph of article text for the test.</p>" * 5
    result = Cleaner(html_model=drop_all).classify_html(page + "</article></body></html>")
    assert result.extraction == "trafilatura favor_recall" and "A long paragraph" in result.text


def test_an_html_model_given_in_memory_is_the_one_used() -> None:
    keep_all = HtmlModel(np.array([5.0], np.float32), np.array([0]), {"name": "keep-all"})
    deciders = {d.decided_by for d in Cleaner(html_model=keep_all).classify_html(FORUM).decisions}
    assert "html model keep-all" in deciders and "html model html-v1" not in deciders  # not the shipped file
    assert Cleaner(html_model=keep_all).html_model is keep_all
    assert Cleaner(Options(use_model=False), html_model=keep_all).html_model is None


def test_without_models_trafilatura_and_the_rules_decide() -> None:
    result = Cleaner(Options(use_model=False)).classify_html(FORUM)
    assert result.extraction == "trafilatura favor_recall"
    assert {d.decided_by for d in result.decisions} == {"rules"}


def test_text_input_explain_records_are_unchanged() -> None:
    record = Cleaner(Options(use_model=False)).classify(PARAGRAPH + "\n", html=False).decisions[0].as_record()
    assert list(record) == ["n", "keep", "category", "score", "text"]


def test_html_inference_never_imports_scikit_learn() -> None:
    code = (
        "import sys\nfrom cleaner.api import Cleaner\n"
        f"Cleaner().clean_html({FORUM!r})\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_word_metric_is_a_multiset_overlap() -> None:
    assert word_prf("the the cat", "the cat") == (0.6667, 1.0, 0.8)
    assert word_prf("", "") == (1.0, 1.0, 1.0)
    assert word_prf("", "gold") == (0.0, 0.0, 0.0)


def test_snippets_match_case_insensitively_across_line_breaks() -> None:
    assert snippet_share("Sign up\nfor our NEWSLETTER", ["sign up for our newsletter"]) == (1, 1)


def _wcxb_folder(root: Path) -> Path:
    (root / "html").mkdir(parents=True)
    rows = [
        {"id": "1", "split": "dev", "domain": "a.com", "page_type": "forum", "main_content": PARAGRAPH},
        {"id": "2", "split": "train", "domain": "b.com", "page_type": "article", "main_content": "x"},
    ]
    for row in rows:
        row |= {"with": [PARAGRAPH[:30]], "without": ["All rights reserved"]}
        page = f"<html><body><p>{PARAGRAPH}</p><footer>All rights reserved</footer></body></html>"
        (root / "html" / f"{row['id']}.html.gz").write_bytes(gzip.compress(page.encode()))
    with gzip.open(root / "gold.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    return root


def test_score_extractions_reports_per_page_type(tmp_path: Path) -> None:
    pages = pages_from(_wcxb_folder(tmp_path / "w"), "dev")
    report = score_extractions(pages, [PARAGRAPH + "\nAll rights reserved"])
    assert list(report) == ["all", "forum"]
    assert report["all"]["with_found"] == 1.0 and report["all"]["without_leaked"] == 1.0
    assert report["forum"]["word_r"] == 1.0


def test_eval_command_scores_an_html_folder(tmp_path: Path) -> None:
    folder = _wcxb_folder(tmp_path / "w")
    result = CliRunner().invoke(cli, ["eval", str(folder), "--split", "dev", "--no-model", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)[str(folder)]
    assert report["all"]["pages"] == 1 and "forum" in report


def test_a_page_the_cleaner_rejects_scores_as_empty_and_the_eval_goes_on(tmp_path: Path) -> None:
    pages = pages_from(_wcxb_folder(tmp_path / "w"), "dev")

    def reject(html: str) -> str:
        raise InputError("no text could be extracted from the HTML, though the page has text")

    report = evaluate_html(pages * 2, reject)
    assert report["all"]["pages"] == 2 and report["all"]["word_r"] == 0.0


def test_eval_command_rejects_a_folder_without_gold(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(tmp_path)])
    assert result.exit_code != 0 and "gold" in str(result.exception or result.output)


def test_eval_on_shared_wcxb_dev_pages() -> None:
    folder = shared_dir() / "data" / "wcxb"
    if not (folder / "gold.jsonl.gz").is_file():
        pytest.skip(f"shared WCXB pages not found at {folder} (set CLEANER_SHARED)")
    pages = pages_from(folder, "dev")[:3]
    report = score_extractions(pages, [Cleaner(Options(use_model=False)).clean_html(p.html()) for p in pages])
    assert report["all"]["pages"] == 3 and 0.0 <= report["all"]["word_f1"] <= 1.0


# The patterns first used (they rescanned the rest of the page from every opening never closed): the references.
INVISIBLE = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")
DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
MARKUP_PIECES = [
    "<script>", "</script>", "</SCRIPT >", "<Script>", "</script", "<scripts>", "<style x>", "</style>", "<!--", "-->",
    "<noscript>", "</noscript\n>", "<template>", "</template>", "<p>", "</p>", "<", ">", "a", " ", "-", "!", "\n",
    "<!DOCTYPE", "<!doctype", " html", "[", "]", "] >",
]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(MARKUP_PIECES), max_size=14).map("".join))
def test_visible_text_is_what_the_patterns_leave(markup: str) -> None:
    """``has_visible_text`` strips scripts, comments and tags, and ``sanitize_html`` a doctype's internal subset,
    exactly as the first patterns did, without their rescans (openings that are never closed)."""
    from cleaner.htmlinput import _without_doctype_subset, _without_invisible, _without_tags

    assert _without_invisible(markup) == INVISIBLE.sub(" ", markup)
    assert _without_tags(markup) == TAG.sub(" ", markup)
    assert _without_doctype_subset(markup) == DOCTYPE_SUBSET.sub("<!DOCTYPE html>", markup, count=1)


@pytest.mark.parametrize("page", ["<script>" * 20_000, "<!--" * 20_000, "a <b" * 20_000, "<" * 80_000])
def test_unclosed_openings_leave_their_text(page: str) -> None:
    """Pages of openings never closed (the patterns rescanned them for seconds): the text around stays."""
    from cleaner.htmlinput import has_visible_text

    assert has_visible_text(page) == ("a" in page)
