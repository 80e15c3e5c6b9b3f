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
from train.like_for_like import YARDSTICKS, headline, like_for_like_section

TUNING = {"seed": 0, "augment_copies": 1, "fit_copies": 6}
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


def test_headline_states_each_effect_alone_with_its_sign():
    lines = headline(TUNING, constructed_metrics())
    tuning, augmentation, both = lines
    assert tuning.startswith("- **Tuning alone** (tuned vs default parameters, both fitted on the same rows")
    assert augmentation.startswith("- **Augmentation alone**")
    assert both.startswith("- **Both together**")
    # Tuning on the augmented rows changed nothing; augmentation with the tuned parameters fixed
    # 59 of 400 rows (99 -> 40 wrong).
    assert re.findall(r"[+-]0\.\d{4} \(95 % CI", tuning) == ["+0.0000 (95 % CI"] * 3
    assert tuning.count("no measurable difference") == 3
    assert augmentation.count("+0.1475 (95 % CI") == 3 and augmentation.count("better") == 3


def test_headline_without_augmentation_compares_tuning_only():
    lines = headline(TUNING, constructed_metrics(augmented=False))
    assert len(lines) == 2 and lines[0].startswith("- **Tuning alone**")
    assert lines[0].count("+0.1000") == 3 and lines[0].count("better") == 3
    assert "Augmentation was off" in lines[1]


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


def test_the_quick_run_reports_the_two_by_two(trained_artifacts: Path):
    """The real `python -m train` (quick settings, 1 fit copy): every yardstick's 2x2 with its rows."""
    report = (trained_artifacts / "report" / "report.md").read_text()
    metrics = json.loads((trained_artifacts / "metrics.json").read_text())
    for yardstick in ("real handwriting", "held-out Digits", "drawings"):
        table = table_after(report, yardstick)
        assert table[0][1:] == ["plain Digits", "augmented, 1 copy per image", "augmentation alone"]
        assert [row[0] for row in table[1:]] == list(ROW_NAMES)
    assert [c["factor"] for c in metrics["comparisons"]["held_out"]] == [
        "tuning", "tuning", "augmentation", "augmentation", "both"]
    tuning_alone = next(line for line in report.splitlines() if line.startswith("- **Tuning alone**"))
    shipped = metrics["comparisons"]["real"][0]
    assert f"{shipped['difference']:+.4f} (95 % CI {shipped['low']:+.4f} to {shipped['high']:+.4f}), " \
           f"{shipped['verdict']}" in tuning_alone
    tuning = json.loads((trained_artifacts / "tuning.json").read_text())
    assert f"| 4 | {tuning['best_cv_mean']:.4f} | 0.0000 |" in report  # best CV after all 4 trials
