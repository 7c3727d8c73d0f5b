"""Reading input as text (decoding, binary detection, gzip, size caps) and writing outputs safely.

Decoding policy, per file (never per line): UTF-8, UTF-32 and UTF-16 with a BOM,
and valid UTF-8 are decoded directly. Anything else, in this order: a charset an
HTML ``<meta>`` declares, when the data decodes with it; UTF-8 with the bad
sequences replaced (U+FFFD, counted and reported) when most non-ASCII sequences
are valid UTF-8, so one bad byte cannot garble a whole file; charset_normalizer's
guess (a trafilatura dependency, imported only then), for short data only when it
is a multi-byte East Asian encoding (short Latin text fools it); cp1252, the most
common legacy encoding of web text (latin-1 as the last resort, which never
fails). Binary data (a NUL byte anywhere, a gzip stream in a file not named
``.gz``) is refused with :class:`InputError`, and so is a document larger than
:data:`MAX_DOCUMENT_BYTES` (``/dev/zero``, a gzip bomb). Output is always UTF-8.

>>> decode_bytes("Grüße".encode("cp1252"))
('Grüße', 'cp1252')
>>> decode_bytes(b"plain")
('plain', 'utf-8')
>>> decode_document("Die Förderung – sagte er. ".encode() + b"\\xff")
Decoded(text='Die Förderung – sagte er. �', encoding='utf-8', replaced=1)
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import os
import re
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

from cleaner.errors import InputError, OutputError, os_reason

SNIFF_BYTES = 8192  # the gzip magic and a <meta charset> are looked for at the start of the data only
GUESS_MIN_BYTES = 512  # below this, charset detection guesses wildly for Latin text (cp1006 for German)
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # one document (file, stdin, JSONL line): beyond this it is not an article
GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error)  # what reading a (gzip) file can raise part-way
MULTIBYTE_ENCODINGS = frozenset(  # charset_normalizer's guesses that are trusted even on short data
    {"big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jp", "euc_kr", "gb18030", "gb2312"}
    | {"gbk", "hz", "iso2022_jp", "iso2022_kr", "johab", "shift_jis", "shift_jis_2004", "shift_jisx0213"}
)
WHATWG_ALIASES = {"latin_1": "cp1252", "ascii": "cp1252", "iso8859_9": "cp1254"}  # what browsers decode these as
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})""", re.IGNORECASE)
_FD_ALIAS = re.compile(r"^/(dev/(stdout|stderr|fd/\d+)|proc/(self|\d+)/fd/\d+)$")  # names of an open descriptor
REPLACEMENT = "\ufffd"


class Decoded(NamedTuple):
    """Decoded text, the encoding used and how many invalid UTF-8 sequences were replaced (0 but for UTF-8)."""

    text: str
    encoding: str
    replaced: int = 0


