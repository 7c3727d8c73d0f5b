"""Clean on a Dask cluster: a list of files (:func:`clean_files`, :func:`clean_tree`) or a bag (:func:`clean_bag`).

    from distributed import Client
    from cleaner.integrations.dask import clean_bag, clean_tree

    client = Client("scheduler:8786")
    tally = clean_tree(Path("crawl"), Path("cleaned"), client)   # the same outputs as ``cleaner batch``
    docs = clean_bag(dask.bag.read_text("data/*.jsonl").map(json.loads))   # the same documents as ``--jsonl``

Files are cleaned by ``cleaner batch``'s own per-file code (:func:`cleaner.batch_run.clean_chunk`): the same plan,
the same outputs byte for byte, written atomically to the same relative paths; a file that fails is a
``FileResult`` with its ``error``, and the run goes on. Each worker process builds its Cleaner once, on its first
task, through ``cleaner batch``'s bounded per-process cache (:func:`cleaner.api.shared_cleaner`); the
workers are asked to load it before any file is sent, so that a bad model fails the call at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cleaner.integrations import missing_extra

try:
    import dask.bag as db
    from distributed import Client, get_client
except ImportError as exc:  # pragma: no cover - exercised with dask hidden, in a test
    raise missing_extra("dask", exc) from exc

from cleaner.api import shared_cleaner
from cleaner.batch_plan import FileResult, Task, file_kind, output_rel, plan_tree, remove_stale_temps
from cleaner.batch_report import Tally
from cleaner.batch_run import Settings, chunk_tasks, clean_chunk
from cleaner.errors import InputError
from cleaner.jsonl import clean_record
from cleaner.options import Options


def file_task(path: Path, src_root: Path, out_dir: Path) -> Task:
    """The task of cleaning ``path`` into the same relative path under ``out_dir`` that ``cleaner batch`` uses."""
    rel = path.relative_to(src_root).as_posix()
    kind = file_kind(path.name)
    if kind is None:
        raise ValueError(f"{rel}: not a .txt, .html/.htm or .jsonl file (optionally .gz)")
    return Task(str(path), str(out_dir / output_rel(rel, kind)), rel, kind, path.stat().st_size)


def _load_cleaner(settings: Settings) -> str:
    """Build this worker's Cleaner now (run on every worker); returns its source, ``model`` or ``rules``."""
    return shared_cleaner(settings.options, settings.model_path).source


def clean_tasks(tasks: list[Task], settings: Settings, client: Client | None = None) -> list[FileResult]:
    """Clean ``tasks`` on the cluster in chunks of about ``CHUNK_BYTES``, largest first; results sorted by path."""
    client = client or get_client()
    client.run(_load_cleaner, settings)
    threads = sum(client.nthreads().values()) or 1
    ordered = sorted(tasks, key=lambda t: (-t.size, t.rel))
    futures = client.map(clean_chunk, chunk_tasks(ordered, threads), settings=settings, pure=False)
    results = [r for chunk in client.gather(futures) for r in chunk]
    return sorted(results, key=lambda r: r.rel)


def clean_files(
    paths: Iterable[Path],
    out_dir: Path,
    src_root: Path,
    client: Client | None = None,
    options: Options | None = None,
    model_path: Path | None = None,
    text_field: str = "text",
) -> list[FileResult]:
    """Clean each file of ``paths`` (all under ``src_root``) into ``out_dir``, as ``cleaner batch`` would.

    Every file is cleaned, up to date or not; ``client`` defaults to the current Dask client.
    """
    tasks = [file_task(Path(p), src_root, out_dir) for p in paths]
    return clean_tasks(tasks, Settings(options or Options(), model_path, text_field), client)


def clean_tree(
    src: Path,
    dst: Path,
    client: Client | None = None,
    options: Options | None = None,
    model_path: Path | None = None,
    force: bool = False,
) -> Tally:
    """``cleaner batch SRC DST`` on the cluster: the same plan (skips counted by reason), outputs and tally."""
    if dst.is_dir():
        remove_stale_temps(dst)  # what a killed run left, as ``cleaner batch`` does
    plan = plan_tree(src, dst, (), force, explain=False)
    tally = Tally(skipped=plan.skipped)
    for result in [*plan.failures, *clean_tasks(plan.tasks, Settings(options or Options(), model_path), client)]:
        tally.add(result)
    return tally


def _clean_document(doc: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """One bag element cleaned like a ``--jsonl`` document; a document without the text field is an error."""
    if not isinstance(doc.get(settings.text_field), str):
        raise InputError(f"document without a string field {settings.text_field!r}: {str(doc)[:80]}")
    cleaner = shared_cleaner(settings.options, settings.model_path)
    return clean_record(cleaner, dict(doc), settings.text_field)[0]


def clean_bag(
    bag: db.Bag, options: Options | None = None, text_field: str = "text", model_path: Path | None = None
) -> db.Bag:
    """A bag of the cleaned documents: ``text_field`` cleaned, every other field kept, ``cleaner`` metadata added.

    Lazy, like any bag operation; the input documents are not modified. Filter out documents without the
    text field first: one makes the computation fail with :class:`~cleaner.errors.InputError`.
    """
    return bag.map(_clean_document, Settings(options or Options(), model_path, text_field))
