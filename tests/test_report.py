"""``cleaner report``: the HTML page (unit tests) and how a real browser renders it (headless Chromium)."""

from __future__ import annotations

import re
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.api import Cleaner
from cleaner.decide import Decision, DocumentResult
from cleaner.report import render_report, report_command
from tests.conftest import SEEDS, browser_tool
from training.bench import CHROMIUM_FLAGS

BROWSER_TIMEOUT_S = 120  # a cold Chromium start on a slow CI machine takes a few seconds; a hang must not block CI
MIN_SCREENSHOT_BYTES = 20_000  # a blank 1200x1600 PNG is ~5 kB; a page of text is far larger
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _DelCounter(HTMLParser):
    """Counts ``<del class="line ...">`` elements and collects element ``title`` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.struck = 0
        self.titles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "del" and "line" in (a.get("class") or "").split():
            self.struck += 1
        if a.get("title"):
            self.titles.append(a["title"] or "")


def _struck(page: str) -> _DelCounter:
    parser = _DelCounter()
    parser.feed(page)
    return parser


def _result(texts: list[str], keeps: list[bool], truncated: bool = False) -> DocumentResult:
    decisions = tuple(
        Decision(n, t, k, "body" if k else "newsletter", 0.9 if k else 0.01)
        for n, (t, k) in enumerate(zip(texts, keeps), 1)
    )
    return DocumentResult(tuple(texts), decisions, truncated, "model")


def _seed_results() -> list[tuple[str, DocumentResult]]:
    cleaner = Cleaner()
    return [(p.name, cleaner.classify(p.read_text(encoding="utf-8"))) for p in SEEDS]


def test_text_and_names_are_escaped() -> None:
    page = render_report([('<img src=x onerror="1">', _result(['<script>alert(1)</script> & "q"'], [False]))])
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;" in page
    assert "&lt;img src=x onerror=&quot;1&quot;&gt;" in page


def test_struck_lines_equal_dropped_decisions() -> None:
    results = _seed_results()
    dropped = sum(not d.keep for _, r in results for d in r.decisions)
    assert dropped > 0
    assert _struck(render_report(results)).struck == dropped


def test_every_line_has_its_score_on_hover() -> None:
    page = render_report([("doc", _result(["Kept line here.", "Sign up now"], [True, False]))])
    titles = _struck(page).titles
    assert any("P(article) = 0.900" in t and "kept" in t for t in titles)
    assert any("P(article) = 0.010" in t and "newsletter" in t and "dropped" in t for t in titles)


def test_truncated_flag_shown_only_for_truncated_documents() -> None:
    page = render_report(
        [
            ("cut", _result(["Body text that ends mid-wo..."], [True], truncated=True)),
            ("whole", _result(["Body text."], [True])),
        ]
    )
    assert page.count('class="truncated"') == 1
    cut, whole = page.split('id="doc2"')
    assert "truncated / paywalled" in cut and "truncated / paywalled" not in whole


def test_summary_counts_per_category() -> None:
    page = render_report([("doc", _result(["a b c d.", "Subscribe", "Sign up"], [True, False, False]))])
    assert re.search(r"c-newsletter\">newsletter</span></td><td>0</td><td>2</td>", page)


def test_page_is_self_contained() -> None:
    page = render_report(_seed_results())
    assert "<script" not in page and "http://" not in page and "https://" not in page.split("<body>")[0]
    assert "text-decoration:line-through" in page


def test_command_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(report_command, [*map(str, SEEDS), "-o", str(out), "--no-model"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count('<section class="doc"') == len(SEEDS)


def test_command_reports_a_missing_file_and_writes_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(report_command, [str(SEEDS[0]), str(tmp_path / "nope.txt"), "-o", str(out)])
    assert result.exit_code == 1
    assert "nope.txt" in result.output
    assert out.read_text(encoding="utf-8").count('<section class="doc"') == 1


def test_command_has_help() -> None:
    assert report_command.help and "HTML" in report_command.help


@pytest.fixture(scope="module")
def chromium() -> str:
    return browser_tool("chromium")


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    results = _seed_results()
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(results), encoding="utf-8")
    return path, sum(not d.keep for _, r in results for d in r.decisions)


def _run_chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=False)


def test_browser_dom_strikes_every_dropped_line(chromium: str, seeds_report: tuple[Path, int], tmp_path: Path) -> None:
    report, dropped = seeds_report
    proc = _run_chromium(chromium, tmp_path, "--dump-dom", report.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<body>" in proc.stdout
    assert _struck(proc.stdout).struck == dropped


def test_browser_screenshot_is_not_blank(chromium: str, seeds_report: tuple[Path, int], tmp_path: Path) -> None:
    report, _ = seeds_report
    shot = tmp_path / "shot.png"
    proc = _run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", report.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", data[16:24]) == (1200, 1600)  # IHDR width, height
    assert len(data) > MIN_SCREENSHOT_BYTES