def decode_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of ``data``; raises :class:`InputError` for binary or undecodable data."""
    decoded = decode_document(data)
    return decoded.text, decoded.encoding


def decode_document(data: bytes) -> Decoded:
    """Decode one document by the module's policy; raises :class:`InputError` for binary or undecodable data."""
    for bom, encoding, name in (
        (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),  # before UTF-16: its BOM starts like UTF-16 LE's
        (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
    ):
        if data.startswith(bom):
            return Decoded(_refuse_nul(_strict(data, encoding)), name)
    if data[:SNIFF_BYTES].startswith(GZIP_MAGIC):
        raise InputError("binary input: a gzip stream (name the file *.gz to have it decompressed)")
    if b"\x00" in data:
        raise InputError("binary input: it contains NUL bytes")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


def _refuse_nul(text: str) -> str:
    if "\x00" in text:
        raise InputError("binary input: it contains NUL characters")
    return text


def _decode_legacy(data: bytes) -> Decoded:
    """Data that is not valid UTF-8: declared charset, mostly-UTF-8, a guess, else cp1252."""
    declared = declared_charset(data)
    if declared is not None:
        with contextlib.suppress(UnicodeDecodeError):
            return Decoded(data.decode(declared), declared)
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    guess = _guess(data)
    if guess is not None:
        return guess
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1")


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset an HTML ``<meta>`` near the start declares, if any and not UTF-8.

    >>> declared_charset(b'<html><head><meta charset="windows-1251">'), declared_charset(b"<meta charset=utf-8>")
    ('cp1251', None)
    """
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    name = WHATWG_ALIASES.get(name.replace("-", "_"), name)
    return None if name.startswith(("utf", "mbcs")) else name


def _mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with bad sequences replaced, when valid multi-byte characters outnumber the bad sequences."""
    text = data.decode("utf-8", "replace")
    replacements = text.count(REPLACEMENT)
    bad = replacements - data.count(REPLACEMENT.encode("utf-8"))
    valid = len(text) - len(text.encode("ascii", "ignore")) - replacements
    return Decoded(text, "utf-8", bad) if valid > bad else None


def _guess(data: bytes) -> Decoded | None:
    """charset_normalizer's best guess; on short data only a multi-byte East Asian encoding is believed."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or (len(data) < GUESS_MIN_BYTES and best.encoding not in MULTIBYTE_ENCODINGS):
        return None
    return Decoded(str(best), best.encoding)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid {encoding} data: {exc}") from None


def _read_capped(stream: IO[bytes], limit: int | None = None) -> bytes:
    """All of ``stream``, or :class:`InputError` past ``limit`` bytes (default :data:`MAX_DOCUMENT_BYTES`).

    A regular file is read with its size as the first request: asking for the whole cap would allocate (and map)
    256 MB for every small file, about 30 µs each, a tenth of a batch of small files. Should it have grown
    since, the rest is read up to the cap.
    """
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    size = _regular_size(stream)
    first = limit if size is None else min(size, limit)
    data = stream.read(first + 1)
    if len(data) == first + 1 and first < limit:
        data += stream.read(limit - first)
    if len(data) > limit:
        raise InputError(f"larger than {limit:,} bytes: not one article (split it, or use --jsonl for datasets)")
    return data


def _regular_size(stream: IO[bytes]) -> int | None:
    """The size of the regular file ``stream`` reads, or None (a pipe, a terminal, a decompressing stream)."""
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def read_path(path: str, decompress: bool = True) -> bytes:
    """The bytes of ``path`` (``-`` is stdin), gunzipped when the name ends in ``.gz`` (unless not ``decompress``).

    At most :data:`MAX_DOCUMENT_BYTES`, before and after decompression; every problem is an :class:`InputError`.
    """
    try:
        if path == "-":
            if sys.stdin is None:
                raise InputError("standard input is closed")
            return _read_capped(sys.stdin.buffer)
        with open(path, "rb") as fh:
            data = _read_capped(fh)
        return gunzip(data) if decompress and path.endswith(".gz") else data
    except InputError as exc:
        raise InputError(str(exc) if path == "-" else f"{path}: {exc}") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except (AttributeError, ValueError):  # stdin closed or absent
        raise InputError("standard input is closed") from None
    except OSError as exc:
        raise InputError(f"{path}: {os_reason(exc)}") from None


def gunzip(data: bytes) -> bytes:
    """Decompress gzip ``data``, at most :data:`MAX_DOCUMENT_BYTES` of it (a gzip bomb stops there)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as gz:
            return _read_capped(gz)
    except READ_ERRORS as exc:
        raise InputError(f"not a valid gzip file ({exc})") from None


def open_binary(path: str | Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, gunzipping when the name ends in ``.gz``."""
    if str(path).endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def binary_lines(stream: IO[bytes], limit: int | None = None) -> Iterator[bytes | None]:
    """The lines of a binary stream (a UTF-8 BOM dropped); ``None`` for a line longer than ``limit`` (skipped).

    A read or decompression failure part-way raises :class:`InputError` after the lines before it.

    >>> import io
    >>> list(binary_lines(io.BytesIO(b"\\xef\\xbb\\xbfa\\nbbbbbb\\nc"), limit=5))
    [b'a\\n', None, b'c']
    """
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    first = True
    try:
        while line := stream.readline(limit + 1):
            if len(line) > limit and not line.endswith(b"\n"):
                while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                    pass
                yield None
                continue
            if first:
                first = False
                line = line.removeprefix(codecs.BOM_UTF8)
            yield line
    except READ_ERRORS as exc:
        raise InputError(f"unreadable ({exc})") from None


def _default_file_mode() -> int:
    """0666 minus the process umask: the mode ``open()`` would have given a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_writer(path: Path, binary: bool = False) -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only on success.

    Only for regular files and new paths (see :func:`output_file`, which decides). The file keeps the mode
    of the file it replaces; a new one gets the user's usual umask.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = _default_file_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:  # its folder is missing: made now (not checked for every file of a batch)
        make_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as fh:
            yield fh
        os.chmod(tmp, mode)  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def make_dirs(path: Path) -> None:
    """``mkdir -p path``, iteratively: ``os.makedirs`` recurses once per level, and trees can be 1,000 deep."""
    missing = []
    while not path.is_dir() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir()


def output_target(path: Path) -> tuple[Path, bool]:
    """Where writing ``path`` goes, and whether to write through (no temporary file, no rename).

    Symlinks are resolved, so the link stays and its target gets the output. Character devices
    (``/dev/null``), FIFOs and names of an open descriptor (``/dev/stdout``) are written through: a rename
    would replace them with a regular file. Anything else that exists and is not a regular file is refused.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Path(os.path.realpath(path)), False  # a new file (or the target of a dangling symlink)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {os_reason(exc)}") from None
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or _FD_ALIAS.match(str(path)):
        return path, True
    if stat.S_ISREG(st.st_mode):
        return Path(os.path.realpath(path)), False
    kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file, FIFO or character device"
    raise OutputError(f"{path}: cannot write: {kind}")


@contextlib.contextmanager
def output_file(path: Path, binary: bool = True, compress: bool | None = None) -> Iterator[IO]:
    """An output stream to ``path``: atomic for regular files and new paths, written through to devices and FIFOs.

    gzip-compressed when ``compress`` (default: the name ends in ``.gz``). Any failure to write (a full disk, a
    folder without write permission) becomes :class:`OutputError` naming ``path``; a closed pipe stays
    ``BrokenPipeError``.
    """
    target, through = output_target(path)
    compress = path.name.endswith(".gz") if compress is None else compress
    try:
        with contextlib.ExitStack() as stack:
            if through:
                raw: IO = stack.enter_context(open(target, "ab" if _FD_ALIAS.match(str(target)) else "wb"))
            else:
                raw = stack.enter_context(atomic_writer(target, binary=True))
            if compress:  # mtime=0: the same bytes every run
                raw = stack.enter_context(gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0))
            if not binary:
                raw = stack.enter_context(_text_stream(raw))
            yield raw
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {os_reason(exc)}") from None


@contextlib.contextmanager
def _text_stream(raw: IO[bytes]) -> Iterator[IO[str]]:
    import io

    text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)  # type: ignore[type-var]
    try:
        yield text
        text.flush()
    finally:
        text.detach()


def display_name(name: str) -> str:
    """A file name that can be written as UTF-8: bytes that are not UTF-8 (kept by Python as lone surrogates)
    become U+FFFD.

    >>> display_name("caf\\udce9.txt"), display_name("café.txt")
    ('caf�.txt', 'café.txt')
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(REPLACEMENT if "\ud800" <= c <= "\udfff" else c for c in name)
    return name
