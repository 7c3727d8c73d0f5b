"""Benchmarks: ``make bench`` writes ``docs/benchmarks.md`` (with plots beside it) and prints it.

Three parts, each a function returning Markdown lines:

* quality on the dev line sets (ours, a threshold sweep, the rules, baselines on the same lines);
* the HTML path on the dev pages (trafilatura alone vs followed by the classifier);
* speed and memory.

Every figure comes from this run on this machine, each input generated the same
way each time, so ratios between rows are meaningful even on a noisy machine;
absolute numbers are not comparable across machines. Whole processes are timed
(cold start included) with ``os.wait4``, which also gives each child's peak memory.
The quality parts are skipped with a message when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from cleaner.errors import ModelError

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
CLEANER = [sys.executable, "-m", "cleaner"]
COLD_RUNS = 15  # enough runs for a stable median of a ~0.2 s process
BIG_MB = 20  # size of the throughput input: long enough that start-up is noise
HUGE_LINE_MB = 50  # the single-line stress case of the reliability issue
MANY_LINES = 2_000_000  # the many-short-lines stress case
ADVERSARIAL_ROWS = 1_000  # lines on which a pattern once backtracked: each should cost what any line costs
BATCH_ROUNDS = 3  # alternating rounds of -j 1 and -j 2: the shared host's speed drifts within minutes
BATCH_FILES = 20_000  # the batch issue's "20k small files": worker start-up (~1 s) is then a small share
BATCH_DIRS = 20  # ...spread over this many subfolders, like a crawl's output tree
BATCH_JOBS = (1, 2)  # worker counts timed; this machine has 2 cores
BATCH_HALVES = ("site0*", "site1*")  # --glob of each half of the tree for the ceiling row: site00-09, site10-19
IN_PROCESS_MB = 2  # text timed in-process per method: jusText needs ~3 s per MB, so keep it small
CHROMIUM_FLAGS = (  # headless, as root in a container, and with no network traffic of its own
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOT_SIZE = "1200,1600"  # wide enough for the summary table and a screenful of lines
SCREENSHOT_TIMEOUT_S = 120  # a hung browser must not hang the benchmark


DASK_COPIES = 600  # copies of the seeds for the Dask rows: ~13 MB, long enough to see the second worker
JSONL_MB = (5, 25)  # two sizes: equal peaks show streaming with constant memory


# A small launcher runs the measured command and reports its wall time and peak RSS: a child forked straight
# from this (large) process would start its ru_maxrss at our own size, inflating every peak. The launcher
# times the child itself, so that its own start (an interpreter and ``subprocess``) is not counted.
_PEAK_LAUNCHER = (
    "import os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "p = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "secs = time.perf_counter() - start\n"
    "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss} {secs!r}')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run_child(cmd: Sequence[str], stdin_path: Path | None = None) -> tuple[float, float, int]:
    """``(wall seconds, peak RSS MB, exit code)`` of one child process, its output discarded."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        with open(stdin_path or os.devnull, "rb") as fin, open(os.devnull, "wb") as fout:
            code = subprocess.call(
                [sys.executable, "-c", _PEAK_LAUNCHER, rss_file.name, *cmd],
                stdin=fin,
                stdout=fout,
                stderr=subprocess.DEVNULL,
            )
        peak_kb, secs = (rss_file.read() or "0 0").split()
    return float(secs), float(peak_kb) / 1024, code


def seed_text() -> str:
    """All seeds, one after the other."""
    return "".join(p.read_text(encoding="utf-8") + "\n" for p in SEEDS)


def make_inputs(tmp: Path) -> dict[str, Path]:
    text = seed_text()
    big = tmp / "big.txt"
    reps = int(BIG_MB * 1e6 / len(text.encode())) + 1
    big.write_text(text * reps, encoding="utf-8")
    huge = tmp / "huge_line.txt"
    huge.write_text(("word " * (HUGE_LINE_MB * 200_000)) + "\n", encoding="utf-8")
    many = tmp / "many_lines.txt"
    many.write_text("Menu\n" * MANY_LINES, encoding="utf-8")
    adversarial = tmp / "adversarial.txt"
    rows = [f"row{i}" + "   |" * (10 + i % 5) for i in range(ADVERSARIAL_ROWS)]  # empty cells, ending in "|"
    adversarial.write_text("\n".join([*rows, "a." * 32_000 + "@"]) + "\n", encoding="utf-8")
    return {"seed": SEEDS[3], "big": big, "huge": huge, "many": many, "adversarial": adversarial}


