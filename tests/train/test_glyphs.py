"""The font-glyph training source: listed fonts, drawn like a Digits copy, featurized on its path,
and a missing font stops training with one line before any work."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import ImageFont

import train.augment
import train.glyphs
from digits.cli import UsageError
from tests.support import REPO, need
from train.__main__ import main
from train.augment import RENDER_SIDE
from train.glyphs import DRAW_SIZE, FONTS, Font, GlyphSettings, check_fonts, glyph_ink, glyph_rows, read_fonts

MISSING = Font("fonts-not-a-package", "/nonexistent/fonts/Missing.ttf")


@pytest.fixture
def installed() -> None:
    need(not train.glyphs.missing_fonts(), "the listed fonts (make fonts)")


def test_the_list_names_a_debian_package_and_a_system_font_file_per_line(tmp_path):
    listed = tmp_path / "fonts.txt"
    listed.write_text("# comment\n\nfonts-a  /usr/share/fonts/a.ttf   # trailing comment\nfonts-b /usr/share/fonts/b.otf\n")
    assert read_fonts(listed) == (Font("fonts-a", "/usr/share/fonts/a.ttf"), Font("fonts-b", "/usr/share/fonts/b.otf"))
    assert FONTS and all(f.package.startswith("fonts-") and f.path.startswith("/usr/share/") for f in FONTS)
    assert len(set(FONTS)) == len(FONTS)


def test_a_missing_font_is_one_line_naming_its_package():
    with pytest.raises(UsageError) as error:
        check_fonts((*FONTS[:1], MISSING))
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"font {MISSING.path} is missing (1 of the 2 listed fonts)")
    assert "fonts-not-a-package" in message and "tools/system-deps.sh fonts" in message
    assert "--digits-only" in message


def test_training_stops_on_a_missing_font_before_tuning(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(train.glyphs, "FONTS", (MISSING,))
    code = main(["--trials", "1", "--folds", "2", "--no-progress", "--artifacts", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"error: font {MISSING.path} is missing")
    assert not (tmp_path / "study.db").exists()  # nothing was tuned


@pytest.mark.parametrize("font", FONTS, ids=lambda f: f.path.rsplit("/", 1)[-1])
def test_every_digit_fills_a_digits_copy(font, installed):
    face = ImageFont.truetype(font.path, DRAW_SIZE)
    for digit in range(10):
        ink = glyph_ink(face, digit)
        assert ink.shape == (RENDER_SIDE, RENDER_SIDE) and 0.0 <= ink.min() and ink.max() <= 1.0
        rows = np.flatnonzero(ink.max(axis=1) > 0.25)
        cols = np.flatnonzero(ink.max(axis=0) > 0.25)
        extent = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
        assert extent >= RENDER_SIDE - 2, (font.path, digit)


def test_glyph_rows_are_featurized_where_the_digits_copies_are(monkeypatch, installed):
    """Every glyph row goes through train/augment.py's call of the recognizer's featurizer graph."""
    calls = []
    featurize = train.augment.ink_features

    def counted(ink):
        calls.append(ink.shape)
        return featurize(ink)

    monkeypatch.setattr(train.augment, "ink_features", counted)
    X, y = glyph_rows(GlyphSettings(copies=2), seed=0, fonts=FONTS[:1])
    assert len(calls) == 20 and X.shape == (20, 64)
    assert sorted(y.tolist()) == sorted(list(range(10)) * 2)
    assert calls[0] == (2 * RENDER_SIDE, 2 * RENDER_SIDE)  # the jittered canvas of a Digits copy
    assert 0 <= X.min() and X.max() <= 16


def test_glyph_rows_are_reproducible_and_jittered(installed):
    first, _ = glyph_rows(GlyphSettings(copies=2), seed=3, fonts=FONTS[:1])
    again, _ = glyph_rows(GlyphSettings(copies=2), seed=3, fonts=FONTS[:1])
    other, _ = glyph_rows(GlyphSettings(copies=2), seed=4, fonts=FONTS[:1])
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert not np.array_equal(first[0::2], first[1::2])  # two copies of a glyph differ


def make_dry_run(*args: str) -> str:
    result = subprocess.run(["make", "-n", "train", "ARTIFACTS=/nonexistent/artifacts", *args], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("args", "installs_fonts", "flag"), [
    ((), True, ""),
    (("DIGITS_ONLY=1",), False, " --digits-only"),
])
def test_make_train_installs_the_fonts_unless_digits_only(args, installs_fonts, flag):
    commands = make_dry_run(*args).splitlines()
    assert ("tools/system-deps.sh fonts" in commands) is installs_fonts
    train_command = next(c for c in commands if " -m train " in c)
    assert train_command.rstrip().endswith("--artifacts /nonexistent/artifacts" + flag)
