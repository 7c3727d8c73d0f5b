"""The options of one cleaning run: an immutable value shared by the CLI and the API."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field

from cleaner.categories import ALL_CATEGORIES

# keep a line when P(article) >= this; low on purpose: losing body text is worse than keeping noise
DEFAULT_THRESHOLD = 0.061  # the shipped model's: site CV keeps 99% of residue body lines; > fallback DROP_SCORE
MAX_LINE_CHARS = 100_000  # longer lines are passed through as body unscored: no paragraph of boilerplate is that long


@dataclass(frozen=True, slots=True)
class Options:
    """How to decide; checked when made, so that a wrong value fails here and not as odd output.

    >>> Options().threshold == DEFAULT_THRESHOLD
    True
    >>> Options(keep_categories=["caption"]).keep_categories
    frozenset({'caption'})
    >>> Options(threshold=5)
    Traceback (most recent call last):
    ...
    ValueError: Options.threshold must be a probability between 0 and 1, got 5
    """

    threshold: float = DEFAULT_THRESHOLD
    keep_categories: frozenset[str] = field(default_factory=frozenset)
    use_model: bool = True
    smooth: bool = True
    max_line_chars: int = MAX_LINE_CHARS

    def __post_init__(self) -> None:
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, numbers.Real):
            raise TypeError(f"Options.threshold must be a number, got {type(self.threshold).__name__}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"Options.threshold must be a probability between 0 and 1, got {self.threshold}")
        object.__setattr__(self, "keep_categories", _categories(self.keep_categories))
        for name in ("use_model", "smooth"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"Options.{name} must be True or False, got {getattr(self, name)!r}")
        if isinstance(self.max_line_chars, bool) or not isinstance(self.max_line_chars, int):
            raise TypeError(f"Options.max_line_chars must be an int, got {type(self.max_line_chars).__name__}")
        if self.max_line_chars < 1:
            raise ValueError(f"Options.max_line_chars must be at least 1, got {self.max_line_chars}")


def _categories(names: Iterable[str]) -> frozenset[str]:
    """``names`` as a frozenset of known category names (so that Options stays hashable), or a clear error.

    >>> _categories("caption")
    Traceback (most recent call last):
    ...
    TypeError: Options.keep_categories must be a collection of category names, not a str: use {'caption'}
    """
    if isinstance(names, (str, bytes)):
        raise TypeError(f"Options.keep_categories must be a collection of category names, not a str: use {{{names!r}}}")
    try:
        out = frozenset(names)
    except TypeError:
        raise TypeError(
            f"Options.keep_categories must be a collection of category names, got {type(names).__name__}"
        ) from None
    unknown = sorted(map(str, out - set(ALL_CATEGORIES)))
    if unknown:
        raise ValueError(f"Options.keep_categories: unknown categories {unknown}; known: {', '.join(ALL_CATEGORIES)}")
    return out
