"""Document-context features for the second stage: each line's first-stage score read with its document's.

Pass 1 (``cleaner.model``) scores each line from its own words and shape and a
few neighbour facts. Whether a line is article text also depends on where the
article is: a short line right after the last confident paragraph is a teaser,
the same line between two paragraphs is a subhead. This module turns the
first-stage keep logits of a whole document into a dense matrix, one row per
line, that the second stage (``cleaner.stage2``) reads:

* the line's own logit and its neighbours' (three either side);
* the category head's view: the logit of its keep classes, for the line and
  its two neighbours (it learned the authored noise families closely);
* window summaries (mean and max of the logits around it);
* how much confident article text lies above and below it, and how far the
  nearest confident line is;
* where it sits (relative position, document size) and how long it is,
  against the document's median length;
* the document as a whole (mean logit, share of lines the first stage keeps).

Everything is vectorised numpy over the document, so the cost is a few dozen
array operations per document, whatever its length.

>>> m = context_matrix(np.array([3.0, -2.0, 4.0]), np.array([80, 10, 120]), np.array([False, True, False]),
...                    np.array([2.0, -5.0, 1.0]))
>>> m.shape == (3, len(FEATURE_NAMES))
True
>>> float(m[1, FEATURE_NAMES.index("ruled")])
1.0
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cleaner.spans import Spans

LOGIT_CLIP = 8.0  # first-stage logits beyond this carry no more information; the clip also bounds the features
PAD = -9.0  # the logit of a neighbour outside the document: below any real (clipped) logit
OFFSETS = (-3, -2, -1, 1, 2, 3)  # neighbours whose own logit is a feature
WINDOW = 5  # radius of the window summaries
CONFIDENT = 2.0  # a logit above this is a confident article line (P > 0.88)
DISTANCE_CAP = 50  # distances to the nearest confident line are capped here (lines)

FEATURE_NAMES: tuple[str, ...] = (
    "s",
    *(f"s{o:+d}" for o in OFFSETS),
    "win_mean",
    "win_max",
    "doc_mean",
    "doc_keep_share",
    "keep_share_above",
    "keep_share_below",
    "keep_lines_above",
    "keep_lines_below",
    "keep_chars_above_share",
    "dist_confident_above",
    "dist_confident_below",
    "rel_pos",
    "log_n",
    "log_len",
    "log_len_rel",
    "rank",
    "s_rel",
    "ruled",
    "cat",
    "cat-1",
    "cat+1",
)


def _shifted(s: np.ndarray, offset: int) -> np.ndarray:
    """``s`` moved by ``offset`` lines (``out[i] = s[i + offset]``), padded with ``PAD``."""
    if offset == 0:
        return s.copy()
    out = np.full_like(s, PAD)
    n = len(s)
    if offset < 0 and -offset < n:
        out[-offset:] = s[: n + offset]
    elif 0 < offset < n:
        out[: n - offset] = s[offset:]
    return out


def _window(
    s: np.ndarray, radius: int, shifted: Callable[[np.ndarray, int], np.ndarray] = _shifted
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and max of ``s`` over each line's window of ``radius`` lines either side (the line itself too);
    ``shifted`` moves ``s`` by an offset, ``PAD`` where no line is (:func:`_shifted`: past either end)."""
    stacked = np.stack([shifted(s, o) for o in range(-radius, radius + 1)])
    inside = stacked > PAD
    total = np.where(inside, stacked, 0.0).sum(axis=0)
    return (total / inside.sum(axis=0)).astype(np.float32), stacked.max(axis=0)


def _median(values: np.ndarray) -> np.ndarray:
    """``np.median`` of finite values, to the bit, without the ``numpy.ma`` import (12 ms of every start)
    that its NaN check brings: the mean of the middle one or two sorted values, as numpy takes it.

    >>> float(_median(np.array([3.0, 1.0, 2.0], np.float32))), float(_median(np.array([4.0, 1.0, 2.0, 3.0])))
    (2.0, 2.5)
    """
    ordered = np.sort(values)
    half = len(ordered) // 2
    return np.mean(ordered[half - 1 + len(ordered) % 2 : half + 1])


def context_matrix(logits: np.ndarray, lengths: np.ndarray, ruled: np.ndarray, category: np.ndarray) -> np.ndarray:
    """The second-stage features of one document's lines: ``(n, len(FEATURE_NAMES))`` float32.

    ``logits`` are the first-stage keep logits, ``lengths`` the lines' lengths in
    characters, ``ruled`` whether a named rule matches the line, ``category`` the
    logit of the category head's keep classes.
    """
    return context_matrices(logits, lengths, ruled, category, np.array([len(logits)], np.int64))


