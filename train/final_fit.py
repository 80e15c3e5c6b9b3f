"""The final fit from a study's best trial: fit every compared model, score them on each yardstick,
write the models, tuning.json, metrics.json and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import optuna

from digits.artifacts import METRICS_FILE, TUNING_FILE, write_json
from train.augment import TrainingSet
from train.compare import Cells, cells, compare_effects
from train.cost import format_costs, measured
from train.data import Split, load_split
from train.drawings_check import drawing_accuracy
from train.evaluate import evaluate_all, format_metrics
from train.fit import fit_best, save_models
from train.glyph_effects import glyph_cells, glyph_effects
from train.glyphs import GLYPHS
from train.real_check import real_accuracy
from train.report import write_report
from train.rows import FitRows, render_fit_rows
from train.settings import StudySettings
from train.tune import finished_trials
from train.tuning_summary import summarise_tuning

# With many copies the raw Digits rows (what the held-out split holds) lose their say: weighted
# at half the copies, held-out Digits scored better with real handwriting unchanged
# (docs/real-handwriting.md, "What was tried").
ORIGINALS_SHARE = 0.5


def fit_cells(params: dict, split: Split, data: TrainingSet, original_weight: float,
              glyphs: tuple[np.ndarray, np.ndarray] | None, seed: int, n_jobs: int, costs: dict
              ) -> tuple[Cells, Cells | None, dict[str, Any]]:
    """Default and tuned parameters, each on the plain rows and on the augmented ones, one seed;
    with glyph rows, each parameter set once more on the augmented rows plus the glyphs."""
    fitted = cells(augmented=data.originals < len(data.y))
    rows = {"plain": (split.X_train, split.y_train, None),
            "augmented": (data.X, data.y, data.weights(original_weight))}
    with_glyphs = None
    if glyphs is not None:
        rows["glyphs"] = (np.vstack([data.X, glyphs[0]]), np.concatenate([data.y, glyphs[1]]),
                          np.concatenate([data.weights(GLYPHS.original_weight),
                                          np.full(len(glyphs[1]), GLYPHS.weight)]))
        with_glyphs = glyph_cells(fitted)
    wanted = [(kind, rows_name, name) for kind, row in fitted.items() for rows_name, name in row.items()]
    wanted += [(kind, "glyphs", row["glyphs"]) for kind, row in (with_glyphs or {}).items()]
    choices = {"default": {}, "tuned": params}
    models: dict[str, Any] = {}
    for kind, rows_name, name in wanted:
        X, y, weights = rows[rows_name]
        with measured(costs, f"fit {name}"):
            models[name] = fit_best(choices[kind], X, y, seed, n_jobs, sample_weight=weights)
    return fitted, with_glyphs, models


def fit_evaluate_report(study: optuna.Study, *, artifacts: Path, scoring: StudySettings, fit_copies: int,
                        digits_only: bool, n_jobs: int, rows: FitRows | None = None) -> None:
    """rows: the final fit's rows if already rendered (beside tuning), else rendered here."""
    if not finished_trials(study):
        raise SystemExit(f"error: study {study.study_name!r} has no finished trial to fit from")
    seed = scoring.seed
    split = load_split(seed)
    if rows is None:
        rows = render_fit_rows(split.X_train, split.y_train, fit_copies, seed, not digits_only)
    costs = dict(rows.costs)
    data, glyphs = rows.data, rows.glyphs
    tuning = summarise_tuning(study, split, scoring=scoring, fit_copies=fit_copies,
                              digits_only=digits_only, n_jobs=n_jobs)
    tuning["original_weight"] = max(1.0, ORIGINALS_SHARE * fit_copies)
    if glyphs is not None:
        tuning["glyphs"]["rows"] = len(glyphs[1])
    fitted, with_glyphs, models = fit_cells(tuning["best_params"], split, data, tuning["original_weight"],
                                            glyphs, seed, n_jobs, costs)
    tuning["fit_seconds"] = costs["fit tuned"]["wall_s"]
    with measured(costs, "score held-out"):
        metrics, held_out = evaluate_all(models, split)
    with measured(costs, "score drawings"):
        metrics["drawings"], drawings = drawing_accuracy(models)
    # The real digits are read only here, after every model is fitted: they score, never train.
    with measured(costs, "score real"):
        metrics["real"], real = real_accuracy(models)
    with measured(costs, "compare"):
        metrics["cells"] = fitted
        yardsticks = {"held_out": held_out, "real": real, "drawings": drawings}
        metrics["comparisons"] = {name: compare_effects(answers, fitted, seed)
                                  for name, answers in yardsticks.items()}
        if with_glyphs is not None:
            metrics["glyph_cells"] = with_glyphs
            for name, answers in yardsticks.items():
                metrics["comparisons"][name] += glyph_effects(answers, with_glyphs, fitted["default"]["plain"],
                                                              seed)
    tuning["costs"] = costs
    # Models first, then the facts about them: a reader never finds facts for models not yet written.
    save_models(artifacts, models["tuned"], models["baseline"])
    write_json(artifacts / TUNING_FILE, tuning)
    write_json(artifacts / METRICS_FILE, metrics)
    report = write_report(artifacts, study, tuning, metrics)
    print(f"best trial {tuning['best_trial']}: CV {tuning['best_cv_mean']:.4f} "
          f"± {tuning['best_cv_std']:.4f}, params {tuning['best_params']}")
    print(format_metrics(metrics))
    print(format_costs(costs))
    print(f"report: {report}")
