"""Plots for ``docs/benchmarks.md`` (matplotlib, Agg backend, PNG files).

matplotlib is imported inside the functions: it is only needed by ``make bench`` (extra ``bench``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from cleaner.categories import ALL_CATEGORIES, is_keep
from training.bench_quality import FLAVORS, GOLD_LABELS, MethodScores

DPI = 110  # sharp enough to read on a laptop screen, small enough to keep the PNGs under ~100 kB
MARKERS = "osD^vP*X"  # one marker per non-sweep method, in table order
COLORS = ("tab:red", "tab:gray", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def _pyplot() -> ModuleType:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def tradeoff_plot(rows: Sequence[MethodScores], out: Path) -> Path:
    """Body recall against noise removal per flavor: our threshold sweep as a curve, the rest as points."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(FLAVORS), figsize=(11, 4.6))
    sweep = [r for r in rows if r.method == "cleaner sweep"]
    others = [r for r in rows if r.method not in ("cleaner sweep", "cleaner (model)")]
    for ax, flavor in zip(axes, FLAVORS):
        xs = [r.scores[flavor]["noise_removal"] for r in sweep]
        ys = [r.scores[flavor]["body_recall"] for r in sweep]
        ax.plot(xs, ys, "-o", color="tab:blue", label="cleaner, threshold sweep", zorder=3)
        for x, y, r in zip(xs, ys, sweep):
            ax.annotate(f"{r.threshold:g}", (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
        for marker, color, r in zip(MARKERS, COLORS, others):
            s = r.scores[flavor]
            ax.scatter(s["noise_removal"], s["body_recall"], marker=marker, color=color, s=50, label=r.method, zorder=4)
        ax.set(
            title=f"dev, {flavor} flavor",
            xlabel="noise removal (share of noise lines dropped)",
            ylabel="body recall (share of body+title lines kept)",
            xlim=(-0.03, 1.03),
            ylim=(-0.03, 1.03),
        )
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
    return out


def confusion_plot(counts: dict[str, Counter[tuple[str, str]]], out: Path) -> Path:
    """Per flavor, a heat map of (category we predicted, gold label) counts, shaded by row share."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(FLAVORS), figsize=(11, 6.5))
    for ax, flavor in zip(axes, FLAVORS):
        c = counts.get(flavor, Counter())
        cats = [cat for cat in ALL_CATEGORIES if any(c[(cat, g)] for g in GOLD_LABELS)]
        grid = [[c[(cat, g)] for g in GOLD_LABELS] for cat in cats]
        shares = [[v / max(sum(row), 1) for v in row] for row in grid]
        ax.imshow(shares or [[0] * len(GOLD_LABELS)], cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                ax.text(
                    j, i, str(v), ha="center", va="center", fontsize=8, color="white" if shares[i][j] > 0.6 else "black"
                )
        ax.set_xticks(range(len(GOLD_LABELS)), GOLD_LABELS)
        ax.set_yticks(range(len(cats)), [f"{cat} (kept)" if is_keep(cat) else cat for cat in cats])
        ax.set(title=f"dev, {flavor}: our category (rows) vs gold label", xlabel="gold label")
    fig.tight_layout()
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
    return out
