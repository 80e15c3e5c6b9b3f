"""The report's 2x2 of default/tuned parameters x plain/augmented rows, and its headline sentences.

Rendered from constructed answers whose effects are known, and checked once on the quick real run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from train.compare import Answers, cells, compare_effects
from train.glyph_effects import glyph_cells, glyph_effects
from train.like_for_like import YARDSTICKS, headline, like_for_like_section

TUNING = {"seed": 0, "augment_copies": 1, "fit_copies": 6, "original_weight": 3.0}
ROW_NAMES = ("default parameters", "tuned parameters", "tuning alone")
COLUMNS = ("plain Digits", "augmented, 6 copies per image", "augmentation alone")


def right(wrong: int, rows: int = 400) -> np.ndarray:
    answers = np.ones(rows, dtype=bool)
    answers[:wrong] = False
    return answers


# Wrong rows per model: augmentation fixes 60 of 400 rows, tuning changes one row (noise).
WRONG = {"baseline": 100, "tuned_without_augmentation": 99, "baseline_with_augmentation": 40, "tuned": 40}


def constructed_metrics(augmented: bool = True) -> dict:
    fitted = cells(augmented)
    names = [name for row in fitted.values() for name in row.values()]
    wrong = WRONG if augmented else {"baseline": 100, "tuned": 60}
    answers = Answers({name: right(wrong[name]) for name in names})
    per_model = {name: {"overall": float(answers.right[name].mean())} for name in names}
    return {
        "cells": fitted,
        "held_out_rows": 400,
        **{name: {"accuracy": float(answers.right[name].mean())} for name in names},
        "real": {"digits": 50, "uploads": 400, **per_model},
        "drawings": {"drawings": 400, **per_model},
        "comparisons": {y: compare_effects(answers, fitted, seed=0) for y in YARDSTICKS},
    }


# With the font glyphs: the shipped `tuned` learned from them; the glyphs fix 20 more rows with the
# tuned parameters and 30 with the default ones.
WRONG_WITH_GLYPHS = {**WRONG, "tuned_digits_only": 40, "tuned": 20, "baseline_with_glyphs": 10}
GLYPHS = {"fonts": 5, "packages": 3, "copies": 12, "weight": 1.0, "original_weight": 10.0, "rows": 600}


def constructed_metrics_with_glyphs() -> dict:
    fitted = cells(True)
    with_glyphs = glyph_cells(fitted)
    answers = Answers({name: right(wrong) for name, wrong in WRONG_WITH_GLYPHS.items()})
    per_model = {name: {"overall": float(r.mean())} for name, r in answers.right.items()}
    comparisons = {y: compare_effects(answers, fitted, seed=0)
                   + glyph_effects(answers, with_glyphs, fitted["default"]["plain"], seed=0) for y in YARDSTICKS}
    return {
        "cells": fitted, "glyph_cells": with_glyphs, "held_out_rows": 400,
        **{name: {"accuracy": float(r.mean())} for name, r in answers.right.items()},
        "real": {"digits": 50, "uploads": 400, **per_model},
        "drawings": {"drawings": 400, **per_model},
        "comparisons": comparisons,
    }


def test_the_glyph_cells_keep_the_two_by_two_on_digits_rows():
    fitted = cells(True)
    assert glyph_cells(fitted) == {"default": {"digits": "baseline_with_augmentation", "glyphs": "baseline_with_glyphs"},
                                   "tuned": {"digits": "tuned_digits_only", "glyphs": "tuned"}}
    assert fitted["tuned"] == {"plain": "tuned_without_augmentation", "augmented": "tuned_digits_only"}


def test_headline_with_glyphs_states_them_alone_and_everything_together():
    lines = headline({**TUNING, "glyphs": GLYPHS}, constructed_metrics_with_glyphs())
    titles = [line.split("**")[1] for line in lines]
    assert titles == ["Tuning alone", "Augmentation alone", "Tuning and augmentation", "Font glyphs alone",
                      "All together"]
    glyphs_alone, everything = lines[3], lines[4]
    assert glyphs_alone.count("+0.0500 (95 % CI") == 3 and glyphs_alone.count("better") == 3  # 40 -> 20 wrong
    assert everything.count("+0.2000 (95 % CI") == 3  # 100 -> 20 wrong


@pytest.mark.parametrize("title", ["real handwriting (50 digits, 400 uploads)", "held-out Digits (400 rows)",
                                   "drawings (400)"])
def test_glyph_table_per_yardstick(title):
    section = "\n".join(like_for_like_section({**TUNING, "glyphs": GLYPHS}, constructed_metrics_with_glyphs()))
    assert "600 glyph rows (5 fonts from 3 Debian packages, 12 jittered copies of each digit" in section
    assert "the original Digits rows weighted 10 (Digits only: 3)" in section
    start = section.index("Font glyphs: ")
    header, default, tuned = table_after(section[start:], title)
    assert header == [title, "Digits only (augmented, 6 copies per image)",
                      "augmented, 6 copies per image + font glyphs", "font glyphs alone"]
    assert default[:3] == ["default parameters", "0.9000", "0.9750"]
    assert tuned[:3] == ["tuned parameters", "0.9000", "0.9500"]
    assert default[3].startswith("+0.0750") and tuned[3].startswith("+0.0500") and tuned[3].endswith("better")


def test_headline_states_each_effect_alone_with_its_sign():
    lines = headline(TUNING, constructed_metrics())
    tuning, augmentation, both, glyphs_off = lines
    assert tuning.startswith("- **Tuning alone** (tuned vs default parameters, both fitted on the same rows")
    assert augmentation.startswith("- **Augmentation alone**")
    assert both.startswith("- **Both together**")
    # Tuning on the augmented rows changed nothing; augmentation with the tuned parameters fixed
    # 59 of 400 rows (99 -> 40 wrong).
    assert re.findall(r"[+-]0\.\d{4} \(95 % CI", tuning) == ["+0.0000 (95 % CI"] * 3
    assert tuning.count("no measurable difference") == 3
    assert augmentation.count("+0.1475 (95 % CI") == 3 and augmentation.count("better") == 3
    assert glyphs_off == "- The font glyphs were off (`--digits-only`), so they are not compared."


def test_headline_without_augmentation_compares_tuning_only():
    lines = headline(TUNING, constructed_metrics(augmented=False))
    assert len(lines) == 3 and lines[0].startswith("- **Tuning alone**")
    assert lines[0].count("+0.1000") == 3 and lines[0].count("better") == 3
    assert "Augmentation was off" in lines[1] and "font glyphs were off (`--digits-only`)" in lines[2]


def table_after(markdown: str, title: str) -> list[list[str]]:
    """The cells of the markdown table whose header starts with `title`."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {title}"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    return [table[0], *table[2:]]  # without the |---| line


