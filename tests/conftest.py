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
