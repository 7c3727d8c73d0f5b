"""``cleaner report --editable``: the labels the page carries and downloads, and the page driven in headless Chromium.

The labels must be exactly what ``make train USER_DATA=...`` reads: the tests load them with the training
loader's own functions (``training.data.user_docs``, ``training.design.design``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cleaner.api import Cleaner
from cleaner.categories import ALL_CATEGORIES, DROP_CATEGORIES, is_keep
from cleaner.decide import Decision, DocumentResult
from cleaner.evaluate import document_keeps
from cleaner.report import render_report, report_command
from cleaner.review import DATA_ID, DOWNLOAD_NAME, labeled_document, labeled_line
from tests.conftest import SEEDS, browser_tool
from training import data
from training.bench import CHROMIUM_FLAGS
from training.design import design

DOWNLOAD_TIMEOUT_S = 30  # a few kB written by a local browser; longer means the download never started
BROWSER_TIMEOUT_S = 120  # page load and script calls; a hang must not block CI

Doc = dict[str, Any]


def _seed_results() -> list[tuple[str, DocumentResult]]:
    cleaner = Cleaner()
    return [(f"seeds/{p.name}", cleaner.classify(p.read_text(encoding="utf-8"))) for p in SEEDS]


def _page_data(page: str) -> dict[str, Any]:
    block = re.search(rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', page, re.S)
    assert block is not None
    return json.loads(block.group(1))


def _write_jsonl(docs: list[Doc], path: Path) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def _assert_trainable(path: Path) -> list[Doc]:
    """Load ``path`` as ``make train USER_DATA=path`` does; every line must become a training row of its category."""
    docs = data.user_docs([path])
    assert docs and all(data.doc_weight(d) == data.GOLDEN_WEIGHT for d in docs)
    d = design(docs)
    assert len(d) == sum(len(doc["lines"]) for doc in docs)
    assert d.target.tolist() == [line["category"] for doc in docs for line in doc["lines"]]
    data.read_checked(path)  # what `make train` checks: every label and category is known
    cleaner = Cleaner()
    for doc in docs:  # the lines split back into the same lines: `cleaner eval` can score them
        assert len(document_keeps(doc, cleaner)) == len(doc["lines"])
    return docs


def test_page_carries_every_line_as_labels() -> None:
    results = _seed_results()
    payload = _page_data(render_report(results, editable=True))
    assert payload["docs"] == [labeled_document(name, r) for name, r in results]
    assert [len(d["lines"]) for d in payload["docs"]] == [len(r.decisions) for _, r in results]
    assert payload["drop_categories"] == list(DROP_CATEGORIES)


def test_unchanged_labels_are_the_cleaners_decisions(tmp_path: Path) -> None:
    results = _seed_results()
    docs = _assert_trainable(_write_jsonl([labeled_document(n, r) for n, r in results], tmp_path / "l.jsonl"))
    for doc, (_, result) in zip(docs, results):
        assert [line["label"] != "noise" for line in doc["lines"]] == [d.keep for d in result.decisions]
        assert not any(line["corrected"] for line in doc["lines"])
    assert {d["source"] for d in docs} == {"seeds"} and {d["flavor"] for d in docs} == {"user"}


@given(st.booleans(), st.sampled_from(ALL_CATEGORIES))
def test_label_and_category_always_agree(keep: bool, category: str) -> None:
    line = labeled_line(Decision(1, "Some line.", keep, category, 0.5))
    assert (line["label"] != "noise") == keep == is_keep(line["category"])
    assert data.target_of(line) == line["category"]


def test_text_cannot_break_out_of_the_data_block() -> None:
    evil = '</script><script>alert(1)</script> & <!-- "q"'
    doc = DocumentResult((evil,), (Decision(1, evil, False, "noise", 0.0),), False, "rules")
    page = render_report([("<b>.txt", doc)], editable=True)
    assert "<script>alert(1)" not in page
    assert _page_data(page)["docs"][0]["lines"][0]["text"] == evil


def test_plain_report_has_no_script_and_editable_one_has() -> None:
    results = _seed_results()[:1]
    assert "<script" not in render_report(results)
    page = render_report(results, editable=True)
    assert 'id="download"' in page and "src=" not in page and "http" not in page.split("<body")[0]


def test_command_writes_an_editable_page(tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    result = CliRunner().invoke(report_command, ["--editable", str(SEEDS[0]), "-o", str(out), "--no-model"])
    assert result.exit_code == 0, result.output
    assert len(_page_data(out.read_text(encoding="utf-8"))["docs"]) == 1


# --- in a real browser -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """Headless Chromium under selenium (Debian's chromium + chromedriver) and the folder it downloads into."""
    chromium, chromedriver = browser_tool("chromium"), browser_tool("chromedriver")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    tmp = tmp_path_factory.mktemp("browser")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", "--window-size=1200,1000"):
        options.add_argument(flag)
    downloads = tmp / "downloads"
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    options.add_experimental_option("prefs", prefs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SE_OFFLINE", "true")  # Selenium Manager must not look for a browser or driver online
        driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    driver.set_page_load_timeout(BROWSER_TIMEOUT_S)
    driver.set_script_timeout(BROWSER_TIMEOUT_S)
    yield driver, downloads
    driver.quit()


def _wait_for_download(folder: Path) -> Path:
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("*") if not p.name.endswith(".crdownload")] if folder.is_dir() else []
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no download in {folder} after {DOWNLOAD_TIMEOUT_S} s")


def _first(result: DocumentResult, keep: bool) -> int:
    return next(i for i, d in enumerate(result.decisions) if d.keep == keep)


def test_browser_click_category_download(browser: tuple[Any, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver, downloads = browser
    results = _seed_results()
    page = tmp_path / "review.html"
    page.write_text(render_report(results, editable=True), encoding="utf-8")
    expected = [labeled_document(name, r) for name, r in results]
    kept_line = _first(results[0][1], keep=True)  # doc 1: a kept line, dropped by a click, then made "promo"
    dropped_doc = next(k for k, (_, r) in enumerate(results) if not all(d.keep for d in r.decisions))
    dropped_line = _first(results[dropped_doc][1], keep=False)  # a dropped line whose category is changed
    was = expected[dropped_doc]["lines"][dropped_line]["category"]
    new_category = next(c for c in DROP_CATEGORIES if c not in ("promo", was))

    driver.get(page.as_uri())
    li = driver.find_elements(By.CSS_SELECTOR, "#doc1 ol.lines > li")[kept_line]
    li.find_element(By.CSS_SELECTOR, ".line").click()
    assert li.find_element(By.CSS_SELECTOR, ".line").tag_name == "del"
    Select(li.find_element(By.CSS_SELECTOR, "select.cat")).select_by_value("promo")
    other = driver.find_elements(By.CSS_SELECTOR, f"#doc{dropped_doc + 1} ol.lines > li")[dropped_line]
    Select(other.find_element(By.CSS_SELECTOR, "select.cat")).select_by_value(new_category)
    assert len(driver.find_elements(By.CSS_SELECTOR, "li.changed")) == 2
    assert driver.find_element(By.ID, "changed-count").text == "2 lines changed"
    driver.find_element(By.ID, "download").click()
    downloaded = _wait_for_download(downloads)

    assert downloaded.name == DOWNLOAD_NAME
    expected[0]["lines"][kept_line].update(label="noise", category="promo", corrected=True)
    expected[dropped_doc]["lines"][dropped_line].update(category=new_category, corrected=True)
    assert _assert_trainable(downloaded) == data.golden(expected)
