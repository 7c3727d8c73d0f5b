"""Training the HTML line model: pages cut as inference cuts them, the fast CV metric, and a tiny run end to end."""

from __future__ import annotations

import dataclasses
import gzip
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.evaluate_html import GoldPage, word_prf
from cleaner.htmlcontext import FEATURE_NAMES, FEATURE_NAMES_V2, FEATURE_NAMES_V3
from cleaner.htmlfeatures import Block, page_blocks
from cleaner.htmlinput import score_blocks
from cleaner.htmlmodel import DEFAULT_HTML_MODEL, HtmlModel, load_html_model
from cleaner.options import DEFAULT_THRESHOLD
from cleaner.stage2 import TreeEnsemble
from training import train_html

BODY = "The council approved the new budget on Monday night after a long debate about school funding."


def _page_html(i: int) -> str:
    body = BODY.replace("Monday", f"day {i}")
    return (
        "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
        f"<article><h1>Budget news {i}</h1><p>{body}</p><p>{body.replace('council', 'board')}</p></article>"
        "<aside class='newsletter'><p>Subscribe to our newsletter</p></aside>"
        "<footer><p>Copyright 2025 Example. All rights reserved.</p></footer></body></html>"
    )


def _gold(i: int) -> str:
    body = BODY.replace("Monday", f"day {i}")
    return f"{body}\n{body.replace('council', 'board')}"


def _shared(root: Path) -> Path:
    """A shared folder with 8 WCXB pages (6 train sites, 2 dev) and 3 article-benchmark pages (2 train, 1 dev)."""
    wcxb = root / "data" / "wcxb"
    (wcxb / "html").mkdir(parents=True)
    rows = []
    for i in range(8):
        split = "train" if i < 6 else "dev"
        rows.append({"id": str(i), "split": split, "domain": f"site{i}.com", "page_type": "article"})
        rows[-1] |= {"main_content": _gold(i), "with": [BODY[:20]], "without": ["All rights reserved"]}
        (wcxb / "html" / f"{i}.html.gz").write_bytes(gzip.compress(_page_html(i).encode()))
    with gzip.open(wcxb / "gold.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    html = root / "data" / "html"
    for split, ids in (("train", (10, 11)), ("dev", (12,))):
        (html / split).mkdir(parents=True)
        gold = {f"p{i}": {"url": f"https://news{i}.example/a", "articleBody": _gold(i)} for i in ids}
        (html / f"{split}-gold.json").write_text(json.dumps(gold), encoding="utf-8")
        for i in ids:
            (html / split / f"p{i}.html.gz").write_bytes(gzip.compress(_page_html(i).encode()))
    return root


def test_training_cuts_pages_as_inference_does(tmp_path: Path) -> None:
    path = tmp_path / "1.html.gz"
    path.write_bytes(gzip.compress(_page_html(1).encode()))
    data = train_html.page_data(GoldPage("1", "train", "a.com", "article", path, _gold(1)))
    scored = score_blocks(_page_html(1), HtmlModel(np.zeros(1, np.float32), np.array([0]), {}))
    assert scored is not None and tuple(data.texts) == scored.texts
    assert set(data.extractions) == {"default", "favor_recall"} and BODY[:30] in data.extractions["default"]
    assert data.labels.tolist() == [b.text.startswith("The ") for b in data.blocks]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a b c", "b b", "c d e f", "x", "a"]), st.floats(0, 1)), max_size=8),
    st.sampled_from(["a b c d", "b x", ""]),
)
def test_threshold_f1s_equal_the_metric_on_the_kept_text(blocks: list[tuple[str, float]], gold: str) -> None:
    page = GoldPage("1", "train", "a.com", "article", Path("unused"), gold)
    texts, probs = [t for t, _ in blocks], np.array([p for _, p in blocks], dtype=np.float32)
    cut = [Block(t, "p", (), (0,), 0, frozenset(), False) for t in texts]
    data = train_html.PageData(page, cut, {}, np.zeros(len(cut)), np.ones(len(cut)))
    expected = [word_prf(train_html.kept_text(texts, probs, t), gold) for t in train_html.THRESHOLDS]
    assert train_html.threshold_f1s(data, probs, train_html.THRESHOLDS) == [f1 for _, _, f1 in expected]
    assert train_html.threshold_scores(data, probs, train_html.THRESHOLDS) == [(r, f1) for _, r, f1 in expected]


