"""A model that cannot be served stops `python -m server` with one clear line, not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.support import REPO
from tools.live_server import free_port

pytestmark = pytest.mark.live  # starts python -m server


def run_server(model: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server", "--port", str(free_port()), "--model", model],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read model file"),
        (b"", "is empty"),
        (b"this is not protobuf", "is not a valid ONNX model"),
    ],
    ids=["missing", "empty", "corrupt"],
)
def test_unservable_model_exits_with_one_line_and_never_reports_ready(tmp_path, content, message):
    """The process exits before it listens: /readyz is never green, not even for a moment."""
    model = tmp_path / "model.onnx"
    if content is not None:
        model.write_bytes(content)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--model", str(model)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    answers = []
    while process.poll() is None:
        try:
            answers.append(requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code)
        except requests.ConnectionError:
            time.sleep(0.05)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert answers == []
    lines = (stdout + stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and message in lines[0] and str(model) in lines[0]


def test_model_breaking_the_contract_is_refused(tmp_path):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "wrong",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
    )
    model = tmp_path / "model.onnx"
    model.write_bytes(helper.make_model(graph).SerializeToString())
    result = run_server(str(model))
    assert result.returncode != 0
    assert "does not match digits/contract.py" in result.stderr


def test_bad_env_value_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "server"], cwd=REPO, capture_output=True, text=True, timeout=60,
        env={"DIGITS_PORT": "abc", "PATH": "/usr/bin"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: DIGITS_PORT must be an integer, got 'abc'"


def test_port_in_use_is_one_line(model_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "server", "--port", str(port), "--model", str(model_path)],
            cwd=REPO, capture_output=True, text=True, timeout=60,
            env={"PATH": "/usr/bin", "DIGITS_LOG_LEVEL": "WARNING"},
        )
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
