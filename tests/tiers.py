"""The tiers: each test says it is live (`pytestmark = pytest.mark.live` in its module, or
`@pytest.mark.live` on the test), and `make test-fast` runs the rest with -m "not live".

Live means a real process, daemon, browser, the network or the trained pipeline; everything that
runs in process on the small model (`small_forest_path`, `small_model_path`, `app`, `client`) is
fast. A test that asks for a live fixture without the mark fails the whole run at collection, so a
forgotten mark is a loud error rather than a fast tier that silently trains, serves or waits.
The root conftest.py installs the hook below.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

LIVE_FIXTURES = frozenset({
    "trained_artifacts", "exported_artifacts", "model_path", "forest_path",  # the real train + export
    "default_model",  # the default training run the docs show
    "live_server", "runtime_python",  # a real server process, a fresh virtualenv from the pins
    "docker_engine", "base_image", "postgres_server", "browser",  # daemons and Chromium
})


def unmarked_live(items: Iterable[pytest.Item]) -> list[str]:
    """'node id: fixtures' of each test that uses a live fixture but is not marked live."""
    return [
        f"{item.nodeid}: {', '.join(sorted(LIVE_FIXTURES & set(item.fixturenames)))}"
        for item in items
        if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("live") is None
    ]


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything, so every tier is checked
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    offenders = unmarked_live(items)
    if offenders:
        raise pytest.UsageError(
            "these tests use live fixtures but are not marked live (add `pytestmark = pytest.mark.live` "
            "to the module or @pytest.mark.live to the test):\n  " + "\n  ".join(offenders))
