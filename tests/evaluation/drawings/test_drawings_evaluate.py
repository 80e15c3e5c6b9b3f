"""Scoring of the server's answers, and one end-to-end run against the real server."""

import json

import numpy as np
import pytest

from evaluation.drawings.generate import write_set
from evaluation.yardsticks.evaluate import Answer, accuracy, confusion, format_report, main, score, select
from tests.support import REPO


def _a(style, label, prediction, error=None):
    return Answer(f"{style}/{label}.png", style, label, prediction, error)


@pytest.mark.parametrize(
    "answers, expected",
    [
        ([_a("s", 1, 1), _a("s", 2, 2)], 1.0),
        ([_a("s", 1, 1), _a("s", 2, 7)], 0.5),
        ([_a("s", 1, 1), _a("s", 2, None, "HTTP 400: bad image")], 0.5),  # a failed request is wrong
        ([_a("s", 3, 8)], 0.0),
    ],
)
def test_accuracy(answers, expected):
    assert accuracy(answers) == expected


def test_confusion_rows_are_truth_and_skip_failed_requests():
    m = confusion([_a("s", 1, 7), _a("s", 1, 1), _a("s", 1, None, "HTTP 500")])
    assert m[1, 7] == 1 and m[1, 1] == 1 and m.sum() == 2


def test_score_splits_by_style_in_manifest_order():
    result = score([_a("b", 1, 1), _a("a", 2, 3), _a("b", 4, None, "HTTP 415: nope"), _a("a", 2, 2)])
    assert list(result["per_style"]) == ["b", "a"]
    assert result["per_style"]["b"] == {
        "n": 2, "accuracy": 0.5, "errors": 1, "confusion": confusion([_a("b", 1, 1)]).tolist(),
    }
    assert result["per_style"]["a"]["accuracy"] == 0.5
    assert (result["n"], result["accuracy"], result["errors"]) == (4, 0.5, 1)
    assert result["error_examples"] == ["b/4.png: HTTP 415: nope"]
    report = format_report(result)
    assert "overall" in report and "HTTP 415" in report


def test_select_keeps_the_first_n_of_each_style_and_digit():
    rows = [{"style": s, "label": d, "file": f"{s}{d}{k}"} for s in "xy" for d in (0, 1) for k in range(3)]
    kept = select(rows, 2)
    assert [r["file"] for r in kept] == ["x00", "x01", "x10", "x11", "y00", "y01", "y10", "y11"]
    assert select(rows, None) == rows


@pytest.mark.live
@pytest.mark.slow
def test_end_to_end_against_the_real_server(tmp_path, monkeypatch, model_path):
    """make eval-drawings in small: start the real server, POST a small set, write the outputs."""
    model = model_path
    monkeypatch.chdir(REPO)
    write_set(tmp_path / "set", seed=0, per_class=1)
    main(["--model", str(model), "--manifest", str(tmp_path / "set" / "manifest.csv"),
          "--artifacts", str(tmp_path / "out")])
    result = json.loads((tmp_path / "out" / "drawings-eval.json").read_text())
    assert result["errors"] == 0
    assert result["n"] == np.asarray(result["confusion"]).sum()
    assert (tmp_path / "out" / "drawings-confusion.png").stat().st_size > 0


def test_outputs_are_written_whole_and_readable(tmp_path):
    from evaluation.yardsticks.evaluate import write_outputs

    result = score([_a("s", 1, 1), _a("s", 2, 3)])
    json_path, png_path = write_outputs(result, tmp_path / "artifacts")
    assert json.loads(json_path.read_text())["accuracy"] == 0.5
    assert png_path.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in (tmp_path / "artifacts").iterdir()) == [
        "drawings-confusion.png", "drawings-eval.json",
    ]
