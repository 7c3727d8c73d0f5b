"""Training data: the shared line sets, the repo's authored labels, and documents synthesized from both.

Every corpus becomes a list of labeled documents in the line-set format, each
line with a ``label`` (body/title/noise/mixed) and a ``target`` class for the
model (a category name, or ``None`` for lines left out of the loss).

Synthesis (authored data): each base document (a ``residue`` training page, or
the seeds' article lines when the shared data is absent) is copied a few times
with catalogue noise lines inserted where such lines sit on real pages (top,
between paragraphs, bottom) and hard body lines inserted between paragraphs.
Everything is driven by one ``random.Random(seed)``, so the result is deterministic.
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

from cleaner.evaluate import read_labeled

REPO = Path(__file__).resolve().parent.parent
AUTHORED = REPO / "training" / "data"
CATALOGUE = AUTHORED / "noise_catalogue.jsonl"
HARD_BODY = AUTHORED / "hard_body.jsonl"
SEEDS = AUTHORED / "seeds.jsonl"
SHARED_TRAIN = Path("data/linesets/train.jsonl.gz")
SHARED_DEV = Path("data/linesets/dev.jsonl.gz")
WCXB_TRAIN = Path("data/linesets/wcxb-train.jsonl.gz")
WCXB_DEV = Path("data/linesets/wcxb-dev.jsonl.gz")
WCXB_GOLD = Path("data/wcxb/gold.jsonl.gz")  # has each WCXB page's registered domain (the line sets have no URL)

GOLDEN_WEIGHT = 60.0  # hand-labeled lines (seeds, user data) count this many times: fitted closely despite strong L2
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


def golden(docs: Sequence[Doc]) -> list[Doc]:
    """``docs`` marked as hand-labeled, so training weighs their lines by ``GOLDEN_WEIGHT``."""
    return [{**d, "golden": True} for d in docs]


def doc_weight(doc: Doc) -> float:
    """The training weight of each line of ``doc``: its own ``weight``, else ``GOLDEN_WEIGHT`` when golden."""
    if "weight" in doc:
        return float(doc["weight"])
    return GOLDEN_WEIGHT if doc.get("golden") else 1.0


def read_jsonl(path: Path) -> list[dict[str, Any]]:
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


def authored_docs(base_docs: Sequence[Doc], seed: int) -> tuple[list[Doc], dict[str, Any]]:
    """The seeds (labeled) and synthetic documents, with a description for the model card."""
    seeds = read_jsonl(SEEDS)
    catalogue = read_jsonl(CATALOGUE)
    hard = read_jsonl(HARD_BODY)
    if not base_docs:
        base_docs = [{"id": d["id"], "lines": [ln for ln in d["lines"] if ln["label"] != "noise"]} for d in seeds]
    synth = synthesize(base_docs, catalogue, hard, seed)
    info = {
        "seeds.jsonl": {"docs": len(seeds), "lines": sum(len(d["lines"]) for d in seeds), "sha256": file_sha256(SEEDS)},
        "noise_catalogue.jsonl": {"lines": len(catalogue), "sha256": file_sha256(CATALOGUE)},
        "hard_body.jsonl": {"lines": len(hard), "sha256": file_sha256(HARD_BODY)},
        "synthesized": {"docs": len(synth), "lines": sum(len(d["lines"]) for d in synth)},
    }
    return golden(seeds) + synth, info


def user_docs(paths: Sequence[Path], weight: float = GOLDEN_WEIGHT) -> list[Doc]:
    """Documents a user labeled, in the line-set format (see README "Retraining"), weighted ``weight`` per line."""
    docs: list[Doc] = []
    for path in paths:
        docs.extend(d if weight == GOLDEN_WEIGHT else {**d, "weight": weight} for d in golden(read_jsonl(path)))
    return docs


def check_user_file(path: Path) -> None:
    """Exit with a message naming the file and line when a user's labeled file is unusable.

    Every line needs a ``label`` (body, title, noise, mixed) or a ``category`` the cleaner knows: a typo such
    as ``newsletterz`` must not silently become a new class.
    """
    from cleaner.categories import ALL_CATEGORIES

    labels = ("body", "title", "noise", "mixed")
    try:
        for n, doc in enumerate(read_labeled(path), 1):
            for line in doc.get("lines", []):
                category, label = line.get("category"), line.get("label")
                if category is not None and category not in ALL_CATEGORIES:
                    raise SystemExit(
                        f"train: {path}:{n}: unknown category {category!r}; known: {', '.join(ALL_CATEGORIES)}"
                    )
                if category is None and label not in labels:
                    raise SystemExit(f"train: {path}:{n}: unknown label {label!r}; known: {', '.join(labels)}")
    except (OSError, ValueError) as exc:
        raise SystemExit(f"train: {path}: not labeled JSONL ({exc})") from None


def progress_bar(total: int, desc: str):
    """A progress bar on stderr (shown on a terminal only); returns the function that advances it."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=f"train: {desc}", unit="doc", file=sys.stderr, disable=None, leave=False)
    return bar.update


def dump(docs: Sequence[Doc], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
