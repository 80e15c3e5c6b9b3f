"""Session fixtures: the real pipeline, run once with small settings, feeds every stage's tests;
and a real waitress server in a subprocess.

`start_server()` is the reusable piece (docker, bench, fuzz and browser tests use it too);
`live_server` is one server for the whole session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

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


@dataclass(frozen=True)
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def start_server(
    model_path: Path,
    extra_env: Mapping[str, str] | None = None,
    python: str = sys.executable,
    log_dir: Path | None = None,
    timeout: float = 30.0,
) -> Iterator[LiveServer]:
    """Run `python -m server` on a free 127.0.0.1 port until /readyz answers; stop it after."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), **(extra_env or {})}
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [python, "-m", "server", "--host", "127.0.0.1", "--port", str(port), "--model", str(model_path)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_ready(server, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n" + "\n".join(server.log_lines()))
        try:
            if requests.get(server.url + "/readyz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout}s:\n" + "\n".join(server.log_lines()))


@pytest.fixture(scope="session")
def live_server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_server(model_path, log_dir=tmp_path_factory.mktemp("server-logs")) as server:
        yield server