def make_batch_tree(root: Path) -> tuple[int, float]:
    """``BATCH_FILES`` text files made from the seeds (each with its own first line); ``(files, MB)``."""
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    size = 0
    for i in range(BATCH_FILES):
        folder = root / f"site{i % BATCH_DIRS:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        data = f"Story number {i} of the generated batch\n{texts[i % len(texts)]}".encode()
        (folder / f"page{i:05d}.txt").write_bytes(data)
        size += len(data)
    return BATCH_FILES, size / 1e6


def cold_start(seed: Path, extra: Sequence[str] = ()) -> list[float]:
    return [run_child([*CLEANER, "clean", *extra], seed)[0] for _ in range(COLD_RUNS)]


def compile_bytecode() -> None:
    """Compile the package's modules to bytecode, as ``pip install`` does for a wheel: where
    ``PYTHONDONTWRITEBYTECODE`` is set (as on our CI machines) an editable install would otherwise
    compile every module from source at every start, about 0.1 s that no installed user pays."""
    import compileall

    import cleaner

    compileall.compile_dir(Path(cleaner.__file__).parent, quiet=1)


def speed_rows(tmp: Path) -> list[str]:
    """The whole-process rows: cold start, throughput, stress cases."""
    inputs = make_inputs(tmp)
    compile_bytecode()
    model_runs = cold_start(inputs["seed"])
    rules_runs = cold_start(inputs["seed"], ["--no-model"])
    py_runs = [run_child([sys.executable, "-c", "pass"])[0] for _ in range(COLD_RUNS)]
    rows = [
        "| cold start, `cleaner clean < seed` (model, bytecode compiled as by `pip install`) | "
        f"median {statistics.median(model_runs):.3f} s "
        f"(min {min(model_runs):.3f}, max {max(model_runs):.3f}) |",
        f"| cold start, `--no-model` | median {statistics.median(rules_runs):.3f} s |",
        f"| cold start, bare `python -c pass` (floor) | median {statistics.median(py_runs):.3f} s |",
    ]
    size_mb = inputs["big"].stat().st_size / 1e6
    n_lines = inputs["big"].read_bytes().count(b"\n")
    secs, rss, _ = run_child([*CLEANER, "clean"], inputs["big"])
    cat_secs = min(run_child(["cat"], inputs["big"])[0] for _ in range(3))
    rows += [
        f"| throughput, one process (one core), {size_mb:.0f} MB of seed text ({n_lines:,} lines) | "
        f"{size_mb / secs:.2f} MB/s, {n_lines / secs:,.0f} lines/s, peak {rss:.0f} MB |",
        f"| `cat` on the same file (the floor) | {size_mb / cat_secs:.0f} MB/s: cleaner takes "
        f"x{secs / cat_secs:.0f} its time |",
    ]
    secs, rss, code = run_child([*CLEANER, "clean"], inputs["huge"])
    rows.append(f"| one {HUGE_LINE_MB} MB line (passed through) | {secs:.1f} s, peak {rss:.0f} MB, exit {code} |")
    secs, rss, code = run_child([*CLEANER, "clean"], inputs["many"])
    rows.append(f"| {MANY_LINES:,} short lines | {secs:.1f} s, peak {rss:.0f} MB, exit {code} |")
    secs, rss, code = run_child([*CLEANER, "clean", "--explain"], inputs["many"])
    rows.append(f"| {MANY_LINES:,} short lines, `--explain` | {secs:.1f} s, peak {rss:.0f} MB, exit {code} |")
    secs, rss, code = run_child([*CLEANER, "clean"], inputs["adversarial"])
    rows.append(
        f"| {ADVERSARIAL_ROWS:,} table rows of empty cells and a 64 kB dotted token before an '@' "
        f"(once seconds to a minute each) | {secs:.1f} s, exit {code} |"
    )
    return rows + jsonl_memory_rows(tmp) + batch_rows(tmp)


