"""cleaner: remove boilerplate and paywall noise from scraped article text, line by line.

>>> from cleaner import clean
>>> clean("* indicates required\\nThe council approved the budget on Monday after a long debate.\\n")
'The council approved the budget on Monday after a long debate.\\n'

The names below are imported on first use (PEP 562), so that ``import cleaner.cli`` can set up the
process (``cleaner.threads``) before numpy is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleaner.api import Cleaner, classify, clean
    from cleaner.decide import Decision, DocumentResult
    from cleaner.errors import CleanerError, InputError, ModelError
    from cleaner.options import DEFAULT_THRESHOLD, Options

_HOMES = {
    "Cleaner": "cleaner.api",
    "classify": "cleaner.api",
    "clean": "cleaner.api",
    "Decision": "cleaner.decide",
    "DocumentResult": "cleaner.decide",
    "CleanerError": "cleaner.errors",
    "InputError": "cleaner.errors",
    "ModelError": "cleaner.errors",
    "DEFAULT_THRESHOLD": "cleaner.options",
    "Options": "cleaner.options",
}

__all__ = [
    "DEFAULT_THRESHOLD",
    "Cleaner",
    "CleanerError",
    "Decision",
    "DocumentResult",
    "InputError",
    "ModelError",
    "Options",
    "classify",
    "clean",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``cleaner.Cleaner`` and the other public names, imported from their module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
