import numpy as np
import pytest
from PIL import Image

from drawings.generate import draw_one
from drawings.styles import STYLES


def ink_of(image: Image.Image) -> np.ndarray:
    """How much ink each pixel holds, 0..1: alpha on a transparent canvas, else distance from the corner colour."""
    rgba = np.asarray(image.convert("RGBA"), dtype=float)
    if image.mode == "RGBA":
        return rgba[..., 3] / 255
    return np.abs(rgba[..., :3] - rgba[0, 0, :3]).max(axis=-1) / 255


@pytest.fixture(scope="session")
def samples() -> dict[str, list[Image.Image]]:
    """Two drawings of every digit in every style, seed 0."""
    return {
        style.name: [draw_one(0, i, style, label, k).image for label in range(10) for k in range(2)]
        for i, style in enumerate(STYLES)
    }
