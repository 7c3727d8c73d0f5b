"""The fast paths give exactly what the straightforward code gives: same features, same rules, same decisions.

``tests/reference_features.py`` keeps the line features as first written (one string at a
time); ``cleaner.features`` computes them per document with caches and numpy. Every line must
get the same hashed feature indices in the same order (the model sums weight rows in that
order, so scores agree to the bit), on the seeds and, when the shared data is present, on every
line of both dev sets. Rule matching (``RuleIndex``) must return what testing every rule in
turn returns, for any rule list.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import features
from cleaner.api import Cleaner
from cleaner.model import DEFAULT_MODEL, load_model
from cleaner.needles import DERIVED
from cleaner.options import Options
from cleaner.rules import RULE_SCAN_CHARS, RULES, LazyPattern, Rule, RuleIndex, match_rules
from cleaner.stage2 import TreeEnsemble
from tests import reference_features as ref
from tests.conftest import REPO

CASES = REPO / "tests" / "cases"
DEV_SETS = ("dev.jsonl.gz", "wcxb-dev.jsonl.gz")
SCORE_TOLERANCE = 1e-6


def _documents(path: Path) -> Iterator[list[str]]:
    """The stripped non-blank lines of each document of a line set."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in fh:
            yield [t for t in (line["text"].strip() for line in json.loads(row)["lines"]) if t]


def _dev_documents(linesets: Path) -> list[list[str]]:
    docs = [doc for name in DEV_SETS if (linesets / name).is_file() for doc in _documents(linesets / name)]
    if not docs:
        pytest.skip(f"no dev line sets in {linesets}")
    return docs


def _case_lines() -> list[str]:
    return [
        case["line"] for name in ("noise.json", "must_survive.json") for case in json.loads((CASES / name).read_text())
    ]


def _mismatches(docs: list[list[str]]) -> list[str]:
    """A description of each document whose fast features differ from the reference's (first line only)."""
    out = []
    for doc in docs:
        fast, slow = features.document_features(doc), ref.document_features(doc)
        if fast != slow:
            i = next(k for k, (a, b) in enumerate(zip(fast, slow)) if a != b)
            out.append(f"line {i}: {doc[i][:60]!r}")
    return out


def test_features_match_reference_on_seeds(seed_docs: list[dict]) -> None:
    docs = [[line["text"] for line in doc["lines"]] for doc in seed_docs]
    assert _mismatches(docs) == []
    assert _mismatches(docs) == []  # again, now from the line cache


def test_features_match_reference_on_edge_documents() -> None:
    docs = [
        [],
        ["x"],
        ["Menu"] * 7,
        ["- a", "- b", "* c", "1. d", "» e", "“Quoted,” he said.", "Ends here…", "ΟΔΟΣ ΣΑΣ", "İstanbul"],
        _case_lines(),
        ["A long sentence with more than eight words in it, clearly." for _ in range(3)] + ["Menu", "Home"],
        ["word " * 400, "Subscribe", "x" * 5000],
    ]
    assert _mismatches(docs) == []


def test_features_match_reference_on_dev_sets(linesets: Path) -> None:
    assert _mismatches(_dev_documents(linesets)) == []


def _shipped_model():
    if not DEFAULT_MODEL.is_file():
        pytest.skip(f"no shipped model file {DEFAULT_MODEL}")
    return load_model(DEFAULT_MODEL)


def _same_decisions(model, texts: list[str]) -> list[str]:
    """Lines whose decision or score differs between ``Cleaner`` and the reference pipeline."""
    options = Options()
    cleaner = Cleaner(options, model=model)
    out = []
    for text in texts:
        fast, slow = cleaner.classify(text, html=False), ref.reference_classify(model, text, options)
        for a, b in zip(fast.decisions, slow.decisions, strict=True):
            if (a.keep, a.category) != (b.keep, b.category) or abs(a.score - b.score) > SCORE_TOLERANCE:
                out.append(f"{a.n}: {a.text[:60]!r} {a.keep} {b.keep} {a.score} {b.score}")
        assert fast.truncated == slow.truncated
    return out


def _model_variant(trees: bool):
    """The shipped model as shipped (keep head, then context trees) or with its keep head alone."""
    model = _shipped_model()
    if not trees:
        return replace(model, stage2=None)
    if model.stage2 is None:
        pytest.skip("the shipped model has no context trees")
    return model


@pytest.mark.parametrize("trees", [True, False], ids=["trees", "keep-head"])
def test_decisions_match_reference_on_seeds(seed_docs: list[dict], trees: bool) -> None:
    texts = ["\n".join(line["text"] for line in doc["lines"]) + "\n" for doc in seed_docs]
    assert _same_decisions(_model_variant(trees), texts) == []


