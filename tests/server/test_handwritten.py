"""Every handwritten-digits/digit_<label>[_<suffix>].png POSTed to the real server, as curl would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from tests.support import REPO

SAMPLES = REPO / "handwritten-digits"
MIN_SAMPLES = 20
MIN_ACCURACY = 0.8
LABEL = re.compile(r"^digit_(\d)")


def label_of(path: Path) -> int:
    match = LABEL.match(path.name)
    assert match, f"{path.name} does not follow digit_<label>[_<suffix>].png"
    return int(match.group(1))


def test_handwritten_samples(live_server):
    paths = sorted(SAMPLES.glob("*.png"))
    assert len(paths) >= MIN_SAMPLES, f"expected >= {MIN_SAMPLES} PNGs in {SAMPLES}, found {len(paths)}"
    wrong = []
    for path in paths:
        with path.open("rb") as image:
            response = requests.post(live_server.url + "/predict_digit", files={"image": (path.name, image)})
        assert response.status_code == 200, f"{path.name}: {response.status_code} {response.text}"
        predicted = response.json()["prediction"]
        if predicted != label_of(path):
            wrong.append(f"{path.name} -> {predicted}")
    right = len(paths) - len(wrong)
    print(f"handwritten-digits: {right}/{len(paths)} right; wrong: {wrong}")
    assert right / len(paths) >= MIN_ACCURACY, f"{right}/{len(paths)} right; wrong: {wrong}"


@pytest.mark.parametrize("name, label", [("digit_1.png", 1), ("digit_3_b.png", 3), ("digit_7_thin.png", 7)])
def test_label_from_file_name(name, label):
    assert label_of(Path(name)) == label
