"""The preprocessing, as ONNX: decoded RGBA pixels -> the Digits features of each view.

scikit-learn's Digits come from UCI optdigits: each NIST digit was scaled into a 32x32 bitmap,
then the ink pixels were counted in 4x4 blocks, giving an 8x8 grid of values 0..16. On
load_digits every digit touches the top and bottom rows (height fills the box, aspect kept), it
is centred horizontally by mass, and ink covers the same share of the 32x32 bitmap whatever the
digit (docs/contract.md has the share). So a drawing is turned into features the same way:

    RGBA -> analysis shrink -> ink (distance from the background colour) -> binary mask -> crop
    -> deslant -> narrow (Digits' aspect) -> normalise stroke thickness (to Digits' ink fraction)
    -> for each view (upright, turned +8 and -8 degrees): fit into 32x32 -> centre by mass
    -> count 4x4 blocks -> float32[views, 64]

Icons of 16 px or less (e.g. 8x8) are enlarged smoothly first, then take the same path. The rules
and constants are digits/preprocess.py's, chosen there on real handwritten digits with numpy and
Pillow; every resampling step here computes Pillow's own arithmetic (recognizer/resample.py), so
the graph gives the features those measurements were made with (tests/recognizer/).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import spox.opset.ai.onnx.v18 as op
from spox import Var

from digits.contract import GRID_SIDE, N_FEATURES
from digits.decode import ANALYSIS_MAX_SIDE
from digits.preprocess import (
    BITMAP_SIDE,
    BLOCK,
    BLUR_SIGMA,
    DIGITS_INK_FRACTION,
    ICON_INK_LEVEL,
    INK_LEVEL,
    MAX_SLANT,
    MIN_CONTRAST,
    SMALL_SIDE,
    WIDTH_SCALE,
    WORK_PAD,
    WORK_SIDE,
)
from digits.views import VIEW_ROTATIONS
from recognizer.ops import (
    arange,
    as_f32,
    as_f64,
    as_i64,
    border,
    crop,
    f32,
    f64,
    i64,
    ink_bounds,
    maximum,
    median,
    minimum,
    round_size,
    scalar,
    size,
)
from recognizer.resample import SUPPORT, band, kernel, normalised, resize_float, resize_mask_width, two_passes

MIN_SLANT: Final = 0.05  # below this a shear would only move pixels by rounding
STROKE_ROUNDS: Final = 3  # the threshold search settles within three rounds (a fixed point)


def views_features(rgba: Var) -> tuple[Var, Var]:
    """uint8[H, W, 4] -> (float32[len(VIEW_ROTATIONS), 64] features, bool[1] "blank": there is no
    digit to read; the features are then defined but meaningless).

    The views go through their steps together, one operator for all of them: onnxruntime spends a
    microsecond on each operator it runs, however small its tensors, more than these views' pixels
    cost."""
    mask, faint = ink_mask(distance(shrink_for_analysis(rgba)))
    patch, patch_blank = stroke_patch(mask)
    canvases, first, last = views(patch)
    fitted, extent = fit_boxes(as_f32(canvases), first, op.add(op.sub(last, first), i64(1)), BITMAP_SIDE)
    bitmaps, empty = place_by_mass(op.greater_or_equal(fitted, f32(0.5)), extent)
    return bitmap_to_features(bitmaps), op.or_(op.or_(faint, patch_blank), empty)


def shrink_for_analysis(rgba: Var) -> Var:
    """Pillow's Image.reduce(factor) with factor = ceil(longer side / ANALYSIS_MAX_SIDE), per
    channel, with its fixed-point rounding (Reduce.c); smaller images pass unchanged."""
    height = size(rgba, 0)
    width = size(rgba, 1)
    factor = op.div(op.add(maximum(height, width), i64([ANALYSIS_MAX_SIDE - 1])), i64([ANALYSIS_MAX_SIDE]))

    def reduced() -> list[Var]:
        out_h = op.div(op.add(height, op.sub(factor, i64([1]))), factor)
        out_w = op.div(op.add(width, op.sub(factor, i64([1]))), factor)
        zero = i64([0])
        pads = op.concat([zero, zero, zero, op.sub(op.mul(out_h, factor), height),
                          op.sub(op.mul(out_w, factor), width), zero], axis=0)
        padded = op.cast(op.pad(rgba, pads), to=np.int32)  # padded while 1 byte a channel
        blocks = op.reshape(padded, op.concat([out_h, factor, out_w, factor, i64([4])], axis=0))
        sums = as_i64(op.reduce_sum(blocks, i64([1, 3]), keepdims=0))  # int32 inside: 4 bytes a channel
        rows_in = minimum(factor, op.sub(height, op.mul(as_i64(arange(out_h)), factor)))
        cols_in = minimum(factor, op.sub(width, op.mul(as_i64(arange(out_w)), factor)))
        count = op.mul(op.unsqueeze(rows_in, i64([1])), op.unsqueeze(cols_in, i64([0])))
        # Reduce.c divides by multiplying: floor(2**32 / (256 * n)) in float32, then >> 24.
        multiplier = as_i64(op.floor(op.div(f32(2.0**32), as_f32(op.mul(count, i64(256))))))
        scaled = op.mul(op.add(sums, op.unsqueeze(op.div(count, i64(2)), i64([2]))),
                        op.unsqueeze(multiplier, i64([2])))
        return [op.cast(op.div(scaled, i64(1 << 24)), to=np.uint8)]

    return op.if_(op.squeeze(op.greater(factor, i64([1])), i64([0])),
                  then_branch=reduced, else_branch=lambda: [op.identity(rgba)])[0]


def distance(rgba: Var) -> Var:
    """uint8[H, W, 4] -> uint8[H, W] 0..255: how far each pixel is from the paper.

    Measuring distance from the paper colour (not darkness) makes dark-on-light, light-on-dark
    and coloured ink the same problem: the Chebyshev distance over R, G, B from the frame's
    median colour, so yellow on white counts as much as black on white. A transparent
    background (the frame's median alpha below half) means the alpha is the ink.
    """
    paper = median(as_f32(border(rgba)))
    # Channel planes first: onnxruntime broadcasts a per-channel constant over an interleaved
    # [H, W, 4] image element by element, far slower than over one contiguous plane
    # (docs/results.md, "The featurizer graph"). The distance stays in bytes, max - min (exact, no
    # wrap-around): a float copy of every pixel costs more than all of this.
    planes = op.transpose(rgba, perm=[2, 0, 1])
    colour = op.slice(planes, i64([0]), i64([3]), i64([0]))
    background = op.reshape(op.cast(op.slice(op.round(paper), i64([0]), i64([3])), to=np.uint8), i64([3, 1, 1]))
    apart = op.sub(op.max([colour, background]), op.min([colour, background]))
    chebyshev = op.max(list(op.split(apart, num_outputs=3, axis=0)))
    transparent = op.less(op.gather(paper, i64(3)), f32(128.0))
    alpha = op.slice(planes, i64([3]), i64([4]), i64([0]))
    return op.squeeze(op.where(transparent, alpha, chebyshev), i64([0]))


def _lowest_ink_levels(level: float) -> np.ndarray:
    """For each strongest distance m (0..255): the lowest distance d with d/255 >= level * m/255
    in float32, the comparison digits' rules were measured with."""
    unit = np.arange(256, dtype=np.float32) / np.float32(255.0)
    return np.array([np.argmax(unit >= np.float32(level * float(unit[m]))) for m in range(256)], dtype=np.uint8)


# The faintest strongest distance that is a digit: m/255 >= MIN_CONTRAST.
_FAINTEST: Final = int(np.argmax(np.arange(256, dtype=np.float32) / np.float32(255.0) >= MIN_CONTRAST))


def ink_mask(distance_map: Var) -> tuple[Var, Var]:
    """uint8[H, W] 0..255 -> (bool mask of the ink, bool[1] "too faint to be a digit").

    A pixel is ink at INK_LEVEL of the strongest distance; an icon (longer side <= SMALL_SIDE)
    is enlarged with Pillow's bicubic filter to the bitmap size first and thresholded lower.
    """
    strongest = op.reduce_max(distance_map, keepdims=0)
    faint = op.reshape(op.less(strongest, op.constant(value=np.uint8(_FAINTEST))), i64([1]))
    side = maximum(size(distance_map, 0), size(distance_map, 1))

    def icon() -> list[Var]:
        ink = op.div(as_f32(distance_map), f32(255.0))
        factor = op.div(f64([float(BITMAP_SIDE)]), as_f64(side))
        new_h = round_size(op.mul(as_f64(size(ink, 0)), factor))
        new_w = round_size(op.mul(as_f64(size(ink, 1)), factor))
        level = as_f32(op.mul(as_f64(op.div(as_f32(strongest), f32(255.0))), f64(ICON_INK_LEVEL)))
        return [op.greater_or_equal(resize_float(ink, new_h, new_w, "bicubic"), level)]

    def drawing() -> list[Var]:
        levels = op.constant(value=_lowest_ink_levels(INK_LEVEL))
        return [op.greater_or_equal(distance_map, op.gather(levels, as_i64(strongest)))]

    is_icon = op.squeeze(op.less_or_equal(side, i64([SMALL_SIDE])), i64([0]))
    return op.if_(is_icon, then_branch=icon, else_branch=drawing)[0], faint


def stroke_patch(mask: Var) -> tuple[Var, Var]:
    """Mask -> (the deslanted, narrowed digit at the work size with Digits' stroke thickness,
    cropped to its ink; bool[1] "nothing left")."""
    cut, found = crop(mask)
    sheared, sheared_found = deslant(cut)
    work = op.pad(fit(as_f32(narrow(sheared)), WORK_SIDE), i64([WORK_PAD] * 4))
    patch, patch_found = crop(normalise_strokes(work))
    return patch, op.not_(op.and_(op.and_(found, sheared_found), patch_found))


def deslant(mask: Var) -> tuple[Var, Var]:
    """Shear so the ink's principal axis is vertical (x shift per row = mu11 / mu02), as Pillow's
    bilinear affine transform of the 0/255 mask then >= 128 gives; cropped again. Below
    MIN_SLANT the shear is zero, which samples every pixel where it is."""
    height = size(mask, 0)
    width = size(mask, 1)
    # Per row the ink count and the sum of its x: whole numbers below 2**24, so float32 products
    # are exact and give float64's values.
    per_row = as_f64(op.matmul(as_f32(mask), op.concat([op.expand(f32([[1.0]]), op.concat([width, i64([1])], axis=0)),
                                                         arange(width, np.float32, axis=0)], axis=1)))
    counts, x_sums = (op.squeeze(column, i64([1])) for column in op.split(per_row, num_outputs=2, axis=1))
    total = maximum(op.reduce_sum(counts, keepdims=1), f64([1.0]))
    y = arange(height)
    dy = op.sub(y, op.div(_dot(y, counts), total))
    mu02 = op.div(_dot(op.mul(dy, dy), counts), total)
    mean_x = op.div(op.reduce_sum(x_sums, keepdims=1), total)
    mu11 = op.div(_dot(dy, op.sub(x_sums, op.mul(counts, mean_x))), total)
    flat = op.equal(mu02, f64([0.0]))
    slant = op.clip(op.div(mu11, op.where(flat, f64([1.0]), mu02)), f64(-MAX_SLANT), f64(MAX_SLANT))
    keep = op.or_(flat, op.less(op.abs(slant), f64([MIN_SLANT])))
    slant = op.where(keep, f64([0.0]), slant)
    rows = as_f64(height)
    extra = op.ceil(op.mul(op.abs(slant), rows))
    shift = op.sub(op.div(op.mul(op.neg(slant), op.sub(rows, f64([1.0]))), f64([2.0])), op.div(extra, f64([2.0])))
    return crop(_shear_rows(mask, op.mul(slant, op.add(y, f64(0.5))), shift, as_i64(extra)))


def _shear_rows(mask: Var, row_shift: Var, shift: Var, extra: Var) -> Var:
    """bool[H, W] -> bool[H, W + extra]: Pillow's bilinear_filter8 on the 0/255 mask, >= 128.

    Output pixel x of row y reads x_in = ((x + 0.5) + row_shift[y]) + shift: inside the image when
    0 <= x_in < W, else 0; inside, the value between input pixels j = floor(x_in - 0.5) and j + 1
    (edges clamped) at the fraction f of x_in - 0.5, truncated. On 0/255 pixels that is, per row:
    pixel j where 255 - 255 f >= 128, pixel j + 1 where 255 f >= 128, and between those (f within
    1/255 of one half) both. So each row is its input row (or its pairs of neighbours, both ink)
    moved by a whole number of pixels, and f is the row's (offsets along a row differ from it only
    in the last bits). Only where f is that close to one half does x_in land within rounding of the
    image's edges: the first and last input pixels are then kept by x_in itself.

    The rows are moved with one ScatterElements: GatherElements would cost half as much in
    onnxruntime, but onnx.reference's GatherElements fails on rows this long."""
    width = size(mask, 1)
    offset = op.add(row_shift, shift)
    whole = op.floor(offset)
    fraction = op.sub(offset, whole)
    later = op.greater_or_equal(op.mul(f64(255.0), fraction), f64(128.0))
    sooner = op.greater_or_equal(op.add(f64(255.0), op.mul(f64(-255.0), fraction)), f64(128.0))
    both = op.unsqueeze(op.not_(op.or_(later, sooner)), i64([1]))
    first = as_i64(whole)  # j of output pixel x is x + first

    def x_in(j: Var) -> Var:
        x = op.sub(j, first)
        return op.add(op.add(op.add(as_f64(x), f64(0.5)), row_shift), shift)

    column = op.unsqueeze(op.greater_or_equal(x_in(i64([-1])), f64(0.0)), i64([1]))
    last = op.sub(width, i64([1]))
    column_last = op.unsqueeze(op.less(x_in(last), as_f64(width)), i64([1]))
    left = op.slice(mask, i64([0]), i64([1]), i64([1]))
    right = op.slice(mask, last, width, i64([1]))
    # Both pixels: for j = -1 .. W - 1, at j + 1 in this row (the clamped edges are one pixel).
    pairs = op.concat([op.and_(left, column),
                       op.and_(op.slice(mask, i64([0]), last, i64([1])), op.slice(mask, i64([1]), width, i64([1]))),
                       op.and_(right, column_last)], axis=1)
    rows = op.or_(op.and_(both, pairs), op.and_(op.not_(both), op.pad(mask, i64([0, 0, 0, 1]))))  # no bool Where
    # Output pixel x is rows[x + step]; rows' pixel j goes to x = j - step, written `margin` columns
    # further right: every step lies in -extra - 1 .. 1.
    step = op.unsqueeze(op.add(first, as_i64(op.or_(later, op.squeeze(both, i64([1]))))), i64([1]))
    margin = op.add(extra, i64([2]))
    index = op.add(arange(op.add(width, i64([1])), np.int64, axis=1), op.sub(margin, step))
    canvas = op.expand(op.constant(value=np.array(False)), op.concat([size(mask, 0), op.add(op.add(width, extra),
                                                                                            op.mul(margin, i64([2])))],
                                                                     axis=0))
    moved = op.scatter_elements(canvas, index, rows, axis=1)
    return op.slice(moved, margin, op.add(margin, op.add(width, extra)), i64([1]))


def narrow(mask: Var) -> Var:
    """Scale the width by WIDTH_SCALE (height kept; Pillow's 8-bit bilinear), to Digits'
    proportions, cropped again. The mask is cropped, so its first column holds ink, and at these
    scales (at most 1.5) an edge pixel keeps >= 62 % of its output pixel: some ink always stays."""
    width = round_size(op.mul(as_f64(size(mask, 1)), f64(WIDTH_SCALE)))
    return crop(resize_mask_width(mask, width, "bilinear"))[0]


def fit(values: Var, side: int) -> Var:
    """Scale (area-averaged when shrinking, bilinear when enlarging; aspect kept) so the longer
    side is `side`: Pillow's BOX or BILINEAR resize of a mode "F" image."""
    extent = op.unsqueeze(op.shape(values), i64([0]))
    fitted, size_hw = fit_boxes(op.unsqueeze(values, i64([0])), i64([[0, 0]]), extent, side)
    return op.slice(op.squeeze(fitted, i64([0])), i64([0, 0]), op.reshape(size_hw, i64([2])), i64([0, 1]))


def fit_boxes(values: Var, first: Var, extent: Var, side: int) -> tuple[Var, Var]:
    """float32[V, H, W], each view's box (int64[V, 2] first row and column, int64[V, 2] its height
    and width) -> (float32[V, side, side]: each box fitted as `fit` does, at the top left, zeros
    around it; int64[V, 2] the fitted height and width)."""
    scale = op.div(f64([float(side)]), as_f64(op.reduce_max(extent, i64([1]), keepdims=1)))
    fitted = round_size(op.mul(as_f64(extent), scale))
    # Both axes of every view at once, as [V, 2, side, K] windows.
    per_axis = i64([2, 3])
    shrinking = op.unsqueeze(op.less(scale, f64([1.0])), per_axis)
    support = op.where(shrinking, f64([SUPPORT["box"]]), f64([SUPPORT["bilinear"]]))
    length = i64([side])
    out_size = op.unsqueeze(fitted, per_axis)
    t, pixels = band(op.unsqueeze(extent, per_axis), out_size, support, length)
    raw = op.where(shrinking, kernel("box", t), kernel("bilinear", t))
    # Rows past a view's fitted size weigh nothing (their sums are 0, so 0/0 is replaced).
    used = op.less(arange(length, np.int64, axis=0), out_size)
    spans = op.where(used, normalised(raw), f64(0.0))
    pixels = op.add(pixels, op.unsqueeze(first, per_axis))

    def matrix(axis: int) -> Var:
        """float64[V, side, H or W]: the weights of the fitted rows (axis 0) or columns (axis 1)."""
        def pick(x: Var) -> Var:
            return op.squeeze(op.slice(x, i64([axis]), i64([axis + 1]), i64([1])), i64([1]))

        zeros = op.expand(f64(0.0), op.concat([size(values, 0), length, size(values, axis + 1)], axis=0))
        return op.scatter_elements(zeros, pick(pixels), pick(spans), axis=2, reduction="add")

    return two_passes(values, matrix(0), op.transpose(matrix(1), perm=[0, 2, 1])), fitted


# The padded work array's sides: a fitted side (1..WORK_SIDE) plus the padding on both ends.
_WORK_LIMIT: Final = WORK_SIDE + 2 * WORK_PAD


def _blur_tables() -> tuple[np.ndarray, np.ndarray]:
    """The Gaussian's values by offset (a Toeplitz matrix) and, for every side n, each row's sum
    over the first n columns: numpy's float32 arithmetic, done once here instead of per image."""
    index = np.arange(_WORK_LIMIT, dtype=np.float32)
    blur = np.exp(-0.5 * ((index[:, None] - index[None, :]) / np.float32(BLUR_SIGMA)) ** 2)
    sums = np.zeros((_WORK_LIMIT + 1, _WORK_LIMIT), dtype=np.float32)
    for n in range(1, _WORK_LIMIT + 1):
        sums[n, :n] = blur[:n, :n].sum(axis=1)
    # Offsets beyond ~28 pixels weigh under 1e-20: products that small reach float32's subnormal
    # range, which slows the second matrix product (docs/results.md, "The featurizer graph"), and
    # anything they add to a value the threshold can pick (>= 5 % of the strongest) is lost in its
    # rounding, so they are 0.
    blur[blur < np.float32(1e-20)] = 0.0
    return blur, sums


def _gaussian_matrix(n: Var) -> Var:
    """float32[n, n]: the blur along one axis, rows normalised."""
    blur, sums = _blur_tables()
    square = op.slice(op.constant(value=blur), i64([0, 0]), op.concat([n, n], axis=0))
    row_sums = op.slice(op.gather(op.constant(value=sums), n), i64([0, 0]), op.concat([i64([1]), n], axis=0))
    return op.div(square, op.transpose(row_sums, perm=[1, 0]))


def normalise_strokes(coverage: Var) -> Var:
    """Thin pen or fat brush -> strokes as thick as Digits' (by their share of the bitmap).

    Blurring then thresholding is a dilation (low threshold) or an erosion (high threshold);
    the threshold is picked so the final 32x32 bitmap has Digits' ink fraction. The bounding
    box grows with the strokes, which changes the final scale, so this repeats: a round that
    finds the count of the round before gives the same mask, so three rounds always settle.
    """
    blurred = op.matmul(op.matmul(_gaussian_matrix(size(coverage, 0)), coverage),
                        op.transpose(_gaussian_matrix(size(coverage, 1)), perm=[1, 0]))
    values = op.reshape(blurred, i64([-1]))
    strongest = op.reduce_max(values, keepdims=0)
    floor = as_f32(op.mul(as_f64(strongest), f64(0.05)))
    # The count-th largest value is never below the floor unless fewer values reach it: select
    # among those only. Each round selects its count largest, unsorted, and takes their least (as
    # numpy's partition: a selection, cheaper in onnxruntime than sorting the candidates;
    # docs/results.md, "The featurizer graph").
    candidates = op.compress(values, op.greater_or_equal(values, floor))
    reaching = size(candidates, 0)
    target = DIGITS_INK_FRACTION * BITMAP_SIDE**2
    scale = f64([(WORK_SIDE / BITMAP_SIDE) ** 2])
    mask = op.greater_or_equal(blurred, strongest)
    for _ in range(STROKE_ROUNDS):
        count = op.clip(as_i64(op.round(op.mul(f64(target), scale))), i64(1), scalar(size(values, 0)))
        largest, _ = op.top_k(candidates, minimum(count, reaching), axis=0, largest=1, sorted=0)
        kth = op.reduce_min(largest, keepdims=0)
        mask = op.greater_or_equal(blurred, op.where(op.greater(count, reaching), floor, kth))
        first, last, _ = ink_bounds(mask)
        extent = op.add(op.reduce_max(op.sub(last, first), keepdims=1), i64([1]))
        side = op.div(as_f64(extent), f64(float(BITMAP_SIDE)))
        scale = op.mul(side, side)
    return mask


def views(patch: Var) -> tuple[Var, Var, Var]:
    """The stroke patch -> each view (VIEW_ROTATIONS) on a common canvas: (bool[V, H, W] at the top
    left, zeros around it; int64[V, 2] first row and column of its ink, int64[V, 2] last ones).
    The upright view is the patch itself."""
    assert VIEW_ROTATIONS[0] == 0.0
    rotated = turned(patch, VIEW_ROTATIONS[1:])
    height = maximum(size(patch, 0), size(rotated, 1))
    width = maximum(size(patch, 1), size(rotated, 2))
    zero = i64([0, 0, 0])

    def padded(canvas: Var) -> Var:
        missing = op.sub(op.concat([height, width], axis=0), op.shape(canvas, start=1))
        return op.pad(canvas, op.concat([zero, i64([0]), missing], axis=0))

    canvases = op.concat([padded(op.unsqueeze(patch, i64([0]))), padded(rotated)], axis=0)
    first, last, _ = ink_bounds(canvases)
    return canvases, first, last


def turned(patch: Var, angles: tuple[float, ...]) -> Var:
    """The stroke patch turned by each of `angles` (degrees, counter-clockwise): Pillow's
    rotate(angle, NEAREST, expand=True), i.e. its 16.16 fixed-point affine loop (Geometry.c), as
    bool[len(angles), H, W]: each canvas at the top left, zeros around it.

    Image.rotate's matrix arithmetic is done on (x, y) pairs at once, each product and sum rounded
    as Python rounds a * x + b * y + c, so the canvas size and offsets are Pillow's exactly."""
    matrices = []
    for degrees in angles:
        radians = -math.radians(degrees % 360.0)
        cos = round(math.cos(radians), 15)
        sin = round(math.sin(radians), 15)
        matrices.append([[cos, sin], [-sin, cos]])
    rotation = np.array(matrices)  # [V, 2, 2]
    count = len(angles)

    def affine(points: Var, offset: Var) -> Var:
        """(a * x + b * y) + c for each row of each view's rotation: points [V or 1, n, 2] -> [V, n, 2]."""
        products = op.mul(op.unsqueeze(points, i64([-2])), f64(rotation.reshape(count, 1, 2, 2).tolist()))
        return op.add(op.reduce_sum(products, i64([-1]), keepdims=0), offset)

    extent = as_f64(op.gather(op.shape(patch), i64([1, 0])))  # (w, h)
    centre = op.reshape(op.div(extent, f64(2.0)), i64([1, 1, 2]))
    offset = op.add(affine(op.neg(centre), f64([0.0, 0.0])), centre)
    corners = affine(op.mul(f64([[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]), extent), offset)
    canvas = op.sub(op.ceil(op.reduce_max(corners, i64([1]), keepdims=1)),
                    op.floor(op.reduce_min(corners, i64([1]), keepdims=1)))  # [V, 1, 2]
    offset = affine(op.div(op.neg(op.sub(canvas, extent)), f64(2.0)), offset)
    # Geometry.c's affine_fixed: FIX(v) = floor(v * 65536 + 0.5); the pixel centre's half steps
    # are added to the offsets first, the source pixel is the fixed-point value >> 16.
    steps = np.floor(rotation * 65536.0 + 0.5)
    start = op.add(op.add(offset, f64((rotation[:, None, :, 0] * 0.5).tolist())),
                   f64((rotation[:, None, :, 1] * 0.5).tolist()))
    start = op.reshape(op.floor(op.add(op.mul(start, f64(65536.0)), f64(0.5))), i64([count, 2, 1, 1]))
    # From here on whole numbers below 2**24 (a patch is at most 96 pixels a side, so every
    # fixed-point coordinate is below 2**23): float32 holds them exactly, at half float64's traffic.
    start = as_f32(start)
    largest = as_i64(op.reduce_max(canvas, i64([0, 1]), keepdims=0))  # the common canvas (w, h)
    columns = arange(op.slice(largest, i64([0]), i64([1])), np.float32, axis=1)  # [1, W]
    rows = arange(op.slice(largest, i64([1]), i64([2])), np.float32, axis=0)  # [H, 1]
    fixed = op.add(op.add(start, op.mul(rows, f32(steps[:, :, 1].reshape(count, 2, 1, 1)))),
                   op.mul(columns, f32(steps[:, :, 0].reshape(count, 2, 1, 1))))
    source = op.floor(op.div(fixed, f32(65536.0)))  # [V, (x, y), H, W]
    extent = as_f32(extent)
    limit = op.reshape(op.sub(extent, f32(1.0)), i64([1, 2, 1, 1]))
    clamped = op.min([op.max([source, f32(0.0)]), limit])
    inside = op.less(op.reduce_sum(op.abs(op.sub(clamped, source)), i64([1]), keepdims=0), f32(0.5))
    sides = op.reshape(as_f32(canvas), i64([count, 2, 1, 1]))
    on_canvas = op.and_(op.less(columns, op.squeeze(op.slice(sides, i64([0]), i64([1]), i64([1])), i64([1]))),
                        op.less(rows, op.squeeze(op.slice(sides, i64([1]), i64([2]), i64([1])), i64([1]))))
    index = op.reduce_sum(op.mul(clamped, op.reshape(op.concat([f32([1.0]), op.slice(extent, i64([0]), i64([1]))],
                                                               axis=0), i64([1, 2, 1, 1]))), i64([1]), keepdims=0)
    picked = op.gather(op.reshape(patch, i64([-1])), as_i64(index))
    return op.and_(op.and_(inside, on_canvas), picked)


def place_by_mass(fitted: Var, extent: Var) -> tuple[Var, Var]:
    """bool[V, 32, 32], each fitted view at the top left (int64[V, 2] its height and width) -> (each
    moved so its centre of mass is the bitmap's centre, bool[1] "a view has no ink")."""
    ink = as_f64(fitted)
    rows = op.reduce_sum(ink, i64([2]), keepdims=0)
    cols = op.reduce_sum(ink, i64([1]), keepdims=0)
    count = op.reduce_sum(rows, i64([1]), keepdims=1)
    index = arange(i64([BITMAP_SIDE]))
    # Sums of whole numbers: exact in any order, so the means are the cropped view's.
    moments = op.concat([op.reduce_sum(op.mul(rows, index), i64([1]), keepdims=1),
                         op.reduce_sum(op.mul(cols, index), i64([1]), keepdims=1)], axis=1)
    means = op.div(moments, maximum(count, f64([1.0])))
    room = op.sub(i64([BITMAP_SIDE, BITMAP_SIDE]), extent)
    start = op.clip(as_i64(op.round(op.sub(f64((BITMAP_SIDE - 1) / 2.0), means))), i64(0), None)
    start = minimum(start, room)
    line = arange(i64([BITMAP_SIDE]), np.int64)

    def mover(offset: Var) -> Var:
        """float32[V, 32, 32]: 1 where the first index is the second plus the view's offset."""
        shifted = op.add(op.reshape(line, i64([1, 1, -1])), op.reshape(offset, i64([-1, 1, 1])))
        return as_f32(op.equal(op.reshape(line, i64([1, -1, 1])), shifted))

    down = mover(op.slice(start, i64([0]), i64([1]), i64([1])))
    across = op.transpose(mover(op.slice(start, i64([1]), i64([2]), i64([1]))), perm=[0, 2, 1])
    # Products of 0/1 matrices with one 1 a row: exact moves.
    placed = op.greater_or_equal(op.matmul(op.matmul(down, as_f32(fitted)), across), f32(0.5))
    return placed, op.reshape(op.equal(op.reduce_min(count, keepdims=0), f64(0.0)), i64([1]))


def bitmap_to_features(bitmaps: Var) -> Var:
    """bool[V, 32, 32] -> float32[V, 64]: ink pixels counted in each 4x4 block, as optdigits did."""
    blocks = op.reshape(as_f32(bitmaps), i64([-1, GRID_SIDE, BLOCK, GRID_SIDE, BLOCK]))
    return op.reshape(op.reduce_sum(blocks, i64([2, 4]), keepdims=0), i64([-1, N_FEATURES]))


def _dot(a: Var, b: Var) -> Var:
    """Two vectors -> float[1]."""
    return op.reduce_sum(op.mul(a, b), keepdims=1)