@pytest.mark.parametrize("trees", [True, False], ids=["trees", "keep-head"])
def test_decisions_match_reference_on_dev_sets(linesets: Path, trees: bool) -> None:
    texts = ["\n".join(doc) + "\n" for doc in _dev_documents(linesets)]
    assert _same_decisions(_model_variant(trees), texts) == []


def test_documents_scored_together_are_scored_as_alone_on_dev_sets(linesets: Path) -> None:
    """``summarize_many`` (``--jsonl`` without ``--explain``: 64 documents at a time) gives every dev document
    the summary it gets alone: the same kept text, categories and counts."""
    cleaner = Cleaner(Options())
    texts = ["\n".join(doc) + "\n" for doc in _dev_documents(linesets)]
    together = [s for k in range(0, len(texts), 64) for s in cleaner.summarize_many(texts[k : k + 64])]
    assert [k for k, (a, t) in enumerate(zip(together, texts)) if a != cleaner.summarize(t)] == []


def _loop(text: str, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The straightforward loop: every rule, in order, that fires on the stripped line."""
    stripped = text.strip()
    head = stripped[:RULE_SCAN_CHARS]
    return tuple(r for r in rules if len(stripped) <= r.max_chars and r.matches(head, head.lower()))


def _rule_lines(linesets: Path | None) -> list[str]:
    lines = [*_case_lines(), "", "   ", "x" * 1000, "Photo: Reuters", "Home > News > World"]
    if linesets is not None:
        lines += [t for doc in _dev_documents(linesets) for t in doc]
    return list(dict.fromkeys(lines))


def _index(rules: tuple[Rule, ...], automaton: bool) -> RuleIndex:
    """The index, scanning for needles with the automaton or (as without pyahocorasick) rule by rule."""
    index = RuleIndex(rules)
    if not automaton:
        index.automaton = None
    elif any(r.needles or r.name in DERIVED for r in rules):
        assert index.automaton is not None, "pyahocorasick is a dependency: it should be installed"
    return index


@pytest.mark.parametrize("automaton", [True, False], ids=["automaton", "one-by-one"])
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_index_matches_loop_for_each_rule(rule: Rule, automaton: bool) -> None:
    index = _index((rule,), automaton)
    assert [t for t in _rule_lines(None) if index.match(t) != _loop(t, (rule,))] == []


@pytest.mark.parametrize("automaton", [True, False], ids=["automaton", "one-by-one"])
def test_rule_index_matches_loop_on_dev_sets(linesets: Path, automaton: bool) -> None:
    index = _index(RULES, automaton)
    assert [t for t in _rule_lines(linesets) if index.match(t) != _loop(t, RULES)] == []
    if automaton:
        assert [t for t in _rule_lines(linesets) if match_rules(t) != _loop(t, RULES)] == []


def test_needles_never_hide_a_match(linesets: Path) -> None:
    """A rule's needles (by hand or derived) only prefilter: wherever its pattern matches, one is in the line.
    (Branches' needles: the index-against-loop test above finds any rule they would hide on these lines.)"""
    hidden = []
    for text in _rule_lines(linesets):
        head = text.strip()[:RULE_SCAN_CHARS]
        lower = head.lower()
        for r in RULES:
            needles = r.needles or DERIVED.get(r.name, ())
            matched = needles and r.pattern.search(head if r.case_sensitive else lower)
            if matched and not any(n in lower for n in needles):
                hidden.append((r.name, text))
    assert hidden == []


def _branches(rule: Rule) -> list[str]:
    return [pattern.source for i, pattern, _ in RuleIndex((rule,)).units if pattern is not rule.pattern]


SPLIT = [r for r in RULES if len(_branches(r)) > 1]


def test_most_phrase_rules_are_split_into_branches() -> None:
    """The wide phrase rules (patterns of 400 characters or more) are tested branch by branch (what
    ``training.needles`` wrote for them)."""
    assert len(SPLIT) >= 20 and {"continue_reading", "read_also", "update_note", "comments"} <= {r.name for r in SPLIT}


@pytest.mark.parametrize("rule", SPLIT, ids=lambda r: r.name)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_branches_match_where_their_rule_matches(rule: Rule, data: st.DataObject) -> None:
    """A text the pattern matches is matched by one of its branches, and a text a branch matches by the pattern
    (hypothesis builds both from the patterns). Texts are whole matches: hypothesis pads a partial one with
    random text and searches it again, and some shape patterns backtrack for minutes on a padded text of
    thousands of characters (the cleaner only tests a line's first 300, on lines below each rule's limit)."""
    branches = _branches(rule)
    text = data.draw(st.from_regex(rule.pattern.source, fullmatch=True))  # no padding: see below
    assert any(re.search(b, text) for b in branches)
    branch = data.draw(st.sampled_from(branches))
    assert rule.pattern.search(data.draw(st.from_regex(branch, fullmatch=True)))


@pytest.mark.parametrize("rule", SPLIT, ids=lambda r: r.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_branch_needles_are_in_every_match(rule: Rule, data: st.DataObject) -> None:
    """Any text a branch matches holds one of that branch's needles (when it has needles)."""
    units = [(pattern.source, needles) for _, pattern, needles in RuleIndex((rule,)).units if needles]
    if units:
        source, needles = data.draw(st.sampled_from(units))
        text = data.draw(st.from_regex(source, fullmatch=True))
        assert any(n in text for n in needles)


def test_a_rule_changed_since_its_branches_were_written_is_tested_whole() -> None:
    """Branches are cut from the pattern they were derived from (its CRC-32 is in the table): a pattern edited
    without re-running ``training.needles`` is tested whole, never cut at stale places."""
    rule = next(r for r in SPLIT if r.name == "comments")
    edited = replace(rule, pattern=LazyPattern(f"(?:{rule.pattern.source})"))  # the same language, another text
    index = RuleIndex((edited,))
    assert [pattern.source for _, pattern, _ in index.units] == [edited.pattern.source]
    assert index.match("12 Comments") == (edited,) and index.match("No comment, he said.") == ()


@pytest.mark.parametrize("rule", [r for r in RULES if r.name in DERIVED], ids=lambda r: r.name)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_derived_needles_are_in_every_match(rule: Rule, data: st.DataObject) -> None:
    """Any text the pattern matches (hypothesis builds them from the pattern) holds one of the derived needles."""
    text = data.draw(st.from_regex(rule.pattern.source, fullmatch=True))  # unpadded: see the test above
    assert any(n in text for n in DERIVED[rule.name])


def _random_trees(rng: np.random.Generator, trees: int, depth: int, width: int, grow_p: float = 0.8) -> TreeEnsemble:
    """An ensemble of random trees (leaves point to themselves), of about a shipped stage 2's size."""
    arrays: dict[str, list] = {k: [] for k in ("feature", "threshold", "left", "right", "value")}

    def grow(level: int) -> int:
        k = len(arrays["feature"])
        for name, value in zip(arrays, (0, 0.0, k, k, float(rng.normal()))):
            arrays[name].append(value)
        if level and rng.random() < grow_p:
            arrays["feature"][k], arrays["threshold"][k] = int(rng.integers(width)), float(rng.normal())
            arrays["left"][k], arrays["right"][k] = grow(level - 1), grow(level - 1)
        return k

    roots = [grow(depth) for _ in range(trees)]
    return TreeEnsemble(
        *(np.array(arrays[k], np.float64 if k == "threshold" else np.int32) for k in ("feature", "threshold")),
        *(np.array(arrays[k], np.int32) for k in ("left", "right")),
        np.array(arrays["value"], np.float32),
        np.array(roots, np.int32),
        0.25,
        depth,
    )


def _walk(trees: TreeEnsemble, x: np.ndarray) -> np.ndarray:
    """The straightforward walk: every row down every tree, float64 thresholds, trees summed in order."""
    node = np.broadcast_to(trees.roots, (len(x), len(trees.roots))).copy()
    rows = np.arange(len(x))[:, None]
    for _ in range(trees.depth):
        go_left = x[rows, trees.feature[node]] <= trees.threshold[node]
        node = np.where(go_left, trees.left[node], trees.right[node])
    return (trees.baseline + trees.value[node].sum(axis=1, dtype=np.float64)).astype(np.float32)


def _near_thresholds(trees: TreeEnsemble, rng: np.random.Generator, width: int) -> np.ndarray:
    """Rows of random values and of values at, just above and just below the thresholds (and one NaN)."""
    near = trees.threshold.astype(np.float32)
    values = np.concatenate([near, np.nextafter(near, np.float32(9)), np.nextafter(near, np.float32(-9))])
    x = np.concatenate([rng.normal(size=(3000, width)), rng.choice(values, size=(3000, width))]).astype(np.float32)
    x[7, 0] = np.nan
    return x


@pytest.mark.parametrize(
    ("depth", "path"), [(0, 32), (4, 32), (6, 64), (9, None)], ids=["leaves only", "32-bit masks", "64-bit", "walk"]
)
def test_stage2_matches_straightforward_walk(depth: int, path: int | None) -> None:
    rng = np.random.default_rng(depth)
    trees = _random_trees(rng, trees=40, depth=depth, width=12, grow_p=0.95)
    assert (trees.masks.bits if trees.masks else None) == path  # the path under test is the one taken
    x = _near_thresholds(trees, rng, 12)
    alike = x.copy()
    alike[:, ::2] = x[5, ::2]  # half the columns the same in every row (one row of masks serves them)
    for rows in (x, x[:1], x[:0], alike, np.repeat(x[3:4], 700, axis=0)):
        assert np.array_equal(trees.decision(rows), _walk(trees, rows), equal_nan=True)


def test_stage2_of_the_shipped_model_is_the_walk() -> None:
    trees = _shipped_model().stage2
    if trees is None:
        pytest.skip("the shipped model has no context trees")
    assert trees.masks is not None  # the fast path serves the shipped model
    x = _near_thresholds(trees, np.random.default_rng(1), int(trees.feature.max()) + 1)
    assert np.array_equal(trees.decision(x), trees.walk(x))


def test_trees_not_in_pre_order_are_walked() -> None:
    rng = np.random.default_rng(3)
    trees = _random_trees(rng, trees=5, depth=3, width=4, grow_p=1.0)
    n = len(trees.feature)
    perm = np.concatenate([[0], rng.permutation(np.arange(1, n))])  # node 0 stays first, the rest shuffled
    where = np.argsort(perm)  # new position of each old node
    shuffled = TreeEnsemble(
        trees.feature[perm],
        trees.threshold[perm],
        where[trees.left[perm]].astype(np.int32),
        where[trees.right[perm]].astype(np.int32),
        trees.value[perm],
        where[trees.roots].astype(np.int32),
        trees.baseline,
        trees.depth,
    )
    x = _near_thresholds(trees, rng, 4)
    assert shuffled.masks is None and np.array_equal(shuffled.decision(x), trees.decision(x))


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab_0éß·.+-@ !\n", max_size=30) | st.text(max_size=40))
def test_email_pattern_finds_what_the_reference_finds(text: str) -> None:
    """The linear-time e-mail pattern finds an address exactly where the reference's first form does."""
    assert bool(features._EMAIL.search(text)) == bool(ref._EMAIL.search(text))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="wWhHtTpPsSſ:/.@x0 ", max_size=24) | st.text(max_size=40))
def test_url_and_email_prefilters_never_change_the_answer(text: str) -> None:
    assert features._has_url(text) == bool(features._URL.search(text))
    assert ("@" in text and features._EMAIL.search(text) is not None) == bool(features._EMAIL.search(text))


def test_flat_features_are_the_rows_laid_end_to_end(linesets: Path) -> None:
    """``document_feature_array`` gives the reference's rows, laid end to end: same numbers, same order."""
    docs = [*_dev_documents(linesets), [], ["one"], ["a", "b"], ["a", "b", "c"], ["x"] * 7]
    for texts in docs:
        texts = [t.strip() for t in texts if t.strip()]
        rows = ref.document_features(texts)
        flat, counts = features.document_feature_array(texts)
        assert flat.tolist() == [f for row in rows for f in row]
        assert counts.tolist() == [len(row) for row in rows]


def test_grouped_features_are_the_same_features(linesets: Path) -> None:
    """``document_groups`` holds each line's features (as a multiset: the model sums them in any order)."""
    docs = [*_dev_documents(linesets)[:300], [], ["one"], ["a", "b"], ["a", "b", "c"], ["x"] * 7]
    for texts in docs:
        texts = [t.strip() for t in texts if t.strip()]
        groups = features.document_groups(texts)
        rows = [sorted(row) for row in ref.document_features(texts)]
        grouped = [
            sorted([*groups.fixed[i].tolist(), *(f for tuples, index in groups.groups for f in tuples[index[i]])])
            for i in range(len(texts))
        ]
        assert grouped == rows


def test_grouped_scores_are_the_flat_scores(linesets: Path) -> None:
    """Summed by group (float64), a line's scores are those of its flat row of features (float32) up to rounding."""
    model = _shipped_model()
    for texts in _dev_documents(linesets):
        grouped = model.scores_grouped(features.document_groups(texts))
        flat = model.scores(features.document_features(texts))
        for a, b in zip(grouped, flat):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@given(st.text(max_size=60) | st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_character_counts_are_the_str_methods(sample: str) -> None:
    counts = (sum(map(str.isalpha, sample)), sum(map(str.isupper, sample)), sum(map(str.isdigit, sample)))
    assert features._char_counts(sample) == counts


def test_feature_hashing_is_right_when_threads_clear_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads share the per-process caches; one clearing the hash cache must not break another's lookup."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(features, "HASH_CACHE_MAX", 16)  # cleared all the time
    names = [[f"w:{i}-{j}" for j in range(12)] for i in range(200)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: races show
    try:
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(features._hashed, names * 20))
    finally:
        sys.setswitchinterval(interval)
    assert got == [tuple(features.hash_feature(f) for f in row) for row in names] * 20
