"""Session fixtures: the real pipeline, run once with small settings, feeds every stage's tests.

`trained_artifacts` -> `exported_artifacts` -> `model_path` run the real `python -m train` and
`python -m export`; `live_server` is the real waitress server for the session, started by
`devtools.live_server.start_server()` (which tests, benchmarks and fuzzing all share).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.live_server import LiveServer, free_port, start_server  # noqa: F401 (re-exported)

REPO = Path(__file__).resolve().parent.parent
# Small but real: enough trials for Optuna's importance plot, few folds to stay fast.
QUICK_TRAIN_ARGS = ["--trials", "4", "--folds", "3", "--augment-copies", "1", "--no-progress"]


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


@pytest.fixture(scope="session")
def live_server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_server(model_path, log_dir=tmp_path_factory.mktemp("server-logs")) as server:
        yield server
