# Benchmarks (bench/): results, never pass/fail. They need a trained + exported model and wrk.
.PHONY: bench bench-quick bench-deps profile

BENCH_ARGS ?=
PROFILE_ARGS ?=

bench-deps: ## install wrk, the HTTP load generator (Debian package), if it is missing
	scripts/system-deps.sh wrk

bench: setup bench-deps ## measure model, HTTP, cold start, memory -> bench/results/<date>.json + bench/README.md
	$(BIN)/python -m bench.run --artifacts $(ARTIFACTS) $(BENCH_ARGS)

bench-quick: setup bench-deps ## a few-second smoke run of every benchmark (results file only, README untouched)
	$(BIN)/python -m bench.run --quick --artifacts $(ARTIFACTS) $(BENCH_ARGS)

profile: setup bench-deps ## sample the server with py-spy under wrk load -> bench/results/profile-*.svg
	$(BIN)/python -m bench.profile --artifacts $(ARTIFACTS) $(PROFILE_ARGS)
