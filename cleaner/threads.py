"""One thread per process for numpy's linear-algebra libraries, set before numpy is imported.

Imported for its effect, first, by the command-line entry point (``cleaner.cli``): never by the library.
cleaner does no linear algebra (its sums are gathers, its trees bit masks), but OpenBLAS starts a thread
per core when numpy is imported, and those threads spin: about 0.1 s of CPU at every start, taken from
the other jobs of ``cleaner batch -j N`` or of a shell pipeline. A value the user set is kept.

>>> all(os.environ.get(name) for name in THREAD_VARIABLES)
True
"""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread_each() -> None:
    """Set each of ``THREAD_VARIABLES`` to 1 unless the user set it."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")


one_thread_each()
