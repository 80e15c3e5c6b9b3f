"""Operational endpoints and metrics in process; the access log and the exported model's version on
the real server."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from server.observability import WARNING_REPEATS
from tests.samples import first_of
from tools.reliability.cases import send_raw
from tools.reliability.images import costly_images


def test_healthz_and_readyz(client, small_model_path):
    assert client.get("/healthz").json == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["model_sha256"] == hashlib.sha256(small_model_path.read_bytes()).hexdigest()


def test_model_metadata_comes_from_the_onnx_file(client, small_model_path):
    meta = client.get("/model").json
    assert meta["sha256"] == hashlib.sha256(small_model_path.read_bytes()).hexdigest()
    assert meta["producer"] == "digits-onnx"
    assert meta["inputs"] == [{"name": "image", "type": "tensor(uint8)", "shape": [-1, -1, 4]}]
    assert [o["name"] for o in meta["outputs"]] == ["label", "probabilities", "sure", "features"]


def samples(client) -> dict[tuple[str, tuple], float]:
    text = client.get("/metrics").text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_requests_predictions_and_latency(client):
    before = samples(client)
    client.post("/predict_digit", json={"pixels": first_of(6).tolist()})
    client.get("/no-such-route")
    after = samples(client)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert delta("digits_http_requests_total", route="/predict_digit", method="POST", status="200") == 1
    assert delta("digits_http_requests_total", route="other", method="GET", status="404") == 1
    assert delta("digits_predictions_total", digit="6") == 1
    assert delta("digits_http_request_duration_seconds_count", route="/predict_digit") == 1


def test_invented_methods_and_paths_add_no_series(client):
    """Labels come from fixed sets: a client cannot grow /metrics (waitress accepts any method)."""
    client.open("/healthz", method="BREW")  # the series these requests share, made once
    client.open("/invented", method="BREW")
    client.get("/no-such-route")
    client.get("/metrics")
    before = samples(client)
    for n in range(1000):
        client.open("/healthz", method=f"BREW{n}")
        client.open(f"/invented/{n}", method="X" * 20_000 if n % 20 == 0 else f"M{n}")
        client.get(f"/no-such-route/{n}")
    after = samples(client)
    assert after.keys() == before.keys()
    refused = ("digits_http_requests_total", (("method", "other"), ("route", "other"), ("status", "405")))
    assert after[refused] == before[refused] + 1000


def test_metrics_name_their_charset_once(client):
    assert client.get("/metrics").headers["Content-Type"].count("charset") == 1


@pytest.mark.live
def test_access_log_is_one_json_line_per_request_with_echoed_id(live_server):
    response = requests.get(live_server.url + "/healthz", headers={"X-Request-ID": "trace-abc.123"})
    assert response.headers["X-Request-ID"] == "trace-abc.123"
    generated = requests.get(live_server.url + "/nope").headers["X-Request-ID"]
    assert len(generated) == 32

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        entries = [json.loads(line) for line in live_server.log_lines() if '"server.access"' in line]
        by_id = {entry["request_id"]: entry for entry in entries}
        if "trace-abc.123" in by_id and generated in by_id:
            break
        time.sleep(0.05)
    assert by_id["trace-abc.123"]["status"] == 200
    assert by_id["trace-abc.123"]["path"] == "/healthz"
    assert by_id[generated]["status"] == 404
    assert by_id[generated]["latency_ms"] >= 0


@pytest.mark.live
def test_requests_waitress_refuses_are_counted_and_logged(live_server):
    """Refused before Flask sees them, they still reach the access log and /metrics (route 'unparsed')."""
    def refused_count() -> float:
        text = requests.get(live_server.url + "/metrics", timeout=10).text
        return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
                   if sample.name == "digits_http_requests_total"
                   and sample.labels == {"route": "unparsed", "method": "GET", "status": "400"})

    before = refused_count()
    path = f"/refused-{time.monotonic_ns()}"
    outcome = send_raw(live_server.url, (f"GET {path} HTTP/1.1\r\n\r\n".encode(),))  # no Host
    assert outcome.status == 400
    assert refused_count() == before + 1
    deadline = time.monotonic() + 5
    while not (logged := [json.loads(line) for line in live_server.log_lines() if path in line]):
        assert time.monotonic() < deadline, "no access log line"
        time.sleep(0.05)
    assert logged[0]["route"] == "unparsed" and logged[0]["status"] == 400
    assert "missing Host" in logged[0]["error"]


def test_unsafe_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "a b\tc"})
    assert response.headers["X-Request-ID"] != "a b\tc"


@pytest.mark.live
def test_one_model_version_everywhere(live_server):
    """/model, /readyz and the v2 metadata all report the model_version export wrote (real export)."""
    meta = requests.get(live_server.url + "/model").json()
    written = meta["metadata"]["model_version"]
    assert written.startswith("rf-")
    assert meta["version"] == written
    assert requests.get(live_server.url + "/readyz").json()["model_version"] == written
    assert requests.get(live_server.url + "/v2/models/digits").json()["versions"] == [written]
    assert requests.get(live_server.url + f"/v2/models/digits/versions/{written}/ready").status_code == 200


REQUESTS = 8  # of each warning file: more than WARNING_REPEATS


@pytest.mark.live
def test_library_warnings_are_json_log_lines_with_repeats_bounded(live_server):
    """Pillow warns on a header over its own pixel threshold and on each corrupt EXIF tag: the
    warnings were raw multi-line stderr text (20,000 lines for 10,000 tags)."""
    files = costly_images()
    for _ in range(REQUESTS):
        for name in ("png with 10,000 corrupt exif tags", "png header 10000x9000"):
            requests.post(live_server.url + "/predict_digit", data=files[name][0],
                          headers={"Content-Type": "image/png"}, timeout=30)
    time.sleep(0.5)
    lines = live_server.log_lines()
    assert [line for line in lines if not line.startswith("{")] == []
    warned = [json.loads(line) for line in lines if '"server.warnings"' in line]
    assert {entry["category"] for entry in warned} >= {"UserWarning", "DecompressionBombWarning"}
    kinds = {(entry["category"], entry["where"]) for entry in warned}
    assert len(warned) <= WARNING_REPEATS * len(kinds) < REQUESTS * 2
    assert not any("site-packages" in line for line in lines)
