"""The server answers with the model and nothing else: one run of model.onnx on the decoded RGBA
pixels, whose answer is the mean over the views it reads (docs/contract.md). 64 Digits values
sent as JSON are read the same way, as the 8x8 icon they describe.
"""

from __future__ import annotations

import io

import numpy as np
import onnxruntime as ort
import pytest

from digits.contract import FEATURES_OUTPUT, IMAGE_INPUT, LABEL_OUTPUT, PROBABILITIES_OUTPUT, SURE_OUTPUT
from digits.decode import decode
from digits.pixels import rgba, row_to_rgba
from digits.views import VIEW_ROTATIONS
from tests.samples import drawing, first_of


@pytest.fixture(scope="module")
def model(small_model_path):
    session = ort.InferenceSession(str(small_model_path), providers=["CPUExecutionProvider"])
    return lambda pixels: dict(zip((LABEL_OUTPUT, PROBABILITIES_OUTPUT, SURE_OUTPUT, FEATURES_OUTPUT),
                                   session.run([LABEL_OUTPUT, PROBABILITIES_OUTPUT, SURE_OUTPUT, FEATURES_OUTPUT],
                                               {IMAGE_INPUT: pixels}), strict=True))


def upload(client, label: int, query: str = ""):
    return client.post(f"/predict_digit{query}", data={"image": (io.BytesIO(drawing(label)), "d.png")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("label", [0, 2, 3, 5, 8, 9])
def test_an_upload_is_answered_by_one_run_of_the_model_on_its_pixels(client, model, label):
    expected = model(rgba(decode(drawing(label))))
    answer = upload(client, label).json
    np.testing.assert_allclose(answer["probabilities"], expected[PROBABILITIES_OUTPUT][0], atol=1e-4)
    assert answer["prediction"] == int(expected[LABEL_OUTPUT][0])
    assert answer["sure"] is bool(expected[SURE_OUTPUT][0])
    assert expected[FEATURES_OUTPUT].shape == (len(VIEW_ROTATIONS), 64)


def test_explain_shows_the_upright_grid(client, model):
    answer = upload(client, 7, "?explain=true").json
    upright = model(rgba(decode(drawing(7))))[FEATURES_OUTPUT][0]
    assert np.array(answer["features"]).reshape(64).tolist() == upright.tolist()


def test_a_batch_answers_each_image_as_alone(client):
    labels = [3, 8]
    files = [(io.BytesIO(drawing(label)), f"d{label}.png") for label in labels]
    batch = client.post("/predict_digit", data={"image": files}, content_type="multipart/form-data").json
    assert [p["probabilities"] for p in batch["predictions"]] == [upload(client, n).json["probabilities"] for n in labels]


@pytest.mark.parametrize("label", [1, 6])
def test_json_values_are_read_as_the_8x8_icon_they_describe(client, model, label):
    row = first_of(label)
    expected = model(row_to_rgba(row))
    answer = client.post("/predict_digit", json={"pixels": row.tolist()}).json
    np.testing.assert_allclose(answer["probabilities"], expected[PROBABILITIES_OUTPUT][0], atol=1e-4)
    assert answer["prediction"] == int(expected[LABEL_OUTPUT][0]) == label
