import pytest
from PIL import Image

from evaluation.drawings.generate import draw_one
from evaluation.drawings.styles import STYLES


@pytest.fixture(scope="session")
def samples() -> dict[str, list[Image.Image]]:
    """Two drawings of every digit in every style, seed 0."""
    return {
        style.name: [draw_one(0, i, style, label, k).image for label in range(10) for k in range(2)]
        for i, style in enumerate(STYLES)
    }
