"""The line categories: what each means and whether it is kept.

The names follow ``labeling.md`` (shared with the data team). ``noise`` is the
generic drop class of the shared line sets, whose noise lines carry no finer
category; ``other`` names a dropped line that no finer category explains.

>>> is_keep("heading"), is_keep("newsletter")
(True, False)
"""

from __future__ import annotations

KEEP_CATEGORIES: dict[str, str] = {
    "body": "paragraphs of the story, quotes, list items and table rows",
    "title": "the article's headline, first occurrence",
    "heading": "subheads inside the story, even without a full stop",
}

DROP_CATEGORIES: dict[str, str] = {
    "newsletter": "sign-up prompts, email forms, confirmations",
    "donation": "requests for money or membership",
    "paywall": "truncation and subscriber notices (sets the truncated flag)",
    "caption": "image captions, photo credits, alt text",
    "related": "teasers for other stories and their blurbs",
    "navigation": "menus, breadcrumbs, skip links, tag lists, pagination",
    "meta": "bylines, dates, timestamps, reading time, reporting credits",
    "social": "share and follow prompts, counters",
    "promo": "ads, own-product promotions, ad-blocker and app prompts",
    "feedback": "correction and comment prompts",
    "publisher": "the outlet describing itself",
    "legal": "cookies, copyright, terms",
    "media": "notices about embedded media (AI audio, video)",
    "comments": "reader comments and their furniture",
    "repeat": "a repeat of the headline further down",
    "noise": "boilerplate of no finer category (shared line sets)",
    "other": "dropped by the fallback heuristics without a finer category",
}

ALL_CATEGORIES: tuple[str, ...] = (*KEEP_CATEGORIES, *DROP_CATEGORIES)


def is_keep(category: str) -> bool:
    """Whether lines of ``category`` belong to the article."""
    return category in KEEP_CATEGORIES
