"""The inference server: onnxruntime behind Flask on waitress (python -m server)."""
