"""Page-context features for the HTML model's second stage: each block's stage-1 logit read with its page's.

The block model (``htmlmodel.py``, stage 1) scores each text block from its own markup,
words and trafilatura agreement. Whether a block is content also depends on the page:
a short block among confident paragraphs is a subhead, the same block among link
lists is furniture; a forum post or product card is judged best with the cards that
look like it. This module turns a page's stage-1 logits and a few cheap block facts
into a dense matrix, one row per block, that the second stage (boosted trees,
``cleaner.stage2``) reads:

* the block's own logit and its neighbours' (one and two away), mean and max of a window;
* its rank in the page, its logit against the page median, the page's mean logit and
  the share of its words that stage 1 keeps, and how much of that lies above the block;
* the mean logit of the blocks sharing its element, its parent container, its
  grandparent container, and of the blocks alike in markup (``htmlfeatures._signature``),
  with the sizes of those groups;
* trafilatura's agreement (the share of the block's word trigrams it kept), word count,
  link density, relative position, page size, heading or not.

Everything is a few numpy operations per page plus one pass over the blocks.

Code blocks (text inside ``<pre>``) get a guard, fixed before the guarded model's dev scores were
seen (:func:`guard_code`): stage 2 may raise a code block's score but never lower it below stage 1's.
The issue requires that documentation keep its code blocks, and a code listing is one huge block
whose group and size features lie outside what the trees saw in training: on a man page the trees
pushed its one 4,000-word ``<pre>`` block, which stage 1 kept, below the threshold.

>>> from cleaner.htmlfeatures import page_blocks
>>> blocks = page_blocks("<body><nav><a href='/'>Home</a></nav><p>One two three four.</p></body>")
>>> m = context_matrix(np.array([-2.0, 3.0]), blocks, [0.0, 1.0])
>>> m.shape == (2, len(FEATURE_NAMES)), float(m[0, FEATURE_NAMES.index("link_density")])
(True, 1.0)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from cleaner.context import LOGIT_CLIP, _median, _shifted, _window
from cleaner.htmlfeatures import Block, _signature

WINDOW = 3  # radius of the window summaries (blocks)
OFFSETS = (-2, -1, 1, 2)  # neighbours whose own logit is a feature
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

FEATURE_NAMES: tuple[str, ...] = (
    "s",
    *(f"s{o:+d}" for o in OFFSETS),
    "win_mean",
    "win_max",
    "rank",
    "s_rel",
    "page_mean",
    "page_keep_share",
    "keep_share_above",
    "owner_mean",
    "parent_mean",
    "parent_log_n",
    "grand_mean",
    "alike_mean",
    "alike_log_n",
    "trafilatura_kept",
    "log_words",
    "link_density",
    "rel_pos",
    "log_n",
    "heading",
)


def code_mask(blocks: Sequence[Block]) -> np.ndarray:
    """Which blocks are code: text inside ``<pre>`` (listings, shell sessions, man pages).

    >>> from cleaner.htmlfeatures import page_blocks
    >>> code_mask(page_blocks("<body><p>Run this:</p><pre>ls -l\\ncd /tmp</pre></body>")).tolist()
    [False, True, True]
    """
    return np.fromiter((b.in_pre or b.tag == "pre" for b in blocks), dtype=bool, count=len(blocks))


def guard_code(stage2: np.ndarray, stage1: np.ndarray, code: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """Stage 2's logits, except that a code block's is never below stage 1's (plus ``shift``).

    ``shift`` is how far the trees' baseline was moved to map the chosen threshold to the default
    (``HtmlModel``), so that both logits are read against the same threshold: for a code block
    stage 2 can only add what stage 1 dropped, never drop what it kept.

    >>> guard_code(np.array([-5.0, -5.0, 2.0]), np.array([3.0, 3.0, -1.0]), np.array([True, False, True])).tolist()
    [3.0, -5.0, 2.0]
    """
    return np.where(code, np.maximum(stage2, stage1 + shift), stage2)


def _group_stats(keys: Sequence[Hashable], values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item: the mean of ``values`` over the items with the same key, and how many they are.

    >>> mean, n = _group_stats(["a", "b", "a"], np.array([1.0, 5.0, 3.0]))
    >>> mean.tolist(), n.tolist()
    ([2.0, 5.0, 2.0], [2.0, 1.0, 2.0])
    """
    ids: dict[Hashable, int] = {}
    inverse = np.fromiter((ids.setdefault(k, len(ids)) for k in keys), dtype=np.int64, count=len(keys))
    counts = np.bincount(inverse, minlength=len(ids)).astype(np.float64)
    sums = np.bincount(inverse, weights=values.astype(np.float64), minlength=len(ids))
    return (sums / counts)[inverse], counts[inverse]


def _container(b: Block, level: int) -> int:
    """Serial number of the block's container ``level`` steps up (its own element when there is none)."""
    return b.chain[min(level, len(b.chain) - 1)]


def context_matrix(logits: np.ndarray, blocks: Sequence[Block], kept: Sequence[float]) -> np.ndarray:
    """The second-stage features of one page's blocks: ``(n, len(FEATURE_NAMES))`` float32.

    ``logits`` are stage 1's, ``kept`` how much of each block trafilatura kept (``htmlfeatures.kept_shares``,
    with the setting stage 1 read).
    """
    n = len(blocks)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)), np.float32)
    s = np.clip(np.asarray(logits, dtype=np.float32), -LOGIT_CLIP, LOGIT_CLIP)
    kept_share = np.asarray(kept, dtype=np.float32)
    words = np.fromiter((max(1, len(b.text.split())) for b in blocks), dtype=np.float32, count=n)
    chars = np.fromiter((len(b.text) for b in blocks), dtype=np.float32, count=n)
    links = np.fromiter((b.link_chars for b in blocks), dtype=np.float32, count=n)
    keep_words = np.where(s > 0, words, 0.0)
    above = np.concatenate(([0.0], np.cumsum(keep_words)[:-1]))
    win_mean, win_max = _window(s, WINDOW)
    owner_mean, _ = _group_stats([b.chain[0] for b in blocks], s)
    parent_mean, parent_n = _group_stats([_container(b, 1) for b in blocks], s)
    grand_mean, _ = _group_stats([_container(b, 2) for b in blocks], s)
    alike_mean, alike_n = _group_stats([_signature(b) for b in blocks], s)
    order = np.argsort(np.argsort(s, kind="stable"), kind="stable")
    columns = [
        s,
        *(_shifted(s, o) for o in OFFSETS),
        win_mean,
        win_max,
        order / max(n - 1, 1),
        s - _median(s),
        np.full(n, s.mean()),
        np.full(n, keep_words.sum() / words.sum()),
        above / max(keep_words.sum(), 1.0),
        owner_mean,
        parent_mean,
        np.log1p(parent_n),
        grand_mean,
        alike_mean,
        np.log1p(alike_n),
        kept_share,
        np.log1p(words),
        links / np.maximum(chars, 1.0),
        np.arange(n) / max(n - 1, 1),
        np.full(n, np.log1p(n)),
        np.fromiter((b.tag in HEADINGS for b in blocks), dtype=np.float32, count=n),
    ]
    return np.stack(columns, axis=1).astype(np.float32)
