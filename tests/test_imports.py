"""Heavy imports stay off the hot path: inference never imports scikit-learn (or scipy), checked in fresh processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO, SEEDS

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")  # importing cleaner.threads sets them
TRAINING_ONLY = ("sklearn", "scipy")  # the `train` extra: installed here (dev), so an import would succeed


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def _loaded(names: tuple[str, ...]) -> str:
    """Code that prints which of ``names`` (top-level packages) the process has imported, as JSON."""
    return f"print(__import__('json').dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(names)!r})))"


def test_inference_never_imports_scikit_learn() -> None:
    code = (
        "import sys\n"
        "import cleaner\n"
        "from cleaner.cli import main\n"
        "c = cleaner.Cleaner()\n"
        "assert c.source == 'model', c.warning\n"
        "assert 'minister' in cleaner.clean('Skip to content\\nThe minister resigned on Tuesday, aides said.\\n')\n"
        f"assert c.classify(open({str(SEEDS[0])!r}, encoding='utf-8').read()).decisions\n"
        "try:\n"
        f"    main(['clean', '--json', {str(SEEDS[1])!r}, '-o', '-'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "sys.stdout = sys.__stdout__\n" + _loaded(TRAINING_ONLY)
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_cli_process_never_imports_scikit_learn() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cleaner", "clean", "--explain", str(SEEDS[2])],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and '"keep": true' in result.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "cleaner" in imported and "numpy" in imported  # the probe sees imports at all
    assert imported & set(TRAINING_ONLY) == set()
    modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "numpy.ma" not in modules  # 12 ms of every start: np.median and np.unique bring it (see context._median)
    assert modules.isdisjoint({"cleaner.htmlinput", "cleaner.htmlfeatures", "cleaner.report"})  # not for text
    assert "zipfile" not in modules  # 5 ms of every start: the model's zip directory is read by cleaner.model


def test_training_modules_import_without_scikit_learn() -> None:
    """pytest collects training/ for its doctests: importing it must not pull in scikit-learn (slow, only needed
    to fit) or the bench extras (not installed by ``make test``). scipy, a light training dependency, may load."""
    code = (
        "import importlib, pkgutil, sys, training\n"
        "for m in pkgutil.iter_modules(training.__path__): importlib.import_module('training.' + m.name)\n"
        + _loaded(("sklearn", "matplotlib", "justext"))
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_command_line_runs_numpy_single_threaded_unless_told() -> None:
    """The CLI sets one BLAS thread before numpy is imported (``cleaner.threads``); a user's value is kept,
    and the library alone leaves the environment as it found it."""
    probe = "import os, cleaner.cli, numpy; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    assert _python(probe, env=env).stdout.split() == ["1"]
    assert _python(probe, env=env | {"OPENBLAS_NUM_THREADS": "2"}).stdout.split() == ["2"]
    library = "import os, cleaner; cleaner.clean('Menu\\n'); print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    assert _python(library, env=env).stdout.split() == ["None"]
    order = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import cleaner.cli"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    ).stderr
    modules = [line.split("|")[-1].strip() for line in order.splitlines() if "|" in line]
    assert modules.index("cleaner.threads") < modules.index("numpy")