def test_a_recall_floor_takes_the_best_threshold_that_keeps_enough_text() -> None:
    """``--recall-floor``: among the thresholds keeping at least that mean CV recall, the best macro F1; the
    chosen row records its recall. Without a floor the best macro F1 wins, as before."""
    page = GoldPage("1", "train", "a.com", "article", Path("unused"), "a b c d")
    texts = ["a b", "c q q q", "x y z"]
    cut = [Block(t, "p", (), (0,), 0, frozenset(), False) for t in texts]
    data = [train_html.PageData(page, cut, {}, np.zeros(3), np.ones(3))]
    probs = np.array([0.9, 0.38, 0.25])
    logits = [np.log(probs / (1 - probs))]
    table = train_html.type_table(data, train_html.page_f1s(data, logits))
    assert table["recall"][train_html.THRESHOLDS.index(0.5)] == 0.5
    free = train_html._result("default", 0.03, "words", 0, 0, table)  # "a b" alone: F1 0.67, the best
    floored = train_html._result("default", 0.03, "words", 0, 0, table, recall_floor=0.7)
    assert free["threshold"] == 0.4 and free["cv_recall"] == 0.5 and free["cv_macro_f1"] == 0.6667
    assert floored["threshold"] == 0.3 and floored["cv_recall"] == 0.75 and floored["cv_macro_f1"] == 0.6


def test_train_html_end_to_end_on_both_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train_html, "C_GRID", (0.1,))  # a liblinear fit over all hash buckets takes ~1 s, even tiny
    monkeypatch.setattr(train_html, "WEIGHTINGS", ("log",))
    monkeypatch.setattr(train_html, "FOLDS", 3)
    shared, out, cache = _shared(tmp_path / "shared"), tmp_path / "m.npz", tmp_path / "cache"
    argv = ["--shared", str(shared), "--out", str(out), "--cache", str(cache), "--settings", "default"]
    assert train_html.main(argv) == 0
    model = load_html_model(out)
    assert model.meta["trained_on"]["sources"] == {"wcxb": 6, "html": 2}
    assert model.meta["shifted_to"] == DEFAULT_THRESHOLD and model.meta["extraction"] == "default"
    assert model.meta["tree_weighting"] == "words" and model.name in ("html-v1", "html-v2")  # the defaults
    assert model.meta["dev"]["all"]["pages"] == 2 and model.meta["dev_articles"]["all"]["pages"] == 1
    configs = {(r["tree_rounds"], r["tree_leaves"]) for r in model.meta["cv"]}  # stage 1 alone, then each tree setting
    assert configs == {(0, 0), *((r, n) for r in train_html.TREE_ROUNDS for n in train_html.TREE_LEAVES)}
    assert all(set(r["cv_types"]) == {"article"} for r in model.meta["cv"]) and "macro" in model.meta["selection"]
    assert (model.stage2 is not None) == bool(model.meta["chosen"]["tree_rounds"])
    unguarded = {(r["tree_rounds"], r["tree_leaves"]) for r in model.meta["cv_without_code_guard"]}  # same trees
    assert unguarded == configs - {(0, 0)} and ("code_guard_shift" in model.meta) == (model.stage2 is not None)
    (folder,) = cache.iterdir()  # pages cached under the code's key, so older code's pages are never read
    assert folder.name == f"prep2-{train_html.cache_key()}" and len(list(folder.glob("*.pkl"))) == 11
    cached = pickle.loads(next(folder.glob("*.pkl")).read_bytes())  # fields only: readable from any entry point
    assert isinstance(cached, dict) and set(cached) == {f.name for f in dataclasses.fields(train_html.PageData)}
    card = "\n".join(train_html.card_section(model))
    assert "WCXB train 6, article benchmark train 2" in card and "article benchmark's dev pages" in card


