# Distributed tuning (docs/distributed-tuning.md): workers on one shared Optuna study.
STUDY   ?= digits-rf
STORAGE ?=
STORAGE_ARG = $(if $(STORAGE),--storage '$(STORAGE)')

.PHONY: tune-worker fit-best test-tuning

tune-worker: setup ## one tuning worker: make tune-worker STORAGE=postgresql+psycopg://u:p@host/db TRIALS=50
	$(BIN)/python -m train tune $(STORAGE_ARG) --study-name $(STUDY) --trials $(TRIALS) --folds $(FOLDS)

fit-best: setup ## fit + evaluate + report from the best trial in STORAGE -> artifacts/
	$(BIN)/python -m train fit $(STORAGE_ARG) --study-name $(STUDY) --artifacts $(ARTIFACTS)

test-tuning: setup system-deps ## [root] the distributed-tuning tests (a throwaway PostgreSQL, a journal file)
	$(BIN)/python -m pytest tests/tuning
