"""The report's like-for-like part: the 2x2 of parameters x training rows, the font glyphs' own
comparison, and the headline.

Renders what train/compare.py and train/glyph_effects.py computed (metrics["cells"],
metrics["glyph_cells"], metrics["comparisons"]) as markdown.
"""

from __future__ import annotations

from typing import Any, Final

from train.compare import ALPHA, PARAMETERS, RESAMPLES, ROWS

# Yardstick -> how its accuracy is read from metrics.json; the headline yardstick first.
YARDSTICKS: Final = ("real", "held_out", "drawings")


def copies_phrase(copies: int) -> str:
    return f"{copies} cop{'y' if copies == 1 else 'ies'} per image"


def rows_label(rows: str, tuning: dict[str, Any]) -> str:
    if rows == "plain":
        return "plain Digits"
    return f"augmented, {copies_phrase(tuning.get('fit_copies', tuning['augment_copies']))}"


def digits_rows(metrics: dict[str, Any]) -> str:
    """The Digits-only rows the glyph rows were added to (train/glyph_effects.py)."""
    return "augmented" if "augmented" in metrics["cells"]["tuned"] else "plain"


def glyphs_label(metrics: dict[str, Any], tuning: dict[str, Any]) -> str:
    """E.g. 'augmented, 6 copies per image + font glyphs'."""
    return f"{rows_label(digits_rows(metrics), tuning)} + font glyphs"


def model_label(name: str, metrics: dict[str, Any], tuning: dict[str, Any]) -> str:
    """E.g. 'tuned parameters, plain Digits', from where the model sits in the 2x2 (or beside it,
    with the font glyphs)."""
    for params, row in metrics["cells"].items():
        for rows, model in row.items():
            if model == name:
                return f"{params} parameters, {rows_label(rows, tuning)}"
    for params, row in metrics.get("glyph_cells", {}).items():
        if row["glyphs"] == name:
            return f"{params} parameters, {glyphs_label(metrics, tuning)}"
    raise KeyError(name)


def yardstick_label(yardstick: str, metrics: dict[str, Any]) -> str:
    if yardstick == "real":
        real = metrics["real"]
        return f"real handwriting ({real['digits']} digits, {real['uploads']} uploads)"
    if yardstick == "drawings":
        return f"drawings ({metrics['drawings']['drawings']})"
    return f"held-out Digits ({metrics['held_out_rows']} rows)"


def accuracy(yardstick: str, name: str, metrics: dict[str, Any]) -> float:
    if yardstick == "held_out":
        return metrics[name]["accuracy"]
    return metrics[yardstick][name]["overall"]


def effect_label(comparison: dict[str, Any], tuning: dict[str, Any]) -> str:
    factor, held = comparison["factor"], comparison["held"]
    if factor == "tuning":
        return f"tuning alone, {rows_label(held, tuning)}"
    if factor == "augmentation":
        return f"augmentation alone, {held} parameters"
    if factor == "glyphs":
        return f"font glyphs alone, {held} parameters"
    if factor == "all" or not tuning.get("glyphs"):
        return "all together (shipped model vs default parameters on plain Digits)"
    return "tuning and augmentation (tuned, Digits only vs default parameters on plain Digits)"


def with_interval(c: dict[str, Any]) -> str:
    """'+0.0139 (95 % CI +0.0028 to +0.0250), better'."""
    return (f"{c['difference']:+.4f} (95 % CI {c['low']:+.4f} to {c['high']:+.4f}), "
            f"{c['verdict']}")


def find(comparisons: list[dict[str, Any]], factor: str, held: str) -> dict[str, Any] | None:
    return next((c for c in comparisons if c["factor"] == factor and c["held"] == held), None)


