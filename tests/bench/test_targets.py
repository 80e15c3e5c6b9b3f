"""tools/bench/targets.py: each target read from the right place in a results file, met or not."""

from __future__ import annotations

from typing import Any

import pytest

from tools.bench.targets import check


def results(over_pickle: float = 12.0, over_ceiling: float = 0.4, p99_over_p50: float = 2.0, cpu_ms: float = 4.0,
            cold_s: float = 0.4, container_s: float | None = 0.9, image_mb: float | None = 140.0,
            speedup: float = 600.0) -> dict[str, Any]:
    return {
        "http": {
            "ratios": [{"image": "paint_280", "concurrency": 8, "ours_over_pickle": over_pickle,
                        "ours_over_ceiling": over_ceiling, "p99_over_p50": p99_over_p50},
                       {"image": "paint_280", "concurrency": 1, "ours_over_pickle": 1.0,
                        "ours_over_ceiling": 0.01, "p99_over_p50": 9.0}],
            "medians": [{"server": "ours", "image": "paint_280", "concurrency": 8, "cpu_ms_per_request": cpu_ms},
                        {"server": "ours", "image": "paint_280", "concurrency": 1, "cpu_ms_per_request": 99.0},
                        {"server": "pickle", "image": "paint_280", "concurrency": 8, "cpu_ms_per_request": 99.0}],
        },
        "cold_start": {"median_s": cold_s},
        "container_start": {"median_s": container_s},
        "image_size": {"image_mb": image_mb},
        "model_level": {"cases": {"1 row": {"speedup": speedup}}},
    }


def met(found: list[dict[str, Any]]) -> dict[str, bool]:
    return {target["target"]: target["met"] for target in found}


def test_a_run_meeting_every_target_meets_them_all_and_only_c8_is_checked() -> None:
    found = check(results())
    assert all(met(found).values()), found
    assert not any("c=1" in target["target"] for target in found)


@pytest.mark.parametrize("changed, target", [
    ({"over_pickle": 9.9}, "throughput ours/pickle (paint_280, c=8)"),
    ({"over_ceiling": 0.34}, "throughput ours/ceiling (paint_280, c=8)"),
    ({"p99_over_p50": 3.1}, "ours p99/p50 (paint_280, c=8)"),
    ({"cpu_ms": 4.31}, "ours CPU ms per request (paint_280, c=8)"),
    ({"cold_s": 0.51}, "cold start, seconds"),
    ({"container_s": 1.01}, "container start to ready, seconds"),
    ({"container_s": None}, "container start to ready, seconds"),  # not measured is not met
    ({"image_mb": 150.1}, "runtime image, whole, MB"),
    ({"image_mb": None}, "runtime image, whole, MB"),
    ({"speedup": 499.0}, "onnxruntime/sklearn speed, 1 row"),
])
def test_each_target_is_missed_alone(changed: dict[str, Any], target: str) -> None:
    outcome = met(check(results(**changed)))
    assert [name for name, ok in outcome.items() if not ok] == [target]
