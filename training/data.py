"""Training data: the shared line sets, the repo's authored labels, and documents synthesized from both.

Every corpus becomes a list of labeled documents in the line-set format, each
line with a ``label`` (body/title/noise/mixed) and a ``target`` class for the
model (a category name, or ``None`` for lines left out of the loss).

Synthesis (authored data): each base document (a ``residue`` training page, or
the seeds' article lines when the shared data is absent) is copied a few times
with catalogue noise lines inserted where such lines sit on real pages (top,
between paragraphs, bottom) and hard body lines inserted between paragraphs.
Everything is driven by one ``random.Random(seed)``, so the result is deterministic.

Authored documents (``DOC_FILES``: the seeds and whole documents in twelve languages) are
used as they are, weighted like hand labels; their noise lines also join the catalogue and
their short article lines the hard body lines, so synthesis puts them into other pages too.
Every labeled file is checked on loading: an unknown label or category is refused with the
file and line (:class:`LabeledDataError`), never turned into a new class.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaner.categories import ALL_CATEGORIES
from cleaner.evaluate import read_labeled

REPO = Path(__file__).resolve().parent.parent
AUTHORED = REPO / "training" / "data"
CATALOGUE = AUTHORED / "noise_catalogue.jsonl"
HARD_BODY = AUTHORED / "hard_body.jsonl"
SEEDS = AUTHORED / "seeds.jsonl"
MULTILINGUAL = AUTHORED / "multilingual.jsonl"  # whole documents in 12 languages, noise at realistic positions
DOC_FILES = (SEEDS, MULTILINGUAL)  # authored labeled documents, trained on as they are
LABELS = ("body", "title", "noise", "mixed")
HARD_BODY_CHARS = 100  # a short article line of an authored document (one-liner, list item) is a hard body line
SHARED_TRAIN = Path("data/linesets/train.jsonl.gz")
SHARED_DEV = Path("data/linesets/dev.jsonl.gz")
WCXB_TRAIN = Path("data/linesets/wcxb-train.jsonl.gz")
WCXB_DEV = Path("data/linesets/wcxb-dev.jsonl.gz")
WCXB_GOLD = Path("data/wcxb/gold.jsonl.gz")  # has each WCXB page's registered domain (the line sets have no URL)

GOLDEN_WEIGHT = 60.0  # hand-labeled lines (seeds, user data) count this many times: fitted closely despite strong L2
SEED_WEIGHT = 300.0  # the five seeds, the product's acceptance test: with WCXB's 476k lines, 60 left 7 seed lines unfit
DOCUMENT_WEIGHT = 10.0  # authored multilingual documents: many short pages; at 60 they pulled the English page model
VARIANTS_PER_DOC = 3  # synthetic copies of each base document
TOP_MAX, MIDDLE_MAX, BOTTOM_MAX, HARD_MAX = 4, 3, 10, 3  # inserted lines per copy, at most

Doc = dict[str, Any]


def target_of(line: dict[str, Any]) -> str | None:
    """The model class of a labeled line; ``None`` leaves it out of the loss (``mixed``)."""
    if "category" in line:
        return str(line["category"])
    return {"body": "body", "title": "title", "noise": "noise"}.get(line["label"])


def group_of(doc: Doc) -> str:
    """The cross-validation group of a document: its site.

    A ``site`` field wins (WCXB pages, synthetic copies of a page); else the URL's host; else the document's
    own id, so that a page without a known site is at least never split across folds.

    >>> group_of({"id": "aeb/1", "url": "https://www.example.com/a"}), group_of({"id": "wcxb/0002"})
    ('example.com', 'wcxb/0002')
    """
    if doc.get("site"):
        return str(doc["site"])
    url = doc.get("url")
    if url:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    return str(doc.get("id", "unknown"))


def with_wcxb_sites(docs: Sequence[Doc], shared: Path) -> list[Doc]:
    """WCXB line-set documents with their ``site`` (registered domain) from the WCXB gold file, when present."""
    gold = shared / WCXB_GOLD
    if not gold.is_file():
        return list(docs)
    domains = {str(page["id"]): page["domain"] for page in read_labeled(gold)}
    return [{**d, "site": domains.get(str(d["id"]).split("/")[-1])} for d in docs]


def golden(docs: Sequence[Doc], weight: float = GOLDEN_WEIGHT) -> list[Doc]:
    """``docs`` marked as hand-labeled, so training weighs their lines by ``weight``."""
    return [{**d, "golden": True, "weight": weight} for d in docs]


def doc_weight(doc: Doc) -> float:
    """The training weight of each line of ``doc``."""
    return float(doc.get("weight", GOLDEN_WEIGHT)) if doc.get("golden") else 1.0


class LabeledDataError(SystemExit):
    """A labeled file that cannot be trained on; the message names the file and line.

    A ``SystemExit``, so ``python -m training.train`` stops with the message and exit code 1,
    without a traceback.
    """


def check_line(line: Any, where: str) -> None:
    """Refuse a labeled line whose label or category is unknown (a typo must not become a new class).

    >>> check_line({"text": "Subscribe", "label": "noise", "category": "newsletter"}, "f.jsonl:1")
    >>> check_line({"text": "Subscribe", "label": "noise", "category": "newsletterz"}, "f.jsonl:1")
    Traceback (most recent call last):
    ...
    training.data.LabeledDataError: f.jsonl:1: unknown category 'newsletterz'; known: body, title, heading, ...
    """
    if not isinstance(line, dict) or not isinstance(line.get("text"), str):
        raise LabeledDataError(f'{where}: a line needs a "text" string')
    if line.get("label") not in LABELS:
        raise LabeledDataError(f"{where}: unknown label {line.get('label')!r}; known: {', '.join(LABELS)}")
    category = line.get("category")
    if category is not None and category not in ALL_CATEGORIES:
        known = ", ".join(ALL_CATEGORIES[:3])
        raise LabeledDataError(f"{where}: unknown category {category!r}; known: {known}, ... (see README, Categories)")


def read_checked(path: Path) -> list[dict[str, Any]]:
    """Labeled documents of a JSONL file, each line checked (see :func:`check_line`)."""
    docs: list[dict[str, Any]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as err:
            raise LabeledDataError(f"{path}:{number}: not JSON ({err.msg})") from None
        lines = doc.get("lines") if isinstance(doc, dict) else None
        if not isinstance(lines, list):
            raise LabeledDataError(f'{path}:{number}: a document needs a "lines" list')
        for k, line in enumerate(lines, 1):
            check_line(line, f"{path}:{number}: line {k}")
        docs.append(doc)
    return docs


def read_entries(path: Path) -> list[dict[str, Any]]:
    """Single labeled lines (``{"text", "category", ...}``: the catalogue, the hard body lines), each checked."""
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.strip():
            entry = json.loads(raw)
            label = "body" if entry.get("category") in ("body", "heading") else "noise"
            check_line({"label": "title" if entry.get("category") == "title" else label, **entry}, f"{path}:{number}")
            entries.append(entry)
    return entries


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Labeled documents of a line-set file (gzip when it ends in ``.gz``): the shared data, read as is."""
    return list(read_labeled(path))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shared_split(shared: Path | None, split: Path) -> Path | None:
    """The path of a shared line-set file, or ``None`` when it is absent."""
    if shared is None:
        return None
    path = shared / split
    return path if path.is_file() else None


