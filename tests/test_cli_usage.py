"""The CLI without sharp edges (issue 13): output modes, progress, help, messages and output details."""

from __future__ import annotations

import gzip
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import cli as cli_module
from cleaner.categories import DROP_CATEGORIES
from cleaner.cli import cli, main
from cleaner.errors import ModelError
from cleaner.manifest import STATE_DIR
from tests.conftest import SEEDS

ARTICLE = "The city council approved the new budget on Monday after a long and heated debate, officials said."
DOC = f"Skip to content\nCouncil approves new budget\n{ARTICLE}\nSubscribe to our newsletter\n"
COMMANDS = ("clean", "eval", "batch", "report")


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def jsonl(*docs: dict[str, object]) -> str:
    return "".join(json.dumps(d) + "\n" for d in docs)


# ------------------------------------------------------------------------------------ output modes (item 3)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--explain", "--json"], "--explain and --json are two output formats"),
        (["--jsonl", "--json"], "--jsonl already writes each document as JSON"),
        (["--text-field", "body"], "--text-field applies to JSONL input only"),
        (["--on-error", "fail"], "--on-error applies to JSONL input only"),
    ],
)
def test_clashing_output_options_are_usage_errors(flags: list[str], message: str) -> None:
    code, out, err = run("clean", *flags, input=DOC)
    assert code == 2 and out == "" and message in err


def test_jsonl_explain_gives_each_documents_decisions_with_its_dataset_line() -> None:
    data = jsonl({"text": DOC}) + "\n" + jsonl({"text": "Share on Facebook\n" + ARTICLE})
    code, out, _ = run("clean", "--jsonl", "--explain", "--no-model", input=data)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(r["line"], r["n"]) for r in records] == [(1, 1), (1, 2), (1, 3), (1, 4), (3, 1), (3, 2)]
    assert records[0] == {**records[0], "file": "-", "keep": False, "text": "Skip to content"}
    assert records[-1]["text"] == ARTICLE and records[-1]["keep"]


def test_jsonl_html_extracts_the_text_field() -> None:
    page = f"<html><body><nav>Home</nav><article><h1>Budget</h1><p>{ARTICLE}</p></article></body></html>"
    _, plain, _ = run("clean", "--jsonl", "--no-model", input=jsonl({"text": page}))
    code, html, _ = run("clean", "--jsonl", "--html", "--no-model", input=jsonl({"text": page}))
    assert code == 0 and "<p>" in json.loads(plain)["text"]
    assert json.loads(html)["text"].strip().endswith(ARTICLE) and "<" not in json.loads(html)["text"]


# ------------------------------------------------------------------------------------ progress (item 4)


def test_jsonl_progress_bar_goes_to_a_terminal_stderr_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "data.jsonl"
    src.write_text(jsonl({"text": DOC}, {"text": DOC}), encoding="utf-8")
    monkeypatch.setattr(cli_module, "_is_tty", lambda stream: stream is sys.stderr)
    monkeypatch.setattr(cli_module, "PROGRESS_DELAY", 0.0)
    main(["clean", "--jsonl", "--no-model", str(src)])
    out, err = capsys.readouterr()
    assert "data.jsonl: 100%" in err and "2 docs" in err
    assert [json.loads(line)["cleaner"]["source"] for line in out.splitlines()] == ["rules", "rules"]


def test_no_progress_bar_when_stderr_is_not_a_terminal() -> None:
    code, _, err = run("clean", "--jsonl", "--no-model", input=jsonl({"text": DOC}) * 3)
    assert code == 0 and "docs" not in err and "%" not in err


# ------------------------------------------------------------------------------------ help and messages (item 5)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_debug_is_in_every_help(command: str) -> None:
    _, out, _ = run(*filter(None, [command]), "--help")
    assert "--debug" in out and "traceback" in out


def test_debug_shows_the_traceback_behind_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model file not found"):
        main(["clean", "--model", str(tmp_path / "missing.npz"), "--debug", str(SEEDS[0])])


@pytest.mark.parametrize("command", COMMANDS)
def test_model_help_names_the_environment_variable(command: str) -> None:
    assert "CLEANER_MODEL" in run(command, "--help")[1]


@pytest.mark.parametrize("command", ["clean", "batch", "report"])
def test_keep_category_help_lists_the_categories(command: str) -> None:
    out = " ".join(run(command, "--help")[1].split())
    assert ", ".join(DROP_CATEGORIES) in out


def test_report_keeps_a_category_when_asked(tmp_path: Path) -> None:
    def struck(*flags: str) -> bool:
        page = tmp_path / "r.html"
        assert run("report", "--no-model", *flags, "-", "-o", str(page), input=DOC)[0] == 0
        return re.search("<del [^>]*>Subscribe to our newsletter", page.read_text(encoding="utf-8")) is not None

    assert struck() and not struck("--keep-category", "newsletter")


