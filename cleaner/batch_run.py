"""``cleaner batch``, running the work: cleaning one file (a worker's job) and many, in parallel.

Each file is read, cleaned and written atomically by :func:`clean_file`, which turns any problem with
it into the result's ``error``. :func:`run_tasks` spreads files over worker processes (the standard
library's ``ProcessPoolExecutor``, forked where possible) in chunks of about ``CHUNK_BYTES`` (largest
first); a worker that dies fails only the file it was cleaning (named in its marker file), and closing
the generator (Ctrl-C, SIGTERM) ends the workers.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import heapq
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import IO, Any

import click

from cleaner import __version__
from cleaner.api import shared_cleaner
from cleaner.batch_plan import FileResult, Task, explain_path
from cleaner.cli_options import EXIT_INTERRUPTED
from cleaner.decide import Decision, DocumentResult, DocumentSummary
from cleaner.errors import CleanerError, InputError, OutputError, os_reason
from cleaner.jsonl import BATCH_CHARS, BATCH_DOCUMENTS, clean_jsonl_lines
from cleaner.manifest import content_digest, file_digest, settings_key
from cleaner.options import Options
from cleaner.textio import (
    atomic_writer,
    binary_lines,
    decode_document,
    display_name,
    gunzip,
    open_binary,
    read_path,
)

MAX_BAD_LINES_LISTED = 1000  # per dataset: a broken file must not make the report as large as the data
CHUNK_BYTES = 1_000_000  # input per worker task: ~0.07 s of work; fewer, larger tasks wake the batch process
# (and preempt a worker) less often: -j 2 ran ~5% faster than with 256 kB, the tail stays short
CHUNK_FILES = 250  # ...and at most this many files (~0.07 s too, at ~0.3 ms per small file)
CHUNKS_PER_JOB = 4  # small runs get at least this many chunks per worker, else one chunk decides the wall time
CHUNKS_AHEAD_PER_JOB = 2  # while planning goes on, chunks sent but not finished: enough to keep a worker busy
OFFERS_PER_CHECK = 64  # while planning goes on, look at the workers' progress once per this many planned files
WATCH_PARENT_SECONDS = 1.0  # a worker whose batch process died (kill -9) notices within this and exits
END_WORKERS_SECONDS = 10.0  # interrupted: how long to wait for each terminated worker to be gone


@dataclass(frozen=True)
class Settings:
    """What a worker needs to clean one file; sent to every worker, so it is small and picklable."""

    options: Options
    model_path: Path | None = None
    text_field: str = "text"
    on_error: str = "skip"  # JSONL: "skip" bad lines (reported) or "fail" the file at the first one
    explain: bool = False
    html: bool = False  # every input (JSONL: each text field) is HTML, whatever its name

    def key(self, model: str) -> str:
        """The manifest's key of everything that changes outputs, ``model`` being the model file's hash."""
        options = asdict(self.options)
        options["keep_categories"] = sorted(options["keep_categories"])
        facts = {"options": options, "text_field": self.text_field, "on_error": self.on_error, "html": self.html}
        return settings_key({**facts, "version": __version__}, model)  # --explain: the entry's outputs say


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
    with _open_output(Path(explain_path(task.dst))) as out:
        for d in decisions:
            out.write((json.dumps({"file": name, **d.as_record()}, ensure_ascii=False) + "\n").encode("utf-8"))


def clean_document(task: Task, settings: Settings) -> FileResult:
    """Clean a text or HTML file into its UTF-8 output (and sidecar); ``.txt`` holding a page is sniffed as HTML."""
    document = _read_document(task)
    html = True if settings.html or task.kind == "html" else None
    cleaner = shared_cleaner(settings.options, settings.model_path)
    if settings.explain:
        result: DocumentResult | DocumentSummary = cleaner.classify(document.text, html=html)
        _write_explain(task, result.decisions)
    else:
        result = cleaner.summarize(document.text, html=html)
    return _write_document(task, document, result)


@dataclass(frozen=True)
class _Read:
    """A text file read and decoded: its text, the encoding found, invalid sequences replaced, the input's digest."""

    text: str
    encoding: str
    replaced: int
    digest: str


