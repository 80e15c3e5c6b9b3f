"""The headers every answer carries (server/headers.py), and the page's policy wherever it is served."""

from __future__ import annotations

import pytest

from server.headers import ALWAYS, NON_PAGE_CSP, PAGE_CSP, WORKER_CSP

POLICIES = [
    # (method, path, status, Content-Security-Policy)
    ("GET", "/", 200, PAGE_CSP),
    ("GET", "/static/index.html", 200, PAGE_CSP),
    ("GET", "/static/page.js", 200, WORKER_CSP),
    ("GET", "/static/favicon.svg", 200, NON_PAGE_CSP),
    ("GET", "/model.onnx", 200, NON_PAGE_CSP),
    ("GET", "/ort/ort.min.js", 404, NON_PAGE_CSP),
    ("GET", "/healthz", 200, NON_PAGE_CSP),
    ("GET", "/metrics", 200, NON_PAGE_CSP),
    ("GET", "/static/nope.html", 404, NON_PAGE_CSP),
    ("POST", "/healthz", 405, NON_PAGE_CSP),
    ("OPTIONS", "/predict_digit", 200, NON_PAGE_CSP),
    ("HEAD", "/", 200, PAGE_CSP),
]


@pytest.mark.parametrize("method, path, status, policy", POLICIES, ids=[f"{m} {p}" for m, p, *_ in POLICIES])
def test_every_answer_carries_the_security_headers(client, method, path, status, policy):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.headers["Content-Security-Policy"] == policy
    for name, value in ALWAYS:
        assert response.headers[name] == value


def test_the_page_cannot_be_framed():
    for policy in (PAGE_CSP, NON_PAGE_CSP, WORKER_CSP):
        assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("policy", [PAGE_CSP, WORKER_CSP], ids=["page", "worker"])
def test_webassembly_is_the_one_thing_added(policy):
    """What running model.onnx in the browser needs, 'wasm-unsafe-eval', and no other 'unsafe-*'
    source or origin."""
    sources = {source for directive in policy.split("; ") for source in directive.split(" ")[1:]}
    assert sources <= {"'self'", "'none'", "'wasm-unsafe-eval'"}
    assert "'wasm-unsafe-eval'" in sources
