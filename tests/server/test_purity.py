"""The server runs from requirements/runtime.txt alone: no scikit-learn, skl2onnx or optuna."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest
import requests

from tests.samples import drawing
from tests.support import REPO, imported_modules
from tools.live_server import start_server

pytestmark = pytest.mark.live  # a fresh virtualenv from the runtime pins

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
    offenders = {
        f"{path.name}: {name}"
        for path in sorted((REPO / "server").glob("*.py"))
        for name in imported_modules(path) & {*TRAINING_ONLY, "__import__"}
    }
    assert offenders == set()


def test_the_server_has_one_featurizer_the_models_graph():
    """digits/preprocess.py is the graph's test oracle, not a second path: the server never loads it."""
    code = ("import sys, server.__main__, server.decode_worker; "
            "print(sorted(m for m in sys.modules if m in ('digits.preprocess', 'recognizer')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
