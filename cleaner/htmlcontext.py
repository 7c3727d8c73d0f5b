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

Page features (:data:`PAGE_FEATURE_NAMES`, read by models trained with them, :data:`FEATURE_NAMES_V2`), for
the pages whose content is not prose, products and listings:

* where the block lies from the page's main heading (its first ``<h1>``, else its first heading): blocks
  after it, words between, and the smallest container holding both, by its steps up from the heading and
  its share of the page's words (a product's price and details sit in the title's container; a listing's
  items after it);
* repeated item structure: the block's rank among the blocks alike in markup, and what that group holds
  (prices, words, links), how often the block's exact text recurs on the page (menus repeat);
* prices and currency in the block and in its grandparent container (a product card, a spec row);
* landmarks and key/value markup: inside ``<main>``/``<article>``, inside navigation, header, footer or aside,
  a table or definition-list cell, a ``product``/``price`` class or itemprop around it; its parent's link density.

Tail features (:data:`TAIL_FEATURE_NAMES`, read by models trained with them, :data:`FEATURE_NAMES_V3`), for the
blocks an article page keeps that its gold drops, which mostly follow the article's text (comment threads,
related links, author bios, reference lists):

* the main text's container, the deepest holding more than half of the words stage 1 keeps: whether the block
  is in it, the words from its end (or, before it, to its start), its share of the page and how much of it is kept;
  the share of the page's kept words after the block;
* whether the nearest heading at or above the block names such a section (:data:`BOILER_HEADING`: "3 Comments",
  "Related posts", "References", "About the author"...), and how many blocks below it;
* such sections' class words (:data:`CLASS_GROUPS`) in the block's or its ancestors' class/id tokens, and its
  grandparent container's link density (link lists).

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

import re
from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import chain

import numpy as np

from cleaner.context import LOGIT_CLIP, _median, _shifted, _window
from cleaner.distinct import distinct_index
from cleaner.htmlfeatures import Block, _signature

