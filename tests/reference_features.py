"""The line features as first written: a frozen, readable reference for the fast path in ``cleaner.features``.

One feature string at a time, per line, as ``cleaner.features`` computed them
up to feature version 5. ``tests/test_speed.py`` checks that the fast
implementation gives every line the same hashed features, in the same order
(the model sums weight rows in that order, so scores agree to the bit).
Not on the hot path: only tests import it. When a feature is changed on
purpose (and ``FEATURE_VERSION`` bumped), change it here the same way.

>>> "rule:skip_link" in line_feature_names(["Skip to content"])[0]
True
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from cleaner.context import CONFIDENT, DISTANCE_CAP, FEATURE_NAMES, LOGIT_CLIP, OFFSETS, _median, _shifted, _window
from cleaner.context import WINDOW as CONTEXT_WINDOW
from cleaner.rules import RULE_SCAN_CHARS, RULES, Rule

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
CONTEXT_CROSS_FROM = 4  # context features crossed with the doc key skip the absolute positions (pos, posend, ...)

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_URL = re.compile(r"https?://|www\.\w", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.\w+")
_TERMINAL = {".": "dot", "!": "bang", "?": "q", ":": "colon", "…": "ellipsis", ";": "semi", ",": "comma"}
_CLOSERS = "\"'”’»)]"
_BULLETS = "-–—•*·▪►»›|#"


@dataclass(frozen=True, slots=True)
class LineShape:
    """Context-free facts about one line, shared by its own and its neighbours' features."""

    length: int
    words: tuple[str, ...]
    terminal: str
    sentence: bool
    rules: tuple[Rule, ...]


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


def match_rules(text: str, rules: tuple[Rule, ...] = RULES) -> tuple[Rule, ...]:
    """The straightforward loop: every rule, in order, that fires on the stripped line ``text``."""
    stripped = text.strip()
    head = stripped[:RULE_SCAN_CHARS]
    lower = head.lower()
    return tuple(r for r in rules if len(stripped) <= r.max_chars and r.matches(head, lower))


def line_shape(text: str) -> LineShape:
    """Facts about a stripped, non-empty line."""
    words = tuple(_WORD.findall(_DIGIT.sub("0", text.lower())))  # digits shaped to 0 (tokens are unchanged)
    terminal = _terminal_class(text)
    sentence = len(words) >= SENTENCE_MIN_WORDS and terminal.split("+")[0] in ("dot", "bang", "q", "ellipsis")
    return LineShape(len(text), words, terminal, sentence, match_rules(text))


def _own_features(text: str, shape: LineShape) -> list[str]:
    words = shape.words
    feats = [
        f"len:{_bucket(shape.length)}",
        f"nw:{_bucket(len(words))}",
        f"end:{shape.terminal}",
        f"start:{_first_class(text)}",
        f"len_end:{_bucket(shape.length)}:{shape.terminal}",
    ]
    sample = text[:SHAPE_SAMPLE_CHARS]
    letters = sum(map(str.isalpha, sample))
    uppers = sum(map(str.isupper, sample))
    feats.append(f"upper:{_ratio_bucket(uppers, letters)}")
    tokens = sample.split()
    titled = sum(map(str.isupper, (w[0] for w in tokens)))
    feats.append(f"titled:{_ratio_bucket(titled, len(tokens))}")
    feats.append(f"digits:{_ratio_bucket(sum(map(str.isdigit, sample)), len(sample))}")
    if _URL.search(text):
        feats.append("has:url")
    if _EMAIL.search(text):
        feats.append("has:email")
    if shape.sentence:
        feats.append("sent")
    if words:
        feats.append(f"first:{words[0]}")
        feats.append(f"last:{words[-1]}")
    head = words[:MAX_WORD_FEATURES]
    tail = words[MAX_WORD_FEATURES:][-TAIL_WORDS:]
    feats.extend("w:" + w for w in head)
    feats.extend("w:" + w for w in tail)
    feats.extend(f"b:{a}_{b}" for a, b in pairwise(words[:BIGRAM_WORDS]))
    for rule in shape.rules:
        feats.append("rule:" + rule.name)
        feats.append("rulecat:" + rule.category)
    if not shape.rules:
        feats.append("rule:none")
    return feats


