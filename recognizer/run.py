"""The featurizer graph in onnxruntime, for what training and export compute from pixels."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import onnxruntime as ort

from digits.contract import BLANK_OUTPUT, FEATURES_OUTPUT, IMAGE_INPUT
from recognizer.model import featurizer_model


def session_options() -> ort.SessionOptions:
    """One thread (the callers parallelise, if at all, by process) and no graph optimisation: the
    optimisers find nothing to fold in a graph whose sizes are all dynamic."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return options


class Featurizer:
    """RGBA pixels -> each view's 64 features, through the graph the published model carries."""

    @cached_property
    def session(self) -> ort.InferenceSession:
        return ort.InferenceSession(featurizer_model().SerializeToString(), session_options(),
                                    providers=["CPUExecutionProvider"])

    def views(self, pixels: np.ndarray) -> tuple[np.ndarray, bool]:
        """uint8[H, W, 4] -> (float32[views, 64], blank)."""
        features, blank = self.session.run([FEATURES_OUTPUT, BLANK_OUTPUT], {IMAGE_INPUT: pixels})
        return features, bool(blank[0])