def batch_rows(tmp: Path) -> list[str]:
    """``cleaner batch SRC DST -j N`` over a generated tree, timed as a whole process, and the machine's ceiling
    for ``-j 2``: two ``-j 1`` processes side by side, each on half the tree (``--glob``), which is -j 2 with
    nothing shared and no coordination.

    Every run writes into a DST of its own, deleted only at the end: on ext4, files created where many were just
    deleted cost several times the system time (the allocator skips recently freed inodes), which would charge
    a run for its predecessor's cleanup. The disk is synced before each run, and the settings alternate over
    ``BATCH_ROUNDS`` rounds (the shared host's speed drifts within minutes): each row is its best, and the
    -j 2 row also gives each round's own ratio, which shows how much the host moved.
    """
    files, mb = make_batch_tree(tmp / "batch_src")
    src = str(tmp / "batch_src")
    best: dict[int, tuple[float, float, int]] = {}
    paired: list[float] = []  # each round's -j 1 time over its -j 2 time: runs a few seconds apart
    ceiling = float("inf")
    outputs = tmp / "batch_outputs"
    for round_ in range(BATCH_ROUNDS):
        this_round: dict[int, float] = {}
        for jobs in BATCH_JOBS:
            os.sync()
            dst = str(outputs / f"j{jobs}-{round_}")
            secs, rss, code = run_child([*CLEANER, "batch", src, dst, "-j", str(jobs), "-q"])
            this_round[jobs] = secs
            if jobs not in best or secs < best[jobs][0]:
                best[jobs] = (secs, rss, code)
        paired.append(this_round[BATCH_JOBS[0]] / this_round[BATCH_JOBS[-1]])
        os.sync()
        pair = [
            [*CLEANER, "batch", src, str(outputs / f"half{k}-{round_}"), "-j", "1", "-q", "--glob", glob]
            for k, glob in enumerate(BATCH_HALVES)
        ]
        ceiling = min(ceiling, run_side_by_side(pair))
    shutil.rmtree(outputs, ignore_errors=True)
    one = best[BATCH_JOBS[0]][0]
    rows = []
    for jobs in BATCH_JOBS:
        secs, rss, code = best[jobs]
        speedup = (
            f", x{one / secs:.2f} the speed of -j {BATCH_JOBS[0]} (round by round: "
            f"{', '.join(f'x{r:.2f}' for r in paired)})"
            if jobs != BATCH_JOBS[0]
            else ""
        )
        rows.append(
            f"| `cleaner batch -j {jobs}`, {files:,} files ({mb:.1f} MB), best of {BATCH_ROUNDS} | "
            f"{files / secs:,.0f} files/s, {mb / secs:.2f} MB/s, {secs:.1f} s{speedup}, "
            f"peak {rss:.0f} MB (main process), exit {code} |"
        )
    rows.append(
        f"| the machine's ceiling for -j 2: two `cleaner batch -j 1` side by side, each on half the files "
        f"(`--glob {' / '.join(BATCH_HALVES)}`), best of {BATCH_ROUNDS} | {ceiling:.1f} s, "
        f"x{one / ceiling:.2f} the speed of -j 1; -j 2 reaches {ceiling / best[BATCH_JOBS[-1]][0]:.0%} of it |"
    )
    return rows


def run_side_by_side(commands: Sequence[Sequence[str]]) -> float:
    """Wall seconds until all ``commands`` (started together, output discarded) have ended."""
    start = time.perf_counter()
    children = [
        subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for cmd in commands
    ]
    for child in children:
        child.wait()
    return time.perf_counter() - start


