"""Each style has the properties docs/drawings.md claims for it."""

import numpy as np
import pytest

from evaluation.drawings.skeletons import all_glyphs, glyphs_for
from evaluation.drawings.styles import STYLES
from tests.evaluation.ink import ink_of


def _bbox(image):
    ys, xs = np.nonzero(ink_of(image) > 0.5)
    return xs.min(), ys.min(), xs.max(), ys.max()


@pytest.mark.parametrize(
    "style, mode, min_side, max_side",
    [
        ("large_rgb", "RGB", 240, 400),
        ("rgba_transparent", "RGBA", 200, 280),
        ("small_offcentre", "RGB", 360, 640),
        ("icon_8x8", "RGB", 8, 8),
        ("thick_brush", "RGB", 200, 280),
        ("thin_pen", "RGB", 280, 400),
        ("coloured_ink", "RGB", 280, 300),
        ("grey_28", "L", 28, 28),
    ],
)
def test_mode_and_canvas_size(samples, style, mode, min_side, max_side):
    for image in samples[style]:
        assert image.mode == mode
        assert min_side <= min(image.size) and max(image.size) <= max_side


def test_every_style_is_tested():
    assert {s.name for s in STYLES} == {
        "large_rgb", "rgba_transparent", "small_offcentre", "icon_8x8",
        "thick_brush", "thin_pen", "coloured_ink", "grey_28",
    }


@pytest.mark.parametrize("style", [s.name for s in STYLES])
def test_whole_digit_is_on_the_canvas(samples, style):
    for image in samples[style]:
        ink = ink_of(image) > 0.5
        assert ink.sum() >= 3, "no ink drawn"
        if style != "icon_8x8":  # an 8x8 icon legitimately uses its edge pixels
            assert not (ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any())


def test_rgba_background_is_transparent_and_ink_opaque(samples):
    for image in samples["rgba_transparent"]:
        alpha = np.asarray(image)[..., 3]
        assert alpha[0, 0] == alpha[-1, -1] == 0
        assert (alpha == 0).mean() > 0.5
        assert alpha.max() == 255


def test_small_offcentre_is_small_and_away_from_the_centre(samples):
    for image in samples["small_offcentre"]:
        x0, y0, x1, y1 = _bbox(image)
        w, h = image.size
        assert y1 - y0 < 0.3 * h
        assert abs((x0 + x1) / 2 - w / 2) > 0.15 * w and abs((y0 + y1) / 2 - h / 2) > 0.12 * h


def test_icon_is_hard_edged_pixel_art(samples):
    for image in samples["icon_8x8"]:
        assert set(np.unique(np.asarray(image))) <= {0, 255}


def test_coloured_ink_is_coloured_on_off_white(samples):
    for image in samples["coloured_ink"]:
        rgb = np.asarray(image, dtype=int)
        paper = rgb[0, 0]
        assert paper.min() >= 200 and paper.min() < 255, "paper is light but not pure white"
        inkiest = rgb[np.unravel_index(ink_of(image).argmax(), image.size[::-1])]
        assert inkiest.max() - inkiest.min() > 60, f"ink {inkiest} is grey"


def _ink_share(images):
    """Median of ink area / bbox height squared: a brush-width measure independent of canvas size."""
    shares = []
    for image in images:
        ink = ink_of(image) > 0.5
        x0, y0, x1, y1 = _bbox(image)
        shares.append(ink.sum() / (y1 - y0 + 1) ** 2)
    return float(np.median(shares))


def test_thick_brush_is_thick_and_thin_pen_is_thin(samples):
    normal = _ink_share(samples["large_rgb"])
    assert _ink_share(samples["thick_brush"]) > 1.6 * normal
    assert _ink_share(samples["thin_pen"]) < 0.25 * normal


@pytest.mark.parametrize(
    "label, variants",
    [
        (1, {"bar", "flag"}),
        (4, {"open", "closed"}),
        (7, {"plain", "barred"}),
        (9, {"straight", "curled"}),
    ],
)
def test_named_writing_styles_exist(label, variants):
    assert variants <= {g.variant for g in glyphs_for(label)}


def test_every_digit_has_several_writing_styles():
    for label in range(10):
        assert len(glyphs_for(label)) >= 2
    assert len({(g.label, g.variant) for g in all_glyphs()}) == len(all_glyphs())
