"""GET / serves the draw-a-digit page: its own files only, no inline code, a strict CSP.

The page's behaviour is tested in a real browser (tests/browser/); this checks what any HTTP
client sees, without one.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests

pytestmark = pytest.mark.live  # the real server process


class _Page(HTMLParser):
    """Collects what the page loads and anything that would need 'unsafe-inline'."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.inline += [f"<{tag} {name}>" for name in attributes if name.startswith("on") or name == "style"]
        if tag == "script":
            self._in_script = True
        reference = attributes.get("src") or (attributes.get("href") if tag == "link" else None)
        if reference:
            self.loads.append(reference)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("inline <script> body")


@pytest.fixture(scope="module")
def page(live_server) -> tuple[requests.Response, _Page]:
    response = requests.get(live_server.url + "/", timeout=10)
    parsed = _Page()
    parsed.feed(response.text)
    return response, parsed


def test_page_is_html_with_a_strict_content_security_policy(page):
    response, _ = page
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    policy = dict(
        (directive.split(" ", 1) + [""])[:2] for directive in response.headers["Content-Security-Policy"].split("; ")
    )
    assert policy == {
        "default-src": "'self'",
        # Compiling WebAssembly (the model in the browser) and nothing more: no 'unsafe-inline',
        # no 'unsafe-eval', no other origin.
        "script-src": "'self' 'wasm-unsafe-eval'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
    }


def test_page_has_no_inline_script_style_or_handlers(page):
    _, parsed = page
    assert parsed.inline == []


@pytest.mark.parametrize(
    ("ending", "media_type"),
    [(".js", "text/javascript"), (".css", "text/css"), (".svg", "image/svg+xml")],
)
def test_page_loads_only_its_own_files_from_the_server(page, live_server, ending, media_type):
    _, parsed = page
    references = [ref for ref in parsed.loads if urlsplit(ref).path.endswith(ending)]
    assert references, f"the page loads no {ending} file"
    for reference in references:
        assert not urlsplit(reference).netloc and not urlsplit(reference).scheme, f"{reference} is on another host"
        response = requests.get(urljoin(live_server.url + "/", reference), timeout=10)
        assert response.status_code == 200, reference
        assert response.headers["Content-Type"].startswith(media_type), reference


def test_missing_static_file_is_a_json_404(live_server):
    response = requests.get(live_server.url + "/static/nope.js", timeout=10)
    assert response.status_code == 404
    assert "error" in response.json()
