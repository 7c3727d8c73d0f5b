"""CI cannot go green without the browser tests unnoticed: the Makefile's chromium step and the summary banner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

MAKE = shutil.which("make")


def _fake_bin(tmp_path: Path) -> Path:
    """A PATH with no chromium, an ``id`` that says root and an ``apt-get`` that fails, as when the mirror is down."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("id", "echo 0"), ("apt-get", "echo 'E: Unable to fetch' >&2; exit 100")):
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def _make_chromium(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    assert MAKE is not None
    environ = {"PATH": str(_fake_bin(tmp_path)), "CI": "true", **env}
    return subprocess.run([MAKE, "-s", "chromium"], cwd=REPO, env=environ, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(MAKE is None, reason="make not installed")
def test_failed_chromium_install_fails_ci(tmp_path: Path) -> None:
    result = _make_chromium(tmp_path)
    assert result.returncode != 0
    assert "chromium install FAILED" in result.stderr


@pytest.mark.skipif(MAKE is None, reason="make not installed")
def test_allow_no_browser_lets_ci_go_on_with_the_warning(tmp_path: Path) -> None:
    result = _make_chromium(tmp_path, ALLOW_NO_BROWSER="1")
    assert result.returncode == 0
    assert "chromium install FAILED" in result.stderr


def test_skipped_browser_tests_are_shouted_in_the_ci_summary() -> None:
    env = {**os.environ, "CI": "true", "PATH": str(Path(sys.executable).parent)}  # no chromium on this PATH
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_report.py", "-k", "browser"]
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "BROWSER TESTS DID NOT RUN" in result.stdout and "2 browser test(s) skipped" in result.stdout
