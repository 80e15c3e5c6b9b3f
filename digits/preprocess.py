"""Image -> the 64 features the model was trained on. Pure functions, no Flask, no model.

scikit-learn's Digits come from UCI optdigits: each NIST digit was scaled into a 32x32 bitmap,
then the ink pixels were counted in 4x4 blocks, giving an 8x8 grid of values 0..16. On
load_digits every digit touches the top and bottom rows (height fills the box, aspect kept), it
is centred horizontally by mass, and ink covers the same share of the 32x32 bitmap whatever the
digit (docs/contract.md has the share). So a drawing is turned into features the same way:

    decode -> ink map (distance from the background colour) -> binary mask -> crop
    -> deslant -> narrow (Digits' aspect) -> normalise stroke thickness (to Digits' ink
    fraction) -> fit into 32x32 -> centre by mass -> binarise -> count 4x4 blocks -> float32[1, 64]

Icons of 16 px or less (e.g. 8x8) are enlarged smoothly first, then take the same path.
The rules and constants were chosen on real handwritten digits (evaluation/handwriting/real/, never a
training row); docs/real-handwriting.md has the measurements.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import numpy as np
from PIL import Image, ImageChops

from digits.contract import GRID_SIDE, N_FEATURES
from digits.decode import ANALYSIS_MAX_SIDE, DEFAULT_MAX_IMAGE_PIXELS, decode
from digits.errors import BlankImage
from digits.views import VIEW_ROTATIONS

BITMAP_SIDE: Final = 32  # optdigits' normalised bitmap
SMALL_SIDE: Final = 16  # icons up to this size are enlarged smoothly before thresholding
BLOCK: Final = BITMAP_SIDE // GRID_SIDE
DIGITS_INK_FRACTION: Final = 0.305  # mean of load_digits().data / 16; per class 0.296..0.322
WORK_SIDE: Final = 64  # strokes are normalised at 2x the bitmap resolution
WORK_PAD: Final = 16
BLUR_SIGMA: Final = 3.0  # in work pixels: lets a 1 px pen grow to Digits' ~3.5 px strokes
MIN_CONTRAST: Final = 0.12  # ink must differ from the background by 12% of full scale
INK_LEVEL: Final = 0.5  # a pixel is ink if it is at least half as far from the paper as the darkest
# An enlarged icon's strokes are a blur a pixel or two wide: a lower level keeps them whole.
ICON_INK_LEVEL: Final = 0.35
# Digits' 32x32 bitmaps are narrower than people's digits scaled the same way (measured on the
# real digits after deslanting, docs/real-handwriting.md, "What was tried"): width is scaled by this.
WIDTH_SCALE: Final = 0.8
MAX_SLANT: Final = 1.0  # shear (dx/dy) beyond 45 degrees is not handwriting slant


def image_to_features(image: Image.Image) -> np.ndarray:
    """A decoded image (any mode, any size) -> float32[1, 64] in the Digits feature space."""
    return bitmap_to_features(mask_to_bitmap(image_mask(image)))


def image_to_views(image: Image.Image) -> np.ndarray:
    """A decoded image -> float32[len(VIEW_ROTATIONS), 64]: row 0 is image_to_features(image),
    the others the same digit turned by VIEW_ROTATIONS (digits/views.py says why). Turning
    the stroke-normalised patch, not the upload, keeps the extra cost small (docs/real-handwriting.md,
    "Views")."""
    patch = _stroke_patch(image_mask(image))
    return np.vstack([bitmap_to_features(_patch_to_bitmap(_rotated(patch, angle)))
                      for angle in VIEW_ROTATIONS])


def image_mask(image: Image.Image) -> np.ndarray:
    """A decoded image -> its binary ink mask (bool[H, W]), the input of mask_to_bitmap."""
    return distance_mask(_distance(_shrink_for_analysis(image)))


def distance_mask(distance: np.ndarray) -> np.ndarray:
    """_distance's output (uint8 0..255, or float32 0..1) -> the binary ink mask."""
    if distance.dtype != np.uint8 or max(distance.shape) <= SMALL_SIDE:
        return ink_mask(_to_unit(distance) if distance.dtype == np.uint8 else distance)
    # The same mask as ink_mask(ink_map(image)) without making a float copy of every
    # pixel: the 256 possible ink values are compared with the level instead.
    strongest = float(_UNIT[distance.max()])
    if strongest < MIN_CONTRAST:
        raise BlankImage()
    lowest_ink = int(np.argmax(_UNIT >= INK_LEVEL * strongest))
    return distance >= lowest_ink


def ink_to_features(ink: np.ndarray) -> np.ndarray:
    """An ink map (0..1, any size) -> float32[1, 64]; train/augment.py renders through this too."""
    return bitmap_to_features(mask_to_bitmap(ink_mask(ink)))


