"""What the web throws at us: each nasty input has a defined outcome, never a traceback."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, InputError, clean, textio
from cleaner.cli import cli
from cleaner.textio import GUESS_MIN_BYTES, decode_bytes

ARTICLE = (
    "The minister resigned on Tuesday after weeks of pressure over the contracts, aides said.\n"
    "Her deputy will take over until a successor is named later this month, the office said.\n"
)


def run(args: list[str], data: bytes) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, args, input=data, catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def run_process(args: list[str], data: bytes | None = None, **kw: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], input=data, capture_output=True, **kw)


@pytest.mark.parametrize("data", [b"", b"\n\n\n", b"   \n\t\n"], ids=["empty", "newlines", "whitespace"])
def test_empty_and_blank_inputs_give_empty_output(data: bytes) -> None:
    assert run(["clean"], data)[:2] == (0, b"")


def test_single_line_without_newline() -> None:
    line = ARTICLE.splitlines()[0].encode()
    code, out, _ = run(["clean"], line)
    assert code == 0 and out == line + b"\n"


def test_crlf_line_endings_are_preserved() -> None:
    data = ARTICLE.replace("\n", "\r\n").encode()
    code, out, _ = run(["clean"], data)
    assert code == 0 and out == data


def test_lone_cr_files_are_split_on_cr() -> None:
    code, out, _ = run(["clean"], ARTICLE.replace("\n", "\r").encode())
    assert code == 0 and out.decode() == ARTICLE


def test_utf8_bom_is_decoded() -> None:
    code, out, _ = run(["clean"], b"\xef\xbb\xbf" + ARTICLE.encode())
    assert code == 0 and out.decode() == ARTICLE


def test_utf16_with_bom_is_decoded() -> None:
    code, out, _ = run(["clean", "--json"], ARTICLE.encode("utf-16"))
    assert code == 0 and b'"encoding": "utf-16"' in out and b"The minister resigned" in out


def test_legacy_encoding_of_a_long_text_is_detected() -> None:
    """Enough text for charset_normalizer: Cyrillic cp1251 is not misread as cp1252 mojibake."""
    text = (
        "Министр подал в отставку во вторник после нескольких недель давления из-за контрактов, "
        "сообщили помощники. Его заместитель будет исполнять обязанности до назначения преемника.\n"
    ) * 4
    data = text.encode("cp1251")
    assert len(data) >= GUESS_MIN_BYTES
    assert decode_bytes(data) == (text, "cp1251")


def test_cp1252_is_decoded() -> None:
    text = "Die Ministerin trat am Dienstag zurück, nachdem die Verträge öffentlich wurden, sagten Berater.\n"
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_invalid_utf8_bytes_do_not_fail() -> None:
    code, out, _ = run(["clean"], ARTICLE.encode() + b"Broken \xff\xfe bytes in a long line of text here.\n")
    assert code == 0 and b"The minister" in out


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", gzip.compress(ARTICLE.encode()), b"text\x00with NUL"],
    ids=["png", "gzip-without-gz", "nul"],
)
def test_binary_input_is_refused(data: bytes) -> None:
    code, out, err = run(["clean"], data)
    assert code == 1 and out == b"" and "binary" in err


def test_controls_rtl_combining_emoji_long_words() -> None:
    text = (
        "Control \x07\x1b chars, עברית ‏right-to-left‏, e\u0301 combining, emoji 🎉🇺🇦, and "
        + "x" * 5000
        + " in one long line of an article, the report said.\n"
    )
    result = Cleaner().classify(text)
    assert [(d.keep, d.text) for d in result.decisions] == [(True, text.rstrip("\n"))]
    assert result.text == text  # kept byte for byte: controls, marks and combining characters included


def test_overlong_line_passes_through_unscored() -> None:
    line = "word " * 30_000  # 150k chars: above MAX_LINE_CHARS
    result = Cleaner().classify(line + "\n")
    assert result.decisions[0].keep and result.decisions[0].score == 1.0


def test_max_line_chars_option_passes_long_lines_through() -> None:
    code, out, _ = run(["clean", "--explain", "--max-line-chars", "10"], b"Subscribe to our newsletter today\n")
    assert code == 0 and b'"keep": true' in out and b'"score": 1.0' in out


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from cleaner import cli as cli_module

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module.cli, "main", interrupted)
    with pytest.raises(SystemExit) as exc:
        cli_module.main(["clean"])
    assert exc.value.code == 130 and "interrupted" in capsys.readouterr().err


def test_many_short_lines() -> None:
    text = "Menu\nHome\n" * 20_000 + ARTICLE
    out = clean(text)
    assert out.endswith(ARTICLE.splitlines()[1] + "\n")


def test_broken_html_is_handled() -> None:
    page = b"<html><body><p>Unclosed <b>bold <div>" + ARTICLE.encode() + b"</span></html"
    code, out, err = run(["clean", "--html"], page)
    assert (code, err) == (0, "")
    assert out.decode().split()[-len(ARTICLE.split()) :] == ARTICLE.split()  # survives, after "Unclosed bold"


def test_nested_html_is_extracted() -> None:
    page = "<html><body>" + "<div>" * 100 + ARTICLE + "</div>" * 100 + "</body></html>"
    code, out, _ = run(["clean", "--html"], page.encode())
    assert (code, out.split()) == (0, ARTICLE.encode().split())  # one div: one block, its lines joined


def test_deeply_nested_html_is_handled() -> None:
    """10,000 levels deep: the article is extracted (lxml's depth limit is lifted), quietly."""
    page = "<html><body>" + "<div>" * 10_000 + ARTICLE + "</div>" * 10_000 + "</body></html>"
    result = run_process(["clean", "--html"], page.encode(), timeout=120)
    assert (result.returncode, result.stdout.split(), result.stderr) == (0, ARTICLE.encode().split(), b"")


def test_html_without_text_gives_empty_output() -> None:
    assert run(["clean", "--html"], b"<html><body><script>x()</script></body></html>")[:2] == (0, b"")


def test_directory_is_an_error(tmp_path: Path) -> None:
    code, _, err = run(["clean", str(tmp_path)], b"")
    assert code == 1 and "directory" in err


def test_unreadable_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE)

    def deny(*args: object, **kwargs: object) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(textio, "open", deny, raising=False)  # read_path's open(): as root, chmod 000 still reads
    code, _, err = run(["clean", str(path)], b"")
    assert code == 1 and "permission denied" in err


def test_closed_stdin_is_an_error() -> None:
    result = subprocess.run(["bash", "-c", f"{sys.executable} -m cleaner clean 0<&-"], capture_output=True)
    assert result.returncode == 1 and b"Traceback" not in result.stderr and b"closed" in result.stderr


def test_no_stdin_at_all_reads_nothing() -> None:
    result = run_process(["clean"], stdin=subprocess.DEVNULL)
    assert result.returncode == 0 and result.stdout == b""


def test_library_raises_typed_error_for_binary() -> None:
    with pytest.raises(InputError):
        decode_bytes(b"\x00\x01\x02")


def test_debug_flag_shows_traceback_for_library_errors(tmp_path: Path) -> None:
    bad = tmp_path / "m.npz"
    bad.write_bytes(b"junk")
    result = run_process(["clean", "--model", str(bad), "--debug"], b"x\n")
    assert result.returncode == 1 and b"Traceback" in result.stderr
