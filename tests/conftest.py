"""Session fixtures: the real pipeline, run once with small settings, feeds every stage's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Small but real: enough trials for Optuna's importance plot, few folds to stay fast.
QUICK_TRAIN_ARGS = ["--trials", "4", "--folds", "3", "--no-progress"]


def run_module(module: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `python -m module args` from the repo root, as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def trained_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An artifacts/ directory produced by the real `python -m train`."""
    artifacts = tmp_path_factory.mktemp("artifacts")
    result = run_module("train", *QUICK_TRAIN_ARGS, "--artifacts", str(artifacts))
    assert result.returncode == 0, result.stderr
    return artifacts


@pytest.fixture(scope="session")
def exported_artifacts(trained_artifacts: Path) -> Path:
    """The same directory after the real `python -m export` published model.onnx."""
    result = run_module("export", "--artifacts", str(trained_artifacts))
    assert result.returncode == 0, result.stderr
    return trained_artifacts


@pytest.fixture(scope="session")
def model_path(exported_artifacts: Path) -> Path:
    return exported_artifacts / "model.onnx"


def need(available: bool, why: str) -> None:
    """Skip a test whose real dependency is missing on a developer's machine; in CI, fail it.

    CI installs everything (`make test` runs scripts/system-deps.sh), so a skip there would hide
    a broken install step.
    """
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {why}")
    pytest.skip(why)