def _labeled(text: str, category: str) -> dict[str, Any]:
    label = "title" if category == "title" else "body" if category in ("body", "heading") else "noise"
    return {"text": text, "label": label, "category": category}


def _pick(pool: Sequence[dict[str, Any]], rng: random.Random, k: int) -> list[dict[str, Any]]:
    return [pool[rng.randrange(len(pool))] for _ in range(k)] if pool else []


def synthesize(
    base_docs: Sequence[Doc], catalogue: Sequence[dict[str, Any]], hard: Sequence[dict[str, Any]], seed: int
) -> list[Doc]:
    """Copies of ``base_docs`` with catalogue noise and hard body lines inserted (deterministic)."""
    rng = random.Random(seed)
    by_where = {w: [c for c in catalogue if c.get("where", "any") in (w, "any")] for w in ("top", "middle", "bottom")}
    out: list[Doc] = []
    for doc in base_docs:
        for v in range(VARIANTS_PER_DOC):
            lines = [dict(line) for line in doc["lines"]]
            middle = _pick(by_where["middle"], rng, rng.randint(0, MIDDLE_MAX))
            hard_lines = _pick(hard, rng, rng.randint(1, HARD_MAX))
            for item in middle + hard_lines:
                pos = rng.randint(1, max(1, len(lines) - 1))
                lines.insert(pos, _labeled(item["text"], item["category"]))
            top = [_labeled(c["text"], c["category"]) for c in _pick(by_where["top"], rng, rng.randint(0, TOP_MAX))]
            bottom = [
                _labeled(c["text"], c["category"]) for c in _pick(by_where["bottom"], rng, rng.randint(0, BOTTOM_MAX))
            ]
            out.append(
                {
                    "id": f"synth/{doc['id']}/{v}",
                    "site": group_of(doc),
                    "source": "synth",
                    "flavor": "residue",
                    "lines": top + lines + bottom,
                }
            )
    return out


