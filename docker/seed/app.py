"""The seed project's way of serving, kept only for the image-size comparison (docs/docker.md):
scikit-learn unpickles the model and Flask's development server answers. It reuses the runtime's
preprocessing so that the two images differ by their stack alone."""

import joblib
from flask import Flask, jsonify, request

from digits.preprocess import bytes_to_features

model = joblib.load("artifacts/best_model.pkl")
app = Flask(__name__)


@app.post("/predict_digit")
def predict_digit():
    features = bytes_to_features(request.files["image"].read())
    return jsonify(prediction=int(model.predict(features)[0]))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
