"""The headers every answer carries, whoever builds it: a Flask view, an error handler or waitress.

Browsers are the only clients these headers speak to. JSON is never to be sniffed into HTML, no
answer is to leak the URL that led to it, and none may be framed; the page (the one HTML
document) gets the policy that lets it load its own files and nothing else.
"""

from __future__ import annotations

from typing import Final

from flask import Flask, Response

# The page loads nothing but its own files and has no inline script or handler; this keeps it so.
# 'wasm-unsafe-eval' lets it compile WebAssembly (ONNX Runtime Web running model.onnx) and nothing
# else: JavaScript eval stays refused.
PAGE_CSP: Final = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# Anything that is not the page (JSON, the SVG icon opened on its own) may run and load nothing,
# and may not be framed.
NON_PAGE_CSP: Final = "default-src 'none'; frame-ancestors 'none'"
# A script's own policy binds it only when it runs as a worker: ONNX Runtime Web's module does,
# making the session off the page's thread. It may load scripts and fetch from this server
# (its WebAssembly file) and compile WebAssembly; nothing else.
WORKER_CSP: Final = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; frame-ancestors 'none'"
)
_POLICIES: Final = {"text/html": PAGE_CSP, "text/javascript": WORKER_CSP}
ALWAYS: Final = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))


def security_headers(media_type: str) -> list[tuple[str, str]]:
    """The security headers for an answer of this media type (without parameters)."""
    return [*ALWAYS, ("Content-Security-Policy", _POLICIES.get(media_type, NON_PAGE_CSP))]


def add_security_headers(app: Flask) -> None:
    """Every answer Flask builds, under any path (/, /static/index.html, errors), gets them."""

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in security_headers(response.mimetype or ""):
            response.headers[name] = value
        return response
