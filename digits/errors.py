"""Why an input cannot be turned into features. Domain errors: no HTTP here.

server/errors.py maps each to a status code; train/ and the tools catch them directly.
"""

from __future__ import annotations


class InputError(ValueError):
    """An input the pipeline refuses; `str(error)` is a message fit to show the sender."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UndecodableImage(InputError):
    """The bytes are not an image Pillow can read, or the image is truncated."""


class UnsupportedImageFormat(InputError):
    """A readable image in a format the service does not accept."""


class ImageTooLarge(InputError):
    """More pixels than the limit: refused before decoding (decompression bomb)."""


class ImageTooCostly(InputError):
    """Decoding would cost more CPU or memory than one upload may: refused from its header, or
    stopped when the decoding overran its budget."""


class BlankImage(InputError):
    """A readable image with no ink on it: answering with a digit would be a guess."""

    MESSAGE = "the image is blank: no ink found against the background"

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)
