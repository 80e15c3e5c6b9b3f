"""Upload bytes -> a loaded, upright PIL image, or a domain error saying why not.

The format policy (which decoders may run) and the pixel limit live here, so a decompression
bomb or an unexpected format is refused before any pixel is decoded.
"""

from __future__ import annotations

import io
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from digits.errors import ImageTooLarge, UndecodableImage, UnsupportedImageFormat

ACCEPTED_FORMATS: Final = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
DEFAULT_MAX_IMAGE_PIXELS: Final = 4096 * 4096
# Larger uploads are box-reduced first: a digit ends up as 32x32, and down to this side the
# answers on both yardsticks stay within 0.3 points per style; 256 and below lose thin strokes
# and small digits on big canvases (docs/real-handwriting.md, "Analysis resolution").
ANALYSIS_MAX_SIDE: Final = 320


def decode(data: bytes, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS) -> Image.Image:
    """Bytes -> a loaded, upright PIL image; refuses bombs before decoding any pixel."""
    if not data:
        raise UndecodableImage("empty image")
    # Pillow's messages name its own modules and settings ("... for PngImagePlugin.MAX_TEXT_CHUNK"),
    # which tell a client nothing it can act on; these say what is wrong with the file.
    too_large = f"image has too many pixels; the limit is {max_pixels} pixels"
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise UndecodableImage("cannot identify image file") from None
    except Image.DecompressionBombError:
        raise ImageTooLarge(too_large) from None
    except (OSError, SyntaxError, ValueError):
        raise UndecodableImage("cannot read image: its header or metadata is corrupt or too large") from None
    if image.format not in ACCEPTED_FORMATS:
        raise UnsupportedImageFormat(
            f"unsupported image format {image.format}; send one of {', '.join(ACCEPTED_FORMATS)}"
        )
    width, height = image.size
    if width * height > max_pixels:
        raise ImageTooLarge(f"image is {width}x{height} pixels; the limit is {max_pixels} pixels")
    # JPEG can decode at 1/2..1/8 scale for free; nothing below needs more than this.
    image.draft("RGB", (ANALYSIS_MAX_SIDE, ANALYSIS_MAX_SIDE))
    try:
        image.load()
        # Phone photos store "rotate me" in EXIF instead of rotating the pixels. In place: the
        # default returns a copy of every image, rotated or not.
        ImageOps.exif_transpose(image, in_place=True)
        return image
    except Image.DecompressionBombError:
        raise ImageTooLarge(too_large) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise UndecodableImage("cannot decode image: the file is truncated or corrupt") from None

