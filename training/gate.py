"""The evaluation gate: dev-split floors pinned in ``tests/floors.json``.

    python -m training.gate            # show current scores against the floors
    python -m training.gate --update   # raise the floors to the current scores
    python -m training.gate --update --allow-lower   # also lower them (say why in the commit)

Both dev splits are gated (aeb ``dev`` and ``wcxb-dev``), per flavor: body
recall and noise removal at the default threshold, and noise removal at 98%
body recall (the ranking). The floors record the SHA-256 of the data they were
measured on; the test (``tests/test_gate.py``) fails when a change drops a score
below its floor by more than ``TOLERANCE``, and when the data is not the data
the floors were pinned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cleaner.api import Cleaner
from cleaner.evaluate import evaluate, read_labeled

REPO = Path(__file__).resolve().parent.parent
FLOORS = REPO / "tests" / "floors.json"
DEVS = {"dev": Path("data/linesets/dev.jsonl.gz"), "wcxb-dev": Path("data/linesets/wcxb-dev.jsonl.gz")}
TOLERANCE = 0.005  # scores may wobble this much (e.g. float16 weights) before the gate fails
GATED = ("body_recall", "noise_removal", "removal_at_98")  # what the product promises, per flavor


def dev_paths(shared: Path) -> dict[str, Path]:
    """The dev splits present under ``shared``."""
    return {name: shared / rel for name, rel in DEVS.items() if (shared / rel).is_file()}


def current_scores(path: Path) -> dict[str, dict[str, float]]:
    """Gated scores per flavor with the shipped model at the default threshold."""
    scores = evaluate(read_labeled(path), Cleaner())
    return {flavor: {k: s[k] for k in GATED} for flavor, s in scores.items() if flavor != "all"}


def violations(floors: dict[str, Any], scores: dict[str, dict[str, float]]) -> list[str]:
    """Every score below its floor by more than the tolerance (``floors``: one split's entry)."""
    out = []
    for flavor, gated in floors["floors"].items():
        for key, floor in gated.items():
            got = scores.get(flavor, {}).get(key) or 0.0
            if got < floor - TOLERANCE:
                out.append(f"{flavor} {key}: {got:.4f} < floor {floor:.4f}")
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=Path(os.environ.get("CLEANER_SHARED", "../shared")))
    p.add_argument("--update", action="store_true", help="raise floors to the current scores")
    p.add_argument("--allow-lower", action="store_true", help="with --update, also lower floors")
    args = p.parse_args(argv)
    paths = dev_paths(args.shared)
    if not paths:
        print(f"gate: no dev split under {args.shared}; nothing to check", file=sys.stderr)
        return 0
    pinned = json.loads(FLOORS.read_text()) if FLOORS.is_file() else {}
    bad: list[str] = []
    new: dict[str, Any] = {}
    for name, path in paths.items():
        scores = current_scores(path)
        old = pinned.get(name, {"floors": {}})
        print(json.dumps({name: {"scores": scores, "floors": old["floors"]}}, indent=1))
        bad += [f"{name} {v}" for v in violations(old, scores)]
        floors = {f: {k: round(v or 0.0, 4) for k, v in g.items()} for f, g in scores.items()}
        if not args.allow_lower:
            floors = {
                f: {k: max(v, old["floors"].get(f, {}).get(k, 0.0)) for k, v in g.items()} for f, g in floors.items()
            }
        new[name] = {"sha256": sha256(path), "floors": floors}
    if not args.update:
        print("\n".join(bad) or "gate: all scores at or above their floors")
        return 1 if bad else 0
    FLOORS.write_text(json.dumps(new, indent=1) + "\n")
    print(f"gate: wrote {FLOORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
