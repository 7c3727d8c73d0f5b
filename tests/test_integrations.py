"""Scale-out integrations: the datatrove step and the Dask path give what ``cleaner batch`` / ``--jsonl`` give."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cleaner.batch import batch_command
from cleaner.cli import cli
from cleaner.manifest import STATE_DIR
from tests.conftest import REPO, SEEDS

EMPTIED = "Subscribe to our newsletter\nSkip to content\nShare this article\n"  # every line is boilerplate
HTML = (
    "<html><body><article><h1>Council approves new budget</h1>"
    "<p>The city council approved the new budget on Monday after a long and heated debate, officials said.</p>"
    "</article><footer>Copyright 2024</footer></body></html>"
)


def _missing(module: str, extra: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        importlib.util.find_spec(module) is None, reason=f"{module} not installed: pip install 'cleaner[{extra}]'"
    )


needs_datatrove = _missing("datatrove", "datatrove")
needs_dask = _missing("distributed", "dask")


def documents() -> list[dict[str, Any]]:
    """Every seed twice, plus a document that cleaning empties; ids are unique."""
    texts = [seed.read_text(encoding="utf-8") for seed in SEEDS] * 2 + [EMPTIED]
    return [{"id": f"doc-{i}", "source": "test", "text": text} for i, text in enumerate(texts)]


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")


def read_jsonl_gz(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for p in sorted(folder.glob("*.jsonl.gz")) for line in gzip.open(p, "rt")]


def cli_jsonl_bytes(docs: list[dict[str, Any]], tmp_path: Path) -> bytes:
    """The bytes ``cleaner clean --jsonl`` writes for ``docs``: what the README promises the engines match."""
    src = tmp_path / "cli-input.jsonl"
    write_jsonl(src, docs)
    result = CliRunner().invoke(cli, ["clean", "--jsonl", str(src)], catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr == ""
    return result.stdout_bytes


def jsonl_bytes(docs: list[dict[str, Any]]) -> bytes:
    """``docs`` serialized the way ``--jsonl`` writes a document: one compact JSON line each, UTF-8."""
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes (not ``cleaner batch``'s state folder)."""
    files = (p for p in sorted(root.rglob("*")) if p.is_file() and STATE_DIR not in p.relative_to(root).parts)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


# ------------------------------------------------------------------------------------ optional imports


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_importing_cleaner_imports_neither_datatrove_nor_dask() -> None:
    code = (
        "import sys, cleaner, cleaner.cli, cleaner.batch, cleaner.integrations\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'datatrove'}))"
    )
    assert _python(code).stdout.strip() == "[]"


@pytest.mark.parametrize(("module", "hidden"), [("datatrove", ("datatrove",)), ("dask", ("dask", "distributed"))])
def test_a_missing_dependency_names_the_extra(module: str, hidden: tuple[str, ...]) -> None:
    code = (
        f"import sys; sys.modules.update(dict.fromkeys({hidden!r}))\n"  # None in sys.modules: 'not installed'
        f"import cleaner.integrations.{module}"
    )
    result = _python(code)
    assert result.returncode == 1
    expected = f"ImportError: cleaner.integrations.{module} needs the '{module}' extra: pip install 'cleaner[{module}]'"
    assert expected in result.stderr


# ------------------------------------------------------------------------------------ datatrove


@needs_datatrove
def test_datatrove_pipeline_cleans_every_document_like_cleaner(tmp_path: Path) -> None:
    from examples.datatrove_pipeline import main

    docs = documents()
    for i in range(3):  # three files: with two tasks, each task reads its own share
        write_jsonl(tmp_path / "in" / f"part-{i}.jsonl", docs[i::3])
    main([str(tmp_path / "in"), str(tmp_path / "out"), "--tasks", "2", "--workers", "2"])
    out = {d["id"]: d for d in read_jsonl_gz(tmp_path / "out")}
    assert len(list((tmp_path / "out").glob("*.jsonl.gz"))) == 2
    assert sorted(out) == sorted(d["id"] for d in docs)  # the emptied document is kept by default
    # datatrove writes its own record layout ({"text", "id", "metadata": {...}}), so the comparison with
    # `cleaner clean --jsonl` is field by field: the same text and the same "cleaner" object per document
    expected = [json.loads(line) for line in cli_jsonl_bytes(docs, tmp_path).decode().splitlines()]
    assert len(expected) == len(docs)
    for want in expected:
        got = out[want["id"]]
        assert got.get("text", "") == want["text"]  # datatrove's JsonlWriter leaves out empty fields, text too
        assert got["metadata"]["cleaner"] == want["cleaner"]
        assert got["metadata"]["source"] == "test"


@needs_datatrove
def test_datatrove_step_drops_emptied_documents_with_a_reason_when_asked() -> None:
    from datatrove.data import Document

    from cleaner.integrations.datatrove import CleanerFilter

    step = CleanerFilter(drop_empty=True)
    docs = [Document(text=d["text"], id=d["id"]) for d in documents()]
    kept = list(step.run(iter(docs)))
    assert [d.id for d in kept] == [d.id for d in docs[:-1]]
    assert step.stats["dropped_empty"].total == 1
    assert docs[-1].text == EMPTIED  # a dropped document keeps its text, for an exclusion writer


@needs_datatrove
def test_datatrove_step_counts_dropped_lines_by_category() -> None:
    from datatrove.data import Document

    from cleaner.integrations.datatrove import CleanerFilter

    step = CleanerFilter()
    kept = list(step.run(iter([Document(text=d["text"], id=d["id"]) for d in documents()])))
    dropped: dict[str, int] = {}
    for doc in kept:
        for category, n in doc.metadata["cleaner"]["dropped"].items():
            dropped[category] = dropped.get(category, 0) + n
    assert dropped and {c: step.stats[f"lines_dropped_{c}"].total for c in dropped} == dropped
    assert step.stats["lines_dropped"].total == sum(dropped.values())


