"""python -m evaluation.drawings.generate: write the realistic-drawings evaluation set.

Layout of --out: <style>/<label>_<index>.png plus manifest.csv (file, label, style, variant).
The whole directory is built under a temporary name beside --out and renamed into place, so an
interrupted run leaves either the previous set or none, never half of one.
"""

import csv
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digits.cli import OneLineParser
from evaluation.drawings.render import render
from evaluation.drawings.skeletons import glyphs_for
from evaluation.drawings.styles import STYLES, Style

MANIFEST = "manifest.csv"
MANIFEST_FIELDS = ("file", "label", "style", "variant")
DEFAULT_OUT = Path("artifacts/drawings")


@dataclass(frozen=True)
class Drawing:
    file: str  # relative to the set's directory
    label: int
    style: str
    variant: str
    image: Image.Image


def draw_one(seed: int, style_index: int, style: Style, label: int, index: int) -> Drawing:
    """One drawing, a pure function of its coordinates in the set."""
    rng = np.random.default_rng([seed, style_index, label, index])
    variants = glyphs_for(label)
    glyph = variants[int(rng.integers(len(variants)))]
    image = render(glyph, style.sample(rng))
    return Drawing(f"{style.name}/{label}_{index:04d}.png", label, style.name, glyph.variant, image)


def iter_drawings(seed: int, per_class: int, styles: Sequence[Style] = STYLES) -> Iterator[Drawing]:
    for style_index, style in enumerate(styles):
        for label in range(10):
            for index in range(per_class):
                yield draw_one(seed, style_index, style, label, index)


def write_set(out: Path, seed: int, per_class: int, styles: Sequence[Style] = STYLES) -> int:
    """Write every drawing and the manifest to `out`, atomically. Returns the image count."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for style in styles:
            (staging / style.name).mkdir()
        rows = []
        for d in iter_drawings(seed, per_class, styles):
            d.image.save(staging / d.file, optimize=False)
            rows.append({"file": d.file, "label": d.label, "style": d.style, "variant": d.variant})
        with open(staging / MANIFEST, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=MANIFEST_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(rows)


def _swap_into_place(staging: Path, out: Path) -> None:
    # A directory cannot be atomically replaced by rename, so the old set is moved aside
    # first; the window in which `out` is missing is two renames long.
    retired = None
    if out.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        out.rename(retired / out.name)
    staging.rename(out)
    if retired is not None:
        shutil.rmtree(retired)


def read_manifest(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return [{**row, "label": int(row["label"])} for row in csv.DictReader(f)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = OneLineParser(prog="python -m evaluation.drawings.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default %(default)s)")
    parser.add_argument("--per-class", type=int, default=100, help="drawings per digit per style (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    n = write_set(args.out, args.seed, args.per_class)
    print(f"wrote {n} drawings ({len(STYLES)} styles x 10 digits x {args.per_class}) "
          f"to {args.out} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
