"""Render a tmux `capture-pane -p` text dump as a terminal-looking PNG.

    python tools/render_terminal.py PANE.txt OUT.png [--title TITLE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"  # Debian: fonts-dejavu-core
BACKGROUND, FOREGROUND, TITLE_BAR = (30, 30, 30), (220, 220, 220), (60, 60, 60)
SIZE, PADDING, BAR = 15, 14, 28


def render(lines: list[str], title: str) -> Image.Image:
    font = ImageFont.truetype(FONT, SIZE)
    cell_w = font.getbbox("M")[2]
    line_h = int(SIZE * 1.35)
    columns = max((len(line) for line in lines), default=0)
    width = max(columns * cell_w, 400) + 2 * PADDING
    height = BAR + len(lines) * line_h + 2 * PADDING
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, BAR), fill=TITLE_BAR)
    for i, colour in enumerate([(255, 95, 86), (255, 189, 46), (39, 201, 63)]):
        draw.ellipse((12 + i * 20, 8, 24 + i * 20, 20), fill=colour)
    draw.text((width // 2, BAR // 2), title, font=font, fill=FOREGROUND, anchor="mm")
    for row, line in enumerate(lines):
        draw.text((PADDING, BAR + PADDING + row * line_h), line, font=font, fill=FOREGROUND)
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pane", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--title", default="terminal")
    args = parser.parse_args()
    lines = args.pane.read_text(encoding="utf-8").rstrip("\n").splitlines()
    render(lines, args.title).save(args.out, optimize=True)


if __name__ == "__main__":
    main()
