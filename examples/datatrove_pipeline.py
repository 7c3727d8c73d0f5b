"""Clean a folder of JSONL files with datatrove: JsonlReader -> CleanerFilter -> JsonlWriter, on local processes.

    pip install 'cleaner[datatrove]'
    python examples/datatrove_pipeline.py data/ cleaned/ --tasks 8 --workers 2
    python examples/datatrove_pipeline.py data/ cleaned/ --drop-empty --threshold 0.1

Each task reads its share of the input files and writes ``cleaned/<rank>.jsonl.gz``; every document keeps its
fields (in ``metadata``) and gains ``metadata["cleaner"]``. Stats (lines dropped per category, documents dropped
as empty) go to ``--logging-dir`` (default ``<output>.logs``), which also lets an interrupted run resume: done
tasks are skipped. On Slurm, use datatrove's ``SlurmPipelineExecutor`` with the same pipeline.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from cleaner.integrations.datatrove import CleanerFilter
from cleaner.options import DEFAULT_THRESHOLD, Options


def build_pipeline(
    input_dir: str, output_dir: str, options: Options, drop_empty: bool = False, text_key: str = "text"
) -> list[PipelineStep]:
    """Read every ``*.jsonl[.gz]`` under ``input_dir``, clean, write ``<rank>.jsonl.gz`` to ``output_dir``."""
    return [
        JsonlReader(input_dir, glob_pattern="**/*.jsonl*", text_key=text_key),
        CleanerFilter(options, drop_empty=drop_empty),
        JsonlWriter(output_dir),
    ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input", help="folder of JSONL files (local path or fsspec URL)")
    parser.add_argument("output", help="folder for the cleaned <rank>.jsonl.gz files")
    parser.add_argument("--tasks", type=int, default=1, help="shards of the input [default: 1]")
    parser.add_argument("--workers", type=int, default=-1, help="tasks run at once [default: all tasks]")
    parser.add_argument("--logging-dir", help="stats, logs and completion markers [default: OUTPUT.logs]")
    parser.add_argument("--drop-empty", action="store_true", help="drop documents left without any line")
    parser.add_argument("--text-key", default="text", help="JSON field holding the text [default: text]")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="keep a line when P >= this")
    parser.add_argument("--no-model", action="store_true", help="heuristic rules only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    options = Options(threshold=args.threshold, use_model=not args.no_model)
    executor = LocalPipelineExecutor(
        build_pipeline(args.input, args.output, options, args.drop_empty, args.text_key),
        tasks=args.tasks,
        workers=args.workers,
        logging_dir=args.logging_dir or str(Path(args.output.rstrip("/")).with_suffix(".logs")),
    )
    executor.run()


if __name__ == "__main__":
    main()
