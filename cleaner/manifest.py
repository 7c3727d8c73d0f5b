"""What ``cleaner batch`` has done in a DST folder: a manifest of finished inputs, and a lock.

"Done" is not "the output is newer than the input": an input replaced by an older
copy (``cp -p``, ``rsync -a``), edited while it was being cleaned, or cleaned with
other settings or another model must be redone. So each finished input is recorded
with the size and modification time it had *before* it was read, a hash of the
bytes that were cleaned, a key of the settings and model, and its outputs. An input
is skipped only when its entry matches: same settings key, outputs present, same
size, and the same modification time or (when only the time changed) the same
content hash.

The manifest lives in ``DST/.cleaner-batch/``, a journal of JSON lines appended as
files finish (so a killed run keeps what it finished; a line cut by the kill is
ignored) and rewritten compactly at the end of a run. The same folder holds the lock
(``flock``) that keeps two runs from writing into one DST at once; the system
releases it when a run dies, however it dies.

>>> key = settings_key({"threshold": 0.12}, "rules")
>>> len(key), key == settings_key({"threshold": 0.12}, "rules"), key == settings_key({"threshold": 0.2}, "rules")
(32, True, False)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cleaner.errors import CleanerError, OutputError, os_reason

STATE_DIR = ".cleaner-batch"  # in DST: never an output (a SRC path under this name is refused as a clash)
JOURNAL = "manifest.log"  # not a name batch would ever write an output to (no .txt/.html/.jsonl)
LOCK = "lock"
HASH_CHUNK = 1 << 20  # bytes read at a time when hashing a file
FLUSH_SECONDS = 1.0  # the journal reaches the disk at least this often: a kill loses at most this much record
JOURNAL_BUFFER = 1 << 20  # bytes of journal held between flushes
_json_string = json.encoder.encode_basestring_ascii  # what json.dumps does with each string (ensure_ascii)


@dataclass(frozen=True)
class Entry:
    """One finished input: its state before it was read, the hash of what was cleaned, settings and outputs."""

    size: int
    mtime_ns: int
    digest: str
    settings: str
    outputs: tuple[str, ...]  # paths relative to DST


def content_digest(data: bytes) -> str:
    """The hash recorded for an input's bytes (blake2b, 128 bits: fast, and collisions do not happen by chance)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: str | Path) -> str:
    """:func:`content_digest` of a file's bytes, read in chunks."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def settings_key(settings: dict[str, Any], model: str) -> str:
    """A key of everything that changes outputs: the settings and the model's hash (or ``rules``)."""
    return content_digest(json.dumps([settings, model], sort_keys=True, default=str).encode())


def model_key(path: Path | None) -> str:
    """The hash of the model file that scores the lines, or ``rules`` when none does."""
    return file_digest(path) if path is not None else "rules"


def read_manifest(dst: Path) -> dict[str, Entry]:
    """The entries recorded in ``dst``, later lines winning; a damaged line (a killed run's last) is ignored."""
    entries: dict[str, Entry] = {}
    try:
        with open(dst / STATE_DIR / JOURNAL, encoding="utf-8") as fh:
            for line in fh:
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    record = json.loads(line)
                    if record.get("failed"):
                        entries.pop(record["path"], None)
                    else:
                        entries[record["path"]] = Entry(
                            record["size"],
                            record["mtime_ns"],
                            record["digest"],
                            record["settings"],
                            tuple(record["outputs"]),
                        )
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"{dst / STATE_DIR / JOURNAL}: cannot read the batch manifest ({exc})") from None
    return entries


def _line(rel: str, entry: Entry | None) -> str:
    """The journal line of one input: ``json.dumps`` of its record, formatted directly (this runs twice per file,
    in the batch process, while the workers wait for it); every string goes through json's own escaping.

    ASCII: a file name that is not UTF-8 survives as ``\\udcXX`` escapes.
    """
    path = _json_string(rel)
    if entry is None:
        return f'{{"path": {path}, "failed": true}}\n'
    outputs = ", ".join(map(_json_string, entry.outputs))
    return (
        f'{{"path": {path}, "size": {int(entry.size)}, "mtime_ns": {int(entry.mtime_ns)}, '
        f'"digest": {_json_string(entry.digest)}, "settings": {_json_string(entry.settings)}, '
        f'"outputs": [{outputs}]}}\n'
    )


class Journal:
    """Appends entries to the manifest as files finish; ``None`` forgets an input (it failed: redo it).

    ``entries`` starts as the manifest read at the start of the run (:func:`read_manifest`) and follows every
    record, so that it is what reading the manifest again would give, without reading it.
    """

    def __init__(self, dst: Path, entries: dict[str, Entry]) -> None:
        self.path = dst / STATE_DIR / JOURNAL
        self.entries = dict(entries)
        self.lines: dict[str, str] = {}  # the journal line of each entry recorded here, for rewrite_manifest
        # a buffer of its own: the file is written when flushed, not every 8 kB (a system call per chunk of files)
        self._fh: IO[str] = open(self.path, "a", encoding="utf-8", buffering=JOURNAL_BUFFER)  # noqa: SIM115
        self._flushed = time.monotonic()

    def record(self, items: Iterable[tuple[str, Entry | None]]) -> None:
        """Append; flushed every FLUSH_SECONDS, so a killed run keeps (nearly) all the files it finished."""
        lines = []
        for rel, entry in items:
            line = _line(rel, entry)
            lines.append(line)
            if entry is None:
                self.entries.pop(rel, None)
                self.lines.pop(rel, None)
            else:
                self.entries[rel] = entry
                self.lines[rel] = line
        self._fh.write("".join(lines))
        if time.monotonic() - self._flushed >= FLUSH_SECONDS:
            self._fh.flush()
            self._flushed = time.monotonic()

    def close(self) -> None:
        """Stop appending."""
        self._fh.close()


def rewrite_manifest(dst: Path, entries: dict[str, Entry], lines: dict[str, str] | None = None) -> None:
    """Replace the journal by one line per entry (atomically), so it does not grow run after run; ``lines`` are
    lines already made for (some of) the entries (:attr:`Journal.lines`)."""
    from cleaner.textio import atomic_writer

    lines = lines or {}
    with atomic_writer(dst / STATE_DIR / JOURNAL) as fh:
        fh.write("".join(lines.get(rel) or _line(rel, entry) for rel, entry in sorted(entries.items())))


class BatchLocked(CleanerError):
    """Another ``cleaner batch`` is writing into the same DST."""


@contextlib.contextmanager
def batch_lock(dst: Path) -> Iterator[None]:
    """Hold DST's lock for the run (creating DST and its state folder); refuse when another run holds it."""
    state = dst / STATE_DIR
    try:
        state.mkdir(parents=True, exist_ok=True)
        fd = os.open(state / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{dst}: cannot write into the output folder ({os_reason(exc)})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchLocked(
                f"{dst}: another cleaner batch is writing into this folder; wait for it or choose another DST"
            ) from None
        yield
    finally:
        os.close(fd)
