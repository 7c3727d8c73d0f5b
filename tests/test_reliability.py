"""Issue #12: no silent data loss, no tracebacks, nothing outside the output touched.

One test (or one table row) per case of the issue, in its order: outputs, encodings, HTML, JSONL, crashed
workers, stale batch outputs, hostile model files, tracebacks and exit codes, broken pipes, SIGTERM, smaller points.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from cleaner import batch_run, textio
from cleaner.api import Cleaner
from cleaner.batch import batch_command
from cleaner.batch_plan import FileResult, Task, plan_tree
from cleaner.batch_run import Settings, clean_file, in_flight, run_tasks
from cleaner.cli import cli, main
from cleaner.errors import ModelError
from cleaner.manifest import STATE_DIR, batch_lock
from cleaner.model import DEFAULT_MODEL, LinearModel, load_model, save_model
from cleaner.options import Options
from cleaner.textio import decode_document

ARTICLE = (
    "The minister resigned on Tuesday after weeks of pressure over the contracts, aides said.\n"
    "Her deputy will take over until a successor is named later this month, the office said.\n"
)
RULES = ("--no-model",)


def run(args: list[str], data: bytes = b"") -> tuple[int, bytes, str]:
    """Exit code, stdout and stderr of the CLI in this process, through ``main`` (the exit-code policy)."""
    result = CliRunner().invoke(cli, args, input=data)
    assert not isinstance(result.exception, (AttributeError, TypeError, UnicodeError)), result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr of ``main(args)`` (stdout is captured by pytest)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def run_process(args: list[str], data: bytes | None = None, **kw: Any) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], input=data, capture_output=True, **kw)


def shell(command: str, **kw: Any) -> subprocess.CompletedProcess:
    """``command`` in bash, with ``cleaner`` meaning this Python's ``-m cleaner``."""
    return subprocess.run(["bash", "-c", f'cleaner() {{ {sys.executable} -m cleaner "$@"; }}; {command}'], **kw)


def no_traceback(err: str | bytes) -> bool:
    return "Traceback" not in (err.decode() if isinstance(err, bytes) else err)


# ------------------------------------------------------------------------------------ 1. outputs keep their kind


def test_dash_o_dev_null_stays_a_device() -> None:
    code, _, err = run(["clean", *RULES, "-o", "/dev/null"], ARTICLE.encode())
    assert code == 0 and no_traceback(err)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dash_o_dev_stdout_prints() -> None:
    result = run_process(["clean", *RULES, "-o", "/dev/stdout"], ARTICLE.encode())
    assert result.returncode == 0 and result.stdout.decode() == ARTICLE