def in_process_rows() -> list[str]:
    """Ours and each baseline timed in-process on the same ``IN_PROCESS_MB`` of seed text (no start-up),
    then ours on the dev line sets, whose lines rarely repeat (the line cache helps little there)."""
    from cleaner.api import Cleaner
    from training.baselines import BASELINES

    text = seed_text()
    text *= int(IN_PROCESS_MB * 1e6 / len(text.encode())) + 1
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    mb = len(text.encode()) / 1e6
    cleaner = Cleaner()
    methods = {
        "cleaner (model)": lambda ls: cleaner.classify("\n".join(ls), html=False),
        **{k: v for k, v in BASELINES.items() if k != "keep everything"},
    }
    rows, ours = [], 0.0
    for name, fn in methods.items():
        start = time.process_time()
        fn(lines)
        secs = time.process_time() - start
        ours = ours or secs
        ratio = "" if secs == ours else f"; cleaner takes x{ours / secs:.1f} its time"
        rows.append(
            f"| in-process (CPU time, one core), {name}, {mb:.1f} MB ({len(lines):,} lines) | {mb / secs:.2f} MB/s, "
            f"{len(lines) / secs:,.0f} lines/s{ratio} |"
        )
    return rows + unique_lines_rows(cleaner)


def unique_lines_rows(cleaner: object) -> list[str]:
    """Ours on the dev line sets' documents (few repeated lines: the per-line cache is mostly cold)."""
    from training import bench_quality as q

    linesets = q.shared_dir() / "data" / "linesets"
    docs = [
        d
        for name in ("dev.jsonl.gz", "wcxb-dev.jsonl.gz")
        if (linesets / name).is_file()
        for d in q.read_labeled(linesets / name)
    ]
    if not docs:
        return [f"| in-process, dev line sets | skipped: not found at {linesets} |"]
    texts = ["\n".join(line["text"] for line in d["lines"]) + "\n" for d in docs]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    n_lines = sum(len(d["lines"]) for d in docs)
    start = time.process_time()
    for t in texts:
        cleaner.classify(t, html=False)
    secs = time.process_time() - start
    return [
        f"| in-process (CPU time, one core), cleaner (model) on the dev line sets, {mb:.1f} MB ({len(docs)} documents, "
        f"{n_lines:,} lines, mostly distinct) | {mb / secs:.2f} MB/s, {n_lines / secs:,.0f} lines/s |"
    ]


def _pct(x: float) -> str:
    return f"{x:.3f}"


def quality_section(out_dir: Path) -> list[str]:
    """Dev line sets and HTML path, with plots; a message instead when the shared data is absent."""
    from training import bench_quality as q

    linesets = q.shared_dir() / "data" / "linesets"
    if not (linesets / "dev.jsonl.gz").is_file():
        msg = f"Quality skipped: shared line sets not found at {linesets} (set CLEANER_SHARED)."
        print(msg, file=sys.stderr)
        return ["## Quality", "", msg, ""]
    docs = q.load_dev_docs(linesets)
    rows = q.lineset_quality(docs)
    from cleaner.api import Cleaner
    from training.bench_plots import confusion_plot, tradeoff_plot

    tradeoff = tradeoff_plot(rows, out_dir / "bench_tradeoff.png")
    matrix = confusion_plot(q.confusion(docs, Cleaner()), out_dir / "bench_confusion.png")
    lines = [
        "## Quality on the dev line sets",
        "",
        "Sites unseen in training: `dev.jsonl.gz` (aeb) and `wcxb-dev.jsonl.gz` (WCXB, 7 page types). "
        "Every method decides the same lines; baselines are in `training/baselines.py` (line-level rules only). "
        "Body recall: share of body+title lines kept; noise removal: share of noise lines dropped; "
        "drop F1: F1 of the drop decision against noise. `(chars)`: the same, weighted by characters. "
        "`rm@R99` / `rm@R98`: noise removal at the score cut that keeps 99% / 98% of body lines "
        "(threshold-free; the same figures as `cleaner eval` and the model card).",
        "",
    ]
    lines += lineset_table("dev", rows)
    wcxb = linesets / "wcxb-dev.jsonl.gz"
    if wcxb.is_file():
        lines += lineset_table("wcxb-dev", q.lineset_quality(list(q.read_labeled(wcxb)), sweep=False))
    lines += [
        "",
        f"![body recall vs noise removal]({tradeoff.name})",
        "",
        "Per category: what we called each line (rows) against its gold label (columns), dev split, "
        "default threshold; cells count lines, shading is the share of the row.",
        "",
        f"![category vs gold label]({matrix.name})",
        "",
    ]
    from training.bench_html import html_pages_section

    return lines + idempotence_section(docs) + html_section(q) + html_pages_section(q.shared_dir())


