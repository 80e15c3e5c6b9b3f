"""The real digits as uploads: deterministic, all 8 styles, and the ink is the scan itself."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from PIL import Image, ImageFilter

from evaluation.drawings.grid import encode
from evaluation.drawings.styles import STYLES as DRAWING_STYLES
from evaluation.handwriting.render import DEV_SET, STYLES, iter_uploads, load, render
from tests.evaluation.ink import ink_of

DEV_SET_SHA256 = "fe1248c5bd3af09ed86814f88d2e33ca9e47b772f7c62902a5140d2ee5faae2c"


@pytest.fixture(scope="module")
def real():
    return load()


def test_the_dev_set_is_the_documented_file(real):
    assert hashlib.sha256(DEV_SET.read_bytes()).hexdigest() == DEV_SET_SHA256
    assert real.images.shape == (5000, 28, 28) and real.labels.shape == (5000,)
    assert np.bincount(real.labels).tolist() == [501, 627, 491, 532, 480, 363, 514, 570, 444, 478]


def test_the_styles_are_the_generated_drawings_styles():
    assert list(STYLES) == [style.name for style in DRAWING_STYLES]


@pytest.mark.parametrize(("style", "mode", "sizes"), [
    ("large_rgb", "RGB", {(280, 280), (300, 300), (400, 400)}),
    ("rgba_transparent", "RGBA", {(200, 200), (256, 256), (280, 280)}),
    ("small_offcentre", "RGB", {(640, 480), (480, 360), (500, 500)}),
    ("icon_8x8", "RGB", {(8, 8)}),
    ("thick_brush", "RGB", {(200, 200), (280, 280)}),
    ("thin_pen", "RGB", {(280, 280), (400, 400)}),
    ("coloured_ink", "RGB", {(280, 280), (300, 300)}),
    ("grey_28", "L", {(28, 28)}),
])
def test_each_style_gives_the_upload_it_names(real, style, mode, sizes):
    for i in range(10):
        image = render(real.images[i], style, i)
        assert image.mode == mode and image.size in sizes
        ink = ink_of(image)
        assert ink.max() > 0.3, "the digit is visible (a box-averaged icon is greyer)"
        corners = ink[[0, 0, -1, -1], [0, -1, 0, -1]]
        assert corners.max() < 0.2, "paper in the corners"


@pytest.mark.parametrize("style", list(STYLES))
def test_rendering_is_deterministic(real, style):
    first = [encode(render(real.images[i], style, i)) for i in range(5)]
    again = [encode(render(real.images[i], style, i)) for i in range(5)]
    assert first == again
    assert len(set(first)) == 5


def test_grey_28_is_the_scan_inverted(real):
    image = render(real.images[3], "grey_28", 3)
    assert np.array_equal(np.asarray(image), 255 - real.images[3])


@pytest.mark.parametrize("style", ["large_rgb", "thick_brush", "thin_pen", "coloured_ink"])
def test_the_ink_is_the_scan_scaled_smoothly(real, style):
    """Shrunk back to 28x28, the upload's ink lines up with the scan (not a re-drawn glyph)."""
    for i in range(5):
        scan = Image.fromarray(real.images[i])
        if style == "thick_brush":  # grown by one scan pixel per side
            scan = scan.filter(ImageFilter.MaxFilter(3))
        ink = ink_of(render(real.images[i], style, i))
        back = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).resize((28, 28), Image.Resampling.BOX),
                          dtype=float)
        assert np.corrcoef(back.ravel(), np.asarray(scan, dtype=float).ravel())[0, 1] > 0.75


def test_thick_and_thin_change_the_stroke_width(real):
    ink = {style: ink_of(render(real.images[0], style, 0).resize((280, 280))).mean()
           for style in ("thin_pen", "large_rgb", "thick_brush")}
    assert ink["thin_pen"] < ink["large_rgb"] < ink["thick_brush"]


def test_iter_uploads_goes_style_by_style_with_labels(real):
    uploads = list(iter_uploads(real, ("grey_28", "icon_8x8"), range(3)))
    assert [(u.style, u.index, u.label) for u in uploads] == [
        (s, i, int(real.labels[i])) for s in ("grey_28", "icon_8x8") for i in range(3)
    ]
