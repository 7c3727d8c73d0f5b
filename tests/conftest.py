"""Shared fixtures. Tests never touch the user's files: outputs go to tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
SEED_LABELS = REPO / "training" / "data" / "seeds.jsonl"


def shared_dir() -> Path:
    return Path(os.environ.get("CLEANER_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def linesets() -> Path:
    """The shared line sets folder, or skip with the reason."""
    path = shared_dir() / "data" / "linesets"
    if not (path / "dev.jsonl.gz").is_file():
        pytest.skip(f"shared line sets not found at {path} (set CLEANER_SHARED)")
    return path


@pytest.fixture(scope="session")
def seed_docs() -> list[dict]:
    return [json.loads(line) for line in SEED_LABELS.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(autouse=True)
def _no_user_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's $CLEANER_MODEL must not change what the tests see."""
    monkeypatch.delenv("CLEANER_MODEL", raising=False)


BROWSER_SKIP = "chromium not installed"  # the start of tests/test_report.py's skip reason


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """In CI, a browser test that skipped is shouted in the summary, not folded into "N skipped"."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if BROWSER_SKIP in str(r.longrepr)]
    if skipped and os.environ.get("CI"):
        terminalreporter.section("BROWSER TESTS DID NOT RUN", sep="!", red=True, bold=True)
        terminalreporter.line(f"{len(skipped)} browser test(s) skipped in CI: {BROWSER_SKIP}; the report page")
        terminalreporter.line("was not rendered. `make test` installs chromium in CI as root: see the Makefile.")