def lineset_table(name: str, rows: Sequence) -> list[str]:
    """One dev set's table: a row per method and flavor."""

    def rate(value: float | None) -> str:
        return "-" if value is None else _pct(value)

    lines = [
        f"### {name}",
        "",
        "| method | threshold | flavor | body recall | (chars) | noise removal | (chars) | drop F1 | rm@R99 | rm@R98 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        for flavor in ("page", "residue"):
            s = r.scores[flavor]
            lines.append(
                f"| {r.method} | {'' if r.threshold is None else f'{r.threshold:g}'} | {flavor} | "
                f"{_pct(s['body_recall'])} | {_pct(s['body_recall_chars'])} | {_pct(s['noise_removal'])} | "
                f"{_pct(s['noise_removal_chars'])} | {_pct(s['drop_f1'])} | {rate(s['removal_at_99'])} | "
                f"{rate(s['removal_at_98'])} |"
            )
    return [*lines, ""]


def adapt_section(path: Path) -> list[str]:
    """The new-source protocol of ``python -m training.adapt`` (20 minutes: run apart, read from its JSON)."""
    if not path.is_file():
        return []
    result = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        "## Fixing a new source with corrected documents",
        "",
        result["protocol"] + " Command: `python -m training.adapt` (writes `docs/adapt.json`, read here).",
        "",
        "| data | flavor | body recall before → after | noise removal before → after | rm@R98 before → after |",
        "|---|---|---|---|---|",
    ]
    for name, by_flavor in result["before"].items():
        for flavor, b in by_flavor.items():
            a = result["after"][name][flavor]
            lines.append(
                f"| {name} | {flavor} | {b['body_recall']:.4f} → {a['body_recall']:.4f} | "
                f"{b['noise_removal']:.4f} → {a['noise_removal']:.4f} | {b['removal_at_98']} → {a['removal_at_98']} |"
            )
    return [*lines, ""]


def idempotence_section(docs: Sequence[dict]) -> list[str]:
    """Share of dev documents where cleaning twice gives the same text as cleaning once."""
    from cleaner.api import Cleaner

    cleaner = Cleaner()
    texts = ["\n".join(line["text"] for line in d["lines"]) + "\n" for d in docs]
    once = [cleaner.clean(t, html=False) for t in texts]
    same = sum(cleaner.clean(o, html=False) == o for o in once)
    return [
        "## Idempotence",
        "",
        f"`clean(clean(x)) == clean(x)` holds for {same} of {len(docs)} dev documents "
        f"({same / len(docs):.0%}): removing lines changes the context of those left, so a second pass "
        "can drop a few more.",
        "",
    ]


def jsonl_memory_rows(tmp: Path) -> list[str]:
    """``cleaner clean --jsonl``: peak memory on two input sizes (flat when it streams), and speed on small
    documents that all differ, as in a dataset (each seed alone, with its own first line, as batch's files)."""
    import json

    doc = json.dumps({"id": 0, "text": seed_text()}) + "\n"
    cases = [(f"{mb} MB", doc * (int(mb * 1e6 / len(doc.encode())) + 1)) for mb in JSONL_MB]
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    small: list[str] = []
    size = 0
    while size < JSONL_MB[-1] * 1e6:
        k = len(small)
        line = json.dumps({"id": k, "text": f"Story number {k} of the generated set\n{texts[k % len(texts)]}"})
        small.append(line + "\n")
        size += len(small[-1].encode())
    cases.append((f"{JSONL_MB[-1]} MB of {len(small):,} distinct small documents", "".join(small)))
    rows = []
    for label, data in cases:
        path = tmp / "data.jsonl"
        path.write_text(data, encoding="utf-8")
        mb = path.stat().st_size / 1e6
        secs, rss, code = run_child([*CLEANER, "clean", "--jsonl", str(path)])
        rows.append(
            f"| `clean --jsonl`, {label} | {secs:.1f} s, {mb / secs:.2f} MB/s, peak {rss:.0f} MB, exit {code} |"
        )
        path.unlink()
    return rows


