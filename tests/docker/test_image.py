"""The runtime image, built from the session's real model and run on a real Docker engine.

The image is distroless: python is the only program in it, so these tests look inside with
`docker exec ... python -c`, never with a shell.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests

from tests.docker.helpers import Container, build, docker, image_size
from tests.support import REPO

pytestmark = [pytest.mark.live, pytest.mark.docker, pytest.mark.slow]  # a Docker engine

SAMPLES = sorted((REPO / "handwritten-digits").glob("digit_*.png"))
LABEL = re.compile(r"digit_(\d)")
DEBUG_IMAGE = "digits-onnx:test-debug"
# Packages the image must not carry: the training stack and the installers.
ABSENT = ["sklearn", "scipy", "skl2onnx", "optuna", "matplotlib", "pip", "setuptools", "ensurepip", "venv",
          "google.protobuf"]
# What deploy/docker/slim-venv.sh removes from packages the server does use, and what deploy/docker/rootfs.py
# leaves out of the standard library; the answer tests run on what is left.
PRUNED = ["numpy.random", "numpy.fft", "numpy.polynomial", "numpy.ma", "packaging", "onnxruntime.tools",
          "PIL._avif", "PIL._imagingft", "asyncio", "sqlite3", "unittest", "tkinter", "curses", "pydoc",
          "encodings.shift_jis"]
# Programs a shell-less, package-manager-less image cannot run.
NOT_RUNNABLE = ["/bin/sh", "/bin/bash", "/usr/bin/dash", "/usr/bin/env", "/usr/bin/apt-get", "/usr/bin/dpkg",
                "/opt/venv/bin/pip"]
# Run inside the container: every program (an executable file that is not a shared object) in it,
# but the empty /.dockerenv, which Docker itself creates executable.
PROGRAMS = """
import os, re, stat
for root, dirs, files in os.walk('/'):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ('/proc', '/sys', '/dev')]
    for name in files:
        path = os.path.join(root, name)
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode) and mode & 0o111 and not re.search(r'[.]so([.]|$)', name) and path != '/.dockerenv':
            print(path)
"""
# Run inside the container: the dynamic loader lists each ELF file's libraries, as ldd would
# (ldd is a shell script); prints those it cannot resolve.
UNRESOLVED = """
import os, subprocess
checked = 0
for top in ('/usr', '/opt/venv'):
    for root, dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                continue
            with open(path, 'rb') as f:
                if f.read(4) != b'\\x7fELF':
                    continue
            listing = subprocess.run(['/lib64/ld-linux-x86-64.so.2', '--list', path], capture_output=True, text=True)
            checked += 1
            if listing.returncode != 0 or 'not found' in listing.stdout:
                print(path, listing.stdout, listing.stderr)
print('checked', checked)
"""
# Run inside the container: every module of the project's two packages that the server runs.
IMPORT_ALL = """
import importlib, pkgutil, digits, server
names = [m.name for package in (digits, server) for m in pkgutil.walk_packages(package.__path__, package.__name__ + '.')]
for name in names:
    if not name.endswith('__main__'):
        importlib.import_module(name)
