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

The stages live in :mod:`cleaner.batch_plan` (planning), :mod:`cleaner.batch_run` (running: one file,
many in parallel) and :mod:`cleaner.batch_report` (totals and report); this module joins them under
DST's lock and holds the command.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cleaner.api import shared_cleaner
from cleaner.batch_plan import (
    FileResult,
    Task,
    check_paths,
    output_rel,
    plan_tree,
    remove_stale_temps,
    task_outputs,
)
from cleaner.batch_report import Tally, echo_failures, progress_bar, write_report
from cleaner.batch_run import EarlyChunks, Settings, capped_jobs, in_flight, run_tasks, worker_pool
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
from cleaner.manifest import (
    STATE_DIR,
    Entry,
    Journal,
    batch_lock,
    model_key,
    read_manifest,
    rewrite_manifest,
)
from cleaner.model import default_model_path
from cleaner.textio import display_name


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
        outputs = task_outputs(output_rel(r.rel, task.kind), task.kind, explain)
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
        try:
            with worker_pool(jobs) as pool:  # the workers start while we plan; interrupted, they are ended here
                markers = dst / STATE_DIR / "workers"
                markers.mkdir(exist_ok=True)
                in_flight(markers)  # a killed run's markers name nothing of this run
                early = EarlyChunks(pool, settings, jobs, markers)
                plan = plan_tree(src, dst, globs, force, settings.explain, manifest, key, reserved, early.offer)
                tally = Tally(skipped=plan.skipped)
                for failure in plan.failures:
                    tally.add(failure)
                tasks = {t.rel: t for t in plan.tasks}
                journal = Journal(dst, manifest)
                try:
                    journal.record(plan.unchanged.items())
                    stream = run_tasks(plan.tasks, settings, jobs, markers, pool=pool, started=early.started)
                    with progress_bar(plan.tasks, show_progress) as advance, contextlib.closing(stream):
                        for results in stream:
                            for result in results:
                                tally.add(result)
                            journal.record(_manifest_items(results, tasks, key, settings.explain))
                            advance(results)
                finally:
                    journal.close()
        except BaseException:
            remove_stale_temps(dst)  # what the ended workers left
            raise
        rewrite_manifest(dst, journal.entries, journal.lines)
        in_flight(markers)
    facts = {
        "src": display_name(str(src)),
        "dst": display_name(str(dst)),
        "jobs": jobs,
        "stale_temps_removed": stale,
        "elapsed_seconds": round(time.perf_counter() - started, 3),
    }
    return tally, facts


def _reserved_outputs(dst: Path, report: Path | None) -> dict[str, str]:
    """Output names (relative to DST) no input may take: ``--report`` when it lies inside DST."""
    if report is None:
        return {}
    resolved, root = report.resolve(), dst.resolve()
    return {resolved.relative_to(root).as_posix(): "--report"} if resolved.is_relative_to(root) else {}


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
    Outputs are UTF-8, written atomically; a second run skips inputs already
    done with the same settings and model (DST/.cleaner-batch keeps the
    record), so an interrupted run resumes. Exit code: 0 all ok, 1 some files
    failed (listed in --report), 2 usage error, 130 interrupted (Ctrl-C,
    SIGTERM).

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
    echo_failures(tally)
    if report is not None:
        write_report(report, tally.report(source=cleaner.source, **facts))
    if not quiet:
        click.echo(tally.summary(facts["elapsed_seconds"]), err=True)
    if tally.failures:
        sys.exit(EXIT_FAILED)
