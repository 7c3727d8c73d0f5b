"""The CLI contract: filter semantics, --explain, --json, --jsonl, HTML, exit codes, help."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cleaner.api import Cleaner
from cleaner.cli import cli, main
from tests.conftest import SEEDS

NOISY = (
    "Skip to content\n"
    "Council approves new budget\n"
    "\n"
    "The city council approved the new budget on Monday after a long and heated debate, officials said.\n"
    "\n"
    "* indicates required\n"
    "\n"
    "\n"
    "The mayor said the plan would fund three new schools and repair the main bridge by next spring.\n"
    "The works start in May, and the city expects them to finish before the winter, the mayor added.\n"
    "Subscribe\n"
)


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def is_subsequence(out_lines: list[str], in_lines: list[str]) -> bool:
    it = iter(in_lines)
    return all(any(line == candidate for candidate in it) for line in out_lines)


def test_stdin_to_stdout_drops_noise() -> None:
    code, out, _ = run("clean", input=NOISY)
    assert code == 0
    assert "* indicates required" not in out and "Skip to content" not in out
    assert "The mayor said the plan" in out


def test_output_is_subsequence_of_input() -> None:
    _, out, _ = run("clean", input=NOISY)
    assert is_subsequence(out.splitlines(), NOISY.splitlines())


def test_blank_runs_collapse_and_no_edge_blanks() -> None:
    _, out, _ = run("clean", input=NOISY)
    assert "\n\n\n" not in out and not out.startswith("\n") and not out.endswith("\n\n")


def test_dash_means_stdin() -> None:
    assert run("clean", "-", input=NOISY)[1] == run("clean", input=NOISY)[1]


def test_files_are_cleaned_in_order() -> None:
    code, out, _ = run("clean", str(SEEDS[4]), str(SEEDS[0]))
    assert code == 0
    assert out == run("clean", str(SEEDS[4]))[1] + run("clean", str(SEEDS[0]))[1]
    assert out.index("Yuri Ushakov, the Russian President") < out.index("A senior aide")


def test_explain_has_one_record_per_nonblank_line() -> None:
    _, out, _ = run("clean", "--explain", str(SEEDS[2]))
    records = [json.loads(line) for line in out.splitlines()]
    nonblank = [n for n, line in enumerate(SEEDS[2].read_text(encoding="utf-8").split("\n"), 1) if line.strip()]
    assert [r["n"] for r in records] == nonblank
    assert set(records[0]) == {"file", "n", "keep", "category", "score", "text"}
    assert records[0]["file"] == str(SEEDS[2])


def test_explain_keep_reproduces_plain_output() -> None:
    _, plain, _ = run("clean", str(SEEDS[3]))
    _, out, _ = run("clean", "--explain", str(SEEDS[3]))
    kept = [r["text"] for r in map(json.loads, out.splitlines()) if r["keep"]]
    assert [line for line in plain.splitlines() if line.strip()] == kept


def test_explain_scores_are_the_model_scores() -> None:
    _, out, _ = run("clean", "--explain", input=NOISY)
    records = [json.loads(line) for line in out.splitlines()]
    decisions = Cleaner().classify(NOISY).decisions
    assert [(r["n"], r["keep"], r["category"], r["score"]) for r in records] == [
        (d.n, d.keep, d.category, round(d.score, 4)) for d in decisions
    ]
    assert all(type(r["score"]) is float for r in records)  # not the keep flag (True == 1 in Python)
    assert any(0.0 < r["score"] < 1.0 for r in records)


def test_explain_reads_stdin_as_dash() -> None:
    _, out, _ = run("clean", "--explain", input=NOISY)
    assert json.loads(out.splitlines()[0])["file"] == "-"


def test_json_reports_truncated_and_counts() -> None:
    _, out, _ = run("clean", "--json", str(SEEDS[1]))
    doc = json.loads(out)
    assert doc["truncated"] is True
    assert doc["dropped"].get("paywall") == 1
    assert doc["text"].endswith("less tha...\n")


def test_json_fields_are_the_document_facts() -> None:
    _, out, _ = run("clean", "--json", input=NOISY)
    result = Cleaner().classify(NOISY)
    counts = result.counts()
    assert json.loads(out) == {
        "file": "-",
        "text": result.text,
        "truncated": False,
        "source": "model",
        "encoding": "utf-8",
        "lines": 7,  # non-blank lines: NOISY's four blank lines are not counted
        "kept": counts["kept"],
        "dropped": counts["dropped"],
    }
    assert sum(counts["kept"].values()) == 4 and sum(counts["dropped"].values()) == 3  # the headline is kept


def test_keep_category_keeps_captions() -> None:
    _, out, _ = run("clean", "--keep-category", "caption", str(SEEDS[2]))
    assert "Credit: TV Brics" in out


def test_threshold_zero_drops_only_hard_rules_and_repeats() -> None:
    doc = (
        "Council approves new budget\n"
        "* indicates required\n"  # a hard rule: dropped whatever the threshold
        "Sign up for our newsletter\n"  # noise, but no hard rule: kept at threshold 0
        "The city council approved the new budget on Monday after a long and heated debate, officials said.\n"
        "Council approves new budget\n"  # the headline again: a repeat
    )
    _, out, _ = run("clean", "--explain", "--threshold", "0", input=doc)
    dropped = [(r["n"], r["category"]) for r in map(json.loads, out.splitlines()) if not r["keep"]]
    assert dropped == [(2, "newsletter"), (5, "repeat")]


def test_no_model_warns_and_cleans() -> None:
    code, out, err = run("clean", "--no-model", input=NOISY)
    assert code == 0 and "heuristic" in err
    assert "* indicates required" not in out


def test_html_file_goes_through_extraction(tmp_path: Path) -> None:
    body = "".join(
        f"<p>Paragraph {i} of the story says something long enough to count as article text.</p>" for i in range(6)
    )
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><nav>Home</nav><article><h1>Big news</h1>{body}</article></body></html>")
    code, out, _ = run("clean", str(page))
    assert code == 0
    assert "Paragraph 3 of the story" in out and "<p>" not in out


def test_html_on_stdin_is_sniffed() -> None:
    page = "<!DOCTYPE html><html><body><article>" + "<p>A long paragraph of article text for the test.</p>" * 5
    _, out, _ = run("clean", input=page + "</article></body></html>")
    assert "<p>" not in out and "A long paragraph" in out


def test_jsonl_round_trip_keeps_other_fields() -> None:
    doc = {"id": 7, "url": "u", "meta": {"a": [1]}, "text": NOISY}
    code, out, _ = run("clean", "--jsonl", input=json.dumps(doc) + "\n")
    got = json.loads(out)
    assert code == 0
    assert {k: got[k] for k in ("id", "url", "meta")} == {"id": 7, "url": "u", "meta": {"a": [1]}}
    assert "* indicates required" not in got["text"]
    assert got["cleaner"] == Cleaner().classify(NOISY).metadata()
    assert got["cleaner"]["kept_lines"] == 4 and got["cleaner"]["dropped_lines"] == 3  # the headline is kept


def test_jsonl_bad_lines_reported_with_line_numbers() -> None:
    data = json.dumps({"text": "Hello there, this is a line of text."}) + "\n{broken\n" + json.dumps({"x": 1}) + "\n"
    code, out, err = run("clean", "--jsonl", input=data)
    assert code == 0 and len(out.splitlines()) == 1
    assert "line 2" in err and "line 3" in err


def test_jsonl_file_with_bom_reads_its_first_document(tmp_path: Path) -> None:
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + (json.dumps({"text": NOISY}) + "\n").encode())
    code, out, err = run("clean", "--jsonl", str(src))
    assert code == 0 and err == "" and "The mayor said" in json.loads(out)["text"]


def test_jsonl_line_not_utf8_is_skipped_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "latin.jsonl"
    src.write_bytes(json.dumps({"text": "Grüße"}, ensure_ascii=False).encode("latin-1") + b"\n")
    main(["clean", "--jsonl", str(src)])
    err = capsys.readouterr().err
    assert str(src) in err and "line 1: not UTF-8" in err


def test_jsonl_on_error_fail_exits_1() -> None:
    code, _, _ = run("clean", "--jsonl", "--on-error", "fail", input="{broken\n")
    assert code == 1


def test_jsonl_gzip_in_and_out(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.jsonl.gz", tmp_path / "out.jsonl.gz"
    src.write_bytes(gzip.compress((json.dumps({"text": NOISY}) + "\n").encode()))
    code, _, _ = run("clean", "--jsonl", str(src), "-o", str(dst))
    assert code == 0
    assert "The mayor said" in json.loads(gzip.decompress(dst.read_bytes()))["text"]


def test_missing_file_is_an_error_but_others_are_cleaned(tmp_path: Path) -> None:
    code, out, err = run("clean", str(tmp_path / "nope.txt"), str(SEEDS[0]))
    assert code == 1 and "no such file" in err and "Kremlin aide" in out


def test_usage_error_exits_2() -> None:
    assert run("clean", "--threshold", "7")[0] == 2


def test_bad_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.npz"
    bad.write_bytes(b"not a model")
    result = subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", "--model", str(bad)], input=b"x\n", capture_output=True
    )
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and str(bad).encode() in result.stderr


def test_output_file_written_atomically(tmp_path: Path) -> None:
    dst = tmp_path / "out.txt"
    code, _, _ = run("clean", str(SEEDS[0]), "-o", str(dst))
    assert code == 0 and "Kremlin aide" in dst.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_output_file_is_untouched_when_a_run_is_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dst = tmp_path / "out.txt"
    dst.write_text("the previous output\n", encoding="utf-8")
    calls = iter(range(10))
    iter_clean = Cleaner.iter_clean  # what plain-text output cleans with

    def interrupted_on_second_file(self: Cleaner, text: str, html: bool | None = None) -> Any:
        if next(calls) == 1:
            raise KeyboardInterrupt
        return iter_clean(self, text, html)

    monkeypatch.setattr(Cleaner, "iter_clean", interrupted_on_second_file)
    with pytest.raises(SystemExit) as exc:
        main(["clean", str(SEEDS[0]), str(SEEDS[1]), "-o", str(dst)])
    assert exc.value.code == 130
    assert dst.read_text(encoding="utf-8") == "the previous output\n"  # not the first file's text, not half a file
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_broken_pipe_is_quiet_and_exits_141(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(SEEDS[0].read_text(encoding="utf-8") * 300, encoding="utf-8")  # far more than a pipe buffer
    cmd = f'{sys.executable} -m cleaner clean {big} | head -1; echo "exit=${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True)
    assert result.stderr == ""
    assert result.stdout.splitlines()[1:] == ["exit=141"]  # 128 + SIGPIPE, like a Unix tool killed by the pipe


def test_every_command_has_help() -> None:
    commands = cli.all_commands()
    assert {"clean", "eval", "batch", "report"} <= set(commands)  # batch, imported lazily, is listed too
    for name, command in commands.items():
        assert command.help, name
        code, out, _ = run(name, "--help")
        assert code == 0 and "Usage" in out


def test_main_turns_click_errors_into_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["clean", "--threshold", "nan-ish"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--threshold'" in err and "Traceback" not in err