def test_dash_o_dev_stdout_appends_to_a_redirected_file(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_text("before\n")
    result = shell(f"cleaner clean --no-model -o /dev/stdout >> {log}", input=ARTICLE.encode())
    assert result.returncode == 0 and log.read_text() == "before\n" + ARTICLE


def _fifo_reader(path: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


@pytest.mark.parametrize("command", ["clean", "report", "batch"])
def test_fifo_output_is_written_through(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    thread, got = _fifo_reader(fifo)
    (tmp_path / "in.txt").write_text(ARTICLE)
    if command == "batch":
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "a.txt").write_text(ARTICLE)
        args = ["batch", *RULES, "-j", "1", str(tmp_path / "src"), str(tmp_path / "dst"), "--report", str(fifo)]
    else:
        args = [command, *RULES, str(tmp_path / "in.txt"), "-o", str(fifo)]
    code, _, err = run(args)
    thread.join(10)
    assert code == 0, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and got and got[0]


@pytest.mark.parametrize("command", ["clean", "report", "batch"])
def test_symlink_output_keeps_the_link_and_writes_its_target(tmp_path: Path, command: str) -> None:
    target, link = tmp_path / "real.out", tmp_path / "link.out"
    target.write_text("old")
    link.symlink_to(target)
    (tmp_path / "in.txt").write_text(ARTICLE)
    if command == "batch":
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "a.txt").write_text(ARTICLE)
        args = ["batch", *RULES, "-j", "1", str(tmp_path / "src"), str(tmp_path / "dst"), "--report", str(link)]
    else:
        args = [command, *RULES, str(tmp_path / "in.txt"), "-o", str(link)]
    code, _, err = run(args)
    assert code == 0, err
    assert link.is_symlink() and target.read_text() != "old"


def test_replaced_output_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old")
    out.chmod(0o640)
    assert run(["clean", *RULES, "-o", str(out)], ARTICLE.encode())[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text() == ARTICLE


def test_directory_as_output_is_an_error(tmp_path: Path) -> None:
    code, _, err = run(["clean", *RULES, "-o", str(tmp_path)], ARTICLE.encode())
    assert code != 0 and no_traceback(err)


# ------------------------------------------------------------------------------------ 2. encodings

SHORT_JA = "東京都の知事は月曜日に記者会見を開き、新しい予算案を発表した。"
SHORT_ZH = "北京市政府周一宣布了新的预算计划，包括三所新学校。"
RU = "Министр ушел в отставку во вторник после недель давления, сообщили помощники."


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("Die Förderung – sagte er.\nBad: ".encode() + b"\xff\n", "Die Förderung – sagte er.", "utf-8"),
        (
            f'<html><head><meta charset="windows-1251"></head><body><p>{RU}</p></body></html>'.encode("cp1251"),
            RU,
            "cp1251",
        ),
        (SHORT_JA.encode("shift_jis"), SHORT_JA, "cp932"),
        (SHORT_ZH.encode("gbk"), SHORT_ZH, "gb18030"),
        (ARTICLE.encode("utf-32"), ARTICLE, "utf-32"),
    ],
    ids=["one-bad-byte-in-utf8", "declared-windows-1251", "short-shift-jis", "short-gbk", "utf32-bom"],
)
def test_encodings_are_decoded_right(data: bytes, text: str, encoding: str) -> None:
    decoded = decode_document(data)
    assert text in decoded.text and decoded.encoding == encoding and "\x00" not in decoded.text


def test_bad_utf8_bytes_are_replaced_and_reported() -> None:
    data = ARTICLE.replace("minister", "Ministerin für Förderung").encode() + b"Bad \xff byte.\n"
    code, out, err = run(["clean", *RULES], data)
    assert code == 0 and "Förderung" in out.decode() and "1 invalid UTF-8 sequence(s) replaced" in err


def test_short_cjk_file_is_not_empty() -> None:
    code, out, _ = run(["clean", "--json", *RULES], SHORT_JA.encode("shift_jis") + b"\n")
    assert code == 0 and json.loads(out)["encoding"] == "cp932"


# ------------------------------------------------------------------------------------ 3. HTML that lxml refuses

PAGE = "<html><body><article><p>{0}</p><p>{1}</p>{2}</article></body></html>"


@pytest.mark.parametrize(
    "page",
    [
        PAGE.format(*ARTICLE.splitlines(), "<p>x&#8;y</p>"),
        PAGE.format(*ARTICLE.splitlines(), "<p>&#x1;</p>"),
        PAGE.format(*ARTICLE.splitlines(), "<p>a&#xFFFF;b</p>"),
        '<!DOCTYPE html [<!ENTITY x "y"> <!ENTITY % p "q">]>' + PAGE.format(*ARTICLE.splitlines(), "<p>&x;</p>"),
        PAGE.format(*ARTICLE.splitlines(), "<div>" * 300 + "deep" + "</div>" * 300),
    ],
    ids=["ref-8", "ref-x1", "ref-xffff", "doctype-subset", "nesting-300"],
)
def test_html_lxml_refuses_still_gives_the_article(page: str) -> None:
    code, out, err = run(["clean", "--html", *RULES], page.encode())
    assert code == 0 and "The minister resigned" in out.decode() and no_traceback(err)


def test_text_after_deep_nesting_is_kept() -> None:
    first, after = ARTICLE.splitlines()
    page = PAGE.format(first, "", "<div><span>" * 1000 + "deep" + "</span></div>" * 1000 + f"<p>{after}</p>")
    assert after in run(["clean", "--html", *RULES], page.encode())[1].decode()


def test_text_after_10000_identical_nested_tags_is_kept() -> None:
    first, after = ARTICLE.splitlines()
    page = PAGE.format(first, "", "<div>" * 10_000 + "deep" + "</div>" * 10_000 + f"<p>{after}</p>")
    assert after in run(["clean", "--html", *RULES], page.encode())[1].decode()


