"""The Optuna search space for the RandomForest, in one place (also rendered into the report)."""

from __future__ import annotations

from typing import Any

import optuna

# name -> (low, high, step); all integer parameters. This is the project's original search space,
# and it stays the floor of any change: ranges may be widened or parameters added, never cut.
SEARCH_SPACE: dict[str, tuple[int, int, int]] = {
    "n_estimators": (50, 300, 50),
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
