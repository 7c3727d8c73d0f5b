"""Features of each line in its document context: one implementation for training and inference.

Every feature is a short string ("len:7", "w:subscribe", "p1:sent") hashed into
``N_FEATURES`` buckets with CRC-32, so the model is a plain weight matrix and
inference needs no scikit-learn. Feature groups:

* words: lower-cased tokens (digits shaped to ``0``) and the first bigrams,
  first and last token;
* shape: length and word-count buckets, first and last character class,
  upper-case, title-case and digit ratios, URL/e-mail, bullets;
* rules: the names of the heuristic rules the line matches (``rules.py``);
* position: index from the start and the end, relative position;
* neighbours: shape of the previous and next lines, distance to the nearest
  sentence-like line above and below, sentence-like lines in a window;
* repetition: how often the line occurs, repeat of the first line;
* document: the document's median line length (a clean extract has long lines,
  a page dump short ones), crossed with the line's own shape, so a short line
  in a mostly clean document is judged differently from one in a menu dump;
* block: whether the line lies in the main text block (maximum-sum run of
  lines scored by length, at a few strictness levels);
* lists: runs of lines that start alike ("- ", digits), and the line's length
  relative to the document's median.

How it is fast (the features themselves are those of ``tests/reference_features.py``,
which builds every string one at a time; a test checks both agree on every line):

* what depends on a line's text alone (its shape, rules, own features, and the features
  it gives its neighbours) is computed once per distinct text and kept in a bounded
  per-process cache (``LINE_CACHE_MAX`` texts): boilerplate repeats across documents;
* the context features are computed for a whole document at once as small integer
  codes in numpy, and each template's codes map to hashed indices through a table
  filled on first use (:class:`_Template`), so no string is built for them;
* for training, each line's indices are laid out in the reference order
  (:func:`document_feature_array`); for inference, :func:`document_groups` keeps the
  groups that repeat (a line's own features, those a kind of line gives its
  neighbours) as tuples shared by many lines, so the model sums each distinct tuple's
  weight rows once (``LinearModel.group_sums``), not once per line.

>>> rows = document_features(["Putin Visits Kursk", "He went there on Friday, aides said."])
>>> len(rows), all(isinstance(i, int) for i in rows[0])
(2, True)
>>> hash_feature("rule:skip_link") in document_features(["Skip to content"])[0]
True
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Any

import numpy as np

from cleaner.distinct import distinct_index, distinct_values
from cleaner.rules import Rule, match_rules
from cleaner.spans import Spans

FEATURE_VERSION = 5  # bump when any feature changes: a model records the version it was trained with
N_FEATURES = 1 << 18  # hash buckets; collisions are rare at this size for a few 100k distinct features
MAX_WORD_FEATURES = 30  # words beyond the first 30 add cost but little signal
TAIL_WORDS = 5  # the last words are taken too: sign-offs and "Subscribe" tails live there
BIGRAM_WORDS = 8  # bigrams of the first words only: phrase starts carry boilerplate
SENTENCE_MIN_WORDS = 8  # a "sentence-like" line: at least this many words and terminal punctuation
SHAPE_SAMPLE_CHARS = 200  # case and digit ratios are read from a line's start: enough to tell a shape
WINDOW = 3  # neighbourhood radius for density features
DOC_KEY_MIN, DOC_KEY_MAX = 4, 8  # median-length buckets 8-15 chars (menu dump) to 128+ chars (clean extract)
BLOCK_UNITS = (20, 30, 50)  # a line this long neither grows nor shrinks the main block: lenient to strict levels
BLOCK_LINE_CAP = 300  # a longer line counts as this long, so one huge paragraph cannot swallow a page's menus
RUN_CAP = 8  # runs of alike lines longer than this are all "long lists"
HASH_CACHE_MAX = 1 << 17  # feature strings remembered with their bucket; cleared when full (bounded memory)
LINE_CACHE_MAX = 1 << 13  # distinct line texts whose facts are remembered (~4 KB each); cleared when full

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_URL = re.compile(r"https?://|www\.\w", re.IGNORECASE)
# An e-mail address: what \b[\w.+-]+@[\w-]+\.\w+ finds, written so that a search is linear: the run of
# [\w.+-] before the "@" needs a word boundary, so a letter, and then only [.+-] up to the "@". The first
# form rescanned that run from each boundary in it: 10 s on a 32,000-character "a.a.a.…@".
_EMAIL = re.compile(r"\w[.+-]*@[\w-]+\.\w+")
_TERMINAL = {".": "dot", "!": "bang", "?": "q", ":": "colon", "…": "ellipsis", ";": "semi", ",": "comma"}
_CLOSERS = "\"'”’»)]"
_BULLETS = "-–—•*·▪►»›|#"

# The closed vocabularies of the context features, as codes: index in these tuples.
_END_NAMES = ("ellipsis", "dot", "bang", "q", "colon", "semi", "comma", "digit", "alpha", "other")
TERMINALS = ("none", *_END_NAMES, *(name + "+q" for name in _END_NAMES))
START_KEYS = ("digit", "upper", "lower", "quote", "other", *("b" + c for c in _BULLETS))
DISTANCES = ("none", "1", "2", "3", "4-7", "8+")  # _distance_bucket of None, 1, 2, 3, 4..7, 8+
WHERE = ("in", "before", "after")  # a line's place relative to a main block
_TERM_CODE = {name: code for code, name in enumerate(TERMINALS)}
_START_CODE = {name: code for code, name in enumerate(START_KEYS)}
BUCKETS = 64  # bit lengths of non-negative int64 values are below this
DOC_KEYS = DOC_KEY_MAX + 1  # doc keys as codes 0..DOC_KEY_MAX (only DOC_KEY_MIN.. occur)
REL_OFFSET = DOC_KEY_MAX  # rel = length bucket - doc key >= -DOC_KEY_MAX, stored shifted by this


@dataclass(frozen=True, slots=True)
class LineShape:
    """Context-free facts about one line, shared by its own and its neighbours' features."""

    length: int
    words: tuple[str, ...]
    terminal: str
    sentence: bool
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class LineFacts:
    """Everything about a line that its text alone decides, its features hashed; cached per distinct text.

    ``kind`` is what its neighbours' features read of it: length bucket, terminal class, whether it
    is sentence-like, and its rules' categories.
    """

    shape: LineShape
    own: tuple[int, ...]  # "bias", then the line's own features, in reference order
    length_bucket: int
    terminal: int  # code in TERMINALS
    start: int  # code in START_KEYS
    kind: tuple[int, str, bool, tuple[str, ...]]


