"""Preprocessing on drawings like users make, rendered from held-out Digits samples.

A RandomForest is fitted on part of Digits, as training fits the served model (the rows plus a
copy rendered through the same preprocessing, train/augment.py); held-out rows are drawn in each
style, sent through digits.preprocess, and must still be recognised. Floors, not perfection: the rendering
itself loses detail (the figures are in the report / README.md).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from digits.decode import decode
from digits.errors import BlankImage
from digits.preprocess import bytes_to_features, image_to_features
from evaluation.drawings.grid import GridStyle, encode, render_grid
from tests.samples import digits, first_of
from train.augment import augment

N_SAMPLES = 60


@pytest.fixture(scope="module")
def split():
    features, labels = digits()
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=0.3, random_state=0, stratify=labels
    )
    data = augment(x_train.astype(np.float32), y_train, copies=1, seed=0)
    clf = RandomForestClassifier(n_estimators=100, random_state=0).fit(data.X, data.y)
    pick = np.random.default_rng(0).choice(len(x_test), N_SAMPLES, replace=False)
    return clf, x_test[pick], y_test[pick]


STYLES = {
    "plain 256px": (GridStyle(), 0.8),
    "thick brush": (GridStyle(level=0.2), 0.75),
    "thin pen": (GridStyle(level=0.62), 0.7),
    "small off-centre on 512px": (GridStyle(canvas=512, size=60, offset=(150, -120)), 0.75),
    "light on dark": (GridStyle(ink=(255, 255, 255), paper=(0, 0, 0)), 0.8),
    "coloured ink on off-white": (GridStyle(ink=(200, 30, 30), paper=(245, 240, 225)), 0.8),
    "RGBA transparent": (GridStyle(mode="RGBA"), 0.8),
    "palette": (GridStyle(mode="P"), 0.8),
    "slanted right": (GridStyle(slant=0.4), 0.75),
    "slanted left": (GridStyle(slant=-0.4), 0.75),
}


@pytest.mark.parametrize("style, floor", STYLES.values(), ids=STYLES.keys())
def test_drawings_are_recognised(split, style, floor):
    clf, grids, labels = split
    features = np.concatenate([bytes_to_features(encode(render_grid(grid, style))) for grid in grids])
    accuracy = (clf.predict(features) == labels).mean()
    assert accuracy >= floor, f"accuracy {accuracy:.3f}"


def test_features_of_a_drawing_resemble_the_original(split):
    _, grids, _ = split
    diffs = [np.abs(bytes_to_features(encode(render_grid(grid)))[0] - grid).mean() for grid in grids]
    # Digits values are 0..16; a mean cell difference of ~2 means the same shape, re-quantised.
    assert np.mean(diffs) < 2.5


def test_polarity_colour_and_alpha_do_not_change_features():
    grid = first_of(8)
    reference = bytes_to_features(encode(render_grid(grid)))
    for style in (
        GridStyle(ink=(255, 255, 255), paper=(0, 0, 0)),
        GridStyle(ink=(20, 60, 200), paper=(250, 245, 230)),
        GridStyle(mode="RGBA"),
        GridStyle(mode="L"),
        GridStyle(mode="P"),
    ):
        assert np.array_equal(bytes_to_features(encode(render_grid(grid, style))), reference), style


def test_position_and_canvas_size_do_not_matter_much():
    grid = first_of(2)
    reference = bytes_to_features(encode(render_grid(grid)))
    moved = bytes_to_features(encode(render_grid(grid, GridStyle(canvas=800, size=300, offset=(-200, 150)))))
    assert np.abs(moved - reference).mean() < 1.0


def test_an_8x8_upload_takes_the_path_training_rendered_it_through():
    """The server enlarges an 8x8 icon exactly as train/augment.py renders Digits' own grids."""
    from train.augment import render_row

    grid = first_of(7)
    dark_on_light = Image.fromarray((255 - grid.reshape(8, 8) * 255 / 16).round().astype(np.uint8))
    np.testing.assert_allclose(image_to_features(dark_on_light)[0], render_row(grid, None), atol=0)


def test_16_bit_greyscale():
    image = render_grid(first_of(3), GridStyle(mode="L"))
    sixteen = Image.fromarray(np.asarray(image, dtype=np.uint16) * 257)
    assert sixteen.mode.startswith("I")
    expected = bytes_to_features(encode(image))
    assert np.array_equal(bytes_to_features(encode(sixteen)), expected)


def test_exif_rotation_is_applied():
    upright = render_grid(first_of(4))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": the pixels are stored rotated 90 CCW
    stored = upright.rotate(90, expand=True)
    data = encode(stored, "JPEG", exif=exif.tobytes(), quality=95)
    assert decode(data).size == upright.size
    reference = bytes_to_features(encode(upright, "JPEG", quality=95))
    assert np.abs(bytes_to_features(data) - reference).mean() < 0.5


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (300, 300), (250, 250, 250)),
        Image.new("RGBA", (300, 300), (0, 0, 0, 0)),
        Image.new("L", (8, 8), 0),
        Image.fromarray(np.random.default_rng(0).integers(120, 135, (300, 300), dtype=np.uint8)),
    ],
    ids=["white", "transparent", "black 8x8", "faint noise"],
)
def test_blank_images_are_refused(image):
    with pytest.raises(BlankImage):
        bytes_to_features(encode(image, "JPEG" if image.mode == "L" and image.size[0] > 8 else "PNG"))


def test_huge_canvas_is_reduced_before_analysis():
    big = render_grid(first_of(5), GridStyle(canvas=3000, size=2000, level=0.4))
    features = bytes_to_features(encode(big))
    assert features.shape == (1, 64) and features.max() <= 16


def test_decode_reads_first_frame_of_animated_gif():
    frames = [render_grid(first_of(label), GridStyle(mode="L")) for label in (1, 2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    assert np.array_equal(bytes_to_features(buffer.getvalue()), bytes_to_features(encode(frames[0], "GIF")))
