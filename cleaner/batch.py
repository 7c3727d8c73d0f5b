"""``cleaner batch SRC DST``: clean a whole tree of files, in parallel, resumably.

The run is one visible pipeline:

    lock DST -> walk SRC -> plan (kind by suffix, skip what the manifest shows done) -> clean each file
    (largest first, in chunks of about CHUNK_BYTES per worker task, the model loaded once per worker)
    -> tally and record in the manifest -> report

Every output is written to a temporary file in its DST folder and renamed into
place (:func:`cleaner.textio.atomic_writer`), so an output that exists is
complete. What is done is recorded in DST's manifest (:mod:`cleaner.manifest`)
as files finish: a killed run started again redoes exactly the missing files,
and a changed input, settings or model redoes what they touch. Temporary files a
killed run leaves behind are deleted at the start of the next run (DST's lock
guarantees they are not another run's). A worker that dies fails only the file it
was cleaning; SIGTERM ends the workers as Ctrl-C does.

joblib and tqdm are imported inside the functions that use them: ``cleaner.cli``
imports this module on every start.

>>> file_kind("news/page.HTM"), file_kind("data.jsonl.gz"), file_kind("notes.md")
('html', 'jsonl', None)
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import re
import signal
import stat
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import IO, Any

import click

from cleaner import __version__
from cleaner.api import shared_cleaner
from cleaner.cli_options import EXIT_FAILED, EXIT_INTERRUPTED, decision_options, jsonl_options, options_from
from cleaner.decide import Decision
from cleaner.errors import CleanerError, InputError, OutputError, os_reason
from cleaner.jsonl import clean_jsonl_lines
from cleaner.manifest import (
    STATE_DIR,
    Entry,
    Journal,
    batch_lock,
    content_digest,
    file_digest,
    model_key,
    read_manifest,
    rewrite_manifest,
    settings_key,
)
from cleaner.model import default_model_path
from cleaner.options import Options
from cleaner.textio import (
    atomic_writer,
    binary_lines,
    decode_document,
    display_name,
    gunzip,
    open_binary,
    output_file,
    read_path,
)

KINDS_BY_SUFFIX = {  # lower-cased name endings; a trailing .gz is decompressed on input and compressed on output
    ".txt": "text",
    ".txt.gz": "text",
    ".html": "html",
    ".htm": "html",
    ".html.gz": "html",
    ".htm.gz": "html",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
}
EXPLAIN_SUFFIX = ".explain.jsonl"  # sidecar of an output: its name plus this
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # what atomic_writer's mkstemp names a temp file: never an output
MAX_BAD_LINES_LISTED = 1000  # per dataset: a broken file must not make the report as large as the data
MAX_FAILURES_ECHOED = 20  # stderr lists this many failures at the end; the report lists them all
BAR_FORMAT = (  # tqdm's default with the "B" that makes "12.3M" read as megabytes
    "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}B/{total_fmt}B [{elapsed}<{remaining}, {rate_fmt}{postfix}]"
)
CHUNK_BYTES = 256_000  # input per worker task: ~0.1 s of work, so the ~1 ms cost of a task is small, the tail short
CHUNK_FILES = 200  # ...and at most this many files, so that many tiny files still spread over the workers
CHUNKS_PER_JOB = 4  # small runs get at least this many chunks per worker, else one chunk decides the wall time
SKIP_UNSUPPORTED = "unsupported"  # not .txt, .html/.htm or .jsonl (optionally .gz)
SKIP_UP_TO_DATE = "up_to_date"  # output (and sidecar) at least as new as the input
SKIP_NOT_REGULAR = "not_regular"  # FIFOs, sockets, devices: reading them could block forever
SKIP_DIR_SYMLINK = "dir_symlink"  # directory symlinks are not followed: no loops, no escaping SRC
MAX_WARNINGS_LISTED = 1000  # decoding warnings (bad bytes replaced) listed in the report, like bad lines
WATCH_PARENT_SECONDS = 1.0  # a worker whose batch process died (kill -9) notices within this and exits


def file_kind(name: str) -> str | None:
    """``"text"``, ``"html"`` or ``"jsonl"`` by the name's suffix, or None for a file to skip."""
    lower = name.lower()
    return next((kind for suffix, kind in KINDS_BY_SUFFIX.items() if lower.endswith(suffix)), None)