def _bucket(n: int) -> int:
    """Logarithmic bucket: 0, 1, 2-3, 4-7, ... as 0, 1, 2, 3, ..."""
    return n.bit_length()


def _ratio_bucket(part: int, whole: int) -> int:
    return -1 if whole == 0 else min(int(part * 5 / whole), 4)


def _terminal_class(text: str) -> str:
    core = text.rstrip(_CLOSERS + " ")
    closed = len(core) < len(text.rstrip())
    if not core:
        return "none"
    if core.endswith("..."):
        return "ellipsis"
    last = core[-1]
    name = _TERMINAL.get(last)
    if name is None:
        name = "digit" if last.isdigit() else "alpha" if last.isalpha() else "other"
    return name + ("+q" if closed else "")


def _first_class(text: str) -> str:
    first = text[0]
    if first in _BULLETS:
        return "bullet"
    if first.isdigit():
        return "digit"
    if first.isalpha():
        return "upper" if first.isupper() else "lower"
    if first in "\"'“‘«„":
        return "quote"
    return "other"


def _start_key(text: str) -> str:
    """What a list item starts with: the bullet character itself, else the first character's class."""
    first = text[0]
    return "b" + first if first in _BULLETS else _first_class(text)


def hash_feature(name: str) -> int:
    """The bucket of one feature string (stable across processes and platforms)."""
    return zlib.crc32(name.encode("utf-8")) & (N_FEATURES - 1)


_HASH_CACHE: dict[str, int] = {}


def _cached_hash(name: str) -> int:
    if len(_HASH_CACHE) >= HASH_CACHE_MAX:
        _HASH_CACHE.clear()
    index = _HASH_CACHE[name] = hash_feature(name)
    return index


def _hashed(names: Sequence[str]) -> tuple[int, ...]:
    """The buckets of ``names``, from the cache when there (read once: a thread may clear it meanwhile)."""
    get = _HASH_CACHE.get
    found = [get(f) for f in names]
    if None in found:
        found = [_cached_hash(f) if i is None else i for i, f in zip(found, names)]
    return tuple(found)  # type: ignore[arg-type]


def _shape_of(text: str) -> LineShape:
    words = tuple(_WORD.findall(_DIGIT.sub("0", text.lower())))  # digits shaped to 0 (tokens are unchanged)
    terminal = _terminal_class(text)
    sentence = len(words) >= SENTENCE_MIN_WORDS and terminal.split("+")[0] in ("dot", "bang", "q", "ellipsis")
    return LineShape(len(text), words, terminal, sentence, match_rules(text))


def _has_url(text: str) -> bool:
    """Whether ``_URL`` matches, its search skipped where it cannot: every match holds "://" or, in any case,
    "www." ("w" has no other case-insensitive match; "s" has, the long s, but it comes before "://").

    >>> _has_url("See WWW.example.org"), _has_url("http://x.y"), _has_url("www. no")
    (True, True, False)
    """
    if "://" not in text and "www." not in text.lower():
        return False
    return _URL.search(text) is not None


