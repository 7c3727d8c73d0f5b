"""Typed errors of the library; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class of every error the library raises on purpose."""


class ModelError(CleanerError):
    """The model file is missing, unreadable, unsafe or made for another feature version."""


class InputError(CleanerError):
    """The input cannot be read or decoded as text."""


class OutputError(CleanerError):
    """An output (a file, a folder or standard output) cannot be written."""


def os_reason(exc: OSError) -> str:
    """The reason of an ``OSError`` in the words every message uses: lower case, no errno.

    >>> os_reason(PermissionError(13, "Permission denied"))
    'permission denied'
    >>> os_reason(OSError("odd"))
    'odd'
    """
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]