WINDOW = 3  # radius of the window summaries (blocks)
OFFSETS = (-2, -1, 1, 2)  # neighbours whose own logit is a feature
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
MAX_UP = 16  # h1_up when the block shares none of the main heading's known containers (and its cap)
PRICE = re.compile(
    r"(?:[$\u00a3\u20ac\u00a5\u20b9\u20bd]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|Rs\.?|kr|z\u0142)\s?)\s?\d"
    r"|\d\s?(?:[$\u00a3\u20ac\u00a5\u20b9\u20bd]|(?:USD|EUR|GBP|CHF|kr|z\u0142)\b)"
)  # a currency sign or code next to a number: "$19.99", "19,99 \u20ac", "EUR 5", "120 kr". Only searched: a
# number before a currency is found at its last digit, so the first form's "\d(?:[\d.,\u00a0 ]*\d)?" found
# nothing more, and it rescanned a run of digits and spaces from each digit (3 s on 10,000 characters).
MAIN_NAMES = frozenset({"anc:main", "anc:article", "tag:main", "tag:article", "itemprop"})
CHROME_NAMES = frozenset(
    {"anc:nav", "anc:header", "anc:footer", "anc:aside", "tag:nav", "tag:header", "tag:footer", "tag:aside"}
)
CELL_NAMES = frozenset({"anc:table", "anc:dl", "anc:td", "anc:th", "tag:td", "tag:th", "tag:dt", "tag:dd"})
PRODUCT_NAMES = frozenset({"k0:product", "ka:product", "k0:price", "ka:price"})

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
PAGE_FEATURE_NAMES: tuple[str, ...] = (
    "has_h1",
    "h1_rel",
    "h1_words",
    "h1_up",
    "h1_region",
    "log_h1s",
    "alike_rank",
    "alike_price",
    "alike_words",
    "alike_links",
    "log_same_text",
    "price",
    "grand_price",
    "parent_links",
    "in_main",
    "in_chrome",
    "cell",
    "product_class",
)
TAIL_FEATURE_NAMES: tuple[str, ...] = (
    "main_in",
    "main_after",
    "main_share",
    "main_density",
    "kept_after",
    "boiler_heading",
    "boiler_heading_dist",
    "comment_class",
    "related_class",
    "author_class",
    "reference_class",
    "grand_links",
)
FEATURE_NAMES_V2: tuple[str, ...] = FEATURE_NAMES + PAGE_FEATURE_NAMES  # the page features added (html-v3)
FEATURE_NAMES_V3: tuple[str, ...] = FEATURE_NAMES_V2 + TAIL_FEATURE_NAMES  # and the tail features (html-v6)
FEATURE_SETS = (FEATURE_NAMES, FEATURE_NAMES_V2, FEATURE_NAMES_V3)  # the context feature lists a model file may name
BOILER_HEADING = re.compile(
    r"^\W*(?:\d+\s+)?(?:comments?|responses?|repl(?:y|ies)|leave a (?:reply|comment)|(?:post|add|write) a comment"
    r"|join the (?:discussion|conversation)|discussion|conversation|related\b.*|read (?:more|next|also)\b.*"
    r"|more (?:from|on|in|by|stories|articles|posts|news|like this|to read)\b.*"
    r"|you (?:may|might|will) (?:also )?(?:like|enjoy|love|be interested)\b.*|recommended\b.*|popular\b.*"
    r"|trending\b.*|latest\b.*|most (?:read|popular|viewed)\b.*|(?:see|also) (?:also|see|read)\b.*"
    r"|references|bibliography|sources|footnotes|notes|endnotes|citations|further reading|works cited"
    r"|about the authors?|about (?:me|us)|(?:the )?authors?|written by\b.*|share\b.*|tags|topics|categories"
    r"|newsletter\b.*|subscribe\b.*|sign up\b.*|follow us\b.*|keep reading\b.*|up next\b.*)\W*$",
    re.IGNORECASE,
)  # the heading of a section the gold leaves out: comments, related links, author bios, references
MAX_BOILER_HEADING = 60  # characters: a longer heading is a title, not a section label
CLASS_GROUPS = {
    "comment_class": ("comment", "respond", "reply", "replies", "disqus", "discuss"),
    "related_class": ("related", "recommend", "more", "popular", "trending", "readnext", "read-next", "teaser"),
    "author_class": ("author", "bio", "byline", "profile"),
    "reference_class": ("reference", "footnote", "citation", "bibliograph", "endnote"),
}  # substrings of the class/id tokens and keywords (htmlfeatures) of a block and its ancestors
CLASS_PREFIXES = ("c0:", "c1:", "c2:", "k0:", "ka:")  # the context names holding those (htmlfeatures._Node.names)
_CLASS_PATTERNS = tuple(re.compile("|".join(words)) for words in CLASS_GROUPS.values())


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
    first, inverse = distinct_index(keys)
    counts = np.bincount(inverse, minlength=len(first)).astype(np.float64)
    sums = np.bincount(inverse, weights=values.astype(np.float64), minlength=len(first))
    return (sums / counts)[inverse], counts[inverse]


def _container(b: Block, level: int) -> int:
    """Serial number of the block's container ``level`` steps up (its own element when there is none)."""
    return b.chain[min(level, len(b.chain) - 1)]


def _main_heading(blocks: Sequence[Block]) -> tuple[int, float]:
    """Index of the page's main heading (its first ``h1``, else its first heading) and how sure: 1, 0.5, or
    ``(-1, 0.0)`` when the page has no heading.

    >>> from cleaner.htmlfeatures import page_blocks
    >>> _main_heading(page_blocks("<body><p>Menu</p><h2>Sub</h2><h1>Title</h1></body>"))
    (2, 1.0)
    """
    tags = [b.tag for b in blocks]
    if "h1" in tags:
        return tags.index("h1"), 1.0
    first = next((i for i, t in enumerate(tags) if t in HEADINGS), -1)
    return first, 0.5 if first >= 0 else 0.0