def _neighbour_features(tag: str, shape: LineShape | None) -> list[str]:
    if shape is None:
        return [f"{tag}:none"]
    feats = [
        f"{tag}:len:{_bucket(shape.length)}",
        f"{tag}:end:{shape.terminal}",
        f"{tag}:sent" if shape.sentence else f"{tag}:nosent",
    ]
    feats.extend(f"{tag}:rulecat:{r.category}" for r in shape.rules)
    return feats


def _distance_bucket(d: int | None) -> str:
    if d is None:
        return "none"
    return str(d) if d <= 3 else "4-7" if d <= 7 else "8+"


def _context_features(i: int, shapes: Sequence[LineShape], sentence_idx: Sequence[int]) -> list[str]:
    n = len(shapes)
    here = shapes[i]
    from_end = n - 1 - i
    feats = [
        f"pos:{min(i, 7)}",
        f"posend:{min(from_end, 7)}",
        f"reldec:{int(10 * i / n)}",
        f"ndoc:{_bucket(n)}",
    ]
    feats += _neighbour_features("p1", shapes[i - 1] if i > 0 else None)
    feats += _neighbour_features("n1", shapes[i + 1] if i + 1 < n else None)
    feats += _neighbour_features("p2", shapes[i - 2] if i > 1 else None)[-1:]
    feats += _neighbour_features("n2", shapes[i + 2] if i + 2 < n else None)[-1:]
    lo, hi = max(0, i - WINDOW), min(n, i + WINDOW + 1)
    dense = sum(s.sentence for s in shapes[lo:hi]) - here.sentence
    feats.append(f"window_sent:{dense}")
    n_above = bisect_left(sentence_idx, i)
    first_below = bisect_right(sentence_idx, i)
    n_below = len(sentence_idx) - first_below
    d_up = i - sentence_idx[n_above - 1] if n_above else None
    d_down = sentence_idx[first_below] - i if n_below else None
    feats.append(f"up:{_distance_bucket(d_up)}")
    feats.append(f"down:{_distance_bucket(d_down)}")
    feats.append(f"sent_before:{_bucket(n_above)}")
    feats.append(f"sent_after:{_bucket(n_below)}")
    inside = n_above > 0 and n_below > 0
    feats.append(f"inside:{inside}:{_bucket(here.length)}:{here.terminal}")
    feats.append(f"up_len:{_distance_bucket(d_up)}:{_bucket(here.length)}")
    feats.append(f"down_len:{_distance_bucket(d_down)}:{_bucket(here.length)}")
    return feats


def _doc_key(lengths: Sequence[int]) -> int:
    """Bucket of the document's median line length, clamped to ``DOC_KEY_MIN..DOC_KEY_MAX``.

    >>> _doc_key([10, 12, 300]), _doc_key([200, 250, 40])
    (4, 8)
    """
    if not lengths:
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
    best, best_lo, best_hi = 0.0, 0, -1
    total, lo = 0.0, 0
    for i, length in enumerate(lengths):
        if total <= 0:
            total, lo = 0.0, i
        total += min(length, BLOCK_LINE_CAP) / unit - 1
        if total > best:
            best, best_lo, best_hi = total, lo, i
    return best_lo, best_hi


def _run_lengths(keys: Sequence[str]) -> list[int]:
    """For each item, the length of the run of equal consecutive keys it belongs to.

    >>> _run_lengths(["a", "a", "b", "a"])
    [2, 2, 1, 1]
    """
    out = [1] * len(keys)
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out[start:i] = [i - start] * (i - start)
            start = i
    return out


def _start_key(text: str) -> str:
    """What a list item starts with: the bullet character itself, else the first character's class."""
    first = text[0]
    return "b" + first if first in _BULLETS else _first_class(text)


def _block_features(i: int, blocks: Sequence[tuple[int, int]], length_bucket: int) -> list[str]:
    feats = []
    for unit, (lo, hi) in zip(BLOCK_UNITS, blocks):
        where = "in" if lo <= i <= hi else "before" if i < lo else "after"
        feats.append(f"blk{unit}:{where}")
        feats.append(f"blk{unit}:{where}:{length_bucket}")
    return feats


