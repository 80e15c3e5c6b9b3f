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

from recognizer.ops import ARANGE_LIMIT, arange, as_f32, as_f64, as_i64, f64, i64, maximum, minimum, size

Filter = Literal["box", "bilinear", "bicubic"]
SUPPORT: Final[dict[str, float]] = {"box": 0.5, "bilinear": 1.0, "bicubic": 2.0}
BICUBIC_A: Final = -0.5
# Resample.c keeps 8-bit coefficients as fixed point with this many fractional bits.
PRECISION_BITS: Final = 32 - 8 - 2


def band(in_size: Var, out_size: Var, support: float | Var, length: Var | None = None) -> tuple[Var, Var]:
    """Each output pixel's window, as Resample.c's precompute_coeffs finds it, for int64[1] sizes
    and the filter's support at scale 1 (a float, or float64[1] chosen in the graph):
    (float64[out, K] the filter argument (x - centre + 0.5) / filterscale of the window's input
    pixels x and a value no filter reaches (-9) past its end, int64[out, K] those pixels, clamped
    into the image). K = floor(2 * support * filterscale) + 2 covers every window: a few columns,
    where a dense [out, in] grid would cost every filter step over every pixel pair. Sizes and
    support may also be [V, 1, 1], one per view (then [V, length, K]; `length` rows, at least
    every view's out_size)."""
    scale = op.div(as_f64(in_size), as_f64(out_size))
    filterscale = maximum(scale, f64([1.0]))
    reach = op.mul(f64([support]) if isinstance(support, float) else support, filterscale)
    centre = op.mul(arange(out_size if length is None else length, start=0.5, axis=0), scale)
    first = op.floor(op.add(op.sub(centre, reach), f64(0.5)))
    end = minimum(op.floor(op.add(op.add(centre, reach), f64(0.5))), as_f64(in_size))
    span = op.add(op.reshape(op.reduce_max(as_i64(op.floor(op.mul(reach, f64(2.0)))), keepdims=0), i64([1])), i64([2]))
    source = op.add(maximum(first, f64(0.0)), arange(span, axis=1))
    t = op.mul(op.add(op.sub(source, centre), f64(0.5)), op.div(f64([1.0]), filterscale))
    pixels = as_i64(minimum(source, as_f64(op.sub(in_size, i64([1])))))
    return op.where(op.less(source, end), t, f64(-9.0)), pixels


def spread(values: Var, pixels: Var, in_size: Var, out_size: Var, transposed: bool = False) -> Var:
    """[out, K] values of band()'s pixels -> the dense [out, in] matrix (or [in, out]), 0 elsewhere.
    Clamped pixels past a window's end carry 0, so adding is exact."""
    if transposed:
        shape = op.concat([in_size, out_size], axis=0)
        values, pixels, axis = op.transpose(values, perm=[1, 0]), op.transpose(pixels, perm=[1, 0]), 0
    else:
        shape, axis = op.concat([out_size, in_size], axis=0), 1
    zeros = op.expand(op.cast(f64(0.0), to=values.unwrap_tensor().dtype), shape)
    return op.scatter_elements(zeros, pixels, values, axis=axis, reduction="add")


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


def normalised(raw: Var) -> Var:
    """[..., K] -> each row divided by its sum, added up in order as Resample.c does (CumSum is a
    running sum; a reduction may add in another order and round otherwise)."""
    return op.div(raw, op.slice(op.cum_sum(raw, i64(-1)), i64([-1]), i64([ARANGE_LIMIT]), i64([-1])))


def weights(in_size: Var, out_size: Var, kind: Filter, transposed: bool = False) -> Var:
    """float64[out, in] (or [in, out]): the weights output pixel i takes from each input pixel."""
    t, pixels = band(in_size, out_size, SUPPORT[kind])
    return spread(normalised(kernel(kind, t)), pixels, in_size, out_size, transposed)


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
    Pillow's fixed-point 8-bit pass (coefficients rounded away from zero, sum rounded), >= 128.

    That is 255 * s + 2**(PRECISION_BITS - 1) >= 128 << PRECISION_BITS for s the sum of the
    integer coefficients over the ink, i.e. s >= 2**(PRECISION_BITS - 1) (128 - 1/2 = 255 / 2).
    The filters here are not negative, so every partial sum lies in 0..~2**PRECISION_BITS, whole
    numbers float32 holds exactly: a float32 product gives float64's answer at a fraction of the
    cost."""
    t, pixels = band(size(mask, 1), width, SUPPORT[kind])
    scaled = op.mul(normalised(kernel(kind, t)), f64(float(1 << PRECISION_BITS)))
    fixed = op.cast(as_i64_toward_zero(op.add(scaled, op.mul(op.sign(scaled), f64(0.5)))), to=np.float32)
    fixed = spread(fixed, pixels, size(mask, 1), width, transposed=True)
    total = op.matmul(op.cast(mask, to=np.float32), fixed)
    return op.greater_or_equal(total, op.constant(value=np.float32(1 << (PRECISION_BITS - 1))))


def as_i64_toward_zero(x: Var) -> Var:
    """C's (int) cast: ONNX Cast from float truncates toward zero too."""
    return op.cast(x, to=np.int64)
