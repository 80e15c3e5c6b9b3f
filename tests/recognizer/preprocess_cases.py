"""The images whose features must never change when preprocessing is made faster.

The features are the upright view of the featurizer graph (recognizer/, inside model.onnx) on
the decoded RGBA pixels, as the server computes them; digits/preprocess.py, the graph's oracle,
must give the same. `python -m tests.recognizer.preprocess_cases` rewrites
tests/recognizer/data/preprocess_features.json from the current graph. Do that only when what
preprocessing computes is changed on purpose, never to make a speed-up pass.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from digits.decode import decode
from digits.pixels import rgba
from digits.preprocess import bytes_to_features
from evaluation.drawings.generate import draw_one
from evaluation.drawings.grid import GridStyle, encode, render_grid
from evaluation.drawings.styles import STYLES as DRAWING_STYLES
from recognizer.run import Featurizer
from tests.samples import first_of
from tests.support import HANDWRITTEN

GOLDEN = Path(__file__).with_name("data") / "preprocess_features.json"
DRAWINGS_SEED = 0


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def _small(mode: str, label: int) -> bytes:
    """An 8x8 Digits grid saved as an 8x8 image in `mode` (dark ink on white, or alpha ink)."""
    ink = (first_of(label).reshape(8, 8) / 16.0 * 255).astype(np.uint8)
    if mode == "RGBA":
        rgba = np.zeros((8, 8, 4), np.uint8)
        rgba[..., 3] = ink
        return _png(Image.fromarray(rgba, "RGBA"))
    grey = Image.fromarray(255 - ink, "L")
    return _png(grey if mode == "L" else grey.convert(mode))


def _sixteen_bit(label: int) -> bytes:
    grid = (first_of(label).reshape(8, 8) / 16.0 * 65535).astype(np.uint16)
    grey = Image.fromarray(np.kron(grid, np.ones((32, 32), np.uint16)).astype(np.uint16))
    return _png(grey)


def cases() -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(case id, a function returning the image file bytes)."""
    for path in sorted(HANDWRITTEN.glob("*.png")):
        yield f"handwritten/{path.name}", path.read_bytes
    for style_index, style in enumerate(DRAWING_STYLES):
        for label in range(10):
            yield (f"drawings/{style.name}/{label}",
                   lambda i=style_index, s=style, l=label: _png(draw_one(DRAWINGS_SEED, i, s, l, 0).image))
    rendered = {
        "plain": GridStyle(), "light-on-dark": GridStyle(ink=(255, 255, 255), paper=(0, 0, 0)),
        "rgba": GridStyle(mode="RGBA"), "palette": GridStyle(mode="P"), "grey": GridStyle(mode="L"),
        "slanted": GridStyle(slant=0.4), "thin": GridStyle(level=0.62), "huge-canvas": GridStyle(canvas=2100, size=1500),
    }
    for name, style in rendered.items():
        for label in (1, 4, 8):
            yield f"rendered/{name}/{label}", lambda s=style, l=label: encode(render_grid(first_of(l), s))
    for fmt in ("JPEG", "GIF", "BMP", "WEBP"):
        yield f"rendered/{fmt.lower()}/3", lambda f=fmt: encode(render_grid(first_of(3)), f)
    for mode in ("L", "RGB", "RGBA", "P", "1"):
        yield f"icon-8x8/{mode}/5", lambda m=mode: _small(m, 5)
    yield "sixteen-bit/256px/2", lambda: _sixteen_bit(2)


def features(make: Callable[[], bytes]) -> list[float]:
    """The graph's upright row for the image."""
    views, _ = _featurizer().views(rgba(decode(make())))
    return [float(x) for x in views[0]]


def oracle_features(make: Callable[[], bytes]) -> list[float]:
    return [float(x) for x in bytes_to_features(make())[0]]


@lru_cache(maxsize=1)
def _featurizer() -> Featurizer:
    return Featurizer()


def write_golden() -> None:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    table = {case_id: features(make) for case_id, make in cases()}
    # One case per line: a change shows up in a diff as the cases it touched.
    lines = ",\n".join(f"{json.dumps(case_id)}: {json.dumps(values)}" for case_id, values in table.items())
    GOLDEN.write_text("{\n" + lines + "\n}\n", encoding="utf-8")
    print(f"wrote {len(table)} cases to {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    write_golden()
