"""The like-for-like comparison of the font-glyph rows: Digits only vs Digits + glyphs, same parameters.

The 2x2 of train/compare.py (parameters x plain/augmented Digits rows) stays on Digits rows
alone; this adds, for each parameter set, the same fit with the glyph rows added, and the
shipped model against the default on plain Digits (every factor at once). Each comparison is
the paired bootstrap + McNemar of train/compare.py.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Final

from train.compare import PARAMETERS, Answers, Cells, compare

SHIPPED: Final = "tuned"
# What the tuned Digits-only model is called once the shipped `tuned` is the one with glyphs.
TUNED_DIGITS_ONLY: Final = "tuned_digits_only"
GLYPH_MODELS: Final = {"default": "baseline_with_glyphs", "tuned": SHIPPED}


def digits_column(fitted: Cells) -> str:
    """The Digits-only rows the glyphs are added to: the augmented ones when there are any."""
    return "augmented" if "augmented" in fitted["tuned"] else "plain"


def glyph_cells(fitted: Cells) -> Cells:
    """params -> {"digits": model on Digits rows only, "glyphs": the same plus the glyph rows}.

    Renames the 2x2's tuned cell in `fitted` (it was the shipped `tuned`) to TUNED_DIGITS_ONLY.
    """
    column = digits_column(fitted)
    fitted["tuned"][column] = TUNED_DIGITS_ONLY
    return {params: {"digits": fitted[params][column], "glyphs": GLYPH_MODELS[params]}
            for params in PARAMETERS}


def glyph_effects(answers: Answers, cells: Cells, baseline: str, seed: int = 0) -> list[dict[str, Any]]:
    """Glyphs alone with either parameters, then the shipped model against `baseline`."""
    right = answers.right
    pairs = [("glyphs", params, cells[params]["glyphs"], cells[params]["digits"]) for params in reversed(PARAMETERS)]
    pairs.append(("all", "-", SHIPPED, baseline))
    return [{"factor": factor, "held": held, "model": model, "reference": reference,
             **asdict(compare(right[model], right[reference], answers.groups, seed))}
            for factor, held, model, reference in pairs]
