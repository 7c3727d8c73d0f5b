"""Per-language report on the test catalogue ``tests/cases/lang/<lang>.json`` (never trained on).

    python -m training.lang_report [--cases tests/cases/lang] [--no-model] [--model other.npz]

Each catalogue file holds whole documents of one language; each line is a
``[category, text]`` pair (``title``/``heading``/``body`` are article, any other
category is noise) and each document says whether it is ``truncated``. The table
gives, per language: the share of noise lines dropped, of article lines kept, of
dropped noise lines whose category is right, and of documents whose ``truncated``
flag is right. ``GOALS`` are what ``tests/test_lang.py`` asserts.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.api import Cleaner
from cleaner.categories import is_keep
from cleaner.options import Options

CASES = Path(__file__).resolve().parent.parent / "tests" / "cases" / "lang"
GOALS = {"noise_dropped": 0.95, "body_kept": 0.99, "category_right": 0.90, "truncated_right": 1.0}


@dataclass(frozen=True, slots=True)
class LangScore:
    """Counts for one language's documents."""

    lang: str
    docs: int
    noise: int
    noise_dropped: int
    body: int
    body_kept: int
    category_right: int  # dropped noise lines whose category is the gold one
    truncated_right: int  # documents whose truncated flag is right

    def rates(self) -> dict[str, float]:
        """The four shares of the table (1.0 when there is nothing to count)."""
        return {
            "noise_dropped": self.noise_dropped / self.noise if self.noise else 1.0,
            "body_kept": self.body_kept / self.body if self.body else 1.0,
            "category_right": self.category_right / self.noise_dropped if self.noise_dropped else 1.0,
            "truncated_right": self.truncated_right / self.docs if self.docs else 1.0,
        }


def load_cases(folder: Path = CASES) -> dict[str, list[dict[str, Any]]]:
    """Documents of each language file in ``folder``, by language code, in file-name order."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))["documents"] for path in sorted(folder.glob("*.json"))
    }


def misses(doc: dict[str, Any], cleaner: Cleaner) -> list[tuple[str, str, bool, str]]:
    """``(gold category, text, kept, category given)`` of every line of ``doc`` the cleaner got wrong."""
    lines = doc["lines"]
    result = cleaner.classify("\n".join(text for _, text in lines) + "\n", html=False)
    out = []
    for (gold, text), d in zip(lines, result.decisions):
        if d.keep != is_keep(gold) or (not d.keep and d.category != gold):
            out.append((gold, text, d.keep, d.category))
    return out


def score_language(lang: str, docs: Sequence[dict[str, Any]], cleaner: Cleaner) -> LangScore:
    """Tally one language's documents."""
    counts = dict.fromkeys(("noise", "noise_dropped", "body", "body_kept", "category_right", "truncated_right"), 0)
    for doc in docs:
        lines = doc["lines"]
        result = cleaner.classify("\n".join(text for _, text in lines) + "\n", html=False)
        if len(result.decisions) != len(lines):
            raise ValueError(f"{doc['id']}: blank or multi-line entries")
        for (gold, _), d in zip(lines, result.decisions):
            if is_keep(gold):
                counts["body"] += 1
                counts["body_kept"] += d.keep
            else:
                counts["noise"] += 1
                counts["noise_dropped"] += not d.keep
                counts["category_right"] += not d.keep and d.category == gold
        counts["truncated_right"] += result.truncated == bool(doc.get("truncated"))
    return LangScore(lang, len(docs), **counts)


def report(cases: dict[str, list[dict[str, Any]]], cleaner: Cleaner) -> list[LangScore]:
    """The score of each language."""
    return [score_language(lang, docs, cleaner) for lang, docs in cases.items()]


def format_table(scores: Sequence[LangScore]) -> str:
    """The table ``main`` prints; a ``!`` marks a share below its goal."""
    head = f"{'lang':5} {'docs':>4} {'noise':>5} {'dropped':>8} {'body':>5} {'kept':>7} {'cat ok':>7} {'trunc ok':>8}"
    rows = [head]
    for s in scores:
        r = rates = s.rates()
        flag = {k: "!" if rates[k] < GOALS[k] else " " for k in GOALS}
        rows.append(
            f"{s.lang:5} {s.docs:4d} {s.noise:5d} {r['noise_dropped']:7.3f}{flag['noise_dropped']} {s.body:5d}"
            f" {r['body_kept']:6.3f}{flag['body_kept']} {r['category_right']:6.3f}{flag['category_right']}"
            f" {r['truncated_right']:7.3f}{flag['truncated_right']}"
        )
    goals = ", ".join(f"{k} >= {v}" for k, v in GOALS.items())
    rows.append(f"goals: {goals} ('!' marks a miss)")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=Path, default=CASES, help="folder of <lang>.json catalogue files")
    p.add_argument("--model", type=Path, default=None, help="model file (default: the shipped model)")
    p.add_argument("--no-model", action="store_true", help="heuristic rules only")
    p.add_argument("--misses", action="store_true", help="also list every line decided wrongly")
    args = p.parse_args(argv)
    cleaner = Cleaner(Options(use_model=not args.no_model), model_path=args.model)
    cases = load_cases(args.cases)
    print(format_table(report(cases, cleaner)))
    if args.misses:
        for docs in cases.values():
            for doc in docs:
                for gold, text, kept, given in misses(doc, cleaner):
                    print(f"{doc['id']}: gold {gold}, {'kept' if kept else 'dropped'} as {given}: {text[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
