"""Pillow's resize, written as ONNX: each pass is a matrix of the filter weights Pillow uses.

The featurizer's rules were chosen on real handwriting with Pillow's BOX, BILINEAR and BICUBIC
resizes, so the graph computes their coefficients as Resample.c's precompute_coeffs does (the
filter at (x - centre + 0.5) / filterscale within its rounded window, each row normalised)
rather than using ONNX Resize, whose antialiasing uses another kernel. A resize is two matrix
products, horizontal pass first, in float64 with a float32 image between the passes, as Pillow
does for mode "F".
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import spox.opset.ai.onnx.v18 as op
from spox import Var

from recognizer.ops import arange, as_f32, as_f64, f64, i64, maximum, size

Filter = Literal["box", "bilinear", "bicubic"]
SUPPORT: Final[dict[str, float]] = {"box": 0.5, "bilinear": 1.0, "bicubic": 2.0}
BICUBIC_A: Final = -0.5
# Resample.c keeps 8-bit coefficients as fixed point with this many fractional bits.
PRECISION_BITS: Final = 32 - 8 - 2


def offsets(in_size: Var, out_size: Var, support: float | Var, transposed: bool = False) -> Var:
    """float64[out, in] (or [in, out] when transposed): the filter argument (x - centre + 0.5) /
    filterscale where input pixel x lies in output pixel i's window, and a value no filter
    reaches (-9) elsewhere; for int64[1] sizes and the filter's support at scale 1 (a float, or
    float64[1] chosen in the graph)."""
    out_axis, in_axis = (1, 0) if transposed else (0, 1)
    scale = op.div(as_f64(in_size), as_f64(out_size))
    filterscale = maximum(scale, f64([1.0]))
    reach = op.mul(f64([support]) if isinstance(support, float) else support, filterscale)
    centre = op.mul(arange(out_size, start=0.5, axis=out_axis), scale)
    source = arange(in_size, axis=in_axis)
    first = op.floor(op.add(op.sub(centre, reach), f64(0.5)))
    end = op.floor(op.add(op.add(centre, reach), f64(0.5)))
    window = op.and_(op.greater_or_equal(source, first), op.less(source, end))
    t = op.mul(op.add(op.sub(source, centre), f64(0.5)), op.div(f64([1.0]), filterscale))
    return op.where(window, t, f64(-9.0))


def kernel(kind: Filter, t: Var) -> Var:
    """Pillow's filter functions, on float64 arguments."""
    if kind == "box":
        return op.cast(op.and_(op.greater(t, f64(-0.5)), op.less_or_equal(t, f64(0.5))), to=np.float64)
    distance = op.abs(t)
    if kind == "bilinear":
        return op.relu(op.sub(f64(1.0), distance))
    a = BICUBIC_A
    squared = op.mul(distance, distance)
    near = op.add(op.mul(op.sub(op.mul(f64(a + 2.0), distance), f64(a + 3.0)), squared), f64(1.0))
    far = op.mul(op.add(op.mul(op.sub(distance, f64(5.0)), distance), f64(8.0)), distance)
    far = op.mul(op.sub(far, f64(4.0)), f64(a))
    return op.where(op.less(distance, f64(1.0)), near, op.where(op.less(distance, f64(2.0)), far, f64(0.0)))


def normalised(raw: Var, transposed: bool = False) -> Var:
    return op.div(raw, op.reduce_sum(raw, i64([0 if transposed else 1]), keepdims=1))


def weights(in_size: Var, out_size: Var, kind: Filter, transposed: bool = False) -> Var:
    """float64[out, in] (or [in, out]): the weights output pixel i takes from each input pixel."""
    return normalised(kernel(kind, offsets(in_size, out_size, SUPPORT[kind], transposed)), transposed)


def resize_float(image: Var, height: Var, width: Var, kind: Filter) -> Var:
    """float32[H, W] -> float32[height, width]: Image.fromarray(image).resize((width, height),
    kind) of a mode "F" image."""
    return two_passes(image, weights(size(image, 0), height, kind),
                      weights(size(image, 1), width, kind, transposed=True))


def two_passes(image: Var, down: Var, across: Var) -> Var:
    """Pillow's horizontal then vertical pass: float64 down[out_h, H] and across[W, out_w]."""
    horizontal = as_f32(op.matmul(as_f64(image), across))
    return as_f32(op.matmul(down, as_f64(horizontal)))


def resize_mask_width(mask: Var, width: Var, kind: Filter) -> Var:
    """bool[H, W] -> bool[H, width]: the mask as an 8-bit image (0/255) resized horizontally by
    Pillow's fixed-point 8-bit pass (coefficients rounded away from zero, sum rounded), >= 128."""
    scaled = op.mul(weights(size(mask, 1), width, kind, transposed=True), f64(float(1 << PRECISION_BITS)))
    fixed = as_f64(as_i64_toward_zero(op.add(scaled, op.mul(op.sign(scaled), f64(0.5)))))
    total = op.matmul(op.mul(as_f64(mask), f64(255.0)), fixed)
    return op.greater_or_equal(total, f64(float(128 << PRECISION_BITS) - float(1 << (PRECISION_BITS - 1))))


def as_i64_toward_zero(x: Var) -> Var:
    """C's (int) cast: ONNX Cast from float truncates toward zero too."""
    return op.cast(x, to=np.int64)
