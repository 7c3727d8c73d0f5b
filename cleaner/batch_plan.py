"""``cleaner batch``, planning the work: which files of SRC to clean, skip (counted by reason) or fail.

The plan walks SRC (iteratively, never into directory symlinks), decides each file's kind by its
suffix and its output's name (an HTML page's text is named ``.txt``), refuses outputs whose names
clash, and skips inputs that are done: by DST's manifest (:mod:`cleaner.manifest`) for ``cleaner
batch``, by output times without one (the Dask path).

>>> file_kind("news/page.HTM"), file_kind("data.jsonl.gz"), file_kind("notes.md")
('html', 'jsonl', None)
>>> output_rel("news/page.HTM", "html"), output_rel("news/page.html.gz", "html"), output_rel("a.txt", "text")
('news/page.txt', 'news/page.txt.gz', 'a.txt')
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import click

from cleaner.errors import os_reason
from cleaner.manifest import STATE_DIR, Entry, file_digest

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
SKIP_UNSUPPORTED = "unsupported"  # not .txt, .html/.htm or .jsonl (optionally .gz)
SKIP_UP_TO_DATE = "up_to_date"  # output (and sidecar) at least as new as the input
SKIP_NOT_REGULAR = "not_regular"  # FIFOs, sockets, devices: reading them could block forever
SKIP_DIR_SYMLINK = "dir_symlink"  # directory symlinks are not followed: no loops, no escaping SRC


def file_kind(name: str) -> str | None:
    """``"text"``, ``"html"`` or ``"jsonl"`` by the name's suffix, or None for a file to skip."""
    parts = name.lower().rsplit(".", 2)  # every suffix is one or two dotted parts, the second one .gz
    if len(parts) == 3 and parts[2] == "gz":
        return KINDS_BY_SUFFIX.get(f".{parts[1]}.gz")
    return KINDS_BY_SUFFIX.get(f".{parts[-1]}") if len(parts) > 1 else None


def output_rel(rel: str, kind: str) -> str:
    """The output's path under DST for the input at ``rel`` under SRC: the same, but ``.txt`` for HTML (its text)."""
    if kind != "html":
        return rel
    gz = rel[-3:] if rel.lower().endswith(".gz") else ""
    return rel[: len(rel) - len(gz)].rsplit(".", 1)[0] + ".txt" + gz


def explain_path(output: str) -> str:
    """Where the ``--explain`` sidecar of ``output`` goes.

    >>> explain_path("out/a.txt")
    'out/a.txt.explain.jsonl'
    """
    return output + EXPLAIN_SUFFIX


@dataclass(frozen=True)
class Task:
    """One file to clean."""

    src: str  # paths as strings: a plan holds one Task per file, and each goes to a worker and back
    dst: str
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


def task_outputs(out: str, kind: str, explain: bool) -> tuple[str, ...]:
    """The files cleaning one input writes: its output, and its ``--explain`` sidecar unless it is a dataset."""
    return (out, explain_path(out)) if explain and kind != "jsonl" else (out,)


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


def is_up_to_date(src_stat: os.stat_result, outputs: Iterable[str]) -> bool:
    """True when every output is a regular file at least as new as the input (a rename made it: it is complete)."""
    try:
        stats = [os.stat(p) for p in outputs]
    except OSError:
        return False
    return all(stat.S_ISREG(s.st_mode) and s.st_mtime_ns >= src_stat.st_mtime_ns for s in stats)


def walk_tree(src: Path, plan: Plan) -> Iterator[tuple[str, str]]:
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
                yield entry.path, prefix + entry.name
        stack.extend(reversed(subdirs))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _claim(claims: dict[str, str], rel: str, names: tuple[str, ...]) -> str | None:
    """Claim for input ``rel`` its output ``names`` (relative to DST, :func:`task_outputs`); the name of whatever
    claimed one first, if any."""
    if names[0].startswith(STATE_DIR + "/"):
        return f"cleaner's state folder {STATE_DIR}"
    for name in names:
        if name in claims:
            return claims[name]
    for name in names:
        claims[name] = rel
    return None


def _is_done(
    path: str, st: os.stat_result, entry: Entry | None, key: str, outputs: tuple[str, ...]
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
    reserved: dict[str, str] | None = None,
    on_task: Callable[[Task], None] | None = None,
) -> Plan:
    """Walk SRC and decide, file by file, to clean it, skip it (counted by reason) or fail it; ``on_task`` is
    told of each file to clean as soon as it is planned (e.g. to start cleaning before the walk ends).

    With a ``manifest`` (``cleaner batch``), a file is up to date when its entry matches (see
    :mod:`cleaner.manifest`); without one (the Dask path), when its outputs are newer than it. A file whose
    output would overwrite another's (or a ``reserved`` path such as ``--report``) fails with the reason.
    """
    plan = Plan()
    claims: dict[str, str] = dict(reserved or {})  # output name relative to DST -> what claimed it
    dst_dir = os.fspath(dst)
    for name, rel in walk_tree(src, plan):
        if not _selected(rel, globs):
            continue
        kind = file_kind(rel.rsplit("/", 1)[-1])
        if kind is None:
            plan.skipped[SKIP_UNSUPPORTED] += 1
            continue
        try:
            st = os.stat(name)
        except OSError as exc:
            plan.failures.append(FileResult(rel, error=f"cannot read: {os_reason(exc)}"))
            continue
        if not stat.S_ISREG(st.st_mode):
            plan.skipped[SKIP_NOT_REGULAR] += 1
            continue
        out_rel = output_rel(rel, kind)
        if out_rel != rel and (src / out_rel).is_file():  # page.html beside page.txt: the .txt keeps its name
            plan.failures.append(FileResult(rel, error=f"its output {out_rel} is also the output of {out_rel}"))
            continue
        out = os.path.join(dst_dir, out_rel)
        outputs = task_outputs(out, kind, explain)
        clash = _claim(claims, rel, task_outputs(out_rel, kind, explain))
        if clash is not None:
            plan.failures.append(FileResult(rel, error=f"its output name clashes with {clash}: not written"))
            continue
        if not force:
            if manifest is None:
                done, touched = is_up_to_date(st, outputs), False
            else:
                done, touched = _is_done(name, st, manifest.get(rel), key, outputs)
            if touched and manifest is not None:
                plan.unchanged[rel] = replace(manifest[rel], mtime_ns=st.st_mtime_ns)
            if done:
                plan.skipped[SKIP_UP_TO_DATE] += 1
                continue
        task = Task(name, out, rel, kind, st.st_size, st.st_mtime_ns)
        plan.tasks.append(task)
        if on_task is not None:
            on_task(task)
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