def _where(i: int, lines: Sequence[dict[str, Any]]) -> str:
    """Where line ``i`` sits on its page: above the first article line, below the last, or between."""
    article = [k for k, ln in enumerate(lines) if ln["label"] != "noise"]
    if not article or i < article[0]:
        return "top"
    return "bottom" if i > article[-1] else "middle"


def document_lines(docs: Sequence[Doc]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Catalogue entries (noise lines with their position) and hard body lines (short article lines,
    list items, subheads) of labeled documents, for synthesis."""
    catalogue: list[dict[str, Any]] = []
    hard: list[dict[str, Any]] = []
    for doc in docs:
        lines = doc["lines"]
        for i, line in enumerate(lines):
            category = target_of(line)
            if line["label"] == "noise" and category not in (None, "noise"):
                catalogue.append({"text": line["text"], "category": category, "where": _where(i, lines)})
            elif line["label"] == "body" and len(line["text"]) <= HARD_BODY_CHARS:
                hard.append({"text": line["text"], "category": category})
    return catalogue, hard


def authored_docs(base_docs: Sequence[Doc], seed: int) -> tuple[list[Doc], dict[str, Any]]:
    """The authored documents (labeled), and synthetic documents, with a description for the model card."""
    seeds = read_checked(SEEDS)
    per_file = {path: read_checked(path) for path in DOC_FILES[1:]}
    documents = [doc for docs in per_file.values() for doc in docs]
    catalogue = read_entries(CATALOGUE)
    hard = read_entries(HARD_BODY)
    extra_catalogue, extra_hard = document_lines(documents)
    if not base_docs:
        base_docs = [{"id": d["id"], "lines": [ln for ln in d["lines"] if ln["label"] != "noise"]} for d in seeds]
    synth = synthesize(base_docs, catalogue + extra_catalogue, hard + extra_hard, seed)
    info = {
        "seeds.jsonl": {"docs": len(seeds), "lines": sum(len(d["lines"]) for d in seeds), "sha256": file_sha256(SEEDS)},
        **{
            path.name: {"docs": len(docs), "lines": sum(len(d["lines"]) for d in docs), "sha256": file_sha256(path)}
            for path, docs in per_file.items()
        },
        "noise_catalogue.jsonl": {"lines": len(catalogue), "sha256": file_sha256(CATALOGUE)},
        "hard_body.jsonl": {"lines": len(hard), "sha256": file_sha256(HARD_BODY)},
        "synthesized": {"docs": len(synth), "lines": sum(len(d["lines"]) for d in synth)},
    }
    return golden(seeds, SEED_WEIGHT) + golden(documents, DOCUMENT_WEIGHT) + synth, info


def user_docs(paths: Sequence[Path], weight: float = GOLDEN_WEIGHT) -> list[Doc]:
    """Documents a user labeled, in the line-set format (see README "Retraining"), weighted ``weight`` per line."""
    docs: list[Doc] = []
    for path in paths:
        docs.extend(d if weight == GOLDEN_WEIGHT else {**d, "weight": weight} for d in golden(read_checked(path)))
    return docs


def progress_bar(total: int, desc: str):
    """A progress bar on stderr (shown on a terminal only); returns the function that advances it."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=f"train: {desc}", unit="doc", file=sys.stderr, disable=None, leave=False)
    return bar.update


def dump(docs: Sequence[Doc], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
