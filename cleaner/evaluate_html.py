"""Score HTML extraction against pages with gold text: the WCXB metric and the article benchmark's.

Two shared page sets are understood (``pages_from``):

* a WCXB folder (``gold.jsonl.gz`` + ``html/<id>.html.gz``): gold ``main_content``, a ``page_type``,
  ``with`` snippets a correct extraction includes and ``without`` snippets it must exclude;
* an article-benchmark folder (``<split>-gold.json`` + ``<split>/<id>.html.gz``): gold ``articleBody``,
  every page an ``article``.

Metrics, per page then averaged (overall and per page type):

* WCXB's word bag: lower-cased ``\\w+`` tokens, multiset overlap against the gold, P/R/F1;
* the article benchmark's word 4-gram shingles (``shingle_prf``), P/R/F1;
* the share of ``with`` snippets found and of ``without`` snippets leaked (case-insensitive substring,
  whitespace runs collapsed on both sides).

>>> word_prf("The cat sat on the mat", "the cat sat")
(0.5, 1.0, 0.6667)
>>> snippet_share("Hello  World, again", ["hello world", "bye"])
(1, 2)
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
SHINGLE = 4  # the article-extraction benchmark's word n-gram size
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han and kana: one token per character
_SHINGLE_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))  # soft hyphen and zero-width chars
WCXB_GOLD = "gold.jsonl.gz"


@dataclass(frozen=True, slots=True)
class GoldPage:
    """One HTML page with its gold main text."""

    id: str
    split: str
    domain: str
    page_type: str
    path: Path  # the gzip HTML file
    gold: str
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()

    def html(self) -> str:
        """The page's HTML, decoded (UTF-8, else trafilatura's charset detection)."""
        raw = gzip.decompress(self.path.read_bytes())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            from trafilatura.utils import decode_file

            return str(decode_file(raw))


def _prf(common: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    if not n_pred and not n_gold:
        return 1.0, 1.0, 1.0
    p = common / n_pred if n_pred else 0.0
    r = common / n_gold if n_gold else 0.0
    return round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4) if p + r else 0.0


def word_bag(text: str) -> Counter[str]:
    """WCXB's tokens: lower-cased ``\\w+`` runs, as a multiset."""
    return Counter(_WORD.findall(text.lower()))


def word_f1(common: int, n_pred: int, n_gold: int) -> float:
    """Word F1 of ``common`` shared words out of ``n_pred`` extracted and ``n_gold`` gold (as :func:`word_prf`)."""
    return _prf(common, n_pred, n_gold)[2]


def word_recall(common: int, n_pred: int, n_gold: int) -> float:
    """Word recall of ``common`` shared words out of ``n_pred`` extracted and ``n_gold`` gold (as :func:`word_prf`)."""
    return _prf(common, n_pred, n_gold)[1]


def word_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """WCXB's word-level bag-of-words precision, recall and F1 of one page."""
    pred, ref = word_bag(predicted), word_bag(gold)
    return _prf(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


def shingle_tokens(text: str) -> list[str]:
    """The article benchmark's tokens: NFKC, lower case, invisible characters removed, CJK per character."""
    return _SHINGLE_TOKEN.findall(unicodedata.normalize("NFKC", text).lower().translate(_INVISIBLE))


def shingles(toks: Sequence[str]) -> Counter[tuple[str, ...]]:
    """Multiset of word ``SHINGLE``-grams; a text shorter than that is one shingle of all its tokens."""
    if len(toks) < SHINGLE:
        return Counter([tuple(toks)] if toks else [])
    return Counter(tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1))


