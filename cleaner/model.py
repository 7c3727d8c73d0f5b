"""The shipped model: a linear classifier stored as plain arrays, loaded without pickle.

Inference is a sparse dot product and a softmax in numpy, so neither
scikit-learn nor joblib is imported on the hot path, and loading a model can
never run code: the file is a ``.npz`` archive read with ``allow_pickle=False``
holding the weight rows, the feature indices they belong to, and a JSON header
(classes, feature version, training facts, scores).

>>> import numpy as np
>>> m = LinearModel(("body", "newsletter"), np.zeros((2, 2), np.float32), np.array([0, 1]), {})
>>> m.predict_proba([[0], [1]]).round(2).tolist()
[[0.5, 0.5], [0.5, 0.5]]
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.categories import is_keep
from cleaner.errors import ModelError, os_reason
from cleaner.features import FEATURE_VERSION, N_FEATURES

MODEL_ENV = "CLEANER_MODEL"  # environment variable naming another model file
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "cleaner-v1.npz"
FORMAT = "cleaner-linear-v1"  # the file layout; not the feature version
MAX_ARRAY_BYTES = 256 * 1024 * 1024  # declared size of any one array; the shipped model's largest is about 1 MB
MAX_CLASSES = 64  # a header listing more is not one of ours (there are 20 categories)


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Weights of a multinomial linear model over hashed features.

    ``rows[i]`` is the feature index whose weights are ``weights[i]``; all other
    features weigh zero. ``meta`` is the JSON header (training facts, scores).
    """

    classes: tuple[str, ...]
    weights: np.ndarray  # (len(rows), len(classes)) float32
    rows: np.ndarray  # (len(rows),) int feature indices
    meta: dict[str, Any] = field(default_factory=dict)
    dense: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dense = np.zeros((N_FEATURES, len(self.classes)), dtype=np.float32)
        dense[self.rows] = self.weights
        object.__setattr__(self, "dense", dense)

    @property
    def keep_mask(self) -> np.ndarray:
        """Boolean mask over ``classes``: which classes are article text."""
        return np.array([is_keep(c) for c in self.classes])

    def predict_proba(self, feature_rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Class probabilities, one row per line (each line has at least one feature)."""
        if not feature_rows:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        lengths = np.fromiter(map(len, feature_rows), dtype=np.int64, count=len(feature_rows))
        indices = np.fromiter(chain.from_iterable(feature_rows), dtype=np.int64, count=int(lengths.sum()))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        logits = np.add.reduceat(self.dense[indices], starts, axis=0)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits


def save_model(model: LinearModel, path: Path) -> None:
    """Write ``model`` atomically as a pickle-free ``.npz``."""
    header = {
        "format": FORMAT,
        "classes": list(model.classes),
        "feature_version": FEATURE_VERSION,
        "n_features": N_FEATURES,
        **model.meta,
    }
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        weights=model.weights.astype(np.float16),
        rows=model.rows.astype(np.int32),
        header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)


def _read_archive(path: Path) -> tuple[Any, np.ndarray, np.ndarray]:
    _require_regular_file(path)
    try:
        _check_declared_arrays(path)
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(npz["header"].tobytes().decode("utf-8"))
            return header, npz["weights"].astype(np.float32), npz["rows"].astype(np.int64)
    except ModelError:
        raise
    except PermissionError:
        raise ModelError(f"model file is not readable (permission denied): {path}") from None
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError, MemoryError) as exc:
        if _looks_like_pickle(path):
            raise ModelError(
                f"refusing to load {path}: it is a pickle/joblib file, and loading one runs arbitrary code. "
                "cleaner models are .npz files made by `make train`; retrain with your data instead."
            ) from None
        raise ModelError(
            f"model file {path} is corrupt or not a cleaner model ({exc}); "
            "re-run `make train` or point --model at a valid file"
        ) from None


def _require_regular_file(path: Path) -> None:
    """Refuse what is not a regular file before opening it: a FIFO would block, ``/dev/zero`` never end."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ModelError(f"model file not found: {path}") from None
    except OSError as exc:
        raise ModelError(f"model file {path} cannot be read ({os_reason(exc)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ModelError(f"model path is a directory, not a file: {path}")
    if not stat.S_ISREG(st.st_mode):
        raise ModelError(f"model path is not a regular file (a FIFO, socket or device): {path}")


def _check_declared_arrays(path: Path) -> None:
    """Read each array's declared type and shape, before any data: no pickled objects, nothing huge."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else None
                read_header = read_header or np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(member)
            if dtype.hasobject:
                raise ModelError(f"refusing to load {path}: {info.filename} holds pickled Python objects")
            size = math.prod(shape) * dtype.itemsize
            if size > MAX_ARRAY_BYTES:
                raise ModelError(
                    f"model file {path} is not a cleaner model: {info.filename} declares {size:,} bytes "
                    f"(more than {MAX_ARRAY_BYTES:,})"
                )


def _check_header(path: Path, header: Any) -> tuple[str, ...]:
    """The classes of a well-formed header (a JSON object naming a known format and feature version)."""
    if not isinstance(header, dict):
        raise ModelError(f"model file {path} is not a cleaner model: its header is not a JSON object")
    if header.get("format") != FORMAT:
        raise ModelError(f"{path} has format {header.get('format')!r}, expected {FORMAT!r}")
    if header.get("feature_version") != FEATURE_VERSION or header.get("n_features") != N_FEATURES:
        raise ModelError(
            f"{path} was trained with feature version {header.get('feature_version')} "
            f"but this cleaner computes version {FEATURE_VERSION}; retrain it with `make train`"
        )
    classes = header.get("classes")
    if (
        not isinstance(classes, list)
        or not 2 <= len(classes) <= MAX_CLASSES
        or not all(isinstance(c, str) for c in classes)
        or len(set(classes)) != len(classes)
        or not any(is_keep(c) for c in classes)
    ):
        raise ModelError(f"model file {path} is not a cleaner model: bad class list {str(classes)[:80]}")
    return tuple(classes)


def _check_arrays(path: Path, weights: np.ndarray, rows: np.ndarray, n_classes: int) -> None:
    """Shapes that fit together, feature indices in range, and only finite weights."""
    if rows.ndim != 1 or weights.ndim != 2 or weights.shape != (len(rows), n_classes):
        raise ModelError(
            f"{path} is inconsistent (weights {weights.shape}, rows {rows.shape}, {n_classes} classes); retrain it"
        )
    if len(rows) and (rows.min() < 0 or rows.max() >= N_FEATURES):
        raise ModelError(f"{path} is inconsistent (feature indices outside 0..{N_FEATURES - 1}); retrain it")
    if not np.isfinite(weights).all():
        raise ModelError(f"{path} has non-finite weights (NaN or infinity); retrain it")


def _looks_like_pickle(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
    except OSError:
        return False
    return head[:1] == b"\x80" or head in (b"\x1f\x8b", b"x\x9c", b"x\xda")


def load_model(path: Path) -> LinearModel:
    """Load a model file, checking its format, feature version, shapes and values.

    Raises :class:`ModelError` with the file name and what to do on any problem.
    """
    header, weights, rows = _read_archive(path)
    classes = _check_header(path, header)
    _check_arrays(path, weights, rows, len(classes))
    meta = {k: v for k, v in header.items() if k not in ("format", "classes", "feature_version", "n_features")}
    return LinearModel(classes, weights, rows, meta)


def default_model_path() -> Path | None:
    """The model to use when none is given: ``$CLEANER_MODEL`` if set, else the shipped one if present."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    return DEFAULT_MODEL if DEFAULT_MODEL.is_file() else None
