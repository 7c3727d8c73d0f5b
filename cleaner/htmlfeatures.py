"""HTML input as text blocks with their DOM context: the lines and features of the HTML line model.

A page is cut into *blocks*: the text of one block-level element (``p``, ``li``, ``td``, ``h2``,
``div``...) up to its first nested block element, a ``<br>`` or the element's end; ``<pre>`` text
keeps its own line breaks. Each block is one output line and carries its DOM context:

* tag, the interesting ancestors (``nav``, ``aside``, ``footer``, ``header``, ``figure``, ``form``,
  ``button``, ``li``, ``table``, ``article``, ``main``...), depth;
* class/id tokens of the element and of its ancestors, and named boilerplate keywords found in them
  (``newsletter``, ``subscribe``, ``promo``, ``related``, ``share``, ``comment``, ``byline``...);
* link density, length, words, punctuation, position in the page;
* agreement with trafilatura: the share of the block's words that trafilatura's own extraction kept,
  for the block, its neighbours and its enclosing containers (so a forum post or a list item next
  to kept ones is judged with them).

Every feature is a short string hashed into ``N_FEATURES`` buckets with CRC-32 (as ``features.py``
does for text), so the model is a plain weight vector and inference needs numpy only.

>>> blocks = page_blocks("<html><body><nav><a href='/'>Home</a></nav><p>A long enough sentence here.</p></body></html>")
>>> [(b.text, b.tag) for b in blocks]
[('Home', 'nav'), ('A long enough sentence here.', 'p')]
>>> blocks[0].link_chars == len("Home")
True
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count
from math import log2

HTML_FEATURE_VERSION = 1  # bump when any feature changes: the HTML model records the version it was trained with
N_FEATURES = 1 << 18  # hash buckets, as for the text model
SKIP_TAGS = frozenset(
    {"script", "style", "template", "svg", "iframe", "head", "select", "option", "canvas", "object"}
    | {"embed", "math", "video", "audio", "picture", "source", "textarea", "map"}
)  # never visible text, or not text a reader reads
BLOCK_TAGS = frozenset(
    {"html", "body", "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "li", "ul"}
    | {"ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table", "tbody", "thead"}
    | {"tfoot", "pre", "blockquote", "figure", "figcaption", "form", "fieldset", "address", "details", "summary"}
    | {"center", "caption", "legend", "hr", "menu", "dialog", "hgroup", "search"}
)  # elements that start a new line of text
CONTEXT_TAGS = frozenset(
    {"nav", "aside", "footer", "header", "figure", "figcaption", "form", "button", "li", "table", "article"}
    | {"main", "section", "blockquote", "pre", "code", "dl", "label", "ul", "ol", "h1", "h2", "h3", "details"}
    | {"dialog", "menu", "address", "td", "th"}
)  # ancestors whose presence is a feature
KEYWORDS = (
    "newsletter", "subscribe", "signup", "promo", "related", "share", "social", "comment", "byline", "author",
    "caption", "cookie", "consent", "banner", "breadcrumb", "menu", "nav", "footer", "header", "sidebar",
    "widget", "advert", "sponsor", "popup", "modal", "login", "search", "tag", "meta", "date", "recommend",
    "more", "card", "teaser", "content", "article", "post", "entry", "body", "text", "main", "product",
    "price", "review", "thread", "message", "reply", "answer", "question", "code", "highlight", "hidden",
    "skip", "toc", "pagination", "rating", "description", "summary", "title", "heading",
)  # fmt: skip  # substrings of class/id/role values with a known meaning for boilerplate or content
ANCESTOR_LEVELS = 4  # containers above the block whose trafilatura agreement is a feature
MAX_CLASS_TOKENS = 12  # class/id tokens taken per element: utility-class soups add noise, not signal
MAX_WORDS = 12  # the first words of a block are features: "Share", "Posted by", "Subscribe" live there
END_MARKS = '.!?:;,)"\u201d'  # last characters told apart: sentence ends, list colons, quotes
TRIGRAM = 3  # word n-gram used to match a block against trafilatura's text

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_CLASS_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


INLINE_FLAGS = frozenset({"a", "button", "label", "code", "strong", "b", "em", "time", "small", "cite", "sup"})
# inline elements whose presence around a block's text is a feature


@dataclass(frozen=True, slots=True)
class _Node:
    """What an open element hands down to its descendants (computed once per element)."""

    tag: str
    tokens: tuple[str, ...]  # its own class/id/role tokens
    parent_tokens: tuple[str, ...]
    grandparent_tokens: tuple[str, ...]
    keywords: frozenset[str]  # KEYWORDS in its own tokens
    anc_tags: frozenset[str]  # CONTEXT_TAGS among its ancestors
    anc_keywords: frozenset[str]  # KEYWORDS in its ancestors' tokens
    depth: int
    itemprop: bool  # it or an ancestor is marked itemprop="articleBody"
    hidden: bool = False  # it or an ancestor is hidden (collapsed sections: their text often is content)

    def child(self, el: object) -> _Node:
        tag, tokens = _tag(el), _attr_tokens(el)
        anc_tags = self.anc_tags | {self.tag} if self.tag in CONTEXT_TAGS else self.anc_tags
        anc_keywords = self.anc_keywords | self.keywords if self.keywords else self.anc_keywords
        itemprop = self.itemprop or el.get("itemprop") == "articleBody"  # type: ignore[attr-defined]
        return _Node(
            tag, tokens, self.tokens, self.parent_tokens, _keywords(tokens), anc_tags, anc_keywords,
            self.depth + 1, itemprop, self.hidden or _hidden(el),
        )  # fmt: skip

    def names(self) -> tuple[str, ...]:
        """The context features of a block owned by this element."""
        out = {f"tag:{self.tag}", f"depth:{min(self.depth // 3, 8)}", *(f"anc:{t}" for t in self.anc_tags)}
        out.update(f"c0:{t}" for t in self.tokens)
        out.update(f"c1:{t}" for t in self.parent_tokens)
        out.update(f"c2:{t}" for t in self.grandparent_tokens)
        out.update(f"k0:{k}" for k in self.keywords)
        out.update(f"ka:{k}" for k in self.anc_keywords)
        if self.itemprop:
            out.add("itemprop")
        if self.hidden:
            out.add("hidden")
        return tuple(sorted(out))


_ROOT = _Node("", (), (), (), frozenset(), frozenset(), frozenset(), 0, False)


@dataclass(frozen=True, slots=True)
class Block:
    """One line of text cut from the page, with the context of the element it came from."""

    text: str
    tag: str  # tag of the owning block element
    context: tuple[str, ...]  # the owner's context features
    chain: tuple[int, ...]  # serial numbers of the owner and its block ancestors, nearest first
    link_chars: int
    inline: frozenset[str]  # INLINE_FLAGS elements around (part of) the text
    in_pre: bool


def _hidden(el: object) -> bool:
    get = el.get  # type: ignore[attr-defined]
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _tag(el: object) -> str:
    tag = el.tag  # type: ignore[attr-defined]
    return tag.lower() if isinstance(tag, str) else ""


def parse_html(html: str) -> object | None:
    """The lxml tree of ``html`` (trafilatura's loader: encodings, broken markup), ``None`` if unusable."""
    from trafilatura.utils import load_html

    try:
        return load_html(html)
    except (ValueError, RecursionError):
        return None


@dataclass(frozen=True, slots=True)
class _Owner:
    serial: int
    node: _Node
    names: tuple[str, ...]


class _Cutter:
    """Collects blocks while walking the tree (state of one walk only)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.open: dict[str, int] = dict.fromkeys(INLINE_FLAGS, 0)
        self.seen: set[str] = set()
        self.pre_open = 0

    def add(self, text: str | None) -> None:
        if text and not text.isspace():
            self.parts.append(text)
            if self.open["a"]:
                self.link_chars += len(text.strip())
            self.seen.update(t for t, n in self.open.items() if n)
        elif text:
            self.parts.append(" ")

    def flush(self, owners: list[_Owner]) -> None:
        if not self.parts:
            return
        raw = "".join(self.parts)
        self.parts, links, self.link_chars = [], self.link_chars, 0
        seen, self.seen = frozenset(self.seen), set()
        owner = owners[-1]
        chain = tuple(o.serial for o in reversed(owners[-ANCESTOR_LEVELS - 1 :]))
        pieces = raw.split("\n") if self.pre_open else [raw]
        for piece in pieces:
            text = _SPACE.sub(" ", piece).strip()
            if text:
                block = Block(
                    text, owner.node.tag, owner.names, chain, min(links, len(text)), seen, bool(self.pre_open)
                )
                self.blocks.append(block)


def tree_blocks(tree: object) -> list[Block]:
    """The blocks of a parsed page, in document order."""
    from lxml import etree

    cutter = _Cutter()
    root = _ROOT.child(tree)
    owners = [_Owner(0, root, root.names())]
    nodes = [root]
    serials = count(1)
    walker = etree.iterwalk(tree, events=("start", "end"))
    next(walker)  # the root itself: already opened above
    for event, el in walker:
        tag = _tag(el)
        if event == "start":
            if not tag or tag in SKIP_TAGS:
                walker.skip_subtree()
                nodes.append(_ROOT)  # placeholder: its "end" pops it and adds only its tail
                continue
            node = nodes[-1].child(el)
            nodes.append(node)
            if tag in BLOCK_TAGS or tag == "br":
                cutter.flush(owners)
            if tag in BLOCK_TAGS:
                owners.append(_Owner(next(serials), node, node.names()))
            if tag in cutter.open:
                cutter.open[tag] += 1
            cutter.pre_open += tag == "pre"
            cutter.add(el.text)
            continue
        node = nodes.pop()
        if node is not _ROOT:
            if tag in BLOCK_TAGS:
                cutter.flush(owners)
                if len(owners) > 1:
                    owners.pop()
            if tag in cutter.open:
                cutter.open[tag] -= 1
            cutter.pre_open -= tag == "pre"
        cutter.add(el.tail)
    cutter.flush(owners)
    return cutter.blocks


def page_blocks(html: str) -> list[Block]:
    """The text blocks of ``html`` (empty when it cannot be parsed)."""
    tree = parse_html(html)
    return tree_blocks(tree) if tree is not None else []


def _attr_tokens(el: object) -> tuple[str, ...]:
    get = el.get  # type: ignore[attr-defined]
    raw = " ".join(filter(None, (get("class"), get("id"), get("role"), get("itemprop"))))
    if not raw:
        return ()
    raw = _CAMEL.sub(" ", raw).lower()
    toks = [t for t in _CLASS_SPLIT.split(raw) if 2 <= len(t) <= 25 and not t.isdigit()]
    return tuple(toks[:MAX_CLASS_TOKENS])


def _keywords(tokens: Sequence[str]) -> frozenset[str]:
    if not tokens:
        return frozenset()
    joined = " ".join(tokens)
    return frozenset(k for k in KEYWORDS if k in joined)


def _bucket(x: float, edges: Sequence[float]) -> int:
    return sum(x >= e for e in edges)


def _trigrams(words: Sequence[str]) -> set[tuple[str, ...]]:
    if len(words) < TRIGRAM:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + TRIGRAM]) for i in range(len(words) - TRIGRAM + 1)}


def text_index(text: str) -> tuple[set[tuple[str, ...]], str]:
    """What :func:`coverage` matches blocks against: the word trigrams and the squashed lower-case text."""
    words = _WORD.findall(text.lower())
    return _trigrams(words), " " + " ".join(words) + " "


def coverage(block_text: str, index: tuple[set[tuple[str, ...]], str]) -> float:
    """Share of the block's word trigrams found in an indexed text (short blocks: as a whole word run).

    >>> coverage("Hello big world", text_index("say hello big world now"))
    1.0
    >>> coverage("Hello", text_index("hello there"))
    1.0
    """
    words = _WORD.findall(block_text.lower())
    if not words:
        return 0.0
    if len(words) < TRIGRAM:
        return float(" " + " ".join(words) + " " in index[1])
    grams = [tuple(words[i : i + TRIGRAM]) for i in range(len(words) - TRIGRAM + 1)]
    return sum(g in index[0] for g in grams) / len(grams)


def _cov_bucket(c: float) -> str:
    return "0" if c == 0 else "1" if c >= 0.99 else "h" if c >= 0.5 else "l"


def _container_shares(blocks: Sequence[Block], kept: Sequence[float]) -> dict[int, list[float]]:
    """Per block container (by serial): characters, characters trafilatura kept, blocks."""
    totals: dict[int, list[float]] = {}
    for b, k in zip(blocks, kept):
        n = len(b.text)
        for serial in b.chain[1:]:
            t = totals.setdefault(serial, [0.0, 0.0, 0])
            t[0] += n
            t[1] += n * k
            t[2] += 1
    return totals


def _signature(b: Block) -> tuple[str, ...]:
    """Blocks alike in markup (same tag, depth, own and parent classes): list items, posts, product cards."""
    return (b.tag, *(n for n in b.context if n.startswith(("c0:", "c1:", "depth:"))))


def _group_shares(signatures: Sequence[tuple[str, ...]], blocks: Sequence[Block], kept: Sequence[float]) -> dict:
    """Per signature: characters, characters trafilatura kept, blocks."""
    totals: dict[tuple[str, ...], list[float]] = {}
    for sig, b, k in zip(signatures, blocks, kept):
        t = totals.setdefault(sig, [0.0, 0.0, 0])
        t[0] += len(b.text)
        t[1] += len(b.text) * k
        t[2] += 1
    return totals


def _end_class(ch: str) -> str:
    if ch in END_MARKS:
        return ch
    return "d" if ch.isdigit() else "a" if ch.isalpha() else "p"


def _text_names(text: str, link_chars: int) -> list[str]:
    words = _WORD.findall(text.lower())
    n = len(text)
    names = [
        f"len:{min(int(log2(n + 1)), 12)}",
        f"nw:{_bucket(len(words), (1, 2, 3, 5, 8, 13, 21, 40, 80))}",
        f"ld:{_bucket(link_chars / n if n else 0, (0.01, 0.3, 0.6, 0.9))}",
        f"end:{_end_class(text[-1])}",
        f"start:{'U' if text[0].isupper() else 'l' if text[0].islower() else 'd' if text[0].isdigit() else 'p'}",
    ]
    names += [f"w:{w}" for w in words[:MAX_WORDS] if not w.isdigit()]
    if words:
        names.append(f"w0:{words[0]}")
    return names


def kept_shares(blocks: Sequence[Block], extracted: str) -> list[float]:
    """How much of each block trafilatura kept: the :func:`coverage` of the block in its text ``extracted``."""
    index = text_index(extracted)
    return [coverage(b.text, index) for b in blocks]


def block_feature_names(
    blocks: Sequence[Block], extracted: str, kept: Sequence[float] | None = None
) -> list[list[str]]:
    """The feature strings of every block; ``extracted`` is trafilatura's text of the same page (``kept``, its
    :func:`kept_shares`, when the caller has them already)."""
    kept = kept_shares(blocks, extracted) if kept is None else kept
    totals = _container_shares(blocks, kept)
    signatures = [_signature(b) for b in blocks]
    alike = _group_shares(signatures, blocks, kept)
    page_chars = sum(len(b.text) for b in blocks)
    page_share = _cov_bucket(sum(len(b.text) * k for b, k in zip(blocks, kept)) / page_chars if page_chars else 0.0)
    n = len(blocks)
    rows = []
    for i, (b, k) in enumerate(zip(blocks, kept)):
        tk = _cov_bucket(k)
        chars, kept_chars, count = alike[signatures[i]]
        sig = f"{_bucket(count, (2, 3, 5, 10, 30))}|{_cov_bucket(kept_chars / chars if chars else 0.0)}"
        length = min(int(log2(len(b.text) + 1)), 12)
        names = [*b.context, *_text_names(b.text, b.link_chars), f"tk:{tk}", f"tk:{tk}|tag:{b.tag}"]
        names += [f"tk:{tk}|len:{length}", f"pos:{_bucket(i / n, (0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9))}"]
        names += [
            f"tkp:{_cov_bucket(kept[i - 1]) if i else 'x'}",
            f"tkn:{_cov_bucket(kept[i + 1]) if i + 1 < n else 'x'}",
        ]
        names += [f"in:{t}" for t in sorted(b.inline)]  # a set: its order changes with the hash seed
        names += [f"sig:{sig}", f"sig:{sig}|tk:{tk}", f"page:{page_share}|tk:{tk}"]
        for level, serial in enumerate(b.chain[1:], 1):
            chars, kept_chars, blocks_in = totals[serial]
            share = kept_chars / chars if chars else 0.0
            names.append(f"up{level}:{_cov_bucket(share)}|{_bucket(blocks_in, (2, 4, 8, 16, 64))}")
        if b.in_pre:
            names.append("pre")
        if i == 0 or b.chain[0] != blocks[i - 1].chain[0]:
            names.append("first_in_el")
        rows.append(names)
    return rows


def hash_names(names: Sequence[str]) -> list[int]:
    """Bucket indices of feature strings (plus the always-on bias feature).

    >>> hash_names(["tag:p"]) == hash_names(["tag:p"])
    True
    """
    return [0, *(1 + zlib.crc32(s.encode("utf-8")) % (N_FEATURES - 1) for s in names)]
