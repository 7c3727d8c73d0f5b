"""What the commands share: the exit-code policy and the click options of ``clean``, ``batch``, ``report`` and
``eval``, one definition each.

>>> options_from(0.3, ("caption",), no_model=False).keep_categories
frozenset({'caption'})
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from cleaner.categories import ALL_CATEGORIES, DROP_CATEGORIES
from cleaner.jsonl import METADATA_FIELD
from cleaner.model import MODEL_ENV
from cleaner.options import DEFAULT_THRESHOLD, MAX_LINE_CHARS, Options

F = TypeVar("F", bound=Callable[..., object])

# 0 success; 1 an input or the model could not be used (the others were still processed); 2 usage error (click);
# 130 interrupted (128 + SIGINT); 141 the reader closed the pipe (128 + SIGPIPE), as Unix tools do.
EXIT_FAILED, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 130, 141

# Every command's own, not only the group's: click caches a command's help option the first time it is built, so a
# command first run on its own (tests, integrations) would otherwise lose -h for the rest of the process.
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

threshold_option = click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Keep a line when P(article) >= this. Lower keeps more.",
)
keep_category_option = click.option(
    "--keep-category",
    multiple=True,
    type=click.Choice(ALL_CATEGORIES),
    metavar="CAT",
    help=f"Also keep lines of this category (repeatable): {', '.join(DROP_CATEGORIES)}.",
)
model_option = click.option(
    "--model",
    type=click.Path(path_type=Path),
    envvar=MODEL_ENV,
    show_envvar=True,
    help="Model file (.npz) [default: the shipped model].",
)
no_model_option = click.option("--no-model", is_flag=True, help="Use the heuristic rules only.")


def _check_text_field(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The text field cannot be the field the cleaner adds its metadata to."""
    if value == METADATA_FIELD:
        raise click.BadParameter(f"{value!r} is the field cleaner adds to each document; name another field")
    return value


text_field_option = click.option(
    "--text-field", default="text", show_default=True, callback=_check_text_field, help="JSONL field holding the text."
)
on_error_option = click.option(
    "--on-error",
    type=click.Choice(["skip", "fail"]),
    default="skip",
    show_default=True,
    help="JSONL: skip and report bad lines, or stop at the first.",
)

html_option = click.option(
    "--html",
    "force_html",
    is_flag=True,
    help="Treat inputs as HTML (else by name; clean also sniffs text); for JSONL, the text fields.",
)
max_line_chars_option = click.option(
    "--max-line-chars",
    type=click.IntRange(1),
    default=MAX_LINE_CHARS,
    show_default=True,
    help="Longer lines are passed through as body, unscored.",
)
# Listed for --help only: cli.main takes --debug out of the arguments (anywhere on the line) before click parses them.
debug_option = click.option(
    "--debug", is_flag=True, expose_value=False, help="Show the traceback behind an error message (for bug reports)."
)


def decision_options(f: F) -> F:
    """``--threshold``, ``--keep-category``, ``--model``, ``--no-model``."""
    for option in (no_model_option, model_option, keep_category_option, threshold_option):
        f = option(f)
    return f


def jsonl_options(f: F) -> F:
    """``--text-field`` and ``--on-error``."""
    return text_field_option(on_error_option(f))


def options_from(
    threshold: float, keep_category: tuple[str, ...], no_model: bool, max_line_chars: int = MAX_LINE_CHARS
) -> Options:
    """The :class:`Options` value the shared CLI options describe."""
    return Options(
        threshold=threshold,
        keep_categories=frozenset(keep_category),
        use_model=not no_model,
        max_line_chars=max_line_chars,
    )
