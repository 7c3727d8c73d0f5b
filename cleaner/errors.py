"""Typed errors of the library; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class of every error the library raises on purpose."""


class ModelError(CleanerError):
    """The model file is missing, unreadable, unsafe or made for another feature version."""


class InputError(CleanerError):
    """The input cannot be read or decoded as text."""
