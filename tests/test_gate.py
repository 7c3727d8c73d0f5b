"""The evaluation gate: dev-split scores must not fall below the pinned floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training import gate


def test_dev_scores_stay_above_floors(linesets: Path) -> None:
    floors = json.loads(gate.FLOORS.read_text())
    dev = linesets / "dev.jsonl.gz"
    if gate.sha256(dev) != floors["dev_sha256"]:
        pytest.skip("the dev data changed since the floors were pinned: re-pin with `python -m training.gate --update`")
    assert gate.violations(floors, gate.current_scores(dev)) == []


def test_violations_respect_tolerance() -> None:
    floors = {"floors": {"residue": {"body_recall": 0.99}}}
    assert gate.violations(floors, {"residue": {"body_recall": 0.99 - gate.TOLERANCE / 2}}) == []
    assert gate.violations(floors, {"residue": {"body_recall": 0.99 - 2 * gate.TOLERANCE}}) != []
