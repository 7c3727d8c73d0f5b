"""The HTML line model: a logistic regression over hashed DOM features, then boosted trees over page context.

Stage 1 is a logistic regression over each block's hashed features. Stage 2 (format
``cleaner-html-linear-v2``, optional) is an ensemble of boosted trees (``cleaner.stage2``)
over each block's page context (``cleaner.htmlcontext``): its stage-1 logit, its
neighbours', its containers' and so on. A v1 file has stage 1 only and behaves as before.
The trees read the context columns their header names: the original 24 (``html-v2``) or those plus the
page features (``htmlcontext.FEATURE_NAMES_V2``), or those plus the tail features (``FEATURE_NAMES_V3``); a
file names its list, so older files score as before.
A v2 file whose header has ``code_guard_shift`` keeps code blocks (``htmlcontext.guard_code``):
stage 2 may raise a ``<pre>`` block's score but never lower it below stage 1's.

Like ``model.py`` (the text model), the file is a pickle-free ``.npz`` read with
``allow_pickle=False``: the weights of the features that have one, their bucket indices,
the trees' node arrays (``s2_*``), and a JSON header (feature version, which trafilatura
setting the agreement features read, training facts, scores). Inference is numpy only.

The last stage's intercept (the trees' baseline, else stage 1's) is shifted at training time so
that the threshold chosen by cross-validation maps to the cleaner's default threshold:
``--threshold`` then moves HTML and text decisions alike.

>>> import numpy as np
>>> m = HtmlModel(np.zeros(1, np.float32), np.array([0]), {})
>>> m.predict([[0], [0, 5]]).tolist()
[0.5, 0.5]
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.errors import ModelError
from cleaner.htmlcontext import FEATURE_NAMES as CONTEXT_FEATURES
from cleaner.htmlcontext import FEATURE_SETS, code_mask, context_matrix, guard_code
from cleaner.htmlfeatures import HTML_FEATURE_VERSION, N_FEATURES, Block
from cleaner.model import end_to_end, read_stage2, write_archive
from cleaner.stage2 import ARRAYS as STAGE2_ARRAYS
from cleaner.stage2 import TreeEnsemble

HTML_MODEL_ENV = "CLEANER_HTML_MODEL"  # environment variable naming another HTML model file
DEFAULT_HTML_MODEL = Path(__file__).resolve().parent.parent / "models" / "cleaner-html-v1.npz"
HTML_FORMAT = "cleaner-html-linear-v1"  # stage 1 only
HTML_FORMAT_V2 = "cleaner-html-linear-v2"  # stage 1 and the context trees
EXTRACTION_SETTINGS = ("default", "favor_recall")  # trafilatura settings the agreement features can read


@dataclass(frozen=True, slots=True)
class HtmlModel:
    """Weights of a binary linear model (P(content)) over hashed HTML block features, and optional context trees."""

    weights: np.ndarray  # (len(rows),) float32
    rows: np.ndarray  # (len(rows),) int bucket indices
    meta: dict[str, Any] = field(default_factory=dict)
    stage2: TreeEnsemble | None = None  # trees over the page context of the stage-1 logits; None: stage 1 decides
    context_features: tuple[str, ...] = CONTEXT_FEATURES  # the columns the trees read (one of FEATURE_SETS)
    dense: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dense = np.zeros(N_FEATURES, dtype=np.float32)
        dense[self.rows] = self.weights
        object.__setattr__(self, "dense", dense)

    @property
    def setting(self) -> str:
        """The trafilatura setting whose extraction the agreement features read."""
        return str(self.meta.get("extraction", "default"))

    @property
    def name(self) -> str:
        """How ``--explain`` names this model."""
        return str(self.meta.get("name", "html-v1"))

    def logits(self, feature_rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Stage 1's log-odds of content, per block."""
        if not feature_rows:
            return np.zeros(0, dtype=np.float32)
        indices, lengths = end_to_end(feature_rows)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        return np.add.reduceat(self.dense[indices], starts)

    def predict(self, feature_rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Stage 1's P(content) of each block."""
        return _sigmoid(self.logits(feature_rows))

    def score(
        self, blocks: Sequence[Block], kept: Sequence[float], feature_rows: Sequence[Sequence[int]]
    ) -> np.ndarray:
        """P(content) of each block of a page, by both stages (stage 1 alone without trees).

        ``kept`` is how much of each block trafilatura (with :attr:`setting`) kept (``htmlfeatures.kept_shares``),
        ``feature_rows`` the blocks' hashed features.
        """
        logits = self.logits(feature_rows)
        if self.stage2 is None or not len(logits):
            return _sigmoid(logits)
        z = self.stage2.decision(context_matrix(logits, blocks, kept, self.context_features))
        if "code_guard_shift" in self.meta:  # code blocks: stage 2 never below stage 1 (htmlcontext.guard_code)
            z = guard_code(z, logits, code_mask(blocks), float(self.meta["code_guard_shift"]))
        return _sigmoid(z)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))


