"""Clean a folder tree, or a JSONL dataset as a bag, on a Dask cluster.

    pip install 'cleaner[dask]'
    python examples/dask_clean.py crawl/ cleaned/ --workers 2            # a LocalCluster of 2 processes
    python examples/dask_clean.py crawl/ cleaned/ --scheduler tcp://scheduler:8786   # an existing cluster
    python examples/dask_clean.py data/ cleaned/ --bag                   # data/*.jsonl -> cleaned/<n>.jsonl

Tree mode writes what ``cleaner batch crawl/ cleaned/`` writes (same relative paths, same bytes, atomically)
and skips up-to-date outputs unless ``--force``. Bag mode reads every ``*.jsonl`` under SRC as one bag of
documents and writes one output file per partition, each document cleaned as ``cleaner clean --jsonl`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import dask.bag as db
from distributed import Client, LocalCluster

from cleaner.integrations.dask import clean_bag, clean_tree
from cleaner.options import DEFAULT_THRESHOLD, Options


def clean_jsonl_bag(src: Path, dst: Path, options: Options) -> int:
    """Every ``*.jsonl`` under ``src`` cleaned into ``dst/<partition>.jsonl``; returns the number of documents."""
    paths = sorted(str(p) for p in src.rglob("*.jsonl"))
    docs = clean_bag(db.read_text(paths).filter(str.strip).map(json.loads), options)
    dst.mkdir(parents=True, exist_ok=True)
    lines = docs.map(lambda d: json.dumps(d, ensure_ascii=False))
    outputs = lines.to_textfiles(str(dst / "*.jsonl"), last_endline=True)  # else `cat *.jsonl` glues two documents
    return sum(1 for out in outputs for _ in open(out, encoding="utf-8"))


def run(args: argparse.Namespace, client: Client) -> int:
    """Clean as ``args`` say; prints the summary line and returns the exit code (1 when a file failed)."""
    options = Options(threshold=args.threshold, use_model=not args.no_model)
    started = time.perf_counter()
    if args.bag:
        n = clean_jsonl_bag(args.src, args.dst, options)
        print(f"cleaner: {n} documents in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return 0
    tally = clean_tree(args.src, args.dst, client, options, force=args.force)
    for failure in tally.failures:
        print(f"cleaner: {failure.rel}: {failure.error}", file=sys.stderr)
    print(tally.summary(time.perf_counter() - started), file=sys.stderr)
    return 1 if tally.failures else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--scheduler", help="address of an existing scheduler [default: start a LocalCluster]")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes [default: 2]")
    parser.add_argument("--bag", action="store_true", help="SRC holds JSONL files: clean them as one dask.bag")
    parser.add_argument("--force", action="store_true", help="redo outputs that are up to date")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="keep a line when P >= this")
    parser.add_argument("--no-model", action="store_true", help="heuristic rules only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.scheduler:
        with Client(args.scheduler) as client:
            return run(args, client)
    with (
        LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        return run(args, client)


if __name__ == "__main__":
    sys.exit(main())
