"""``cleaner report FILE... -o report.html``: one self-contained HTML page showing every decision.

Each document's non-blank lines appear in order; dropped lines are struck through
(``<del>``) and coloured by category, the score and category show on hover (the
``title`` attribute), the document's flags (truncated, what scored it) sit at the
top of the document with a per-category summary. All text is HTML-escaped; the
page has inline CSS only, no scripts and no external assets. With ``--editable``
(``cleaner/review.py``) it also carries the labeled documents as inline JSON and a
small inline script to correct decisions and download them as training labels.

>>> from cleaner.api import Cleaner
>>> from cleaner.options import Options
>>> page = render_report([("a<b>.txt", Cleaner(Options(use_model=False)).classify("Share on Facebook\\n"))])
>>> "a&lt;b&gt;.txt" in page, page.count("<del ")
(True, 1)
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from html import escape
from pathlib import Path

import click

from cleaner.api import Cleaner
from cleaner.batch_plan import file_kind
from cleaner.categories import ALL_CATEGORIES, DROP_CATEGORIES, is_keep
from cleaner.cli_options import CONTEXT_SETTINGS, EXIT_FAILED, debug_option, decision_options, options_from
from cleaner.decide import Decision, DocumentResult
from cleaner.errors import InputError
from cleaner.review import EDIT_CSS, editor_script, editor_toolbar
from cleaner.textio import decode_bytes, display_name, output_file, read_path

PALETTE = (  # background per dropped category, in DROP_CATEGORIES order; light enough for black text
    "#fde2e2",
    "#fdebd0",
    "#fff3bf",
    "#e3f2d9",
    "#d7eef8",
    "#e5e0f7",
    "#f8def0",
    "#e8e8e8",
    "#ffd8c2",
    "#d9f2ec",
    "#f0e6d2",
    "#dfe7fd",
    "#f6d5d5",
    "#e2f0cb",
    "#f3e3f3",
    "#ececec",
    "#f5f0c8",
)
KEPT_BACKGROUND = "#ffffff"  # kept lines stay plain: the eye goes to what was removed
BASE_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:70rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2.5rem;border-top:2px solid #ccc;padding-top:1rem}
table.summary{border-collapse:collapse;margin:.5rem 0 1rem}
table.summary td,table.summary th{border:1px solid #ccc;padding:.15rem .6rem;text-align:right}
table.summary th:first-child,table.summary td:first-child{text-align:left}
.flags span{display:inline-block;margin-right:.5rem;padding:.1rem .5rem;border-radius:.6rem;background:#eee}
.flags .truncated{background:#c0392b;color:#fff}
ol.lines{padding-left:3.5rem}ol.lines li{margin:.15rem 0}
.line{display:inline;padding:.05rem .2rem;border-radius:.2rem}
del.line{text-decoration:line-through;color:#555}
.cat{font-size:.75rem;color:#666;margin-left:.4rem}
.legend span{display:inline-block;margin:.1rem .3rem .1rem 0;padding:.05rem .4rem;border-radius:.2rem;font-size:.8rem}
"""


def _css() -> str:
    colours = dict(zip(DROP_CATEGORIES, PALETTE))
    rules = [f".c-{cat}{{background:{colours.get(cat, KEPT_BACKGROUND)}}}" for cat in ALL_CATEGORIES]
    return BASE_CSS + "\n".join(rules) + "\n"


def _line_html(d: Decision) -> str:
    hover = escape(f"line {d.n} · {d.category} · {'kept' if d.keep else 'dropped'} · P(article) = {d.score:.3f}")
    tag = "span" if d.keep else "del"
    return (
        f'<li value="{d.n}"><{tag} class="line c-{escape(d.category)}" title="{hover}">{escape(d.text)}</{tag}>'
        f'<span class="cat">{escape(d.category)}</span></li>'
    )