def explain_path(output: Path) -> Path:
    """Where the ``--explain`` sidecar of ``output`` goes.

    >>> explain_path(Path("out/a.txt")).as_posix()
    'out/a.txt.explain.jsonl'
    """
    return output.with_name(output.name + EXPLAIN_SUFFIX)


@dataclass(frozen=True)
class Settings:
    """What a worker needs to clean one file; sent to every worker, so it is small and picklable."""

    options: Options
    model_path: Path | None = None
    text_field: str = "text"
    on_error: str = "skip"  # JSONL: "skip" bad lines (reported) or "fail" the file at the first one
    explain: bool = False

    def key(self, model: str) -> str:
        """The manifest's key of everything that changes outputs, ``model`` being the model file's hash."""
        options = asdict(self.options)
        options["keep_categories"] = sorted(options["keep_categories"])
        facts = {"options": options, "text_field": self.text_field, "on_error": self.on_error}
        return settings_key({**facts, "version": __version__}, model)  # --explain: the entry's outputs say


@dataclass(frozen=True)
class Task:
    """One file to clean."""

    src: Path
    dst: Path
    rel: str  # path relative to SRC, with "/": the name in reports and sidecars
    kind: str
    size: int  # bytes on disk: for largest-first dispatch and the progress bar
    mtime_ns: int = 0  # when planned, before it is read: an edit while it is cleaned makes the next run redo it


@dataclass(frozen=True)
class FileResult:
    """What cleaning one file gave: counts on success, ``error`` (the reason) on failure."""

    rel: str
    error: str | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    encoding: str | None = None
    documents: int = 0
    truncated: int = 0
    kept: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    bad_lines: tuple[dict[str, Any], ...] = ()  # JSONL lines skipped: {"path", "line", "error"}, capped
    bad_line_count: int = 0
    digest: str | None = None  # hash of the input bytes that were cleaned (the manifest's)
    warning: str | None = None  # e.g. invalid UTF-8 bytes replaced


@dataclass
class Plan:
    """The files to clean (largest first), and what was skipped or failed before cleaning started."""

    tasks: list[Task] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    failures: list[FileResult] = field(default_factory=list)
    unchanged: dict[str, Entry] = field(default_factory=dict)  # touched but same content: entries to refresh


def task_outputs(out: Path, kind: str, explain: bool) -> tuple[Path, ...]:
    """The files cleaning one input writes: its output, and its ``--explain`` sidecar unless it is a dataset."""
    return (out, explain_path(out)) if explain and kind != "jsonl" else (out,)


# ------------------------------------------------------------------------------------ planning


def check_paths(src: Path, dst: Path, report: Path | None) -> None:
    """Refuse, as a usage error, runs that could write into SRC or read their own outputs."""
    s, d = src.resolve(), dst.resolve()
    if d.is_relative_to(s):
        raise click.UsageError(f"DST {dst} is inside SRC {src}: batch never writes into SRC")
    if s.is_relative_to(d):
        raise click.UsageError(f"SRC {src} is inside DST {dst}: outputs would become inputs")
    if report is not None and report.resolve().is_relative_to(s):
        raise click.UsageError(f"--report {report} is inside SRC {src}: batch never writes into SRC")


def _selected(rel: str, globs: tuple[str, ...]) -> bool:
    """Whether ``--glob`` chooses the file: any pattern matches its name or its path relative to SRC."""
    name = rel.rsplit("/", 1)[-1]
    return not globs or any(fnmatch(name, g) or fnmatch(rel, g) for g in globs)


def is_up_to_date(src_stat: os.stat_result, outputs: Iterable[Path]) -> bool:
    """True when every output is a regular file at least as new as the input (a rename made it: it is complete)."""
    try:
        stats = [p.stat() for p in outputs]
    except OSError:
        return False
    return all(stat.S_ISREG(s.st_mode) and s.st_mtime_ns >= src_stat.st_mtime_ns for s in stats)


