"""The waitress options the server relies on are ones waitress really applies."""

from __future__ import annotations

import inspect
import warnings

from waitress import channel
from waitress.adjustments import Adjustments

from server.config import Settings
from server.serving import SEND_BYTES, waitress_options


def test_every_option_is_one_waitress_accepts() -> None:
    options = waitress_options(Settings(port=0, host="127.0.0.1"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        adjustments = Adjustments(**options)
    assert adjustments.send_bytes == SEND_BYTES


def test_send_bytes_is_still_read_by_the_channel() -> None:
    # Deprecated in waitress 3.0 but honoured; if a waitress bump drops it, responses may again
    # leave as headers then body, and the load-balanced kill test would flake rather than fail.
    assert "self.adj.send_bytes" in inspect.getsource(channel.HTTPChannel)
