"""Every handwritten-digits/digit_<label>[_<suffix>].png POSTed to the real server, as curl would."""

from __future__ import annotations

import pytest
import requests

from tests.support import handwritten_samples

pytestmark = pytest.mark.live  # the real server process

MIN_ACCURACY = 0.8


def test_handwritten_samples(live_server):
    samples = handwritten_samples()
    wrong = []
    for path, label in samples:
        with path.open("rb") as image:
            response = requests.post(live_server.url + "/predict_digit", files={"image": (path.name, image)})
        assert response.status_code == 200, f"{path.name}: {response.status_code} {response.text}"
        predicted = response.json()["prediction"]
        if predicted != label:
            wrong.append(f"{path.name} -> {predicted}")
    right = len(samples) - len(wrong)
    print(f"handwritten-digits: {right}/{len(samples)} right; wrong: {wrong}")
    assert right / len(samples) >= MIN_ACCURACY, f"{right}/{len(samples)} right; wrong: {wrong}"