def _summary_table(decisions: Sequence[Decision]) -> str:
    kept = Counter(d.category for d in decisions if d.keep)
    dropped = Counter(d.category for d in decisions if not d.keep)
    rows = "".join(
        f'<tr><td><span class="line c-{escape(c)}">{escape(c)}</span></td><td>{kept[c]}</td><td>{dropped[c]}</td></tr>'
        for c in ALL_CATEGORIES
        if kept[c] or dropped[c]
    )
    return (
        f'<table class="summary"><tr><th>category</th><th>kept</th><th>dropped</th></tr>{rows}'
        f"<tr><th>all</th><th>{sum(kept.values())}</th><th>{sum(dropped.values())}</th></tr></table>"
    )


def _document_html(index: int, name: str, result: DocumentResult) -> str:
    flags = [
        f'<span class="source">scored by {escape(result.source)}</span>',
        f"<span>{len(result.decisions)} lines</span>",
    ]
    if result.truncated:
        flags.insert(0, '<span class="truncated">truncated / paywalled</span>')
    lines = "\n".join(_line_html(d) for d in result.decisions)
    return (
        f'<section class="doc" id="doc{index}"><h2>{escape(name)}</h2>'
        f'<p class="flags">{"".join(flags)}</p>{_summary_table(result.decisions)}'
        f'<ol class="lines">\n{lines}\n</ol></section>'
    )


def render_report(named_results: list[tuple[str, DocumentResult]], editable: bool = False) -> str:
    """One self-contained HTML page for ``(name, result)`` pairs, in the order given.

    ``editable`` adds the controls to correct decisions and download them as labels (``cleaner/review.py``).
    """
    every = [d for _, r in named_results for d in r.decisions]
    legend = "".join(f'<span class="c-{c}">{escape(c)}</span>' for c in ALL_CATEGORIES if not is_keep(c))
    docs = "\n".join(_document_html(i, name, r) for i, (name, r) in enumerate(named_results, 1))
    n_trunc = sum(r.truncated for _, r in named_results)
    css, body_class = (_css() + EDIT_CSS, ' class="editable"') if editable else (_css(), "")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>cleaner report: {len(named_results)} document(s)</title><style>{css}</style></head>"
        f"<body{body_class}>{editor_toolbar() if editable else ''}"
        f"<h1>cleaner report: {len(named_results)} document(s), {len(every)} lines, {n_trunc} truncated</h1>"
        "<p>Dropped lines are struck through and coloured by category; hover a line for its score.</p>"
        f'<p class="legend">{legend}</p>{_summary_table(every)}\n{docs}\n'
        f"{editor_script(named_results) if editable else ''}</body></html>\n"
    )


@click.command("report", context_settings=CONTEXT_SETTINGS)
@click.argument("files", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write (atomically).",
)
@click.option(
    "--editable",
    is_flag=True,
    help="Let the page correct decisions (click a line, pick a category) and download them as labels "
    "for 'make train USER_DATA=labels.jsonl'.",
)
@decision_options
@debug_option
def report_command(
    files: tuple[str, ...],
    output: Path,
    editable: bool,
    threshold: float,
    keep_category: tuple[str, ...],
    model: Path | None,
    no_model: bool,
) -> None:
    """Write one HTML page showing each line of FILES and what the cleaner decided ('-' is stdin).

    \b
    Examples:
      cleaner report seeds/*.txt -o report.html
      cleaner report --editable site/*.txt -o review.html   # correct it, download labels.jsonl
    """
    cleaner = Cleaner(options_from(threshold, keep_category, no_model), model_path=model)
    if cleaner.warning:
        click.echo(cleaner.warning, err=True)
    named: list[tuple[str, DocumentResult]] = []
    for name in files:
        try:
            text, _ = decode_bytes(read_path(name))
            named.append((display_name(name), cleaner.classify(text, True if file_kind(name) == "html" else None)))
        except InputError as exc:
            click.echo(f"cleaner: {exc}" if name in str(exc) else f"cleaner: {name}: {exc}", err=True)
    with output_file(output, binary=False, compress=False) as fh:
        fh.write(render_report(named, editable))
    if len(named) < len(files):
        sys.exit(EXIT_FAILED)