def ink_mask(ink: np.ndarray) -> np.ndarray:
    """An ink map (0..1, any size) -> its binary ink mask; icons are enlarged smoothly first."""
    strongest = float(ink.max())
    if strongest < MIN_CONTRAST:
        raise BlankImage()
    level = INK_LEVEL
    if max(ink.shape) <= SMALL_SIDE:
        ink = upsample(ink, BITMAP_SIDE / max(ink.shape))
        level = ICON_INK_LEVEL
    return ink >= level * strongest


def upsample(ink: np.ndarray, factor: float,
             resample: Image.Resampling = Image.Resampling.BICUBIC) -> np.ndarray:
    """Smoothly enlarge a tiny ink map (an 8x8 icon: one pixel is a whole 4x4 block).

    Thresholding the raw pixels would give blocky, over-thick strokes; smooth enlargement
    first gives the rounded strokes Digits' bitmaps have: 8x8 paint-app icons are read right more
    often this way than taken as the 8x8 grid itself (docs/results.md, "Drawings"); on real digits
    as icons bicubic beat bilinear (docs/real-handwriting.md, "What was tried").
    """
    height, width = ink.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    image = Image.fromarray(ink.astype(np.float32))
    return np.asarray(image.resize(size, resample), dtype=np.float32)


def bytes_to_features(data: bytes, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS) -> np.ndarray:
    return image_to_features(decode(data, max_pixels))


def bytes_to_views(data: bytes, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS) -> np.ndarray:
    return image_to_views(decode(data, max_pixels))


def ink_map(image: Image.Image) -> np.ndarray:
    """How far each pixel is from the background, 0..1 (float32[H, W]).

    Measuring distance from the paper colour (not darkness) makes dark-on-light, light-on-dark
    and coloured ink the same problem. A transparent background means the alpha is the ink.
    """
    distance = _distance(image)
    return _to_unit(distance) if distance.dtype == np.uint8 else distance


def _distance(image: Image.Image) -> np.ndarray:
    """ink_map's distance before scaling to 0..1: uint8 0..255 for 8-bit images, else float32 0..1."""
    mode = image.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        values = np.asarray(image, dtype=np.float32)
        full_scale = 65535.0 if mode.startswith("I;16") or values.max() > 255 else 255.0
        if mode == "F" and values.max() <= 1.0:
            full_scale = 1.0
        return np.abs(values - np.median(_border(values))) / full_scale
    if _has_alpha(image):
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"))
        if np.median(_border(alpha)) < 128:
            return alpha
        image = rgba.convert("RGB")
    target = "L" if mode in ("1", "L", "LA") else "RGB"
    if image.mode != target:
        image = image.convert(target)
    background = np.round(np.median(_image_border(image), axis=0)).astype(np.uint8)
    # |pixel - background| in Pillow's C loops, on uint8 (exact: no value can leave 0..255).
    paper = Image.new(target, image.size, tuple(int(v) for v in np.atleast_1d(background)))
    distance = ImageChops.difference(image, paper)
    if target == "RGB":
        # Chebyshev distance over R, G, B: yellow on white counts as much as black on white.
        red, green, blue = distance.split()
        distance = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return np.asarray(distance)


def _to_unit(values: np.ndarray) -> np.ndarray:
    """uint8 0..255 -> float32 0..1, in one pass."""
    return np.divide(values, np.float32(255.0), dtype=np.float32)


# Every uint8 distance as ink_map scales it (the same division, so the same float32 values).
_UNIT: Final = _to_unit(np.arange(256, dtype=np.uint8))


def mask_to_bitmap(mask: np.ndarray) -> np.ndarray:
    """Binary ink mask (any size) -> bool[32, 32] laid out like an optdigits bitmap."""
    return _patch_to_bitmap(_stroke_patch(mask))


def _stroke_patch(mask: np.ndarray) -> np.ndarray:
    """Mask -> the deslanted, narrowed digit at the work size with Digits' stroke thickness,
    cropped to its ink (bool)."""
    mask = _narrow(_deslant(_crop(mask)))
    work = _fit(mask.astype(np.float32), WORK_SIDE)
    work = np.pad(work, WORK_PAD)
    return _crop(_normalise_strokes(work))


def _patch_to_bitmap(patch: np.ndarray) -> np.ndarray:
    return _place_by_mass(_fit(patch.astype(np.float32), BITMAP_SIDE) >= 0.5)


def _rotated(patch: np.ndarray, degrees: float) -> np.ndarray:
    """The stroke patch turned by `degrees` (counter-clockwise), cropped to its ink again."""
    if degrees == 0.0:
        return patch
    # Nearest on the binary patch: what bilinear then a 0.5 threshold would give, on uint8 instead
    # of float32 and much faster (docs/real-handwriting.md, "Views").
    image = Image.fromarray(patch.view(np.uint8)).rotate(degrees, Image.Resampling.NEAREST, expand=True)
    turned = np.asarray(image).view(bool)
    return _crop(turned) if turned.any() else patch


