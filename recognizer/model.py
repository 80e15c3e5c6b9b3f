"""The featurizer graph as a standalone ONNX model: uint8[H, W, 4] RGBA in, each view's 64
Digits features and the blank flag out."""

from __future__ import annotations

import numpy as np
import onnx
from spox import Tensor, argument, build

from digits.contract import BLANK_OUTPUT, FEATURES_OUTPUT, IMAGE_INPUT
from recognizer.featurizer import views_features


def featurizer_model() -> onnx.ModelProto:
    image = argument(Tensor(np.uint8, ("height", "width", 4)))
    features, blank = views_features(image)
    model = build(inputs={IMAGE_INPUT: image}, outputs={FEATURES_OUTPUT: features, BLANK_OUTPUT: blank})
    model.producer_name = "digits-onnx recognizer"
    onnx.checker.check_model(model, full_check=True)
    return model
