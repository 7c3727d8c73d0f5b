"""Does correcting a few documents of a new source help? The protocol behind "fix it for your own sites".

    python -m training.adapt [--shared ../shared] [--docs 10] [--out docs/adapt.json]

The aeb dev pages play a source the model has never seen. ``--docs`` of them
(the first pages by id, both flavors) are written as user labels, exactly as
the audit page's "Download labels" would write them after a user corrected
every wrong line (their gold labels). The model is retrained with them
(``make train USER_DATA=...``), and both models are scored on the *other* aeb
dev pages (never trained on) and on WCXB dev (must not get worse).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cleaner.api import Cleaner
from cleaner.evaluate import evaluate, read_labeled
from cleaner.model import DEFAULT_MODEL, load_model
from cleaner.options import Options
from training import data, train


def split_source(docs: Sequence[dict[str, Any]], n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The documents of the first ``n`` pages (by page id, both flavors) and those of the other pages."""
    pages = sorted({d["id"] for d in docs})[:n]
    return [d for d in docs if d["id"] in pages], [d for d in docs if d["id"] not in pages]


def as_user_labels(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents as the audit page downloads them (flavor ``user``, source ``aeb``)."""
    return [
        {"id": d["id"], "source": "aeb", "flavor": "user", "lines": [dict(line) for line in d["lines"]]} for d in docs
    ]


def scores(model_path: Path, sets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    model = load_model(model_path)
    cleaner = Cleaner(Options(threshold=float(model.meta["threshold"])), model=model)
    return {name: evaluate(docs, cleaner) for name, docs in sets.items()}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=Path(os.environ.get("CLEANER_SHARED", "../shared")))
    p.add_argument("--docs", type=int, default=10, help="pages of the new source the user corrects")
    p.add_argument("--out", type=Path, default=Path("docs/adapt.json"))
    args = p.parse_args(argv)
    dev, wcxb = (data.shared_split(args.shared, s) for s in (data.SHARED_DEV, data.WCXB_DEV))
    if dev is None or wcxb is None:
        print(f"adapt: shared dev splits not found under {args.shared}", file=sys.stderr)
        return 0
    corrected, held_out = split_source(list(read_labeled(dev)), args.docs)
    sets = {"aeb dev, held-out pages": held_out, "wcxb-dev": list(read_labeled(wcxb))}
    with tempfile.TemporaryDirectory() as tmp:
        labels = Path(tmp) / "labels.jsonl"
        data.dump(as_user_labels(corrected), labels)
        adapted = Path(tmp) / "adapted.npz"
        code = train.main(["--shared", str(args.shared), "--user-data", str(labels), "--out", str(adapted)])
        if code != 0:
            return code
        result = {
            "protocol": __doc__.split("\n\n")[2].replace("\n", " "),
            "corrected_pages": args.docs,
            "before": scores(DEFAULT_MODEL, sets),
            "after": scores(adapted, sets),
        }
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for when in ("before", "after"):
        for name, by_flavor in result[when].items():
            for flavor, s in by_flavor.items():
                print(
                    f"{when:6s} {name:24s} {flavor:8s} body recall {s['body_recall']:.4f}  "
                    f"noise removal {s['noise_removal']:.4f}  rm@R98 {s['removal_at_98']}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
