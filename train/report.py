"""The tuning report: artifacts/report/report.md plus PNG plots, regenerated on every run."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: the report is written on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
from optuna.visualization import matplotlib as optuna_plots  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay  # noqa: E402

from digits.artifacts import write_text, write_with  # noqa: E402
from train.glyph_effects import TUNED_DIGITS_ONLY  # noqa: E402
from train.like_for_like import copies_phrase, headline, like_for_like_section, model_label  # noqa: E402
from train.progress import best_so_far, first_within, repeated, top_spread  # noqa: E402
from train.space import describe_space  # noqa: E402
from train.tune import NODES_ATTR, finished_trials  # noqa: E402

REPORT_DIR = "report"
TOP_TRIALS = 10


def _save_figure(path: Path, figure: plt.Figure) -> None:
    write_with(path, lambda tmp: figure.savefig(tmp, format="png", dpi=110, bbox_inches="tight"))
    plt.close(figure)


def write_plots(study: optuna.Study, confusion: list[list[int]], out: Path) -> list[str]:
    """Write the plots that the study supports; return the file names written."""
    written: list[str] = []
    plots = {
        "optimization_history.png": optuna_plots.plot_optimization_history,
        "param_importances.png": optuna_plots.plot_param_importances,
        "slice.png": optuna_plots.plot_slice,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        for name, plot in plots.items():
            try:
                axes = plot(study)
            except (ValueError, RuntimeError) as exc:
                # Importances need >= 2 trials with differing parameters; say so, don't crash.
                print(f"report: skipped {name}: {exc}")
                continue
            first = axes.flat[0] if hasattr(axes, "flat") else axes
            _save_figure(out / name, first.figure)
            written.append(name)
    display = ConfusionMatrixDisplay(confusion_matrix=np.array(confusion))
    display.plot(colorbar=False)
    display.ax_.set_title("Tuned model, held-out split")
    _save_figure(out / "confusion_matrix.png", display.figure_)
    written.append("confusion_matrix.png")
    return written


# The style tables' rows: the shipped model first, the default on plain Digits last.
STYLE_TABLE_ORDER = ("tuned", TUNED_DIGITS_ONLY, "baseline_with_glyphs", "tuned_without_augmentation",
                     "baseline_with_augmentation", "baseline")


def _interval(calibration: dict[str, Any]) -> str:
    low, high = calibration["ece_interval"]
    return f"95 % bootstrap interval over the digits {low:.3f} to {high:.3f}"


def _style_table(yardstick: dict[str, Any], metrics: dict[str, Any], tuning: dict[str, Any],
                 overall: str) -> list[str]:
    names = [n for n in STYLE_TABLE_ORDER if n in yardstick]
    styles = list(yardstick[names[0]]["per_style"])
    lines = ["| model | held-out Digits | " + overall + " | " + " | ".join(styles) + " |",
             "|---|---|---|" + "---|" * len(styles)]
    for name in names:
        row = yardstick[name]
        lines.append(f"| {model_label(name, metrics, tuning)} | {metrics[name]['accuracy']:.4f} | "
                     f"{row['overall']:.3f} | " + " | ".join(f"{row['per_style'][s]:.3f}" for s in styles)
                     + " |")
    return lines


def real_section(tuning: dict[str, Any], metrics: dict[str, Any], plots: list[str]) -> list[str]:
    """The headline: real handwritten digits as uploads, and how far `confidence` can be trusted."""
    real = metrics["real"]
    cal = real["calibration"]
    sure = cal["not_sure"]
    return [
        "## Real handwriting (the headline yardstick)",
        "",
        f"{real['digits']} digits spread over the real development set (evaluation/handwriting/real/, never "
        f"trained or tuned on), each as an upload in {len(real['tuned']['per_style'])} styles: "
        f"{real['uploads']} uploads, preprocessed as the server does. `make eval-real` sends all "
        "of them over HTTP.",
        "",
        *_style_table(real, metrics, tuning, "real overall"),
        "",
        "Confidence (the largest of `probabilities`) on these uploads, tuned model, averaged over "
        "the views as the server does: expected calibration error "
        f"**{cal['raw']['ece']:.3f}** for the forest's vote shares, "
        f"**{cal['calibrated']['ece']:.3f}** after the calibration the export puts in the ONNX "
        f"graph ({_interval(cal['calibrated'])}; mean confidence "
        f"{cal['calibrated']['mean_confidence']:.3f}, accuracy {cal['accuracy']:.3f}). The power "
        "was chosen on the whole development set "
        "([real handwriting](../../docs/real-handwriting.md#confidence)). "
        f"\"Not sure\" below {sure['threshold']:.2f} catches "
        f"{sure['wrong_caught']:.0%} of the wrong answers and flags {sure['right_flagged']:.0%} of "
        "the right ones.",
        "",
        *[f"![{p}]({p})" for p in plots if p == "reliability.png"],
        "",
    ]


def augmentation_section(tuning: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    """Held-out Digits and paint-app drawings, with and without augmentation."""
    copies = tuning.get("fit_copies", tuning["augment_copies"])
    drawings = metrics["drawings"]
    lines = [
        "## Augmentation and paint-app drawings",
        "",
        (f"The augmented models were trained on the Digits rows plus jittered copies of each "
         f"({copies_phrase(copies)}: rotation, shear, per-axis scale), rendered through the server's "
         f"preprocessing; tuning scored {copies_phrase(tuning['augment_copies'])}, and CV folds keep "
         "every copy with its original image." if copies else
         "Augmentation was off (`--no-augment`)."),
        (f"The models with font glyphs also learned from {glyphs['rows']:,} rows rendered the same way "
         f"from the digits of {glyphs['fonts']} fonts (train/glyphs.py, docs/fonts.md)."
         if (glyphs := tuning.get("glyphs")) else "The font glyphs were off (`--digits-only`)."),
        f"Drawings: {drawings['drawings']} generated paint-app drawings "
        f"({drawings['per_class_per_style']} per digit per style, never trained on), "
        "preprocessed as the server does.",
        "",
        *_style_table(drawings, metrics, tuning, "drawings overall"),
    ]
    return [*lines, ""]


def plot_reliability(calibration: dict[str, Any], out: Path) -> str:
    figure, ax = plt.subplots(figsize=(4.8, 4.4))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    for name, marker in (("raw", "o"), ("calibrated", "s")):
        points = calibration[name]["reliability"]
        ax.plot([p[0] for p in points], [p[1] for p in points], marker=marker,
                label=f"{name} (ECE {calibration[name]['ece']:.3f})")
    ax.set(xlabel="confidence", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1),
           title="Real handwriting: reliability")
    ax.legend(loc="upper left")
    _save_figure(out / "reliability.png", figure)
    return "reliability.png"


def search_section(study: optuna.Study, tuning: dict[str, Any]) -> list[str]:
    """Whether the budget was needed: the best score found so far, and how flat the top is."""
    trials = sorted(finished_trials(study), key=lambda t: t.number)
    scores = [t.value for t in trials]
    top = tuning["top_cv"]
    error = top["cv_std"] / math.sqrt(tuning["folds"])
    spread = top_spread(scores, TOP_TRIALS)
    width = spread.best - spread.worst
    return [
        "## How many trials it took",
        "",
        "| after trials | best CV so far | short of the final best |",
        "|---|---|---|",
        *[f"| {c.trials} | {c.best:.4f} | {c.short_of_final:.4f} |" for c in best_so_far(scores)],
        "",
        f"One standard error of a trial's CV mean is {error:.4f} (the best trial's fold sd "
        f"{top['cv_std']:.4f} / sqrt({tuning['folds']})); the study was within it of its "
        f"final best after {first_within(scores, error)} of {len(scores)} trials. The top "
        f"{spread.trials} trials score {spread.worst:.4f} to {spread.best:.4f} (range {width:.4f}, "
        f"sd {spread.sd:.4f}): "
        + ("within one standard error, so CV does not tell them apart." if width <= error
           else "more than one standard error apart.")
        + f" {repeated([t.params for t in trials])} of the {len(trials)} trials repeated a parameter "
        "set an earlier trial had already scored.",
        "",
    ]


def cost_section(tuning: dict[str, Any]) -> list[str]:
    costs = tuning.get("costs", {})
    return [
        "## What fitting and scoring cost",
        "",
        "| step | CPU s | wall s |",
        "|---|---|---|",
        *[f"| {step} | {c['cpu_s']:.1f} | {c['wall_s']:.1f} |" for step, c in costs.items()],
        "",
        "CPU is the CPU time of the process that ran the step (with `all`, the augmented copies "
        "and the glyph rows are rendered in a second process while the study tunes); wall time "
        "also counts whatever else the machine ran. Tuning's own time is printed by the run.",
        "",
    ]


def choice_lines(tuning: dict[str, Any]) -> list[str]:
    """Why this many trees: the one-standard-error rule of train/tune.py's `choose`."""
    top = tuning["top_cv"]
    trees = tuning["best_params"]["n_estimators"]
    curve = ", ".join(f"{k} trees {v:.4f}" for k, v in sorted(top["by_trees"].items(), key=lambda kv: int(kv[0])))
    verdict = (f"of these, {trees} trees are the fewest within one standard error ({top['noise']:.4f}) "
               f"of the whole forest's CV" if trees != top["trees"] else
               "no smaller one is within one standard error "
               f"({top['noise']:.4f}) of it, so the whole forest is kept")
    return [f"Trial {tuning['best_trial']} has the highest CV mean: {top['cv_mean']:.4f} with "
            f"{top['trees']} trees. The first trees of its CV forests score "
            + (curve or "nothing (no smaller tree count)")
            + f"; {verdict}. Every tree adds to the model file, the server's memory and the work "
            "per request; the trade is made in trees only (train/tune.py, `choose`)."]