def walk_tree(src: Path, plan: Plan) -> Iterator[tuple[Path, str]]:
    """``(path, relative name)`` of every file under ``src`` in sorted order, never entering directory symlinks.

    Iterative (an explicit stack), so a tree thousands of levels deep is walked like any other.
    """
    stack = [(str(src), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            plan.failures.append(
                FileResult(prefix.rstrip("/") or ".", error=f"cannot list directory: {os_reason(exc)}")
            )
            continue
        subdirs = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.is_symlink() and _is_dir(entry):
                plan.skipped[SKIP_DIR_SYMLINK] += 1
            else:
                yield Path(entry.path), prefix + entry.name
        stack.extend(reversed(subdirs))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _claim(claims: dict[Path, str], outputs: Iterable[Path], rel: str) -> str | None:
    """Claim ``outputs`` for ``rel``; the name of whatever claimed one of them first, if any."""
    for path in outputs:
        if path in claims:
            return claims[path]
        if STATE_DIR in path.parts:
            return f"cleaner's state folder {STATE_DIR}"
    claims.update(dict.fromkeys(outputs, rel))
    return None


def _is_done(
    path: Path, st: os.stat_result, entry: Entry | None, key: str, outputs: tuple[Path, ...]
) -> tuple[bool, bool]:
    """Whether the manifest's ``entry`` shows ``path`` done with settings ``key`` and ``outputs`` written; and
    whether only its time changed."""
    if entry is None or entry.settings != key or entry.size != st.st_size or len(outputs) > len(entry.outputs):
        return False, False
    if not all(os.path.isfile(out) for out in outputs):
        return False, False
    if entry.mtime_ns == st.st_mtime_ns:
        return True, False
    try:
        same = file_digest(path) == entry.digest  # touched, copied with an older time: the bytes decide
    except OSError:
        return False, False
    return same, same


def plan_tree(
    src: Path,
    dst: Path,
    globs: tuple[str, ...],
    force: bool,
    explain: bool,
    manifest: dict[str, Entry] | None = None,
    key: str = "",
    reserved: dict[Path, str] | None = None,
) -> Plan:
    """Walk SRC and decide, file by file, to clean it, skip it (counted by reason) or fail it.

    With a ``manifest`` (``cleaner batch``), a file is up to date when its entry matches (see
    :mod:`cleaner.manifest`); without one (the Dask path), when its outputs are newer than it. A file whose
    output would overwrite another's (or a ``reserved`` path such as ``--report``) fails with the reason.
    """
    plan = Plan()
    claims: dict[Path, str] = dict(reserved or {})
    for path, rel in walk_tree(src, plan):
        if not _selected(rel, globs):
            continue
        kind = file_kind(path.name)
        if kind is None:
            plan.skipped[SKIP_UNSUPPORTED] += 1
            continue
        try:
            st = path.stat()
        except OSError as exc:
            plan.failures.append(FileResult(rel, error=f"cannot read: {os_reason(exc)}"))
            continue
        if not stat.S_ISREG(st.st_mode):
            plan.skipped[SKIP_NOT_REGULAR] += 1
            continue
        out = dst / rel
        outputs = task_outputs(out, kind, explain)
        clash = _claim(claims, outputs, rel)
        if clash is not None:
            plan.failures.append(FileResult(rel, error=f"its output name clashes with {clash}: not written"))
            continue
        if not force:
            if manifest is None:
                done, touched = is_up_to_date(st, outputs), False
            else:
                done, touched = _is_done(path, st, manifest.get(rel), key, outputs)
            if touched and manifest is not None:
                plan.unchanged[rel] = replace(manifest[rel], mtime_ns=st.st_mtime_ns)
            if done:
                plan.skipped[SKIP_UP_TO_DATE] += 1
                continue
        plan.tasks.append(Task(path, out, rel, kind, st.st_size, st.st_mtime_ns))
    plan.tasks.sort(key=lambda t: (-t.size, t.rel))  # largest first: no worker is left alone with a giant at the end
    return plan


def remove_stale_temps(dst: Path) -> int:
    """Delete the temporary files a killed run left under ``dst``; returns how many.

    Two batch runs must not write into the same DST at the same time (``cleaner batch`` holds DST's lock):
    each would delete the other's. Iterative, like :func:`walk_tree`: any depth.
    """
    removed = 0
    stack = [str(dst)]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif TEMP_NAME.match(entry.name):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


# ------------------------------------------------------------------------------------ one file (a worker's job)


@contextlib.contextmanager
def _open_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream to ``path``, renamed into place only on success; gzip when the name ends in ``.gz``.

    Outputs are always inside DST, so the rename is right whatever is at ``path`` (a symlink is replaced, never
    followed out of DST). A failure to write is an :class:`OutputError` that says so.
    """
    try:
        with atomic_writer(path, binary=True) as fh:
            if path.name.endswith(".gz"):
                with gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz:  # mtime=0: same bytes every run
                    yield gz  # type: ignore[misc]
            else:
                yield fh
    except OSError as exc:
        raise OutputError(f"cannot write the output: {os_reason(exc)}") from None


def _write_explain(task: Task, decisions: Iterable[Decision]) -> None:
    """The sidecar: one ``cleaner clean --explain`` record per non-blank line."""
    name = display_name(task.rel)
    with _open_output(explain_path(task.dst)) as out:
        for d in decisions:
            out.write((json.dumps({"file": name, **d.as_record()}, ensure_ascii=False) + "\n").encode("utf-8"))


def clean_document(task: Task, settings: Settings) -> FileResult:
    """Clean a text or HTML file into its UTF-8 output (and sidecar); ``.txt`` holding a page is sniffed as HTML."""
    raw = read_path(str(task.src), decompress=False)
    digest = content_digest(raw)
    text, encoding, replaced = decode_document(gunzip(raw) if task.src.name.endswith(".gz") else raw)
    html = True if task.kind == "html" else None
    result = shared_cleaner(settings.options, settings.model_path).classify(text, html=html)
    if settings.explain:
        _write_explain(task, result.decisions)
    with _open_output(task.dst) as out:
        out.write(result.text.encode("utf-8"))
    counts = result.counts()
    return FileResult(
        task.rel,
        bytes_in=task.size,
        bytes_out=task.dst.stat().st_size,
        encoding=encoding,
        documents=1,
        truncated=int(result.truncated),
        kept=counts["kept"],
        dropped=counts["dropped"],
        digest=digest,
        warning=f"{replaced} invalid UTF-8 sequence(s) replaced with U+FFFD" if replaced else None,
    )


def clean_dataset(task: Task, settings: Settings) -> FileResult:
    """Clean a JSONL dataset document by document, streaming; bad lines are skipped or fail the file.

    A read error part-way (a truncated ``.gz``) keeps the documents before it and fails the file.
    """
    cleaner = shared_cleaner(settings.options, settings.model_path)
    digest = file_digest(task.src)
    kept: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    bad: list[dict[str, Any]] = []
    documents = truncated = bad_count = 0
    stopped: str | None = None
    with open_binary(task.src) as stream, _open_output(task.dst) as out:
        for outcome in clean_jsonl_lines(cleaner, binary_lines(stream), settings.text_field):
            if outcome.error is not None:
                if outcome.fatal and documents + bad_count == 0:
                    raise InputError(outcome.error)  # nothing read: no output at all
                if outcome.fatal:
                    stopped = outcome.error
                    break
                if settings.on_error == "fail":
                    raise InputError(outcome.error)
                bad_count += 1
                if len(bad) < MAX_BAD_LINES_LISTED:
                    bad.append({"path": display_name(task.rel), "line": outcome.lineno, "error": outcome.error})
                continue
            assert outcome.line is not None and outcome.counts is not None
            out.write(outcome.line.encode("utf-8"))
            documents += 1
            truncated += outcome.truncated
            kept.update(outcome.counts["kept"])
            dropped.update(outcome.counts["dropped"])
    if stopped is not None:
        return FileResult(task.rel, error=f"{stopped} ({documents} documents before it were written)")
    return FileResult(
        task.rel,
        bytes_in=task.size,
        bytes_out=task.dst.stat().st_size,
        encoding="utf-8",
        documents=documents,
        truncated=truncated,
        kept=dict(kept),
        dropped=dict(dropped),
        bad_lines=tuple(bad),
        bad_line_count=bad_count,
        digest=digest,
    )


def _reason(exc: BaseException, task: Task) -> str:
    """The error message without the input's absolute path (the report names the file already)."""
    message = os_reason(exc) if isinstance(exc, OSError) else str(exc)
    return message.removeprefix(f"{task.src}: ")


def clean_file(task: Task, settings: Settings) -> FileResult:
    """Clean one file; any problem with it becomes the result's ``error`` so that the run goes on."""
    try:
        return clean_dataset(task, settings) if task.kind == "jsonl" else clean_document(task, settings)
    except (CleanerError, OSError) as exc:
        return FileResult(task.rel, error=_reason(exc, task))
    except Exception as exc:  # one odd file must not stop a run over a million: report it and go on
        return FileResult(task.rel, error=f"unexpected {type(exc).__name__}: {exc}")


# ------------------------------------------------------------------------------------ running and reporting


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def chunk_tasks(tasks: list[Task], jobs: int) -> list[list[Task]]:
    """Group tasks (largest first) into chunks of about CHUNK_BYTES, in order; a big file is a chunk of its own.

    >>> sizes = [len(c) for c in chunk_tasks([Task(Path(), Path(), "a", "text", n) for n in (10**6, 10, 10, 10)], 1)]
    >>> sizes
    [1, 3]
    """
    limit = min(CHUNK_BYTES, sum(t.size for t in tasks) // (jobs * CHUNKS_PER_JOB) + 1)
    chunks: list[list[Task]] = [[]]
    size = 0
    for task in tasks:
        if size >= limit or len(chunks[-1]) >= CHUNK_FILES:
            chunks.append([])
            size = 0
        chunks[-1].append(task)
        size += task.size
    return [c for c in chunks if c]


Cleaner = Callable[[Task, Settings], FileResult]  # what cleans one file: clean_file (tests put a crashing one)


def clean_chunk(
    chunk: list[Task], settings: Settings, marker_dir: Path | None = None, clean: Cleaner = clean_file
) -> list[FileResult]:
    """Clean the files of one chunk (one worker task).

    With ``marker_dir``, the worker first writes the name of the file it is cleaning to its marker file there,
    so that when it dies (out of memory, a crash) the batch process knows which file killed it.
    """
    if marker_dir is None:
        return [clean(t, settings) for t in chunk]
    _watch_parent()
    results = []
    fd = os.open(marker_dir / f"worker-{os.getpid()}", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for task in chunk:
            name = os.fsencode(task.rel)
            os.pwrite(fd, name, 0)
            os.ftruncate(fd, len(name))
            results.append(clean(task, settings))
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)
    return results


@functools.cache
def _watch_parent() -> None:
    """In a worker, once: exit when the batch process is gone (``kill -9``), instead of living on for minutes."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_PARENT_SECONDS)
        os._exit(EXIT_INTERRUPTED)

    threading.Thread(target=watch, name="cleaner-watch-parent", daemon=True).start()


def in_flight(marker_dir: Path) -> set[str]:
    """The files the workers were cleaning, by their marker files; the markers are removed."""
    names = set()
    for marker in marker_dir.glob("worker-*"):
        with contextlib.suppress(OSError):
            name = marker.read_bytes()
            if name:
                names.add(os.fsdecode(name))
            marker.unlink()
    return names


def run_tasks(
    tasks: list[Task], settings: Settings, jobs: int, marker_dir: Path | None = None, clean: Cleaner = clean_file
) -> Iterator[list[FileResult]]:
    """Results a chunk at a time, in completion order: in this process for one job, else on loky workers.

    A worker that dies (killed, out of memory, a crash) does not end the run: the files it and the others were
    cleaning are each run again alone in a fresh worker, a file that kills that one too is recorded as failed,
    and the rest goes on in a new pool. Closing this generator (Ctrl-C, SIGTERM) ends the workers.
    """
    if jobs <= 1 or len(tasks) <= 1:
        yield from ([clean(t, settings)] for t in tasks)
        return
    pending = tasks
    while pending:
        done: set[str] = set()
        try:
            for results in _run_pool(pending, settings, jobs, marker_dir, clean):
                done.update(r.rel for r in results)
                yield results
            return
        except BrokenProcessPool:
            remaining = [t for t in pending if t.rel not in done]
            suspects = in_flight(marker_dir) if marker_dir is not None else set()
            suspects = {t.rel for t in remaining} & suspects or {t.rel for t in remaining}
            for task in remaining:
                if task.rel in suspects:
                    yield [_run_alone(task, settings, clean)]
            pending = [t for t in remaining if t.rel not in suspects]


def _run_pool(
    tasks: list[Task], settings: Settings, jobs: int, marker_dir: Path | None, clean: Cleaner
) -> Iterator[list[FileResult]]:
    from joblib import Parallel, delayed

    chunks = chunk_tasks(tasks, jobs)
    parallel = Parallel(n_jobs=min(jobs, len(chunks)), backend="loky", batch_size=1, return_as="generator_unordered")
    yield from parallel(delayed(clean_chunk)(c, settings, marker_dir, clean) for c in chunks)


def _run_alone(task: Task, settings: Settings, clean: Cleaner) -> FileResult:
    """Clean one file in a worker of its own: if the worker dies, this file is what killed it."""
    from joblib import Parallel, delayed

    try:  # n_jobs=2 for a single task: joblib runs n_jobs=1 in this process, and a crash would end the run
        return Parallel(n_jobs=2, backend="loky")([delayed(clean)(task, settings)])[0]
    except BrokenProcessPool:
        return FileResult(task.rel, error="the worker process died cleaning it (out of memory, killed or crashed)")


@contextlib.contextmanager
def progress_bar(tasks: list[Task], enabled: bool) -> Iterator[Callable[[list[FileResult]], None]]:
    """A tqdm bar over bytes (MB, MB/s, ETA) with files and files/s; yields the update for finished files."""
    if not enabled:
        yield lambda results: None
        return
    from tqdm import tqdm

    sizes = {t.rel: t.size for t in tasks}
    done = 0
    with tqdm(
        total=max(sum(sizes.values()), 1),
        unit="B",
        unit_scale=True,
        file=sys.stderr,
        desc="cleaner",
        dynamic_ncols=True,
        bar_format=BAR_FORMAT,
    ) as bar:

        def update(results: list[FileResult]) -> None:
            nonlocal done
            done += len(results)
            rate = done / max(bar.format_dict["elapsed"], 1e-9)
            bar.set_postfix_str(f"{done}/{len(tasks)} files, {rate:.1f} files/s", refresh=False)
            bar.update(sum(sizes.get(r.rel, 0) for r in results))

        yield update


@dataclass
class Tally:
    """The run's running totals (the body of ``--report``)."""

    ok: int = 0
    failures: list[FileResult] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    bytes_in: int = 0
    bytes_out: int = 0
    documents: int = 0
    truncated: int = 0
    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    encodings: Counter[str] = field(default_factory=Counter)
    bad_lines: list[dict[str, Any]] = field(default_factory=list)
    bad_line_count: int = 0
    warnings: list[FileResult] = field(default_factory=list)

    def add(self, r: FileResult) -> None:
        """Count one file's result."""
        if r.error is not None:
            self.failures.append(r)
            return
        self.ok += 1
        self.bytes_in += r.bytes_in
        self.bytes_out += r.bytes_out
        self.documents += r.documents
        self.truncated += r.truncated
        self.kept.update(r.kept)
        self.dropped.update(r.dropped)
        self.encodings[r.encoding or "unknown"] += 1
        self.bad_lines.extend(r.bad_lines)
        self.bad_line_count += r.bad_line_count
        if r.warning is not None:
            self.warnings.append(r)

    def report(self, **extra: Any) -> dict[str, Any]:
        """The JSON summary, sorted so that equal runs give equal reports (but for ``extra``)."""
        return {
            "files": {"ok": self.ok, "failed": len(self.failures), "skipped": sum(self.skipped.values())},
            "skipped": dict(sorted(self.skipped.items())),
            "failures": [
                {"path": display_name(f.rel), "error": f.error} for f in sorted(self.failures, key=lambda f: f.rel)
            ],
            "warnings": [
                {"path": display_name(w.rel), "warning": w.warning}
                for w in sorted(self.warnings, key=lambda w: w.rel)[:MAX_WARNINGS_LISTED]
            ],
            "jsonl_bad_lines": {
                "count": self.bad_line_count,
                "listed": sorted(self.bad_lines, key=lambda b: (b["path"], b["line"])),
            },
            "bytes": {"in": self.bytes_in, "out": self.bytes_out},
            "documents": self.documents,
            "truncated": self.truncated,
            "lines": {"kept": dict(sorted(self.kept.items())), "dropped": dict(sorted(self.dropped.items()))},
            "encodings": dict(sorted(self.encodings.items())),
            **extra,
        }

    def summary(self, elapsed: float) -> str:
        """The one-line human summary."""
        skipped = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(self.skipped.items()))
        return (
            f"cleaner: {self.ok} ok, {len(self.failures)} failed, {sum(self.skipped.values())} skipped"
            f"{f' ({skipped})' if skipped else ''} in {elapsed:.1f} s "
            f"({self.ok / max(elapsed, 1e-9):.1f} files/s, {self.bytes_in / 1e6 / max(elapsed, 1e-9):.2f} MB/s); "
            f"lines: {sum(self.kept.values())} kept, {sum(self.dropped.values())} dropped"
            f"{f'; {self.bad_line_count} bad JSONL lines skipped' if self.bad_line_count else ''}"
        )


def _echo_failures(tally: Tally) -> None:
    """List the first failures on stderr; the report has all of them."""
    failures = sorted(tally.failures, key=lambda f: f.rel)
    for f in failures[:MAX_FAILURES_ECHOED]:
        click.echo(f"cleaner: {display_name(f.rel)}: {f.error}", err=True)
    if len(failures) > MAX_FAILURES_ECHOED:
        click.echo(f"cleaner: ... and {len(failures) - MAX_FAILURES_ECHOED} more failures (see --report)", err=True)


def _write_report(path: Path, report: dict[str, Any]) -> None:
    with output_file(path, binary=False, compress=False) as fh:
        fh.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _manifest_items(
    results: list[FileResult], tasks: dict[str, Task], key: str, explain: bool
) -> Iterator[tuple[str, Entry | None]]:
    """The manifest lines of finished files: an entry for each success, a removal for each failure."""
    for r in results:
        task = tasks.get(r.rel)
        if task is None:
            continue
        if r.error is not None or r.digest is None:
            yield r.rel, None
            continue
        outputs = (r.rel, r.rel + EXPLAIN_SUFFIX) if explain and task.kind != "jsonl" else (r.rel,)
        yield r.rel, Entry(task.size, task.mtime_ns, r.digest, key, outputs)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the workers end, temporary files go, the run can resume."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While the run lasts (in the main thread), SIGTERM interrupts it like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_batch(
    src: Path,
    dst: Path,
    settings: Settings,
    globs: tuple[str, ...],
    force: bool,
    jobs: int,
    show_progress: bool,
    model: str = "rules",
    report: Path | None = None,
) -> tuple[Tally, dict[str, Any]]:
    """Plan, clean and tally one run, holding DST's lock; returns the tally and the report's run facts."""
    started = time.perf_counter()
    with batch_lock(dst):
        stale = remove_stale_temps(dst)
        key = settings.key(model)
        manifest = read_manifest(dst)
        reserved = _reserved_outputs(dst, report)
        plan = plan_tree(src, dst, globs, force, settings.explain, manifest, key, reserved)
        tally = Tally(skipped=plan.skipped)
        for failure in plan.failures:
            tally.add(failure)
        markers = dst / STATE_DIR / "workers"
        markers.mkdir(exist_ok=True)
        in_flight(markers)  # a killed run's markers name nothing of this run
        tasks = {t.rel: t for t in plan.tasks}
        journal = Journal(dst)
        try:
            journal.record(plan.unchanged.items())
            with (
                progress_bar(plan.tasks, show_progress) as advance,
                contextlib.closing(run_tasks(plan.tasks, settings, jobs, markers)) as stream,
            ):
                for results in stream:
                    for result in results:
                        tally.add(result)
                    journal.record(_manifest_items(results, tasks, key, settings.explain))
                    advance(results)
        except BaseException:
            remove_stale_temps(dst)  # what killed workers left
            raise
        finally:
            journal.close()
        manifest = read_manifest(dst)
        rewrite_manifest(dst, manifest)
        in_flight(markers)
    facts = {
        "src": display_name(str(src)),
        "dst": display_name(str(dst)),
        "jobs": jobs,
        "stale_temps_removed": stale,
        "elapsed_seconds": round(time.perf_counter() - started, 3),
    }
    return tally, facts


def _reserved_outputs(dst: Path, report: Path | None) -> dict[Path, str]:
    """Output paths no input may take: ``--report`` when it lies inside DST."""
    if report is None:
        return {}
    resolved, root = report.resolve(), dst.resolve()
    return {dst / resolved.relative_to(root): "--report"} if resolved.is_relative_to(root) else {}


def capped_jobs(jobs: int | None, quiet: bool) -> int:
    """``-j``, at most the cores this process may use (more only costs memory and time), with a warning."""
    cores = default_jobs()
    if jobs is not None and jobs > cores:
        if not quiet:
            click.echo(f"cleaner: -j {jobs} is more than the {cores} cores available; using {cores}", err=True)
        return cores
    return jobs or cores


@click.command("batch")
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("dst", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--glob",
    "globs",
    multiple=True,
    metavar="PATTERN",
    help="Only files whose name or path under SRC matches (repeatable), e.g. '*.html'.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: all cores]; 1 runs in this process.",
)
@click.option("--force", is_flag=True, help="Redo outputs that are already up to date.")
@click.option(
    "--explain", is_flag=True, help="Also write OUTPUT.explain.jsonl: each line's decision (not for JSONL inputs)."
)
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write a JSON summary here.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, warnings or summary line (failures still show).")
@jsonl_options
@decision_options
def batch_command(
    src: Path,
    dst: Path,
    globs: tuple[str, ...],
    jobs: int | None,
    force: bool,
    explain: bool,
    report: Path | None,
    quiet: bool,
    text_field: str,
    on_error: str,
    threshold: float,
    keep_category: tuple[str, ...],
    model: Path | None,
    no_model: bool,
) -> None:
    """Clean every file under SRC into the same relative path under DST.

    \b
    .txt is cleaned as text, .html/.htm through HTML extraction, .jsonl as a
    dataset (each document's text field); a .gz ending is decompressed and the
    output compressed. Other files are skipped and counted. Outputs are UTF-8,
    written atomically; a second run skips inputs already done with the same
    settings and model (DST/.cleaner-batch keeps the record), so an interrupted
    run resumes. Exit code: 0 all ok, 1 some files failed (listed in --report),
    2 usage error, 130 interrupted (Ctrl-C, SIGTERM).

    \b
    Examples:
      cleaner batch crawl/ clean/ --report clean/report.json
      cleaner batch crawl/ clean/ --glob '*.html' -j 8 --explain
    """
    check_paths(src, dst, report)
    options = options_from(threshold, keep_category, no_model)
    cleaner = shared_cleaner(options, model)  # loads (and checks) the model once, before any work
    if cleaner.warning and not quiet:
        click.echo(cleaner.warning, err=True)
    settings = Settings(options, model, text_field, on_error, explain)
    jobs = capped_jobs(jobs, quiet)
    model_hash = model_key(model or default_model_path()) if cleaner.source == "model" else "rules"
    try:
        with _sigterm_interrupts():
            tally, facts = run_batch(
                src, dst, settings, globs, force, jobs, not quiet and sys.stderr.isatty(), model_hash, report
            )
    except KeyboardInterrupt:
        click.echo("cleaner: interrupted; run the same command again to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    _echo_failures(tally)
    if report is not None:
        _write_report(report, tally.report(source=cleaner.source, **facts))
    if not quiet:
        click.echo(tally.summary(facts["elapsed_seconds"]), err=True)
    if tally.failures:
        sys.exit(EXIT_FAILED)
