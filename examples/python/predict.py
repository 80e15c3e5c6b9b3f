"""Read handwritten digits with model.onnx alone: onnxruntime, numpy and Pillow, no project code.

    python examples/python/predict.py artifacts/model.onnx handwritten-digits/digit_7.png
"""
import json
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
for path in sys.argv[2:]:
    pixels = np.asarray(Image.open(path).convert("RGBA"))  # uint8[H, W, 4]: the model's input
    label, probabilities, sure = session.run(["label", "probabilities", "sure"], {"image": pixels})
    print(json.dumps({"path": path, "prediction": int(label[0]),  # -1: no digit found
                      "probabilities": probabilities[0].tolist(), "sure": bool(sure[0])}))
