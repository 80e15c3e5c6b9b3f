"""Debian's Chromium, headless, driven by Playwright against the real waitress server.

`browser` is one Chromium for the session; `page_for(viewport)` opens the draw-a-digit page in a
fresh context, waits until the page has either loaded model.onnx into the browser or given up on
it, and, at teardown, fails the test if the page threw a JavaScript error, broke its
Content-Security-Policy or asked any host but the server (it must load nothing from elsewhere).
`pages_on(server)` does the same against a server of the test's own (one it may stop).
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Iterator, Sequence

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ENGINE_SETTLED, ENGINE_TIMEOUT_MS, watch
from tests.support import need
from tools.live_server import LiveServer


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    need(shutil.which(CHROMIUM) is not None, f"{CHROMIUM} missing (apt-get install chromium)")
    need(importlib.util.find_spec("playwright") is not None, "playwright missing (pip install -r requirements/dev.txt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def pages_on(browser) -> Iterator[Callable[..., Callable[..., object]]]:
    """pages_on(server) -> open_page(viewport, block=(), no_wasm=False, **context_options)."""
    contexts = []
    problems: list[str] = []

    def on(server: LiveServer) -> Callable[..., object]:
        def open_page(viewport: dict[str, int] = DESKTOP, block: Sequence[str] = (), no_wasm: bool = False,
                      **context_options: object):
            """block: URL patterns whose requests fail (as if the file could not load);
            no_wasm: the page runs in a browser without WebAssembly."""
            context = browser.new_context(viewport=viewport, **context_options)
            contexts.append(context)
            for pattern in block:
                context.route(pattern, lambda route: route.abort())
            if no_wasm:
                context.add_init_script("delete globalThis.WebAssembly;")
            page = context.new_page()
            watch(page, server, problems)
            page.goto(server.url + "/")
            page.wait_for_selector(ENGINE_SETTLED, timeout=ENGINE_TIMEOUT_MS)
            return page

        return open_page

    yield on
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def page_for(pages_on, live_server: LiveServer) -> Callable[..., object]:
    return pages_on(live_server)