def _read_document(task: Task) -> _Read:
    raw = read_path(task.src, decompress=False)
    digest = content_digest(raw)
    text, encoding, replaced = decode_document(gunzip(raw) if task.src.endswith(".gz") else raw)
    return _Read(text, encoding, replaced, digest)


def _write_document(task: Task, document: _Read, result: DocumentResult | DocumentSummary) -> FileResult:
    """Write the cleaned text of ``task`` and say what was done."""
    data = result.text.encode("utf-8")
    with _open_output(Path(task.dst)) as out:
        out.write(data)
    counts = result.counts()
    replaced = document.replaced
    return FileResult(
        task.rel,
        bytes_in=task.size,
        bytes_out=os.stat(task.dst).st_size if task.dst.endswith(".gz") else len(data),
        encoding=document.encoding,
        documents=1,
        truncated=int(result.truncated),
        kept=counts["kept"],
        dropped=counts["dropped"],
        digest=document.digest,
        warning=f"{replaced} invalid UTF-8 sequence(s) replaced with U+FFFD" if replaced else None,
    )


def clean_documents(tasks: list[Task], settings: Settings) -> list[FileResult]:
    """:func:`clean_file` of several small text files, scored together (``Cleaner.summarize_many``): the same
    outputs and results, without each file paying the fixed cost of scoring. Files are read until their text
    reaches ``BATCH_CHARS`` (a small ``.gz`` may hold far more than its size), then scored and written, so
    memory stays bounded. A file that cannot be read or written gets its error as alone; should scoring
    fail, each file of that batch is cleaned alone."""
    results: dict[int, FileResult] = {}
    read: dict[int, _Read] = {}
    chars = 0
    for k, task in enumerate(tasks):
        try:
            read[k] = _read_document(task)
        except Exception as exc:
            results[k] = _failure(exc, task)
            continue
        chars += len(read[k].text)
        if chars >= BATCH_CHARS:
            results.update(_cleaned_together(tasks, read, settings))
            read, chars = {}, 0
    results.update(_cleaned_together(tasks, read, settings))
    return [results[k] for k in range(len(tasks))]


def _cleaned_together(tasks: list[Task], read: dict[int, _Read], settings: Settings) -> dict[int, FileResult]:
    """The results of the ``read`` files (by their place in ``tasks``), scored together and written."""
    if not read:
        return {}
    cleaner = shared_cleaner(settings.options, settings.model_path)
    try:
        summaries = dict(zip(read, cleaner.summarize_many([d.text for d in read.values()])))
    except Exception:  # one odd file must not fail the others: each is cleaned alone, as before
        return {k: clean_file(tasks[k], settings) for k in read}
    results = {}
    for k, summary in summaries.items():
        try:
            results[k] = _write_document(tasks[k], read[k], summary)
        except Exception as exc:
            results[k] = _failure(exc, tasks[k])
    return results


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
    with open_binary(task.src) as stream, _open_output(Path(task.dst)) as out:
        outcomes = clean_jsonl_lines(cleaner, binary_lines(stream), settings.text_field, settings.html, decisions=False)
        for outcome in outcomes:
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
        bytes_out=os.stat(task.dst).st_size,
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
    except Exception as exc:
        return _failure(exc, task)


