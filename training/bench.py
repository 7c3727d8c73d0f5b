"""Speed and memory benchmarks: ``make bench`` writes ``docs/benchmarks.md`` and prints it.

Every figure comes from this run on this machine, each input generated the same
way each time, so ratios between rows are meaningful even on a noisy machine;
absolute numbers are not comparable across machines. Whole processes are timed
(cold start included) with ``os.wait4``, which also gives each child's peak memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
CLEANER = [sys.executable, "-m", "cleaner"]
COLD_RUNS = 15  # enough runs for a stable median of a ~0.2 s process
BIG_MB = 20  # size of the throughput input: long enough that start-up is noise
HUGE_LINE_MB = 50  # the single-line stress case of the reliability issue
MANY_LINES = 2_000_000  # the many-short-lines stress case


def run_child(cmd: Sequence[str], stdin_path: Path | None = None) -> tuple[float, float, int]:
    """``(wall seconds, peak RSS MB, exit code)`` of one child process, its output discarded."""
    start = time.perf_counter()
    with open(stdin_path or os.devnull, "rb") as fin, open(os.devnull, "wb") as fout:
        proc = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def make_inputs(tmp: Path) -> dict[str, Path]:
    seed_text = "".join(p.read_text(encoding="utf-8") + "\n" for p in SEEDS)
    big = tmp / "big.txt"
    reps = int(BIG_MB * 1e6 / len(seed_text.encode())) + 1
    big.write_text(seed_text * reps, encoding="utf-8")
    huge = tmp / "huge_line.txt"
    huge.write_text(("word " * (HUGE_LINE_MB * 200_000)) + "\n", encoding="utf-8")
    many = tmp / "many_lines.txt"
    many.write_text("Menu\n" * MANY_LINES, encoding="utf-8")
    return {"seed": SEEDS[3], "big": big, "huge": huge, "many": many}


def cold_start(seed: Path, extra: Sequence[str] = ()) -> list[float]:
    return [run_child([*CLEANER, "clean", *extra], seed)[0] for _ in range(COLD_RUNS)]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = p.parse_args(argv)
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        inputs = make_inputs(Path(tmp_dir))
        model_runs = cold_start(inputs["seed"])
        rules_runs = cold_start(inputs["seed"], ["--no-model"])
        py_runs = [run_child([sys.executable, "-c", "pass"])[0] for _ in range(COLD_RUNS)]
        rows.append(f"| cold start, `cleaner clean < seed` (model) | median {statistics.median(model_runs):.3f} s "
                    f"(min {min(model_runs):.3f}, max {max(model_runs):.3f}) |")
        rows.append(f"| cold start, `--no-model` | median {statistics.median(rules_runs):.3f} s |")
        rows.append(f"| cold start, bare `python -c pass` (floor) | median {statistics.median(py_runs):.3f} s |")
        size_mb = inputs["big"].stat().st_size / 1e6
        n_lines = inputs["big"].read_bytes().count(b"\n")
        secs, rss, _ = run_child([*CLEANER, "clean"], inputs["big"])
        rows.append(f"| throughput, one process, {size_mb:.0f} MB of seed text ({n_lines:,} lines) | "
                    f"{size_mb / secs:.2f} MB/s, {n_lines / secs:,.0f} lines/s, peak {rss:.0f} MB |")
        secs, rss, code = run_child([*CLEANER, "clean"], inputs["huge"])
        rows.append(f"| one {HUGE_LINE_MB} MB line (passed through) | {secs:.1f} s, peak {rss:.0f} MB, exit {code} |")
        secs, rss, code = run_child([*CLEANER, "clean"], inputs["many"])
        rows.append(f"| {MANY_LINES:,} short lines | {secs:.1f} s, peak {rss:.0f} MB, exit {code} |")
    report = "\n".join([
        "# Benchmarks",
        "",
        f"Made by `make bench` on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d')}. Whole processes, this machine; compare rows, not machines.",
        "",
        "| what | result |",
        "|---|---|",
        *rows,
        "",
    ])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