def save_html_model(model: HtmlModel, path: Path) -> None:
    """Write ``model`` atomically as a pickle-free ``.npz``."""
    header = {
        "format": HTML_FORMAT if model.stage2 is None else HTML_FORMAT_V2,
        "feature_version": HTML_FEATURE_VERSION,
        "n_features": N_FEATURES,
        **model.meta,
    }
    trees = {}
    if model.stage2 is not None:
        header["stage2"] = {**model.stage2.header(), "features": list(model.context_features)}
        trees = model.stage2.arrays()
    write_archive(path, header, weights=model.weights.astype(np.float16), rows=model.rows.astype(np.int32), **trees)


def load_html_model(path: Path) -> HtmlModel:
    """Load an HTML model file; :class:`ModelError` with the file name and what to do on any problem."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(npz["header"].tobytes().decode("utf-8"))
            weights, rows = npz["weights"].astype(np.float32), npz["rows"].astype(np.int64)
            v2 = isinstance(header, dict) and header.get("format") == HTML_FORMAT_V2
            members = {f"s2_{a}": npz[f"s2_{a}"] for a in STAGE2_ARRAYS} if v2 else {}
    except FileNotFoundError:
        raise ModelError(f"HTML model file not found: {path}") from None
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError, json.JSONDecodeError) as exc:
        raise ModelError(f"HTML model file {path} is corrupt or not a cleaner HTML model ({exc})") from None
    if not isinstance(header, dict) or header.get("format") not in (HTML_FORMAT, HTML_FORMAT_V2):
        found = header.get("format") if isinstance(header, dict) else None
        raise ModelError(f"{path} has format {found!r}, expected {HTML_FORMAT!r} or {HTML_FORMAT_V2!r}")
    if header.get("feature_version") != HTML_FEATURE_VERSION or header.get("n_features") != N_FEATURES:
        raise ModelError(
            f"{path} was trained with HTML feature version {header.get('feature_version')} but this cleaner "
            f"computes version {HTML_FEATURE_VERSION}; retrain it with `make train-html`"
        )
    if weights.shape != rows.shape or (len(rows) and (rows.min() < 0 or rows.max() >= N_FEATURES)):
        raise ModelError(f"{path} is inconsistent (weights {weights.shape}, rows {rows.shape}); retrain it")
    if header.get("extraction", "default") not in EXTRACTION_SETTINGS:
        raise ModelError(f"{path} names an unknown trafilatura setting {header.get('extraction')!r}")
    features = _context_features(header)
    stage2 = read_stage2(path, header, members, features, "make train-html")
    meta = {k: v for k, v in header.items() if k not in ("format", "feature_version", "n_features", "stage2")}
    return HtmlModel(weights, rows, meta, stage2, features)


def _context_features(header: dict[str, Any]) -> tuple[str, ...]:
    """The context feature list a file's trees read, when it is one this cleaner computes (else the first one,
    which ``read_stage2`` then reports as a mismatch): html-v2 files read the 24 original columns."""
    info = header.get("stage2")
    named = info.get("features") if isinstance(info, dict) else None
    named = tuple(named) if isinstance(named, list) else ()
    return named if named in FEATURE_SETS else CONTEXT_FEATURES


def default_html_model_path() -> Path | None:
    """``$CLEANER_HTML_MODEL`` if set, else the shipped HTML model if present."""
    env = os.environ.get(HTML_MODEL_ENV)
    if env:
        return Path(env)
    return DEFAULT_HTML_MODEL if DEFAULT_HTML_MODEL.is_file() else None
