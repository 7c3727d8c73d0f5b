"""``cleaner batch``, reporting: the progress bar, the running totals, the summary line and ``--report``.

tqdm is imported only when the bar shows.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from cleaner.batch_plan import FileResult, Task
from cleaner.textio import display_name, output_file

MAX_FAILURES_ECHOED = 20  # stderr lists this many failures at the end; the report lists them all
BAR_FORMAT = (  # tqdm's default with the "B" that makes "12.3M" read as megabytes
    "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}B/{total_fmt}B [{elapsed}<{remaining}, {rate_fmt}{postfix}]"
)
MAX_WARNINGS_LISTED = 1000  # decoding warnings (bad bytes replaced) listed in the report, like bad lines


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


def echo_failures(tally: Tally) -> None:
    """List the first failures on stderr; the report has all of them."""
    failures = sorted(tally.failures, key=lambda f: f.rel)
    for f in failures[:MAX_FAILURES_ECHOED]:
        click.echo(f"cleaner: {display_name(f.rel)}: {f.error}", err=True)
    if len(failures) > MAX_FAILURES_ECHOED:
        click.echo(f"cleaner: ... and {len(failures) - MAX_FAILURES_ECHOED} more failures (see --report)", err=True)


def write_report(path: Path, report: dict[str, Any]) -> None:
    with output_file(path, binary=False, compress=False) as fh:
        fh.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
