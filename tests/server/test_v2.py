"""Open Inference Protocol v2, driven by the real Triton HTTP client."""

from __future__ import annotations

import numpy as np
import pytest
import tritonclient.http as httpclient

from tests.server.helpers import digits


@pytest.fixture()
def client(live_server):
    return httpclient.InferenceServerClient(url=live_server.url.removeprefix("http://"))


def test_health_and_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("digits")
    meta = client.get_model_metadata("digits")
    assert meta["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}]
    assert [(o["name"], o["datatype"]) for o in meta["outputs"]] == [("label", "INT64"), ("probabilities", "FP32")]


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_infer(client, binary):
    features, labels = digits()
    batch = features[:16].astype(np.float32)
    tensor = httpclient.InferInput("input", list(batch.shape), "FP32")
    tensor.set_data_from_numpy(batch, binary_data=binary)
    outputs = [httpclient.InferRequestedOutput(name, binary_data=binary) for name in ("label", "probabilities")]
    result = client.infer("digits", [tensor], outputs=outputs)
    predicted = result.as_numpy("label")
    probabilities = result.as_numpy("probabilities")
    assert predicted.dtype == np.int64 and predicted.shape == (16,)
    assert probabilities.shape == (16, 10)
    assert (predicted == labels[:16]).mean() >= 0.9
    assert np.array_equal(predicted, probabilities.argmax(axis=1))
