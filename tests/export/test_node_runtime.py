"""The .onnx file works outside Python: ONNX Runtime for Node.js gives Python's labels."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from digits.contract import INPUT_NAME
from tests.support import REPO, need
from train.data import load_xy

EXAMPLE = REPO / "examples" / "node"


@pytest.fixture(scope="session")
def node_example() -> Path:
    need(bool(shutil.which("node") and shutil.which("npm")), "Node.js and npm are not installed")
    if not (EXAMPLE / "node_modules" / "onnxruntime-node").is_dir():
        # The CPU binaries ship inside the npm package; its postinstall only fetches CUDA extras.
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=EXAMPLE,
                       check=True, capture_output=True, timeout=300,
                       env={**os.environ, "ONNXRUNTIME_NODE_INSTALL": "skip"})
    return EXAMPLE


def test_node_runtime_agrees_with_python(model_path: Path, node_example: Path,
                                         tmp_path: Path) -> None:
    X, _ = load_xy()
    rng = np.random.default_rng(7)
    rows = np.vstack([X[rng.choice(len(X), 200, replace=False)],
                      rng.integers(0, 17, (50, 64))]).astype(np.float32)
    rows_file = tmp_path / "rows.json"
    rows_file.write_text(json.dumps(rows.tolist()))

    result = subprocess.run(["node", "predict.mjs", str(model_path), str(rows_file)],
                            cwd=node_example, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    from_node = json.loads(result.stdout)

    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    labels, probabilities = session.run(None, {INPUT_NAME: rows})
    assert from_node["labels"] == labels.tolist()
    assert np.allclose(from_node["probabilities"], probabilities, atol=1e-6)
