"""The request bodies every server gets: a 280x280 paint-style drawing and an 8x8 icon (PNG)."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from evaluation.drawings.render import render
from evaluation.drawings.skeletons import glyphs_for
from evaluation.drawings.styles import large_rgb

REPO = Path(__file__).resolve().parents[2]
ICON_8X8 = REPO / "handwritten-digits" / "digit_7.png"
PAINT_SIDE = 280
PAINT_LABEL = 7
IMAGE_FIELD = "image"


@dataclass(frozen=True)
class BenchImage:
    name: str  # "paint_280" or "icon_8x8"
    path: Path
    label: int  # the digit drawn

    def describe(self) -> dict[str, object]:
        data = self.path.read_bytes()
        return {"file": self.path.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                "label": self.label}


def write_images(directory: Path) -> list[BenchImage]:
    """Draw the 280x280 paint-style PNG (deterministic) and copy the 8x8 sample into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    params = large_rgb(np.random.default_rng(PAINT_LABEL))
    params = replace(params, canvas=(PAINT_SIDE, PAINT_SIDE), centre=(PAINT_SIDE / 2, PAINT_SIDE / 2))
    paint = directory / "paint_280.png"
    render(glyphs_for(PAINT_LABEL)[0], params).save(paint)
    icon = directory / "icon_8x8.png"
    shutil.copyfile(ICON_8X8, icon)
    return [BenchImage("paint_280", paint, PAINT_LABEL), BenchImage("icon_8x8", icon, 7)]


def multipart(data: bytes) -> tuple[bytes, str]:
    """The /predict_digit multipart body for one image (as curl -F image=@file.png sends it)."""
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{IMAGE_FIELD}\"; filename=\"digit.png\"\r\n"
        "Content-Type: image/png\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
