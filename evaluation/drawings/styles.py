"""The drawing styles of the evaluation set: how each one picks canvas, brush, ink and placement.

Each style is a function of a random generator returning the `DrawParams` for one drawing, so a
(seed, style, label, index) tuple always gives the same picture.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from evaluation.drawings.render import RGBA, DrawParams, Pose

WHITE: Final[RGBA] = (255, 255, 255, 255)
TRANSPARENT: Final[RGBA] = (0, 0, 0, 0)  # what a browser canvas holds where nothing was drawn

# Saturated pen colours a paint app offers first.
_INKS: Final = ((25, 60, 200), (200, 30, 40), (20, 130, 60), (120, 40, 160), (0, 120, 170))


@dataclass(frozen=True)
class Style:
    name: str
    description: str
    sample: Callable[[np.random.Generator], DrawParams]


def sample_pose(rng: np.random.Generator) -> Pose:
    """One writer's hand: most lean right a little, some left; sizes and wobble vary."""
    return Pose(
        slant=float(rng.uniform(-0.15, 0.4)),
        rotation_deg=float(rng.uniform(-8, 8)),
        aspect=float(rng.uniform(0.75, 1.3)),
        jitter=float(rng.uniform(0.005, 0.03)),
        tremor=float(rng.uniform(0.0, 0.006)),
        noise_seed=int(rng.integers(2**31)),
    )


def _dark_ink(rng: np.random.Generator) -> RGBA:
    g = int(rng.integers(0, 50))
    return (g, g, g, 255)


def _near_centre(rng: np.random.Generator, canvas: tuple[int, int], spread: float) -> tuple[float, float]:
    w, h = canvas
    return (w / 2 + float(rng.normal(0, spread * w)), h / 2 + float(rng.normal(0, spread * h)))


def _centred_params(
    rng: np.random.Generator,
    canvases: tuple[tuple[int, int], ...],
    height_frac: tuple[float, float],
    width_frac: tuple[float, float],
    **overrides,
) -> DrawParams:
    """A digit filling most of the canvas, roughly centred: what a user draws on a blank page."""
    canvas = canvases[int(rng.integers(len(canvases)))]
    glyph_height = float(rng.uniform(*height_frac)) * min(canvas)
    fields = dict(
        canvas=canvas,
        mode="RGB",
        background=WHITE,
        ink=_dark_ink(rng),
        stroke_width=float(rng.uniform(*width_frac)) * glyph_height,
        glyph_height=glyph_height,
        centre=_near_centre(rng, canvas, 0.04),
        pose=sample_pose(rng),
    )
    fields.update(overrides)
    return DrawParams(**fields)


def large_rgb(rng: np.random.Generator) -> DrawParams:
    return _centred_params(rng, ((280, 280), (300, 300), (400, 400), (320, 240)), (0.55, 0.8), (0.05, 0.1))


def rgba_transparent(rng: np.random.Generator) -> DrawParams:
    return _centred_params(
        rng, ((200, 200), (280, 280), (256, 256)), (0.55, 0.8), (0.05, 0.1),
        mode="RGBA", background=TRANSPARENT,
    )


def small_offcentre(rng: np.random.Generator) -> DrawParams:
    """A small digit in one quadrant of a big canvas, far from the centre."""
    canvas = ((640, 480), (480, 360), (500, 500))[int(rng.integers(3))]
    w, h = canvas
    glyph_height = float(rng.uniform(0.12, 0.22)) * h
    sx, sy = rng.choice((-1, 1), size=2)
    centre = (w / 2 + sx * float(rng.uniform(0.22, 0.33)) * w, h / 2 + sy * float(rng.uniform(0.2, 0.3)) * h)
    return DrawParams(
        canvas=canvas, mode="RGB", background=WHITE, ink=_dark_ink(rng),
        stroke_width=float(rng.uniform(0.06, 0.11)) * glyph_height, glyph_height=glyph_height,
        centre=centre, pose=sample_pose(rng),
    )


def icon_8x8(rng: np.random.Generator) -> DrawParams:
    """An 8x8 icon drawn with a one-pixel pencil, no anti-aliasing."""
    return DrawParams(
        canvas=(8, 8), mode="RGB", background=WHITE, ink=(0, 0, 0, 255),
        stroke_width=float(rng.uniform(0.8, 1.1)), glyph_height=float(rng.uniform(6.0, 7.0)),
        centre=(4 + float(rng.uniform(-0.4, 0.4)), 4 + float(rng.uniform(-0.3, 0.3))),
        pose=sample_pose(rng), supersample=8, hard_edges=True,
    )


def thick_brush(rng: np.random.Generator) -> DrawParams:
    return _centred_params(rng, ((200, 200), (280, 280)), (0.55, 0.75), (0.15, 0.22))


def thin_pen(rng: np.random.Generator) -> DrawParams:
    params = _centred_params(rng, ((280, 280), (400, 400)), (0.55, 0.8), (0.05, 0.1))
    return replace(params, stroke_width=float(rng.uniform(1.0, 2.0)))


def coloured_ink(rng: np.random.Generator) -> DrawParams:
    """Coloured ink on paper-like off-white."""
    r, g, b = _INKS[int(rng.integers(len(_INKS)))]
    ink = tuple(int(np.clip(c + rng.integers(-20, 21), 0, 255)) for c in (r, g, b)) + (255,)
    paper = (int(rng.integers(238, 252)), int(rng.integers(232, 248)), int(rng.integers(215, 240)), 255)
    return _centred_params(rng, ((280, 280), (300, 300)), (0.55, 0.8), (0.05, 0.1), ink=ink, background=paper)


def grey_28(rng: np.random.Generator) -> DrawParams:
    """A 28x28 greyscale sketch, the size people know from MNIST (but dark on white)."""
    return _centred_params(rng, ((28, 28),), (0.65, 0.85), (0.08, 0.13), mode="L", supersample=8)


STYLES: Final = (
    Style("large_rgb", "280-400 px RGB canvas, dark ink on white", large_rgb),
    Style("rgba_transparent", "RGBA, transparent background (0,0,0,0) like a browser canvas", rgba_transparent),
    Style("small_offcentre", "small digit in a corner of a 480-640 px canvas", small_offcentre),
    Style("icon_8x8", "8x8 pixel icon, hard-edged pencil", icon_8x8),
    Style("thick_brush", "brush 15-22% of the digit height", thick_brush),
    Style("thin_pen", "1-2 px pen on a 280-400 px canvas", thin_pen),
    Style("coloured_ink", "blue/red/green/purple ink on off-white paper", coloured_ink),
    Style("grey_28", "28x28 greyscale (mode L)", grey_28),
)


def style_named(name: str) -> Style:
    for style in STYLES:
        if style.name == name:
            return style
    raise KeyError(name)
