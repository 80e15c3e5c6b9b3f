# The runtime image: distroless. The final stage holds the Python 3.11 interpreter, the part of the
# standard library the server imports, the shared libraries those and the venv's extension modules
# link, the virtualenv with requirements/runtime.txt only, digits/, server/ and the ONNX model: no
# shell, no package manager, no pip (docs/docker.md). `make image` builds the `runtime` target.
# Built offline: BASE is Debian bookworm's python3 from `make base-image` (debootstrap + docker
# import), `make wheels` downloads the hash-pinned wheels on the host, so `docker build
# --network none` works; `make image-debug` builds the `debug` target.
ARG BASE=digits-onnx-base:bookworm

FROM ${BASE} AS build
# Lets deploy/docker-build.sh prune this stage's image: the legacy builder keeps it otherwise.
LABEL digits-onnx.stage=build
COPY requirements/runtime.txt /tmp/runtime.txt
COPY wheels/runtime/ /tmp/wheels/
# --require-hashes re-checks every wheel against the lock; --no-index keeps pip off the network.
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check \
        --no-index --find-links /tmp/wheels --require-hashes -r /tmp/runtime.txt
COPY deploy/docker/slim-venv.sh /tmp/slim-venv.sh
RUN sh /tmp/slim-venv.sh /opt/venv
# The interpreter, its standard library, the shared libraries (by ldd), /etc/passwd and the SBOM.
COPY deploy/docker/rootfs.py /tmp/rootfs.py
RUN python3 /tmp/rootfs.py --venv /opt/venv --wheels /tmp/wheels --out /rootfs --sbom /app/sbom.cdx.json \
 && python3 /tmp/rootfs.py --tools bash,dash,coreutils,findutils,grep,sed --out /debug-tools
COPY deploy/docker/healthcheck.py /app/healthcheck.py
COPY digits/ /app/digits/
COPY server/ /app/server/
# The project's code keeps its sources, with bytecode checked against them (a read-only container
# compiles nothing at start).
RUN python3 -m compileall -q --invalidation-mode checked-hash /app

FROM scratch AS runtime
COPY --from=build /rootfs/ /
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY artifacts/model.onnx /app/artifacts/model.onnx
WORKDIR /app
# TMPDIR: the decode workers' forkserver listens on a Unix socket in a temporary directory, and
# /dev/shm is the one place Docker and Kubernetes keep writable under a read-only root filesystem.
ENV PATH=/opt/venv/bin \
    LANG=C.UTF-8 \
    TMPDIR=/dev/shm \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DIGITS_HOST=0.0.0.0 \
    DIGITS_PORT=5000 \
    DIGITS_MODEL_PATH=/app/artifacts/model.onnx
# A numeric uid (the build wrote its /etc/passwd entry), so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 5000
# Python's urllib, not curl: the image carries no HTTP client of its own. Exec form: there is no shell.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "/app/healthcheck.py"]
# Exec form: python is PID 1 and receives SIGTERM itself (server/__main__.py stops waitress on it).
ENTRYPOINT ["python", "-m", "server"]

# For debugging only (`make image-debug`, tag :debug): the runtime with Debian's bash, dash,
# coreutils, findutils, grep and sed (and the libraries they link) laid over it.
FROM runtime AS debug
COPY --from=build /debug-tools/ /
ENV PATH=/opt/venv/bin:/usr/bin

# The default target (a bare `docker build`) is the runtime, unchanged.
FROM runtime
