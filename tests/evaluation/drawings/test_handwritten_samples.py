"""The committed sample PNGs are the ones draw_samples.py paints, named by their label."""

import importlib.util
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from tests.support import HANDWRITTEN as FOLDER
from tests.support import handwritten_samples


def _script():
    spec = importlib.util.spec_from_file_location("draw_samples", FOLDER / "draw_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_names_and_counts():
    per_digit = Counter(label for _, label in handwritten_samples())
    assert all(per_digit[d] >= 2 for d in range(10)), per_digit


@pytest.mark.parametrize("name", ["digit_1.png", "digit_7.png"])
def test_original_8x8_samples(name):
    with Image.open(FOLDER / name) as image:
        assert image.size == (8, 8)


def test_dark_ink_on_white_in_several_sizes():
    sizes = set()
    for path in FOLDER.glob("*.png"):
        with Image.open(path) as image:
            grey = np.asarray(image.convert("L"))
            sizes.add(image.size)
        assert grey[0, 0] == 255 and grey.min() < 60, path.name
        assert (grey > 200).mean() > 0.5, f"{path.name}: mostly paper"
    assert len(sizes) >= 5


def test_committed_pngs_are_what_the_script_paints():
    script = _script()
    painted = {s.name: script.paint(s) for s in script.SAMPLES}
    painted.update({n: script.pixel_art(rows) for n, rows in script.PIXEL_ART.items()})
    assert {f"{n}.png" for n in painted} == {p.name for p in FOLDER.glob("*.png")}
    for name, image in painted.items():
        with Image.open(FOLDER / f"{name}.png") as committed:
            assert committed.mode == image.mode
            assert np.array_equal(np.asarray(committed), np.asarray(image)), name
