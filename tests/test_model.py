"""Model files load safely: no pickle, clear errors, version checks."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from cleaner.errors import ModelError
from cleaner.features import FEATURE_VERSION, document_features
from cleaner.model import DEFAULT_MODEL, LinearModel, load_model, save_model


def tiny_model() -> LinearModel:
    return LinearModel(("body", "noise"), np.array([[0.5, -0.5]], np.float32), np.array([3]), {"version": "t"})


def test_shipped_model_loads_and_records_its_facts() -> None:
    model = load_model(DEFAULT_MODEL)
    assert "body" in model.classes and model.meta["seed"]
    assert model.meta["versions"]["scikit-learn"]


def test_shipped_model_is_two_stage_with_the_default_threshold() -> None:
    from cleaner.options import DEFAULT_THRESHOLD

    model = load_model(DEFAULT_MODEL)
    assert model.keep_head and model.stage2 is not None
    assert model.meta["threshold"] == DEFAULT_THRESHOLD  # chosen by site CV at training; the CLI's default


def test_fallback_drops_sit_below_the_default_threshold() -> None:
    from cleaner.decide import SMOOTH_MIN_SCORE
    from cleaner.fallback import DROP_SCORE
    from cleaner.options import DEFAULT_THRESHOLD

    assert SMOOTH_MIN_SCORE <= DROP_SCORE < DEFAULT_THRESHOLD  # else --no-model would keep what its rules drop


def test_two_stage_round_trip_gives_the_same_scores(tmp_path: Path) -> None:
    model = load_model(DEFAULT_MODEL)
    path = tmp_path / "copy.npz"
    save_model(model, path)
    copy = load_model(path)
    rows = document_features(["Sign up for our newsletter", "The council met on Monday and agreed the budget."])
    for a, b in zip(model.scores(rows), copy.scores(rows)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert (copy.stage2.threshold == model.stage2.threshold).all()


def test_half_float_compressed_files_score_exactly_as_stored_ones(tmp_path: Path) -> None:
    """Files written before weights were stored as float32 (compressed, float16) still load, with equal scores."""
    from cleaner.model import write_archive

    model = load_model(DEFAULT_MODEL)
    with np.load(DEFAULT_MODEL) as npz:
        members = {k: npz[k] for k in npz.files}
    assert members["weights"].dtype == np.float32  # stored ready to use: no inflating, no widening at start-up
    members["weights"] = members["weights"].astype(np.float16)
    assert (members["weights"].astype(np.float32) == model.weights).all()  # the values are half floats already
    import json

    header = json.loads(members.pop("header").tobytes())
    old = tmp_path / "old.npz"
    write_archive(old, header, **members)
    rows = document_features(["Sign up for our newsletter", "The council met on Monday and agreed the budget."])
    for a, b in zip(model.scores(rows), load_model(old).scores(rows)):
        assert np.array_equal(a, b)


def test_features_without_weights_score_zero() -> None:
    model = LinearModel(("body", "noise"), np.array([[0.5, -0.5]], np.float32), np.array([3]), {})
    logits = model._logits([[3], [7], [3, 7, 3]])
    assert logits.tolist() == [[0.5, -0.5], [0.0, 0.0], [1.0, -1.0]]


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save_model(tiny_model(), path)
    loaded = load_model(path)
    assert loaded.classes == ("body", "noise") and loaded.meta["version"] == "t"
    np.testing.assert_allclose(loaded.predict_proba([[3]]), tiny_model().predict_proba([[3]]), atol=1e-3)


def test_pickle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"weights": [1, 2]}))
    with pytest.raises(ModelError, match="pickle"):
        load_model(path)


def test_missing_file_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "none.npz")


def test_truncated_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.npz"
    path.write_bytes(DEFAULT_MODEL.read_bytes()[:1000])
    with pytest.raises(ModelError, match="corrupt"):
        load_model(path)


def test_stored_file_is_read_as_numpy_reads_it() -> None:
    """The direct reader of uncompressed archives gives numpy's arrays; the weights come with the table's zero row."""
    from cleaner.model import _read_stored

    members = _read_stored(DEFAULT_MODEL, padded="weights")
    assert members is not None  # the shipped model is stored uncompressed: read straight into its arrays
    with np.load(DEFAULT_MODEL, allow_pickle=False) as npz:
        assert sorted(members) == sorted(npz.files)
        for name in npz.files:
            expected = npz[name]
            got = members[name][:-1] if name == "weights" else members[name]
            assert got.dtype == expected.dtype and np.array_equal(got, expected), name
    assert not members["weights"][-1].any()
    model = load_model(DEFAULT_MODEL)
    assert model.weights.base is model.table  # no copy of the 17 MB of weights


def test_a_stored_archive_the_direct_reader_declines_is_read_by_numpy(tmp_path: Path) -> None:
    """An archive with a comment (or zip64 sizes, or compressed members) is not one the direct reader parses:
    numpy's reader reads it, to the same model."""
    import shutil
    import zipfile

    from cleaner.model import _read_stored

    copy = tmp_path / "commented.npz"
    shutil.copyfile(DEFAULT_MODEL, copy)
    with zipfile.ZipFile(copy, "a") as archive:
        archive.comment = b"written by hand"
    assert _read_stored(copy, padded="weights") is None
    model, loaded = load_model(DEFAULT_MODEL), load_model(copy)
    assert np.array_equal(model.table, loaded.table) and np.array_equal(model.rows, loaded.rows)


