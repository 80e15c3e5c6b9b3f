"""The deslant shear is exactly Pillow's bilinear shear of a 0/255 mask thresholded at 128.

digits.preprocess takes Pillow's fast nearest path and recomputes only the rows where the two
filters can disagree, so the features (and the golden ones) must not move by a single pixel.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digits.preprocess import _shear_rows


def bilinear_shear(mask: np.ndarray, slant: float, new_width: int, shift: float) -> np.ndarray:
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    sheared = image.transform((new_width, mask.shape[0]), Image.Transform.AFFINE,
                              (1.0, slant, shift, 0.0, 1.0, 0.0), resample=Image.Resampling.BILINEAR)
    return np.asarray(sheared) >= 128


def deslant_arguments(mask: np.ndarray, slant: float) -> tuple[float, int, float]:
    """The width and shift digits.preprocess._deslant passes for this slant."""
    height, width = mask.shape
    extra = int(np.ceil(abs(slant) * height))
    return slant, width + extra, -slant * (height - 1) / 2.0 - extra / 2.0


@pytest.mark.parametrize(
    ("height", "width", "slant"),
    [
        (196, 188, 0.3),  # a 280 px drawing's crop: the nearest path with a few tie rows
        (320, 320, -1.0),  # the largest analysis size, the steepest slant
        (320, 17, 0.5),  # every row's offset a whole or half pixel
        (64, 64, 0.25),  # just at the size where the fast path starts
        (32, 27, -0.2),  # an enlarged icon: Pillow's bilinear filter itself
        (1, 40, 0.7),
        (40, 1, -0.7),
    ],
)
def test_table_of_shapes_and_slants(height: int, width: int, slant: float) -> None:
    mask = np.random.default_rng(height * width).random((height, width)) < 0.4
    args = deslant_arguments(mask, slant)
    assert np.array_equal(_shear_rows(mask, *args), bilinear_shear(mask, *args))


def test_random_masks_slants_and_strided_crops() -> None:
    rng = np.random.default_rng(0)
    for trial in range(600):
        height, width = (int(v) for v in rng.integers(2, 330, 2))
        mask = rng.random((height, width)) < rng.random()
        if trial % 2:
            mask = mask[1:, 1:]  # a view into a larger mask, as _crop returns
        slant = float(rng.uniform(-1.0, 1.0))
        if trial % 3 == 0:
            slant = round(slant, int(rng.integers(1, 4)))  # short decimals hit exact halves
        args = deslant_arguments(mask, slant)
        assert np.array_equal(_shear_rows(mask, *args), bilinear_shear(mask, *args)), (mask.shape, slant)