def html_section(q: ModuleType) -> list[str]:
    """The HTML-path table; ``q`` is ``training.bench_quality``, imported lazily by the caller."""
    html_dir = q.shared_dir() / "data" / "html"
    if not (html_dir / "dev-gold.json").is_file():
        return ["## HTML path", "", f"Skipped: {html_dir}/dev-gold.json not found.", ""]
    pages = q.load_html_pages(html_dir)
    scores = q.html_quality(pages)
    lines = [
        "## HTML path: trafilatura alone vs followed by a line filter",
        "",
        f"{len(pages)} dev pages with the benchmark's gold article text. trafilatura 2 "
        "(`favor_recall=True, include_comments=False, include_tables=True`), then nothing, our classifier "
        "(`Cleaner().classify(html, html=True)`), or a baseline on the extracted lines. Metric: word 4-gram "
        "shingles (line-set tokens), multiset precision/recall/F1 per page, averaged over pages. "
        "The gold has no headline, so keeping the title costs a little precision.",
        "",
        "| pipeline | precision | recall | F1 |",
        "|---|---|---|---|",
    ]
    lines += [f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} |" for name, (p, r, f) in scores.items()]
    return [*lines, ""]


def report_screenshot(out: Path) -> str:
    """Render the seeds' ``cleaner report`` and screenshot it with headless Chromium; a message if absent."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return "docs/report.png not refreshed: chromium not found."
    from cleaner.api import Cleaner
    from cleaner.report import render_report

    cleaner = Cleaner()
    page = render_report([(p.name, cleaner.classify(p.read_text(encoding="utf-8"))) for p in SEEDS])
    with tempfile.TemporaryDirectory() as tmp_dir:
        html = Path(tmp_dir) / "report.html"
        html.write_text(page, encoding="utf-8")
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_dir}/profile",
            f"--screenshot={out}",
            f"--window-size={SCREENSHOT_SIZE}",
            html.as_uri(),
        ]
        subprocess.run(cmd, capture_output=True, timeout=SCREENSHOT_TIMEOUT_S, check=False)
    return f"`cleaner report seeds/*.txt` as Chromium renders it: ![report of the seeds]({out.name})"


def speed_section(skip: bool) -> list[str]:
    if skip:
        return ["## Speed", "", "Skipped (`--skip-speed`).", ""]
    with tempfile.TemporaryDirectory() as tmp_dir:
        rows = speed_rows(Path(tmp_dir))
    return [
        "## Speed and memory",
        "",
        "Whole processes unless marked in-process (those exclude start-up and model loading for baselines; "
        "ours includes loading the model once).",
        "",
        "| what | result |",
        "|---|---|",
        *rows,
        *in_process_rows(),
        "",
        *dask_section(),
    ]


def dask_section() -> list[str]:
    """``examples/dask_bench.py``: 1 and 2 Dask workers against ``cleaner batch -j 1/2`` on the same folder."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        return ["## Dask", "", "Skipped: the `dask` extra is not installed.", ""]
    script = REPO / "examples" / "dask_bench.py"
    cmd = [sys.executable, str(script), "--copies", str(DASK_COPIES), "--workers", "1", "2"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return [
        "## Dask",
        "",
        f"`python examples/dask_bench.py --copies {DASK_COPIES} --workers 1 2` ({DASK_COPIES * len(SEEDS):,} files; "
        "Dask times exclude cluster start-up and model loading, shown apart; batch times include them):",
        "",
        "```",
        (out.stdout or out.stderr).strip(),
        "```",
        "",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    p.add_argument("--skip-speed", action="store_true", help="Only the quality parts (quick).")
    args = p.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        body = quality_section(args.out.parent) + adapt_section(args.out.parent / "adapt.json")
        body += speed_section(args.skip_speed)
        body += ["## Report", "", report_screenshot(args.out.parent / "report.png"), ""]
    except ModelError as exc:
        print(f"bench: the model could not be loaded: {exc}", file=sys.stderr)
        return 1
    report = "\n".join(
        [
            "# Benchmarks",
            "",
            f"Made by `make bench` on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
            f"{time.strftime('%Y-%m-%d')}, in {time.perf_counter() - started:.0f} s. "
            "This machine; compare rows, not machines.",
            "",
            *body,
        ]
    )
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