def _failure(exc: Exception, task: Task) -> FileResult:
    """The result of a file that failed: what went wrong with it (one odd file must not stop a run over a
    million: it is reported and the run goes on)."""
    if isinstance(exc, (CleanerError, OSError)):
        return FileResult(task.rel, error=_reason(exc, task))
    return FileResult(task.rel, error=f"unexpected {type(exc).__name__}: {exc}")


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def chunk_tasks(tasks: list[Task], jobs: int) -> list[list[Task]]:
    """Group tasks (largest first) into chunks of about CHUNK_BYTES, in order; a big file is a chunk of its own.
    A small run still gets ``CHUNKS_PER_JOB`` chunks per job, by bytes and by files.

    >>> tasks = [Task("", "", str(i), "text", n) for i, n in enumerate([10**6] + [10] * 99)]
    >>> [len(c) for c in chunk_tasks(tasks, jobs=2)]
    [1, 13, 13, 13, 13, 13, 13, 13, 8]
    """
    limit = min(CHUNK_BYTES, sum(t.size for t in tasks) // (jobs * CHUNKS_PER_JOB) + 1)
    files = min(CHUNK_FILES, len(tasks) // (jobs * CHUNKS_PER_JOB) + 1)
    chunks: list[list[Task]] = [[]]
    size = 0
    for task in tasks:
        if size >= limit or len(chunks[-1]) >= files:
            chunks.append([])
            size = 0
        chunks[-1].append(task)
        size += task.size
    return [c for c in chunks if c]


Cleaner = Callable[[Task, Settings], FileResult]  # what cleans one file: clean_file (tests put a crashing one)


def clean_group(group: list[Task], settings: Settings, clean: Cleaner = clean_file) -> list[FileResult]:
    """The results of a group of :func:`together`: several small text files cleaned at once, or one file."""
    return clean_documents(group, settings) if len(group) > 1 else [clean(group[0], settings)]


def clean_chunk(
    chunk: list[Task], settings: Settings, marker_dir: Path | None = None, clean: Cleaner = clean_file
) -> list[FileResult]:
    """Clean the files of one chunk (one worker task); small text files are scored together (:func:`together`).

    With ``marker_dir``, the worker first writes the names of the files it is cleaning to its marker file
    there, so that when it dies (out of memory, a crash) the batch process knows which files it was on.
    """
    fd = os.open(marker_dir / f"worker-{os.getpid()}", os.O_WRONLY | os.O_CREAT, 0o644) if marker_dir else None
    results = []
    try:
        for group in together(chunk, settings, clean):
            if fd is not None:
                names = b"\0".join(os.fsencode(task.rel) for task in group)
                os.pwrite(fd, names, 0)
                os.ftruncate(fd, len(names))
            results += clean_group(group, settings, clean)
        if fd is not None:
            os.ftruncate(fd, 0)
    finally:
        if fd is not None:
            os.close(fd)
    return results


def together(tasks: list[Task], settings: Settings, clean: Cleaner = clean_file) -> Iterator[list[Task]]:
    """The tasks in order, in groups to clean at once: runs of plain-text files (not ``--explain``, not
    ``--html``), up to ``BATCH_DOCUMENTS`` files or ``BATCH_CHARS`` bytes; any other file alone."""

    def joins(task: Task) -> bool:
        return clean is clean_file and task.kind == "text" and not settings.explain and not settings.html

    group: list[Task] = []
    size = 0
    for task in tasks:
        if group and (not joins(task) or len(group) >= BATCH_DOCUMENTS or size + task.size > BATCH_CHARS):
            yield group
            group, size = [], 0
        if not joins(task):
            yield [task]
            continue
        group.append(task)
        size += task.size
    if group:
        yield group


def watch_parent(parent: int) -> None:
    """A worker's initializer: exit when the batch process ``parent`` is gone (``kill -9``), not minutes later.

    The pid comes from the batch process, not from ``os.getppid()`` here: a worker slow to start may run this
    after its parent was killed, when ``getppid()`` already names init, and would then watch the wrong process.
    """

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
            names.update(os.fsdecode(name) for name in marker.read_bytes().split(b"\0") if name)
            marker.unlink()
    return names


StartedChunk = tuple["Future[list[FileResult]]", list[Task]]  # a chunk sent to the workers, and its future


@dataclass
class EarlyChunks:
    """Chunks sent to the workers while planning still walks SRC, so that they need not wait for the whole walk.

    :func:`plan_tree` offers each task as it plans it. Once the tasks not yet sent add up to
    ``CHUNKS_PER_JOB`` full chunks per worker (so :func:`chunk_tasks` would cut full chunks too), the largest of
    them go out in chunks of ``CHUNK_BYTES``, at most ``CHUNKS_AHEAD_PER_JOB`` per worker unfinished. The rest,
    and any giant found late, go largest first when the walk ends (:func:`run_tasks` with ``started``).
    """

    pool: ProcessPoolExecutor | None  # None: one job, in this process after planning; nothing is sent early
    settings: Settings
    jobs: int
    marker_dir: Path | None = None
    started: list[StartedChunk] = field(default_factory=list)
    _waiting: list[tuple[int, str, Task]] = field(default_factory=list)  # a heap, largest first
    _bytes: int = 0
    _offers: int = 0

    def offer(self, task: Task) -> None:
        """Take one planned task; now and then, send chunks of the largest waiting ones to idle workers."""
        if self.pool is None:
            return
        heapq.heappush(self._waiting, (-task.size, task.rel, task))
        self._bytes += task.size
        self._offers += 1
        if self._offers % OFFERS_PER_CHECK == 0:
            self._send()

    def _send(self) -> None:
        busy = sum(not future.done() for future, _ in self.started[-self.jobs * CHUNKS_AHEAD_PER_JOB :])
        while busy < self.jobs * CHUNKS_AHEAD_PER_JOB and self._bytes >= self.jobs * CHUNKS_PER_JOB * CHUNK_BYTES:
            chunk: list[Task] = []
            size = 0
            while size < CHUNK_BYTES and len(chunk) < CHUNK_FILES:
                task = heapq.heappop(self._waiting)[2]
                chunk.append(task)
                size += task.size
            self._bytes -= size
            assert self.pool is not None
            try:
                future = self.pool.submit(clean_chunk, chunk, self.settings, self.marker_dir)
            except BrokenProcessPool:  # a worker died: run_tasks redoes what was sent, and sends the rest itself
                self.pool = None
                return
            self.started.append((future, chunk))
            busy += 1


def run_tasks(
    tasks: list[Task],
    settings: Settings,
    jobs: int,
    marker_dir: Path | None = None,
    clean: Cleaner = clean_file,
    pool: ProcessPoolExecutor | None = None,
    started: Sequence[StartedChunk] = (),
) -> Iterator[list[FileResult]]:
    """Results a chunk at a time, in completion order: in this process for one job, else on worker processes
    (``pool``, from :func:`worker_pool`, or a pool of its own). ``started`` are chunks of ``tasks`` already sent
    to ``pool`` (:class:`EarlyChunks`); the others are sent now, largest first.

    A worker that dies (killed, out of memory, a crash) does not end the run: the files it and the others were
    cleaning are each run again alone in a fresh worker, a file that kills that one too is recorded as failed,
    and the rest goes on in a new pool. A death that no marker ties to a file (a worker killed between files)
    blames none: the rest goes on in a new pool, not one file per process; only when the new pool dies
    without a suspect too is every file left run alone. Closing this generator (Ctrl-C, SIGTERM) ends the
    workers.
    """
    if jobs <= 1 or (len(tasks) <= 1 and not started):
        yield from (clean_group(group, settings, clean) for group in together(tasks, settings, clean))
        return
    pending = tasks
    blameless = 0  # pools in a row that died with no file named by a marker and none finished
    while pending:
        done: set[str] = set()
        with contextlib.ExitStack() as own:
            if pool is None:
                pool = own.enter_context(worker_pool(jobs))
            sent = {t.rel for _, chunk in started for t in chunk}
            chunks = chunk_tasks([t for t in pending if t.rel not in sent], jobs)
            try:
                for results in _run_chunks(pool, chunks, settings, marker_dir, clean, started):
                    done.update(r.rel for r in results)
                    yield results
                return
            except BrokenProcessPool:
                pool, started = None, ()  # broken for good: the rest goes to a new one
        remaining = [t for t in pending if t.rel not in done]
        suspects = {t.rel for t in remaining} & (in_flight(marker_dir) if marker_dir is not None else set())
        if not suspects:
            blameless = 1 if done else blameless + 1  # files finished since the last death: that one is past
            if blameless == 1:
                pending = remaining
                continue
            suspects = {t.rel for t in remaining}
        else:
            blameless = 0
        for task in remaining:
            if task.rel in suspects:
                yield [_run_alone(task, settings, clean)]
        pending = [t for t in remaining if t.rel not in suspects]


def _run_chunks(
    pool: ProcessPoolExecutor,
    chunks: list[list[Task]],
    settings: Settings,
    marker_dir: Path | None,
    clean: Cleaner,
    started: Sequence[StartedChunk] = (),
) -> Iterator[list[FileResult]]:
    """The results of every chunk, those ``started`` before and ``chunks`` cleaned on ``pool``, in completion
    order."""
    futures = [future for future, _ in started]
    futures += [pool.submit(clean_chunk, chunk, settings, marker_dir, clean) for chunk in chunks]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        for future in futures:
            future.cancel()  # closed early (interrupted): what has not started never will


def _context() -> BaseContext:
    """How workers start: forked where the platform can and this process runs no other thread (a worker then
    starts in milliseconds, with this process's modules and loaded model), else spawned (a fresh Python)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _start_worker(parent: int) -> None:
    """A worker's initializer: Ctrl-C is the batch process's to handle (it ends the workers), SIGTERM ends the
    worker at once (not the batch process's handler, inherited by a fork), and the worker exits when its batch
    process is gone (:func:`watch_parent`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watch_parent(parent)


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    """``jobs`` worker processes (:func:`_context`, :func:`_start_worker`), all started now."""
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_start_worker, initargs=(os.getpid(),))
    for _ in range(jobs):
        pool.submit(os.getpid)  # every worker starts now, not at the first chunk
    return pool


@contextlib.contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """``jobs`` worker processes for :func:`run_tasks`, started now, so that they are ready when planning ends
    (none for one job: it runs in this process). Interrupted (Ctrl-C, SIGTERM), the workers are ended at once;
    else they finish what they were given."""
    if jobs <= 1:
        yield None
        return
    with _heap_frozen():
        pool = _new_pool(jobs)
        try:
            yield pool
        except BaseException:
            end_workers(pool)
            raise
        pool.shutdown(wait=True)


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """While it lasts, the garbage collector leaves alone the objects this process holds now (``gc.freeze``), and
    so do workers forked meanwhile, which inherit the setting.

    Forked workers share this process's memory until one of them writes to a page, which then gets copied. A
    full collection writes to every object it visits (modules, rule tables, the model's index), so without this
    each worker, and this process while it plans and tallies, copied most of that memory again: -j 2 made ~15%
    more page faults and ran ~2% slower. Cycles of garbage already here wait until it ends (``gc.unfreeze``);
    objects still in use are freed by reference counting as always. A program that froze objects itself keeps
    its own setting: nothing is frozen or unfrozen then.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool``'s workers now, whatever they are doing, and wait until they are gone (so that no temporary
    file is written after this returns)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public list before Python 3.14
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(END_WORKERS_SECONDS)
    if manager is not None:  # gone before the interpreter's exit, which would wake it through a closed pipe
        manager.join(END_WORKERS_SECONDS)


def _run_alone(task: Task, settings: Settings, clean: Cleaner) -> FileResult:
    """Clean one file in a worker of its own: if the worker dies, this file is what killed it."""
    try:
        with _new_pool(1) as alone:
            return alone.submit(clean, task, settings).result()
    except BrokenProcessPool:
        return FileResult(task.rel, error="the worker process died cleaning it (out of memory, killed or crashed)")


def capped_jobs(jobs: int | None, quiet: bool) -> int:
    """``-j``, at most the cores this process may use (more only costs memory and time), with a warning."""
    cores = default_jobs()
    if jobs is not None and jobs > cores:
        if not quiet:
            click.echo(f"cleaner: -j {jobs} is more than the {cores} cores available; using {cores}", err=True)
        return cores
    return jobs or cores
