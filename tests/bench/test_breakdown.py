"""The in-process cost breakdown (tools/bench/breakdown.py) on tiny images: no wrk, no server.

Only the shape is checked, never a time: every stage a request runs is there and cost something.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.support import REPO
from tools.bench.breakdown import gaps, stage_costs

REQUEST_STAGES = {
    "request id": "request",
    "multipart parsing (werkzeug)": "request",
    "decode": "decode",
    "RGBA array": "decode",
    "model.onnx (one session.run)": "model",
    "JSON answer": "request",
    "metrics updates": "request",
    "access-log line": "request",
}


def slanted_stroke(side: int = 24) -> bytes:
    """A dark slanted bar on white: above the icon size, and slanted so deslant shears it (the model
    runs every step of its graph)."""
    image = Image.new("L", (side, side), 255)
    ImageDraw.Draw(image).line([(side * 0.35, side * 0.1), (side * 0.65, side * 0.9)], fill=0, width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


TINY_IMAGES = {
    "24x24 stroke": slanted_stroke,
    "8x8 icon": lambda: (REPO / "handwritten-digits" / "digit_7.png").read_bytes(),
}


@pytest.fixture(scope="module", params=list(TINY_IMAGES))
def costs(request: pytest.FixtureRequest, small_model_path: Path) -> dict:
    return stage_costs(small_model_path, TINY_IMAGES[request.param](), rounds=5)


def test_every_stage_of_a_request_is_timed_and_cost_something(costs):
    assert {s["stage"]: s["part"] for s in costs["stages"]} == REQUEST_STAGES
    assert all(s["median_us"] > 0 for s in costs["stages"]), costs["stages"]


def test_sums_are_over_the_stages_and_the_unsplit_pipeline_is_measured_too(costs):
    stages = costs["stages"]
    assert costs["request_sum_us"] == pytest.approx(sum(s["median_us"] for s in stages), abs=0.05)
    assert costs["pipeline_sum_us"] == pytest.approx(
        sum(s["median_us"] for s in stages if s["part"] != "request"), abs=0.05)
    assert 0 < costs["pipeline_sum_us"] < costs["request_sum_us"]
    assert costs["pipeline_whole_us"] > 0 and costs["rounds"] == 5


def test_the_gap_is_cpu_per_request_under_load_minus_the_in_process_sum():
    stages = {"icon_8x8": {"request_sum_us": 1500.0}}
    rows = [{"image": "icon_8x8", "concurrency": 8, "server": "ours", "cpu_ms_per_request": 4.0},
            {"image": "icon_8x8", "concurrency": 8, "server": "ceiling", "cpu_ms_per_request": 0.5},
            {"image": "icon_8x8", "concurrency": 1, "server": "ours", "cpu_ms_per_request": None}]
    ours, ceiling, unmeasured = gaps(stages, rows)
    assert (ours["in_process_ms"], ours["gap_ms"]) == (1.5, 2.5)
    assert (ceiling["in_process_ms"], ceiling["gap_ms"]) == (None, None)  # it runs none of the stages
    assert unmeasured["gap_ms"] is None
