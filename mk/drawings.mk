# Realistic drawings: an evaluation set that is not derived from the Digits training rows.
DRAWINGS      ?= $(ARTIFACTS)/drawings
PER_CLASS     ?= 100
DRAWINGS_SEED ?= 0

.PHONY: drawings eval-drawings

$(DRAWINGS)/manifest.csv: $(BIN)/.installed $(wildcard drawings/*.py)
	$(BIN)/python -m drawings.generate --out $(DRAWINGS) --per-class $(PER_CLASS) --seed $(DRAWINGS_SEED)

drawings: $(DRAWINGS)/manifest.csv ## draw the evaluation set (PER_CLASS per digit per style) -> artifacts/drawings/

eval-drawings: $(DRAWINGS)/manifest.csv ## POST the drawings to the real server on a free port; accuracy per style -> artifacts/
	$(BIN)/python -m drawings.evaluate --model $(ARTIFACTS)/model.onnx --manifest $(DRAWINGS)/manifest.csv --artifacts $(ARTIFACTS)
