"""The real digits (evaluation/handwriting/real/) choose, they never teach: no training or tuning row comes from them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import REPO, imported_names

# What builds training rows and runs trials; only the report's scoring (train/real_check.py)
# may read the real digits, after every model is fitted.
LEARNING_MODULES = ("augment", "data", "fit", "glyphs", "space", "tune", "storage")

# Runs `code` with an audit hook that fails the moment anything opens the development set.
GUARD = """
import sys
def guard(event, args):
    if event == "open" and "mnist-dev" in str(args[0]):
        raise SystemExit("opened the real development set: " + str(args[0]))
sys.addaudithook(guard)
"""


def project_imports(module: str, seen: set[str] | None = None) -> set[str]:
    """Project modules `module` imports, following the project's own imports all the way down."""
    seen = set() if seen is None else seen
    path = REPO / (module.replace(".", "/") + ".py")
    if module in seen or not path.is_file():
        return seen
    seen.add(module)
    source = path.read_text(encoding="utf-8")
    for line in source.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("from", "import") and "." in words[1]:
            project_imports(words[1].rstrip(","), seen)
    return seen


@pytest.mark.parametrize("module", LEARNING_MODULES)
def test_learning_code_never_imports_the_real_digits(module):
    reached = project_imports(f"train.{module}")
    assert "train." + module in reached
    assert not any(name.startswith("evaluation.handwriting") for name in reached), sorted(reached)
    assert not any(name.startswith("evaluation.handwriting") for name in imported_names(REPO / "train" / f"{module}.py"))


def run_guarded(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", GUARD + code], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def test_the_guard_sees_a_read_of_the_real_digits():
    """The control: the same guard stops the report's scoring, which does read them."""
    result = run_guarded("from train.real_check import real_features; real_features(1)")
    assert result.returncode != 0 and "opened the real development set" in result.stderr


@pytest.mark.live  # real tuning trials and a fit, in a subprocess
@pytest.mark.slow
def test_tuning_and_the_final_fit_never_open_the_real_digits(tmp_path):
    """Real tuning trials plus the augmented training set and the glyph rows of the final fit, under
    the guard."""
    code = (
        "from train.__main__ import main\n"
        f"assert main(['tune', '--trials', '2', '--folds', '2', '--augment-copies', '1', "
        f"'--no-progress', '--artifacts', {str(tmp_path)!r}]) == 0\n"
        "from train.data import load_split\n"
        "from train.augment import augment\n"
        "from train.fit import fit_best\n"
        "split = load_split(42)\n"
        "data = augment(split.X_train, split.y_train, 1, 42)\n"
        "fit_best({'n_estimators': 10}, data.X, data.y, 42)\n"
        "from train.glyphs import GlyphSettings, glyph_rows\n"
        "glyph_rows(GlyphSettings(copies=1), 42)\n"
    )
    result = run_guarded(code)
    assert result.returncode == 0, result.stderr[-2000:]
