"""An uploaded digit is read in several views (digits/views.py) and answered once.

The views are the upright digit and the same digit turned by VIEW_ROTATIONS; /predict_digit's
probabilities are the mean of the model's probabilities over them. Features sent as JSON are
answered as they are: one row, one answer.
"""

from __future__ import annotations

import io

import numpy as np
import onnxruntime as ort
import pytest

from digits.contract import INPUT_NAME, PROBABILITIES_OUTPUT
from digits.decode import decode
from digits.preprocess import image_to_features, image_to_views
from digits.views import VIEW_ROTATIONS, VIEWS, average_views
from tests.server.helpers import drawing


@pytest.mark.parametrize(
    "rows, views, expected",
    [
        ([[1.0, 0.0], [0.0, 1.0]], 2, [[0.5, 0.5]]),
        ([[0.2, 0.8], [0.4, 0.6], [0.9, 0.1]], 3, [[0.5, 0.5]]),
        ([[0.2, 0.8], [0.4, 0.6]], 1, [[0.2, 0.8], [0.4, 0.6]]),
        ([[0.1, 0.9], [0.3, 0.7], [1.0, 0.0], [0.0, 1.0]], 2, [[0.2, 0.8], [0.5, 0.5]]),
    ],
)
def test_average_views_is_the_mean_of_each_images_consecutive_rows(rows, views, expected):
    np.testing.assert_allclose(average_views(np.array(rows), views), expected)


def test_rows_that_are_not_whole_images_are_refused():
    with pytest.raises(ValueError, match="3 rows are not whole images of 2 views"):
        average_views(np.ones((3, 10)), 2)


@pytest.mark.parametrize("label", [1, 4, 7])
def test_the_first_view_is_the_upright_features_and_the_others_differ(label):
    image = decode(drawing(label))
    views = image_to_views(image)
    assert views.shape == (len(VIEW_ROTATIONS), 64) and views.dtype == np.float32
    np.testing.assert_array_equal(views[0], image_to_features(image)[0])
    assert VIEW_ROTATIONS[0] == 0.0
    for turned in views[1:]:
        assert not np.array_equal(turned, views[0])
        assert turned.min() >= 0 and turned.max() <= 16


def upload(client, label: int, query: str = ""):
    return client.post(f"/predict_digit{query}", data={"image": (io.BytesIO(drawing(label)), "d.png")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("label", [0, 2, 3, 5, 8, 9])
def test_an_upload_is_answered_with_the_mean_over_its_views(client, small_model_path, label):
    session = ort.InferenceSession(str(small_model_path), providers=["CPUExecutionProvider"])
    per_view = session.run([PROBABILITIES_OUTPUT], {INPUT_NAME: image_to_views(decode(drawing(label)))})[0]
    expected = per_view.mean(axis=0)
    answer = upload(client, label).json
    np.testing.assert_allclose(answer["probabilities"], expected, atol=1e-4)
    assert answer["prediction"] == int(expected.argmax())


def test_explain_shows_the_upright_grid(client):
    answer = upload(client, 7, "?explain=true").json
    assert np.array(answer["features"]).reshape(1, 64).tolist() == image_to_features(decode(drawing(7))).tolist()


def test_a_batch_answers_each_image_as_alone(client):
    labels = [3, 8]
    files = [(io.BytesIO(drawing(label)), f"d{label}.png") for label in labels]
    batch = client.post("/predict_digit", data={"image": files}, content_type="multipart/form-data").json
    assert [p["probabilities"] for p in batch["predictions"]] == [upload(client, n).json["probabilities"] for n in labels]


def test_json_features_are_one_row_one_answer(client, small_model_path):
    features = image_to_features(decode(drawing(4)))
    session = ort.InferenceSession(str(small_model_path), providers=["CPUExecutionProvider"])
    expected = session.run([PROBABILITIES_OUTPUT], {INPUT_NAME: features})[0][0]
    answer = client.post("/predict_digit", json={"pixels": features[0].tolist()}).json
    np.testing.assert_allclose(answer["probabilities"], expected, atol=1e-4)
    assert VIEWS > 1  # else the upload tests above could not tell views from one row