def render_markdown(study: optuna.Study, tuning: dict[str, Any], metrics: dict[str, Any],
                    plots: list[str]) -> str:
    trials = sorted(finished_trials(study), key=lambda t: t.value, reverse=True)[:TOP_TRIALS]
    names = list(tuning["best_params"])
    lines = [
        "# Tuning report",
        "",
        *headline(tuning, metrics),
        "",
        *real_section(tuning, metrics, plots),
        f"Study `{tuning['study_name']}`: {tuning['n_trials']} finished trials, "
        f"{tuning['folds']}-fold stratified CV on the training split "
        f"({tuning['train_rows']} rows), seed {tuning['seed']}.",
        "",
        "## Search space",
        "",
        *[f"- {line}" for line in describe_space()],
        "",
        "## Chosen parameters",
        "",
        "| parameter | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in tuning["best_params"].items()],
        "",
        f"CV accuracy: **{tuning['best_cv_mean']:.4f} ± {tuning['best_cv_std']:.4f}** "
        f"(trial {tuning['best_trial']}; folds: "
        + ", ".join(f"{s:.4f}" for s in tuning["best_cv_scores"]) + ").",
        "",
        *choice_lines(tuning),
        "",
        *search_section(study, tuning),
        *like_for_like_section(tuning, metrics),
        *augmentation_section(tuning, metrics),
        f"## Top {len(trials)} trials",
        "",
        "| trial | CV accuracy | std | tree nodes (CV fits) | " + " | ".join(names) + " |",
        "|---|---|---|---|" + "---|" * len(names),
        *[
            f"| {t.number} | {t.value:.4f} | {t.user_attrs.get('cv_std', float('nan')):.4f} | "
            f"{t.user_attrs.get(NODES_ATTR, '-')} | " + " | ".join(str(t.params.get(n)) for n in names) + " |"
            for t in trials
        ],
        "",
        "## Plots",
        "",
        *[f"![{p}]({p})" for p in plots if p != "reliability.png"],
        "",
        *cost_section(tuning),
    ]
    return "\n".join(lines)


def write_report(artifacts: Path, study: optuna.Study, tuning: dict[str, Any],
                 metrics: dict[str, Any]) -> Path:
    out = artifacts / REPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    plots = write_plots(study, metrics["tuned"]["confusion_matrix"], out)
    plots.append(plot_reliability(metrics["real"]["calibration"], out))
    return write_text(out / "report.md", render_markdown(study, tuning, metrics, plots))
