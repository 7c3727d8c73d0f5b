"""A datatrove pipeline step that cleans ``Document.text``: :class:`CleanerFilter`.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerFilter

    LocalPipelineExecutor([JsonlReader("in/"), CleanerFilter(), JsonlWriter("out/")], tasks=8, workers=2).run()

It is a filter (like datatrove's ``C4QualityFilter``, which also rewrites the text it keeps) rather than a
formatter, because a formatter can neither record metadata nor drop a document. Each document gets
``doc.metadata["cleaner"]`` = :meth:`DocumentResult.metadata` (what ``cleaner clean --jsonl`` adds); documents
left empty are kept unless ``drop_empty=True``, and then dropped with the reason ``empty`` (counted as
``dropped_empty``; an ``exclusion_writer`` receives them with their original text). A kept empty document is
written by datatrove's ``JsonlWriter`` without its ``text`` field (its default adapter leaves out empty values),
and a later ``JsonlReader`` skips it. Lines are counted in the task's stats: ``lines_kept``, ``lines_dropped``
and ``lines_dropped_<category>``, plus ``truncated`` documents.

The step holds only its options (it is pickled to every worker); the Cleaner, with its model, is built on the
first document of each worker process and reused for every later document and task in that process.
"""

from __future__ import annotations

from pathlib import Path

from cleaner.integrations import missing_extra

try:
    from datatrove.data import Document
    from datatrove.pipeline.filters.base_filter import BaseFilter
    from datatrove.pipeline.writers.disk_base import DiskWriter
except ImportError as exc:  # pragma: no cover - exercised with datatrove hidden, in a test
    raise missing_extra("datatrove", exc) from exc

from cleaner.api import shared_cleaner
from cleaner.decide import DocumentResult
from cleaner.options import Options
from cleaner.segment import match_final_newline

DROP_REASON_EMPTY = "empty"  # datatrove counts it as "dropped_empty"


class CleanerFilter(BaseFilter):
    """Remove boilerplate lines from each document's text and record what was dropped in its metadata."""

    name = "🧹 cleaner"

    def __init__(
        self,
        options: Options | None = None,
        model_path: Path | None = None,
        drop_empty: bool = False,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer)
        self.options = options or Options()
        self.model_path = model_path
        self.drop_empty = drop_empty

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Clean ``doc`` in place; False (reason ``empty``) only for an emptied document with ``drop_empty``."""
        result = shared_cleaner(self.options, self.model_path).classify(doc.text, html=False)
        doc.metadata["cleaner"] = result.metadata()
        self._count_lines(result)
        if self.drop_empty and not result.text.strip():
            return False, DROP_REASON_EMPTY  # the exclusion writer, if any, gets the original text
        doc.text = match_final_newline(doc.text, result.text)
        return True

    def _count_lines(self, result: DocumentResult) -> None:
        """Add the document's kept and dropped lines (per category) to the task's stats."""
        counts = result.counts()
        self.stat_update("lines_kept", value=sum(counts["kept"].values()), unit="doc")
        self.stat_update("lines_dropped", value=sum(counts["dropped"].values()), unit="doc")
        for category, n in counts["dropped"].items():
            self.stat_update(f"lines_dropped_{category}", value=n, unit="doc")
        if result.truncated:
            self.stat_update("truncated")
