"""Scale-out integrations: a datatrove pipeline step and a Dask path, each behind its own optional extra.

``import cleaner`` imports neither; ``cleaner.integrations.datatrove`` needs ``pip install 'cleaner[datatrove]'``,
``cleaner.integrations.dask`` needs ``pip install 'cleaner[dask]'``. Both load one Cleaner per worker process,
through the same bounded cache as ``cleaner batch`` (:func:`cleaner.api.shared_cleaner`).

>>> print(missing_extra("dask", ImportError("No module named 'distributed'")))
cleaner.integrations.dask needs the 'dask' extra: pip install 'cleaner[dask]' (No module named 'distributed')
"""

from __future__ import annotations


def missing_extra(extra: str, exc: ImportError) -> ImportError:
    """The ImportError to raise when an integration's optional dependency is missing: it names the extra."""
    return ImportError(
        f"cleaner.integrations.{extra} needs the {extra!r} extra: pip install 'cleaner[{extra}]' ({exc})"
    )
