"""The recognizer as ONNX: the preprocessing written once as a graph (spox), so that every runtime
that embeds the published file turns pixels into the same features the forest was trained on."""
