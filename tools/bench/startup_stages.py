"""python tools/bench/startup_stages.py MODEL: time each import of `python -m server`, then create_app().

Run as a script in a fresh interpreter (only the standard library is loaded before the timing),
so each figure is what that stage adds on top of the ones before it.
"""

import importlib
import json
import sys
import time

# The order `python -m server` pulls them in; each is timed on top of the ones before it.
STAGE_MODULES = ("flask", "waitress", "numpy", "PIL.Image", "onnxruntime", "prometheus_client", "server.app")


def time_stages(model_path: str) -> dict[str, float]:
    timings = {}
    for module in STAGE_MODULES:
        begin = time.perf_counter()
        importlib.import_module(module)
        timings[f"import {module}"] = round(time.perf_counter() - begin, 4)
    from server.app import create_app
    from server.config import Settings

    begin = time.perf_counter()
    create_app(Settings(model_path=model_path))
    timings["create_app (model load + warm-up)"] = round(time.perf_counter() - begin, 4)
    return timings


if __name__ == "__main__":
    print(json.dumps(time_stages(sys.argv[1])))
