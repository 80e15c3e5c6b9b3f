"""The server runs from requirements/runtime.txt alone: no scikit-learn, skl2onnx or optuna."""

from __future__ import annotations

import ast
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import requests

from devtools.live_server import start_server
from tests.server.helpers import drawing
from tests.support import REPO

TRAINING_ONLY = ("sklearn", "skl2onnx", "optuna", "scipy", "onnx", "joblib", "pickle", "train", "export")


@pytest.fixture(scope="session")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding only the hashed runtime pins."""
    target = tmp_path_factory.mktemp("runtime-venv")
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--require-hashes", "-r", str(REPO / "requirements" / "runtime.txt")],
        check=True,
    )
    return python


def test_runtime_env_has_no_training_packages(runtime_python):
    for module in ("sklearn", "skl2onnx", "optuna"):
        result = subprocess.run([str(runtime_python), "-c", f"import {module}"], capture_output=True)
        assert result.returncode != 0, f"{module} is importable in the runtime env"


def test_server_predicts_from_the_runtime_env(runtime_python, model_path, tmp_path):
    with start_server(model_path, python=str(runtime_python), log_dir=tmp_path) as server:
        response = requests.post(
            server.url + "/predict_digit", files={"image": ("digit_1.png", drawing(1), "image/png")}
        )
    assert response.status_code == 200
    assert response.json()["prediction"] == 1


def test_server_source_imports_no_training_code():
    """Static guard for code paths the live test may not reach (and no pickle loading)."""
    offenders = []
    for path in sorted((REPO / "server").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in TRAINING_ONLY]
    assert offenders == []


def test_running_interpreter_is_not_the_runtime_env(runtime_python):
    # Guards the test above against silently reusing the dev env.
    assert Path(sys.executable).resolve() != runtime_python.resolve()
