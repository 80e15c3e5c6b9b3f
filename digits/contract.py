"""The model contract shared by export/ (which writes it into the .onnx) and server/ (which serves it).

Features follow scikit-learn's Digits (UCI optdigits): an 8x8 grid flattened row-major into
64 float32 values, each the count of ink pixels (0..16) in a 4x4 block of a 32x32 bitmap.
"""

from typing import Final

INPUT_NAME: Final = "input"
LABEL_OUTPUT: Final = "label"
PROBABILITIES_OUTPUT: Final = "probabilities"

GRID_SIDE: Final = 8
N_FEATURES: Final = GRID_SIDE * GRID_SIDE
PIXEL_MAX: Final = 16.0
CLASSES: Final = tuple(range(10))

# The metadata_props key export writes the model's version under; the server reports it.
MODEL_VERSION_KEY: Final = "model_version"

# The recognizer graph (recognizer/): decoded pixels in, as every image library hands them over.
IMAGE_INPUT: Final = "image"  # uint8[H, W, 4], RGBA
FEATURES_OUTPUT: Final = "features"  # float32[views, 64]: each view's Digits features
BLANK_OUTPUT: Final = "blank"  # bool[1]: no digit to read (too faint, or nothing left after cropping)
SURE_OUTPUT: Final = "sure"  # bool[1]: the answer's confidence reaches the not-sure threshold
BLANK_LABEL: Final = -1  # the label of an image with no digit to read (its probabilities are all 0)
