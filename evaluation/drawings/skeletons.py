"""Hand-designed pen paths for each digit, in several writing styles.

A glyph is drawn in a box 0.6 wide and 1.0 tall (x right, y down), the way a person drags a
mouse: each stroke is one press of the button, and a stroke is a chain of smooth pieces that
meet at sharp corners (the top-right corner of a 7, the foot of a 2). The points were placed by
hand on graph paper; they are not traced from any Digits row.
"""

from dataclasses import dataclass
from math import cos, pi, sin
from typing import Final

Point = tuple[float, float]
Piece = tuple[Point, ...]  # interpolated smoothly through its points
Stroke = tuple[Piece, ...]  # consecutive pieces share an end point: a corner

GLYPH_WIDTH: Final = 0.6
GLYPH_HEIGHT: Final = 1.0


@dataclass(frozen=True)
class Glyph:
    label: int
    variant: str
    strokes: tuple[Stroke, ...]


def _ellipse(cx: float, cy: float, rx: float, ry: float, start: float, turn: float, n: int) -> Piece:
    """Points along an ellipse, anticlockwise on screen from `start` radians through `turn`."""
    return tuple(
        (cx + rx * cos(start + turn * i / (n - 1)), cy - ry * sin(start + turn * i / (n - 1)))
        for i in range(n)
    )


def _one(*pieces: Piece) -> tuple[Stroke, ...]:
    return (tuple(pieces),)


