"""Root pytest configuration: skip collecting optional integrations whose extra is not installed."""

from __future__ import annotations

import importlib.util

collect_ignore = [
    f"cleaner/integrations/{name}.py" for name in ("datatrove", "dask") if importlib.util.find_spec(name) is None
]
