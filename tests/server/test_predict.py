"""POST /predict_digit in process: every accepted input shape and the answer format.

The curl contract is checked once more against the real waitress server (the last test)."""

from __future__ import annotations

import io

import pytest
import requests

from evaluation.drawings.grid import GridStyle
from tests.samples import drawing, first_of


def assert_single_answer(answer: dict, expected: int) -> None:
    assert isinstance(answer["prediction"], int)
    assert answer["prediction"] == expected
    assert len(answer["probabilities"]) == 10
    assert answer["confidence"] == max(answer["probabilities"])
    assert answer["probabilities"].index(answer["confidence"]) == expected
    assert abs(sum(answer["probabilities"]) - 1.0) < 1e-3


def image_parts(*labels: int) -> dict:
    """A multipart form with one `image` part per label, in order, for Flask's test client."""
    files = [(io.BytesIO(drawing(label)), f"d{label}.png") for label in labels]
    return {"data": {"image": files if len(files) > 1 else files[0]}, "content_type": "multipart/form-data"}


def test_the_curl_contract(client):
    """curl -X POST .../predict_digit -F "image=@digit_1.png" answers {"prediction": 1, ...}."""
    response = client.post("/predict_digit", **image_parts(1))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert_single_answer(response.json, 1)


def test_several_image_parts_answer_a_list_in_order(client):
    labels = [0, 3, 6]
    response = client.post("/predict_digit", **image_parts(*labels))
    assert response.status_code == 200
    predictions = response.json["predictions"]
    assert [p["prediction"] for p in predictions] == labels


@pytest.mark.parametrize(
    "media_type, fmt",
    [
        ("image/png", "PNG"),
        ("image/jpeg", "JPEG"),
        ("image/gif", "GIF"),
        ("image/bmp", "BMP"),
        ("image/webp", "WEBP"),
    ],
)
def test_raw_image_body(client, media_type, fmt):
    response = client.post("/predict_digit", data=drawing(4, GridStyle(mode="L"), fmt), content_type=media_type)
    assert response.status_code == 200, response.text
    assert_single_answer(response.json, 4)


def test_json_pixels(client):
    response = client.post("/predict_digit", json={"pixels": first_of(2).tolist()})
    assert response.status_code == 200
    assert_single_answer(response.json, 2)


def test_json_pixels_as_8x8_grid(client):
    """An 8x8 grid is the same input as its 64 values flattened row-major."""
    row = first_of(5)
    grid = client.post("/predict_digit", json={"pixels": row.reshape(8, 8).tolist()})
    flat = client.post("/predict_digit", json={"pixels": row.tolist()})
    assert grid.status_code == flat.status_code == 200
    assert grid.json == flat.json


def test_json_instances(client):
    instances = [first_of(label).tolist() for label in (9, 8, 7)]
    response = client.post("/predict_digit", json={"instances": instances})
    assert response.status_code == 200
    assert [p["prediction"] for p in response.json["predictions"]] == [9, 8, 7]


@pytest.mark.parametrize("request_kwargs", [
    {"json": {"pixels": first_of(0).reshape(8, 8).tolist()}},  # read as its icon: a grid of its own
    image_parts(0),
], ids=["json", "image"])
def test_explain_returns_the_8x8_grid_the_model_saw(client, request_kwargs):
    features = client.post("/predict_digit?explain=1", **request_kwargs).json["features"]
    assert len(features) == 8 and all(len(row) == 8 for row in features)
    assert all(0 <= value <= 16 for row in features for value in row)
    assert sum(map(sum, features)) > 0


def test_no_explain_no_features(client):
    response = client.post("/predict_digit", json={"pixels": first_of(0).tolist()})
    assert "features" not in response.json


@pytest.mark.live
def test_the_curl_contract_under_waitress(live_server):
    """The same multipart upload, through the real server and the session's trained model."""
    response = requests.post(
        live_server.url + "/predict_digit", files={"image": ("digit_1.png", drawing(1), "image/png")}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert_single_answer(response.json(), 1)
