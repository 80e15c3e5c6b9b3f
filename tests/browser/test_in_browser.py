"""The page reads drawings with model.onnx in the browser (ONNX Runtime Web), and answers as the server does.

Every writing style of evaluation/drawings/skeletons.py is drawn with a thin and a thick pen; the browser's
answer must equal the server's for the same canvas. With the server stopped after the page has
loaded, drawings are still read; without WebAssembly, or when the runtime or the model cannot load,
the page says so in one line and the server reads the drawings.
"""

from __future__ import annotations

import pytest

from evaluation.drawings.render import catmull_rom
from evaluation.drawings.skeletons import GLYPH_WIDTH, Glyph, all_glyphs
from tests.browser.helpers import (
    ENGINE_TIMEOUT_MS,
    Point,
    draw,
    screenshot,
    server_answer_for_canvas,
    shown_answer,
)
from tests.support import REPO
from tools.live_server import start_server, stop_process

pytestmark = [pytest.mark.live, pytest.mark.browser]  # headless Chromium against the real server

DONE = '#result[data-status="done"]'
ERROR = '#result[data-status="error"]'
READY = '#engine[data-state="ready"]'
FAILED = '#engine[data-state="failed"]'
# Pen widths in canvas pixels (the canvas is 320 wide; the page's own brush is 22).
PENS = {"thin": 8, "thick": 40}


def strokes_of(glyph: Glyph) -> list[list[Point]]:
    """The glyph's pen path, smoothed as evaluation/drawings/render.py does, 60 % of the canvas tall, centred."""
    scale, left, top = 0.6, 0.5 - 0.6 * GLYPH_WIDTH / 2, 0.2
    strokes = []
    for stroke in glyph.strokes:
        points = [tuple(p) for piece in stroke for p in catmull_rom(piece, samples=4)]
        strokes.append([(left + x * scale, top + y * scale) for x, y in points])
    return strokes


def draw_with_pen(page, strokes: list[list[Point]], width: int) -> None:
    page.keyboard.press("Escape")
    page.evaluate("w => { document.getElementById('pad').getContext('2d').lineWidth = w; }", width)
    draw(page, strokes)  # each lifted pen is read at once; the last one's answer is waited for
    page.wait_for_selector(f"{DONE}, {ERROR}")


CASES = [(glyph, pen) for index, glyph in enumerate(all_glyphs()) for pen in [("thin", "thick")[index % 2]]]


def test_the_browser_answers_as_the_server_does_for_every_drawing_style(page_for, live_server):
    page = page_for()
    assert page.is_visible(READY)
    compared = []
    for glyph, pen in CASES:
        draw_with_pen(page, strokes_of(glyph), PENS[pen])
        case = f"{glyph.label}/{glyph.variant}/{pen}"
        api = server_answer_for_canvas(page, live_server)
        assert api["status"] == 200, (case, api)
        shown = shown_answer(page)
        assert shown["reader"] == "browser", case
        assert shown["prediction"] == api["prediction"], case
        assert shown["probabilities"] == pytest.approx(api["probabilities"], abs=1e-4), case
        assert shown["sure"] == api["sure"], case
        assert shown["grid"] == [round(v) for row in api["features"] for v in row], case
        compared.append(case)
    assert len(compared) >= 20


def test_drawings_are_read_with_the_server_stopped(pages_on, model_path, tmp_path):
    with start_server(model_path, log_dir=tmp_path) as server:
        page = pages_on(server)()
        assert page.is_visible(READY)
        stop_process(server.process, grace=10)

        draw_with_pen(page, strokes_of(all_glyphs()[0]), PENS["thick"])
        assert page.is_visible(DONE)
        assert shown_answer(page)["reader"] == "browser"
        assert page.is_visible(READY) and page.is_hidden("#error")
        screenshot(page, "page-in-browser-server-stopped.png")

        # An upload still needs the server: that, and only that, is said.
        page.set_input_files("#file", str(REPO / "handwritten-digits" / "digit_3.png"))
        page.wait_for_selector(ERROR)
        assert "Could not reach the server" in page.text_content("#error")
        assert page.is_visible(READY)


@pytest.mark.parametrize(
    ("block", "no_wasm", "reason"),
    [
        ((), True, "no WebAssembly"),
        (("**/ort/ort-wasm-simd-threaded.wasm",), False, ""),
        (("**/ort/ort.wasm.bundle.min.mjs",), False, ""),
        (("**/model.onnx",), False, ""),
    ],
    ids=["no-webassembly", "wasm-file", "runtime-module", "model-file"],
)
def test_the_server_reads_drawings_when_the_browser_cannot(page_for, block, no_wasm, reason):
    page = page_for(block=block, no_wasm=no_wasm)
    page.wait_for_selector(FAILED, timeout=ENGINE_TIMEOUT_MS)
    line = page.text_content("#engine")
    assert "the server reads your drawings" in line and reason in line

    draw_with_pen(page, strokes_of(all_glyphs()[3]), PENS["thick"])  # a "1"
    assert page.is_visible(DONE)
    assert shown_answer(page)["reader"] == "server"
    assert page.text_content("#digit") == "1"
    if no_wasm:
        screenshot(page, "page-fallback.png")
