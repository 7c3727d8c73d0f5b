"""Training end to end on a tiny labeled set, and one feature implementation for training and inference."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cleaner import Cleaner, Options
from cleaner.features import document_features
from cleaner.model import DEFAULT_MODEL, load_model
from tests.conftest import SEEDS
from training import data, linear, train
from training.design import design

BODY = "The committee met on Thursday and agreed to publish its findings next month, the chair said."
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _user_docs() -> list[dict]:
    return [
        {
            "id": f"u{i}",
            "url": f"https://site{i % 3}.example/story",
            "flavor": "residue",
            "lines": [
                {"text": "Subscribe to our newsletter", "label": "noise", "category": "newsletter"},
                {"text": BODY.replace("Thursday", day), "label": "body"},
                {"text": "Share on Facebook", "label": "noise", "category": "social"},
                {"text": BODY.replace("committee", "board").replace("Thursday", day), "label": "body"},
            ],
        }
        for i, day in enumerate(DAYS)
    ]


def _write(tmp_path: Path, docs: list[dict]) -> Path:
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    return path


def test_training_features_equal_inference_features(seed_docs: list[dict]) -> None:
    d = design(seed_docs[:1])
    text = SEEDS[0].read_text(encoding="utf-8")
    inference = document_features([line.strip() for line in text.split("\n") if line.strip()])
    rows = [sorted(set(d.x[i].indices.tolist())) for i in range(len(d))]
    assert rows == [sorted(set(r)) for r in inference] and set(d.doc.tolist()) == {0}


def test_train_end_to_end_on_tiny_user_data(tmp_path: Path) -> None:
    out = tmp_path / "model.npz"
    args = ["--shared", str(tmp_path / "absent"), "--allow-no-shared", "--no-authored", "--folds", "1"]
    code = train.main([*args, "--user-data", str(_write(tmp_path, _user_docs())), "--out", str(out)])
    assert code == 0 and out.is_file() and (tmp_path / "model.md").is_file()
    model = load_model(out)
    assert set(model.classes) == {"body", "newsletter", "social"} and model.keep_head
    result = Cleaner(Options(), model=model).clean("Subscribe to our newsletter\n" + BODY + "\n")
    assert result == BODY + "\n"


def test_two_stage_training_writes_context_trees(tmp_path: Path) -> None:
    out = tmp_path / "model.npz"
    args = ["--shared", str(tmp_path / "absent"), "--allow-no-shared", "--no-authored", "--folds", "3"]
    assert train.main([*args, "--user-data", str(_write(tmp_path, _user_docs())), "--out", str(out)]) == 0
    model = load_model(out)
    assert model.stage2 is not None and 0 < model.meta["threshold"] <= 0.5


def test_training_without_shared_data_stops_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "model.npz"
    assert train.main(["--shared", str(tmp_path / "absent"), "--out", str(out)]) == 2
    assert "--allow-no-shared" in capsys.readouterr().err and not out.exists()


def test_training_never_replaces_the_shipped_model_unasked(tmp_path: Path) -> None:
    before = DEFAULT_MODEL.read_bytes()
    args = ["--shared", str(tmp_path / "absent"), "--allow-no-shared", "--no-authored", "--folds", "1"]
    out = tmp_path / "model.npz"
    assert train.main([*args, "--user-data", str(_write(tmp_path, _user_docs())), "--out", str(out)]) == 0
    assert train.main([*args, "--user-data", str(_write(tmp_path, _user_docs())), "--out", str(out), "--replace"]) == 1
    assert DEFAULT_MODEL.read_bytes() == before


def test_unknown_user_category_is_refused_with_file_and_line(tmp_path: Path) -> None:
    docs = _user_docs()
    docs[1]["lines"][0]["category"] = "newsletterz"
    path = _write(tmp_path, docs)
    with pytest.raises(SystemExit, match=rf"{path.name}:2: line 1: unknown category 'newsletterz'"):
        data.user_docs([path])


def test_training_is_deterministic(seed_docs: list[dict]) -> None:
    d = design(seed_docs)
    keep = np.isin(d.target, ["body", "title", "heading"])
    a = linear.fit_keep_head(d.x, keep, d.weight, seed=1)
    b = linear.fit_keep_head(d.x, keep, d.weight, seed=1)
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all()


def test_site_folds_never_split_a_site() -> None:
    groups = np.array(["a", "a", "b", "c", "c", "d", "e"], dtype=object)
    fold = train.site_folds(groups, 3)
    for site in set(groups):
        assert len(set(fold[groups == site])) == 1
    assert len(set(fold)) == 3
