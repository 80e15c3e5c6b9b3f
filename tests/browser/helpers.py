"""Drawing on the page and reading what it shows, in headless Chromium: the browser's settings, the
viewports, `draw` (mouse or touch), the answers on the page and from the server, screenshots (the
fixtures are in conftest.py)."""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from pathlib import Path

import requests

from tests.support import REPO
from tools.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium's own connections get refused here by the
# dozen; the rest keep a throwaway headless profile quiet. Playwright adds a fresh --user-data-dir.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1100, "height": 860}
PHONE = {"width": 390, "height": 844}  # a common phone in CSS pixels
# Committed screenshots are refreshed with `make screenshots`; a plain test run writes elsewhere
# so that it never dirties the work tree.
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", REPO / "test-results" / "screenshots"))

Point = tuple[float, float]  # a position on the drawing area, as fractions of its width and height
# The page's line about where drawings are read: "ready" (in the browser) or "failed" (the server).
ENGINE_SETTLED = '#engine:not([data-state="loading"])'
# Session creation in WebAssembly grows with the forest: tens of seconds for a large one.
ENGINE_TIMEOUT_MS = 180_000


def watch(page, server: LiveServer, problems: list[str]) -> None:
    """Note script errors, CSP refusals and requests to any host but the server."""

    def on_request(request) -> None:
        if not request.url.startswith(server.url + "/"):
            problems.append(f"request to another host: {request.url}")

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP refused: {message.text}")

    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on("request", on_request)
    page.on("console", on_console)


def draw(page, strokes: Sequence[Sequence[Point]], via: str = "mouse") -> None:
    """Draw one press-move-release per stroke, as a person would, with the mouse or a finger.

    Touch goes through Chromium's DevTools input (Playwright has no touch-move), so the page gets
    real touch-generated pointer events, as on a phone.
    """
    box = page.locator("#pad").bounding_box()

    def at(point: Point) -> tuple[float, float]:
        return box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]

    if via == "mouse":
        for stroke in strokes:
            page.mouse.move(*at(stroke[0]))
            page.mouse.down()
            for point in stroke[1:]:
                page.mouse.move(*at(point), steps=3)
            page.mouse.up()
        return
    assert via == "touch", via
    devtools = page.context.new_cdp_session(page)
    for stroke in strokes:
        path = [at(point) for point in _densify(stroke, steps=3)]
        for kind, (x, y) in [("touchStart", path[0]), *(("touchMove", p) for p in path[1:])]:
            devtools.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        devtools.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    devtools.detach()


def server_answer_for_canvas(page, server: LiveServer) -> dict:
    """What POST /predict_digit?explain=1 answers for the canvas as it is now (as a PNG, as the
    page's "Ask the server" sends it)."""
    data_url = page.evaluate("document.getElementById('pad').toDataURL('image/png')")
    png = base64.b64decode(data_url.split(",", 1)[1])
    response = requests.post(server.url + "/predict_digit?explain=1", files={"image": ("drawing.png", png)},
                             timeout=30)
    return {"status": response.status_code, **response.json()}


def shown_answer(page) -> dict:
    """The answer on the page: digit, sure, the unrounded probabilities and the 8x8 grid's values."""
    return page.evaluate("""() => ({
        prediction: Number(document.getElementById('digit').textContent),
        sure: document.getElementById('answer').dataset.sure === 'true',
        probabilities: [...document.querySelectorAll('#chart li')].map(li => Number(li.dataset.probability)),
        grid: [...document.querySelectorAll('#grid td')].map(td => Number(td.textContent)),
        reader: document.getElementById('result').dataset.reader,
    })""")


def _densify(stroke: Sequence[Point], steps: int) -> list[Point]:
    """`steps` evenly spaced points on each segment, as a moving finger reports them."""
    dense = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        dense += [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(1, steps + 1)]
    return dense


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / name
    page.screenshot(path=str(path), full_page=True)
    return path
