"""Upload bytes -> a loaded, upright PIL image of at most analysis size, or a domain error.

The format policy (which decoders may run), the pixel limit and the per-format checks of what
decoding will cost live here, so a decompression bomb, an unexpected format or a file built to
make a decoder loop is refused before any pixel is decoded. What no check here foresees is
bounded by where this runs: `python -m server` calls it in a worker process with CPU and memory
limits (server/decode_worker.py), through `use_decoder`.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from digits.errors import ImageTooCostly, ImageTooLarge, UndecodableImage, UnsupportedImageFormat

ACCEPTED_FORMATS: Final = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
DEFAULT_MAX_IMAGE_PIXELS: Final = 4096 * 4096
# Larger uploads are box-reduced first: a digit ends up as 32x32, and down to this side the
# answers on both yardsticks stay within 0.3 points per style; 256 and below lose thin strokes
# and small digits on big canvases (docs/real-handwriting.md, "Analysis resolution").
ANALYSIS_MAX_SIDE: Final = 320
# libjpeg walks every coefficient block once per scan, even a scan without data (the cost per scan
# at 4096x4096: docs/reliability.md, "Bounded decoding"). An encoder's progressive script has
# about 10 scans; 64 leaves room for any.
MAX_JPEG_SCANS: Final = 64
# Pillow decodes RLE bitmaps in Python, a loop step per pixel (docs/reliability.md, "Bounded
# decoding").
MAX_BMP_RLE_PIXELS: Final = 512 * 512
BMP_RLE_COMPRESSIONS: Final = (1, 2)  # BI_RLE8, BI_RLE4
# libwebp has no reduced decoding here: the whole canvas is allocated when the file is opened, and
# decoded as RGBA and copied again (docs/reliability.md, "Bounded decoding", has the bytes per
# pixel).
MAX_WEBP_PIXELS: Final = 2048 * 2048
# A JPEG marker outside entropy-coded data: 0xFF, then neither a stuffed 0x00, nor a fill 0xFF,
# nor a restart marker (RSTn, which only occurs inside a scan).
_JPEG_MARKER: Final = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
_SOS: Final = 0xDA
_EOI: Final = 0xD9

Decoder = Callable[[bytes, int], Image.Image]


def decode(data: bytes, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS) -> Image.Image:
    """Bytes -> an upright PIL image whose longer side is at most ANALYSIS_MAX_SIDE.

    Runs the decoder installed with `use_decoder` (the server's isolated workers), else
    `decode_here` in this process.
    """
    return _installed(data, max_pixels)


def use_decoder(decoder: Decoder | None) -> None:
    """Route every `decode` through `decoder` (None: back to `decode_here`)."""
    global _installed
    _installed = decoder or decode_here


def decode_here(data: bytes, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS) -> Image.Image:
    """`decode` in this process: header checks, then the pixels, upright and reduced."""
    return reduce_for_analysis(decode_full(open_checked(data, max_pixels)))


def open_checked(data: bytes, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS) -> Image.Image:
    """Bytes -> an opened, not yet decoded image, refused if decoding it would cost too much."""
    if not data:
        raise UndecodableImage("empty image")
    _check_webp_size(data)  # Pillow's WebP plugin allocates the whole canvas when it opens the file
    # Pillow's messages name its own modules and settings ("... for PngImagePlugin.MAX_TEXT_CHUNK"),
    # which tell a client nothing it can act on; these say what is wrong with the file.
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise UndecodableImage("cannot identify image file") from None
    except Image.DecompressionBombError:
        raise ImageTooLarge(f"image has too many pixels; the limit is {max_pixels} pixels") from None
    except MemoryError:
        raise ImageTooCostly("image too costly to decode: it needs more memory than allowed") from None
    except (OSError, SyntaxError, ValueError, struct.error):
        raise UndecodableImage("cannot read image: its header or metadata is corrupt or too large") from None
    if image.format not in ACCEPTED_FORMATS:
        raise UnsupportedImageFormat(
            f"unsupported image format {image.format}; send one of {', '.join(ACCEPTED_FORMATS)}"
        )
    width, height = image.size
    if width * height > max_pixels:
        raise ImageTooLarge(f"image is {width}x{height} pixels; the limit is {max_pixels} pixels")
    _check_cost(image, data)
    return image


def decode_full(image: Image.Image) -> Image.Image:
    """An image from open_checked -> its pixels, loaded and upright (JPEG at a reduced scale)."""
    # JPEG can decode at 1/2..1/8 scale for free; nothing below needs more than this.
    image.draft("RGB", (ANALYSIS_MAX_SIDE, ANALYSIS_MAX_SIDE))
    try:
        image.load()
        # Phone photos store "rotate me" in EXIF instead of rotating the pixels. In place: the
        # default returns a copy of every image, rotated or not.
        ImageOps.exif_transpose(image, in_place=True)
        return image
    except Image.DecompressionBombError:
        raise ImageTooLarge("image has too many pixels") from None
    except MemoryError:
        raise ImageTooCostly("image too costly to decode: it needs more memory than allowed") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise UndecodableImage("cannot decode image: the file is truncated or corrupt") from None


def reduce_for_analysis(image: Image.Image) -> Image.Image:
    """Box-reduce by a whole factor until the longer side is at most ANALYSIS_MAX_SIDE.

    What the preprocessing would otherwise do first (the same conversion and factor), done
    where the image is decoded, so only analysis-sized pixels leave the decoder.
    """
    factor = -(-max(image.size) // ANALYSIS_MAX_SIDE)  # ceil division
    if factor <= 1:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    return image.reduce(factor)


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _check_cost(image: Image.Image, data: bytes) -> None:
    """Refuse, from the header alone, files whose decoding costs far more than their pixels."""
    width, height = image.size
    pixels = width * height
    if image.format == "JPEG":
        scans = jpeg_scan_count(data)
        if scans > MAX_JPEG_SCANS:
            raise ImageTooCostly(f"image too costly to decode: more than {MAX_JPEG_SCANS} JPEG scans")
    elif image.format == "BMP":
        compression = image.info.get("compression")
        if compression in BMP_RLE_COMPRESSIONS and pixels > MAX_BMP_RLE_PIXELS:
            raise ImageTooCostly(f"image too costly to decode: a run-length encoded BMP of {width}x{height} "
                                 f"pixels; the limit is {MAX_BMP_RLE_PIXELS} pixels")



def _check_webp_size(data: bytes) -> None:
    size = webp_size(data)
    if size is not None and size[0] * size[1] > MAX_WEBP_PIXELS:
        raise ImageTooCostly(f"image too costly to decode: a WebP of {size[0]}x{size[1]} pixels; "
                             f"the limit for WebP is {MAX_WEBP_PIXELS} pixels")


def webp_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a WebP file's first chunk (RIFF container, then VP8X, VP8L or VP8),
    or None if the bytes are not a WebP file this can read."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    kind = data[12:16]
    if kind == b"VP8X":  # the canvas: 24-bit width - 1 and height - 1
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8L" and data[20] == 0x2F:  # lossless: 14-bit width - 1 and height - 1
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8 ":  # lossy: after the frame tag and start code, 14-bit width and height
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    return None


def jpeg_scan_count(data: bytes) -> int:
    """Start-of-scan markers in a JPEG's own marker stream, counted up to one over MAX_JPEG_SCANS
    (an EXIF thumbnail's are not counted).

    Segments are skipped by their length; after a scan header the entropy-coded data runs to the
    next marker, found with one regular-expression search (C speed, not a loop over bytes).
    """
    scans = 0
    position = 2  # after SOI
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return scans  # not a marker where one must be: the decoder will say it is corrupt
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == _EOI:
            return scans
        (length,) = struct.unpack_from(">H", data, position + 2)
        position += 2 + length
        if marker == _SOS:
            scans += 1
            if scans > MAX_JPEG_SCANS:
                return scans
            following = _JPEG_MARKER.search(data, position)
            if following is None:
                return scans
            position = following.start()
    return scans


_installed: Decoder = decode_here
