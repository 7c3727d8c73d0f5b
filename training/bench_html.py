"""HTML-page part of ``make bench``: ``cleaner clean page.html`` against whole-page extractors.

On the dev pages of ``shared/data/wcxb`` (WCXB, CC-BY-4.0; sites unseen in training) and of
``shared/data/html`` (the article-extraction benchmark), every system turns the same HTML into
text, scored with ``cleaner.evaluate_html``: WCXB's word-level bag-of-words F1 per page,
averaged, overall and per page type; the article benchmark's 4-gram shingle F1; the share of
``with`` snippets found and of ``without`` snippets leaked; and the mean time per page.

    python -m training.bench_html                            # prints this section alone (minutes)
    python -m training.bench_html --write docs/benchmarks.md  # ...and replaces it in the benchmarks file
    python -m training.bench_html --extractions cache.jsonl   # reuse the baselines' texts and times

``--extractions`` reads JSONL records ``{"key": "<folder>/<id>", "<system>": text, "t:<system>": seconds}``
(keys as ``GoldPage.key``), so the slow baselines need not run again while the cleaner changes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cleaner.evaluate_html import GoldPage, extract_or_nothing, pages_from, score_extractions
from training.html_extractors import EXTRACTORS

SPLIT = "dev"
SPEED_EVERY = 5  # CPU time is measured on every 5th WCXB dev page: enough for a stable ratio, a fifth of the cost
PAGE_TYPES = ("article", "documentation", "service", "product", "forum", "listing", "collection")  # WCXB's
OURS = "`cleaner clean page.html`"


def systems() -> dict[str, Callable[[str], str]]:
    """Every extractor compared, ours last."""
    from cleaner.api import Cleaner

    cleaner = Cleaner()
    return {**EXTRACTORS, OURS: cleaner.clean_html}


Results = dict[str, tuple[dict[str, dict[str, Any]], float]]  # system -> (scores, mean seconds per page)


def page_key(page: GoldPage) -> str:
    """``<folder>/<id>``: ``html/0001`` for WCXB, ``dev/<id>`` for the article benchmark."""
    return f"{page.path.parent.name}/{page.id}"


def run_systems(pages: Sequence[GoldPage], cached: dict[str, dict[str, Any]] | None = None) -> Results:
    """Per system: the scores and the mean seconds per page (extraction only, HTML decoded beforehand).

    A system whose texts are all in ``cached`` is not run again; its cached times are used.
    """
    htmls = [p.html() for p in pages]
    cached = cached or {}
    out = {}
    for name, extract in systems().items():
        records = [cached.get(page_key(p), {}) for p in pages]
        if all(name in r for r in records):
            texts, secs = [r[name] for r in records], sum(r.get(f"t:{name}", 0.0) for r in records)
        else:
            started = time.perf_counter()
            texts = [extract_or_nothing(extract, h) for h in htmls]  # a rejected page: no text
            secs = time.perf_counter() - started
        out[name] = (score_extractions(pages, texts), secs / len(pages))
    return out


def cpu_per_page(pages: Sequence[GoldPage]) -> tuple[float, float]:
    """CPU seconds per page of trafilatura alone (default) and of the whole HTML path, interleaved page by page.

    CPU time, not wall time: on a shared machine the ratio then does not depend on the neighbours' load.
    """
    from cleaner.api import Cleaner
    from cleaner.htmlinput import trafilatura_extract

    htmls = [p.html() for p in pages[::SPEED_EVERY]]
    cleaner = Cleaner()
    extract_or_nothing(cleaner.clean_html, htmls[0])  # loads the model and trafilatura once, untimed
    alone = ours = 0.0
    for html in htmls:
        started = time.process_time()
        trafilatura_extract(html, "default")
        alone += time.process_time() - started
        started = time.process_time()
        extract_or_nothing(cleaner.clean_html, html)
        ours += time.process_time() - started
    return alone / len(htmls), ours / len(htmls)


def speed_lines(pages: Sequence[GoldPage]) -> list[str]:
    """One sentence: the HTML path's CPU time per page against trafilatura's."""
    alone, ours = cpu_per_page(pages)
    return [
        f"Speed, CPU seconds per page on {len(pages[::SPEED_EVERY])} WCXB dev pages (every {SPEED_EVERY}th, "
        f"interleaved): trafilatura alone (default) {alone:.3f}, `cleaner clean page.html` {ours:.3f} "
        f"(×{ours / alone:.2f}; goal ≤ ×2).",
        "",
    ]


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def _bold_best(cells: list[str]) -> list[str]:
    values = [float(c) if c else -1.0 for c in cells]
    best = max(values)
    return [f"**{c}**" if c and float(c) == best else c for c in cells]


def type_table(results: dict[str, tuple[dict[str, dict[str, Any]], float]], types: Sequence[str]) -> list[str]:
    """Word F1 per page type, one row per system; the best of each column in bold."""
    columns = ["all", *types]
    rows = {name: [_f(scores.get(c, {}).get("word_f1")) for c in columns] for name, (scores, _) in results.items()}
    by_column = [_bold_best([rows[name][j] for name in rows]) for j in range(len(columns))]
    counts = next(iter(results.values()))[0]
    head = " | ".join(f"{c} ({counts[c]['pages']})" for c in columns if c in counts)
    lines = [f"| system | {head} |", "|---|" + "---|" * len(columns)]
    for i, name in enumerate(rows):
        lines.append(f"| {name} | " + " | ".join(col[i] for col in by_column) + " |")
    return lines


def detail_table(results: dict[str, tuple[dict[str, dict[str, Any]], float]]) -> list[str]:
    """All pages: word P/R/F1, 4-gram F1, snippets, time per page."""
    lines = [
        "| system | word P | word R | word F1 | 4-gram F1 | `with` found | `without` leaked | s/page |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (scores, secs) in results.items():
        s = scores["all"]
        lines.append(
            f"| {name} | {_f(s['word_p'])} | {_f(s['word_r'])} | {_f(s['word_f1'])} | {_f(s['shingle_f1'])} | "
            f"{_f(s['with_found'])} | {_f(s['without_leaked'])} | {secs:.3f} |"
        )
    return lines


SECTION_TITLE = "## HTML pages: `cleaner clean page.html` against whole-page extractors"


FolderRuns = dict[str, "tuple[list[GoldPage], Results] | str"]  # folder name -> (pages, results) or why skipped


def run_folders(shared: Path, cached: dict[str, dict[str, Any]] | None = None) -> FolderRuns:
    """Every system on the dev pages of the WCXB and article-benchmark folders (a reason when absent)."""
    runs: FolderRuns = {}
    for folder in (shared / "data" / "wcxb", shared / "data" / "html"):
        try:
            pages = pages_from(folder, SPLIT)
        except (ValueError, OSError):
            runs[folder.name] = f"Skipped {folder}: not found (set CLEANER_SHARED)."
            continue
        runs[folder.name] = (pages, run_systems(pages, cached))
    return runs


def section_lines(runs: FolderRuns) -> list[str]:
    """The Markdown section from :func:`run_folders`' results."""
    out = [SECTION_TITLE, ""]
    for name, run in runs.items():
        if isinstance(run, str):
            out += [run, ""]
            continue
        pages, results = run
        types = [t for t in PAGE_TYPES if any(p.page_type == t for p in pages)]
        out += [
            f"### `{name}`, split `{SPLIT}`: {len(pages)} pages",
            "",
            "Word-level bag-of-words F1 per page (lower-cased `\\w+` tokens, multiset overlap with the gold), "
            "averaged over the pages of each type (page count in brackets):",
            "",
            *type_table(results, types),
            "",
            *detail_table(results),
            "",
        ]
    wcxb = runs.get("wcxb")
    if wcxb is not None and not isinstance(wcxb, str):
        out += speed_lines(wcxb[0])
    if any(not isinstance(run, str) for run in runs.values()):
        out += [
            "trafilatura is 2.x with `include_tables=True, include_comments=False`; jusText uses its default "
            "thresholds and the English stoplist. `with` / `without`: share of the gold's must-include snippets "
            "found and must-exclude snippets leaked (case-insensitive, whitespace collapsed; WCXB only). "
            "s/page: mean wall time per page, HTML already decoded (with `--extractions`, the baselines' times "
            "are those measured when they were cached; wall times on a shared machine are noisy, the CPU line "
            "above is the speed comparison). Reproduce our row with "
            "`cleaner eval ../shared/data/wcxb --split dev`. WCXB pages: Murrough Foley, *Web Content "
            "eXtraction Benchmark* (2026), CC-BY-4.0.",
            "",
        ]
    return out


