"""The design matrix: every labeled line of a corpus as a sparse row of the package's own features.

Built with :func:`cleaner.features.document_features` and ``line_shape``, the
same code inference runs, so training and serving cannot drift apart. Rows are
kept as one CSR matrix (half a million lines fit in a few hundred MB), with the
facts the later steps need per line: target, weight, site group, flavor,
source, page type, length and whether a named rule matched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, vstack

from cleaner.features import N_FEATURES, document_features, line_shape
from training import data


@dataclass(frozen=True)
class Design:
    """Rows and per-line facts; index arrays all have one entry per row."""

    x: csr_matrix  # (lines, N_FEATURES) 0/1
    target: np.ndarray  # category name per line ("" = left out of the loss: mixed)
    label: np.ndarray  # body / title / noise / mixed
    weight: np.ndarray  # training weight per line
    doc: np.ndarray  # index of the line's document in the corpus
    group: np.ndarray  # site of the document (cross-validation group)
    flavor: np.ndarray
    source: np.ndarray
    page_type: np.ndarray
    length: np.ndarray  # characters of the stripped line
    ruled: np.ndarray  # a named rule matches the line
    texts: list[str] | None = None  # the stripped lines, for looking at samples (not subset or concatenated)

    def __len__(self) -> int:
        return self.x.shape[0]

    def subset(self, mask: np.ndarray) -> Design:
        """The rows where ``mask`` is true (documents stay whole when the mask is per document)."""
        return Design(*(getattr(self, f)[mask] for f in self.__dataclass_fields__ if f != "texts"))

    def doc_bounds(self) -> list[tuple[int, int]]:
        """``(start, end)`` row ranges of each document, in row order."""
        change = np.flatnonzero(np.diff(self.doc)) + 1
        starts = np.concatenate(([0], change))
        ends = np.concatenate((change, [len(self)]))
        return list(zip(starts.tolist(), ends.tolist()))


def design(docs: Sequence[data.Doc], progress: Callable[[int], None] | None = None) -> Design:
    """The design matrix of ``docs`` (lines with no text are skipped, as inference skips them)."""
    indptr, indices = [0], []
    cols: dict[str, list] = {k: [] for k in ("target", "label", "weight", "doc", "group", "flavor", "source")}
    cols |= {"page_type": [], "length": [], "ruled": [], "texts": []}
    for k, doc in enumerate(docs):
        lines = [ln for ln in doc["lines"] if ln["text"].strip()]
        texts = [ln["text"].strip() for ln in lines]
        shapes = [line_shape(t) for t in texts]
        for line, feats, shape in zip(lines, document_features(texts, shapes), shapes):
            indices.extend(feats)
            indptr.append(len(indices))
            cols["target"].append(data.target_of(line) or "")
            cols["label"].append(line.get("label", "body"))
            cols["length"].append(shape.length)
            cols["ruled"].append(bool(shape.rules))
        cols["texts"] += texts
        n = len(lines)
        cols["weight"] += [data.doc_weight(doc)] * n
        cols["doc"] += [k] * n
        cols["group"] += [data.group_of(doc)] * n
        cols["flavor"] += [doc.get("flavor") or "residue"] * n
        cols["source"] += [str(doc.get("source") or "unknown")] * n
        cols["page_type"] += [doc.get("page_type") or ""] * n
        if progress is not None:
            progress(1)
    x = csr_matrix(
        (np.ones(len(indices), np.float32), np.asarray(indices, np.int64), np.asarray(indptr, np.int64)),
        shape=(len(indptr) - 1, N_FEATURES),
    )
    x.sum_duplicates()
    x.data[:] = 1.0
    return Design(
        x=x,
        target=np.array(cols["target"], dtype=object),
        label=np.array(cols["label"], dtype=object),
        weight=np.array(cols["weight"], np.float64),
        doc=np.array(cols["doc"], np.int64),
        group=np.array(cols["group"], dtype=object),
        flavor=np.array(cols["flavor"], dtype=object),
        source=np.array(cols["source"], dtype=object),
        page_type=np.array(cols["page_type"], dtype=object),
        length=np.array(cols["length"], np.int64),
        ruled=np.array(cols["ruled"], bool),
        texts=cols["texts"],
    )


def concat(parts: Sequence[Design]) -> Design:
    """One design from several, document indices renumbered so they stay distinct."""
    offset, docs = 0, []
    for part in parts:
        docs.append(part.doc + offset)
        offset += int(part.doc.max()) + 1 if len(part) else 0
    fields = [f for f in Design.__dataclass_fields__ if f not in ("x", "doc", "texts")]
    merged = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
    return Design(x=vstack([p.x for p in parts]).tocsr(), doc=np.concatenate(docs), **merged)
