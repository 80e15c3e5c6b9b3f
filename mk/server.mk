# Inference server (server/): `make serve` is in the main Makefile.
.PHONY: test-server openapi

test-server: setup ## run the server tests only (real waitress on a free port)
	$(BIN)/python -m pytest tests/server

openapi: setup ## render server/openapi.yaml (the source) to server/openapi.json (what the server serves)
	$(BIN)/python -c 'import json, sys, yaml; json.dump(yaml.safe_load(open("server/openapi.yaml")), sys.stdout, indent=2, default=str)' > server/openapi.json.tmp
	mv server/openapi.json.tmp server/openapi.json