def _doc_features(
    dk: int,
    i: int,
    shapes: Sequence[LineShape],
    starts: Sequence[str],
    runs: Sequence[int],
    blocks: Sequence[tuple[int, int]],
    context: Sequence[str],
) -> list[str]:
    """Document-level context of line ``i`` (list runs, relative length, block), then these, the line's
    shape and its ``context`` features again crossed with the doc key ``dk``, so each can weigh differently
    in a clean extract and in a page dump."""
    here = shapes[i]
    lb = _bucket(here.length)
    n = len(shapes)
    same_prev = i > 0 and starts[i - 1] == starts[i]
    same_next = i + 1 < n and starts[i + 1] == starts[i]
    run = min(runs[i], RUN_CAP)
    feats = [
        f"dk:{dk}",
        f"same:{same_prev}:{same_next}",
        f"run:{_bucket(run)}:{starts[i]}",
        f"rel:{lb - dk}",
    ]
    feats += _block_features(i, blocks, lb)
    shape = [f"len_end:{lb}:{here.terminal}", f"start:{starts[i]}", *(f"rulecat:{r.category}" for r in here.rules)]
    return feats + [f"d{dk}:{f}" for f in (*feats[1:], *shape, *context)]


def line_feature_names(texts: Sequence[str], shapes: Sequence[LineShape] | None = None) -> list[list[str]]:
    """The feature strings of each line of a document (stripped, non-blank lines).

    Readable form of :func:`document_features`, for explanations and tests.
    ``shapes`` may be given when the caller already computed ``line_shape`` of each line.
    """
    if shapes is None:
        shapes = [line_shape(t) for t in texts]
    sentence_idx = [i for i, s in enumerate(shapes) if s.sentence]
    counts = Counter(texts)
    first_seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        first_seen.setdefault(text, i)
    first = texts[0] if texts else ""
    lengths = [s.length for s in shapes]
    dk = _doc_key(lengths)
    blocks = [main_block(lengths, unit) for unit in BLOCK_UNITS]
    starts = [_start_key(t) for t in texts]
    runs = _run_lengths(starts)
    rows = []
    for i, (text, shape) in enumerate(zip(texts, shapes)):
        feats = ["bias"]
        feats += _own_features(text, shape)
        context = _context_features(i, shapes, sentence_idx)
        feats += context
        feats += _doc_features(dk, i, shapes, starts, runs, blocks, context[CONTEXT_CROSS_FROM:])
        feats.append(f"count:{min(counts[text], 3)}")
        if i > 0 and text == first:
            feats.append("repeat:first")
        if counts[text] > 1:
            feats.append(f"repeat:{_bucket(shape.length)}:{'later' if first_seen[text] < i else 'first'}")
        rows.append(feats)
    return rows


def hash_feature(name: str) -> int:
    """The bucket of one feature string."""
    return zlib.crc32(name.encode("utf-8")) & (N_FEATURES - 1)


def document_features(texts: Sequence[str]) -> list[list[int]]:
    """Hashed feature indices of each line, in the order the features are built."""
    return [[hash_feature(f) for f in feats] for feats in line_feature_names(texts)]


# The second stage's context features as first written, one document at a time (``cleaner.context`` now
# computes several documents at once): the reference for ``tests/test_context.py`` and ``reference_classify``.