def shingle_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """The article benchmark's word 4-gram shingle precision, recall and F1 of one page."""
    pred, ref = shingles(shingle_tokens(predicted)), shingles(shingle_tokens(gold))
    return _prf(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def snippet_share(text: str, snippets: Iterable[str]) -> tuple[int, int]:
    """``(found, total)``: how many snippets occur in ``text`` (case-insensitive, whitespace collapsed)."""
    hay = _squash(text)
    wanted = [_squash(s) for s in snippets if s.strip()]
    return sum(s in hay for s in wanted), len(wanted)


def read_wcxb(folder: Path, split: str | None) -> list[GoldPage]:
    """The WCXB pages of ``split`` (all when ``None``) that have their HTML file."""
    pages = []
    with gzip.open(folder / WCXB_GOLD, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            path = folder / "html" / f"{row['id']}.html.gz"
            if (split is None or row["split"] == split) and path.is_file():
                pages.append(
                    GoldPage(
                        row["id"],
                        row["split"],
                        row["domain"],
                        row["page_type"],
                        path,
                        row["main_content"] or "",
                        tuple(row.get("with") or ()),
                        tuple(row.get("without") or ()),
                    )
                )
    return pages


def _domain(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/")[0].split(":")[0]
    return host.removeprefix("www.")


def read_article_pages(folder: Path, split: str) -> list[GoldPage]:
    """The article benchmark's pages of ``split`` (``<split>-gold.json`` and ``<split>/<id>.html.gz``)."""
    gold = json.loads((folder / f"{split}-gold.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(gold):
        path = folder / split / f"{page_id}.html.gz"
        if path.is_file():
            row = gold[page_id]
            pages.append(GoldPage(page_id, split, _domain(row.get("url", "")), "article", path, row["articleBody"]))
    return pages


def pages_from(folder: Path, split: str) -> list[GoldPage]:
    """Gold pages of ``split`` from a WCXB or an article-benchmark folder; ``ValueError`` for anything else."""
    if (folder / WCXB_GOLD).is_file():
        return read_wcxb(folder, split)
    if (folder / f"{split}-gold.json").is_file():
        return read_article_pages(folder, split)
    raise ValueError(f"{folder} holds neither {WCXB_GOLD} nor {split}-gold.json")


@dataclass
class Tally:
    """Running sums of one group of pages."""

    pages: int = 0
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(METRICS, 0.0))
    with_found: int = 0
    with_total: int = 0
    without_leaked: int = 0
    without_total: int = 0

    def add(self, scores: dict[str, float], with_ft: tuple[int, int], without_lt: tuple[int, int]) -> None:
        self.pages += 1
        for k in METRICS:
            self.sums[k] += scores[k]
        self.with_found += with_ft[0]
        self.with_total += with_ft[1]
        self.without_leaked += without_lt[0]
        self.without_total += without_lt[1]

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pages": self.pages}
        out |= {k: round(v / self.pages, 4) if self.pages else 0.0 for k, v in self.sums.items()}
        out["with_found"] = round(self.with_found / self.with_total, 4) if self.with_total else None
        out["without_leaked"] = round(self.without_leaked / self.without_total, 4) if self.without_total else None
        return out


METRICS = ("word_p", "word_r", "word_f1", "shingle_p", "shingle_r", "shingle_f1")


def page_scores(text: str, page: GoldPage) -> dict[str, float]:
    """Both metrics of one extraction of ``page``."""
    wp, wr, wf = word_prf(text, page.gold)
    sp, sr, sf = shingle_prf(text, page.gold)
    return {"word_p": wp, "word_r": wr, "word_f1": wf, "shingle_p": sp, "shingle_r": sr, "shingle_f1": sf}


def score_extractions(pages: Sequence[GoldPage], texts: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Averages per page type and ``all`` of the extracted ``texts`` (one per page, in order)."""
    groups: dict[str, Tally] = {"all": Tally()}
    for page, text in zip(pages, texts):
        scores = page_scores(text, page)
        with_ft, without_lt = snippet_share(text, page.with_snippets), snippet_share(text, page.without_snippets)
        groups["all"].add(scores, with_ft, without_lt)
        groups.setdefault(page.page_type, Tally()).add(scores, with_ft, without_lt)
    return {k: v.summary() for k, v in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0]))}


def extract_or_nothing(extract: Callable[[str], str], html: str) -> str:
    """``extract(html)``; a page it rejects (:class:`InputError`) counts as an empty extraction."""
    from cleaner.errors import InputError

    try:
        return extract(html)
    except InputError:  # the user would get an error and no text: score that, not a crash of the whole run
        return ""


def evaluate_html(pages: Sequence[GoldPage], extract: Callable[[str], str]) -> dict[str, dict[str, Any]]:
    """Run ``extract`` (HTML -> text) on every page and score it (a page it rejects extracts nothing)."""
    return score_extractions(pages, (extract_or_nothing(extract, page.html()) for page in pages))


def format_table(report: dict[str, dict[str, Any]]) -> str:
    """A plain-text table of :func:`score_extractions`'s averages, one row per page type."""
    head = f"{'page type':14s} {'pages':>5s} {'word P':>7s} {'word R':>7s} {'word F1':>7s} {'4-gram F1':>9s} "
    lines = [head + f"{'with':>6s} {'without':>7s}"]
    for name, s in report.items():
        with_found = "" if s["with_found"] is None else f"{s['with_found']:.3f}"
        leaked = "" if s["without_leaked"] is None else f"{s['without_leaked']:.3f}"
        lines.append(
            f"{name:14s} {s['pages']:5d} {s['word_p']:7.3f} {s['word_r']:7.3f} {s['word_f1']:7.3f} "
            f"{s['shingle_f1']:9.3f} {with_found:>6s} {leaked:>7s}"
        )
    return "\n".join(lines)
