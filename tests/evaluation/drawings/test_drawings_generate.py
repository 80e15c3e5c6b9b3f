"""The generator: deterministic for a seed, complete and balanced manifest, atomic output."""

from collections import Counter

import numpy as np
import pytest
from PIL import Image

from evaluation.drawings.generate import MANIFEST, draw_one, main, read_manifest, write_set
from evaluation.drawings.skeletons import all_glyphs
from evaluation.drawings.styles import STYLES, Style


def _pixels(drawing):
    return np.asarray(drawing.image).tobytes()


@pytest.mark.parametrize("style_index", range(len(STYLES)))
def test_same_seed_same_pixels_other_seed_other_pixels(style_index):
    style = STYLES[style_index]
    first = draw_one(7, style_index, style, 3, 0)
    assert _pixels(first) == _pixels(draw_one(7, style_index, style, 3, 0))
    assert _pixels(first) != _pixels(draw_one(8, style_index, style, 3, 0))


def test_set_on_disk_is_byte_identical_for_a_seed(tmp_path):
    write_set(tmp_path / "a", seed=5, per_class=1)
    write_set(tmp_path / "b", seed=5, per_class=1)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_manifest_lists_every_image_with_balanced_labels(tmp_path):
    out = tmp_path / "set"
    assert write_set(out, seed=0, per_class=3) == len(STYLES) * 10 * 3
    rows = read_manifest(out / MANIFEST)
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*.png")}
    assert {r["file"] for r in rows} == on_disk
    assert len(rows) == len(on_disk)
    assert Counter((r["style"], r["label"]) for r in rows) == {
        (s.name, label): 3 for s in STYLES for label in range(10)
    }
    variants = {(g.label, g.variant) for g in all_glyphs()}
    for r in rows:
        assert (r["label"], r["variant"]) in variants
        assert r["file"].startswith(r["style"] + "/")
        with Image.open(out / r["file"]) as image:
            image.verify()


def _broken_style(rng):
    raise RuntimeError("the pen ran dry")


def test_failed_run_leaves_the_previous_set_and_no_debris(tmp_path):
    out = tmp_path / "set"
    write_set(out, seed=0, per_class=1)
    before = sorted(p.name for p in out.rglob("*"))
    with pytest.raises(RuntimeError, match="pen ran dry"):
        write_set(out, seed=1, per_class=1, styles=(*STYLES[:1], Style("broken", "fails", _broken_style)))
    assert sorted(p.name for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["set"]


def test_rerun_replaces_the_old_set_entirely(tmp_path):
    out = tmp_path / "set"
    write_set(out, seed=0, per_class=2)
    (out / "stale.png").write_bytes(b"")
    write_set(out, seed=0, per_class=1, styles=STYLES[:2])
    assert not (out / "stale.png").exists()
    assert len(read_manifest(out / MANIFEST)) == 2 * 10
    assert [p.name for p in tmp_path.iterdir()] == ["set"]


def test_command_line(tmp_path, capsys):
    main(["--out", str(tmp_path / "cli"), "--per-class", "1", "--seed", "3"])
    assert f"wrote {len(STYLES) * 10} drawings" in capsys.readouterr().out
    assert len(read_manifest(tmp_path / "cli" / MANIFEST)) == len(STYLES) * 10
