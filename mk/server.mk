# Inference server (server/): `make serve` is in the main Makefile.
.PHONY: test-server standin-model

test-server: setup ## run the server tests only (real waitress on a free port)
	$(BIN)/python -m pytest tests/server

standin-model: setup ## write a quick stand-in artifacts/model.onnx (no tuning) to try the server
	$(BIN)/python -m tests.standin_model $(ARTIFACTS)/model.onnx
