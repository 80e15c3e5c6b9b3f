# Real handwriting (handwriting/real/, a development set of real digits): the accuracy yardstick.
REAL_LIMIT ?=

.PHONY: eval-real

eval-real: setup ## start the real server, POST every real digit in 8 upload styles -> artifacts/real-eval.{json,md}, real-confusion.png
	$(BIN)/python -m yardsticks.real --model $(ARTIFACTS)/model.onnx --artifacts $(ARTIFACTS) $(if $(REAL_LIMIT),--limit $(REAL_LIMIT))