NO_EXTRACT = b"<html><head><title>A page with only a title</title></head><body></body></html>"


def test_html_with_text_but_nothing_extracted_is_an_error() -> None:
    code, out, err = run(["clean", "--html", *RULES], NO_EXTRACT)
    assert code == 1 and out == b"" and "no text could be extracted" in err


def test_html_with_nothing_extracted_fails_in_batch(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "empty.html").write_bytes(NO_EXTRACT)
    code, _, err = run(["batch", *RULES, "-j", "1", str(tmp_path / "src"), str(tmp_path / "dst")])
    assert code == 1 and "empty.html: no text could be extracted" in err


# ------------------------------------------------------------------------------------ 4. JSONL: one odd document

GOOD = json.dumps({"id": 1, "text": ARTICLE})
LAST = json.dumps({"id": 3, "text": ARTICLE})
ODD_LINES = {
    "lone-surrogate": '{"id": 2, "title": "bad \\ud800", "text": "The text of the article, long enough to stay."}',
    "deep-nesting": '{"id": 2, "x": ' + "[" * 100_000 + "]" * 100_000 + ', "text": "t"}',
}


@pytest.mark.parametrize("odd", ODD_LINES.values(), ids=ODD_LINES.keys())
def test_jsonl_odd_document_is_skipped_with_its_line(odd: str) -> None:
    code, out, err = run(["clean", "--jsonl", *RULES], f"{GOOD}\n{odd}\n{LAST}\n".encode())
    ids = [json.loads(line)["id"] for line in out.decode().splitlines()]
    assert code == 0 and ids == [1, 3] and "line 2" in err and no_traceback(err)


@pytest.mark.parametrize("odd", ODD_LINES.values(), ids=ODD_LINES.keys())
def test_jsonl_odd_document_does_not_fail_the_batch_file(tmp_path: Path, odd: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "d.jsonl").write_text(f"{GOOD}\n{odd}\n{LAST}\n")
    code, _, _ = run(["batch", *RULES, "-j", "1", str(tmp_path / "src"), str(tmp_path / "dst")])
    assert code == 0 and len((tmp_path / "dst" / "d.jsonl").read_text().splitlines()) == 2


