"""Pure rendering: a glyph skeleton plus drawing parameters -> a PIL image.

Strokes are painted the way a paint program's round brush does it: a polyline of the given width
with round joins and caps, anti-aliased by painting at `supersample` times the resolution and
box-averaging down (so each pixel's ink is its true coverage). Randomness lives only in
`DrawParams` (including `noise_seed`), so the same parameters always give the same pixels.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, floor, radians

import numpy as np
from PIL import Image, ImageDraw

from evaluation.drawings.skeletons import GLYPH_HEIGHT, GLYPH_WIDTH, Glyph, Piece

Polyline = np.ndarray  # float array of shape (n, 2), canvas pixels
RGBA = tuple[int, int, int, int]

_SAMPLES_PER_SEGMENT = 10


@dataclass(frozen=True)
class Pose:
    """How this hand deforms the ideal glyph (all in glyph units, 1.0 = glyph height)."""

    slant: float = 0.0  # shear: x moves by -slant * (y - 0.5); positive leans right
    rotation_deg: float = 0.0  # anticlockwise on screen
    aspect: float = 1.0  # width multiplier
    jitter: float = 0.0  # std-dev of the displacement of each hand-placed point
    tremor: float = 0.0  # std-dev of the smoothed wobble along the dense path
    noise_seed: int = 0


@dataclass(frozen=True)
class DrawParams:
    canvas: tuple[int, int]  # (width, height) in pixels
    mode: str  # PIL mode of the saved image: "RGB", "RGBA" or "L"
    background: RGBA
    ink: RGBA
    stroke_width: float  # brush diameter in pixels
    glyph_height: float  # pixels from top to bottom of the undeformed glyph
    centre: tuple[float, float]  # where the glyph's centre lands, in pixels
    pose: Pose = Pose()
    supersample: int = 4
    hard_edges: bool = False  # a pencil tool: each pixel is either ink or background


def catmull_rom(points: Sequence[tuple[float, float]], samples: int = _SAMPLES_PER_SEGMENT) -> np.ndarray:
    """A smooth curve through every point (uniform Catmull-Rom, end points repeated)."""
    p = np.asarray(points, dtype=float)
    if len(p) == 2:  # a straight piece, sampled as densely so a trembling hand bends it too
        t = np.linspace(0.0, 1.0, samples + 1)[:, None]
        return p[0] + (p[1] - p[0]) * t
    padded = np.vstack([p[:1], p, p[-1:]])
    t = np.linspace(0.0, 1.0, samples, endpoint=False)[:, None]
    t2, t3 = t * t, t * t * t
    out = []
    for i in range(len(p) - 1):
        p0, p1, p2, p3 = padded[i : i + 4]
        out.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                + (3 * p1 - p0 - 3 * p2 + p3) * t3
            )
        )
    out.append(p[-1:])
    return np.vstack(out)


def _jittered(piece: Piece, rng: np.random.Generator, jitter: float, corners: dict) -> np.ndarray:
    """Move each hand-placed point a little; a corner shared by two pieces moves once."""
    moved = []
    for point in piece:
        if point not in corners:
            corners[point] = np.asarray(point) + rng.normal(0.0, jitter, 2)
        moved.append(corners[point])
    return np.asarray(moved)


def _tremble(path: np.ndarray, rng: np.random.Generator, tremor: float) -> np.ndarray:
    if tremor <= 0 or len(path) < 5:
        return path
    noise = rng.normal(0.0, tremor, path.shape)
    kernel = np.ones(5) / 5  # low-pass: a hand wobbles, it does not buzz
    smooth = np.column_stack([np.convolve(noise[:, k], kernel, mode="same") for k in range(2)])
    return path + smooth


def trace(glyph: Glyph, pose: Pose) -> list[np.ndarray]:
    """The glyph's strokes as dense polylines in glyph units, deformed by the pose."""
    rng = np.random.default_rng(pose.noise_seed)
    corners: dict = {}
    strokes = []
    for stroke in glyph.strokes:
        pieces = [catmull_rom(_jittered(piece, rng, pose.jitter, corners)) for piece in stroke]
        strokes.append(_tremble(np.vstack(pieces), rng, pose.tremor))
    return strokes