_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _char_counts(sample: str) -> tuple[int, int, int]:
    """How many characters of ``sample`` are letters, upper-case, digits (``str.isalpha``, ``isupper``,
    ``isdigit``); ASCII text is counted by deleting classes of bytes, in C.

    >>> _char_counts("Hello World 42"), _char_counts("Ünïcode ²")
    ((10, 2, 2), (7, 1, 1))
    """
    if not sample.isascii():
        return sum(map(str.isalpha, sample)), sum(map(str.isupper, sample)), sum(map(str.isdigit, sample))
    data = sample.encode("ascii")
    n = len(data)
    return (
        n - len(data.translate(None, _ASCII_LETTERS)),
        n - len(data.translate(None, _ASCII_LETTERS[:26])),
        n - len(data.translate(None, b"0123456789")),
    )


def _own_features(text: str, shape: LineShape) -> list[str]:
    words = shape.words
    lb = _bucket(shape.length)
    feats = [
        "bias",
        f"len:{lb}",
        f"nw:{_bucket(len(words))}",
        f"end:{shape.terminal}",
        f"start:{_first_class(text)}",
        f"len_end:{lb}:{shape.terminal}",
    ]
    sample = text[:SHAPE_SAMPLE_CHARS]
    letters, uppers, digits = _char_counts(sample)
    feats.append(f"upper:{_ratio_bucket(uppers, letters)}")
    tokens = sample.split()
    titled = sum(map(str.isupper, (w[0] for w in tokens)))
    feats.append(f"titled:{_ratio_bucket(titled, len(tokens))}")
    feats.append(f"digits:{_ratio_bucket(digits, len(sample))}")
    if _has_url(text):
        feats.append("has:url")
    if "@" in text and _EMAIL.search(text):  # the pattern needs an "@": most lines skip its search
        feats.append("has:email")
    if shape.sentence:
        feats.append("sent")
    if words:
        feats.append(f"first:{words[0]}")
        feats.append(f"last:{words[-1]}")
    feats.extend(["w:" + w for w in words[:MAX_WORD_FEATURES]])
    feats.extend(["w:" + w for w in words[MAX_WORD_FEATURES:][-TAIL_WORDS:]])
    feats.extend([f"b:{a}_{b}" for a, b in pairwise(words[:BIGRAM_WORDS])])
    for rule in shape.rules:
        feats.append("rule:" + rule.name)
        feats.append("rulecat:" + rule.category)
    if not shape.rules:
        feats.append("rule:none")
    return feats


def _neighbour_names(tag: str, kind: tuple[int, str, bool, tuple[str, ...]]) -> list[str]:
    """The features a line of this ``kind`` gives the line ``tag`` (``p1``: the line after it, ...) of it."""
    length_bucket, terminal, sentence, categories = kind
    if kind == _NO_LINE:
        return [f"{tag}:none"]
    sent = f"{tag}:sent" if sentence else f"{tag}:nosent"
    feats = [f"{tag}:len:{length_bucket}", f"{tag}:end:{terminal}", sent]
    return feats + [f"{tag}:rulecat:{c}" for c in categories]


Group = tuple[list[tuple[int, ...]], np.ndarray]  # distinct tuples of feature indices, and each line's one
_NO_LINE = (-1, "", False, ())  # the kind of the missing neighbour of a first or last line
Parts = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]
_PARTS_CACHE: dict[tuple[int, tuple[int, str, bool, tuple[str, ...]]], Parts] = {}


def _parts(dk: int, kind: tuple[int, str, bool, tuple[str, ...]]) -> Parts:
    """What a line of this ``kind`` contributes in a document of doc key ``dk`` (0: not crossed), memoised.

    As the ``p1``, ``n1``, ``p2``, ``n2`` neighbour (all its features for the first two, the last one for the
    others, as the reference's ``[-1:]``), then its rule categories (crossed with the doc key only).
    """
    parts = _PARTS_CACHE.get((dk, kind))
    if parts is None:
        prefix = f"d{dk}:" if dk else ""
        p1, n1, p2, n2 = ([prefix + f for f in _neighbour_names(tag, kind)] for tag in ("p1", "n1", "p2", "n2"))
        cats = [f"{prefix}rulecat:{c}" for c in kind[3]] if dk else []
        if len(_PARTS_CACHE) >= HASH_CACHE_MAX:
            _PARTS_CACHE.clear()
        parts = _PARTS_CACHE[(dk, kind)] = (_hashed(p1), _hashed(n1), _hashed(p2[-1:]), _hashed(n2[-1:]), _hashed(cats))
    return parts


