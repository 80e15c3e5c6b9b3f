"""Open Inference Protocol v2, driven by the real Triton HTTP client: the model as it is, one RGBA
image in, its outputs out."""

from __future__ import annotations

import numpy as np
import pytest
import requests
import tritonclient.http as httpclient

from digits.decode import decode
from digits.pixels import rgba
from tests.samples import drawing

pytestmark = pytest.mark.live  # the real server process

OUTPUTS = ("label", "probabilities", "sure", "features")


@pytest.fixture()
def client(live_server):
    return httpclient.InferenceServerClient(url=live_server.url.removeprefix("http://"))


def test_health_and_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("digits")
    meta = client.get_model_metadata("digits")
    assert meta["inputs"] == [{"name": "image", "datatype": "UINT8", "shape": [-1, -1, 4]}]
    assert [(o["name"], o["datatype"]) for o in meta["outputs"]] == [
        ("label", "INT64"), ("probabilities", "FP32"), ("sure", "BOOL"), ("features", "FP32")]


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
@pytest.mark.parametrize("label", [1, 4, 7])
def test_infer_answers_what_predict_digit_answers(client, live_server, binary, label):
    pixels = rgba(decode(drawing(label)))
    tensor = httpclient.InferInput("image", list(pixels.shape), "UINT8")
    tensor.set_data_from_numpy(pixels, binary_data=binary)
    outputs = [httpclient.InferRequestedOutput(name, binary_data=binary) for name in OUTPUTS]
    result = client.infer("digits", [tensor], outputs=outputs)
    upload = requests.post(live_server.url + "/predict_digit", files={"image": ("d.png", drawing(label))},
                           timeout=30).json()
    assert result.as_numpy("label").tolist() == [upload["prediction"]] == [label]
    np.testing.assert_allclose(result.as_numpy("probabilities")[0], upload["probabilities"], atol=1e-4)
    assert result.as_numpy("sure").tolist() == [upload["sure"]]
    assert result.as_numpy("features").shape == (3, 64)
