"""The featurizer graph computes what digits/preprocess.py computes, step by step and whole.

digits/preprocess.py (numpy + Pillow) is the oracle here: the rules were measured with it on real
handwriting, and the graph reproduces Pillow's own arithmetic (resampling weights, fixed-point
rotation, bilinear shear), so the features must be equal, not close.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image
from spox import Tensor, Var, argument, build

from digits import preprocess as oracle
from digits.contract import BLANK_OUTPUT, FEATURES_OUTPUT, IMAGE_INPUT
from digits.decode import decode
from digits.errors import BlankImage
from recognizer import featurizer
from recognizer.model import featurizer_model
from recognizer.resample import resize_float
from tests.support import HANDWRITTEN

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def session_of(model) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def graph_of(fn: Callable[..., Var], *inputs: Tensor) -> Callable[..., np.ndarray]:
    """A one-output graph around fn, run by onnxruntime."""
    args = [argument(t) for t in inputs]
    session = session_of(build(inputs={f"x{i}": a for i, a in enumerate(args)}, outputs={"y": fn(*args)}))
    return lambda *values: session.run(None, {f"x{i}": v for i, v in enumerate(values)})[0]


@pytest.fixture(scope="module")
def featurize() -> Callable[[Image.Image], tuple[np.ndarray, bool]]:
    session = session_of(featurizer_model())

    def run(image: Image.Image) -> tuple[np.ndarray, bool]:
        features, blank = session.run([FEATURES_OUTPUT, BLANK_OUTPUT],
                                      {IMAGE_INPUT: np.asarray(image.convert("RGBA"))})
        return features, bool(blank[0])
    return run


def oracle_views(image: Image.Image) -> np.ndarray | None:
    try:
        return oracle.image_to_views(image)
    except BlankImage:
        return None


@pytest.mark.parametrize("path", sorted(HANDWRITTEN.glob("*.png")), ids=lambda p: p.name)
def test_sample_pngs_give_the_oracle_features(featurize, path):
    image = decode(path.read_bytes())
    features, blank = featurize(image)
    assert not blank
    np.testing.assert_array_equal(features, oracle_views(image))


def _drawing(size: tuple[int, int], mode: str, paper, ink, width: int = 6) -> Image.Image:
    from PIL import ImageDraw
    image = Image.new(mode, size, paper)
    w, h = size
    ImageDraw.Draw(image).line([(w * 0.3, h * 0.2), (w * 0.6, h * 0.25), (w * 0.45, h * 0.8)], fill=ink, width=width)
    return image


@pytest.mark.parametrize(("image", "what"), [
    (_drawing((280, 280), "RGB", (255, 255, 255), (0, 0, 0)), "black on white"),
    (_drawing((200, 150), "RGB", (10, 20, 90), (250, 240, 10)), "yellow on navy"),
    (_drawing((120, 300), "RGBA", (0, 0, 0, 0), (200, 0, 0, 255)), "red on transparent"),
    (_drawing((96, 96), "L", 230, 40, width=2), "thin grey pen"),
    (_drawing((700, 500), "RGB", (255, 255, 255), (0, 0, 0), width=30), "large canvas, shrunk first"),
    (_drawing((1000, 999), "RGBA", (255, 255, 255, 255), (0, 0, 90, 255), width=40), "shrunk by 4"),
    (_drawing((8, 8), "L", 255, 0, width=1), "8x8 icon"),
    (_drawing((16, 12), "RGB", (255, 255, 255), (0, 0, 0), width=2), "16x12 icon"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_drawings_give_the_oracle_features(featurize, image, what):
    features, blank = featurize(image)
    expected = oracle_views(image)
    assert blank == (expected is None)
    if expected is not None:
        np.testing.assert_array_equal(features, expected)


@pytest.mark.parametrize(("image", "why"), [
    (Image.new("RGB", (280, 280), (255, 255, 255)), "blank page"),
    (Image.new("RGB", (1, 1), (0, 0, 0)), "one pixel"),
    (Image.new("L", (300, 1), 0), "a 300x1 line of one colour"),
    (Image.new("RGB", (64, 64), (0, 0, 0)), "all ink"),
    (Image.new("RGBA", (50, 50), (0, 0, 0, 0)), "fully transparent"),
    (_drawing((280, 280), "L", 255, 235), "ink too faint (8 % contrast)"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_images_without_a_digit_are_blank(featurize, image, why):
    features, blank = featurize(image)
    assert blank
    assert features.shape == (len(featurizer.VIEW_ROTATIONS), 64)


@pytest.mark.parametrize("shape", [(1, 300), (300, 1), (2, 2), (3, 200), (17, 1)])
def test_thin_and_tiny_images_are_answered_not_crashed(featurize, shape):
    """Degenerate shapes: a defined answer is all that is asked. (Their blurred strokes are exact
    ties, which numpy's and onnxruntime's float32 matrix products break differently.)"""
    pixels = np.full((*shape, 4), 255, dtype=np.uint8)
    pixels[..., :3] = 0
    pixels[0, 0, :3] = 255  # paper somewhere, ink elsewhere
    features, _ = featurize(Image.fromarray(pixels, "RGBA"))
    assert features.shape == (3, 64)
    assert np.isfinite(features).all() and (features >= 0).all() and (features <= 16).all()


def _random_masks(count: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        height, width = rng.integers(1, 100, size=2)
        yield rng.random((height, width)) < rng.uniform(0.2, 0.7)


def test_fit_is_pillows_box_or_bilinear_resize():
    for side in (featurizer.BITMAP_SIDE, featurizer.WORK_SIDE):
        fit = graph_of(lambda x, s=side: featurizer.fit(x, s), Tensor(np.float32, ("h", "w")))
        for mask in _random_masks(150, seed=side):
            values = mask.astype(np.float32)
            np.testing.assert_allclose(fit(values), oracle._fit(values, side), rtol=0, atol=1e-6)


def test_bicubic_enlargement_is_pillows():
    enlarge = graph_of(lambda x, h, w: resize_float(x, h, w, "bicubic"), Tensor(np.float32, ("h", "w")),
                       Tensor(np.int64, (1,)), Tensor(np.int64, (1,)))
    rng = np.random.default_rng(3)
    for _ in range(50):
        ink = rng.random(tuple(rng.integers(2, 17, size=2))).astype(np.float32)
        factor = featurizer.BITMAP_SIDE / max(ink.shape)
        expected = oracle.upsample(ink, factor)
        got = enlarge(ink, np.array([expected.shape[0]]), np.array([expected.shape[1]]))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("step", ["deslant", "narrow"])
def test_shear_and_narrowing_are_pillows(step):
    run = graph_of(lambda m: getattr(featurizer, step)(m) if step == "narrow" else featurizer.deslant(m)[0],
                   Tensor(np.bool_, ("h", "w")))
    reference = {"deslant": oracle._deslant, "narrow": oracle._narrow}[step]
    for mask in _random_masks(200, seed=7):
        if not mask.any():
            continue
        cut = oracle._crop(mask)
        try:
            expected = reference(cut)
        except BlankImage:
            continue
        np.testing.assert_array_equal(run(cut), expected)


def test_views_are_the_patch_and_pillows_nearest_rotations():
    patch_in = argument(Tensor(np.bool_, ("h", "w")))
    canvases, first, last = featurizer.views(patch_in)
    session = session_of(build(inputs={"x": patch_in}, outputs={"canvases": canvases, "first": first, "last": last}))
    for mask in _random_masks(150, seed=11):
        if not mask.any():
            continue
        patch = oracle._crop(mask)
        for canvas, top_left, bottom_right, degrees in zip(*session.run(None, {"x": patch}), featurizer.VIEW_ROTATIONS):
            view = canvas[top_left[0] : bottom_right[0] + 1, top_left[1] : bottom_right[1] + 1]
            np.testing.assert_array_equal(view, oracle._rotated(patch, degrees))


def test_analysis_shrink_is_pillows_reduce():
    """Of an opaque image: Pillow premultiplies alpha before reducing, the graph reduces each
    channel alone. Either gives the same ink: the transparent-paper path reads the alpha only."""
    shrink = graph_of(featurizer.shrink_for_analysis, Tensor(np.uint8, ("h", "w", 4)))
    rng = np.random.default_rng(5)
    for height, width in [(321, 10), (640, 640), (700, 333), (1000, 999), (1283, 77)]:
        pixels = rng.integers(0, 256, size=(height, width, 4), dtype=np.uint8)
        pixels[..., 3] = 255
        expected = np.asarray(oracle._shrink_for_analysis(Image.fromarray(pixels, "RGBA")))
        np.testing.assert_array_equal(shrink(pixels), expected)


def test_small_images_are_not_shrunk():
    shrink = graph_of(featurizer.shrink_for_analysis, Tensor(np.uint8, ("h", "w", 4)))
    pixels = np.random.default_rng(6).integers(0, 256, size=(320, 200, 4), dtype=np.uint8)
    np.testing.assert_array_equal(shrink(pixels), pixels)


@pytest.mark.parametrize(("image", "what"), [
    (_drawing((280, 280), "RGB", (255, 255, 255), (0, 0, 0)), "drawing"),
    (_drawing((8, 8), "L", 255, 0, width=1), "icon"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_the_reference_evaluator_gives_onnxruntimes_features(featurize, image, what):
    """onnx.reference runs standard ONNX in numpy, as an embedder without onnxruntime might: every
    operator the graph uses must work there too (its GatherElements, for one, fails on long rows)."""
    from onnx.reference import ReferenceEvaluator
    features, blank = ReferenceEvaluator(featurizer_model()).run(
        [FEATURES_OUTPUT, BLANK_OUTPUT], {IMAGE_INPUT: np.asarray(image.convert("RGBA"))})
    expected_features, expected_blank = featurize(image)
    np.testing.assert_array_equal(features, expected_features)
    assert bool(blank[0]) == expected_blank


def test_the_graph_is_standard_onnx():
    model = featurizer_model()
    assert {entry.domain or "ai.onnx" for entry in model.opset_import} == {"ai.onnx"}
    assert {node.domain for node in model.graph.node} <= {""}
