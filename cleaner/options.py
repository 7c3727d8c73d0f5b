"""The options of one cleaning run: an immutable value shared by the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

# keep a line when P(article) >= this; low on purpose: losing body text is worse than keeping noise
DEFAULT_THRESHOLD = 0.12  # site CV: residue body recall ~0.99 (0.966 at 0.25); must stay above fallback DROP_SCORE 0.1
MAX_LINE_CHARS = 100_000  # longer lines are passed through as body unscored: no paragraph of boilerplate is that long


@dataclass(frozen=True, slots=True)
class Options:
    """How to decide.

    >>> Options().threshold == DEFAULT_THRESHOLD
    True
    """

    threshold: float = DEFAULT_THRESHOLD
    keep_categories: frozenset[str] = field(default_factory=frozenset)
    use_model: bool = True
    smooth: bool = True
    max_line_chars: int = MAX_LINE_CHARS