def bitmap_to_features(bitmap: np.ndarray) -> np.ndarray:
    """bool[32, 32] -> float32[1, 64]: ink pixels counted in each 4x4 block, as optdigits did."""
    blocks = bitmap.reshape(GRID_SIDE, BLOCK, GRID_SIDE, BLOCK).sum(axis=(1, 3))
    return blocks.astype(np.float32).reshape(1, N_FEATURES)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _border(pixels: np.ndarray) -> np.ndarray:
    """The one-pixel frame of an image, as a flat array of pixels (channels kept)."""
    frame = [pixels[0], pixels[-1], pixels[1:-1, 0], pixels[1:-1, -1]]
    return np.concatenate([np.asarray(side).reshape(-1, *pixels.shape[2:]) for side in frame])


def _image_border(image: Image.Image) -> np.ndarray:
    """_border of an image's pixels, read from four strips instead of a copy of every pixel."""
    width, height = image.size
    if height < 3 or width < 3:
        return _border(np.asarray(image))
    strips = [(0, 0, width, 1), (0, height - 1, width, height), (0, 1, 1, height - 1),
              (width - 1, 1, width, height - 1)]
    channels = () if image.mode == "L" else (len(image.getbands()),)
    return np.concatenate([np.asarray(image.crop(box)).reshape(-1, *channels) for box in strips])


