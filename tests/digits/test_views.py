"""digits/views.py: an image's answer is the mean of its views' rows, which come consecutively."""

from __future__ import annotations

import numpy as np
import pytest

from digits.views import average_views


@pytest.mark.parametrize(
    "rows, views, expected",
    [
        ([[1.0, 0.0], [0.0, 1.0]], 2, [[0.5, 0.5]]),
        ([[0.2, 0.8], [0.4, 0.6], [0.9, 0.1]], 3, [[0.5, 0.5]]),
        ([[0.2, 0.8], [0.4, 0.6]], 1, [[0.2, 0.8], [0.4, 0.6]]),
        ([[0.1, 0.9], [0.3, 0.7], [1.0, 0.0], [0.0, 1.0]], 2, [[0.2, 0.8], [0.5, 0.5]]),
    ],
)
def test_average_views_is_the_mean_of_each_images_consecutive_rows(rows, views, expected):
    np.testing.assert_allclose(average_views(np.array(rows), views), expected)


def test_rows_that_are_not_whole_images_are_refused():
    with pytest.raises(ValueError, match="3 rows are not whole images of 2 views"):
        average_views(np.ones((3, 10)), 2)
