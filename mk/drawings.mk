# Realistic drawings: an evaluation set that is not derived from the Digits training rows.
DRAWINGS      ?= $(ARTIFACTS)/drawings
PER_CLASS     ?= 100
DRAWINGS_SEED ?= 0
GENERATE_DRAWINGS = $(BIN)/python -m evaluation.drawings.generate --out $(DRAWINGS) --per-class $(PER_CLASS) --seed $(DRAWINGS_SEED)

.PHONY: drawings eval-drawings

drawings: setup ## draw the evaluation set: 8 styles x 10 digits x PER_CLASS -> artifacts/drawings/
	$(GENERATE_DRAWINGS)

$(DRAWINGS)/manifest.csv: | $(BIN)/.installed
	$(GENERATE_DRAWINGS)

eval-drawings: $(MODEL_ONNX) $(DRAWINGS)/manifest.csv ## start the real server, POST every drawing, accuracy per style -> artifacts/drawings-eval.json
	$(BIN)/python -m evaluation.yardsticks.evaluate --model $(MODEL_ONNX) --manifest $(DRAWINGS)/manifest.csv --artifacts $(ARTIFACTS)
