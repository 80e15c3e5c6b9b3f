"""The v2 answer has a stated cap (server/v2_codec.py V2_MAX_ANSWER_BYTES) that the largest
request the server accepts stays under."""

from __future__ import annotations

import json

import numpy as np
import pytest

from server.v2_codec import V2_HEADER_LENGTH, V2_MAX_ANSWER_BYTES, V2_MAX_ID


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_the_largest_answer_is_under_the_cap(client, binary):
    """Every output of a busy 280x280 image (the features at their longest) and the longest id."""
    pixels = np.zeros((280, 280, 4), dtype=np.uint8)
    pixels[..., 3] = np.random.default_rng(0).integers(0, 2, size=(280, 280)) * 255
    pixels[:, 100:180, 3] = 255
    request = {
        "id": "x" * V2_MAX_ID,
        "inputs": [{"name": "image", "datatype": "UINT8", "shape": [280, 280, 4], "data": pixels.reshape(-1).tolist()}],
        "outputs": [{"name": name, "parameters": {"binary_data": binary}}
                    for name in ("label", "probabilities", "sure", "features")],
    }
    response = client.post("/v2/models/digits/infer", data=json.dumps(request), content_type="application/json")
    assert response.status_code == 200, response.data[:300]
    assert (V2_HEADER_LENGTH in response.headers) == binary
    assert len(response.data) <= V2_MAX_ANSWER_BYTES, len(response.data)