def _distance_to_confident(confident: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each line, lines up to the nearest confident line above and below (capped at ``DISTANCE_CAP``)."""
    n = len(confident)
    idx = np.arange(n)
    where = np.where(confident, idx, -1)
    last_above = np.maximum.accumulate(np.concatenate(([-1], where[:-1]))) if n else where
    up = np.where(last_above >= 0, idx - last_above, DISTANCE_CAP)
    where_below = np.where(confident, idx, n)
    next_below = np.minimum.accumulate(np.concatenate((where_below[1:], [n]))[::-1])[::-1] if n else where_below
    down = np.where(next_below < n, next_below - idx, DISTANCE_CAP)
    return np.minimum(up, DISTANCE_CAP), np.minimum(down, DISTANCE_CAP)


def reference_context_matrix(
    logits: np.ndarray, lengths: np.ndarray, ruled: np.ndarray, category: np.ndarray
) -> np.ndarray:
    """The second-stage features of one document's lines, as ``cleaner.context.context_matrix`` first
    computed them, one document at a time: ``(n, len(FEATURE_NAMES))`` float32.

    ``logits`` are the first-stage keep logits, ``lengths`` the lines' lengths in
    characters, ``ruled`` whether a named rule matches the line, ``category`` the
    logit of the category head's keep classes.
    """
    n = len(logits)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)), np.float32)
    s = np.clip(logits.astype(np.float32), -LOGIT_CLIP, LOGIT_CLIP)
    cat = np.clip(category.astype(np.float32), -LOGIT_CLIP, LOGIT_CLIP)
    keep = s > 0
    confident = s > CONFIDENT
    kept_before = np.concatenate(([0], np.cumsum(keep)[:-1]))
    kept_after = keep.sum() - kept_before - keep
    above = np.arange(n)
    below = n - 1 - above
    chars = np.where(keep, lengths, 0).astype(np.float64)
    chars_before = np.concatenate(([0.0], np.cumsum(chars)[:-1]))
    win_mean, win_max = _window(s, CONTEXT_WINDOW)
    up, down = _distance_to_confident(confident)
    log_len = np.log1p(lengths.astype(np.float32))
    order = np.argsort(np.argsort(s, kind="stable"), kind="stable")
    columns = [
        s,
        *(_shifted(s, o) for o in OFFSETS),
        win_mean,
        win_max,
        np.full(n, s.mean()),
        np.full(n, keep.mean()),
        kept_before / np.maximum(above, 1),
        kept_after / np.maximum(below, 1),
        np.log1p(kept_before),
        np.log1p(kept_after),
        chars_before / max(chars.sum(), 1.0),
        np.log1p(up),
        np.log1p(down),
        above / max(n - 1, 1),
        np.full(n, np.log1p(n)),
        log_len,
        log_len - _median(log_len),
        order / max(n - 1, 1),
        s - _median(s),
        ruled.astype(np.float32),
        cat,
        _shifted(cat, -1),
        _shifted(cat, 1),
    ]
    return np.stack(columns, axis=1).astype(np.float32)


def reference_classify(model: object, text: str, options: object) -> object:
    """``Cleaner.classify`` as first written (plain text), on these reference features and rules.

    Scores windows of ``WINDOW_LINES`` lines with stage 1, then stage 2 when the model has one,
    and decides with ``cleaner.decide``: the decisions the fast path must reproduce.
    """

    from cleaner.api import WINDOW_LINES
    from cleaner.decide import decide
    from cleaner.segment import is_blank, split_lines

    raw_lines = split_lines(text)
    texts = [line.strip() for line in raw_lines if not is_blank(line)]
    limit = options.max_line_chars
    clipped = [t[:limit] for t in texts]
    scored, rules = [], []
    for start in range(0, len(clipped), WINDOW_LINES):
        window = clipped[start : start + WINDOW_LINES]
        shapes = [line_shape(t) for t in window]
        probs, keep_logit, category_logit = model.scores(document_features(window))
        if model.stage2 is not None:
            lengths = np.array([s.length for s in shapes], np.int64)
            ruled = np.array([bool(s.rules) for s in shapes], bool)
            keep_logit = model.stage2.decision(reference_context_matrix(keep_logit, lengths, ruled, category_logit))
        keep_p = 1.0 / (1.0 + np.exp(-keep_logit.astype(np.float64)))
        classes = np.array(model.classes)
        mask = model.keep_mask
        keep_cat = classes[mask][probs[:, mask].argmax(axis=1)]
        drop_cat = classes[~mask][probs[:, ~mask].argmax(axis=1)]
        for shape, p, kc, dc in zip(shapes, keep_p.tolist(), keep_cat.tolist(), drop_cat.tolist()):
            named = next((r for r in shape.rules if not r.generic), None)
            if named is not None:  # a phrase rule says what the line is
                dc = named.category
            elif dc == "noise" and shape.rules:  # a shape rule names what the model could not
                dc = shape.rules[0].category
            scored.append((p, kc, dc))
        rules += [s.rules for s in shapes]
    for i, t in enumerate(texts):
        if len(t) > limit:
            scored[i], rules[i] = (1.0, "body", "body"), ()
    return decide(raw_lines, scored, rules, options, "model")
