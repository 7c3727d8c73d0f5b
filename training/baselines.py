"""Line-filtering baselines that the benchmark compares the cleaner with.

Each baseline is a function ``lines -> keep flags``: it gets the stripped,
non-blank lines of one document in order and returns one ``bool`` per line
(``True`` = keep). Only the *line-level* parts of each published method are
implemented: page-level rules (drop the whole page) are left out, because the
benchmark scores line decisions on pages that are all articles.

>>> c4_lines(["Menu", "The council approved the new budget on Monday night."])
[False, True]
>>> keep_all(["a", "b"])
[True, True]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from html import escape

Baseline = Callable[[Sequence[str]], list[bool]]

# --- C4 ----------------------------------------------------------------------------------------
C4_END_MARKS = (".", "?", "!", '"')  # "a period, exclamation mark, question mark, or end quotation mark"
C4_ELLIPSIS = "..."  # the reference code drops lines ending in an ellipsis although "." is an end mark
C4_MIN_WORDS_PER_LINE = 5  # paper and tensorflow_datasets c4_utils: "at least 5 words"
C4_POLICY_SUBSTRINGS = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)  # the paper's list of boilerplate policy phrases
C4_CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")  # Wikipedia markers, removed before the tests

# --- RefinedWeb ----------------------------------------------------------------------------------
RW_MAX_UPPER_RATIO = 0.5  # "mainly composed of uppercase characters": more than half of the letters
RW_SHORT_LINE_WORDS = 10  # the navigation patterns apply only to short lines (at most this many words)
RW_COUNTER = re.compile(  # social counters such as "1.2K likes", "3 comments", "Shares 45"
    r"^\W*(\d[\d.,]*\s*[kmb]?\s+(likes?|shares?|comments?|views?|followers?|retweets?|replies|reactions?|votes?)"
    r"|(likes?|shares?|comments?|views?|followers?)\s*:?\s*\d[\d.,]*\s*[kmb]?)\W*$",
    re.IGNORECASE,
)
RW_START = re.compile(
    r"^\W*(sign[ -]?in|sign[ -]?up|log[ -]?in|log[ -]?out|register|subscribe|follow us|"
    r"share (this|on)|click here|skip to|advertisement)\b",
    re.IGNORECASE,
)
RW_END = re.compile(r"\b(read more|continue reading|learn more|see more|show more|view all|more)\W*$", re.IGNORECASE)
RW_ANYWHERE = re.compile(
    r"\b(items? in (your )?cart|cookie|all rights reserved|newsletter|terms of (use|service)|"
    r"privacy policy|back to top)\b",
    re.IGNORECASE,
)

# --- jusText -------------------------------------------------------------------------------------
JUSTEXT_LANGUAGE = "English"  # the stoplist the brief asks for; dev pages in other languages suffer from it
JUSTEXT_KEEP = frozenset({"good", "near-good"})  # final classes after jusText's context revision


def keep_all(lines: Sequence[str]) -> list[bool]:
    """Keep every line: the floor of noise removal and the ceiling of body recall."""
    return [True] * len(lines)


def c4_line(line: str) -> bool:
    """One line through the line-level rules of C4.

    Source: Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
    Text-to-Text Transformer" (JMLR 21), section 2.2, and its reference implementation
    ``tensorflow_datasets/text/c4_utils.py`` (``clean_page``, whose constants are used here).
    """
    line = C4_CITATION.sub("", line.strip())
    if not line.endswith(C4_END_MARKS) or line.endswith(C4_ELLIPSIS):
        return False
    if len(line.split()) < C4_MIN_WORDS_PER_LINE:
        return False
    lower = line.lower()
    return "javascript" not in lower and not any(p in lower for p in C4_POLICY_SUBSTRINGS)


def c4_lines(lines: Sequence[str]) -> list[bool]:
    """C4's line rules applied to each line (see :func:`c4_line`); page-level drops are not applied.

    C4 also drops whole pages (fewer than 3 sentences, "lorem ipsum", a curly bracket, a bad word).
    """
    return [c4_line(line) for line in lines]


def _upper_ratio(line: str) -> float:
    letters = [c for c in line if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def refinedweb_line(line: str) -> bool:
    """One line through RefinedWeb's line-wise corrections.

    Source: Penedo et al. 2023, "The RefinedWeb Dataset for Falcon LLM" (arXiv:2306.01116),
    section 3.2 and the appendix table of line-wise corrections: drop lines that are mainly
    uppercase, only numerical, social counters ("3 likes"), a single word, or short (<= 10
    words) and matching a navigation pattern at the start ("sign-in"), at the end ("Read more...")
    or anywhere ("items in cart"). The paper gives examples, not its pattern lists: the patterns
    here are ours, written in that spirit. Its document-level rule (drop the page when the
    corrections remove more than 5% of its words) is not applied.
    """
    text = line.strip()
    words = text.split()
    if len(words) <= 1 or _upper_ratio(text) > RW_MAX_UPPER_RATIO:
        return False
    if not any(c.isalpha() for c in text) or RW_COUNTER.match(text):
        return False
    return not (len(words) <= RW_SHORT_LINE_WORDS and _navigation_like(text))


def _navigation_like(text: str) -> bool:
    return bool(RW_START.search(text) or RW_END.search(text) or RW_ANYWHERE.search(text))


def refinedweb_lines(lines: Sequence[str]) -> list[bool]:
    """RefinedWeb's line-wise corrections applied to each line (see :func:`refinedweb_line`)."""
    return [refinedweb_line(line) for line in lines]


