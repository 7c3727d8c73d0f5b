"""cleaner: remove boilerplate and paywall noise from scraped article text, line by line.

>>> from cleaner import clean
>>> clean("* indicates required\\nThe council approved the budget on Monday after a long debate.\\n")
'The council approved the budget on Monday after a long debate.\\n'
"""

from cleaner.api import Cleaner, classify, clean
from cleaner.decide import Decision, DocumentResult
from cleaner.errors import CleanerError, InputError, ModelError
from cleaner.options import DEFAULT_THRESHOLD, Options

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