def _new_facts(text: str) -> LineFacts:
    shape = _shape_of(text)
    lb = _bucket(shape.length)
    kind = (lb, shape.terminal, shape.sentence, tuple(r.category for r in shape.rules))
    own = _hashed(_own_features(text, shape))
    return LineFacts(shape, own, lb, _TERM_CODE[shape.terminal], _START_CODE[_start_key(text)], kind)


_FACTS_CACHE: dict[str, LineFacts] = {}


def line_facts(text: str) -> LineFacts:
    """The facts of a stripped, non-empty line, from the per-process cache when its text was seen."""
    facts = _FACTS_CACHE.get(text)
    if facts is None:
        if len(_FACTS_CACHE) >= LINE_CACHE_MAX:
            _FACTS_CACHE.clear()
        facts = _FACTS_CACHE[text] = _new_facts(text)
    return facts


def line_shape(text: str) -> LineShape:
    """Facts about a stripped, non-empty line."""
    return line_facts(text).shape


class _Template:
    """One context feature template (``fmt``) over small integer codes, hashed through a table filled on first use.

    The table has an entry per combination of codes (``sizes``, mixed radix); a combination is hashed
    the first time a document has it, so the strings of a template are built once per process.
    """

    __slots__ = ("fmt", "sizes", "table")

    def __init__(self, fmt: Callable[..., str], *sizes: int) -> None:
        self.fmt = fmt
        self.sizes = sizes
        self.table = np.full(math.prod(sizes), -1, np.int64)

    def __call__(self, *codes: np.ndarray) -> np.ndarray:
        key = codes[0]
        for size, code in zip(self.sizes[1:], codes[1:]):
            key = key * size + code
        out = self.table[key]
        missing = out < 0
        if missing.any():
            for k in sorted(set(key[missing].tolist())):  # not np.unique: it imports numpy.ma (12 ms of a start)
                self.table[k] = hash_feature(self.fmt(*np.unravel_index(k, self.sizes)))
            out = self.table[key]
        return out


def _pair(fmt: Callable[..., str], *sizes: int) -> tuple[_Template, _Template]:
    """A template and the same crossed with the doc key (``d{dk}:`` prefix, doc key as first code)."""
    return _Template(fmt, *sizes), _Template(lambda dk, *codes: f"d{dk}:{fmt(*codes)}", DOC_KEYS, *sizes)


_POS = _Template(lambda a: f"pos:{a}", 8)
_POSEND = _Template(lambda a: f"posend:{a}", 8)
_RELDEC = _Template(lambda a: f"reldec:{a}", 10)
_NDOC = _Template(lambda a: f"ndoc:{a}", BUCKETS)
_WINDOW_SENT = _pair(lambda a: f"window_sent:{a}", 2 * WINDOW + 1)
_UP = _pair(lambda d: f"up:{DISTANCES[d]}", len(DISTANCES))
_DOWN = _pair(lambda d: f"down:{DISTANCES[d]}", len(DISTANCES))
_SENT_BEFORE = _pair(lambda b: f"sent_before:{b}", BUCKETS)
_SENT_AFTER = _pair(lambda b: f"sent_after:{b}", BUCKETS)
_INSIDE = _pair(lambda a, lb, t: f"inside:{bool(a)}:{lb}:{TERMINALS[t]}", 2, BUCKETS, len(TERMINALS))
_UP_LEN = _pair(lambda d, lb: f"up_len:{DISTANCES[d]}:{lb}", len(DISTANCES), BUCKETS)
_DOWN_LEN = _pair(lambda d, lb: f"down_len:{DISTANCES[d]}:{lb}", len(DISTANCES), BUCKETS)
_DK = _Template(lambda dk: f"dk:{dk}", DOC_KEYS)
_SAME = _pair(lambda a, b: f"same:{bool(a)}:{bool(b)}", 2, 2)
_RUN = _pair(lambda r, s: f"run:{r}:{START_KEYS[s]}", RUN_CAP.bit_length() + 1, len(START_KEYS))
_REL = _pair(lambda r: f"rel:{r - REL_OFFSET}", BUCKETS + REL_OFFSET)
_BLOCK = tuple(_pair(lambda w, u=unit: f"blk{u}:{WHERE[w]}", len(WHERE)) for unit in BLOCK_UNITS)
_BLOCK_LEN = tuple(_pair(lambda w, lb, u=unit: f"blk{u}:{WHERE[w]}:{lb}", len(WHERE), BUCKETS) for unit in BLOCK_UNITS)
_D_LEN_END = _Template(lambda dk, lb, t: f"d{dk}:len_end:{lb}:{TERMINALS[t]}", DOC_KEYS, BUCKETS, len(TERMINALS))
_D_START = _Template(lambda dk, s: f"d{dk}:start:{START_KEYS[s]}", DOC_KEYS, len(START_KEYS))
_COUNT = _Template(lambda c: f"count:{c}", 4)


