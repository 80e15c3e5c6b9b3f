"""Image bytes for the fuzz catalogue: a valid digit in every mode and format, and hostile files.

Hostile headers are written by hand (PNG chunks with their CRCs, GIF and JPEG size fields), so a
"20000x20000" file is a few hundred bytes on the wire, exactly what a decompression bomb looks like.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache
from typing import Final

import numpy as np
from PIL import Image

from digits.decode import DEFAULT_MAX_IMAGE_PIXELS, MAX_JPEG_SCANS
from evaluation.drawings.grid import GridStyle, encode, render_grid
from server.config import Settings
from train.data import load_split

DIGIT: Final = 3  # the label of the valid drawing every check ends with
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


@lru_cache(maxsize=1)
def digit_image() -> Image.Image:
    """A clean drawing of the first Digits sample of DIGIT (RGB, 256x256)."""
    # A training row of the default split: the checks test plumbing, not generalisation.
    split = load_split(seed=42)
    return render_grid(split.X_train[split.y_train == DIGIT][0], GridStyle())


@lru_cache(maxsize=32)
def digit(fmt: str = "PNG", mode: str | None = None, **save: object) -> bytes:
    return encode(digit_image() if mode is None else digit_image().convert(mode), fmt, **save)


@lru_cache(maxsize=1)
def valid_images() -> dict[str, bytes]:
    """Readable images the server must answer 200 (or 422 where there is no ink)."""
    image = digit_image()
    gray = np.asarray(image.convert("L"), dtype=np.uint16)
    sixteen = Image.fromarray((gray * 257).astype(np.uint16))  # 16-bit grey, "I;16"
    palette = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    palette.info["transparency"] = palette.getpixel((0, 0))  # the paper colour is transparent
    frames = [image, image.rotate(5, fillcolor="white")]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return {
        "png": digit("PNG"),
        "jpeg": digit("JPEG", quality=90),
        "gif": digit("GIF"),
        "bmp": digit("BMP"),
        "webp": digit("WEBP"),
        "png 16-bit": encode(sixteen, "PNG"),
        "jpeg cmyk": digit("JPEG", mode="CMYK"),
        "png palette transparency": encode(palette, "PNG"),
        "png grey+alpha": digit("PNG", mode="LA"),
        "png 1-bit": digit("PNG", mode="1"),
        "gif animated": animated.getvalue(),
        "png 8x8 grid": encode(image.convert("L").resize((8, 8), Image.Resampling.BOX)),
        "png 1x100000": encode(Image.linear_gradient("L").resize((1, 100000))),
        "png 100000x1": encode(Image.linear_gradient("L").rotate(90).resize((100000, 1))),
        "png 1x1": encode(Image.new("L", (1, 1), 0)),
        "png all ink 64x64": encode(Image.new("L", (64, 64), 0)),
        "png one ink pixel 280x280": encode(_one_pixel(280)),
        "png 1x300 line": encode(Image.new("L", (1, 300), 0)),
    }


def _one_pixel(side: int) -> Image.Image:
    image = Image.new("L", (side, side), 255)
    image.putpixel((side // 2, side // 2), 0)
    return image


def blank(mode: str = "RGB") -> bytes:
    """A 200x200 PNG with no ink: white, or fully transparent for RGBA."""
    colour = (0, 0, 0, 0) if mode == "RGBA" else "white"
    return encode(Image.new(mode, (200, 200), colour))


def png(width: int, height: int, idat: bytes, bit_depth: int = 1, colour_type: int = 0,
        before_idat: bytes = b"") -> bytes:
    """A PNG file with the given header fields and compressed pixel stream, CRCs correct."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + before_idat + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@lru_cache(maxsize=1)
def png_with_text(size: int = 2 * 1024 * 1024) -> bytes:
    """A 1x1 PNG with a compressed text chunk of `size` bytes: over Pillow's 1 MiB text limit,
    a few KB on the wire."""
    text = _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"a" * size, 9))
    return png(1, 1, zlib.compress(b"\x00\x00"), before_idat=text)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=1)
def png_bomb(side: int = 20000) -> bytes:
    """A real 1-bit side x side PNG: 50 MB of pixels for side=20000, ~50 KB compressed."""
    row = b"\x00" * (1 + side // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return png(side, side, idat)


def gif_claiming(width: int, height: int) -> bytes:
    """A GIF whose logical screen is width x height, holding a single 1x1 frame."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    frame = b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + frame + b";"


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small valid JPEG whose frame header (SOF0) is patched to say width x height."""
    data = bytearray(digit("JPEG", quality=50))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@lru_cache(maxsize=4)
def progressive_jpeg_with_scans(side: int, extra_scans: int) -> bytes:
    """A plain progressive JPEG of side x side, then `extra_scans` scan headers with no data
    before its end: libjpeg walks every coefficient block once per scan."""
    buffer = io.BytesIO()
    Image.new("L", (side, side), 255).save(buffer, "JPEG", progressive=True, quality=50)
    data = buffer.getvalue()
    empty_scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x00\x00"  # component 1, DC first pass
    return data[:-2] + empty_scan * extra_scans + data[-2:]


def scans_within(size: int, side: int = 4096) -> int:
    """How many empty scans fill a JPEG of side x side up to `size` bytes."""
    return (size - len(progressive_jpeg_with_scans(side, 0))) // 10


def bmp_rle8(width: int, height: int) -> bytes:
    """A run-length encoded 8-bit BMP whose every row is one pixel and an early end of line:
    Pillow pads each row in a Python loop, one step per pixel."""
    palette = b"\x00\x00\x00\x00\xff\xff\xff\x00"
    pixels = b"\x01\x00\x00\x00" * height + b"\x00\x01"
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(pixels), 2835, 2835, 2, 0)
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels


