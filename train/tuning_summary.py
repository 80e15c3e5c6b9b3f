"""What tuning.json says about the study a model is fitted from."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna

from train import glyphs as glyph_source
from train.augment import augment
from train.data import TEST_SIZE, Split
from train.glyphs import GLYPHS
from train.settings import StudySettings
from train.space import SEARCH_SPACE
from train.tune import BY_TREES_ATTR, NODES_ATTR, choose, cv_noise, finished_trials, rescored_by_trees


def summarise_tuning(study: optuna.Study, split: Split, *, scoring: StudySettings, fit_copies: int,
                     digits_only: bool, n_jobs: int) -> dict[str, Any]:
    """The `best_*` keys describe what the model is fitted from: the best trial's parameters with
    the number of trees train/tune.py's `choose` keeps, and that many trees' CV scores."""
    by_trees = None
    if BY_TREES_ATTR not in study.best_trial.user_attrs:  # a study tuned before trials stored them
        rows = augment(split.X_train, split.y_train, scoring.augment_copies, scoring.seed)
        by_trees = rescored_by_trees(study.best_trial, rows, scoring.folds, scoring.seed, n_jobs)
    choice = choose(study, by_trees)
    best = choice.trial
    return {
        "study_name": study.study_name,
        "n_trials": len(finished_trials(study)),
        "best_trial": best.number,
        "best_params": choice.params,
        "best_cv_mean": choice.cv_mean,
        "best_cv_std": float(np.std(choice.cv_scores)),
        "best_cv_scores": choice.cv_scores,
        "top_cv": {"trees": best.params["n_estimators"], "cv_mean": best.value,
                   "cv_std": best.user_attrs.get("cv_std"), "noise": cv_noise(best),
                   "tree_nodes": best.user_attrs.get(NODES_ATTR),
                   "by_trees": {k: float(np.mean(v)) for k, v in choice.by_trees.items()}},
        "folds": len(best.user_attrs.get("cv_scores", [])) or scoring.folds,
        "seed": scoring.seed,
        "test_size": TEST_SIZE,
        "train_rows": len(split.y_train),
        "augment_copies": scoring.augment_copies,
        "fit_copies": fit_copies,
        "glyphs": None if digits_only else {
            "fonts": len(glyph_source.FONTS), "packages": len({f.package for f in glyph_source.FONTS}),
            "copies": GLYPHS.copies, "weight": GLYPHS.weight, "original_weight": GLYPHS.original_weight},
        "search_space": {k: list(v) for k, v in SEARCH_SPACE.items()},
    }