def _bit_length(values: np.ndarray) -> np.ndarray:
    """``int.bit_length`` of each non-negative value (exact below 2**53).

    >>> _bit_length(np.array([0, 1, 2, 3, 4, 1023, 1024])).tolist()
    [0, 1, 2, 2, 3, 10, 11]
    """
    return np.frexp(values.astype(np.float64))[1].astype(np.int64)


def _distance_codes(d: np.ndarray, exists: np.ndarray) -> np.ndarray:
    """Codes in ``DISTANCES`` of distances ``d`` (>= 1) where ``exists``, else ``none``."""
    code = np.where(d <= 3, d, np.where(d <= 7, 4, 5))
    return np.where(exists, code, 0)


def _doc_key(lengths: Sequence[int]) -> int:
    """Bucket of the document's median line length, clamped to ``DOC_KEY_MIN..DOC_KEY_MAX``.

    >>> _doc_key([10, 12, 300]), _doc_key([200, 250, 40])
    (4, 8)
    """
    if not len(lengths):
        return DOC_KEY_MIN
    median = sorted(lengths)[len(lengths) // 2]
    return min(max(_bucket(median), DOC_KEY_MIN), DOC_KEY_MAX)


def main_block(lengths: Sequence[int], unit: int) -> tuple[int, int]:
    """First and last index of the maximum-sum run of lines, each worth ``min(len, cap) / unit - 1``.

    Lines shorter than ``unit`` cost, longer ones pay: the run is the main text
    block of a page (Kadane's algorithm, one pass). ``(0, -1)`` when no line pays.

    >>> main_block([5, 5, 200, 10, 300, 5, 5], 30)
    (2, 4)
    """
    worth = np.minimum(np.asarray(lengths, np.int64), BLOCK_LINE_CAP) / unit - 1
    if not len(worth) or worth.max() <= 0:  # no line pays: the running sum never rises above zero
        return 0, -1
    values = worth.tolist()  # the same floats as ``min(len, cap) / unit - 1`` one line at a time
    best, best_lo, best_hi = 0.0, 0, -1
    total, lo = 0.0, 0
    for i, value in enumerate(values):
        if total <= 0:
            total, lo = 0.0, i
        total += value
        if total > best:
            best, best_lo, best_hi = total, lo, i
    return best_lo, best_hi


def _run_lengths(keys: np.ndarray, breaks: np.ndarray | None = None) -> np.ndarray:
    """For each item, the length of the run of equal consecutive keys it belongs to; a run also ends before
    each place in ``breaks`` (where a document begins).

    >>> _run_lengths(np.array([1, 1, 2, 1])).tolist(), _run_lengths(np.array([1, 1, 1]), np.array([2])).tolist()
    ([2, 2, 1, 1], [2, 2, 1])
    """
    change = np.concatenate(([True], keys[1:] != keys[:-1]))
    if breaks is not None:
        change[breaks] = True
    starts = np.flatnonzero(change)
    sizes = np.diff(np.append(starts, len(keys)))
    return np.repeat(sizes, sizes)


def _context_arrays(
    lines: _LineCodes, counts: np.ndarray, dks: np.ndarray, spans: Spans
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The head, middle and tail context features of each line, as ``(lines, k)`` arrays.

    ``lines`` may hold several documents one after another (``spans``, none empty): every
    feature is each document's own, so a batch of documents costs the numpy calls of one. ``counts``
    is how often each line's text occurs in its document, ``dks`` each line's doc key.
    """
    g, i, first, n = spans.g, spans.i, spans.first, spans.n
    lb, term, start, sent = lines.length_bucket, lines.terminal, lines.start, lines.sentence
    head = [_POS(np.minimum(i, 7)), _POSEND(np.minimum(n - 1 - i, 7)), _RELDEC((10 * i / n).astype(np.int64))]
    head.append(_NDOC(_bit_length(np.broadcast_to(n, g.shape))))

    cum = np.concatenate(([0], np.cumsum(sent)))  # a document's counts are differences within it
    dense = cum[first + np.minimum(i + WINDOW + 1, n)] - cum[first + np.maximum(i - WINDOW, 0)] - sent
    n_above, n_below = cum[g] - cum[first], cum[first + n] - cum[g + 1]
    last_above = np.maximum.accumulate(np.where(sent > 0, g, -1))
    last_above = np.concatenate(([-1], last_above[:-1]))
    next_below = np.minimum.accumulate(np.where(sent > 0, g, len(g))[::-1])[::-1]
    next_below = np.append(next_below[1:], len(g))
    up = _distance_codes(g - last_above, last_above >= first)
    down = _distance_codes(next_below - g, next_below < first + n)
    inside = ((n_above > 0) & (n_below > 0)).astype(np.int64)
    sentence_codes = [
        (_WINDOW_SENT, (dense,)),
        (_UP, (up,)),
        (_DOWN, (down,)),
        (_SENT_BEFORE, (_bit_length(n_above),)),
        (_SENT_AFTER, (_bit_length(n_below),)),
        (_INSIDE, (inside, lb, term)),
        (_UP_LEN, (up, lb)),
        (_DOWN_LEN, (down, lb)),
    ]

    same = np.concatenate(([False], start[1:] == start[:-1]))
    same[spans.begins] = False
    same_prev = same.astype(np.int64)
    same_next = np.append(same[1:], False).astype(np.int64)
    run = _bit_length(np.minimum(_run_lengths(start, spans.begins), RUN_CAP))
    doc_codes = [(_SAME, (same_prev, same_next)), (_RUN, (run, start)), (_REL, (lb - dks + REL_OFFSET,))]
    lengths = spans.parts(lines.length)
    for unit, block, block_len in zip(BLOCK_UNITS, _BLOCK, _BLOCK_LEN):
        lo, hi = (spans.spread(v) for v in np.array([main_block(part, unit) for part in lengths], np.int64).T)
        where = np.where((lo <= i) & (i <= hi), 0, np.where(i < lo, 1, 2))
        doc_codes += [(block, (where,)), (block_len, (where, lb))]

    middle = [plain(*codes) for (plain, _), codes in sentence_codes]
    middle.append(_DK(dks))
    middle += [plain(*codes) for (plain, _), codes in doc_codes]
    middle += [crossed(dks, *codes) for (_, crossed), codes in doc_codes]
    middle += [_D_LEN_END(dks, lb, term), _D_START(dks, start)]
    tail = [crossed(dks, *codes) for (_, crossed), codes in sentence_codes]
    tail.append(_COUNT(np.minimum(counts, 3)))
    return tuple(np.stack(cols, axis=1) for cols in (head, middle, tail))  # type: ignore[return-value]


def _repeats(codes: _LineCodes, counts: np.ndarray, later: np.ndarray, first_copy: np.ndarray) -> Group:
    """The repetition features of each line (most lines have none), as distinct tuples and each line's one.

    ``counts`` is how often each line's text occurs in its document, ``later`` whether an earlier line of its
    document has its text, ``first_copy`` whether it is a later copy of its document's first line.
    """
    code = np.where(counts > 1, (first_copy * BUCKETS + codes.length_bucket) * 2 + later, -1)
    values = distinct_values(code)
    tuples = []
    for c in values.tolist():
        if c < 0:
            tuples.append(())
            continue
        (is_first, bucket), is_later = divmod(c // 2, BUCKETS), c % 2
        names = ["repeat:first"] if is_first else []
        names.append(f"repeat:{bucket}:{'later' if is_later else 'first'}")
        tuples.append(_hashed(names))
    return tuples, np.searchsorted(values, code)


@dataclass(frozen=True, slots=True)
class _LineCodes:
    """Each line's facts as numbers, one array per fact (what the context features read)."""

    length: np.ndarray
    length_bucket: np.ndarray
    terminal: np.ndarray  # codes in TERMINALS
    start: np.ndarray  # codes in START_KEYS
    sentence: np.ndarray  # 0 or 1


@dataclass(frozen=True, slots=True)
class _Batch:
    """What the features of documents laid one after another are built from: the facts of each distinct text
    of the batch once, each line's text, and what each line's document says of it. One document is a batch
    of one; in a batch, every feature is still each document's own (``tests/test_context.py``)."""

    facts: list[LineFacts]  # of each distinct text, in order of first occurrence
    text_index: np.ndarray  # each line's text: its place in ``facts``
    codes: _LineCodes
    spans: Spans  # where each line sits among the documents (none empty)
    dks: np.ndarray  # each line's document's doc key
    counts: np.ndarray  # how often each line's text occurs in its document
    later: np.ndarray  # an earlier line of its document has its text
    first_copy: np.ndarray  # its text is its document's first line's, and it is not that line

    def context(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The head, middle and tail context features of each line (:func:`_context_arrays`)."""
        return _context_arrays(self.codes, self.counts, self.dks, self.spans)

    def groups(self) -> tuple[Group, ...]:
        """The variable-length features of the lines, as distinct tuples and each line's one: its own features;
        what the lines one and two above and below it in its document give it (``p1``, ``n1``, ``p2``, ``n2``),
        plain, then crossed with its doc key; its rule categories crossed with the doc key; its repetition
        features."""
        facts, spans = self.facts, self.spans
        first_kind, kind_of_text = distinct_index([f.kind for f in facts])
        kinds = [facts[k].kind for k in first_kind]
        kind_index = kind_of_text[self.text_index]
        missing = len(kinds)  # the kind index of a missing neighbour
        groups: list[Group] = [([f.own for f in facts], self.text_index)]
        plain = [_parts(0, k) for k in kinds] + [_parts(0, _NO_LINE)]
        shifted = []
        for which, by in ((0, -1), (1, 1), (2, -2), (3, 2)):
            index = _shifted_index(kind_index, by, missing)
            if not spans.single:  # a neighbour in another document is missing
                index[(spans.i + by < 0) | (spans.i + by >= spans.n)] = missing
            shifted.append(index)
            groups.append(([p[which] for p in plain], index))
        for which, index in enumerate(shifted):  # crossed with each line's doc key: distinct (key, kind) pairs
            groups.append(_crossed(self.dks * (missing + 1) + index, missing + 1, kinds, which))
        groups.append(_crossed(self.dks * (missing + 1) + kind_index, missing + 1, kinds, 4))
        groups.append(_repeats(self.codes, self.counts, self.later, self.first_copy))
        return tuple(groups)


def _crossed(pair: np.ndarray, width: int, kinds: list[Any], which: int) -> Group:
    """The tuples of part ``which`` of ``_parts(doc key, kind)`` for each line's ``pair`` code (``doc key *
    width + kind index``, the last index: no line), distinct, and each line's one."""
    values = distinct_values(pair)
    tuples = []
    for code in values.tolist():
        dk, k = divmod(code, width)
        tuples.append(_parts(dk, kinds[k] if k < len(kinds) else _NO_LINE)[which])
    return tuples, np.searchsorted(values, pair)


def _batch(documents: Sequence[Sequence[str]]) -> _Batch:
    """The :class:`_Batch` of non-empty documents: the facts of each distinct text once, spread to the lines
    with numpy (boilerplate repeats, within a document and across them)."""
    texts = [t for doc in documents for t in doc]
    first_at, text_index = distinct_index(texts)
    facts = [line_facts(texts[k]) for k in first_at]
    d = len(facts)

    def spread(values: Iterable[int]) -> np.ndarray:
        return np.fromiter(values, np.int64, d)[text_index]

    codes = _LineCodes(
        spread(f.shape.length for f in facts),
        spread(f.length_bucket for f in facts),
        spread(f.terminal for f in facts),
        spread(f.start for f in facts),
        spread(f.shape.sentence for f in facts),
    )
    spans = Spans(np.array([len(doc) for doc in documents], np.int64))
    dks = spans.spread([_doc_key(part.tolist()) for part in spans.parts(codes.length)])
    if spans.single:
        counts = np.bincount(text_index, minlength=d)[text_index]
        later = np.asarray(first_at, np.int64)[text_index] < spans.g
        first_copy = (text_index == 0) & (spans.g > 0)
    else:  # the same, per document: a line's text within its document is the pair (document, text)
        pair = spans.spread(np.arange(len(spans.sizes))) * d + text_index
        order = np.argsort(pair, kind="stable")
        ordered = pair[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        run = np.diff(np.append(starts, len(pair)))
        counts, first_line = np.empty_like(pair), np.empty_like(pair)
        counts[order] = np.repeat(run, run)
        first_line[order] = np.repeat(order[starts], run)  # the stable sort keeps each pair's first line first
        later = first_line < spans.g
        first_copy = (text_index == text_index[spans.first]) & (spans.i > 0)
    return _Batch(facts, text_index, codes, spans, dks, counts, later, first_copy)


def document_feature_array(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashed feature indices of each line, the model's input: every line's indices one line after another,
    and each line's count of them. ``texts`` are a document's stripped, non-blank lines. Laid out with numpy
    (segment by segment, in the order below), not a Python list per line; :func:`document_features` gives
    the same as a list per line.

    >>> flat, counts = document_feature_array(["Skip to content", "He went there on Friday, aides said."])
    >>> len(counts), int(counts.sum()) == len(flat), hash_feature("rule:skip_link") in flat[: counts[0]]
    (2, True, True)
    """
    n = len(texts)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    batch = _batch([texts])
    head, middle, tail = batch.context()
    own, p1, n1, p2, n2, d_p1, d_n1, d_p2, d_n2, d_cats, repeats = (
        [tuples[k] for k in index.tolist()] for tuples, index in batch.groups()
    )
    segments: list[list[tuple[int, ...]] | np.ndarray] = [  # in the order of document_features' rows
        own,
        head,
        p1,
        n1,
        p2,
        n2,
        middle,
        d_cats,
        d_p1,
        d_n1,
        d_p2,
        d_n2,
        tail,
        repeats,
    ]
    lengths = np.stack(
        [
            np.full(n, seg.shape[1]) if isinstance(seg, np.ndarray) else np.fromiter(map(len, seg), np.int64, n)
            for seg in segments
        ],
        axis=1,
    )
    row_lengths = lengths.sum(axis=1)
    ends = np.cumsum(lengths, axis=1) + (np.cumsum(row_lengths) - row_lengths)[:, None]
    starts = ends - lengths  # where each segment of each line begins in the flat array
    flat = np.empty(int(row_lengths.sum()), np.int64)
    for k, seg in enumerate(segments):
        if isinstance(seg, np.ndarray):
            flat[starts[:, k, None] + np.arange(seg.shape[1])] = seg
            continue
        sizes = lengths[:, k]
        values = np.fromiter(chain.from_iterable(seg), np.int64, int(sizes.sum()))
        if len(values):
            within = np.arange(len(values)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            flat[np.repeat(starts[:, k], sizes) + within] = values
    return flat, row_lengths


@dataclass(frozen=True, slots=True)
class DocumentGroups:
    """The features of :func:`document_feature_array`, grouped for summing rather than laid out.

    A line's features are the indices in its row of ``fixed`` (features every line has one of: position,
    context, document) and, for each group, the tuple of indices its entry in ``index`` points to (its own
    features, those its neighbours give it, its repetition features). Few tuples are distinct, so a model
    sums each distinct tuple's weight rows once, not once per line.
    """

    fixed: np.ndarray  # (lines, k) feature indices
    groups: tuple[Group, ...]
    facts: list[LineFacts]  # of each distinct text, in order of first occurrence
    text_index: np.ndarray  # each line's text: its place in ``facts``
    length: np.ndarray  # each line's length

    def line_rules(self) -> list[tuple[Rule, ...]]:
        """The rules each line matches."""
        rules = [f.shape.rules for f in self.facts]
        return [rules[k] for k in self.text_index.tolist()]


def _shifted_index(index: np.ndarray, by: int, missing: int) -> np.ndarray:
    """``index`` of the line ``by`` places away from each line (``missing`` past either end).

    >>> _shifted_index(np.array([0, 1, 2]), -1, 9).tolist(), _shifted_index(np.array([0, 1, 2]), 2, 9).tolist()
    ([9, 0, 1], [2, 9, 9])
    """
    out = np.full(len(index), missing, np.int64)
    if by < 0:
        out[-by:] = index[: len(index) + by]
    else:
        out[: len(index) - by] = index[by:]
    return out


def document_groups(texts: Sequence[str]) -> DocumentGroups:
    """:func:`document_feature_array` as :class:`DocumentGroups`: the same features of each line, for inference.

    >>> g = document_groups(["Skip to content", "Skip to content", "He went there on Friday, aides said."])
    >>> own, index = g.groups[0]
    >>> len(own), index.tolist(), hash_feature("rule:skip_link") in own[0]
    (2, [0, 0, 1], True)
    """
    return batch_groups([texts])


def batch_groups(documents: Sequence[Sequence[str]]) -> DocumentGroups:
    """The :class:`DocumentGroups` of several documents' lines, one document after another: each line has the
    features :func:`document_groups` gives it in its own document, computed for all the documents at once,
    so many small documents (``--jsonl``, ``batch``) share the fixed cost. ``facts`` and ``text_index`` are
    the batch's: a text several documents have is one fact. Empty documents add nothing.

    >>> both = batch_groups([["Skip to content"], [], ["Subscribe", "Skip to content"]])
    >>> both.fixed.shape[0], both.text_index.tolist(), [f.shape.length for f in both.facts]
    (3, [0, 1, 0], [15, 9])
    """
    filled = [doc for doc in documents if doc]
    if not filled:
        empty = np.zeros(0, np.int64)
        return DocumentGroups(np.zeros((0, 0), np.int64), (), [], empty, empty)
    batch = _batch(filled)
    fixed = np.concatenate(batch.context(), axis=1)
    return DocumentGroups(fixed, batch.groups(), batch.facts, batch.text_index, batch.codes.length)


def document_features(texts: Sequence[str], shapes: Sequence[LineShape] | None = None) -> list[list[int]]:
    """Hashed feature indices of each line: :func:`document_feature_array` as a list per line, for training.

    ``texts`` are a document's stripped, non-blank lines. ``shapes`` (each line's ``line_shape``) may be
    given by callers that have them; they are not needed, the line facts cache holds them.
    """
    flat, counts = document_feature_array(texts)
    values = flat.tolist()
    ends = np.cumsum(counts).tolist()
    return [values[end - n : end] for end, n in zip(ends, counts.tolist())]


__all__ = [
    "FEATURE_VERSION",
    "N_FEATURES",
    "DocumentGroups",
    "LineFacts",
    "LineShape",
    "batch_groups",
    "document_feature_array",
    "document_features",
    "document_groups",
    "hash_feature",
    "line_facts",
    "line_shape",
]
