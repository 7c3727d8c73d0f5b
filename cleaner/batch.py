"""``cleaner batch SRC DST``: clean a whole tree of files, in parallel, resumably.

The run is one visible pipeline:

    walk SRC -> plan (kind by suffix, skip up-to-date outputs) -> clean each file (largest first, in
    chunks of about CHUNK_BYTES per worker task, the model loaded once per worker) -> tally -> report

Every output is written to a temporary file in its DST folder and renamed into
place (:func:`cleaner.textio.atomic_writer`), so an output that exists is
complete, and "exists and is at least as new as its input" means "done": a
killed run started again redoes exactly the missing files. Temporary files a
killed run leaves behind are deleted at the start of the next run.

joblib and tqdm are imported inside the functions that use them: ``cleaner.cli``
imports this module on every start.

>>> file_kind("news/page.HTM"), file_kind("data.jsonl.gz"), file_kind("notes.md")
('html', 'jsonl', None)
>>> output_rel("news/page.HTM", "html"), output_rel("news/page.html.gz", "html"), output_rel("a.txt", "text")
('news/page.txt', 'news/page.txt.gz', 'a.txt')
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import IO, Any

import click

from cleaner.api import shared_cleaner
from cleaner.cli_options import (
    CONTEXT_SETTINGS,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    debug_option,
    decision_options,
    html_option,
    jsonl_options,
    max_line_chars_option,
    options_from,
)
from cleaner.decide import Decision
from cleaner.errors import CleanerError, InputError
from cleaner.jsonl import clean_jsonl_lines
from cleaner.options import Options
from cleaner.textio import atomic_writer, decode_bytes, open_text, read_path, utf8_lines

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


def file_kind(name: str) -> str | None:
    """``"text"``, ``"html"`` or ``"jsonl"`` by the name's suffix, or None for a file to skip."""
    lower = name.lower()
    return next((kind for suffix, kind in KINDS_BY_SUFFIX.items() if lower.endswith(suffix)), None)


def output_rel(rel: str, kind: str) -> str:
    """The output's path under DST for the input at ``rel`` under SRC: the same, but ``.txt`` for HTML (its text)."""
    if kind != "html":
        return rel
    gz = rel[-3:] if rel.lower().endswith(".gz") else ""
    return rel[: len(rel) - len(gz)].rsplit(".", 1)[0] + ".txt" + gz


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
    html: bool = False  # every input (JSONL: each text field) is HTML, whatever its name


@dataclass(frozen=True)
class Task:
    """One file to clean."""

    src: Path
    dst: Path
    rel: str  # path relative to SRC, with "/": the name in reports and sidecars
    kind: str
    size: int  # bytes on disk: for largest-first dispatch and the progress bar


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


