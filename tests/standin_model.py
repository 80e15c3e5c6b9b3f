"""A stand-in for `python -m train` + `python -m export`: same contract, seconds to build.

Fits RandomForestClassifier(n_estimators=100, random_state=0) on load_digits and converts it
with skl2onnx the way export/ does (ZipMap off, input "input" float32 [N, 64], outputs
"label" and "probabilities"), so the server can be developed and tested before the real
pipeline lands. The test env has scikit-learn; server/ never imports this.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier

from server.contract import INPUT_NAME, LABEL_OUTPUT, N_FEATURES, PROBABILITIES_OUTPUT


def build_standin_model(path: Path) -> Path:
    features, labels = load_digits(return_X_y=True)
    clf = RandomForestClassifier(n_estimators=100, random_state=0).fit(features, labels)
    model = convert_sklearn(
        clf,
        initial_types=[(INPUT_NAME, FloatTensorType([None, N_FEATURES]))],
        options={id(clf): {"zipmap": False}},
        target_opset=17,
    )
    renames = dict(zip((out.name for out in model.graph.output), (LABEL_OUTPUT, PROBABILITIES_OUTPUT)))
    for node in model.graph.node:
        node.output[:] = [renames.get(name, name) for name in node.output]
    for out in model.graph.output:
        out.name = renames[out.name]
    model.model_version = 1
    model.doc_string = "stand-in RandomForest for server tests"
    for key, value in {
        "model_version": "standin-1",
        "params": '{"n_estimators": 100, "random_state": 0}',
        "sha256_pickle": hashlib.sha256(pickle.dumps(clf)).hexdigest(),
    }.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())
    return path


if __name__ == "__main__":
    import sys

    print(build_standin_model(Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/model.onnx")))