def _to_canvas(strokes: list[np.ndarray], params: DrawParams) -> list[np.ndarray]:
    pose = params.pose
    angle = radians(pose.rotation_deg)
    # Screen y points down, so an anticlockwise turn on screen uses -angle in these coordinates.
    rot = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    out = []
    for s in strokes:
        x = (s[:, 0] - GLYPH_WIDTH / 2) * pose.aspect
        y = s[:, 1] - GLYPH_HEIGHT / 2
        x = x - pose.slant * y
        xy = np.column_stack([x, y]) @ rot.T
        out.append(xy * params.glyph_height + np.asarray(params.centre))
    return out


def keep_on_canvas(strokes: list[np.ndarray], canvas: tuple[int, int], margin: float) -> list[np.ndarray]:
    """Shrink and shift a digit that a wide pose pushed past the edge: people draw inside the canvas."""
    pts = np.vstack(strokes)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    room = np.asarray(canvas, dtype=float) - 2 * margin
    scale = min(1.0, *(room / np.maximum(hi - lo, 1e-9)))
    mid = (lo + hi) / 2
    half = (hi - lo) * scale / 2
    new_mid = np.clip(mid, margin + half, np.asarray(canvas) - margin - half)
    return [(s - mid) * scale + new_mid for s in strokes]


def coverage(size: tuple[int, int], strokes: list[np.ndarray], width: float, supersample: int) -> Image.Image:
    """Ink coverage 0..255 (mode "L") of round-brush strokes on a canvas of `size`.

    Only the strokes' bounding box is painted at high resolution, so a small digit on a large
    canvas costs no more than a small canvas.
    """
    mask = Image.new("L", size, 0)
    pts = np.vstack(strokes)
    r = width / 2 + 1
    x0 = max(0, floor(pts[:, 0].min() - r))
    y0 = max(0, floor(pts[:, 1].min() - r))
    x1 = min(size[0], ceil(pts[:, 0].max() + r))
    y1 = min(size[1], ceil(pts[:, 1].max() + r))
    if x1 <= x0 or y1 <= y0:
        return mask
    ss = supersample
    big = Image.new("L", ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    draw = ImageDraw.Draw(big)
    w = max(1, round(width * ss))
    rad = w / 2
    for s in strokes:
        p = (s - (x0, y0)) * ss
        flat = [tuple(q) for q in p]
        draw.line(flat, fill=255, width=w, joint="curve")
        for cx, cy in (flat[0], flat[-1]):  # round caps
            draw.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=255)
    mask.paste(big.resize((x1 - x0, y1 - y0), Image.Resampling.BOX), (x0, y0))
    return mask


def compose(mask: Image.Image, ink: RGBA, background: RGBA, mode: str) -> Image.Image:
    """Ink over background through the coverage mask, saved in `mode`."""
    ink_layer = Image.new("RGBA", mask.size, ink)
    canvas = Image.new("RGBA", mask.size, background)
    return Image.composite(ink_layer, canvas, mask).convert(mode)


def render(glyph: Glyph, params: DrawParams) -> Image.Image:
    margin = params.stroke_width / 2 + (1.0 if min(params.canvas) > 8 else 0.0)
    strokes = keep_on_canvas(_to_canvas(trace(glyph, params.pose), params), params.canvas, margin)
    mask = coverage(params.canvas, strokes, params.stroke_width, params.supersample)
    if params.hard_edges:
        # Under half a pixel covered still reads as "the pencil touched it", so thin lines survive.
        mask = mask.point(lambda v: 255 if v >= 110 else 0)
    return compose(mask, params.ink, params.background, params.mode)
