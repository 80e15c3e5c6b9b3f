"""python -m evaluation.drawings.sheet: a contact sheet of the styles (rows) and digits (columns)."""

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from digits.cli import OneLineParser
from evaluation.drawings.generate import draw_one
from evaluation.drawings.styles import STYLES

CELL = 72
LABEL_WIDTH = 130


def _checkerboard(size: tuple[int, int], square: int = 6) -> Image.Image:
    # Shows where an RGBA drawing is transparent instead of hiding it on white.
    board = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(board)
    for y in range(0, size[1], square):
        for x in range((y // square) % 2 * square, size[0], 2 * square):
            draw.rectangle((x, y, x + square - 1, y + square - 1), fill=(215, 215, 215))
    return board


def _cell(image: Image.Image) -> Image.Image:
    image = image.convert("RGBA")
    if image.width <= 32:  # pixel art: blow up without blurring, by a whole factor
        k = (CELL - 4) // image.width
        image = image.resize((image.width * k, image.height * k), Image.Resampling.NEAREST)
    else:
        image.thumbnail((CELL - 4, CELL - 4), Image.Resampling.LANCZOS)
    cell = _checkerboard(image.size)
    cell.paste(image, (0, 0), image)
    return cell


def contact_sheet(seed: int, column: int = 0) -> Image.Image:
    sheet = Image.new("RGB", (LABEL_WIDTH + 10 * CELL, len(STYLES) * CELL), (250, 250, 250))
    draw = ImageDraw.Draw(sheet)
    for row, style in enumerate(STYLES):
        draw.text((6, row * CELL + CELL // 2 - 6), style.name, fill=(0, 0, 0))
        for label in range(10):
            cell = _cell(draw_one(seed, row, style, label, column).image)
            x = LABEL_WIDTH + label * CELL + (CELL - cell.width) // 2
            y = row * CELL + (CELL - cell.height) // 2
            sheet.paste(cell, (x, y))
            draw.rectangle((x - 1, y - 1, x + cell.width, y + cell.height), outline=(160, 160, 160))
    return sheet


def main(argv: Sequence[str] | None = None) -> None:
    parser = OneLineParser(prog="python -m evaluation.drawings.sheet", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/drawings-samples.png"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--index", type=int, default=0, help="which drawing of each (style, digit)")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(args.seed, args.index).save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
