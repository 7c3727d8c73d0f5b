"""The command line: ``cleaner clean`` (a Unix filter) and ``cleaner eval``.

The CLI only parses options, reads inputs and reports; the work happens in the
library. Exit codes: 0 success, 1 an input or model could not be used (the
others are still processed), 2 usage error, 130 interrupted, 141 broken pipe.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from cleaner import __version__, threads  # noqa: F401  (threads: before numpy is imported)
from cleaner.api import Cleaner
from cleaner.cli_options import (
    CONTEXT_SETTINGS,
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    debug_option,
    decision_options,
    html_option,
    jsonl_options,
    max_line_chars_option,
    model_option,
    no_model_option,
    options_from,
    threshold_option,
)
from cleaner.decide import DocumentResult
from cleaner.errors import CleanerError, InputError, OutputError, os_reason
from cleaner.jsonl import JsonlOutcome, clean_jsonl_lines
from cleaner.options import Options
from cleaner.textio import binary_lines, decode_document, display_name, open_binary, output_file, read_path

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
PROGRESS_DELAY = 2.0  # seconds before clean --jsonl shows its progress bar: short runs stay quiet
EXPLAIN_BATCH = 5_000  # decisions written at once by --explain: bounded memory, few writes
STDIN_HINT = "cleaner: reading text from stdin (end with Ctrl-D; cleaner clean --help for usage)"


def _warn(message: str) -> None:
    click.echo(message, err=True)


def _is_tty(stream: IO[Any] | None) -> bool:
    """Whether ``stream`` is a terminal (False for a closed or missing stream)."""
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


def _result_json(name: str, result: DocumentResult, encoding: str) -> dict[str, Any]:
    counts = result.counts()
    return {
        "file": name,
        "text": result.text,
        "truncated": result.truncated,
        "source": result.source,
        "encoding": encoding,
        "lines": len(result.decisions),
        "kept": counts["kept"],
        "dropped": counts["dropped"],
    } | ({"extraction": result.extraction, "models": _deciders(result)} if result.extraction else {})


def _deciders(result: DocumentResult) -> dict[str, int]:
    """HTML input: how many lines each model (or rule) decided."""
    out: dict[str, int] = {}
    for d in result.decisions:
        out[d.decided_by] = out.get(d.decided_by, 0) + 1
    return out


class PipeClosed(Exception):
    """Standard output's reader went away (``| head``); not an ``OSError``, so that click lets it through."""


