"""`python -m export`: the gate passes on the real model, fails on damaged ones, and publishes nothing then."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import joblib
import numpy as np
import onnx
import onnxruntime as ort
import pytest

from digits.artifacts import FOREST_FILE, MODEL_FILE
from digits.contract import FEATURES_OUTPUT, IMAGE_INPUT, INPUT_NAME, LABEL_OUTPUT, PROBABILITIES_OUTPUT, SURE_OUTPUT
from export.convert import opset_imports
from export.parity import gate, gate_images, image_probes, probe_inputs
from export.publish import GateFailed, export
from tests.support import run_module
from train.data import load_xy


@pytest.mark.live
def test_gate_passes_on_the_real_model(exported_artifacts: Path) -> None:
    parity = json.loads((exported_artifacts / "parity.json").read_text())
    assert parity["passed"] is True
    rows, images = parity["forest_rows"], parity["whole_file_images"]
    for verdict in (rows, images):
        assert verdict["label_mismatches"] == 0
        assert verdict["max_abs_probability_diff"] <= 1e-5
    assert rows["sets"]["digits"]["rows"] == 1797
    assert rows["rows"] - 1797 >= 10_000
    assert images["rows"] >= 2000
    assert set(images["sets"]) == {"digits_as_icons", "drawings", "real_uploads"}


@pytest.mark.live
def test_the_whole_file_gate_fails_on_a_damaged_recognizer(exported_artifacts: Path) -> None:
    """The forest inside model.onnx, damaged: the whole file no longer equals its parts."""
    sk_model = joblib.load(exported_artifacts / "best_model.pkl")
    damaged = _damage(onnx.load(str(exported_artifacts / MODEL_FILE)), "thresholds")
    images = {name: probes[:40] for name, probes in image_probes(load_xy()[0], seed=0).items()}
    result = gate_images(sk_model, damaged, images)
    assert result["passed"] is False
    assert result["label_mismatches"] > 0


@pytest.mark.live
def test_model_has_the_contracted_inputs_and_outputs(model_path: Path) -> None:
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    assert (inp.name, inp.type, inp.shape) == (IMAGE_INPUT, "tensor(uint8)", ["height", "width", 4])
    outputs = {o.name: o.type for o in session.get_outputs()}
    assert outputs == {LABEL_OUTPUT: "tensor(int64)", PROBABILITIES_OUTPUT: "tensor(float)",
                       SURE_OUTPUT: "tensor(bool)", FEATURES_OUTPUT: "tensor(float)"}


@pytest.mark.live
def test_forest_has_the_contracted_inputs_and_outputs(forest_path: Path) -> None:
    session = ort.InferenceSession(str(forest_path), providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    assert (inp.name, inp.type, inp.shape[1]) == (INPUT_NAME, "tensor(float)", 64)
    outputs = {o.name: o for o in session.get_outputs()}
    assert outputs[LABEL_OUTPUT].type == "tensor(int64)"
    assert outputs[PROBABILITIES_OUTPUT].type == "tensor(float)"
    assert outputs[PROBABILITIES_OUTPUT].shape[1] == 10
    X, y = load_xy()
    labels, probabilities = session.run(None, {INPUT_NAME: X[:50]})
    assert labels.shape == (50,) and probabilities.shape == (50, 10)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.live
def test_checker_passes_and_recorded_opsets_are_the_files(model_path: Path) -> None:
    onx = onnx.load(str(model_path))
    onnx.checker.check_model(onx, full_check=True)
    facts = json.loads((model_path.parent / "model.json").read_text())
    assert facts["opset_imports"] == opset_imports(onx)
    assert facts["onnx_sha256"] == hashlib.sha256(model_path.read_bytes()).hexdigest()


@pytest.mark.live
def test_metadata_is_readable_through_onnxruntime(model_path: Path) -> None:
    meta = ort.InferenceSession(str(model_path)).get_modelmeta().custom_metadata_map
    facts = json.loads((model_path.parent / "model.json").read_text())
    tuning = json.loads((model_path.parent / "tuning.json").read_text())
    assert meta["model_version"] == facts["model_version"]
    assert json.loads(meta["training_params"]) == tuning["best_params"]
    assert json.loads(meta["class_labels"]) == list(range(10))
    assert meta["source_model_sha256"] == hashlib.sha256(
        (model_path.parent / "best_model.pkl").read_bytes()).hexdigest()
    assert "inside the graph" in meta["preprocessing"]
    for key in ("created_at", "cv_accuracy_mean", "held_out_accuracy", "library_versions"):
        assert key in meta


def _damage(onx: onnx.ModelProto, how: str) -> bytes:
    """Return a copy of the model with its trees' thresholds shifted or its class order swapped."""
    damaged = onnx.ModelProto()
    damaged.CopyFrom(onx)
    (node,) = [n for n in damaged.graph.node if n.op_type == "TreeEnsembleClassifier"]
    attrs = {a.name: a for a in node.attribute}
    if how == "thresholds":
        values = np.array(attrs["nodes_values"].floats)
        del attrs["nodes_values"].floats[:]
        attrs["nodes_values"].floats.extend((values + 1.0).tolist())
    else:
        labels = list(attrs["classlabels_int64s"].ints)
        labels[3], labels[8] = labels[8], labels[3]
        del attrs["classlabels_int64s"].ints[:]
        attrs["classlabels_int64s"].ints.extend(labels)
    return damaged.SerializeToString()


