"""Hostile requests against the real server: the catalogue, then hypothesis-generated bodies.

Every answer is below 500, JSON, and a 4xx carries {"error": ...} without a stack trace; the
server still answers the reference digit afterwards. `make fuzz` is the long version.
"""

from __future__ import annotations

import json
import random

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.reliability.cases import INFER, JSON, PREDICT, REFUSED, Case, catalogue, mangle, mutant, problems, send
from tools.reliability.fuzz_http import reference_answer
from tools.reliability.images import digit

pytestmark = pytest.mark.live  # the real server process

FUZZ_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MEDIA_TYPES = ["image/png", "image/jpeg", "image/gif", "application/json", "multipart/form-data; boundary=x",
               "text/plain", "application/octet-stream", ""]
json_numbers = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 16, 8.5]),
)
json_values = st.recursive(
    st.one_of(json_numbers, st.booleans(), st.none(), st.text(max_size=5)),
    lambda children: st.lists(children, max_size=70) | st.dictionaries(st.sampled_from(["pixels", "instances", "x"]), children, max_size=2),
    max_leaves=200,
)


@pytest.fixture(scope="module")
def session() -> requests.Session:
    return requests.Session()


def assert_well_refused(case: Case, server_url: str, session: requests.Session) -> None:
    outcome = send(session, server_url, case)
    assert problems(case, outcome) == [], (case.name, outcome.status, outcome.body[:200])


@pytest.mark.parametrize("case", catalogue(), ids=[case.name for case in catalogue()])
def test_catalogue(live_server, session, case):
    assert_well_refused(case, live_server.url, session)


@FUZZ_SETTINGS
@given(body=st.binary(max_size=5000), media_type=st.sampled_from(MEDIA_TYPES), path=st.sampled_from([PREDICT, INFER]))
def test_random_bytes(live_server, session, body, media_type, path):
    case = Case("random bytes", body, {"Content-Type": media_type} if media_type else {}, REFUSED, path=path)
    assert_well_refused(case, live_server.url, session)


@FUZZ_SETTINGS
@given(pixels=json_values, key=st.sampled_from(["pixels", "instances"]))
def test_random_json_pixels(live_server, session, pixels, key):
    case = Case("random json", json.dumps({key: pixels}).encode(), JSON, REFUSED | {200})
    assert_well_refused(case, live_server.url, session)


@FUZZ_SETTINGS
@given(rng=st.randoms(use_true_random=False), fmt=st.sampled_from(["PNG", "JPEG", "GIF", "WEBP", "BMP"]))
def test_mangled_images(live_server, session, rng, fmt):
    body = mangle(digit(fmt), rng)
    case = Case(f"mangled {fmt}", body, {"Content-Type": f"image/{fmt.lower()}"}, REFUSED | {200})
    assert_well_refused(case, live_server.url, session)


def test_random_mutants_then_the_server_still_answers_the_same(live_server, session):
    before = reference_answer(live_server.url)
    rng = random.Random(1)
    for _ in range(200):
        assert_well_refused(mutant(rng), live_server.url, session)
    assert reference_answer(live_server.url) == before
    assert live_server.process.poll() is None
    assert not [line for line in live_server.log_lines() if "Traceback" in line and "unhandled error" in line]