_GLYPHS: Final = (
    # 0: most people start at the top and go anticlockwise, often overshooting the start.
    Glyph(0, "oval", _one(_ellipse(0.3, 0.5, 0.28, 0.49, pi / 2, 2 * pi, 13))),
    Glyph(0, "narrow_overlap", _one(_ellipse(0.3, 0.5, 0.2, 0.49, 0.4 * pi, 2.2 * pi, 14))),
    Glyph(0, "leaning_egg", _one(((0.4, 0.02), (0.12, 0.15), (0.03, 0.6), (0.2, 0.98),
                                  (0.48, 0.85), (0.58, 0.35), (0.45, 0.03), (0.33, 0.06)))),
    # 1: a bare bar, with a flag, with a flag and a foot.
    Glyph(1, "bar", _one(((0.32, 0.0), (0.3, 0.5), (0.28, 1.0)))),
    Glyph(1, "flag", _one(((0.1, 0.24), (0.34, 0.0)), ((0.34, 0.0), (0.33, 1.0)))),
    Glyph(1, "flag_foot", _one(((0.12, 0.2), (0.33, 0.0)), ((0.33, 0.0), (0.32, 1.0)))
          + _one(((0.1, 0.99), (0.55, 0.99)))),
    # 2: a round hook with a corner at the foot, or an angular "Z"-like one.
    Glyph(2, "curvy", _one(((0.04, 0.22), (0.18, 0.03), (0.4, 0.01), (0.56, 0.2), (0.5, 0.42),
                            (0.28, 0.66), (0.02, 0.98)), ((0.02, 0.98), (0.6, 0.97)))),
    Glyph(2, "angular", _one(((0.03, 0.15), (0.3, 0.0), (0.55, 0.13), (0.52, 0.33)),
                             ((0.52, 0.33), (0.03, 0.99)), ((0.03, 0.99), (0.58, 0.99)))),
    Glyph(2, "looped_foot", _one(((0.05, 0.2), (0.25, 0.01), (0.5, 0.08), (0.52, 0.35),
                                  (0.25, 0.72), (0.06, 0.95), (0.15, 1.0), (0.22, 0.9),
                                  (0.35, 0.94), (0.6, 0.97)))),
    # 3: two bumps with a cusp in the middle, or a flat top.
    Glyph(3, "round", _one(((0.04, 0.12), (0.28, 0.0), (0.52, 0.1), (0.5, 0.33), (0.24, 0.47)),
                           ((0.24, 0.47), (0.52, 0.6), (0.56, 0.82), (0.32, 1.0), (0.02, 0.9)))),
    Glyph(3, "flat_top", _one(((0.05, 0.01), (0.56, 0.01)), ((0.56, 0.01), (0.24, 0.42)),
                              ((0.24, 0.42), (0.5, 0.52), (0.57, 0.78), (0.3, 1.0), (0.02, 0.88)))),
    # 4: open (two strokes, the left one a hook) and closed (a triangle on the stem).
    Glyph(4, "open", _one(((0.1, 0.0), (0.04, 0.62)), ((0.04, 0.62), (0.6, 0.62)))
          + _one(((0.45, 0.12), (0.45, 1.0)))),
    Glyph(4, "closed", _one(((0.44, 1.0), (0.44, 0.0)), ((0.44, 0.0), (0.0, 0.66)),
                            ((0.0, 0.66), (0.6, 0.66)))),
    Glyph(4, "open_diagonal", _one(((0.36, 0.0), (0.0, 0.64)), ((0.0, 0.64), (0.6, 0.64)))
          + _one(((0.44, 0.3), (0.44, 1.0)))),
    # 5: hat drawn last, or drawn first in one stroke.
    Glyph(5, "two_strokes", _one(((0.08, 0.02), (0.05, 0.46)),
                                 ((0.05, 0.46), (0.3, 0.38), (0.52, 0.5), (0.56, 0.75),
                                  (0.34, 0.98), (0.03, 0.9)))
          + _one(((0.08, 0.02), (0.56, 0.01)))),
    Glyph(5, "one_stroke", _one(((0.56, 0.0), (0.09, 0.01)), ((0.09, 0.01), (0.06, 0.44)),
                                ((0.06, 0.44), (0.32, 0.37), (0.55, 0.53), (0.54, 0.8),
                                 (0.3, 0.99), (0.02, 0.88)))),
    # 6: a curved stem into a loop, or a straight stem.
    Glyph(6, "curved", _one(((0.5, 0.03), (0.25, 0.15), (0.07, 0.5), (0.09, 0.82), (0.3, 1.0),
                             (0.52, 0.86), (0.52, 0.64), (0.3, 0.52), (0.09, 0.66)))),
    Glyph(6, "straight", _one(((0.46, 0.0), (0.1, 0.55), (0.1, 0.82), (0.3, 1.0), (0.53, 0.82),
                               (0.46, 0.58), (0.22, 0.55), (0.08, 0.7)))),
    # 7: plain, with a bar, with a bowed stem.
    Glyph(7, "plain", _one(((0.02, 0.03), (0.58, 0.02)), ((0.58, 0.02), (0.22, 1.0)))),
    Glyph(7, "barred", _one(((0.02, 0.03), (0.58, 0.02)), ((0.58, 0.02), (0.22, 1.0)))
          + _one(((0.14, 0.52), (0.52, 0.5)))),
    Glyph(7, "bowed", _one(((0.0, 0.08), (0.2, 0.03), (0.58, 0.02)),
                           ((0.58, 0.02), (0.4, 0.4), (0.3, 1.0)))),
    # 8: one figure-of-eight stroke, or two stacked loops.
    Glyph(8, "one_stroke", _one(((0.5, 0.1), (0.3, 0.0), (0.08, 0.12), (0.13, 0.34), (0.45, 0.6),
                                 (0.53, 0.85), (0.3, 1.0), (0.07, 0.85), (0.14, 0.6),
                                 (0.47, 0.36), (0.52, 0.13), (0.32, 0.0)))),
    Glyph(8, "two_loops", _one(_ellipse(0.3, 0.24, 0.2, 0.23, pi / 2, 2 * pi, 11))
          + _one(_ellipse(0.3, 0.73, 0.27, 0.27, pi / 2, 2 * pi, 12))),
    # 9: loop and a straight stem, or a stem that curls at the bottom.
    Glyph(9, "straight", _one(((0.53, 0.24), (0.3, 0.02), (0.07, 0.2), (0.14, 0.44),
                               (0.4, 0.43), (0.54, 0.2)), ((0.54, 0.2), (0.52, 1.0)))),
    Glyph(9, "curled", _one(((0.53, 0.24), (0.3, 0.02), (0.07, 0.2), (0.14, 0.44),
                             (0.4, 0.43), (0.54, 0.2)),
                            ((0.54, 0.2), (0.52, 0.62), (0.42, 0.9), (0.22, 1.0), (0.04, 0.9)))),
)


def glyphs_for(label: int) -> tuple[Glyph, ...]:
    """Every writing style of one digit."""
    return tuple(g for g in _GLYPHS if g.label == label)


def all_glyphs() -> tuple[Glyph, ...]:
    return _GLYPHS
