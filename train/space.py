"""The Optuna search space for the RandomForest, in one place (also rendered into the report)."""

from __future__ import annotations

from typing import Any

import optuna

# name -> (low, high, step); all integer parameters. Forests stop at 150 trees: with the font
# glyphs, 75 to 200 trees read real handwriting equally well while the model's size and CPU per
# request grow with the trees; 150 rather than 100 for held-out Digits (0.9704 vs 0.9685, mean of
# six forest seeds; docs/real-handwriting.md, "Font glyphs").
SEARCH_SPACE: dict[str, tuple[int, int, int]] = {
    "n_estimators": (50, 150, 25),
    "max_depth": (5, 30, 5),
    "min_samples_split": (2, 20, 1),
    "min_samples_leaf": (1, 20, 1),
}


def suggest_params(trial: optuna.Trial) -> dict[str, Any]:
    return {
        name: trial.suggest_int(name, low, high, step=step)
        for name, (low, high, step) in SEARCH_SPACE.items()
    }


def describe_space() -> list[str]:
    """Human-readable lines, e.g. 'n_estimators: 50..300 step 50'."""
    return [
        f"{name}: {low}..{high}" + (f" step {step}" if step != 1 else "")
        for name, (low, high, step) in SEARCH_SPACE.items()
    ]
