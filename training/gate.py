"""The evaluation gate: dev-split floors pinned in ``tests/floors.json``.

    python -m training.gate            # show current scores against the floors
    python -m training.gate --update   # raise the floors to the current scores
    python -m training.gate --update --allow-lower   # also lower them (say why in the commit)

The floors record the SHA-256 of the dev data they were measured on; the test
(``tests/test_gate.py``) fails when a change drops a score below its floor by
more than ``TOLERANCE``.
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
DEV = Path("data/linesets/dev.jsonl.gz")
TOLERANCE = 0.005  # scores may wobble this much (e.g. float16 weights) before the gate fails
GATED = ("body_recall", "noise_removal")  # the two numbers the product promises, per flavor


def dev_path(shared: Path) -> Path | None:
    path = shared / DEV
    return path if path.is_file() else None


def current_scores(path: Path) -> dict[str, dict[str, float]]:
    """Gated scores per flavor with the shipped model at the default threshold."""
    scores = evaluate(read_labeled(path), Cleaner())
    return {flavor: {k: s[k] for k in GATED} for flavor, s in scores.items() if flavor != "all"}


def violations(floors: dict[str, Any], scores: dict[str, dict[str, float]]) -> list[str]:
    """Every score below its floor by more than the tolerance."""
    out = []
    for flavor, gated in floors["floors"].items():
        for key, floor in gated.items():
            got = scores.get(flavor, {}).get(key, 0.0)
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
    path = dev_path(args.shared)
    if path is None:
        print(f"gate: no dev split under {args.shared}; nothing to check", file=sys.stderr)
        return 0
    scores = current_scores(path)
    floors = json.loads(FLOORS.read_text()) if FLOORS.is_file() else {"floors": {}}
    print(json.dumps({"scores": scores, "floors": floors["floors"]}, indent=1))
    if not args.update:
        bad = violations(floors, scores)
        print("\n".join(bad) or "gate: all scores at or above their floors")
        return 1 if bad else 0
    new = {f: {k: round(v, 4) for k, v in g.items()} for f, g in scores.items()}
    if not args.allow_lower:
        old = floors["floors"]
        new = {f: {k: max(v, old.get(f, {}).get(k, 0.0)) for k, v in g.items()} for f, g in new.items()}
    FLOORS.write_text(json.dumps({"dev_sha256": sha256(path), "threshold": "default", "floors": new}, indent=1) + "\n")
    print(f"gate: wrote {FLOORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