def _shrink_for_analysis(image: Image.Image) -> Image.Image:
    factor = -(-max(image.size) // ANALYSIS_MAX_SIDE)  # ceil division
    if factor <= 1:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    return image.reduce(factor)


def _crop(mask: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise BlankImage()
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _deslant(mask: np.ndarray) -> np.ndarray:
    """Shear so the ink's principal axis is vertical (x shift per row = mu11 / mu02)."""
    # The moments from per-row ink counts and x sums: no coordinate array per ink pixel.
    ink = mask.view(np.uint8)
    counts = ink.sum(axis=1, dtype=np.int64)
    total = int(counts.sum())
    y = np.arange(mask.shape[0], dtype=np.float64)
    x_sums = ink @ np.arange(mask.shape[1], dtype=np.float64)
    dy = y - float(y @ counts) / total
    mu02 = float((dy * dy) @ counts) / total
    if mu02 == 0.0:
        return mask
    mu11 = float(dy @ (x_sums - counts * (x_sums.sum() / total))) / total
    slant = float(np.clip(mu11 / mu02, -MAX_SLANT, MAX_SLANT))
    if abs(slant) < 0.05:
        return mask
    height, width = mask.shape
    extra = int(np.ceil(abs(slant) * height))
    # Output (x, y) samples input (x + slant * (y - cy) - offset, y): the shifted rows line up.
    offset = extra / 2.0
    return _crop(_shear_rows(mask, slant, width + extra, -slant * (height - 1) / 2.0 - offset))


# Pillow's bilinear transform runs a generic per-pixel filter, several times slower than its
# fixed-point nearest one (docs/real-handwriting.md, "Views"). On a 0/255 mask thresholded at 128
# the two agree except on rows whose sub-pixel offset lies within 1/255 of half a pixel (and the
# fixed point's rounding, under 0.003 px):
# rows that close are recomputed with the bilinear filter's own arithmetic, so the result is
# exactly what Image.transform(..., BILINEAR) >= 128 gives (tests/digits/test_shear.py).
# Below _SMALL_SHEAR pixels (an enlarged icon) numpy's per-call overhead outweighs the saving.
_TIE_MARGIN: Final = 0.01
_SMALL_SHEAR: Final = 64 * 64


def _shear_rows(mask: np.ndarray, slant: float, new_width: int, shift: float) -> np.ndarray:
    """Output pixel (x, y) = input (x + slant * y + shift, y), as BILINEAR then >= 128 would."""
    height, width = mask.shape
    coefficients = (1.0, slant, shift, 0.0, 1.0, 0.0)
    if mask.size < _SMALL_SHEAR:
        sheared = Image.fromarray(mask.view(np.uint8) * np.uint8(255)).transform(
            (new_width, height), Image.Transform.AFFINE, coefficients, resample=Image.Resampling.BILINEAR)
        return np.asarray(sheared) >= 128
    sheared = Image.fromarray(mask.view(np.uint8)).transform(
        (new_width, height), Image.Transform.AFFINE, coefficients, resample=Image.Resampling.NEAREST)
    result = np.array(sheared).view(bool)
    y = np.arange(height, dtype=np.float64) + 0.5
    fraction = (slant * y + shift) % 1.0
    ties = np.flatnonzero(np.abs(fraction - 0.5) < _TIE_MARGIN)
    if ties.size:
        # Pillow's bilinear_filter8: x_in = (x + 0.5) + slant * (y + 0.5) + shift, inside the image
        # when 0 <= x_in < width; then x_in - 0.5 between the two nearest pixels (edges
        # clamped), and the value truncated to uint8.
        x_in = (np.arange(new_width, dtype=np.float64) + 0.5)[None, :] + slant * y[ties, None] + shift
        position = x_in - 0.5
        left = np.floor(position)
        weight = position - left
        left = left.astype(np.intp)
        rows = ties[:, None]
        low = mask[rows, np.clip(left, 0, width - 1)] * 255.0
        high = mask[rows, np.clip(left + 1, 0, width - 1)] * 255.0
        value = low + (high - low) * weight
        result[ties] = (x_in >= 0.0) & (x_in < width) & (value >= 128.0)
    return result


def _narrow(mask: np.ndarray) -> np.ndarray:
    """Scale the width by WIDTH_SCALE (height kept), to Digits' proportions."""
    height, width = mask.shape
    narrow = max(1, round(width * WIDTH_SCALE))
    image = Image.fromarray(mask.astype(np.uint8) * 255).resize((narrow, height), Image.Resampling.BILINEAR)
    narrowed = np.asarray(image) >= 128
    return _crop(narrowed) if narrowed.any() else mask


def _fit(values: np.ndarray, side: int) -> np.ndarray:
    """Scale (area-averaged, aspect kept) so the longer side is `side`; returns coverage 0..1."""
    height, width = values.shape
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(values.astype(np.float32))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    return np.asarray(image.resize(size, resample), dtype=np.float32)


@lru_cache(maxsize=WORK_SIDE)
def _gaussian_matrix(n: int, sigma: float) -> np.ndarray:
    """The n x n blur as a matrix, kept: the work array's sides take at most WORK_SIDE values."""
    idx = np.arange(n, dtype=np.float32)
    kernel = np.exp(-0.5 * ((idx[:, None] - idx[None, :]) / sigma) ** 2)
    kernel = kernel / kernel.sum(axis=1, keepdims=True)
    kernel.flags.writeable = False
    return kernel


def _normalise_strokes(coverage: np.ndarray) -> np.ndarray:
    """Thin pen or fat brush -> strokes as thick as Digits' (by their share of the bitmap).

    Blurring then thresholding is a dilation (low threshold) or an erosion (high threshold);
    the threshold is picked so the final 32x32 bitmap has Digits' ink fraction. The bounding
    box grows with the strokes, which changes the final scale, so this settles in a few rounds.
    """
    height, width = coverage.shape
    blurred = _gaussian_matrix(height, BLUR_SIGMA) @ coverage @ _gaussian_matrix(width, BLUR_SIGMA).T
    values = blurred.ravel()
    strongest = float(values.max())
    floor = 0.05 * strongest
    target = DIGITS_INK_FRACTION * BITMAP_SIDE**2
    scale = (WORK_SIDE / BITMAP_SIDE) ** 2
    mask = blurred >= strongest
    last_count = -1
    for _ in range(3):
        count = int(np.clip(round(target * scale), 1, values.size))
        if count == last_count:
            break  # the same count gives the same threshold, mask and scale: settled
        last_count = count
        # The count-th largest value: a partial sort finds it without sorting everything.
        kth = values.size - count
        threshold = max(float(np.partition(values, kth)[kth]), floor)
        mask = blurred >= threshold
        rows = np.flatnonzero(mask.any(axis=1))
        cols = np.flatnonzero(mask.any(axis=0))
        extent = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
        scale = (extent / BITMAP_SIDE) ** 2
    return mask


def _place_by_mass(patch: np.ndarray) -> np.ndarray:
    """Put the fitted digit in the 32x32 bitmap with its centre of mass at the centre."""
    bitmap = np.zeros((BITMAP_SIDE, BITMAP_SIDE), dtype=bool)
    height, width = patch.shape
    rows = patch.sum(axis=1)
    count = int(rows.sum())
    if count == 0:
        raise BlankImage()
    # Means of the ink's coordinates from integer row/column sums: exactly ys.mean(), xs.mean().
    mean_y = int(rows @ np.arange(height)) / count
    mean_x = int(patch.sum(axis=0) @ np.arange(width)) / count
    centre = (BITMAP_SIDE - 1) / 2.0
    top = int(np.clip(round(centre - mean_y), 0, BITMAP_SIDE - height))
    left = int(np.clip(round(centre - mean_x), 0, BITMAP_SIDE - width))
    bitmap[top : top + height, left : left + width] = patch
    return bitmap