@contextmanager
def _output(path: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or ``-o`` through :func:`~cleaner.textio.output_file`; a write failure is an OutputError."""
    if path is not None and str(path) != "-":
        with output_file(path) as fh:
            yield fh
        return
    if sys.stdout is None:
        raise OutputError("standard output is closed")
    try:
        yield sys.stdout.buffer
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"standard output: cannot write: {os_reason(exc)}") from None


def _write(out: IO[bytes], data: bytes) -> None:
    """Write all of ``data`` and flush. A pipe whose reader leaves mid-write gives a short count, not an error:
    writing the rest raises the BrokenPipeError that a plain ``write`` would drop."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        view = view[len(view) if written is None else written :]  # None: a stream that writes all or raises
    out.flush()


def _make_cleaner(options: Options, model: Path | None) -> Cleaner:
    cleaner = Cleaner(options, model_path=model)
    if cleaner.warning:
        _warn(cleaner.warning)
    return cleaner


def _clean_text_files(cleaner: Cleaner, files: tuple[str, ...], mode: str, force_html: bool, out: IO[bytes]) -> int:
    failed = 0
    for name in files:
        try:
            text, encoding, replaced = decode_document(read_path(name))
            html = True if force_html or name.lower().endswith(HTML_SUFFIXES) else None
            if mode == "text":  # streamed: a document of millions of lines never lives whole in memory
                pieces = cleaner.iter_clean(text, html)
                first = next(pieces)  # an HTML page is extracted here: its errors come before any output
            elif mode == "explain":  # streamed too, a window of decisions at a time
                decisions = cleaner.iter_decisions(text, html)
                head = list(itertools.islice(decisions, 1))  # as above: an HTML page's errors before any output
            else:
                result = cleaner.classify(text, html)
        except InputError as exc:
            _warn(f"cleaner: {exc}" if name == "-" or name in str(exc) else f"cleaner: {name}: {exc}")
            failed += 1
            continue
        if replaced:
            _warn(f"cleaner: {name}: {replaced} invalid UTF-8 sequence(s) replaced with U+FFFD")
        if mode == "text":
            for piece in itertools.chain([first], pieces):
                if piece:
                    _write(out, piece.encode("utf-8"))
            continue
        if mode == "explain":
            shown = display_name(name)
            decided = itertools.chain(head, decisions)
            while batch := list(itertools.islice(decided, EXPLAIN_BATCH)):
                chunk = "".join(json.dumps({"file": shown, **d.as_record()}, ensure_ascii=False) + "\n" for d in batch)
                _write(out, chunk.encode("utf-8"))
            continue
        chunk = json.dumps(_result_json(display_name(name), result, encoding), ensure_ascii=False) + "\n"
        _write(out, chunk.encode("utf-8"))
    return failed


def _open_jsonl(name: str) -> IO[bytes]:
    """The binary stream of a JSONL input (``-`` is stdin), gunzipped when the name ends in ``.gz``."""
    if name == "-":
        if sys.stdin is None:
            raise InputError("standard input is closed")
        return sys.stdin.buffer
    try:
        return open_binary(name)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as exc:
        raise InputError(f"{name}: {os_reason(exc)}") from None


def _with_progress(lines: Iterator[bytes | None], name: str) -> Iterator[bytes | None]:
    """``lines``, counted on a tqdm bar on stderr: bytes (of the file, when its size is known) and documents."""
    from tqdm import tqdm

    total = None
    if name != "-" and not name.endswith(".gz"):
        with contextlib.suppress(OSError):
            total = Path(name).stat().st_size
    label = "stdin" if name == "-" else display_name(Path(name).name)
    with tqdm(
        total=total, unit="B", unit_scale=True, file=sys.stderr, desc=label, delay=PROGRESS_DELAY, dynamic_ncols=True
    ) as bar:
        for docs, line in enumerate(lines, 1):
            yield line
            bar.set_postfix_str(f"{docs} docs", refresh=False)
            bar.update(len(line) if line is not None else 0)  # None: an over-long line, skipped unread


def _jsonl_chunk(name: str, outcome: JsonlOutcome, mode: str) -> str:
    """What one cleaned document writes: its JSON line, or with ``--explain`` its lines' decisions."""
    assert outcome.line is not None
    if mode != "explain":
        return outcome.line
    record = {"file": display_name(name), "line": outcome.lineno}
    return "".join(json.dumps({**record, **d.as_record()}, ensure_ascii=False) + "\n" for d in outcome.decisions)


def _clean_jsonl(
    cleaner: Cleaner, files: tuple[str, ...], field: str, on_error: str, mode: str, html: bool, out: IO[bytes]
) -> int:
    """Clean each JSONL input into ``out``; returns how many inputs (or, with ``fail``, lines) went wrong."""
    bad = failed = 0
    progress = _is_tty(sys.stderr)
    for name in files:
        try:
            stream = _open_jsonl(name)
        except InputError as exc:
            _warn(f"cleaner: {exc}")
            failed += 1
            continue
        with stream if name != "-" else contextlib.nullcontext(stream):
            lines = _with_progress(binary_lines(stream), name) if progress else binary_lines(stream)
            batch = 1 if _is_tty(stream) else None  # typed at a terminal: each document answered as it comes
            for outcome in clean_jsonl_lines(cleaner, lines, field, html, decisions=mode == "explain", batch=batch):
                if outcome.error is not None:
                    bad += 1
                    failed += outcome.fatal
                    _warn(f"cleaner: {name}: {'stopped at' if outcome.fatal else 'skipped'} {outcome.error}")
                    if on_error == "fail":
                        return bad
                    continue
                _write(out, _jsonl_chunk(name, outcome, mode).encode("utf-8"))
    if bad:
        _warn(f"cleaner: {bad} JSONL line(s) skipped")
    return failed


LAZY_COMMANDS = {  # imported when named: batch pulls in the worker pool, report the page template and batch planning
    "batch": ("cleaner.batch", "batch_command"),
    "report": ("cleaner.report", "report_command"),
}


class _Cli(click.Group):
    """The command group; a closed standard output becomes :class:`PipeClosed` (click would exit 1 on it).

    Commands in ``LAZY_COMMANDS`` are imported only when they run or help lists them, so that
    ``cleaner clean`` starts without them.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def all_commands(self) -> dict[str, click.Command]:
        """Every command by name, the lazy ones imported (for help listings and tests)."""
        ctx = click.Context(self)
        return {name: cmd for name in self.list_commands(ctx) if (cmd := self.get_command(ctx, name)) is not None}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attr = LAZY_COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed from None


@click.group(cls=_Cli, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="cleaner")
@debug_option
def cli() -> None:
    """Remove boilerplate and paywall noise from scraped article text, line by line."""


def _check_modes(ctx: click.Context, explain: bool, as_json: bool, jsonl: bool) -> str:
    """The output mode (text, explain, json, jsonl) of the flags given, or a usage error for flags that clash."""
    if explain and as_json:
        raise click.UsageError("--explain and --json are two output formats: use one.", ctx)
    if jsonl and as_json:
        raise click.UsageError("--jsonl already writes each document as JSON with its metadata: drop --json.", ctx)
    if not jsonl:
        for name in ("text_field", "on_error"):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"--{name.replace('_', '-')} applies to JSONL input only: add --jsonl.", ctx)
    return "explain" if explain else "json" if as_json else "jsonl" if jsonl else "text"


@cli.command("clean", context_settings=CONTEXT_SETTINGS)
@click.argument("files", nargs=-1)
@click.option("--explain", is_flag=True, help="One JSON record per non-blank line: the decision.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document: text, counts, truncated.")
@click.option(
    "--jsonl", is_flag=True, help="Inputs are JSONL datasets: clean each document's text (with --explain: decisions)."
)
@jsonl_options
@decision_options
@html_option
@max_line_chars_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here (atomically) instead of stdout; .gz compresses.",
)
@debug_option
@click.pass_context
def clean_command(
    ctx: click.Context,
    files: tuple[str, ...],
    explain: bool,
    as_json: bool,
    jsonl: bool,
    text_field: str,
    on_error: str,
    threshold: float,
    keep_category: tuple[str, ...],
    model: Path | None,
    no_model: bool,
    force_html: bool,
    max_line_chars: int,
    output: Path | None,
) -> None:
    """Clean FILES (or stdin when none or '-') and write the kept lines to stdout.

    \b
    --explain, --json and --jsonl choose the output; --jsonl --explain gives the
    decisions of each dataset document, with its line number in the dataset.

    \b
    Examples:
      cleaner clean page.txt > clean.txt
      cleaner clean --explain page.txt | jq 'select(.keep == false)'
      cleaner clean --jsonl data.jsonl.gz -o clean.jsonl.gz
    """
    mode = _check_modes(ctx, explain, as_json, jsonl)
    cleaner = _make_cleaner(options_from(threshold, keep_category, no_model, max_line_chars), model)
    files = files or ("-",)
    if "-" in files and _is_tty(sys.stdin):
        _warn(STDIN_HINT)
    with _output(output) as out:
        if jsonl:
            failed = _clean_jsonl(cleaner, files, text_field, on_error, mode, force_html, out)
        else:
            failed = _clean_text_files(cleaner, files, mode, force_html, out)
    if failed:
        sys.exit(EXIT_FAILED)


@cli.command("eval", context_settings=CONTEXT_SETTINGS)
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--flavor", default=None, help="Score only documents of this flavor (residue, page).")
@click.option(
    "--split",
    default="dev",
    show_default=True,
    help="HTML page folders: the split to score (WCXB's `split` field, or the <split>-gold.json file).",
)
@threshold_option
@model_option
@no_model_option
@click.option(
    "--worst",
    type=click.IntRange(0),
    default=5,
    show_default=True,
    help="List this many documents that lost the most article text.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@debug_option
def eval_command(
    data: tuple[Path, ...],
    flavor: str | None,
    split: str,
    threshold: float,
    model: Path | None,
    no_model: bool,
    worst: int,
    as_json: bool,
) -> None:
    """Score the cleaner on labeled documents (line-set JSONL, e.g. shared/data/linesets/dev.jsonl.gz).

    Body recall is the share of body+title lines kept, noise removal the share of
    noise lines dropped (also by characters); mixed lines are counted, not scored.
    rm@R99 and rm@R98 rank the lines by score, free of the threshold: the noise removal at
    the score cut that keeps 99% (98%) of body lines. Per flavor, source and page type.
    The repo's own labels work too: cleaner eval training/data/seeds.jsonl

    A folder of HTML pages with gold text (shared/data/wcxb, shared/data/html) is scored with the
    WCXB metric instead: word-level bag-of-words P/R/F1 per page, averaged, overall and per page
    type, the article benchmark's 4-gram shingle F1, and the share of `with` snippets found and of
    `without` snippets leaked: cleaner eval ../shared/data/wcxb --split dev
    """
    from cleaner.evaluate import evaluate_report, labeled_documents

    cleaner = _make_cleaner(options_from(threshold, (), no_model), model)
    if any(path.is_dir() for path in data):
        _eval_html_folders(cleaner, data, split, as_json)
        return
    every = [d for path in data for d in labeled_documents(path)]
    docs = [d for d in every if flavor is None or d.get("flavor") == flavor]
    if not docs:
        names = ", ".join(map(str, data))
        if not every:
            raise InputError(f"no labeled documents in {names}")
        present = ", ".join(sorted({str(d.get("flavor")) for d in every}))
        raise click.BadParameter(
            f"no {flavor!r} documents in {names} (flavors there: {present})", param_hint="--flavor"
        )
    try:
        report = evaluate_report(docs, cleaner, worst=worst)
    except ValueError as exc:  # a document whose lines do not come back one decision each
        raise InputError(f"not labeled line-set data ({exc})") from None
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for title, key in (("flavor", "by_flavor"), ("source", "by_source"), ("page type", "by_page_type")):
        if report[key]:
            click.echo(_score_table(title, report[key]))
    if report["worst"]:
        click.echo("documents that lost the most article text:")
        for d in report["worst"]:
            click.echo(
                f"  {d['id']} ({d['flavor']}): {d['body_lines_lost']} lines, {d['body_chars_lost']} chars; "
                f"e.g. {d['examples'][0][:80]!r}"
            )


def _score_table(title: str, rows: dict[str, dict[str, Any]]) -> str:
    """One block of ``cleaner eval``'s text output: a row per group."""
    width = max(len(title), *map(len, rows))

    def rate(value: float | None) -> str:
        return f"{value:7.4f}" if value is not None else f"{'-':>7s}"

    out = [
        f"{title:{width}s} {'docs':>5s} {'body':>6s} {'noise':>6s} {'recall':>7s} {'(chars)':>7s} "
        f"{'removal':>7s} {'(chars)':>7s} {'F1drop':>6s} {'rm@R99':>7s} {'rm@R98':>7s} {'mixed':>5s}"
    ]
    for name, s in rows.items():
        out.append(
            f"{name:{width}s} {s['docs']:5d} {s['body_lines']:6d} {s['noise_lines']:6d} "
            f"{s['body_recall']:7.4f} {s['body_recall_chars']:7.4f} {s['noise_removal']:7.4f} "
            f"{s['noise_removal_chars']:7.4f} {s['drop_f1']:6.4f} {rate(s['removal_at_99'])} "
            f"{rate(s['removal_at_98'])} {s['mixed_lines']:5d}"
        )
    return "\n".join(out) + "\n"


def _eval_html_folders(cleaner: Cleaner, folders: tuple[Path, ...], split: str, as_json: bool) -> None:
    from cleaner.evaluate_html import evaluate_html, format_table, pages_from

    reports = {}
    for folder in folders:
        try:
            pages = pages_from(folder, split)
        except (ValueError, KeyError, OSError) as exc:
            raise InputError(f"not a folder of HTML pages with gold text ({exc})") from None
        if not pages:
            raise InputError(f"{folder}: no pages of split {split!r}")
        reports[str(folder)] = evaluate_html(pages, cleaner.clean_html)
    if as_json:
        click.echo(json.dumps(reports, indent=2))
        return
    for folder, report in reports.items():
        click.echo(f"{folder} (split {split}):")
        click.echo(format_table(report))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI with the exit-code policy for pipes, Ctrl-C and library errors."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--debug"]
    try:
        cli.main(args=args, prog_name="cleaner", standalone_mode=False)
    except click.exceptions.Abort:
        _warn("cleaner: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _warn("cleaner: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except (BrokenPipeError, PipeClosed):
        _quiet_broken_pipe()
    except CleanerError as exc:
        if debug:
            raise
        _warn(f"cleaner: {exc}")
        sys.exit(EXIT_FAILED)
    except OSError as exc:  # the last resort: whatever else the system refused, said in one line
        if debug:
            raise
        _warn(f"cleaner: {exc.filename + ': ' if exc.filename else ''}{os_reason(exc)}")
        sys.exit(EXIT_FAILED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


def _quiet_broken_pipe() -> None:
    """The reader went away (``| head``): exit like a process killed by SIGPIPE, with no message."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    sys.exit(EXIT_BROKEN_PIPE)
