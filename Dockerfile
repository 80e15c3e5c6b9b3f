# The runtime image: Python, a virtualenv with requirements/runtime.txt only, digits/, server/ and the
# ONNX model.
# Built offline: `make wheels` downloads the hash-pinned wheels on the host, so `docker build
# --network none` works. Build with `make image` (BASE=... for a local base from `make base-image`).
ARG BASE=python:3.11-slim

FROM ${BASE} AS venv
# Lets scripts/docker-build.sh prune this stage's image: the legacy builder keeps it otherwise.
LABEL digits-onnx.stage=venv
COPY requirements/runtime.txt /tmp/runtime.txt
COPY wheels/runtime/ /tmp/wheels/
# --require-hashes re-checks every wheel against the lock; --no-index keeps pip off the network.
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check \
        --no-index --find-links /tmp/wheels --require-hashes -r /tmp/runtime.txt
COPY docker/slim-venv.sh /tmp/slim-venv.sh
RUN sh /tmp/slim-venv.sh /opt/venv

FROM ${BASE}
# A fixed uid so volume permissions and `docker run --user` are predictable across bases.
RUN groupadd --gid 10001 digits \
 && useradd --uid 10001 --gid digits --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin digits
COPY --from=venv /opt/venv /opt/venv
WORKDIR /app
COPY docker/healthcheck.py /app/healthcheck.py
COPY digits/ /app/digits/
COPY server/ /app/server/
COPY artifacts/model.onnx /app/artifacts/model.onnx
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DIGITS_HOST=0.0.0.0 \
    DIGITS_PORT=5000 \
    DIGITS_MODEL_PATH=/app/artifacts/model.onnx
USER digits
EXPOSE 5000
# Python's urllib, not curl: the image carries no HTTP client of its own.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "/app/healthcheck.py"]
# Exec form: python is PID 1 and receives SIGTERM itself (server/__main__.py stops waitress on it).
ENTRYPOINT ["python", "-m", "server"]