# ------------------------------------------------------------------------------------ dask


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes of one thread each, closed after the module's tests."""
    if importlib.util.find_spec("distributed") is None:
        pytest.skip("dask not installed: pip install 'cleaner[dask]'")
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """Seeds at two depths, an HTML page, a gzipped text, a JSONL dataset and a file batch skips."""
    root = tmp_path / "src"
    for seed in SEEDS:
        (root / "news" / "deep").mkdir(parents=True, exist_ok=True)
        (root / "news" / seed.name).write_bytes(seed.read_bytes())
    (root / "news" / "deep" / "page.html").write_text(HTML, encoding="utf-8")
    (root / "news" / "deep" / "seed.txt.gz").write_bytes(gzip.compress(SEEDS[0].read_bytes(), mtime=0))
    write_jsonl(root / "data.jsonl", documents()[:3])
    (root / "notes.md").write_text("# not an input\n", encoding="utf-8")
    return root


def batch_tree(src: Path, dst: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(batch_command, [str(src), str(dst), "-j", "1", "-q"], catch_exceptions=False)
    assert result.exit_code == 0
    return tree(dst)


@needs_dask
def test_dask_clean_files_writes_what_cleaner_batch_writes(client: Any, src: Path, tmp_path: Path) -> None:
    from cleaner.integrations.dask import clean_files

    paths = [p for p in src.rglob("*") if p.is_file() and p.suffix != ".md"]
    results = clean_files(paths, tmp_path / "dask", src, client)
    assert [r.error for r in results] == [None] * len(paths)
    assert tree(tmp_path / "dask") == batch_tree(src, tmp_path / "batch")


@needs_dask
def test_dask_clean_tree_plans_like_cleaner_batch(client: Any, src: Path, tmp_path: Path) -> None:
    from cleaner.integrations.dask import clean_tree

    first = clean_tree(src, tmp_path / "dask", client)
    again = clean_tree(src, tmp_path / "dask", client)  # resumes: every output is up to date
    assert (first.ok, dict(first.skipped)) == (8, {"unsupported": 1})
    assert (again.ok, dict(again.skipped)) == (0, {"unsupported": 1, "up_to_date": 8})
    assert tree(tmp_path / "dask") == batch_tree(src, tmp_path / "batch")


@needs_dask
def test_dask_workers_load_the_model_once(client: Any, src: Path, tmp_path: Path) -> None:
    """Counts model loads on each worker from a cold start, so that a load per file or per chunk shows."""
    from cleaner.integrations.dask import clean_tree

    def count_loads() -> None:  # nested: cloudpickle sends it by value to the workers
        import cleaner.api

        real = getattr(cleaner.api.load_model, "real", cleaner.api.load_model)

        def counting(path: Path) -> Any:
            counting.calls += 1  # type: ignore[attr-defined]
            return real(path)

        counting.calls = 0  # type: ignore[attr-defined]
        counting.real = real  # type: ignore[attr-defined]
        cleaner.api.load_model = counting
        cleaner.api.shared_cleaner.cache_clear()

    def loads_and_restore() -> int:
        import cleaner.api

        calls = cleaner.api.load_model.calls
        cleaner.api.load_model = cleaner.api.load_model.real
        return calls

    client.run(count_loads)
    try:
        tally = clean_tree(src, tmp_path / "dask", client)
    finally:
        loads = client.run(loads_and_restore)
    assert tally.ok == 8
    assert list(loads.values()) == [1, 1]  # one model load per worker process, reused for all 8 files


def test_dask_clean_files_refuses_a_file_batch_would_skip(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="dask not installed: pip install 'cleaner[dask]'")
    from cleaner.integrations.dask import file_task

    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes\.md: not a \.txt"):
        file_task(tmp_path / "notes.md", tmp_path, tmp_path / "out")


@needs_dask
def test_dask_clean_bag_equals_the_jsonl_path(client: Any, tmp_path: Path) -> None:
    import dask.bag as db

    from cleaner.integrations.dask import clean_bag

    docs = documents()
    cleaned = clean_bag(db.from_sequence(docs, npartitions=3)).compute()
    assert jsonl_bytes(cleaned) == cli_jsonl_bytes(docs, tmp_path)
    assert docs == documents()  # the input documents are left as they were


@needs_dask
def test_dask_clean_bag_fails_on_a_document_without_the_text_field(client: Any) -> None:
    import dask.bag as db

    from cleaner.errors import InputError
    from cleaner.integrations.dask import clean_bag

    with pytest.raises(InputError, match="without a string field 'text'"):
        clean_bag(db.from_sequence([{"id": 1, "title": "no text"}])).compute()


@needs_dask
def test_dask_example_bag_mode_writes_the_jsonl_path_output(client: Any, tmp_path: Path) -> None:
    from examples.dask_clean import parse_args, run

    docs = documents()
    write_jsonl(tmp_path / "in" / "a.jsonl", docs[:5])
    write_jsonl(tmp_path / "in" / "b.jsonl", docs[5:])
    assert run(parse_args([str(tmp_path / "in"), str(tmp_path / "out"), "--bag"]), client) == 0
    parts = sorted((tmp_path / "out").glob("*.jsonl"), key=lambda p: int(p.stem))
    assert b"".join(p.read_bytes() for p in parts) == cli_jsonl_bytes(docs, tmp_path)