def headline(tuning: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    """One sentence per effect, each yardstick with its sign, interval and verdict."""
    comparisons = metrics["comparisons"]
    augmented = "augmented" in metrics["cells"]["tuned"]
    shipped_rows = "augmented" if augmented else "plain"
    wanted = [("tuning", shipped_rows, "**Tuning alone** (tuned vs default parameters, both fitted "
               f"on the same rows: {rows_label(shipped_rows, tuning)})")]
    if augmented:
        wanted += [("augmentation", "tuned",
                    f"**Augmentation alone** ({rows_label('augmented', tuning)} vs plain Digits, "
                    "both with the tuned parameters)"),
                   ("both", "-", "**Both together** (the shipped model vs the default RandomForest "
                    "on plain Digits)")]
    glyphs = "glyph_cells" in metrics
    if glyphs:
        wanted[-1] = ("both", "-", "**Tuning and augmentation** (tuned parameters on augmented Digits "
                      "vs the default RandomForest on plain Digits, both without glyphs)")
        wanted += [("glyphs", "tuned", "**Font glyphs alone** (Digits + glyph rows vs Digits only, "
                    "both with the tuned parameters)"),
                   ("all", "-", "**All together** (the shipped model vs the default RandomForest "
                    "on plain Digits)")]
    lines = []
    for factor, held, label in wanted:
        parts = [f"{yardstick_label(y, metrics)} {with_interval(c)}"
                 for y in YARDSTICKS if (c := find(comparisons[y], factor, held))]
        lines.append(f"- {label}: " + "; ".join(parts) + ".")
    if not augmented:
        lines.append("- Augmentation was off (`--no-augment`), so only tuning is compared.")
    if not glyphs:
        lines.append("- The font glyphs were off (`--digits-only`), so they are not compared.")
    return lines


def two_by_two(yardstick: str, tuning: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    """Accuracy per cell; the last column and row are each factor's effect with the other held."""
    fitted = metrics["cells"]
    comparisons = metrics["comparisons"][yardstick]
    rows = [r for r in ROWS if r in fitted["tuned"]]
    both_rows = len(rows) == 2
    header = [yardstick_label(yardstick, metrics), *(rows_label(r, tuning) for r in rows)]
    header += ["augmentation alone"] if both_rows else []
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for params in PARAMETERS:
        cells = [f"{accuracy(yardstick, fitted[params][r], metrics):.4f}" for r in rows]
        if both_rows:
            cells.append(with_interval(find(comparisons, "augmentation", params)))
        lines.append(f"| {params} parameters | " + " | ".join(cells) + " |")
    effects = [with_interval(find(comparisons, "tuning", r)) for r in rows]
    lines.append("| tuning alone | " + " | ".join(effects) + (" | |" if both_rows else " |"))
    return lines


def glyph_table(yardstick: str, tuning: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    """Digits only vs Digits + glyphs, per parameter set, with the glyphs' effect and its interval."""
    glyph_cells = metrics["glyph_cells"]
    header = [yardstick_label(yardstick, metrics), f"Digits only ({rows_label(digits_rows(metrics), tuning)})",
              glyphs_label(metrics, tuning), "font glyphs alone"]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for params in PARAMETERS:
        row = glyph_cells[params]
        effect = find(metrics["comparisons"][yardstick], "glyphs", params)
        lines.append(f"| {params} parameters | {accuracy(yardstick, row['digits'], metrics):.4f} | "
                     f"{accuracy(yardstick, row['glyphs'], metrics):.4f} | {with_interval(effect)} |")
    return lines


def comparison_table(tuning: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    lines = ["| yardstick | effect | difference | 95 % CI | only the model right | only the reference "
             "right | McNemar exact p | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for yardstick in YARDSTICKS:
        for c in metrics["comparisons"][yardstick]:
            lines.append(f"| {yardstick_label(yardstick, metrics)} | {effect_label(c, tuning)} | "
                         f"{c['difference']:+.4f} | {c['low']:+.4f} to {c['high']:+.4f} | "
                         f"{c['model_only']} | {c['reference_only']} | {c['p_value']:.3g} | "
                         f"{c['verdict']} |")
    return lines


def like_for_like_section(tuning: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    fitted_on = ("each fitted on the plain Digits training rows and on the augmented ones (the same "
                 "rows, weights and seed as the shipped model)" if "augmented" in metrics["cells"]["tuned"]
                 else "both fitted on the plain Digits training rows (augmentation was off), same seed")
    lines = ["## Like for like: tuning and augmentation, each alone", "",
             f"Default (`RandomForestClassifier(random_state=seed)`) and tuned parameters, {fitted_on}. "
             "Accuracy per cell; the margins are each factor's effect with the other held, with its "
             "95 % interval.", ""]
    for yardstick in YARDSTICKS:
        lines += [*two_by_two(yardstick, tuning, metrics), ""]
    glyphs = tuning.get("glyphs")
    if "glyph_cells" in metrics:
        lines += [f"Font glyphs: each parameter set fitted again on the same Digits rows plus "
                  f"{glyphs['rows']:,} glyph rows ({glyphs['fonts']} fonts from {glyphs['packages']} "
                  f"Debian packages, {glyphs['copies']} jittered copies of each digit, weight "
                  f"{glyphs['weight']:g}; train/glyphs.py), the original Digits rows weighted "
                  f"{glyphs['original_weight']:g} (Digits only: {tuning.get('original_weight', 1):g}). "
                  "The shipped model is the tuned one with glyphs.", ""]
        for yardstick in YARDSTICKS:
            lines += [*glyph_table(yardstick, tuning, metrics), ""]
    rows = metrics["held_out_rows"]
    lines += [
        *comparison_table(tuning, metrics),
        "",
        f"Intervals: paired percentile bootstrap of the accuracy difference ({RESAMPLES:,} "
        f"resamples, seed {tuning['seed']}); held-out Digits and the drawings resample rows, real "
        "handwriting resamples digits (a digit's uploads in every style together, as they are one "
        "writer's one digit). McNemar's exact test is a binomial test on the rows where exactly "
        "one of the two models was right (on real handwriting those are uploads, not independent "
        "digits, so its p is optimistic there). A difference is \"better\" or \"worse\" only when "
        f"its interval excludes 0 and McNemar's p < {ALPHA:.2f}; otherwise \"no measurable "
        f"difference\". On {rows} held-out rows one row is {1 / rows:.4f} of accuracy.",
        "",
    ]
    return lines
