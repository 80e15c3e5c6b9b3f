"""make eval-real in small, against the real server; and its command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evaluation.handwriting.render import STYLES
from evaluation.yardsticks.real import main, markdown
from tests.support import run_module


@pytest.mark.live
@pytest.mark.slow
def test_eval_real_over_http_on_a_few_digits(tmp_path, model_path):
    main(["--model", str(model_path), "--limit", "3", "--artifacts", str(tmp_path)])
    result = json.loads((tmp_path / "real-eval.json").read_text())
    assert (result["n"], result["digits"], result["errors"]) == (3 * len(STYLES), 3, 0)
    assert list(result["per_style"]) == list(STYLES)
    assert all(s["n"] == 3 for s in result["per_style"].values())
    assert np.asarray(result["confusion"]).sum() == result["n"]
    assert set(result["per_digit"]) == {str(d) for d in range(10)}
    assert "| grey_28 | 3 |" in (tmp_path / "real-eval.md").read_text()
    assert (tmp_path / "real-confusion.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "no/such/model.onnx"], "no model at no/such/model.onnx"),
    (["--url", "http://127.0.0.1:9", "--styles", "large_rgb,crayon"], "unknown style crayon"),
    (["--url", "http://127.0.0.1:9", "--limit", "0"], "expected a whole number >= 1"),
    (["--url", "http://127.0.0.1:9", "--dev-set", "missing.npz"], "no development set at missing.npz"),
])
def test_bad_arguments_are_one_line(args, message):
    result = run_module("evaluation.yardsticks.real", *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_markdown_has_style_digit_and_confusion_tables():
    confusion = np.eye(10, dtype=int).tolist()
    result = {"digits": 1, "n": 10, "accuracy": 1.0, "errors": 0, "seconds": 0.1,
              "per_style": {"grey_28": {"n": 10, "accuracy": 1.0}},
              "per_digit": {str(d): 1.0 for d in range(10)}, "confusion": confusion}
    text = markdown(result)
    assert "| grey_28 | 10 | 1.000 |" in text
    assert "| accuracy | " + " | ".join(["1.000"] * 10) + " |" in text
    assert "| **9** | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |" in text
