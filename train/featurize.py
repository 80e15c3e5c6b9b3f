"""Features from pixels for every training row and the report's checks: the recognizer's
featurizer graph in onnxruntime, the graph the published recognizer.onnx carries, so what
training learns from and what serving computes cannot drift apart.

An ink map (a Digits copy, a font glyph) becomes the RGBA image whose ink it is and takes the
same path as an upload. One session serves the whole process: building it (the graph in spox)
costs far more than a run on one image (docs/real-handwriting.md, "Training rows through the
featurizer graph").
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

from digits.errors import BlankImage
from digits.pixels import ink_to_rgba, rgba
from recognizer.run import Featurizer


@cache
def featurizer() -> Featurizer:
    return Featurizer()


def pixel_views(pixels: np.ndarray) -> np.ndarray:
    """uint8[H, W, 4] -> float32[views, 64]; BlankImage where the server would answer 422."""
    features, blank = featurizer().views(pixels)
    if blank:
        raise BlankImage()
    return features


def image_views(image: Image.Image) -> np.ndarray:
    """A decoded image -> float32[views, 64], as the server featurizes an upload."""
    return pixel_views(rgba(image))


def ink_features(ink: np.ndarray) -> np.ndarray:
    """An ink map (0..1, any size) -> float32[64]: the upright view of the image it is the ink of."""
    return pixel_views(ink_to_rgba(ink))[0]
