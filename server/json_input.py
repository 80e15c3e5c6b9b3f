"""A client's JSON, read defensively: what JSON allows and the model cannot take is refused here."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from server.errors import BadRequest


def json_object(data: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is invalid, nested too deeply or not an object."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." thousands deep
        return None
    return body if isinstance(body, dict) else None


def as_numbers(values: object, message: str) -> np.ndarray:
    """A (nested) list of JSON numbers -> float32 array; anything else -> BadRequest(message).

    Strings ("1"), booleans, ragged lists and integers too large for a float (10**400 is valid
    JSON) are refused here rather than coerced by numpy or left to overflow later.
    """
    try:
        array = np.asarray(values)
    except (TypeError, ValueError, OverflowError):
        raise BadRequest(message) from None
    if array.dtype.kind not in "iuf":
        raise BadRequest(message)
    return array.astype(np.float32)


def quoted(value: object, limit: int = 60) -> str:
    """A client's value for an error message: JSON, cut short."""
    try:
        text = json.dumps(value)
    except (ValueError, TypeError, RecursionError):  # ValueError: an int too long to print
        text = "a value that cannot be shown"
    return text if len(text) <= limit else text[:limit] + "..."
