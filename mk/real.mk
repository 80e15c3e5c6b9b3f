# Real handwriting (evaluation/handwriting/real/, a development set of real digits): the accuracy yardstick.
REAL_LIMIT ?=

.PHONY: eval-real

eval-real: $(MODEL_ONNX) ## start the real server, POST every real digit in 8 upload styles -> artifacts/real-eval.{json,md}, real-confusion.png
	$(BIN)/python -m evaluation.yardsticks.real --model $(MODEL_ONNX) --artifacts $(ARTIFACTS) $(if $(REAL_LIMIT),--limit $(REAL_LIMIT))
