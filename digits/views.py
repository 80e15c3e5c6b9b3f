"""Several views of one digit, one answer: the model is asked about the digit as drawn and turned
a little either way, and its probabilities are averaged.

People's digits lean and curve in ways Digits' 43 writers' did not; measured on real handwriting,
the average over these views is right more often than the upright view alone
(docs/real-handwriting.md, "Views"). The exported model still answers one row of 64 features at a
time; the views are made by digits/preprocess.py (`image_to_views`) and averaged here.
"""

from __future__ import annotations

from typing import Final

import numpy as np

# Degrees, counter-clockwise; the first is the upright view, image_to_features' row.
VIEW_ROTATIONS: Final = (0.0, 8.0, -8.0)
VIEWS: Final = len(VIEW_ROTATIONS)


def average_views(probabilities: np.ndarray, views: int = VIEWS) -> np.ndarray:
    """float[N * views, C], each image's views in consecutive rows -> float[N, C], their mean."""
    rows, classes = probabilities.shape
    if rows % views:
        raise ValueError(f"{rows} rows are not whole images of {views} views")
    return probabilities.reshape(rows // views, views, classes).mean(axis=1)