class _Segments(Spans):
    """:class:`Spans` with the window and neighbour operations of the context matrix, each within a document."""

    def shifted(self, s: np.ndarray, offset: int) -> np.ndarray:
        """:func:`_shifted` within each document: ``PAD`` past either end of it."""
        out = _shifted(s, offset)  # past the ends of the whole batch: PAD
        if not self.single:  # ...and past the ends of each document
            out[(self.i + offset < 0) | (self.i + offset >= self.n)] = PAD
        return out

    def window(self, s: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """:func:`_window` within each document."""
        return _window(s, radius, self.shifted)

    def before(self, values: np.ndarray) -> np.ndarray:
        """The sum of ``values`` (integers) over the lines above each line in its document."""
        cum = np.concatenate(([0], np.cumsum(values)))
        return cum[self.g] - cum[self.first]

    def totals(self, values: np.ndarray) -> np.ndarray:
        """The sum of ``values`` (integers) over each line's document."""
        cum = np.concatenate(([0], np.cumsum(values)))
        return cum[self.first + self.n] - cum[self.first]

    def distance_to_confident(self, confident: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The lines up to the nearest confident line above and below, within each document (capped at
        ``DISTANCE_CAP``)."""
        g, total = self.g, len(self.g)
        last_above = np.maximum.accumulate(np.concatenate(([-1], np.where(confident, g, -1)[:-1])))
        up = np.where(last_above >= self.first, g - last_above, DISTANCE_CAP)
        where_below = np.concatenate((np.where(confident, g, total)[1:], [total]))
        next_below = np.minimum.accumulate(where_below[::-1])[::-1]
        down = np.where(next_below < self.first + self.n, next_below - g, DISTANCE_CAP)
        return np.minimum(up, DISTANCE_CAP), np.minimum(down, DISTANCE_CAP)

    def order(self, values: np.ndarray) -> np.ndarray:
        """The lines sorted by document, then by ``values``, ties in line order (a stable sort)."""
        if self.single:
            return np.argsort(values, kind="stable")
        return np.lexsort((values, self.spread(np.arange(len(self.sizes)))))

    def ranks(self, order: np.ndarray) -> np.ndarray:
        """Each line's rank in its document by the :meth:`order` of some values (a stable double argsort)."""
        rank = np.empty(len(order), np.int64)
        rank[order] = self.g  # the inverse permutation of the order: each line's place in it
        return rank - self.first

    def medians(self, values: np.ndarray, order: np.ndarray) -> np.ndarray:
        """:func:`_median` of each line's document's float32 ``values`` (sorted by ``order``), to the bit:
        the middle value, or the float32 mean of the middle two, as ``np.mean`` sums and divides them."""
        ordered = values[order]
        low = np.float32(0) + ordered[self.begins + (self.sizes - 1) // 2]  # np.mean adds to 0: -0.0 becomes 0.0
        high = ordered[self.begins + self.sizes // 2]
        return self.spread(np.where(self.sizes % 2 == 1, low, (low + high) / np.float32(2)))


def context_matrices(
    logits: np.ndarray, lengths: np.ndarray, ruled: np.ndarray, category: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """:func:`context_matrix` of several documents laid one after another, ``sizes`` lines each: the same
    rows as each document's own matrix, in one pass of array operations (only each document's mean is taken
    one document at a time, so that it stays that of :func:`context_matrix` to the bit).
    """
    n_lines = len(logits)
    if n_lines == 0:
        return np.zeros((0, len(FEATURE_NAMES)), np.float32)
    sizes = sizes[sizes > 0]
    seg = _Segments(sizes)
    n, i = seg.n, seg.i
    s = np.clip(logits.astype(np.float32), -LOGIT_CLIP, LOGIT_CLIP)
    cat = np.clip(category.astype(np.float32), -LOGIT_CLIP, LOGIT_CLIP)
    keep = s > 0
    kept_before = seg.before(keep)
    kept_total = seg.totals(keep)
    kept_after = kept_total - kept_before - keep
    below = n - 1 - i
    chars = np.where(keep, lengths, 0).astype(np.float64)  # whole numbers: their sums are exact in any order
    chars_before = seg.before(chars)
    chars_total = seg.totals(chars)
    win_mean, win_max = seg.window(s, WINDOW)
    up, down = seg.distance_to_confident(s > CONFIDENT)
    log_len = np.log1p(lengths.astype(np.float32))
    means = seg.spread([part.mean() for part in seg.parts(s)])  # pairwise sums: one document at a time
    by_s = seg.order(s)
    median_len = seg.medians(log_len, seg.order(log_len))
    median_s = seg.medians(s, by_s)
    columns = [
        s,
        *(seg.shifted(s, o) for o in OFFSETS),
        win_mean,
        win_max,
        means,
        np.broadcast_to(kept_total.astype(np.float64) / n, s.shape),
        kept_before / np.maximum(i, 1),
        kept_after / np.maximum(below, 1),
        np.log1p(kept_before),
        np.log1p(kept_after),
        chars_before / np.maximum(chars_total, 1.0),
        np.log1p(up),
        np.log1p(down),
        i / np.maximum(n - 1, 1),
        seg.spread(np.log1p(sizes)),
        log_len,
        log_len - median_len,
        seg.ranks(by_s) / np.maximum(n - 1, 1),
        s - median_s,
        ruled.astype(np.float32),
        cat,
        seg.shifted(cat, -1),
        seg.shifted(cat, 1),
    ]
    return np.stack(columns, axis=1).astype(np.float32)
