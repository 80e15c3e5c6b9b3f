"""The whole recognizer as one ONNX model: the featurizer graph, the forest on each view, the mean
of the views' calibrated probabilities, the label and the not-sure flag.

    image uint8[H, W, 4] -> featurizer -> features float32[views, 64] -> forest (calibrated,
    export/convert.py) -> mean over views -> probabilities float32[1, 10], label int64[1],
    sure bool[1]

A blank image (no digit to read) answers label -1, probabilities all 0 and sure false, so a
caller can test for it without a second output.
"""

from __future__ import annotations

import numpy as np
import onnx
import spox.opset.ai.onnx.v18 as op
from spox import Tensor, argument, build, inline

from digits.calibration import NOT_SURE_BELOW
from digits.contract import (
    BLANK_LABEL,
    FEATURES_OUTPUT,
    IMAGE_INPUT,
    INPUT_NAME,
    LABEL_OUTPUT,
    PROBABILITIES_OUTPUT,
    SURE_OUTPUT,
)
from recognizer.featurizer import views_features
from recognizer.ops import f32, i64


def recognizer_model(forest: onnx.ModelProto) -> onnx.ModelProto:
    """`forest`: the calibrated features-in model export/convert.py writes -> the pixels-in model."""
    image = argument(Tensor(np.uint8, ("height", "width", 4)))
    features, blank = views_features(image)
    per_view = inline(forest)(**{INPUT_NAME: features})[PROBABILITIES_OUTPUT]
    mean = op.reduce_mean(per_view, i64([0]), keepdims=1)
    readable = op.not_(blank)
    label = op.where(blank, i64([BLANK_LABEL]), op.arg_max(mean, axis=1, keepdims=0))
    probabilities = op.where(blank, f32(0.0), mean)
    confident = op.greater_or_equal(op.reduce_max(mean, i64([1]), keepdims=0), f32(NOT_SURE_BELOW))
    model = build(
        inputs={IMAGE_INPUT: image},
        outputs={LABEL_OUTPUT: label, PROBABILITIES_OUTPUT: probabilities,
                 SURE_OUTPUT: op.and_(readable, confident), FEATURES_OUTPUT: features},
    )
    model.producer_name = "digits-onnx"
    onnx.checker.check_model(model, full_check=True)
    return model
