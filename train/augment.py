"""Jittered copies of Digits images, rendered and counted through the server's own preprocessing.

Each 8x8 Digits grid is taken as an ink map, enlarged smoothly to 32x32, moved by a random affine
(rotation, shear, anisotropic scale), then handed as the RGBA image whose ink it is to the
recognizer's featurizer graph (train/featurize.py): mask -> deslant -> stroke normalisation ->
32x32 bitmap -> 4x4-block counts. The model thus learns from features made by the graph the
published recognizer runs on a user's drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from sklearn.model_selection import StratifiedKFold

from digits.contract import GRID_SIDE, PIXEL_MAX
from digits.errors import BlankImage
from digits.pixels import row_to_rgba
from train.featurize import ink_features, pixel_views

RENDER_SIDE = 32


@dataclass(frozen=True)
class Jitter:
    """Ranges chosen on real handwritten digits: wider ones than the earlier default scored better
    there, wider still worse again (docs/real-handwriting.md, "What was tried")."""

    max_rotation_deg: float = 20.0
    max_shear: float = 0.4
    scale_range: tuple[float, float] = (0.7, 1.3)  # per axis: narrower, wider, taller, shorter


def _affine(rng: np.random.Generator, jitter: Jitter, side: int) -> tuple[float, ...]:
    """PIL's inverse affine coefficients for a random rotation/shear/scale about the centre."""
    angle = np.deg2rad(rng.uniform(-jitter.max_rotation_deg, jitter.max_rotation_deg))
    shear = rng.uniform(-jitter.max_shear, jitter.max_shear)
    sx, sy = rng.uniform(*jitter.scale_range, size=2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    inverse = np.linalg.inv(rotation @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag([sx, sy]))
    centre = np.array([side / 2.0, side / 2.0])
    offset = centre - inverse @ centre
    return (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])


def jittered(ink: np.ndarray, rng: np.random.Generator, jitter: Jitter = Jitter()) -> np.ndarray:
    """A square ink map moved by a random affine, on a canvas padded so rotation never cuts the
    digit off (bilinear: the setting the jitter ranges were measured with; it never overshoots 0..1)."""
    side = ink.shape[0]
    canvas = Image.new("F", (side * 2, side * 2))
    canvas.paste(Image.fromarray(ink.astype(np.float32)), (side // 2, side // 2))
    moved = canvas.transform(canvas.size, Image.Transform.AFFINE, _affine(rng, jitter, canvas.size[0]),
                             resample=Image.Resampling.BILINEAR)
    return np.asarray(moved, dtype=np.float32)


def render_ink(ink: np.ndarray, rng: np.random.Generator | None, jitter: Jitter = Jitter()) -> np.ndarray:
    """A square ink map (0..1) -> float32[64]: jittered (rng=None: as it is), then the server's
    preprocessing. Every augmented row, Digits copy or font glyph (train/glyphs.py), is made here."""
    if rng is not None:
        ink = jittered(ink, rng, jitter)
    return ink_features(ink)


def render_row(row: np.ndarray, rng: np.random.Generator | None, jitter: Jitter = Jitter()
               ) -> np.ndarray:
    """One Digits row -> float32[64] through the server's preprocessing; rng=None: no jitter.

    Without jitter this is exactly what the server does with the row uploaded as an 8x8 image.
    """
    if rng is None:
        return pixel_views(row_to_rgba(row))[0]
    return render_ink(enlarged(row.reshape(GRID_SIDE, GRID_SIDE).astype(np.float32) / PIXEL_MAX), rng, jitter)


def enlarged(ink: np.ndarray, side: int = RENDER_SIDE) -> np.ndarray:
    """An 8x8 ink map enlarged to side x side before the jitter, so the affine moves strokes, not
    4x4 blocks (bilinear: the setting the jitter ranges were measured with)."""
    image = Image.fromarray(ink).resize((side, side), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.float32)


@dataclass(frozen=True)
class TrainingSet:
    """Original rows first (groups[i] == i), then the rendered copies (groups = source row)."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    originals: int

    def weights(self, original_weight: float) -> np.ndarray:
        """Per-row sample weights: each original Digits row counts `original_weight` times."""
        weights = np.ones(len(self.y))
        weights[: self.originals] = original_weight
        return weights

    def folds(self, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Stratified k-fold over the original images: fit on a fold's originals and all their
        copies, score on the held-out originals only. No copy of a scored image is ever fitted,
        and scores stay comparable with and without augmentation."""
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        originals = self.y[: self.originals]
        return [
            (np.flatnonzero(np.isin(self.groups, fit_originals)), score_originals)
            for fit_originals, score_originals in splitter.split(np.zeros(self.originals), originals)
        ]


def augment(X: np.ndarray, y: np.ndarray, copies: int, seed: int) -> TrainingSet:
    """Originals plus `copies` rendered copies of each row (copies=0: the originals alone)."""
    rng = np.random.default_rng(seed)
    rows, labels, groups = [X], [y], [np.arange(len(X))]
    for _ in range(copies):
        rendered = np.empty_like(X)
        for i, row in enumerate(X):
            try:
                rendered[i] = render_row(row, rng)
            except BlankImage:  # a faint digit thresholded away: keep the original instead
                rendered[i] = row
        rows.append(rendered)
        labels.append(y)
        groups.append(np.arange(len(X)))
    return TrainingSet(np.vstack(rows), np.concatenate(labels), np.concatenate(groups), len(X))