def html_pages_section(shared: Path, cached: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """The Markdown section; a message instead when the shared pages are absent."""
    return section_lines(run_folders(shared, cached))


def replace_section(markdown: str, section: Sequence[str]) -> str:
    """``markdown`` with the section that starts with ``section[0]`` replaced (appended when absent).

    >>> replace_section("# B\\n## A\\nold\\n## C\\nc\\n", ["## A", "new"])
    '# B\\n## A\\nnew\\n## C\\nc\\n'
    """
    lines = markdown.split("\n")
    if section[0] not in lines:
        return markdown.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    start = lines.index(section[0])
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join([*lines[:start], *section, *lines[end:]])


def main(argv: Sequence[str] | None = None) -> int:
    from training.bench_quality import shared_dir

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--extractions", type=Path, help="JSONL of cached baseline texts and times.")
    p.add_argument("--write", type=Path, help="Replace this section in a Markdown file (docs/benchmarks.md).")
    args = p.parse_args(argv)
    cached = None
    if args.extractions:
        with args.extractions.open(encoding="utf-8") as fh:
            cached = {r["key"]: r for r in map(json.loads, fh)}
    section = html_pages_section(shared_dir(), cached)
    print("\n".join(section))
    if args.write:
        old = args.write.read_text(encoding="utf-8") if args.write.is_file() else ""
        args.write.write_text(replace_section(old, section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
