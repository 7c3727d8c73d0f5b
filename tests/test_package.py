"""The distribution: an sdist and a wheel that ship the model, and a wheel install that cleans like the checkout.

Builds (offline, about 10-20 s in all) from a copy of the sources: the sdist with setuptools' own build hook, then
the wheel from that sdist with ``pip wheel --no-deps --no-build-isolation`` (setuptools comes with the ``dev``
extra), as ``pip install cleaner-*.tar.gz`` would. The wheel is installed with ``--no-deps`` into a fresh virtual
environment; its dependencies (numpy, trafilatura, ...) are borrowed from this environment's site-packages through a
``.pth`` line, so no network is needed, and the borrowed directory is not a site directory, so the editable install
of the checkout in it is not active there. That environment's ``cleaner`` then runs outside the repo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from cleaner.model import MODEL_FILE

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SOURCES = ("pyproject.toml", "README.md", "cleaner", "models")  # what a build reads


def _run(args: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(sdist, wheel)`` built from a copy of the sources (the checkout gets no build/ or egg-info)."""
    base = tmp_path_factory.mktemp("dist")
    src = base / "src"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(path, src / name)
    out = base / "out"
    hook = f"from setuptools import build_meta; print(build_meta.build_sdist({str(out)!r}))"
    sdist = out / _run([sys.executable, "-c", hook], cwd=src).stdout.split()[-1]
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", out, sdist])
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def test_sdist_holds_the_model_and_its_card(dists: tuple[Path, Path]) -> None:
    with tarfile.open(dists[0]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {f"models/{MODEL_FILE}", "models/MODEL_CARD.md", "cleaner/model.py"} <= names


def test_wheel_holds_the_model_as_package_data_and_no_training(dists: tuple[Path, Path]) -> None:
    names = set(zipfile.ZipFile(dists[1]).namelist())
    assert {f"cleaner/models/{MODEL_FILE}", "cleaner/models/MODEL_CARD.md"} <= names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "cleaner").rglob("*.py")}
    assert modules <= names  # every subpackage is listed in pyproject.toml
    assert {n.split("/")[0] for n in names if not n.startswith("cleaner-")} == {"cleaner"}  # no training/, tests/


@pytest.fixture(scope="module")
def fresh_venv(dists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with only the wheel installed (dependencies borrowed, see the module docstring)."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", dists[1]])
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "zz_borrowed_dependencies.pth").write_text("".join(f"{p}\n" for p in borrowed))
    return venv


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("CLEANER_MODEL", "PYTHONPATH")}


def test_installed_wheel_uses_its_own_package_and_model(fresh_venv: Path, tmp_path: Path) -> None:
    code = "import cleaner.model as m, importlib.util as u; print(m.__file__, m.DEFAULT_MODEL, u.find_spec('training'))"
    out = _run([fresh_venv / "bin" / "python", "-c", code], cwd=tmp_path, env=_clean_env()).stdout.split()
    assert all(Path(p).is_relative_to(fresh_venv) for p in out[:2]), out
    assert out[2] == "None"  # no top-level training package installed


def test_installed_wheel_cleans_the_seeds_like_the_checkout(fresh_venv: Path, tmp_path: Path) -> None:
    installed = _run([fresh_venv / "bin" / "cleaner", "clean", *SEEDS], cwd=tmp_path, env=_clean_env())
    checkout = _run([sys.executable, "-m", "cleaner", "clean", *SEEDS], cwd=ROOT, env=_clean_env())
    assert installed.stderr == checkout.stderr == ""  # in particular no "no model file found; using heuristic rules"
    assert installed.stdout == checkout.stdout
