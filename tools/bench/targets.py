"""The performance targets, checked against one run's results. Reported, never enforced."""

from __future__ import annotations

from typing import Any

TARGET_CONCURRENCY = 8
# The minimums; the aims are 15x and 0.5.
MIN_OVER_PICKLE = 10.0
MIN_OVER_CEILING = 0.35
MAX_P99_OVER_P50 = 3.0
# Half of paint_280's CPU per request at c=8 before the per-request work in the tuning log
# (tools/bench/README.md, "Where the targets stand").
CPU_IMAGE = "paint_280"
MAX_CPU_MS_PER_REQUEST = 4.3
MAX_COLD_START_S = 0.5
MAX_CONTAINER_START_S = 1.0
MAX_IMAGE_MB = 150.0  # the whole runtime image: it has no base of its own to subtract
MIN_ORT_SPEEDUP = 500.0


def check(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for ratio in results["http"]["ratios"]:
        if ratio["concurrency"] != TARGET_CONCURRENCY:
            continue
        where = f"{ratio['image']}, c={TARGET_CONCURRENCY}"
        checks += [
            _at_least(f"throughput ours/pickle ({where})", ratio["ours_over_pickle"], MIN_OVER_PICKLE),
            _at_least(f"throughput ours/ceiling ({where})", ratio["ours_over_ceiling"], MIN_OVER_CEILING),
            _at_most(f"ours p99/p50 ({where})", ratio["p99_over_p50"], MAX_P99_OVER_P50),
        ]
    cpu = next((row["cpu_ms_per_request"] for row in results["http"]["medians"]
                if (row["server"], row["image"], row["concurrency"]) == ("ours", CPU_IMAGE, TARGET_CONCURRENCY)),
               None)
    checks.append(_at_most(f"ours CPU ms per request ({CPU_IMAGE}, c={TARGET_CONCURRENCY})", cpu,
                           MAX_CPU_MS_PER_REQUEST))
    checks.append(_at_most("cold start, seconds", results["cold_start"]["median_s"], MAX_COLD_START_S))
    checks.append(_at_most("container start to ready, seconds", results["container_start"]["median_s"],
                           MAX_CONTAINER_START_S))
    checks.append(_at_most("runtime image, whole, MB", results["image_size"].get("image_mb"), MAX_IMAGE_MB))
    speedup = results["model_level"]["cases"]["1 row"]["speedup"]
    checks.append(_at_least("onnxruntime/sklearn speed, 1 row", speedup, MIN_ORT_SPEEDUP))
    return checks


def _at_least(name: str, value: float | None, bound: float) -> dict[str, Any]:
    return {"target": name, "value": value, "bound": f">= {bound:g}", "met": value is not None and value >= bound}


def _at_most(name: str, value: float | None, bound: float) -> dict[str, Any]:
    return {"target": name, "value": value, "bound": f"<= {bound:g}", "met": value is not None and value <= bound}