@pytest.mark.parametrize("title", ["real handwriting (50 digits, 400 uploads)", "held-out Digits (400 rows)",
                                   "drawings (400)"])
def test_two_by_two_per_yardstick(title):
    table = table_after("\n".join(like_for_like_section(TUNING, constructed_metrics())), title)
    header, default, tuned, tuning_alone = table
    assert header == [title, *COLUMNS]
    assert [row[0] for row in table[1:]] == list(ROW_NAMES)
    assert default[1:3] == ["0.7500", "0.9000"] and tuned[1:3] == ["0.7525", "0.9000"]
    assert default[3].startswith("+0.1500") and default[3].endswith("better")
    assert tuning_alone[1].startswith("+0.0025") and tuning_alone[1].endswith("no measurable difference")
    assert tuning_alone[3] == ""


def test_without_augmentation_one_column():
    section = "\n".join(like_for_like_section(TUNING, constructed_metrics(augmented=False)))
    assert "augmentation was off" in section
    header, default, tuned, (name, effect) = table_after(section, "held-out Digits")
    assert (header, default, tuned, name) == (["held-out Digits (400 rows)", "plain Digits"],
                                              ["default parameters", "0.7500"],
                                              ["tuned parameters", "0.8500"], "tuning alone")
    # 40 rows of 400 fixed, none lost: the interval lies well above 0
    assert re.fullmatch(r"\+0\.1000 \(95 % CI \+0\.0[5-9]\d\d to \+0\.1[2-5]\d\d\), better", effect)


@pytest.mark.live
def test_the_quick_run_reports_the_two_by_two(trained_artifacts: Path):
    """The real `python -m train` (quick settings, 6 fit copies): every yardstick's 2x2 with its rows."""
    report = (trained_artifacts / "report" / "report.md").read_text()
    metrics = json.loads((trained_artifacts / "metrics.json").read_text())
    for yardstick in ("real handwriting", "held-out Digits", "drawings"):
        table = table_after(report, yardstick)
        assert table[0][1:] == ["plain Digits", "augmented, 6 copies per image", "augmentation alone"]
        assert [row[0] for row in table[1:]] == list(ROW_NAMES)
    assert [c["factor"] for c in metrics["comparisons"]["held_out"]] == [
        "tuning", "tuning", "augmentation", "augmentation", "both", "glyphs", "glyphs", "all"]
    tuning_alone = next(line for line in report.splitlines() if line.startswith("- **Tuning alone**"))
    shipped = metrics["comparisons"]["real"][0]
    assert f"{shipped['difference']:+.4f} (95 % CI {shipped['low']:+.4f} to {shipped['high']:+.4f}), " \
           f"{shipped['verdict']}" in tuning_alone
    tuning = json.loads((trained_artifacts / "tuning.json").read_text())
    assert f"| 4 | {tuning['top_cv']['cv_mean']:.4f} | 0.0000 |" in report  # best CV after all 4 trials
