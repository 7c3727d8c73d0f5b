"""Several documents at once give each document's own features, to the bit.

``--jsonl`` and ``batch`` score many small documents together: the context features of stage 1
(``cleaner.features``) and of stage 2 (``cleaner.context``) are computed for a whole batch in one pass.
These tests pin that each document still gets exactly what it gets alone, and what the per-document
reference (``tests/reference_features.py``, the code as first written) gives it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.context import FEATURE_NAMES, context_matrices, context_matrix
from cleaner.features import DocumentGroups, batch_groups, document_groups
from tests.reference_features import reference_context_matrix

# Logits with ties (a few repeated values) and extremes past the clip, lengths from empty to long.
_LOGIT = st.one_of(st.sampled_from([0.0, -0.0, -1.5, 2.5, 9.0, -12.0]), st.floats(-20, 20, width=32))
_LINE = st.tuples(_LOGIT, st.integers(0, 3000), st.booleans(), _LOGIT)
_DOC = st.lists(_LINE, max_size=40)


def _arrays(lines: list[tuple[float, int, bool, float]]) -> tuple[np.ndarray, ...]:
    logits, lengths, ruled, category = zip(*lines) if lines else ((), (), (), ())
    return (
        np.array(logits, np.float64),
        np.array(lengths, np.int64),
        np.array(ruled, bool),
        np.array(category, np.float64),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_DOC, min_size=1, max_size=8))
def test_context_matrices_are_each_documents_reference_matrix(docs: list[list[tuple]]) -> None:
    together = context_matrices(
        *_arrays([line for doc in docs for line in doc]), np.array([len(d) for d in docs], np.int64)
    )
    alone = [reference_context_matrix(*_arrays(doc)) for doc in docs]
    expected = np.concatenate(alone) if alone else np.zeros((0, len(FEATURE_NAMES)), np.float32)
    assert together.dtype == np.float32
    assert together.tobytes() == expected.tobytes()


def test_context_matrix_of_one_document_is_the_reference() -> None:
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 7, 300):
        args = (rng.normal(0, 4, n), rng.integers(0, 500, n), rng.random(n) < 0.2, rng.normal(0, 4, n))
        assert context_matrix(*args).tobytes() == reference_context_matrix(*args).tobytes()


# Lines that make the context features move: sentences, short menu lines, list items, repeats.
_TEXT = st.sampled_from(
    [
        "Menu",
        "Home",
        "- item one",
        "- item two",
        "1. first",
        "Subscribe to our newsletter",
        "The council approved the budget on Monday after a long debate, officials said.",
        "He went there on Friday, aides said, and met the mayor and two of her advisers.",
        "Read more",
        "x" * 400,
    ]
)


def _line_features(groups: DocumentGroups) -> list[tuple]:
    """Each line's features as the model reads them: its fixed row, then its tuple of each group."""
    return [
        (tuple(groups.fixed[i].tolist()), *(tuples[index[i]] for tuples, index in groups.groups))
        for i in range(len(groups.fixed))
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_TEXT, max_size=30), min_size=1, max_size=6))
def test_documents_grouped_together_are_grouped_as_alone(docs: list[list[str]]) -> None:
    together = batch_groups(docs)
    alone = [document_groups(doc) for doc in docs]
    assert _line_features(together) == [line for groups in alone for line in _line_features(groups)]
    assert together.length.tolist() == [n for groups in alone for n in groups.length.tolist()]
    facts = [together.facts[k] for k in together.text_index.tolist()]
    assert facts == [g.facts[k] for g in alone for k in g.text_index.tolist()]
