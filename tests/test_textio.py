"""textio: decoding policy (each branch) and atomic output files (the target changes only on success)."""

from __future__ import annotations

import codecs
import gzip
import os
import stat
from pathlib import Path

import pytest

from cleaner import textio
from cleaner.api import Cleaner
from cleaner.errors import InputError
from cleaner.jsonl import clean_jsonl_lines
from cleaner.options import Options
from cleaner.textio import GUESS_MIN_BYTES, atomic_writer, binary_lines, decode_bytes, open_binary, read_path

GERMAN = "Grüße aus München, sagte der Bürgermeister am Montag im Rathaus.\n"


# ------------------------------------------------------------------------------------ decoding


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + GERMAN.encode(), (GERMAN, "utf-8-sig")),
        (codecs.BOM_UTF16_LE + GERMAN.encode("utf-16-le"), (GERMAN, "utf-16")),
        (codecs.BOM_UTF16_BE + GERMAN.encode("utf-16-be"), (GERMAN, "utf-16")),
        (GERMAN.encode(), (GERMAN, "utf-8")),
        (GERMAN.encode("cp1252"), (GERMAN, "cp1252")),  # short: no guessing, straight to cp1252
        (b"caf\xe9 \x81", ("café \x81", "latin-1")),  # 0x81 is undefined in cp1252: latin-1 never fails
    ],
    ids=["utf8-bom", "utf16-le", "utf16-be", "utf8", "cp1252", "latin1"],
)
def test_decoding_policy(data: bytes, expected: tuple[str, str]) -> None:
    assert decode_bytes(data) == expected


def test_short_legacy_text_is_not_guessed() -> None:
    # Far below GUESS_MIN_BYTES the detector's single-byte guesses are wild (cp1250 here): read as cp1252, as
    # documented. Known loss: short cp1251 Cyrillic ("Он сказал.") can be guessed as a multi-byte East Asian
    # encoding, which short data trusts (for short Japanese and Chinese files).
    text = "Grüße aus München.\n"
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_long_legacy_text_is_guessed() -> None:
    text = "Ο υπουργός παραιτήθηκε την Τρίτη μετά από εβδομάδες πιέσεων για τις συμβάσεις, δήλωσαν συνεργάτες.\n" * 6
    data = text.encode("cp1253")
    assert len(data) >= GUESS_MIN_BYTES and decode_bytes(data) == (text, "cp1253")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (gzip.compress(b"text"), "gzip stream"),
        (b"text\x00more", "NUL bytes"),
        (codecs.BOM_UTF8 + b"\xff\xfe bad", "invalid utf-8"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "invalid utf-16"),
    ],
    ids=["gzip", "nul", "bad-utf8-after-bom", "bad-utf16"],
)
def test_undecodable_input_is_an_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_bytes(data)


def test_nul_beyond_the_sniffed_start_is_refused_too() -> None:
    with pytest.raises(InputError, match="NUL bytes"):
        decode_bytes(b"a" * 8192 + b"\x00")


def test_read_path_gunzips_gz_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(b"hello\n"))
    (tmp_path / "b.txt.gz").write_bytes(b"not gzip")
    assert read_path(str(tmp_path / "a.txt.gz")) == b"hello\n"
    with pytest.raises(InputError, match="not a valid gzip file"):
        read_path(str(tmp_path / "b.txt.gz"))


def test_read_path_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        read_path(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        read_path(str(tmp_path))


@pytest.mark.parametrize("size", [0, 1, 9, 10, 11, 25])
@pytest.mark.parametrize("stated", [None, 0, 3, 10, 11, 40])
def test_a_capped_read_is_whole_or_refused_whatever_size_the_file_states(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, stated: int | None
) -> None:
    """The first read asks for the file's size (it may have grown or shrunk since): the bytes are all there, and
    the cap holds."""
    path = tmp_path / "a.txt"
    path.write_bytes(bytes(range(65, 65 + size)))
    if stated is not None:
        monkeypatch.setattr(textio, "_regular_size", lambda stream: stated)
    with open(path, "rb") as fh:
        if size > 10:
            with pytest.raises(InputError, match="larger than 10 bytes"):
                textio._read_capped(fh, limit=10)
        else:
            assert textio._read_capped(fh, limit=10) == path.read_bytes()


def test_the_size_of_a_pipe_is_not_known() -> None:
    read, write = os.pipe()
    with open(read, "rb") as fh:
        os.close(write)
        assert textio._regular_size(fh) is None


def test_binary_lines_drop_the_bom_and_read_gzip(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(codecs.BOM_UTF8 + b'{"a": 1}\n')
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(b'{"b": 2}\n'))
    with open_binary(tmp_path / "a.jsonl") as a, open_binary(tmp_path / "b.jsonl.gz") as b:
        assert (list(binary_lines(a)), list(binary_lines(b))) == ([b'{"a": 1}\n'], [b'{"b": 2}\n'])


def test_jsonl_decoding_and_read_errors_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "latin.jsonl").write_bytes(b'{"text": "a"}\n{"text": "Gr\xfc\xdfe"}\n')
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n' * 100)[:-20])
    with open_binary(tmp_path / "latin.jsonl") as stream:
        outcomes = list(clean_jsonl_lines(Cleaner(Options(use_model=False)), binary_lines(stream)))
    assert outcomes[1].error is not None and "line 2: not UTF-8" in outcomes[1].error  # that line only
    with open_binary(tmp_path / "cut.jsonl.gz") as stream, pytest.raises(InputError, match="unreadable"):
        list(binary_lines(stream))


# ------------------------------------------------------------------------------------ atomic writes


def test_target_is_untouched_until_the_writer_closes(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with atomic_writer(target) as fh:
        fh.write("new text")
        fh.flush()
        assert target.read_text(encoding="utf-8") == "old"
        assert len(list(tmp_path.iterdir())) == 2  # the target and the temporary file beside it
    assert target.read_text(encoding="utf-8") == "new text"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_a_failed_write_leaves_the_old_target_and_no_temp(tmp_path: Path, exc: BaseException) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(type(exc)), atomic_writer(target) as fh:
        fh.write("half")
        raise exc
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failed_first_write_creates_no_target(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write("half")
        raise RuntimeError
    assert list((tmp_path / "sub").iterdir()) == []


def test_text_mode_writes_utf8_and_keeps_line_endings(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with atomic_writer(target) as fh:
        fh.write("Grüße\r\nzwei\n")
    assert target.read_bytes() == "Grüße\r\nzwei\n".encode()


def test_binary_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with atomic_writer(target, binary=True) as fh:
        fh.write(b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"


def test_new_files_get_the_umask_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with atomic_writer(tmp_path / "out.txt") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o640
