"""The v2 answer has a stated cap (server/protocol.py V2_MAX_ANSWER_BYTES) that the largest
request the server accepts stays under."""

from __future__ import annotations

import json

import numpy as np
import pytest

from server.protocol import MAX_BATCH, V2_HEADER_LENGTH, V2_MAX_ANSWER_BYTES, V2_MAX_ID


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_the_largest_answer_is_under_the_cap(client, binary):
    rows = np.random.default_rng(0).integers(0, 17, size=(MAX_BATCH, 64)).tolist()
    request = {
        "id": "x" * V2_MAX_ID,
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [MAX_BATCH, 64], "data": rows}],
        "outputs": [{"name": name, "parameters": {"binary_data": binary}} for name in ("label", "probabilities")],
    }
    response = client.post("/v2/models/digits/infer", data=json.dumps(request), content_type="application/json")
    assert response.status_code == 200
    assert (V2_HEADER_LENGTH in response.headers) == binary
    assert len(response.data) <= V2_MAX_ANSWER_BYTES, len(response.data)