@pytest.mark.live
@pytest.mark.parametrize("how", ["thresholds", "class_order"])
def test_gate_fails_on_a_damaged_model(forest_path: Path, how: str) -> None:
    sk_model = joblib.load(forest_path.parent / "best_model.pkl")
    damaged = _damage(onnx.load(str(forest_path)), how)
    X, _ = load_xy()
    result = gate(sk_model, damaged, probe_inputs(X, 600, seed=1))
    assert result["passed"] is False
    assert result["label_mismatches"] > 0


@pytest.mark.live
def test_failed_gate_publishes_nothing(exported_artifacts: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Break the converter the way a bad skl2onnx bump would; the old model.onnx must survive."""
    import export.publish as export_main

    for name in ("best_model.pkl", "tuning.json", "metrics.json", MODEL_FILE):
        (tmp_path / name).write_bytes((exported_artifacts / name).read_bytes())
    previous = (tmp_path / MODEL_FILE).read_bytes()
    real_to_onnx = export_main.to_onnx

    def shifted_thresholds(model):
        onx = real_to_onnx(model)
        return onnx.load_from_string(_damage(onx, "thresholds"))

    monkeypatch.setattr(export_main, "to_onnx", shifted_thresholds)
    with pytest.raises(GateFailed, match="not published"):
        export(tmp_path, tolerance=1e-5, random_rows=300, seed=0)
    assert (tmp_path / MODEL_FILE).read_bytes() == previous
    assert not (tmp_path / FOREST_FILE).exists()
    assert json.loads((tmp_path / "parity.json").read_text())["passed"] is False
    assert not list(tmp_path.glob("*.tmp"))


def test_export_without_a_trained_model_says_what_to_do(tmp_path: Path) -> None:
    result = run_module("export", "--artifacts", str(tmp_path))
    assert result.returncode == 2
    assert "run `make train` first" in result.stderr


def _class_weights(onx: onnx.ModelProto) -> list[float]:
    (node,) = [n for n in onx.graph.node if n.op_type == "TreeEnsembleClassifier"]
    return list(next(a.floats for a in node.attribute if a.name == "class_weights"))


@pytest.mark.live
def test_zero_leaf_weights_are_dropped_without_changing_answers(forest_path: Path) -> None:
    from export.convert import drop_zero_leaf_weights

    published = onnx.load(str(forest_path))
    assert 0.0 not in _class_weights(published)
    # Put back an explicit zero vote for class 0 on the first tree's first leaf, as skl2onnx writes.
    dense = onnx.ModelProto()
    dense.CopyFrom(published)
    (node,) = [n for n in dense.graph.node if n.op_type == "TreeEnsembleClassifier"]
    attrs = {a.name: a for a in node.attribute}
    leaf = [i for i, mode in enumerate(attrs["nodes_modes"].strings) if mode == b"LEAF"][0]
    attrs["class_weights"].floats.append(0.0)
    attrs["class_ids"].ints.append(0)
    attrs["class_nodeids"].ints.append(attrs["nodes_nodeids"].ints[leaf])
    attrs["class_treeids"].ints.append(attrs["nodes_treeids"].ints[leaf])
    X, _ = load_xy()
    dense_answers = ort.InferenceSession(dense.SerializeToString()).run(None, {INPUT_NAME: X})
    sparse = drop_zero_leaf_weights(dense)
    assert len(_class_weights(sparse)) == len(_class_weights(published))
    sparse_answers = ort.InferenceSession(sparse.SerializeToString()).run(None, {INPUT_NAME: X})
    np.testing.assert_array_equal(dense_answers[0], sparse_answers[0])
    np.testing.assert_array_equal(dense_answers[1], sparse_answers[1])


@pytest.mark.parametrize("name, value, dropped", [
    ("nodes_hitrates", 1.0, True),
    ("nodes_hitrates", 0.5, False),
    ("nodes_missing_value_tracks_true", 0, True),
    ("nodes_missing_value_tracks_true", 1, False),
])
def test_node_attributes_are_dropped_only_when_they_say_the_default(
        small_forest_path: Path, name: str, value: float, dropped: bool) -> None:
    from export.convert import drop_default_node_attributes

    published = onnx.load(str(small_forest_path))
    (node,) = [n for n in published.graph.node if n.op_type == "TreeEnsembleClassifier"]
    assert name not in {a.name for a in node.attribute}
    count = len(next(a.ints for a in node.attribute if a.name == "nodes_nodeids"))
    explicit = onnx.ModelProto()
    explicit.CopyFrom(published)
    (node,) = [n for n in explicit.graph.node if n.op_type == "TreeEnsembleClassifier"]
    node.attribute.append(onnx.helper.make_attribute(name, [value] * count))
    X, _ = load_xy()
    if dropped:
        before = ort.InferenceSession(explicit.SerializeToString()).run(None, {INPUT_NAME: X})
    drop_default_node_attributes(explicit)
    assert (name not in {a.name for a in node.attribute}) is dropped
    if dropped:
        after = ort.InferenceSession(explicit.SerializeToString()).run(None, {INPUT_NAME: X})
        np.testing.assert_array_equal(before[0], after[0])
        np.testing.assert_array_equal(before[1], after[1])


@pytest.mark.live
def test_the_graph_serves_calibrated_probabilities(forest_path: Path) -> None:
    """probabilities = calibrate(the forest's shares), computed inside the ONNX graph."""
    from digits.calibration import calibrate

    sk_model = joblib.load(forest_path.parent / "best_model.pkl")
    X, _ = load_xy()
    session = ort.InferenceSession(str(forest_path), providers=["CPUExecutionProvider"])
    _, probabilities = session.run(None, {INPUT_NAME: X[:200]})
    assert np.allclose(probabilities, calibrate(sk_model.predict_proba(X[:200])), atol=1e-5)
    ops = [n.op_type for n in onnx.load(str(forest_path)).graph.node]
    assert ops[-3:] == ["Pow", "ReduceSum", "Div"]


@pytest.mark.live
def test_gate_fails_when_the_calibration_in_the_graph_is_wrong(forest_path: Path) -> None:
    from onnx import numpy_helper

    onx = onnx.load(str(forest_path))
    (power,) = [t for t in onx.graph.initializer if t.name == "calibration_power"]
    power.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(power) + np.float32(0.5), power.name))
    sk_model = joblib.load(forest_path.parent / "best_model.pkl")
    X, _ = load_xy()
    result = gate(sk_model, onx.SerializeToString(), probe_inputs(X, 600, seed=1))
    assert result["passed"] is False
    assert result["max_abs_probability_diff"] > 1e-5
