"""How the evaluation tests read ink off a rendered upload."""

import numpy as np
from PIL import Image


def ink_of(image: Image.Image) -> np.ndarray:
    """How much ink each pixel holds, 0..1: alpha on a transparent canvas, else distance from the corner colour."""
    rgba = np.asarray(image.convert("RGBA"), dtype=float)
    if image.mode == "RGBA":
        return rgba[..., 3] / 255
    return np.abs(rgba[..., :3] - rgba[0, 0, :3]).max(axis=-1) / 255
