"""The shipped model: a linear classifier and optional context trees, stored as plain arrays, loaded without pickle.

Stage 1 is a sparse dot product and a softmax in numpy (each line's class from
its own features); stage 2 (:mod:`cleaner.stage2`, when the file has one)
re-reads each line's stage-1 keep score in its document's context. Neither
scikit-learn nor joblib is imported on the hot path, and loading a model can
never run code: the file is a ``.npz`` archive read with ``allow_pickle=False``
holding the weight rows, the feature indices they belong to, the trees' node
arrays, and a JSON header (classes, feature version, training facts, scores).

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
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.categories import is_keep
from cleaner.context import FEATURE_NAMES as CONTEXT_FEATURES
from cleaner.distinct import distinct_rows
from cleaner.errors import ModelError, os_reason
from cleaner.features import FEATURE_VERSION, N_FEATURES, DocumentGroups
from cleaner.stage2 import ARRAYS as STAGE2_ARRAYS
from cleaner.stage2 import TreeEnsemble, from_arrays

MODEL_ENV = "CLEANER_MODEL"  # environment variable naming another model file
MODEL_FILE = "cleaner-v2.npz"  # the shipped model's name: the one place to change when a new model ships
MODEL_DIRS = (  # where the shipped model lives, searched in this order
    Path(__file__).resolve().parent / "models",  # an installed wheel: the repo's models/ is package data there
    Path(__file__).resolve().parent.parent / "models",  # a source checkout or editable install: models/ itself
)
FORMAT = "cleaner-linear-v1"  # the file layout; not the feature version
GROUP_SUMS_MAX = 1 << 15  # summed groups remembered per model (~200 B each); cleared when full
LOGIT_CHUNK_LINES = 256  # lines whose weight rows are gathered at once (~0.7 MB with ~20 classes)
PROB_EPS = 1e-6  # keep probabilities are clipped to [eps, 1 - eps] before taking logits (as in training)
MAX_ARRAY_BYTES = 256 * 1024 * 1024  # declared size of one array; the shipped model's largest (weights) is 17 MB
MAX_CLASSES = 64  # a header listing more is not one of ours (there are 20 categories)


def shipped_model(dirs: Sequence[Path] = MODEL_DIRS, name: str = MODEL_FILE) -> Path:
    """Where the shipped model is: the first of ``dirs`` holding ``name``, else the last (where ``make train``
    writes it in a checkout).

    >>> shipped_model([Path("/nonexistent/a"), Path("/nonexistent/b")]).as_posix()
    '/nonexistent/b/cleaner-v2.npz'
    """
    return next((d / name for d in dirs if (d / name).is_file()), Path(dirs[-1]) / name)


DEFAULT_MODEL = shipped_model()  # the shipped model's path (it may be missing: then the heuristics decide)


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Weights of a linear model over hashed features: a multinomial category head, and optionally a binary
    keep head, plus optional context trees (stage 2).

    ``rows[i]`` is the feature index whose weights are ``weights[i]``; all other
    features weigh zero. ``weights`` has a column per class, then, when
    ``keep_head`` is set, one more: the logit that the line is article text.
    Without a keep head that logit comes from the summed probabilities of the
    keep classes. ``meta`` is the JSON header (training facts, scores).
    """

    classes: tuple[str, ...]
    weights: np.ndarray  # (len(rows), len(classes) [+ 1]) float32
    rows: np.ndarray  # (len(rows),) int feature indices
    meta: dict[str, Any] = field(default_factory=dict)
    stage2: TreeEnsemble | None = None  # context trees over the stage-1 keep logits; None: stage 1 decides
    keep_head: bool = False  # the last weight column is a binary keep/drop head
    table: np.ndarray | None = field(default=None, repr=False, compare=False)  # float32 ``weights``, a zero row
    slot: np.ndarray = field(init=False, repr=False, compare=False)  # each feature's row of ``table``
    sums: dict[tuple[int, ...], np.ndarray] = field(init=False, repr=False, compare=False)  # memo: group_sums

    def __post_init__(self) -> None:
        """Index the weights by feature: ``table[slot[f]]`` is feature ``f``'s weight row (zeros when it has none).

        A slot per feature (1 MB) rather than a dense row per feature (21 MB): building that took a fifth of
        the start-up time, and the smaller table gathers as fast. ``table`` may come ready (``weights`` with a
        zero row after them, as :func:`load_model` reads it); else it is built here.
        """
        width = self.weights.shape[1] if self.weights.ndim == 2 else 0
        table = self.table  # given by the model file's reader, which reads the weights into it: no copy
        if table is None or table.shape != (len(self.rows) + 1, width) or table.dtype != np.float32 or table[-1].any():
            table = np.zeros((len(self.rows) + 1, width), dtype=np.float32)
            table[:-1] = self.weights
        slot = np.full(N_FEATURES, len(self.rows), dtype=np.int32)
        slot[self.rows] = np.arange(len(self.rows), dtype=np.int32)
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "slot", slot)
        object.__setattr__(self, "sums", {})

    @property
    def keep_mask(self) -> np.ndarray:
        """Boolean mask over ``classes``: which classes are article text."""
        return np.array([is_keep(c) for c in self.classes])

    def _logits(self, feature_rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Each line's sum of its features' weight rows, added in feature order (float32).

        Lines are summed ``LOGIT_CHUNK_LINES`` at a time: the gathered rows then stay in the CPU cache
        instead of filling a fresh array of the whole window. Each line's sum is the same either way.
        """
        return self._summed(*end_to_end(feature_rows))

    def _summed(self, indices: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """:meth:`_logits` of the rows laid end to end in ``indices``, ``lengths[i]`` of them for line ``i``."""
        slots = self.slot[indices]
        ends = np.cumsum(lengths)
        starts = ends - lengths
        out = np.empty((len(lengths), self.table.shape[1]), np.float32)
        for lo in range(0, len(lengths), LOGIT_CHUNK_LINES):
            hi = min(lo + LOGIT_CHUNK_LINES, len(lengths))
            first = starts[lo]
            gathered = self.table[slots[first : ends[hi - 1]]]
            out[lo:hi] = np.add.reduceat(gathered, starts[lo:hi] - first, axis=0)
        return out

    def scores(self, feature_rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Class probabilities ``(n, len(classes))``, the keep logit and the category head's keep logit ``(n,)``
        of each line (each line has at least one feature). Without a keep head the two logits are the same."""
        if not feature_rows:
            empty = np.zeros(0, np.float64)
            return np.zeros((0, len(self.classes)), dtype=np.float32), empty, empty
        return self._from_logits(self._logits(feature_rows))

    def scores_grouped(self, doc: DocumentGroups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`scores` of a document's features as :func:`cleaner.features.document_groups` gives them.

        The same sums, added in another order (in float64, then rounded to float32): a logit may differ
        from :meth:`scores`' in its last bits. Stage 2 reads logits through tree thresholds, so its scores
        are the same unless a logit lies within those bits of a threshold (no line of the dev sets does).
        """
        n = len(doc.fixed)
        if not n:
            return self.scores([])
        distinct = distinct_rows(np.column_stack([doc.fixed, *(index for _, index in doc.groups)]))
        if distinct is not None:  # lines with the same features (a line repeated in the same context)
            first, index = distinct
            fewer = DocumentGroups(
                doc.fixed[first], tuple((t, i[first]) for t, i in doc.groups), doc.facts, doc.text_index, doc.length
            )
            return tuple(a[index] for a in self.scores_grouped(fewer))  # type: ignore[return-value]
        out = np.zeros((n, self.table.shape[1]), np.float64)
        for tuples, index in doc.groups:
            out += self.group_sums(tuples)[index]
        slots = self.slot[doc.fixed]
        for lo in range(0, n, LOGIT_CHUNK_LINES):
            out[lo : lo + LOGIT_CHUNK_LINES] += self.table[slots[lo : lo + LOGIT_CHUNK_LINES]].sum(
                axis=1, dtype=np.float64
            )
        return self._from_logits(out.astype(np.float32))

    def group_sums(self, groups: Sequence[tuple[int, ...]]) -> np.ndarray:
        """The sum of each group's weight rows, ``(len(groups), width)`` float64; memoised per model (at most
        ``GROUP_SUMS_MAX`` groups: a line's own features, those a kind of line gives its neighbours).

        >>> m = LinearModel(("body", "menu"), np.array([[1, 2], [3, 4]], np.float32), np.array([5, 9]), {})
        >>> m.group_sums([(5, 9), (), (9, 9)]).tolist()
        [[4.0, 6.0], [0.0, 0.0], [6.0, 8.0]]
        """
        sums = self.sums  # shared by the threads that share this model: read once, never read back
        found = {g: sums.get(g) for g in groups}
        missing = [g for g, row in found.items() if row is None]
        if missing:  # summed together: one gather for all of them
            indices, lengths = end_to_end(missing)
            rows = self.table[self.slot[indices]].astype(np.float64)
            starts = np.cumsum(lengths) - lengths
            summed = np.zeros((len(missing), self.table.shape[1]), np.float64)
            filled = lengths > 0  # reduceat cannot give an empty group's zero sum
            if filled.any():
                summed[filled] = np.add.reduceat(rows, starts[filled], axis=0)
            found.update(zip(missing, summed))
            if len(sums) + len(missing) > GROUP_SUMS_MAX:
                sums.clear()
            sums.update(zip(missing, summed))
        return np.array([found[g] for g in groups], np.float64).reshape(len(groups), self.table.shape[1])

    def _from_logits(self, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        probs = softmax(logits[:, : len(self.classes)])
        category = keep_logit(probs, self.keep_mask)
        keep = logits[:, -1].astype(np.float64) if self.keep_head else category
        return probs, keep, category

    def predict_proba(self, feature_rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Class probabilities, one row per line (each line has at least one feature)."""
        return self.scores(feature_rows)[0]


def end_to_end(feature_rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of feature indices laid end to end (int64), and each row's count of them.

    >>> [a.tolist() for a in end_to_end([(3, 4), (), (5,)])]
    [[3, 4, 5], [2, 0, 1]]
    """
    lengths = np.fromiter(map(len, feature_rows), dtype=np.int64, count=len(feature_rows))
    return np.fromiter(chain.from_iterable(feature_rows), dtype=np.int64, count=int(lengths.sum())), lengths


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, in place."""
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits


def keep_logit(probs: np.ndarray, keep_mask: np.ndarray) -> np.ndarray:
    """The logit of the summed probability of the keep classes (clipped to ``[PROB_EPS, 1 - PROB_EPS]``)."""
    p = np.clip(probs[:, keep_mask].sum(axis=1, dtype=np.float64), PROB_EPS, 1 - PROB_EPS)
    return np.log(p / (1 - p))


def save_model(model: LinearModel, path: Path) -> None:
    """Write ``model`` atomically as a pickle-free ``.npz``."""
    header = {
        "format": FORMAT,
        "classes": list(model.classes),
        "feature_version": FEATURE_VERSION,
        "keep_head": model.keep_head,
        "n_features": N_FEATURES,
        **model.meta,
    }
    stage2 = {}
    if model.stage2 is not None:
        header["stage2"] = {**model.stage2.header(), "features": list(CONTEXT_FEATURES)}
        stage2 = model.stage2.arrays()
    weights = model.weights.astype(np.float16).astype(np.float32)  # half-float precision, stored ready to use
    write_archive(path, header, compress=False, weights=weights, rows=model.rows.astype(np.int32), **stage2)


def write_archive(path: Path, header: dict[str, Any], compress: bool = True, **arrays: np.ndarray) -> None:
    """Write a pickle-free model archive atomically: ``arrays`` plus ``header`` as JSON bytes (text and HTML
    models alike).

    ``compress=False`` stores the arrays as they are: the text model is read at every start, and inflating
    and widening its half-float weights took a fifth of the start-up time (a wheel is compressed anyway).
    """
    buf = io.BytesIO()
    save = np.savez_compressed if compress else np.savez
    save(buf, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8), **arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)


def _read_archive(path: Path) -> tuple[Any, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The header (not yet checked), weight table (the weights, then a row of zeros), rows and stage-2 members
    of a model file."""
    _require_regular_file(path)
    try:
        members = _read_stored(path, padded="weights")
        if members is not None:
            table = members["weights"]
            if table.dtype != np.float32:  # float32 since model v2's re-save; float16 in older files
                table = _padded(table[:-1])
        else:  # a compressed archive (older files): numpy's reader, then the table built from its weights
            import zipfile  # only here: 5 ms of a start

            try:
                _check_declared_arrays(path)
                with np.load(path, allow_pickle=False) as npz:
                    members = {name: npz[name] for name in npz.files}
            except zipfile.BadZipFile as exc:
                raise ValueError(str(exc)) from None
            table = _padded(members["weights"])
        header = json.loads(members["header"].tobytes().decode("utf-8"))
        has_stage2 = isinstance(header, dict) and "stage2" in header
        stage2 = {f"s2_{a}": members[f"s2_{a}"] for a in STAGE2_ARRAYS} if has_stage2 else {}
        return header, table, members["rows"].astype(np.int64), stage2
    except ModelError:
        raise
    except PermissionError:
        raise ModelError(f"model file is not readable (permission denied): {path}") from None
    except (ValueError, KeyError, OSError, EOFError, MemoryError, struct.error) as exc:
        if _looks_like_pickle(path):
            raise ModelError(
                f"refusing to load {path}: it is a pickle/joblib file, and loading one runs arbitrary code. "
                "cleaner models are .npz files made by `make train`; retrain with your data instead."
            ) from None
        raise ModelError(
            f"model file {path} is corrupt or not a cleaner model ({exc}); "
            "re-run `make train` or point --model at a valid file"
        ) from None


def _padded(weights: np.ndarray) -> np.ndarray:
    """``weights`` as float32 with a row of zeros after them: the model's weight table.

    >>> _padded(np.ones((1, 2), np.float16)).tolist()
    [[1.0, 1.0], [0.0, 0.0]]
    """
    if weights.ndim != 2:
        raise ValueError(f"weights have {weights.ndim} dimensions, not 2")
    table = np.zeros((len(weights) + 1, weights.shape[1]), np.float32)
    table[:-1] = weights
    return table


def _read_stored(path: Path, padded: str) -> dict[str, np.ndarray] | None:
    """The arrays of an uncompressed ``.npz`` archive, each read from the file straight into its own array; the
    array named ``padded`` gets a row of zeros after its rows. ``None`` when a member is compressed or is not
    a C-order array (numpy's reader then reads the file).

    Read so, the text model's 17 MB of weights cost one read at each start: numpy's reader also ran the
    zip CRC over them and copied them twice (a tenth of the cold start). The CRC is what this skips: a
    bit flipped on disk goes unseen, as with any memory-mapped model; a short or inconsistent file does
    not (its members' declared sizes are checked).
    """
    members: dict[str, np.ndarray] = {}
    with open(path, "rb") as fh:
        stored = _stored_members(fh)
        if stored is None or not all(filename.endswith(".npy") for filename, _, _ in stored):
            return None
        for filename, offset, size in stored:
            fh.seek(offset)
            local = fh.read(30)  # the member's local header: its data starts after the name and extra field
            if len(local) != 30 or local[:4] != b"PK\x03\x04":
                raise ValueError(f"{filename} has no local header")
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            start = offset + 30 + name_length + extra_length
            fh.seek(start)
            shape, fortran, dtype = _declared_array(fh, path, filename)
            name = filename[:-4]
            pad = name == padded
            if fortran or (pad and len(shape) != 2):
                return None
            array = np.empty((shape[0] + 1, *shape[1:]) if pad else shape, dtype)
            data = array[:-1] if pad else array
            if pad:
                array[-1] = 0
            if data.nbytes and fh.readinto(memoryview(data).cast("B")) != data.nbytes:
                raise EOFError(f"{filename} is cut short")
            if fh.tell() - start != size:
                raise ValueError(f"{filename} holds more or less than its declared array")
            members[name] = array
    return members


_ZIP_END = struct.Struct("<4s4H2LH")  # end of central directory: signature, disks, entries, size, offset, comment
_ZIP_ENTRY = struct.Struct("<4s6H3L5H2L")  # a central directory entry, before its name, extra field and comment


def _stored_members(fh: Any) -> list[tuple[str, int, int]] | None:
    """Each member's name, local header offset and size, read from the zip central directory of ``fh``; ``None``
    unless every member is stored (not compressed) and the archive is plain (no comment, no zip64 directory).

    The directory is read here rather than by :mod:`zipfile`, whose import (with ``shutil``, ``bz2`` and
    ``lzma``) cost 5 ms of every start.
    """
    end = fh.seek(0, os.SEEK_END) - _ZIP_END.size
    if end < 0:
        return None
    fh.seek(end)
    signature, disk, first_disk, on_disk, entries, size, offset, comment = _ZIP_END.unpack(fh.read(_ZIP_END.size))
    if signature != b"PK\x05\x06" or comment or disk or first_disk or on_disk != entries or offset + size != end:
        return None
    fh.seek(offset)
    directory = fh.read(size)
    members = []
    at = 0
    for _ in range(entries):
        if at + _ZIP_ENTRY.size > len(directory):
            raise ValueError("the zip directory is cut short")
        fields = _ZIP_ENTRY.unpack_from(directory, at)
        if fields[0] != b"PK\x01\x02":
            raise ValueError("the zip directory holds something else than its entries")
        method, packed, unpacked, name_length, extra_length, comment_length, local = (
            fields[i] for i in (4, 8, 9, 10, 11, 12, 16)
        )
        if method != 0 or packed != unpacked or 0xFFFFFFFF in (packed, local):
            return None  # compressed, or sizes in a zip64 field
        name = directory[at + _ZIP_ENTRY.size : at + _ZIP_ENTRY.size + name_length].decode("utf-8")
        members.append((name, local, unpacked))
        at += _ZIP_ENTRY.size + name_length + extra_length + comment_length
    return members


def _declared_array(member: Any, path: Path, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """A ``.npy`` member's declared shape, order and type, read from its header; refuses pickled objects and
    arrays larger than ``MAX_ARRAY_BYTES`` before any data is read."""
    version = np.lib.format.read_magic(member)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(member)
    if dtype.hasobject:
        raise ModelError(f"refusing to load {path}: {name} holds pickled Python objects")
    size = math.prod(shape) * dtype.itemsize
    if size > MAX_ARRAY_BYTES:
        raise ModelError(
            f"model file {path} is not a cleaner model: {name} declares {size:,} bytes (more than {MAX_ARRAY_BYTES:,})"
        )
    return shape, fortran, dtype


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
    import zipfile  # compressed (older) files only

    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                _declared_array(member, path, info.filename)


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
    header, table, rows, stage2_members = _read_archive(path)
    classes = _check_header(path, header)
    keep_head = header.get("keep_head") is True
    weights = table[:-1]
    _check_arrays(path, weights, rows, len(classes) + keep_head)
    stage2 = read_stage2(path, header, stage2_members)
    skip = ("format", "classes", "feature_version", "n_features", "stage2", "keep_head")
    meta = {k: v for k, v in header.items() if k not in skip}
    return LinearModel(classes, weights, rows, meta, stage2, keep_head, table)


def read_stage2(
    path: Path,
    header: dict[str, Any],
    members: dict[str, np.ndarray],
    features: Sequence[str] = CONTEXT_FEATURES,
    retrain: str = "make train",
) -> TreeEnsemble | None:
    """The model's context trees, checked against this cleaner's context ``features`` (the text model's unless
    told; the HTML model reads its own, retrained with ``make train-html``)."""
    if not members:
        return None
    info = header.get("stage2")
    if not isinstance(info, dict):
        raise ModelError(f"{path} has an unreadable stage-2 header (not a JSON object); retrain it")
    if info.get("features") != list(features):
        raise ModelError(f"{path} was trained with other context features; retrain it with `{retrain}`")
    try:
        trees = from_arrays(members, info)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path} has an unreadable stage-2 header ({exc}); retrain it") from None
    problem = trees.check(len(features))
    if problem:
        raise ModelError(f"{path} is inconsistent: {problem}; retrain it")
    return trees


def default_model_path() -> Path | None:
    """The model to use when none is given: ``$CLEANER_MODEL`` if set, else the shipped one if present."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    return DEFAULT_MODEL if DEFAULT_MODEL.is_file() else None