@lru_cache(maxsize=4)
def blank_lossless(fmt: str, width: int, height: int, mode: str = "RGBA") -> bytes:
    """A blank image that compresses to almost nothing and decodes to width x height pixels."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height), 0).save(buffer, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return buffer.getvalue()


def png_with_exif_tags(tags: int) -> bytes:
    """The digit as PNG with an eXIf chunk of `tags` entries that each point past the block's end
    (Pillow warns once per tag and skips it)."""
    entries = b"".join(struct.pack("<HHII", 0x9000 + index % 0x1000, 7, 1000, 0xFFFFFF) for index in range(tags))
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", tags) + entries + b"\x00\x00\x00\x00"
    valid = digit("PNG")
    return valid[:33] + _chunk(b"eXIf", tiff) + valid[33:]


@lru_cache(maxsize=1)
def costly_images() -> dict[str, tuple[bytes, frozenset[int], str]]:
    """Files within the body and pixel limits whose decoding costs far more than their size, and
    the ones just inside each per-format limit: the statuses that are right for each, and a
    fragment the error message must contain. docs/reliability.md has what each cost before."""
    costly = frozenset({413})
    decodable = frozenset({200, 422})
    return {
        "jpeg 4096x4096 progressive, 190,000 empty scans": (
            progressive_jpeg_with_scans(4096, scans_within(Settings().max_upload_bytes - 1024)), costly, "JPEG scans"),
        "jpeg 2048x2048 progressive, 64 scans": (progressive_jpeg_with_scans(2048, MAX_JPEG_SCANS - 6), decodable, ""),
        "bmp rle8 65536x256, rows ended early": (bmp_rle8(65536, 256), costly, "run-length encoded BMP"),
        "bmp rle8 512x512, rows ended early": (bmp_rle8(512, 512), decodable, ""),
        "webp lossless 16383x1024 rgba": (blank_lossless("WEBP", 16383, 1024), costly, "WebP"),
        "webp lossless 2048x2048 rgba": (blank_lossless("WEBP", 2048, 2048), decodable, ""),
        "webp lossless 4096x2048 rgba": (blank_lossless("WEBP", 4096, 2048), costly, "WebP"),
        "png 2048x2048 rgba": (blank_lossless("PNG", 2048, 2048), decodable, ""),
        # Within the pixel limit, but decoding it needs more memory than a request may take.
        "png 4096x4096 rgba": (blank_lossless("PNG", 4096, 4096), costly, "image too costly to decode"),
        "png header 10000x9000": (png(10000, 9000, zlib.compress(b"\x00" * 64)), frozenset({413}), "the limit is"),
        "png with 10,000 corrupt exif tags": (png_with_exif_tags(10_000), decodable, ""),
    }


@lru_cache(maxsize=1)
def hostile_images() -> dict[str, tuple[bytes, frozenset[int], str]]:
    """Images that must be refused: the statuses that are right for each, and a fragment the
    error message must contain ("" for any)."""
    valid = digit("PNG")
    too_big = frozenset({413})
    limit = f"the limit is {DEFAULT_MAX_IMAGE_PIXELS} pixels"
    unreadable = frozenset({400})
    return {
        "png bomb 20000x20000": (png_bomb(), too_big, limit),
        "png header 20000x20000": (png(20000, 20000, zlib.compress(b"\x00" * 64)), too_big, limit),
        "png header 65535x65535 rgba16": (png(65535, 65535, zlib.compress(b""), 16, 6), too_big, limit),
        "gif header 20000x20000": (gif_claiming(20000, 20000), too_big, limit),
        "jpeg header 20000x20000": (jpeg_claiming(20000, 20000), too_big, limit),
        "png 0x0": (png(0, 0, zlib.compress(b"")), unreadable, ""),
        "png 1x1 no pixel data": (png(1, 1, b""), unreadable, ""),
        "png bad crc": (valid[:29] + b"\x00\x00\x00\x00" + valid[33:], unreadable, ""),
        "png signature only": (PNG_SIGNATURE, unreadable, ""),
        "png text chunk over the text limit": (png_with_text(), unreadable, "cannot read image"),
        "gif header only": (gif_claiming(10, 10)[:13], unreadable, ""),
        "jpeg soi only": (b"\xff\xd8\xff", unreadable, ""),
        "tiff": (encode(Image.new("L", (50, 50)), "TIFF"), frozenset({415}), "unsupported image format TIFF"),
        "ico": (encode(Image.new("RGBA", (32, 32)), "ICO"), frozenset({415}), "unsupported image format ICO"),
        "pdf magic": (b"%PDF-1.4\n" + b"0" * 100, unreadable, "cannot identify image"),
        "pickle": (b"\x80\x04\x95" + b"\x00" * 40 + b".", unreadable, "cannot identify image"),
        "zip": (b"PK\x03\x04" + b"\x00" * 60, unreadable, "cannot identify image"),
    }