def test_batch_html_treats_text_files_as_html(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    page = f"<html><body><article><p>{ARTICLE}</p></article></body></html>"
    (tmp_path / "src" / "a.txt").write_text(page, encoding="utf-8")
    code, _, _ = run("batch", str(tmp_path / "src"), str(tmp_path / "dst"), "--html", "--no-model", "-j", "1", "-q")
    assert code == 0 and (tmp_path / "dst" / "a.txt").read_text(encoding="utf-8") == ARTICLE + "\n"


def test_batch_max_line_chars_passes_longer_lines_through(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(DOC, encoding="utf-8")
    code, _, _ = run(
        "batch", str(tmp_path / "src"), str(tmp_path / "dst"), "--max-line-chars", "5", "--no-model", "-j", "1", "-q"
    )
    assert code == 0 and (tmp_path / "dst" / "a.txt").read_text(encoding="utf-8") == DOC  # every line is "long"


def test_eval_on_unlabeled_data_names_the_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "plain.jsonl"
    data.write_text(jsonl({"lines": [{"text": "A", "label": "body"}]}, {"text": "a page"}), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["eval", "--no-model", str(data)])
    err = capsys.readouterr().err
    assert exc.value.code == 1 and f"{data}, line 2: not labeled line-set data" in err and "Traceback" not in err


def test_eval_on_a_flavor_with_no_documents_is_a_usage_error() -> None:
    code, out, err = run("eval", "--no-model", "--flavor", "bogus", "training/data/seeds.jsonl")
    assert code == 2 and out == "" and "no 'bogus' documents" in err and "flavors there: residue" in err


def test_stdin_on_a_terminal_says_it_is_reading_it() -> None:
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CLEANER_MODEL"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "clean", "--no-model"],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    os.write(leader, f"{ARTICLE}\n\x04".encode())  # Ctrl-D at the start of a line: end of input
    out, err = proc.communicate(timeout=60)
    os.close(leader)
    assert proc.returncode == 0 and out.decode() == ARTICLE + "\n"
    assert cli_module.STDIN_HINT in err.decode()


def test_no_stdin_hint_when_stdin_is_a_pipe() -> None:
    assert cli_module.STDIN_HINT not in run("clean", "--no-model", input=DOC)[2]


# ------------------------------------------------------------------------------------ output details (item 7)


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_jsonl_text_keeps_its_original_ending(ending: str) -> None:
    text = f"Council approves new budget{ending or chr(10)}{ARTICLE}{ending}"
    code, out, _ = run("clean", "--jsonl", "--no-model", input=jsonl({"text": text}))
    assert code == 0 and json.loads(out)["text"].endswith(ARTICLE + ending)


def test_jsonl_text_without_final_newline_has_none_when_its_last_line_is_dropped() -> None:
    _, out, _ = run("clean", "--jsonl", "--no-model", input=jsonl({"text": f"{ARTICLE}\nSubscribe to our newsletter"}))
    assert json.loads(out)["text"] == ARTICLE


def test_batch_names_html_text_outputs_txt(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "news").mkdir(parents=True)
    page = f"<html><body><article><p>{ARTICLE}</p></article></body></html>"
    (src / "news" / "a.html").write_text(page, encoding="utf-8")
    (src / "b.HTM.gz").write_bytes(gzip.compress(page.encode()))
    code, _, _ = run("batch", str(src), str(tmp_path / "dst"), "--no-model", "-j", "1", "-q", "--explain")
    dst = tmp_path / "dst"
    files = sorted(p.relative_to(dst).as_posix() for p in dst.rglob("*") if p.is_file() and STATE_DIR not in p.parts)
    assert code == 0 and files == ["b.txt.gz", "b.txt.gz.explain.jsonl", "news/a.txt", "news/a.txt.explain.jsonl"]


def test_batch_refuses_two_inputs_with_one_output_name(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.html").write_text(f"<html><body><p>{ARTICLE}</p></body></html>", encoding="utf-8")
    (src / "a.txt").write_text(ARTICLE + "\n", encoding="utf-8")
    report = tmp_path / "report.json"
    code, _, err = run("batch", str(src), str(tmp_path / "dst"), "--no-model", "-j", "1", "-q", "--report", str(report))
    assert code == 1 and "a.html: its output a.txt is also the output of a.txt" in err
    assert (tmp_path / "dst" / "a.txt").read_text(encoding="utf-8") == ARTICLE + "\n"  # the .txt input's own
    assert json.loads(report.read_text())["failures"] == [
        {"path": "a.html", "error": "its output a.txt is also the output of a.txt"}
    ]
