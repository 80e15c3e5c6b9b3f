"""The served OpenAPI document matches what the running server does (schemathesis, real HTTP)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def test_served_json_is_the_yaml_source_rendered():
    """server/openapi.yaml is edited by hand; `make openapi` must have been run after each edit."""
    import json

    import yaml

    from tests.support import REPO

    source = yaml.safe_load((REPO / "server" / "openapi.yaml").read_text())
    rendered = json.loads((REPO / "server" / "openapi.json").read_text())
    assert rendered == json.loads(json.dumps(source, default=str)), "run `make openapi`"


def test_openapi_json_is_served(client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/predict_digit" in spec["paths"]


@pytest.mark.live
def test_server_conforms_to_its_openapi_spec(live_server):
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", live_server.url + "/openapi.json",
            "--checks", CHECKS, "--max-examples", "25", "--seed", "1",
            "--request-timeout", "10", "--no-color",
        ],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
