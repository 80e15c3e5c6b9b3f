"""Every bad request gets a 4xx JSON {"error": ...}: the fuzz catalogue (tools/reliability/cases.py) is
the table, run here in process through create_app(), decoding in the decode workers as
`python -m server` does. Its raw-HTTP cases, which only waitress decides, and the whole table
again against the real server are in tests/reliability/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evaluation.drawings.grid import GridStyle
from server.app import create_app
from server.config import Settings
from tests.samples import drawing
from tests.server.helpers import isolated_decoding
from tools.reliability.cases import Case, Outcome, catalogue, problems

IN_PROCESS = [case for case in catalogue() if case.raw is None]


@pytest.fixture(scope="module")
def decode_workers() -> Iterator[None]:
    with isolated_decoding(Settings()):
        yield


@pytest.mark.parametrize("case", IN_PROCESS, ids=[case.name for case in IN_PROCESS])
def test_bad_requests_get_json_errors(client, decode_workers, case: Case):
    response = client.open(case.path, method=case.method, data=case.body, headers=dict(case.headers))
    headers = {name.lower(): value for name, value in response.headers.items()}
    outcome = Outcome(response.status_code, response.headers.get("Content-Type", ""), response.data, headers)
    assert problems(case, outcome) == [], response.data[:300]


def test_the_catalogue_names_each_case_once():
    names = [case.name for case in catalogue()]
    assert len(names) == len(set(names))


def test_upload_limit_is_configurable(small_model_path):
    client = create_app(Settings(model_path=str(small_model_path), max_upload_bytes=1000)).test_client()
    png = drawing(3)
    small = client.post("/predict_digit", data=b"x" * 999, content_type="image/png")
    large = client.post("/predict_digit", data=png + b"x" * 1000, content_type="image/png")
    assert small.status_code == 400  # under the limit: read, then refused as not an image
    assert large.status_code == 413


def test_styles_do_not_matter_for_errors(client):
    """A well-formed drawing in an odd style is not an error (guards the table against over-refusing)."""
    response = client.post("/predict_digit", data=drawing(3, GridStyle(mode="P")), content_type="image/png")
    assert response.status_code == 200
