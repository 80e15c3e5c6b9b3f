"""The draw-a-digit page in headless Chromium against the real server and the real quick model.

Each state the issue names is checked and photographed: a drawn "1" and "0", an uploaded sample,
a non-image upload's error, and the phone layout (`make screenshots` refreshes docs/screenshots/).
"""

from __future__ import annotations

import math

import pytest
import requests
from PIL import Image

from digits.calibration import NOT_SURE_BELOW
from tests.browser.helpers import PHONE, Point, draw, screenshot, server_answer_for_canvas
from tests.support import REPO

pytestmark = [pytest.mark.live, pytest.mark.browser]  # headless Chromium against the real server

SAMPLES = REPO / "handwritten-digits"
DONE = '#result[data-status="done"]'
ERROR = '#result[data-status="error"]'


def ellipse(cx: float, cy: float, rx: float, ry: float, steps: int = 36) -> list[Point]:
    """An oval drawn from the top, clockwise, closing a little past where it started."""
    return [
        (cx + rx * math.sin(2 * math.pi * i / steps), cy - ry * math.cos(2 * math.pi * i / steps))
        for i in range(steps + 2)
    ]


# A "1" with a short lead-in flag, and a "0", each about 60% of the canvas tall, as a person draws.
ONE = [[(0.42, 0.28), (0.52, 0.18), (0.52, 0.5), (0.52, 0.82)]]
ZERO = [ellipse(0.5, 0.5, 0.2, 0.3)]


def shown_probabilities(page) -> list[float]:
    heights = page.eval_on_selector_all("#chart .bar", "bars => bars.map(b => parseFloat(b.style.height))")
    return [h / 100 for h in heights]


def shown_grid(page) -> list[int]:
    return [int(v) for v in page.eval_on_selector_all("#grid td", "cells => cells.map(c => c.textContent)")]


@pytest.mark.parametrize(
    ("strokes", "expected", "shot"),
    [(ONE, 1, "page-drawn-1.png"), (ZERO, 0, "page-drawn-0.png")],
    ids=["one", "zero"],
)
def test_drawn_digit_is_recognised_with_chart_and_grid(page_for, strokes, expected, shot):
    page = page_for()
    draw(page, strokes)  # lifting the pen sends the drawing
    page.wait_for_selector(DONE)

    assert page.text_content("#digit") == str(expected)
    assert page.text_content("#confidence").startswith("confidence ")
    probabilities = shown_probabilities(page)
    assert len(probabilities) == 10
    assert max(range(10), key=probabilities.__getitem__) == expected
    assert sum(probabilities) == pytest.approx(1.0, abs=0.01)
    assert page.get_attribute("#chart li.predicted", "data-digit") == str(expected)
    grid = shown_grid(page)
    assert len(grid) == 64 and all(0 <= v <= 16 for v in grid) and max(grid) == 16
    assert page.is_hidden("#error")
    screenshot(page, shot)


def test_uploaded_sample_shows_what_the_api_answers(page_for, live_server):
    sample = SAMPLES / "digit_3.png"
    page = page_for()
    page.set_input_files("#file", str(sample))
    page.wait_for_selector(DONE)

    with sample.open("rb") as image:
        api = requests.post(
            live_server.url + "/predict_digit?explain=1", files={"image": (sample.name, image)}, timeout=10
        ).json()
    assert api["prediction"] == 3
    assert page.text_content("#digit") == str(api["prediction"])
    assert shown_probabilities(page) == pytest.approx(api["probabilities"], abs=0.001)
    assert shown_grid(page) == [round(v) for row in api["features"] for v in row]
    screenshot(page, "page-upload.png")


# Shapes that are no digit, or half of two, each one stroke (so one request): the model should
# be unsure of at least one of them.
DASH = [[(0.2, 0.5), (0.8, 0.52)]]
SCRIBBLE = [[(0.3, 0.3), (0.7, 0.35), (0.3, 0.5), (0.7, 0.55), (0.3, 0.7), (0.7, 0.75)]]
HOOK = [[(0.3, 0.3), (0.5, 0.2), (0.7, 0.35), (0.4, 0.6), (0.65, 0.8)]]