@dataclass
class Plan:
    """The files to clean (largest first), and what was skipped or failed before cleaning started."""

    tasks: list[Task] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    failures: list[FileResult] = field(default_factory=list)


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
    """``(path, relative name)`` of every file under ``src`` in sorted order, never entering directory symlinks."""

    def unlistable(exc: OSError) -> None:
        rel = Path(exc.filename).relative_to(src).as_posix() if exc.filename else "."
        plan.failures.append(FileResult(rel, error=f"cannot list directory: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(src, onerror=unlistable, followlinks=False):
        dirnames.sort()
        links = sum(os.path.islink(os.path.join(dirpath, d)) for d in dirnames)
        if links:
            plan.skipped[SKIP_DIR_SYMLINK] += links
        for name in sorted(filenames):
            path = Path(dirpath, name)
            yield path, path.relative_to(src).as_posix()


def plan_tree(src: Path, dst: Path, globs: tuple[str, ...], force: bool, explain: bool) -> Plan:
    """Walk SRC and decide, file by file, to clean it, skip it (counted by reason) or fail it (cannot stat)."""
    plan = Plan()
    html_outputs: dict[str, str] = {}  # output -> the HTML input writing it: two inputs must not share an output
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
            plan.failures.append(FileResult(rel, error=f"cannot read: {exc.strerror or exc}"))
            continue
        if not stat.S_ISREG(st.st_mode):
            plan.skipped[SKIP_NOT_REGULAR] += 1
            continue
        out_rel = output_rel(rel, kind)
        if out_rel != rel:
            taken_by = html_outputs.setdefault(out_rel, rel)
            if taken_by != rel or (src / out_rel).is_file():
                other = out_rel if taken_by == rel else taken_by
                plan.failures.append(FileResult(rel, error=f"its output {out_rel} is also the output of {other}"))
                continue
        out = dst / out_rel
        outputs = [out, explain_path(out)] if explain and kind != "jsonl" else [out]
        if not force and is_up_to_date(st, outputs):
            plan.skipped[SKIP_UP_TO_DATE] += 1
            continue
        plan.tasks.append(Task(path, out, rel, kind, st.st_size))
    plan.tasks.sort(key=lambda t: (-t.size, t.rel))  # largest first: no worker is left alone with a giant at the end
    return plan


def remove_stale_temps(dst: Path) -> int:
    """Delete the temporary files a killed run left under ``dst``; returns how many.

    Two batch runs must not write into the same DST at the same time: each would delete the other's.
    """
    removed = 0
    for dirpath, _, filenames in os.walk(dst, followlinks=False):
        for name in filenames:
            if TEMP_NAME.match(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(dirpath, name))
                    removed += 1
    return removed


# ------------------------------------------------------------------------------------ one file (a worker's job)


@contextlib.contextmanager
def _open_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream to ``path``, renamed into place only on success; gzip when the name ends in ``.gz``."""
    with atomic_writer(path, binary=True) as fh:
        if path.name.endswith(".gz"):
            with gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz:  # mtime=0: same bytes every run
                yield gz  # type: ignore[misc]
        else:
            yield fh


def _write_explain(task: Task, decisions: Iterable[Decision]) -> None:
    """The sidecar: one ``cleaner clean --explain`` record per non-blank line."""
    with _open_output(explain_path(task.dst)) as out:
        for d in decisions:
            out.write((json.dumps({"file": task.rel, **d.as_record()}, ensure_ascii=False) + "\n").encode("utf-8"))


def clean_document(task: Task, settings: Settings) -> FileResult:
    """Clean a text or HTML file into its UTF-8 output (and sidecar)."""
    text, encoding = decode_bytes(read_path(str(task.src)))
    html = settings.html or task.kind == "html"
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
    )


def clean_dataset(task: Task, settings: Settings) -> FileResult:
    """Clean a JSONL dataset document by document, streaming; bad lines are skipped or fail the file."""
    cleaner = shared_cleaner(settings.options, settings.model_path)
    kept: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    bad: list[dict[str, Any]] = []
    documents = truncated = bad_count = 0
    with open_text(task.src) as stream, _open_output(task.dst) as out:
        for outcome in clean_jsonl_lines(cleaner, utf8_lines(stream), settings.text_field, settings.html):
            if outcome.error is not None:
                if settings.on_error == "fail":
                    raise InputError(outcome.error)
                bad_count += 1
                if len(bad) < MAX_BAD_LINES_LISTED:
                    bad.append({"path": task.rel, "line": outcome.lineno, "error": outcome.error})
                continue
            assert outcome.line is not None and outcome.counts is not None
            out.write(outcome.line.encode("utf-8"))
            documents += 1
            truncated += outcome.truncated
            kept.update(outcome.counts["kept"])
            dropped.update(outcome.counts["dropped"])
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
    )


def _reason(exc: BaseException, task: Task) -> str:
    """The error message without the input's absolute path (the report names the file already)."""
    message = str(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
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


def clean_chunk(chunk: list[Task], settings: Settings) -> list[FileResult]:
    """Clean the files of one chunk (one worker task)."""
    return [clean_file(t, settings) for t in chunk]


def run_tasks(tasks: list[Task], settings: Settings, jobs: int) -> Iterator[list[FileResult]]:
    """Results a chunk at a time, in completion order: in this process for one job, else on loky workers."""
    if jobs <= 1 or len(tasks) <= 1:
        yield from ([clean_file(t, settings)] for t in tasks)
        return
    from joblib import Parallel, delayed

    chunks = chunk_tasks(tasks, jobs)
    parallel = Parallel(n_jobs=min(jobs, len(chunks)), backend="loky", batch_size=1, return_as="generator_unordered")
    yield from parallel(delayed(clean_chunk)(c, settings) for c in chunks)


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

    def report(self, **extra: Any) -> dict[str, Any]:
        """The JSON summary, sorted so that equal runs give equal reports (but for ``extra``)."""
        return {
            "files": {"ok": self.ok, "failed": len(self.failures), "skipped": sum(self.skipped.values())},
            "skipped": dict(sorted(self.skipped.items())),
            "failures": [{"path": f.rel, "error": f.error} for f in sorted(self.failures, key=lambda f: f.rel)],
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
        click.echo(f"cleaner: {f.rel}: {f.error}", err=True)
    if len(failures) > MAX_FAILURES_ECHOED:
        click.echo(f"cleaner: ... and {len(failures) - MAX_FAILURES_ECHOED} more failures (see --report)", err=True)


def _write_report(path: Path, report: dict[str, Any]) -> None:
    with atomic_writer(path) as fh:
        fh.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def run_batch(
    src: Path, dst: Path, settings: Settings, globs: tuple[str, ...], force: bool, jobs: int, show_progress: bool
) -> tuple[Tally, dict[str, Any]]:
    """Plan, clean and tally one run; returns the tally and the report's run facts."""
    started = time.perf_counter()
    stale = remove_stale_temps(dst) if dst.is_dir() else 0
    plan = plan_tree(src, dst, globs, force, settings.explain)
    tally = Tally(skipped=plan.skipped)
    for failure in plan.failures:
        tally.add(failure)
    with progress_bar(plan.tasks, show_progress) as advance:
        for results in run_tasks(plan.tasks, settings, jobs):
            for result in results:
                tally.add(result)
            advance(results)
    facts = {
        "src": str(src),
        "dst": str(dst),
        "jobs": jobs,
        "stale_temps_removed": stale,
        "elapsed_seconds": round(time.perf_counter() - started, 3),
    }
    return tally, facts


@click.command("batch", context_settings=CONTEXT_SETTINGS)
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
    "--explain",
    is_flag=True,
    help="Also write OUTPUT.explain.jsonl, each line's decision (JSONL inputs: none; see clean --jsonl --explain).",
)
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write a JSON summary here.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, warnings or summary line (failures still show).")
@jsonl_options
@decision_options
@html_option
@max_line_chars_option
@debug_option
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
    force_html: bool,
    max_line_chars: int,
) -> None:
    """Clean every file under SRC into the same relative path under DST.

    \b
    .txt is cleaned as text, .html/.htm through HTML extraction, .jsonl as a
    dataset (each document's text field); a .gz ending is decompressed and the
    output compressed. The text of an HTML input is named .txt (page.html ->
    page.txt, page.htm.gz -> page.txt.gz). Other files are skipped and counted.
    Outputs are UTF-8, written atomically; a second run skips outputs newer
    than their input, so an interrupted run resumes. Exit code: 0 all ok, 1
    some files failed (listed in --report), 2 usage error, 130 interrupted.

    \b
    Examples:
      cleaner batch crawl/ clean/ --report clean/report.json
      cleaner batch crawl/ clean/ --glob '*.html' -j 8 --explain
    """
    check_paths(src, dst, report)
    options = options_from(threshold, keep_category, no_model, max_line_chars)
    cleaner = shared_cleaner(options, model)  # loads (and checks) the model once, before any work
    if cleaner.warning and not quiet:
        click.echo(cleaner.warning, err=True)
    settings = Settings(options, model, text_field, on_error, explain, force_html)
    jobs = jobs or default_jobs()
    try:
        tally, facts = run_batch(src, dst, settings, globs, force, jobs, not quiet and sys.stderr.isatty())
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
