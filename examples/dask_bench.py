"""Throughput of the Dask path with 1 and 2 workers (and ``cleaner batch -j N`` beside it) on a generated folder.

    pip install 'cleaner[dask]'
    python examples/dask_bench.py --copies 1000 --workers 1 2

The folder holds COPIES copies of the seeds (``seeds/*.txt``), one sub-folder per copy. Each run cleans every
file into a fresh output folder on a LocalCluster of N single-threaded worker processes; the time excludes
starting the cluster and loading the model (reported apart), which a long run pays once per worker.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from distributed import Client, LocalCluster

from cleaner.batch import run_batch
from cleaner.batch_plan import plan_tree
from cleaner.batch_run import Settings
from cleaner.integrations.dask import clean_tasks
from cleaner.options import Options

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def make_folder(root: Path, copies: int) -> Path:
    """``root/src/copy_NNNN/<seed>`` for every seed, ``copies`` times."""
    src = root / "src"
    for i in range(copies):
        shutil.copytree(SEEDS, src / f"copy_{i:04d}")
    return src


def rates(files: int, size: int, seconds: float) -> dict[str, float]:
    return {
        "files": files,
        "mb": size / 1e6,
        "seconds": seconds,
        "files_s": files / seconds,
        "mb_s": size / 1e6 / seconds,
    }


def bench_dask(src: Path, dst: Path, workers: int) -> tuple[dict[str, float], float]:
    """Rates of one forced run over ``src`` on a fresh LocalCluster; and the seconds to start it and load models."""
    settings = Settings(Options())
    started = time.perf_counter()
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        clean_tasks([], settings, client)  # no files: only builds every worker's Cleaner
        setup = time.perf_counter() - started
        tasks = plan_tree(src, dst, (), True, explain=False).tasks
        started = time.perf_counter()
        results = clean_tasks(tasks, settings, client)
        seconds = time.perf_counter() - started
    assert all(r.error is None for r in results)
    return rates(len(tasks), sum(t.size for t in tasks), seconds), setup


def bench_batch(src: Path, dst: Path, jobs: int) -> dict[str, float]:
    """Rates of ``cleaner batch SRC DST -j JOBS --force`` (model load and worker start included)."""
    tally, facts = run_batch(src, dst, Settings(Options()), (), True, jobs, False)
    assert not tally.failures
    return rates(tally.ok, tally.bytes_in, facts["elapsed_seconds"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1000, help="copies of the seeds [default: 1000]")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts [default: 1 2]")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        src = make_folder(Path(tmp), args.copies)
        print("engine           workers  files     MB       s  files/s   MB/s  start-up s")
        for n in args.workers:
            r, setup = bench_dask(src, Path(tmp) / f"dask{n}", n)
            print(
                f"dask             {n:7d} {r['files']:6.0f} {r['mb']:6.1f} {r['seconds']:7.1f} "
                f"{r['files_s']:8.0f} {r['mb_s']:6.2f} {setup:11.1f}"
            )
        for n in args.workers:
            r = bench_batch(src, Path(tmp) / f"batch{n}", n)
            print(
                f"cleaner batch -j {n:7d} {r['files']:6.0f} {r['mb']:6.1f} {r['seconds']:7.1f} "
                f"{r['files_s']:8.0f} {r['mb_s']:6.2f}   (included)"
            )


if __name__ == "__main__":
    main()
