"""Small spox helpers the recognizer graph is written with: constants, sizes and the array idioms
(crop bounds, the image frame, a median) that ONNX spells in several operators.

Every helper emits standard ai.onnx operators only, so the file runs wherever ONNX does. onnxruntime
spends a few microseconds on every operator it runs, whatever its size, so the helpers keep the
count low: sizes stay int64[1] vectors (what Slice, Pad and TopK take), and anything computable
from constants is computed here in Python, not in the graph.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import numpy as np
import spox.opset.ai.onnx.v18 as op
from spox import Var

OPSET: Final = 18  # ReduceMax and friends take axes as an input from 18 on


def i64(value: int | list[int]) -> Var:
    return op.constant(value=np.asarray(value, dtype=np.int64))


def f32(value: float | list[float]) -> Var:
    return op.constant(value=np.asarray(value, dtype=np.float32))


def f64(value: float | list[float]) -> Var:
    return op.constant(value=np.asarray(value, dtype=np.float64))


def as_f32(x: Var) -> Var:
    return op.cast(x, to=np.float32)


def as_f64(x: Var) -> Var:
    return op.cast(x, to=np.float64)


def as_i64(x: Var) -> Var:
    return op.cast(x, to=np.int64)


def size(x: Var, axis: int) -> Var:
    """The size of one axis, as int64[1]."""
    return op.shape(x, start=axis, end=axis + 1)


def scalar(vector: Var) -> Var:
    """int64[1] -> int64 scalar (what Range takes)."""
    return op.squeeze(vector, i64([0]))


# Every axis the graph walks is at most a few hundred long (an analysis-sized image, a shear's
# extra width, a turned patch): slicing one shared constant costs one operator, Range three.
ARANGE_LIMIT: Final = 2048


@cache
def _counting(dtype: type, start: float, shape: tuple[int, ...]) -> Var:
    return op.constant(value=(np.arange(ARANGE_LIMIT, dtype=np.float64) + start).astype(dtype).reshape(shape))


def arange(n: Var, dtype: type = np.float64, start: float = 0.0, axis: int | None = None) -> Var:
    """start, start + 1, ..., start + n - 1 for n as int64[1] (at most ARANGE_LIMIT), in `dtype`;
    with `axis` (0 or 1), as a column or a row of a 2-D tensor."""
    shape = (ARANGE_LIMIT,) if axis is None else ((ARANGE_LIMIT, 1) if axis == 0 else (1, ARANGE_LIMIT))
    return op.slice(_counting(dtype, start, shape), i64([0]), n, i64([0 if axis is None else axis]))


def maximum(a: Var, b: Var) -> Var:
    return op.max([a, b])


def minimum(a: Var, b: Var) -> Var:
    return op.min([a, b])


def round_size(x: Var) -> Var:
    """float64 -> int64, at least 1: Python's max(1, round(x)) (halves to even, as ONNX Round)."""
    return maximum(as_i64(op.round(x)), i64([1]))


def ink_bounds(mask: Var) -> tuple[Var, Var, Var]:
    """bool[..., H, W] -> (int64[..., 2] first row and column of ink, int64[..., 2] last ones,
    uint8[..., H] ink per row as 0/1). With no ink at all the box is the whole mask."""
    ink = op.cast(mask, to=np.uint8)  # onnxruntime reduces bytes faster than int64 (docs/results.md)
    rows = op.reduce_max(ink, i64([-1]), keepdims=0)
    cols = op.reduce_max(ink, i64([-2]), keepdims=0)
    first = op.concat([op.arg_max(rows, axis=-1), op.arg_max(cols, axis=-1)], axis=-1)
    last = op.concat([op.arg_max(rows, axis=-1, select_last_index=1),
                      op.arg_max(cols, axis=-1, select_last_index=1)], axis=-1)
    return first, last, rows


def crop(mask: Var) -> tuple[Var, Var]:
    """bool[H, W] -> (the mask cut to its ink's bounding box, bool[1]: it had ink)."""
    first, last, rows = ink_bounds(mask)
    found = op.cast(op.reduce_max(rows, keepdims=1), to=np.bool_)
    return op.slice(mask, first, op.add(last, i64(1)), i64([0, 1])), found


def border(pixels: Var) -> Var:
    """[H, W, C] -> [n, C]: the one-pixel frame (first row, last row, and the first and last
    columns between them), also for H or W below 3. Its order is of no matter to a median."""
    last_row = op.sub(size(pixels, 0), i64([1]))
    last_col = op.sub(size(pixels, 1), i64([1]))
    flat = op.concat([i64([-1]), size(pixels, 2)], axis=0)
    top = op.slice(pixels, i64([0]), i64([1]), i64([0]))
    bottom = op.slice(pixels, last_row, op.add(last_row, i64([1])), i64([0]))
    left = op.slice(pixels, i64([1, 0]), op.concat([last_row, i64([1])], axis=0), i64([0, 1]))
    right = op.slice(pixels, op.concat([i64([1]), last_col], axis=0),
                     op.concat([last_row, op.add(last_col, i64([1]))], axis=0), i64([0, 1]))
    return op.concat([op.reshape(part, flat) for part in (top, bottom, left, right)], axis=0)


def median(values: Var) -> Var:
    """float[n, C] -> float[C], n >= 2: numpy.median over axis 0 (the mean of the middle two when n
    is even). The n // 2 + 1 smallest, unsorted, then their largest two: a selection, not a sort
    (cheaper in onnxruntime: docs/results.md, "The featurizer graph")."""
    n = size(values, 0)
    lower, _ = op.top_k(values, op.add(op.div(n, i64([2])), i64([1])), axis=0, largest=0, sorted=0)
    top, _ = op.top_k(lower, i64([2]), axis=0, largest=1, sorted=1)  # sorted[n // 2], sorted[n // 2 - 1]
    middle = op.concat([i64([0]), op.sub(i64([1]), op.mod(n, i64([2])))], axis=0)
    return op.reduce_mean(op.gather(top, middle, axis=0), i64([0]), keepdims=0)