def test_not_sure_is_shown_exactly_when_the_model_is_not_sure(page_for, live_server):
    """The model applies digits/calibration.NOT_SURE_BELOW to every answer ("sure"), in the browser
    as on the server; the page shows "not sure" for those answers and only for those."""
    page = page_for()
    seen = []
    for strokes in (ONE, DASH, SCRIBBLE, HOOK, ZERO):
        page.keyboard.press("Escape")
        draw(page, strokes)
        page.wait_for_selector(DONE)
        api = server_answer_for_canvas(page, live_server)

        assert api["sure"] == (api["confidence"] >= NOT_SURE_BELOW)
        assert page.is_visible("#not-sure") == (not api["sure"])
        assert page.get_attribute("#answer", "data-sure") == str(api["sure"]).lower()
        assert page.text_content("#digit") == str(api["prediction"])  # an unsure answer is still shown
        if not api["sure"]:
            assert "Not sure" in page.text_content("#result")
            screenshot(page, "page-not-sure.png")
        seen.append(api["sure"])
    assert set(seen) == {True, False}, seen

    page.keyboard.press("Escape")
    page.wait_for_selector('#result[data-status="idle"]')
    assert page.is_hidden("#not-sure")


@pytest.mark.parametrize(
    ("name", "content", "expected_words"),
    [
        ("notes.txt", b"this is not a picture\n", ["could not read this image", "cannot identify image file", "HTTP 400"]),
        ("blank.png", None, ["found no digit", "blank", "HTTP 422"]),
    ],
    ids=["text-file", "blank-image"],
)
def test_server_errors_are_shown_in_words(page_for, tmp_path, name, content, expected_words):
    path = tmp_path / name
    if content is None:
        Image.new("RGB", (64, 64), "white").save(path)
    else:
        path.write_bytes(content)
    page = page_for()
    page.set_input_files("#file", str(path))
    page.wait_for_selector(ERROR)

    message = page.text_content("#error")
    for words in expected_words:
        assert words in message
    assert page.get_attribute("#error", "role") == "alert"
    assert page.is_hidden("#answer") and page.is_hidden("#chart-figure")
    if name == "notes.txt":
        screenshot(page, "page-error.png")


def test_keyboard_clears_and_predicts(page_for):
    page = page_for()
    draw(page, ZERO)
    page.wait_for_selector(DONE)

    page.focus("#pad")
    page.keyboard.press("Escape")
    page.wait_for_selector('#result[data-status="idle"]')
    assert page.is_hidden("#answer") and page.is_hidden("#chart-figure")

    page.keyboard.press("Enter")  # nothing drawn: said in words, no request
    page.wait_for_selector(ERROR)
    assert "draw a digit first" in page.text_content("#error")

    draw(page, ONE)
    page.wait_for_selector(DONE)
    page.keyboard.press("c")
    page.wait_for_selector('#result[data-status="idle"]')
    draw(page, ONE)
    page.wait_for_selector(DONE)
    page.focus("#predict")
    page.keyboard.press("Space")
    page.wait_for_selector(DONE)
    assert page.text_content("#digit") == "1"


def test_controls_are_labelled_and_reachable_with_tab(page_for):
    page = page_for()
    focused = []
    for _ in range(5):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
    assert focused == ["pad", "predict", "ask-server", "clear", "file"]
    for control in ("#pad", "#predict", "#ask-server", "#clear", "#file"):
        assert page.locator(control).evaluate("el => el.labels?.length > 0 || !!el.getAttribute('aria-label') || !!el.textContent.trim()")
    assert page.get_attribute("#result", "aria-live") == "polite"


def test_phone_sized_screen_drawn_with_a_finger(page_for):
    page = page_for(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    # Nothing sticks out sideways, and the drawing area fits the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#pad").bounding_box()["width"] <= PHONE["width"]
    scrolled = page.evaluate("window.scrollY")
    page.evaluate("window.kinds = []; document.getElementById('pad').addEventListener('pointerdown', e => kinds.push(e.pointerType))")
    draw(page, ZERO, via="touch")
    page.wait_for_selector(DONE)
    assert page.text_content("#digit") == "0"
    assert page.evaluate("window.kinds") == ["touch"]
    assert page.evaluate("window.scrollY") == scrolled  # the finger drew; it did not scroll the page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "page-phone.png")