def test_model_card_describes_the_shipped_html_model() -> None:
    model = load_html_model(DEFAULT_HTML_MODEL)
    card = (DEFAULT_HTML_MODEL.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "\n".join(train_html.card_section(model)) in card  # regenerated whenever the model is replaced
    assert f"default threshold {DEFAULT_THRESHOLD}" in card


def test_page_features_are_opt_in_for_training() -> None:
    """Trees read the 24 original context columns unless ``--page-features`` names the longer list."""
    html = _page_html(1)
    blocks = page_blocks(html)
    page = GoldPage("1", "train", "a.com", "article", Path("unused"), _gold(1))
    data = [train_html.PageData(page, blocks, {"default": _gold(1)}, np.zeros(len(blocks)), np.ones(len(blocks)))]
    logits = [np.zeros(len(blocks), np.float32)]
    assert train_html.context_rows(data, "default", logits)[0].shape == (len(blocks), len(FEATURE_NAMES))
    assert train_html.context_rows(data, "default", logits, FEATURE_NAMES_V2)[0].shape[1] == len(FEATURE_NAMES_V2)
    leaf = TreeEnsemble(
        feature=np.array([0]),
        threshold=np.array([0.0]),
        left=np.array([0]),
        right=np.array([0]),
        value=np.array([1.0], np.float32),
        roots=np.array([0]),
        baseline=0.0,
        depth=0,
    )
    coef = np.zeros(8, np.float32)
    assert train_html.two_stage_model(coef, 0.0, leaf, 0.4, {}).context_features == FEATURE_NAMES
    wide = train_html.two_stage_model(coef, 0.0, leaf, 0.4, {"chosen": {"tree_leaves": 2}}, FEATURE_NAMES_V2)
    assert wide.context_features == FEATURE_NAMES_V2 and "page features" in "\n".join(train_html._stage2_text(wide))
    assert "tail features" not in "\n".join(train_html._stage2_text(wide))
    tail = train_html.two_stage_model(coef, 0.0, leaf, 0.4, {"chosen": {"tree_leaves": 2}}, FEATURE_NAMES_V3)
    assert "tail features" in "\n".join(train_html._stage2_text(tail))
    assert train_html.context_rows(data, "default", logits, FEATURE_NAMES_V3)[0].shape[1] == len(FEATURE_NAMES_V3)
    assert train_html.context_names(False, True) == FEATURE_NAMES_V3  # --tail-features brings the page features


def test_page_weights_weigh_every_page_the_same() -> None:
    """``--page-weights``: stage-2 training weighs a page's blocks by their share of its words, so a short product
    page counts as much as a long article (the metric averages per-page F1); by default blocks weigh their words."""
    page = GoldPage("1", "train", "a.com", "article", Path("unused"), "")
    short, long_ = np.array([2.0, 2.0]), np.array([100.0, 300.0, 600.0])
    data = [train_html.PageData(page, [], {}, np.zeros(len(w), np.int8), w) for w in (short, long_)]
    xs = [np.zeros((len(w), 1), np.float32) for w in (short, long_)]
    _, _, w = train_html.stacked(data, xs, [0, 1], "page")
    assert w[:2].sum() == pytest.approx(w[2:].sum()) and w[2:].tolist() == pytest.approx([0.25, 0.75, 1.5])
    _, _, w = train_html.stacked(data, xs, [0, 1])
    assert w.tolist() == pytest.approx(np.concatenate([short, long_]) / np.concatenate([short, long_]).mean())


def test_html_errors_reports_the_held_out_misses_of_the_shipped_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from training import html_errors

    monkeypatch.setattr(train_html, "FOLDS", 3)
    shared = _shared(tmp_path / "shared")
    assert html_errors.main(["--shared", str(shared), "--type", "article"]) == 0
    out = capsys.readouterr().out
    assert "== article: leaked:" in out and "== article: dropped:" in out and "by block size" in out
    assert html_errors.main(["--shared", str(shared), "--type", "forum"]) == 2  # no train page of that type
    assert html_errors.main(["--shared", str(tmp_path / "none")]) == 0  # no shared data: skipped, said so
    assert "html_errors: skipped" in capsys.readouterr().err
