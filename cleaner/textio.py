"""Reading input as text: decoding, binary detection, gzip, and atomic output files.

Policy: UTF-8 (with or without BOM) and UTF-16 with BOM are decoded directly;
anything else goes to charset_normalizer (a trafilatura dependency, imported
only then) when there is enough text to guess from, else to cp1252, the most
common legacy encoding of web text (latin-1 as the last resort, which never
fails). Binary data (NUL bytes, a gzip stream in a file not named ``.gz``) is
refused with :class:`InputError`. Output is always UTF-8.

>>> decode_bytes("Grüße".encode("cp1252"))
('Grüße', 'cp1252')
>>> decode_bytes(b"plain")
('plain', 'utf-8')
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from cleaner.errors import InputError

SNIFF_BYTES = 8192  # binary detection looks at the start of the data only
GUESS_MIN_BYTES = 512  # below this, charset detection guesses wildly (cp1006 for German), so use cp1252
GZIP_MAGIC = b"\x1f\x8b"


def decode_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of ``data``; raises :class:`InputError` for binary or undecodable data."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    head = data[:SNIFF_BYTES]
    if head.startswith(GZIP_MAGIC):
        raise InputError("binary input: a gzip stream (name the file *.gz to have it decompressed)")
    if b"\x00" in head:
        raise InputError("binary input: it contains NUL bytes")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) >= GUESS_MIN_BYTES:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best), best.encoding
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid {encoding} data: {exc}") from None


def read_path(path: str) -> bytes:
    """The bytes of ``path`` (``-`` is stdin), gunzipped when the name ends in ``.gz``."""
    import sys

    try:
        if path == "-":
            return sys.stdin.buffer.read()
        p = Path(path)
        if p.is_dir():
            raise InputError(f"{path}: is a directory")
        data = p.read_bytes()
        if path.endswith(".gz"):
            try:
                return gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise InputError(f"{path}: not a valid gzip file ({exc})") from None
        return data
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except (AttributeError, ValueError):  # stdin closed or absent
        raise InputError("standard input is closed") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None


def open_text(path: str | Path) -> IO[str]:
    """Open a UTF-8 text file for reading (a BOM is dropped), gunzipping when the name ends in ``.gz``."""
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig")


def utf8_lines(stream: IO[str]) -> Iterator[str]:
    """The lines of a text stream; a decoding or decompression failure becomes :class:`InputError`."""
    try:
        yield from stream
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 ({exc.reason}): JSONL must be UTF-8") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"unreadable ({exc})") from None


def _default_file_mode() -> int:
    """0666 minus the process umask: the mode ``open()`` would have given a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_writer(path: Path, binary: bool = False) -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as fh:
            yield fh
        os.chmod(tmp, _default_file_mode())  # mkstemp makes 0600; outputs get the user's usual umask
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