def trafilatura_lines(lines: Sequence[str]) -> list[bool]:
    """trafilatura's own text-level filters applied to plain lines.

    Source: adbar/trafilatura, ``trafilatura.utils.textfilter`` (the ``RE_FILTER`` pattern of
    share buttons and "More on this" teasers) and ``trafilatura.deduplication.duplicate_test``
    (a text longer than ``min_duplcheck_size`` seen more than ``max_repetitions`` times is
    dropped), run on one ``<p>`` element per line with a fresh cache per document.
    """
    from lxml import etree
    from trafilatura.deduplication import LRUCache, duplicate_test
    from trafilatura.settings import Extractor
    from trafilatura.utils import textfilter

    options = Extractor()
    options.dedup = LRUCache()
    keep = []
    for line in lines:
        elem = etree.Element("p")
        elem.text = line
        keep.append(not textfilter(elem) and not duplicate_test(elem, options))
    return keep


def justext_lines(lines: Sequence[str]) -> list[bool]:
    """jusText's paragraph classifier with each line as one ``<p>`` paragraph.

    Source: Pomikálek 2011, "Removing Boilerplate and Duplicate Content from Web Corpora"
    (PhD thesis, Masaryk University) and its implementation ``miso-belica/jusText``
    (``justext.justext`` with its default thresholds and the English stoplist). Both passes run:
    the context-free classification and the revision of short and near-good paragraphs from
    their neighbours; a line is kept when its final class is good.
    """
    import justext

    if not lines:
        return []
    html = "<html><body>" + "".join(f"<p>{escape(line)}</p>" for line in lines) + "</body></html>"
    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist(JUSTEXT_LANGUAGE), encoding="utf-8")
    if len(paragraphs) == len(lines):
        return [p.class_type in JUSTEXT_KEEP for p in paragraphs]
    # jusText skipped some paragraphs: align by whitespace-normalised text; unmatched lines are dropped
    kept = Counter(p.text for p in paragraphs if p.class_type in JUSTEXT_KEEP)
    flags = []
    for line in lines:
        key = " ".join(line.split())
        flags.append(kept[key] > 0)
        kept[key] -= 1
    return flags


BASELINES: dict[str, Baseline] = {
    "keep everything": keep_all,
    "C4 line rules": c4_lines,
    "RefinedWeb line rules": refinedweb_lines,
    "trafilatura text filters": trafilatura_lines,
    "jusText (English)": justext_lines,
}
