"""scikit-learn RandomForest -> ONNX with skl2onnx, with plain tensor outputs and the model's facts."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType

from digits.calibration import CONFIDENCE_POWER
from digits.contract import CLASSES, INPUT_NAME, LABEL_OUTPUT, N_FEATURES, PROBABILITIES_OUTPUT

# Opsets we ask skl2onnx for; the file's real imports are read back and recorded (see opset_imports).
TARGET_OPSET = {"": 18, "ai.onnx.ml": 3}  # 18: the recognizer graph's (recognizer/ops.py)


def to_onnx(model: Any) -> onnx.ModelProto:
    """Convert a fitted classifier into an ONNX graph honouring digits/contract.py.

    ZipMap is turned off so `probabilities` is a plain float32 [N, 10] tensor that any runtime
    (C, Java, JavaScript, C#) can read, instead of a sequence of maps.
    """
    onx = convert_sklearn(
        model,
        name="digits_random_forest",
        initial_types=[(INPUT_NAME, FloatTensorType([None, N_FEATURES]))],
        final_types=[(LABEL_OUTPUT, Int64TensorType([None])),
                     (PROBABILITIES_OUTPUT, FloatTensorType([None, len(CLASSES)]))],
        options={id(model): {"zipmap": False}},
        target_opset=TARGET_OPSET,
    )
    drop_zero_leaf_weights(onx)
    drop_default_node_attributes(onx)
    calibrate_probabilities(onx, CONFIDENCE_POWER)
    onnx.checker.check_model(onx, full_check=True)
    return onx


def calibrate_probabilities(onx: onnx.ModelProto, power: float) -> onnx.ModelProto:
    """Append digits/calibration.py's calibrate() to the graph, in place: p**power / sum(p**power).

    The forest's vote shares become `shares`; `probabilities` is their calibrated form, so every
    runtime reading the file serves the calibrated confidence. The label output is untouched
    (a power keeps each row's order). The parity gate compares against calibrate() itself.
    """
    shares = f"{PROBABILITIES_OUTPUT}_shares"
    for entry in onx.opset_import:
        if entry.domain in ("", "ai.onnx") and entry.version < TARGET_OPSET[""]:
            entry.version = TARGET_OPSET[""]  # ReduceSum takes its axes as an input from 13 on
    for node in onx.graph.node:
        node.output[:] = [shares if name == PROBABILITIES_OUTPUT else name for name in node.output]
    onx.graph.initializer.extend([
        numpy_helper.from_array(np.array(power, dtype=np.float32), "calibration_power"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "calibration_axes"),
    ])
    onx.graph.node.extend([
        helper.make_node("Pow", [shares, "calibration_power"], ["calibration_raised"]),
        helper.make_node("ReduceSum", ["calibration_raised", "calibration_axes"],
                         ["calibration_total"], keepdims=1),
        helper.make_node("Div", ["calibration_raised", "calibration_total"], [PROBABILITIES_OUTPUT]),
    ])
    return onx


def drop_zero_leaf_weights(onx: onnx.ModelProto) -> onnx.ModelProto:
    """Remove the zero entries of TreeEnsembleClassifier's per-leaf class weights, in place.

    skl2onnx writes every leaf's weight for all 10 classes, but a leaf of a forest grown to
    purity votes for one or two, so most entries are 0 and dropping them shrinks the file to well
    under half (docs/results.md, "Export"): a smaller image, a faster load. A missing entry adds
    nothing to a class's score, exactly like a zero one; the parity gate checks the result.
    """
    for node in onx.graph.node:
        if node.op_type != "TreeEnsembleClassifier":
            continue
        attrs = {a.name: a for a in node.attribute}
        weights = list(attrs["class_weights"].floats)
        keep = [i for i, w in enumerate(weights) if w != 0.0]
        for name in ("class_ids", "class_nodeids", "class_treeids"):
            values = list(attrs[name].ints)
            del attrs[name].ints[:]
            attrs[name].ints.extend(values[i] for i in keep)
        del attrs["class_weights"].floats[:]
        attrs["class_weights"].floats.extend(weights[i] for i in keep)
    return onx


# Optional TreeEnsembleClassifier attributes that skl2onnx fills with what leaving them out means:
# hit rates (1.0 everywhere; a hint for tree layout that ONNX Runtime does not read) and
# missing-value tracking (0 everywhere: a forest fitted without NaNs sends them down the false
# branch, the default). Together a good part of the file (docs/results.md, "Export").
DEFAULT_NODE_ATTRIBUTES = {"nodes_hitrates": 1.0, "nodes_missing_value_tracks_true": 0}


def drop_default_node_attributes(onx: onnx.ModelProto) -> onnx.ModelProto:
    """Remove DEFAULT_NODE_ATTRIBUTES from the tree nodes, in place, where every entry holds the
    default; an attribute with any other value is kept."""
    for node in onx.graph.node:
        if node.op_type != "TreeEnsembleClassifier":
            continue
        for attribute in list(node.attribute):
            default = DEFAULT_NODE_ATTRIBUTES.get(attribute.name)
            values = attribute.floats if attribute.type == onnx.AttributeProto.FLOATS else attribute.ints
            if default is not None and all(value == default for value in values):
                node.attribute.remove(attribute)
    return onx


def opset_imports(onx: onnx.ModelProto) -> dict[str, int]:
    """The opsets the file really imports (skl2onnx may pick lower ones than asked)."""
    return {(entry.domain or "ai.onnx"): entry.version for entry in onx.opset_import}


def set_metadata(onx: onnx.ModelProto, facts: dict[str, Any]) -> onnx.ModelProto:
    """Store facts as metadata_props (string -> string); non-strings are JSON-encoded."""
    del onx.metadata_props[:]
    for key, value in sorted(facts.items()):
        entry = onx.metadata_props.add()
        entry.key = key
        entry.value = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return onx