def _truncated_gz(tmp_path: Path) -> Path:
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress("".join(json.dumps({"id": i, "text": ARTICLE * 20}) + "\n" for i in range(200)).encode())
    path.write_bytes(data[: len(data) // 2])
    return path


def test_jsonl_read_error_keeps_documents_before_and_goes_on(tmp_path: Path) -> None:
    cut, bad_utf8, good = _truncated_gz(tmp_path), tmp_path / "bad.jsonl", tmp_path / "good.jsonl"
    bad_utf8.write_bytes(f"{GOOD}\n".encode() + b'{"text": "\xff"}\n' + f"{LAST}\n".encode())
    good.write_text(GOOD + "\n")
    code, out, err = run(["clean", "--jsonl", *RULES, str(cut), str(bad_utf8), str(good)])
    ids = [json.loads(line)["id"] for line in out.decode().splitlines()]
    assert code == 1 and no_traceback(err)
    assert ids[0] == 0 and len(ids) > 3 and ids[-3:] == [1, 3, 1]  # the cut file's documents, then the others
    assert "cut.jsonl.gz: stopped at line" in err and "bad.jsonl: skipped line 2: not UTF-8" in err


def test_jsonl_read_error_in_batch_keeps_documents_and_fails_the_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _truncated_gz(src)
    (src / "z.jsonl").write_text(GOOD + "\n")
    code, _, err = run(["batch", *RULES, "-j", "1", str(src), str(tmp_path / "dst")])
    kept = gzip.decompress((tmp_path / "dst" / "cut.jsonl.gz").read_bytes()).decode().splitlines()
    assert code == 1 and len(kept) > 0 and "documents before it were written" in err
    assert (tmp_path / "dst" / "z.jsonl").is_file()


# ------------------------------------------------------------------------------------ 5. a crashed worker


def crashing_clean_file(task: Task, settings: Settings) -> FileResult:
    """clean_file, but the worker dies (like an out-of-memory kill) on files named crash*."""
    if task.rel.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return clean_file(task, settings)


@pytest.mark.parametrize("with_markers", [True, False], ids=["markers", "no-markers"])
def test_a_crashed_worker_fails_its_file_and_the_run_goes_on(tmp_path: Path, with_markers: bool) -> None:
    """Without markers the first death blames no file; the one that kills the next pools too is found alone."""
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    for i in range(40):
        (src / f"{'crash' if i == 5 else 'ok'}{i:02d}.txt").write_text(ARTICLE * (i + 1))
    plan = plan_tree(src, dst, (), False, False)
    markers = tmp_path / "markers" if with_markers else None
    if markers is not None:
        markers.mkdir()
    settings = Settings(Options(use_model=False))
    results = [r for rs in run_tasks(plan.tasks, settings, 2, markers, crashing_clean_file) for r in rs]
    failed = {r.rel: r.error for r in results if r.error}
    assert sorted(r.rel for r in results) == sorted(t.rel for t in plan.tasks)
    assert list(failed) == ["crash05.txt"] and "worker process died" in failed["crash05.txt"]
    assert len(list(dst.rglob("*.txt"))) == 39 and (markers is None or not in_flight(markers))


def killed_once_clean_file(task: Task, settings: Settings) -> FileResult:
    """clean_file, but the first worker to reach ok05.txt is killed (as by an out-of-memory kill), once."""
    flag = Path(task.src).with_suffix(".killed")
    if task.rel == "ok05.txt" and not flag.exists():
        flag.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return clean_file(task, settings)


def test_a_worker_death_that_names_no_file_goes_on_in_a_new_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No marker names a file (none given here, as for a worker killed between files): nothing is blamed, and
    the rest is cleaned by a new pool, not one file per fresh worker."""
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    for i in range(40):
        (src / f"ok{i:02d}.txt").write_text(ARTICLE * (i + 1))
    plan = plan_tree(src, dst, (), False, False)
    monkeypatch.setattr(batch_run, "_run_alone", lambda *a: pytest.fail("a file was run alone"))
    settings = Settings(Options(use_model=False))
    results = [r for rs in run_tasks(plan.tasks, settings, 2, None, killed_once_clean_file) for r in rs]
    assert sorted(r.rel for r in results) == sorted(t.rel for t in plan.tasks)
    assert not [r for r in results if r.error] and (src / "ok05.killed").exists()
    assert len(list(dst.rglob("*.txt"))) == 40


# ------------------------------------------------------------------------------------ 6. stale batch outputs


@pytest.fixture
def done_tree(tmp_path: Path) -> tuple[Path, Path]:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE)
    (src / "b.txt").write_text(ARTICLE)
    assert run_batch_report(src, dst)["files"]["ok"] == 2
    return src, dst


def run_batch_report(src: Path, dst: Path, *extra: str) -> dict[str, Any]:
    report = src.parent / "report.json"
    result = CliRunner().invoke(
        batch_command, [str(src), str(dst), "-j", "1", "--report", str(report), *extra], catch_exceptions=False
    )
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(report.read_text())


def test_older_copy_with_the_same_settings_is_redone(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE)
    run_batch_report(src, dst, *RULES)
    (src / "a.txt").write_text("A different article, long enough to be kept as body text by the rules.\n")
    os.utime(src / "a.txt", ns=(1, 1))
    assert run_batch_report(src, dst, *RULES)["files"]["ok"] == 1
    assert "A different article" in (dst / "a.txt").read_text()


def test_touched_but_unchanged_input_is_not_redone(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE)
    run_batch_report(src, dst, *RULES)
    os.utime(src / "a.txt", ns=(1, 1))
    assert run_batch_report(src, dst, *RULES)["skipped"] == {"up_to_date": 1}
    assert run_batch_report(src, dst, *RULES)["skipped"] == {"up_to_date": 1}  # its new time was recorded


@pytest.mark.parametrize("change", [["--threshold", "0.5"], ["--keep-category", "caption"], ["--no-model"]])
def test_changed_settings_redo_everything(done_tree: tuple[Path, Path], change: list[str]) -> None:
    assert run_batch_report(*done_tree, *change)["files"]["ok"] == 2


def test_another_model_redoes_everything(done_tree: tuple[Path, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.npz"
    model = load_model(DEFAULT_MODEL)
    save_model(
        LinearModel(model.classes, model.weights * 0.5, model.rows, model.meta, model.stage2, model.keep_head), other
    )
    assert run_batch_report(*done_tree, "--model", str(other))["files"]["ok"] == 2
    assert run_batch_report(*done_tree, "--model", str(other))["files"]["ok"] == 0


def test_input_edited_while_it_was_cleaned_is_redone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE)
    original = batch_run.clean_document

    def edit_while_cleaning(task: Task, settings: Settings) -> FileResult:
        result = original(task, settings)
        Path(task.src).write_text("Edited meanwhile: a new article line that is long enough to be kept.\n")
        return result

    monkeypatch.setattr(batch_run, "clean_document", edit_while_cleaning)
    run_batch_report(src, dst, *RULES)
    monkeypatch.setattr(batch_run, "clean_document", original)
    assert run_batch_report(src, dst, *RULES)["files"]["ok"] == 1
    assert "Edited meanwhile" in (dst / "a.txt").read_text()


def test_deleted_output_is_redone(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE)
    run_batch_report(src, dst, *RULES)
    (dst / "a.txt").unlink()
    assert run_batch_report(src, dst, *RULES)["files"]["ok"] == 1


def test_a_second_run_on_the_same_dst_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(ARTICLE)
    with batch_lock(tmp_path / "dst"):
        code, err = run_main(["batch", *RULES, str(tmp_path / "src"), str(tmp_path / "dst")], capsys)
    assert code == 1 and "another cleaner batch" in err and not (tmp_path / "dst" / "a.txt").exists()


# ------------------------------------------------------------------------------------ 7. hostile model files


def _npz(path: Path, **arrays: np.ndarray) -> Path:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())
    return path


def _header(**overrides: Any) -> np.ndarray:
    model = load_model(DEFAULT_MODEL)
    header = {"format": "cleaner-linear-v1", "classes": list(model.classes), **overrides}
    header.setdefault("feature_version", model.meta.get("feature_version", None))
    from cleaner.features import FEATURE_VERSION, N_FEATURES

    header.update(feature_version=FEATURE_VERSION, n_features=N_FEATURES)
    return np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)


def _huge_declared(path: Path) -> Path:
    """A valid archive whose weights member declares 10**12 float32 values (but holds none)."""
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "<f4", "fortran_order": False, "shape": (10**12,)})
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("weights.npy", npy.getvalue())
    return path


N_CLASSES = len(load_model(DEFAULT_MODEL).classes)
HOSTILE_MODELS = {
    "nan-weights": lambda p: _npz(
        p, weights=np.full((1, N_CLASSES), np.nan, np.float16), rows=np.array([3], np.int32), header=_header()
    ),
    "wrong-shape": lambda p: _npz(
        p, weights=np.zeros((2, N_CLASSES), np.float16), rows=np.array([3], np.int32), header=_header()
    ),
    "2d-rows": lambda p: _npz(
        p, weights=np.zeros((1, N_CLASSES), np.float16), rows=np.array([[3]], np.int32), header=_header()
    ),
    "list-header": lambda p: _npz(
        p,
        weights=np.zeros((1, N_CLASSES), np.float16),
        rows=np.array([3], np.int32),
        header=np.frombuffer(b"[1, 2]", np.uint8),
    ),
    "pickle-member": lambda p: _npz(p, weights=np.array([{"a": 1}], dtype=object), header=_header()),
    "huge-declared-array": _huge_declared,
}


@pytest.mark.parametrize("make", HOSTILE_MODELS.values(), ids=HOSTILE_MODELS.keys())
def test_hostile_model_is_refused_in_one_line(tmp_path: Path, make: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = make(tmp_path / "m.npz")
    with pytest.raises(ModelError, match=str(path)):
        load_model(path)
    (tmp_path / "in.txt").write_text(ARTICLE)
    code, err = run_main(["clean", "--model", str(path), str(tmp_path / "in.txt")], capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1 and no_traceback(err)


def test_fifo_as_model_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "m.npz"
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match="not a regular file"):
        load_model(fifo)


def test_dev_zero_as_model_does_not_hang() -> None:
    with pytest.raises(ModelError, match="not a regular file"):
        load_model(Path("/dev/zero"))


def test_nan_model_does_not_drop_every_line_silently(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = HOSTILE_MODELS["nan-weights"](tmp_path / "nan.npz")
    (tmp_path / "in.txt").write_text(ARTICLE)
    code, err = run_main(["clean", "--model", str(path), str(tmp_path / "in.txt")], capsys)
    assert code == 1 and "non-finite" in err


# ------------------------------------------------------------------------------------ tracebacks and exit codes


def test_corrupt_gz_is_an_error_in_clean_report_and_eval(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt.gz"
    bad.write_bytes(gzip.compress(ARTICLE.encode())[:12] + b"garbage" * 10)
    bad_jsonl = tmp_path / "bad.jsonl.gz"
    bad_jsonl.write_bytes(bad.read_bytes())
    for args in (
        ["clean", *RULES, str(bad)],
        ["report", *RULES, str(bad), "-o", str(tmp_path / "r.html")],
        ["eval", *RULES, str(bad_jsonl)],
        ["clean", "--jsonl", *RULES, str(bad_jsonl)],
    ):
        result = run_process(args)
        assert result.returncode == 1 and no_traceback(result.stderr), (args, result.stderr)


UNDECODABLE = os.fsdecode(b"caf\xe9.txt")


@pytest.mark.parametrize("mode", ["--json", "--explain"])
def test_file_name_not_utf8_in_clean(tmp_path: Path, mode: str) -> None:
    path = tmp_path / UNDECODABLE
    path.write_text(ARTICLE)
    result = run_process(["clean", mode, *RULES, str(path)])
    assert result.returncode == 0 and no_traceback(result.stderr)
    assert json.loads(result.stdout.splitlines()[0])["file"].endswith("caf\ufffd.txt")


def test_file_name_not_utf8_in_report_and_batch_report(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / UNDECODABLE).write_text(ARTICLE)
    (src / os.fsdecode(b"bad\xff.txt")).write_bytes(b"\x00 binary")
    html = run_process(["report", *RULES, str(src / UNDECODABLE), "-o", str(tmp_path / "r.html")])
    assert html.returncode == 0 and "caf\ufffd.txt" in (tmp_path / "r.html").read_text()
    result = run_process(["batch", *RULES, "-j", "1", str(src), str(tmp_path / "dst"), "--report", str(tmp_path / "r")])
    report = json.loads((tmp_path / "r").read_text())
    assert result.returncode == 1 and no_traceback(result.stderr)
    assert report["failures"][0]["path"] == "bad\ufffd.txt" and (tmp_path / "dst" / UNDECODABLE).is_file()


def test_closed_stdout_is_an_error() -> None:
    result = shell("cleaner clean --no-model >&-", input=ARTICLE.encode(), capture_output=True)
    assert result.returncode == 1 and no_traceback(result.stderr) and b"standard output is closed" in result.stderr


@pytest.mark.parametrize("where", ["stdout", "-o", "--report"])
def test_full_disk_is_an_error(tmp_path: Path, where: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(ARTICLE)
    command = {
        "stdout": "cleaner clean --no-model > /dev/full",
        "-o": "cleaner clean --no-model -o /dev/full",
        "--report": f"cleaner batch --no-model -j 1 {tmp_path / 'src'} {tmp_path / 'dst'} --report /dev/full",
    }[where]
    result = shell(command, input=ARTICLE.encode(), capture_output=True)
    assert result.returncode == 1 and no_traceback(result.stderr) and b"no space left" in result.stderr


def test_output_folder_without_permission_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(ARTICLE)
    real_open = os.open

    def deny(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(tmp_path / "dst")):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("cleaner.manifest.os.open", deny)
    code, err = run_main(["batch", *RULES, str(tmp_path / "src"), str(tmp_path / "dst")], capsys)
    assert code == 1 and "cannot write into the output folder (permission denied)" in err


def test_jsonl_with_closed_stdin_is_an_error() -> None:
    result = shell("cleaner clean --jsonl --no-model 0<&-", capture_output=True)
    assert result.returncode == 1 and no_traceback(result.stderr) and b"standard input is closed" in result.stderr


def test_dev_zero_as_input_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textio, "MAX_DOCUMENT_BYTES", 10_000)
    code, _, err = run(["clean", *RULES, "/dev/zero"])
    assert code == 1 and "/dev/zero: larger than 10,000 bytes" in err


def test_dev_zero_as_input_in_a_process() -> None:
    result = run_process(["clean", "--no-model", "/dev/zero"], timeout=120)
    assert result.returncode == 1 and b"larger than" in result.stderr and no_traceback(result.stderr)


def test_gzip_bomb_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textio, "MAX_DOCUMENT_BYTES", 10_000)
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"a" * 1_000_000))
    code, _, err = run(["clean", *RULES, str(bomb)])
    assert code == 1 and "larger than 10,000 bytes" in err


def _remove_tree(root: Path) -> None:
    """``rm -rf root`` without recursion (shutil.rmtree, and so pytest's own clean-up, recurses once per level)."""
    folders, stack = [], [root]
    while stack:
        folder = stack.pop()
        folders.append(folder)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                os.unlink(entry.path)
    for folder in reversed(folders):
        folder.rmdir()


@pytest.fixture
def deep_tmp(tmp_path: Path) -> Any:
    """``tmp_path``, emptied without recursion afterwards: a 1,000-deep tree would break pytest's clean-up."""
    yield tmp_path
    for child in list(tmp_path.iterdir()):
        _remove_tree(child) if child.is_dir() else child.unlink()


def test_very_deep_tree_in_batch(deep_tmp: Path) -> None:
    src = deep = deep_tmp / "src"
    src.mkdir()
    for _ in range(1000):  # not os.makedirs: it recurses once per level
        deep = deep / "d"
        deep.mkdir()
    (deep / "a.txt").write_text(ARTICLE)
    (src / "top.txt").write_text(ARTICLE)
    code, _, err = run(["batch", *RULES, "-j", "1", str(src), str(deep_tmp / "dst")])
    assert code == 0 and no_traceback(err)
    assert Path(deep_tmp / "dst", *["d"] * 1000, "a.txt").is_file()


# ------------------------------------------------------------------------------------ broken pipe: 141

MANY_DOCS = "".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in range(3000))


@pytest.mark.parametrize("mode", ["", "--json", "--explain", "--jsonl"])
def test_broken_pipe_exits_141(tmp_path: Path, mode: str) -> None:
    data = tmp_path / "in"
    data.write_text(MANY_DOCS if mode == "--jsonl" else ARTICLE * 3000)
    files = f"{data} " * (1 if mode == "--jsonl" else 3)
    result = shell(
        f"cleaner clean --no-model {mode} {files} | head -1 > /dev/null; exit ${{PIPESTATUS[0]}}", capture_output=True
    )
    assert result.returncode == 141 and b"pipe" not in result.stderr.lower() and no_traceback(result.stderr)


# ------------------------------------------------------------------------------------ SIGTERM ends the workers


def _children(pid: int) -> set[int]:
    kids = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            kids.add(int(status.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGTERM, False), (signal.SIGKILL, False), (signal.SIGINT, True)],
    ids=["sigterm", "kill-9", "ctrl-c"],  # Ctrl-C: the terminal signals the whole group, workers too
)
def test_killing_batch_ends_its_workers(tmp_path: Path, signum: int, group: bool) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(400):
        (src / f"{i:03d}.txt").write_text(ARTICLE * 200)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "batch", "--no-model", "-j", "2", str(src), str(tmp_path / "dst")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=group,
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and not any((tmp_path / "dst").glob("*.txt")):
        workers |= _children(proc.pid)
        time.sleep(0.05)
    workers |= _children(proc.pid)
    assert workers, "no worker processes started"
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    time.sleep(batch_run.WATCH_PARENT_SECONDS * 3)
    assert not [w for w in workers if _alive(w)]
    if signum != signal.SIGKILL:  # SIGTERM as Ctrl-C: a message, exit 130, no temporary files left
        assert proc.returncode == 130 and b"interrupted" in err and no_traceback(err)
        assert not [p for p in (tmp_path / "dst").rglob("*.tmp")]


def test_a_worker_that_starts_after_its_batch_process_died_exits() -> None:
    # A worker slow to start can run its initializer after a kill -9 of the batch process; it was then watching
    # init (its new parent) and lived on, holding the batch's stderr open (CI hung on it). The batch pid is given.
    code = "import time; from cleaner import batch_run; batch_run.watch_parent(-1); time.sleep(60)"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
    assert done.returncode == batch_run.EXIT_INTERRUPTED and time.monotonic() - started < 20


# ------------------------------------------------------------------------------------ smaller points


def test_jobs_above_the_cores_are_capped(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(ARTICLE)
    code, _, err = run(["batch", *RULES, "-j", "512", str(tmp_path / "src"), str(tmp_path / "dst")])
    assert code == 0 and "-j 512 is more than the" in err


def test_nul_after_the_first_8k_is_refused() -> None:
    code, out, err = run(["clean", *RULES], ARTICLE.encode() * 200 + b"\x00" + ARTICLE.encode())
    assert code == 1 and out == b"" and "NUL" in err


def test_cr_only_file_with_a_trailing_lf_is_split_on_cr() -> None:
    code, out, _ = run(["clean", *RULES], ARTICLE.replace("\n", "\r").encode() + b"\n")
    assert code == 0 and out.decode() == ARTICLE


def test_text_field_cannot_be_the_metadata_field() -> None:
    code, _, err = run(["clean", "--jsonl", "--text-field", "cleaner"], GOOD.encode())
    assert code == 2 and "the field cleaner adds" in err


def test_jsonl_numbers_are_written_as_read() -> None:
    code, out, _ = run(["clean", "--jsonl", *RULES], b'{"big": 1e400, "neg": -1E+999, "x": 1.5, "text": "t"}\n')
    assert code == 0 and out.startswith(b'{"big": 1e400, "neg": -1E+999, "x": 1.5,')


def test_batch_sniffs_html_in_txt_like_clean(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    page = PAGE.format(*ARTICLE.splitlines(), "")
    (tmp_path / "src" / "page.txt").write_text(page)
    assert run(["batch", *RULES, "-j", "1", str(tmp_path / "src"), str(tmp_path / "dst")])[0] == 0
    assert (tmp_path / "dst" / "page.txt").read_bytes() == run(["clean", *RULES], page.encode())[1]


def test_sidecar_clashing_with_a_source_file_is_a_failure(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE)
    (src / "a.txt.explain.jsonl").write_text(GOOD + "\n")
    code, _, err = run(["batch", *RULES, "-j", "1", "--explain", str(src), str(tmp_path / "dst")])
    assert code == 1 and "a.txt.explain.jsonl: its output name clashes with a.txt" in err
    assert json.loads((tmp_path / "dst" / "a.txt.explain.jsonl").read_text().splitlines()[0])["file"] == "a.txt"


def test_report_clashing_with_an_output_is_a_failure(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE)
    (src / "r.jsonl").write_text(GOOD + "\n")
    code, _, err = run(["batch", *RULES, "-j", "1", str(src), str(dst), "--report", str(dst / "r.jsonl")])
    assert code == 1 and "r.jsonl: its output name clashes with --report" in err
    assert "failures" in json.loads((dst / "r.jsonl").read_text())


def test_state_folder_name_in_src_is_a_clash(tmp_path: Path) -> None:
    (tmp_path / "src" / STATE_DIR).mkdir(parents=True)
    (tmp_path / "src" / STATE_DIR / "x.txt").write_text(ARTICLE)
    code, _, err = run(["batch", *RULES, "-j", "1", str(tmp_path / "src"), str(tmp_path / "dst")])
    assert code == 1 and "clashes with cleaner's state folder" in err


def test_permission_messages_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)

    def deny(*args: object, **kwargs: object) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(textio, "open", deny, raising=False)  # read_path's open(), not everyone's
    _, _, err = run(["clean", *RULES, str(path)])
    assert "permission denied" in err and "Permission denied" not in err


def test_rules_cleaner_is_unchanged_by_all_this() -> None:
    assert Cleaner(Options(use_model=False)).clean(ARTICLE) == ARTICLE
