"""Training end to end on a tiny labeled set, and one feature implementation for training and inference."""

from __future__ import annotations

import json
from pathlib import Path

from cleaner import Cleaner, Options
from cleaner.features import document_features
from cleaner.model import load_model
from tests.conftest import SEEDS
from training import train


def test_training_features_equal_inference_features(seed_docs: list[dict]) -> None:
    rows, _, owner = train.matrix(seed_docs[:1])
    text = SEEDS[0].read_text(encoding="utf-8")
    inference = document_features([line.strip() for line in text.split("\n") if line.strip()])
    assert rows == inference and set(owner) == {0}


def test_train_end_to_end_on_tiny_user_data(tmp_path: Path) -> None:
    body = "The committee met on Thursday and agreed to publish its findings next month, the chair said."
    docs = [
        {
            "id": f"u{i}",
            "flavor": "residue",
            "lines": [
                {"text": "Subscribe to our newsletter", "label": "noise", "category": "newsletter"},
                {"text": body.replace("Thursday", day), "label": "body"},
                {"text": "Share on Facebook", "label": "noise", "category": "social"},
                {"text": body.replace("committee", "board").replace("Thursday", day), "label": "body"},
            ],
        }
        for i, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    ]
    data = tmp_path / "mine.jsonl"
    data.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    out = tmp_path / "model.npz"
    code = train.main(
        ["--shared", str(tmp_path / "absent"), "--no-authored", "--user-data", str(data), "--out", str(out)]
    )
    assert code == 0 and out.is_file() and (tmp_path / "MODEL_CARD.md").is_file()
    model = load_model(out)
    assert set(model.classes) == {"body", "newsletter", "social"}
    result = Cleaner(Options(), model=model).clean("Subscribe to our newsletter\n" + body + "\n")
    assert result == body + "\n"


def test_training_is_deterministic(tmp_path: Path, seed_docs: list[dict]) -> None:
    rows, targets, _ = train.matrix(seed_docs)
    a = train.fit(rows, targets, seed=1)
    b = train.fit(rows, targets, seed=1)
    assert a.classes == b.classes and (a.weights == b.weights).all() and (a.rows == b.rows).all()