def _parents(blocks: Sequence[Block]) -> dict[int, int]:
    """Each container's parent container (by serial), as the blocks' chains (5 deep) reveal them.

    >>> from cleaner.htmlfeatures import page_blocks
    >>> blocks = page_blocks("<html><body><div><p>One two three four.</p></div></body></html>")
    >>> chain = blocks[0].chain
    >>> all(_parents(blocks)[a] == b for a, b in zip(chain, chain[1:]))
    True
    """
    parents: dict[int, int] = {}
    for b in blocks:
        for child, parent in zip(b.chain, b.chain[1:]):
            parents.setdefault(child, parent)
    return parents


def _heading_steps(blocks: Sequence[Block], top: int, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per block: how many containers up from the main heading (block ``top``) the smallest one holding both
    lies (0: the heading's own element; :data:`MAX_UP` when its ancestors cannot be followed that far), and the
    share of the page's words that container holds.

    Chains hold 5 containers; the parents they reveal (:func:`_parents`) extend them up to the page root.
    """
    parents = _parents(blocks)
    serial, up = blocks[top].chain[0], {}
    while serial not in up and len(up) < MAX_UP:
        up[serial] = len(up)
        if serial not in parents:
            break
        serial = parents[serial]
    steps = np.full(len(blocks), MAX_UP, dtype=np.int64)
    for i, b in enumerate(blocks):
        serial, seen = b.chain[0], 0
        while seen < 4 * MAX_UP:  # a bound on malformed chains, far beyond any page's nesting
            if serial in up:
                steps[i] = up[serial]
                break
            if serial not in parents:
                break
            serial, seen = parents[serial], seen + 1
    held = np.cumsum(np.bincount(steps, weights=words, minlength=MAX_UP + 1))
    return steps.astype(np.float64), held[steps] / max(float(words.sum()), 1.0)


def _has_any(blocks: Sequence[Block], names: frozenset[str]) -> np.ndarray:
    """Per block: whether its context or tag has any of ``names``."""
    found = (f"tag:{b.tag}" in names or not names.isdisjoint(b.context) for b in blocks)
    return np.fromiter(found, dtype=np.float32, count=len(blocks))


def page_columns(
    blocks: Sequence[Block], words: np.ndarray, link_density: np.ndarray, signatures: Sequence[Hashable]
) -> list[np.ndarray]:
    """The :data:`PAGE_FEATURE_NAMES` columns of one page's blocks (see the module docstring)."""
    n = len(blocks)
    index = np.arange(n)
    top, sure = _main_heading(blocks)
    if top >= 0:
        cum = np.concatenate(([0.0], np.cumsum(words)))
        between = np.where(index >= top, cum[index] - cum[top], -(cum[top] - cum[index + 1]))
        h1_rel = (index - top) / max(n - 1, 1)
        steps, region = _heading_steps(blocks, top, words)
    else:
        between, h1_rel = np.zeros(n), np.zeros(n)
        steps, region = np.full(n, float(MAX_UP)), np.ones(n)
    price = np.fromiter((PRICE.search(b.text) is not None for b in blocks), dtype=np.float32, count=n)
    _, group = distinct_index(signatures)
    rank = np.empty(n)
    position: Counter[int] = Counter()
    for i, gid in enumerate(group.tolist()):
        rank[i] = position[gid]
        position[gid] += 1
    price_mean, alike = _group_stats(signatures, price)
    texts = Counter(b.text for b in blocks)
    grand_price, _ = _group_stats([_container(b, 2) for b in blocks], price)
    parent_links, _ = _group_stats([_container(b, 1) for b in blocks], link_density)
    return [
        np.full(n, sure),
        h1_rel,
        np.sign(between) * np.log1p(np.abs(between)),
        steps,
        region,
        np.full(n, np.log1p(sum(b.tag == "h1" for b in blocks))),
        rank / np.maximum(alike - 1, 1),
        price_mean,
        _group_stats(signatures, np.log1p(words))[0],
        _group_stats(signatures, link_density)[0],
        np.fromiter((np.log1p(texts[b.text] - 1) for b in blocks), dtype=np.float64, count=n),
        price,
        grand_price,
        parent_links,
        _has_any(blocks, MAIN_NAMES),
        _has_any(blocks, CHROME_NAMES),
        _has_any(blocks, CELL_NAMES),
        _has_any(blocks, PRODUCT_NAMES),
    ]


def _paths(blocks: Sequence[Block]) -> list[tuple[int, ...]]:
    """Each block's containers (by serial) from its own element up to the page root, as far as the chains
    (:func:`_parents`) reveal them.

    >>> from cleaner.htmlfeatures import page_blocks
    >>> a, b = _paths(page_blocks("<html><body><div><p>One.</p><p>Two.</p></div></body></html>"))
    >>> a[1:] == b[1:] and a[0] != b[0] and len(a) == 4
    True
    """
    parents = _parents(blocks)
    above: dict[int, tuple[int, ...]] = {}  # the containers above a chain's last one (shared by many blocks)
    out = []
    for b in blocks:
        top = b.chain[-1]
        if top not in above:
            up, serial = [], top
            while serial in parents and len(up) < 4 * MAX_UP:  # a bound on malformed chains
                serial = parents[serial]
                up.append(serial)
            above[top] = tuple(up)
        out.append(b.chain + above[top])
    return out


def _main_container(paths: Sequence[tuple[int, ...]], weights: np.ndarray) -> int | None:
    """The deepest container holding more than half of ``weights`` (the words stage 1 keeps): the main text's.

    Containers holding more than half are nested in one another, so the deepest is the one with the fewest
    blocks. ``None`` when nothing is kept.

    >>> _main_container([(3, 2, 1), (4, 2, 1), (5, 1)], np.array([5.0, 5.0, 1.0]))
    2
    """
    total = float(weights.sum())
    if total <= 0:
        return None
    flat = np.fromiter(chain.from_iterable(paths), dtype=np.int64)
    lengths = np.fromiter(map(len, paths), dtype=np.int64, count=len(paths))
    held = np.bincount(flat, weights=np.repeat(weights, lengths))
    over = np.flatnonzero(held > total / 2)
    return int(over[np.argmin(np.bincount(flat)[over])]) if len(over) else None


def _boiler_headings(blocks: Sequence[Block]) -> tuple[np.ndarray, np.ndarray]:
    """Per block: whether the nearest heading at or above it names a left-out section (:data:`BOILER_HEADING`:
    comments, related links, references...), and how many blocks lie between (0 when none does).

    >>> from cleaner.htmlfeatures import page_blocks
    >>> flag, dist = _boiler_headings(page_blocks("<h2>Intro</h2><p>a</p><h3>3 Comments</h3><p>b</p><p>c</p>"))
    >>> flag.tolist(), dist.tolist()
    ([0.0, 0.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0, 2.0])
    """
    n = len(blocks)
    flag, dist = np.zeros(n), np.zeros(n)
    since = -1  # index of the last boiler heading in force, -1 when the nearest heading is another
    for i, b in enumerate(blocks):
        if b.tag in HEADINGS:
            boiler = len(b.text) <= MAX_BOILER_HEADING and BOILER_HEADING.match(b.text) is not None
            since = i if boiler else -1
        if since >= 0:
            flag[i], dist[i] = 1.0, i - since
    return flag, dist


def _class_flags(blocks: Sequence[Block]) -> list[np.ndarray]:
    """Per :data:`CLASS_GROUPS` group: whether the block's or its ancestors' class/id tokens or keywords hold
    one of the group's words (found once per distinct context: the blocks of an element share theirs).

    >>> from cleaner.htmlfeatures import page_blocks
    >>> [c.tolist() for c in _class_flags(page_blocks("<div id='comments'><p>Nice.</p></div><p>Body.</p>"))]
    [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    """
    found: dict[tuple[str, ...], tuple[bool, ...]] = {}
    rows = []
    for b in blocks:
        flags = found.get(b.context)
        if flags is None:
            names = " ".join(n for n in b.context if n.startswith(CLASS_PREFIXES))
            flags = found[b.context] = tuple(p.search(names) is not None for p in _CLASS_PATTERNS)
        rows.append(flags)
    return list(np.array(rows, dtype=np.float32).reshape(len(blocks), len(CLASS_GROUPS)).T)


def tail_columns(
    s: np.ndarray, blocks: Sequence[Block], words: np.ndarray, links: np.ndarray, chars: np.ndarray
) -> list[np.ndarray]:
    """The :data:`TAIL_FEATURE_NAMES` columns: where each block lies from the main text's container (the deepest
    holding most of the words stage 1 keeps), the share of kept words after it, the section heading it is
    under, class words of left-out sections around it, and its grandparent's link density."""
    n = len(blocks)
    kept_words = np.where(s > 0, words, 0.0)
    paths = _paths(blocks)
    main = _main_container(paths, kept_words)
    inside = np.fromiter((main is not None and main in p for p in paths), dtype=bool, count=n)
    cum = np.concatenate(([0.0], np.cumsum(words)))
    index = np.arange(n)
    if inside.any():
        first, last = int(np.argmax(inside)), int(n - 1 - np.argmax(inside[::-1]))
        between = np.where(index > last, cum[index + 1] - cum[last + 1], 0.0)  # its own words included
        between = np.where(index < first, -(cum[first] - cum[index]), between)
        held = float(words[inside].sum())
        share, density = held / float(words.sum()), float(kept_words[inside].sum()) / max(held, 1.0)
    else:
        between, share, density = np.zeros(n), 0.0, 0.0
    after = kept_words.sum() - np.cumsum(kept_words)
    flag, dist = _boiler_headings(blocks)
    grand_links, _ = _group_stats([_container(b, 2) for b in blocks], links)
    grand_chars, _ = _group_stats([_container(b, 2) for b in blocks], chars)
    return [
        inside.astype(np.float32),
        np.sign(between) * np.log1p(np.abs(between)),
        np.full(n, share),
        np.full(n, density),
        after / max(float(kept_words.sum()), 1.0),
        flag,
        np.log1p(dist),
        *_class_flags(blocks),
        grand_links / np.maximum(grand_chars, 1.0),
    ]


def context_matrix(
    logits: np.ndarray, blocks: Sequence[Block], kept: Sequence[float], names: Sequence[str] = FEATURE_NAMES
) -> np.ndarray:
    """The second-stage features of one page's blocks: ``(n, len(names))`` float32.

    ``logits`` are stage 1's, ``kept`` how much of each block trafilatura kept (``htmlfeatures.kept_shares``,
    with the setting stage 1 read); ``names`` is one of :data:`FEATURE_SETS` (the model's): the page features
    are computed only for a model that reads them.
    """
    if tuple(names) not in FEATURE_SETS:
        raise ValueError(f"unknown context features {names!r}")
    n = len(blocks)
    if n == 0:
        return np.zeros((0, len(names)), np.float32)
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
    signatures = [_signature(b) for b in blocks]
    alike_mean, alike_n = _group_stats(signatures, s)
    link_density = links / np.maximum(chars, 1.0)
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
        link_density,
        np.arange(n) / max(n - 1, 1),
        np.full(n, np.log1p(n)),
        np.fromiter((b.tag in HEADINGS for b in blocks), dtype=np.float32, count=n),
    ]
    if len(names) > len(FEATURE_NAMES):
        columns += page_columns(blocks, words, link_density, signatures)
    if len(names) > len(FEATURE_NAMES_V2):
        columns += tail_columns(s, blocks, words, links, chars)
    return np.stack(columns, axis=1).astype(np.float32)
