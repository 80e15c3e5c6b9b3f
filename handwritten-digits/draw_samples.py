"""Render the sample PNGs in this folder from the mouse paths written out below.

Run from the repository root:  PYTHONPATH=. .venv/bin/python handwritten-digits/draw_samples.py

Each sample is a list of strokes (button down ... button up) in the canvas' own pixels, placed by
hand the way one drags a mouse in a paint app, then painted with the same anti-aliased round
brush as the evaluation set (evaluation/drawings/render.py). The two 8x8 samples are pixel art, one
character per pixel. Nothing here reads scikit-learn's Digits.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from evaluation.drawings.render import catmull_rom, compose, coverage

HERE = Path(__file__).resolve().parent
WHITE = (255, 255, 255, 255)
BLACK = (0, 0, 0, 255)
GRAPHITE = (40, 40, 45, 255)


@dataclass(frozen=True)
class Sample:
    name: str
    canvas: tuple[int, int]
    brush: float  # diameter in pixels
    strokes: tuple[tuple[tuple[float, float], ...], ...]
    ink: tuple[int, int, int, int] = BLACK
    mode: str = "RGB"


SAMPLES = (
    Sample("digit_0", (280, 280), 15, (
        ((150, 48), (110, 60), (85, 110), (88, 180), (120, 228), (165, 225), (192, 175),
         (190, 100), (170, 58), (140, 50)),)),
    Sample("digit_0_b", (64, 64), 5, (
        ((34, 10), (22, 16), (16, 32), (20, 50), (32, 55), (44, 46), (47, 28), (41, 12), (30, 11)),),
        ink=GRAPHITE),
    Sample("digit_1_b", (280, 280), 14, (
        ((118, 80), (150, 46)),
        ((150, 46), (146, 140), (142, 236)))),
    Sample("digit_1_c", (200, 150), 9, (((112, 22), (104, 75), (96, 128)),)),
    Sample("digit_2", (280, 280), 15, (
        ((85, 90), (105, 55), (145, 42), (185, 60), (192, 100), (170, 140), (130, 180), (88, 225)),
        ((88, 225), (150, 222), (205, 224)))),
    Sample("digit_2_b", (28, 28), 2.4, (
        ((8, 9), (11, 5), (16, 4), (20, 7), (20, 11), (16, 16), (8, 23)),
        ((8, 23), (21, 23))), mode="L"),
    Sample("digit_3", (200, 150), 7, (
        ((72, 30), (95, 18), (122, 22), (128, 42), (105, 70)),
        ((105, 70), (130, 82), (134, 108), (112, 128), (78, 124)))),
    Sample("digit_3_b", (280, 280), 13, (
        ((80, 50), (195, 48)),
        ((195, 48), (130, 125)),
        ((130, 125), (180, 140), (195, 185), (160, 228), (110, 232), (78, 210))), ink=GRAPHITE),
    Sample("digit_4", (280, 280), 14, (
        ((95, 45), (80, 160)),
        ((80, 160), (205, 158)),
        ((175, 80), (170, 245)))),
    Sample("digit_4_b", (64, 64), 4.5, (
        ((40, 56), (41, 8)),
        ((41, 8), (12, 40)),
        ((12, 40), (52, 40)))),
    Sample("digit_5", (280, 280), 14, (
        ((100, 50), (95, 130)),
        ((95, 130), (140, 118), (180, 140), (188, 185), (160, 225), (115, 232), (85, 215)),
        ((100, 50), (190, 46)))),
    Sample("digit_5_b", (200, 150), 8, (
        ((128, 20), (84, 22)),
        ((84, 22), (80, 68)),
        ((80, 68), (104, 62), (126, 76), (128, 102), (106, 126), (76, 120)))),
    Sample("digit_6", (64, 64), 4, (
        ((44, 8), (30, 14), (19, 30), (17, 46), (26, 56), (40, 54), (45, 43), (38, 34), (25, 35),
         (18, 44)),)),
    Sample("digit_6_b", (280, 280), 12, (
        ((180, 45), (135, 70), (100, 125), (92, 180), (115, 225), (160, 230), (190, 195),
         (182, 155), (145, 140), (105, 160)),), ink=GRAPHITE),
    Sample("digit_7_b", (280, 280), 14, (
        ((70, 60), (205, 55)),
        ((205, 55), (150, 150), (118, 240)),
        ((110, 150), (190, 146)))),
    Sample("digit_7_c", (28, 28), 2.2, (((6, 5), (22, 5)), ((22, 5), (12, 24))), mode="L"),
    Sample("digit_8", (280, 280), 13, (
        ((180, 70), (150, 45), (110, 50), (95, 85), (120, 120), (165, 145), (188, 185),
         (170, 228), (125, 235), (95, 205), (105, 165), (150, 130), (182, 100), (178, 65),
         (148, 47)),)),
    Sample("digit_8_b", (200, 150), 7, (
        ((100, 18), (82, 26), (82, 46), (100, 58), (118, 46), (117, 26), (100, 18)),
        ((100, 58), (78, 72), (76, 100), (98, 124), (124, 112), (126, 80), (100, 60)))),
    Sample("digit_9", (280, 280), 14, (
        ((185, 85), (160, 50), (118, 50), (92, 80), (100, 120), (140, 130), (180, 110), (188, 80)),
        ((188, 80), (182, 160), (170, 240)))),
    Sample("digit_9_b", (64, 64), 4.5, (
        ((44, 18), (34, 8), (21, 12), (19, 24), (28, 31), (42, 26), (45, 16)),
        ((45, 16), (44, 36), (39, 52), (28, 57), (18, 52)))),
)

# 8x8 pixel art, as the original project's samples were: '#' ink, '+' a lighter touch, '.' paper.
PIXEL_ART = {
    "digit_1": (
        "....#...",
        "...##...",
        "..+##...",
        "...##...",
        "...##...",
        "...##...",
        "...##...",
        "..####..",
    ),
    "digit_7": (
        ".######.",
        "......#.",
        ".....#+.",
        "....##..",
        "...##...",
        "..+#....",
        "..##....",
        "..#.....",
    ),
}
_PIXEL_LEVELS = {"#": 0, "+": 140, ".": 255}


def paint(sample: Sample) -> Image.Image:
    strokes = [catmull_rom(stroke) for stroke in sample.strokes]
    supersample = 8 if min(sample.canvas) <= 64 else 4
    mask = coverage(sample.canvas, strokes, sample.brush, supersample)
    return compose(mask, sample.ink, WHITE, sample.mode)


def pixel_art(rows: tuple[str, ...]) -> Image.Image:
    grey = np.array([[_PIXEL_LEVELS[c] for c in row] for row in rows], dtype=np.uint8)
    return Image.fromarray(grey).convert("RGB")


def main() -> None:
    for name, rows in PIXEL_ART.items():
        pixel_art(rows).save(HERE / f"{name}.png")
    for sample in SAMPLES:
        paint(sample).save(HERE / f"{sample.name}.png")
    print(f"wrote {len(PIXEL_ART) + len(SAMPLES)} PNGs to {HERE}")


if __name__ == "__main__":
    main()