@pytest.mark.parametrize("rows", ["217919", "907919"])
def test_stored_weights_declaring_more_rows_than_they_hold_are_corrupt(tmp_path: Path, rows: str) -> None:
    """Weights whose header declares more rows than the member holds (read into the next member, or past the
    end of the file) are refused, not half read."""
    data = DEFAULT_MODEL.read_bytes()
    declared = f"'shape': ({len(load_model(DEFAULT_MODEL).rows)}, ".encode()
    assert data.count(declared) == 1 and len(declared) == len(f"'shape': ({rows}, ".encode())
    path = tmp_path / "lying.npz"
    path.write_bytes(data.replace(declared, f"'shape': ({rows}, ".encode()))
    with pytest.raises(ModelError, match="corrupt"):
        load_model(path)


def test_feature_version_mismatch_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.npz"
    save_model(tiny_model(), path)
    monkeypatch.setattr("cleaner.model.FEATURE_VERSION", FEATURE_VERSION + 1)
    with pytest.raises(ModelError, match="feature version"):
        load_model(path)


def test_directory_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="directory"):
        load_model(tmp_path)


def test_probabilities_sum_to_one() -> None:
    model = load_model(DEFAULT_MODEL)
    probs = model.predict_proba(document_features(["Subscribe", "A long sentence about the war and the peace."]))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("member", "damage", "message"),
    [
        ("s2_left", lambda a: a + 10**6, "points outside"),
        ("s2_feature", lambda a: a + 1000, "feature the context matrix does not have"),
        ("s2_value", lambda a: np.full_like(a, np.nan), "non-finite"),
        ("s2_threshold", lambda a: a[:-1], "differ in length"),
    ],
)
def test_damaged_trees_are_refused(tmp_path: Path, member: str, damage, message: str) -> None:
    with np.load(DEFAULT_MODEL, allow_pickle=False) as npz:
        members = {k: npz[k] for k in npz.files}
    members[member] = damage(members[member])
    path = tmp_path / "damaged.npz"
    np.savez(path, **members)
    with pytest.raises(ModelError, match=message):
        load_model(path)


def test_html_model_is_shifted_to_the_default_threshold() -> None:
    """Its CV threshold maps to the default one, so --threshold moves HTML and text decisions alike."""
    from cleaner.htmlmodel import default_html_model_path, load_html_model
    from cleaner.options import DEFAULT_THRESHOLD

    path = default_html_model_path()
    assert path is not None and load_html_model(path).meta["shifted_to"] == DEFAULT_THRESHOLD


def test_group_sums_are_right_when_threads_share_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads of one process share a model (Dask workers): its memo of group sums is cleared while others
    read it, and every answer must still be the sum of the group's rows."""
    from concurrent.futures import ThreadPoolExecutor

    from cleaner import model as model_module

    monkeypatch.setattr(model_module, "GROUP_SUMS_MAX", 8)  # cleared all the time
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: races show
    rng = np.random.default_rng(7)
    weights = rng.normal(size=(50, 3)).astype(np.float32)
    m = LinearModel(("body", "menu", "ad"), weights, np.arange(50), {})
    groups = [tuple(rng.integers(0, 60, size=rng.integers(0, 6)).tolist()) for _ in range(400)]

    def expected(group: tuple[int, ...]) -> np.ndarray:
        return m.table[m.slot[list(group)]].astype(np.float64).sum(axis=0) if group else np.zeros(3)

    def run(seed: int) -> bool:
        picked = [groups[k] for k in np.random.default_rng(seed).integers(0, len(groups), size=300)]
        got = m.group_sums(picked)
        return all(np.allclose(row, expected(g), atol=1e-6) for row, g in zip(got, picked))

    try:
        with ThreadPoolExecutor(4) as pool:
            assert all(pool.map(run, range(60)))
    finally:
        sys.setswitchinterval(interval)