print(len(names))
"""


def predict(url: str, path: Path) -> dict:
    with path.open("rb") as image:
        response = requests.post(url + "/predict_digit", files={"image": (path.name, image, "image/png")}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_answers_as_the_host_server_does(container: Container, live_server) -> None:
    """Same model, same code: the container's JSON equals the host server's for every sample."""
    assert len(SAMPLES) >= 20
    for path in SAMPLES:
        assert predict(container.url, path) == predict(live_server.url, path), path.name


def test_reads_the_handwritten_samples(container: Container) -> None:
    right = [p.name for p in SAMPLES if predict(container.url, p)["prediction"] == int(LABEL.match(p.name)[1])]
    # The session's model is a quick 4-trial fit: allow it two misses on the hand-drawn set.
    assert len(right) >= len(SAMPLES) - 2, sorted({p.name for p in SAMPLES} - set(right))


def test_a_bad_upload_is_a_json_4xx(container: Container) -> None:
    response = requests.post(container.url + "/predict_digit", files={"image": ("x.png", b"not a png")}, timeout=10)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_healthcheck_reports_healthy(container: Container) -> None:
    deadline = time.monotonic() + 30
    while container.state()["Health"]["Status"] != "healthy":
        assert time.monotonic() < deadline, container.state()["Health"]
        time.sleep(0.5)


@pytest.mark.parametrize("module", ABSENT + PRUNED)
def test_training_stack_and_pruned_parts_are_absent(container: Container, module: str) -> None:
    result = docker("exec", container.id, "python", "-c", f"import {module}", check=False)
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr, result.stderr


@pytest.mark.parametrize("module, library_dir", [("flask", "site-packages"), ("json", "python3.11")])
def test_libraries_and_standard_library_are_bytecode_only(container: Container, module: str,
                                                          library_dir: str) -> None:
    """site-packages and the standard library ship .pyc without sources, and imports load from them."""
    script = (f"import pathlib, {module}; top = pathlib.Path({module}.__file__).parents[1];"
              f"print(top.name, {module}.__file__, len(list(top.rglob('*.py'))), len(list(top.rglob('__pycache__'))))")
    top, module_file, sources, caches = docker("exec", container.id, "python", "-c", script).stdout.split()
    assert top == library_dir and module_file.endswith(f"{module}/__init__.pyc")
    assert (sources, caches) == ("0", "0")


@pytest.mark.parametrize("program", NOT_RUNNABLE)
def test_no_shell_and_no_package_manager(image: str, program: str) -> None:
    result = docker("run", "--rm", "--entrypoint", program, image, "--version", check=False)
    assert result.returncode != 0 and "no such file or directory" in result.stderr, result


def test_python_is_the_only_program(container: Container) -> None:
    programs = docker("exec", container.id, "python", "-c", PROGRAMS).stdout.split()
    assert programs == ["/usr/bin/python3.11"]


def test_every_shared_library_resolves(container: Container) -> None:
    """The interpreter, every extension module and every library: the loader finds all they link."""
    output = docker("exec", container.id, "python", "-c", UNRESOLVED).stdout
    assert output.startswith("checked ") and int(output.split()[1]) > 50, output


def test_every_server_module_imports(container: Container) -> None:
    assert int(docker("exec", container.id, "python", "-c", IMPORT_ALL).stdout) > 20


def test_sbom_lists_the_debian_packages_and_the_pinned_wheels(image: str, base_image: str) -> None:
    """Each package with the version the base has installed; each wheel as requirements/runtime.txt pins it."""
    components = json.loads(docker("run", "--rm", "--entrypoint", "python", image, "-c",
                                   "print(open('/app/sbom.cdx.json').read())").stdout)["components"]
    debian = {c["name"]: c["version"] for c in components if c["purl"].startswith("pkg:deb/")}
    wheels = {c["purl"].split("/")[1].split("@")[0]: c["version"] for c in components if c["purl"].startswith("pkg:pypi/")}
    installed = dict(line.split() for line in docker("run", "--rm", base_image, "dpkg-query", "-W",
                                                     "-f", "${Package} ${Version}\n").stdout.splitlines())
    assert {"python3.11-minimal", "libpython3.11-stdlib", "libc6", "libstdc++6", "libssl3"} <= set(debian)
    assert debian == {name: installed[name] for name in debian}
    pins = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", (REPO / "requirements/runtime.txt").read_text(), re.M))
    assert {"flask", "numpy", "onnxruntime", "pillow", "waitress"} <= set(wheels)
    assert wheels == {name: pins[name] for name in wheels}
    assert not {"pip", "setuptools", "protobuf", "packaging"} & set(wheels)  # pruned: not in the image


def test_runs_as_non_root(container: Container) -> None:
    """Both the server (PID 1) and what `docker exec` starts run as the image's user, not uid 0."""
    status = docker("exec", container.id, "python", "-c", "print(open('/proc/1/status').read())").stdout
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M)[1].split()
    assert uids == ["10001"] * 4
    name = "import os, pwd; print(pwd.getpwuid(os.getuid()).pw_name)"
    assert docker("exec", container.id, "python", "-c", name).stdout.strip() == "digits"


def test_pid_1_is_the_server(container: Container) -> None:
    cmdline = docker("exec", container.id, "python", "-c", "print(open('/proc/1/cmdline').read())").stdout
    assert "python -m server" in cmdline.replace("\0", " ")


def test_runs_with_a_read_only_root_filesystem(start_container, live_server) -> None:
    readonly = start_container("--read-only")
    path = SAMPLES[0]
    assert predict(readonly.url, path) == predict(live_server.url, path)
    write = docker("exec", readonly.id, "python", "-c", "open('/app/x', 'w')", check=False)
    assert write.returncode != 0 and "Read-only file system" in write.stderr


def test_docker_stop_is_quick_and_clean(start_container) -> None:
    """SIGTERM reaches python as PID 1 and closes waitress: exit 0 well before the 10 s SIGKILL."""
    victim = start_container()
    started = time.monotonic()
    docker("stop", victim.id, timeout=30)
    elapsed = time.monotonic() - started
    state = victim.state()
    assert (state["Status"], state["ExitCode"], state["OOMKilled"]) == ("exited", 0, False)
    # Not a performance target: a missed SIGTERM shows up as Docker's 10 s kill timeout.
    assert elapsed < 5, f"docker stop took {elapsed:.1f} s"


def test_image_config(image: str) -> None:
    config = json.loads(docker("image", "inspect", "--format", "{{json .Config}}", image).stdout)
    assert "5000/tcp" in config["ExposedPorts"] and config["User"] == "10001:10001"
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "/app/healthcheck.py"]  # exec form: no shell


def test_the_whole_image_is_smaller_than_the_pickle_stack_alone(
        image: str, pickle_image: str, base_image: str) -> None:
    """The runtime image, operating system included, is a fraction of what scikit-learn + Flask +
    pickle add above their base."""
    assert image_size(image) < (image_size(pickle_image) - image_size(base_image)) * 0.6


@pytest.fixture(scope="module")
def debug_image(image: str, base_image: str, model_path: Path) -> str:
    build("--debug", "--model", str(model_path), "--tag", DEBUG_IMAGE, "--base", base_image)
    return DEBUG_IMAGE


def test_the_debug_image_has_a_shell_and_the_same_venv(image: str, debug_image: str) -> None:
    freeze = "import importlib.metadata as m; print(sorted((d.name, d.version) for d in m.distributions()))"
    shell = docker("run", "--rm", "--entrypoint", "sh", debug_image, "-c", f'python -c "{freeze}"').stdout
    assert shell == docker("run", "--rm", "--entrypoint", "python", image, "-c", freeze).stdout
