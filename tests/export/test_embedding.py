"""model.onnx works outside this project: ONNX Runtime for Node.js (PNGs decoded by pngjs), a
15-line Python script (onnxruntime, numpy and Pillow only) and the ONNX reference evaluator read
the same digits as the server does, from the same files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import requests
from onnx.reference import ReferenceEvaluator

from digits.contract import IMAGE_INPUT, LABEL_OUTPUT, PROBABILITIES_OUTPUT
from digits.pixels import rgba
from evaluation.drawings.grid import encode
from evaluation.handwriting.render import STYLES, iter_uploads, load, spread
from tests.support import HANDWRITTEN, REPO, need

pytestmark = pytest.mark.live

NODE_EXAMPLE = REPO / "examples" / "node"
PYTHON_EXAMPLE = REPO / "examples" / "python" / "predict.py"
REAL_UPLOADS = 200
TOLERANCE = 1e-4  # the server rounds probabilities to 4 decimals


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """handwritten-digits/ and REAL_UPLOADS real development uploads (every style), as PNG files."""
    folder = tmp_path_factory.mktemp("uploads")
    digits = load()
    per_style = REAL_UPLOADS // len(STYLES)
    paths = sorted(HANDWRITTEN.glob("*.png"))
    for upload in iter_uploads(digits, tuple(STYLES), spread(per_style, len(digits.labels))):
        path = folder / f"{upload.style}_{upload.index}.png"
        path.write_bytes(encode(upload.image))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def server_answers(live_server, images: list[Path]) -> dict[str, dict]:
    answers = {}
    for path in images:
        response = requests.post(f"{live_server.url}/predict_digit",
                                 files={"image": (path.name, path.read_bytes(), "image/png")}, timeout=30)
        assert response.status_code == 200, response.text
        answers[str(path)] = response.json()
    return answers


def assert_same_answers(lines: list[dict], server_answers: dict[str, dict]) -> None:
    assert len(lines) == len(server_answers)
    for line in lines:
        served = server_answers[line["path"]]
        assert line["prediction"] == served["prediction"], line["path"]
        np.testing.assert_allclose(line["probabilities"], served["probabilities"], rtol=0, atol=TOLERANCE,
                                   err_msg=line["path"])


def test_the_python_example_reads_what_the_server_reads(model_path, images, server_answers):
    assert len(PYTHON_EXAMPLE.read_text().splitlines()) <= 20
    result = subprocess.run([sys.executable, str(PYTHON_EXAMPLE), str(model_path), *map(str, images)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_same_answers([json.loads(line) for line in result.stdout.splitlines()], server_answers)


def test_the_python_example_imports_nothing_of_the_project():
    imported = {line.split()[1].split(".")[0] for line in PYTHON_EXAMPLE.read_text().splitlines()
                if line.startswith(("import ", "from "))}
    assert imported == {"json", "sys", "numpy", "onnxruntime", "PIL"}


@pytest.fixture(scope="module")
def node_example() -> Path:
    need(bool(shutil.which("node") and shutil.which("npm")), "Node.js and npm are not installed")
    if not (NODE_EXAMPLE / "node_modules" / "pngjs").is_dir():
        # The CPU binaries ship inside the npm package; its postinstall only fetches CUDA extras.
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=NODE_EXAMPLE,
                       check=True, capture_output=True, timeout=300,
                       env={**os.environ, "ONNXRUNTIME_NODE_INSTALL": "skip"})
    return NODE_EXAMPLE


def test_node_reads_what_the_server_reads(model_path, node_example, images, server_answers):
    result = subprocess.run(["node", "predict.mjs", str(model_path), *map(str, images)],
                            cwd=node_example, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_same_answers([json.loads(line) for line in result.stdout.splitlines()], server_answers)


def test_the_reference_evaluator_gives_onnxruntimes_answers(model_path, images):
    """onnx.reference runs only standard ONNX, in numpy: the file needs nothing onnxruntime-only."""
    model = onnx.load(model_path)
    reference = ReferenceEvaluator(model)
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    from PIL import Image
    for path in images[:: len(images) // 4][:4]:
        pixels = rgba(Image.open(path))
        expected = session.run([LABEL_OUTPUT, PROBABILITIES_OUTPUT], {IMAGE_INPUT: pixels})
        got = reference.run([LABEL_OUTPUT, PROBABILITIES_OUTPUT], {IMAGE_INPUT: pixels})
        assert got[0].tolist() == expected[0].tolist(), path
        np.testing.assert_allclose(got[1], expected[1], rtol=0, atol=1e-5)
