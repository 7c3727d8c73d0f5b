"""Whole-page HTML extractors the HTML benchmark compares the cleaner with (HTML in, text out).

* trafilatura's three settings: default, ``favor_recall``, ``favor_precision`` (tables included,
  comments left out, as the cleaner calls it);
* jusText with its default thresholds and the English stoplist (the good and near-good paragraphs).

Imports happen inside the functions: ``make bench`` pulls in jusText, the cleaner never does.
"""

from __future__ import annotations

from collections.abc import Callable

JUSTEXT_LANGUAGE = "English"  # most WCXB pages are English; other languages suffer from it, as published
JUSTEXT_KEEP = ("good", "near-good")  # jusText's final classes that count as content


def trafilatura_text(html: str, setting: str = "default") -> str:
    """trafilatura's text of ``html`` with one of its settings (``default``, ``favor_recall``, ``favor_precision``)."""
    from cleaner.errors import InputError
    from cleaner.htmlinput import trafilatura_extract

    try:
        return trafilatura_extract(html, setting)
    except InputError:  # unparsable markup: the baseline extracts nothing
        return ""


def justext_text(html: str) -> str:
    """jusText's content paragraphs of ``html``, one per line."""
    import justext

    try:
        paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist(JUSTEXT_LANGUAGE), encoding="utf-8")
    except (ValueError, TypeError):  # jusText gives up on empty or unparsable documents
        return ""
    return "\n".join(p.text for p in paragraphs if p.class_type in JUSTEXT_KEEP)


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "trafilatura (default)": trafilatura_text,
    "trafilatura favor_recall": lambda html: trafilatura_text(html, "favor_recall"),
    "trafilatura favor_precision": lambda html: trafilatura_text(html, "favor_precision"),
    "jusText (English)": justext_text,
}
