#!/bin/sh
# Removes from a built virtualenv what the server never loads. Each rule is covered by the image
# tests (tests/docker/), which start the server and answer real requests with what is left.
#   usage: slim-venv.sh VENV
set -eu
site=$(echo "$1"/lib/python3*/site-packages)

# The installers, console scripts and shell activation scripts: the runtime image installs nothing,
# has no shell and runs only python (bin/ keeps the python links).
find "$1"/bin -mindepth 1 ! -name 'python*' -delete
rm -rf "$site"/pip "$site"/pip-*.dist-info "$site"/setuptools "$site"/setuptools-*.dist-info \
       "$site"/pkg_resources "$site"/_distutils_hack "$site"/distutils-precedence.pth

# Test suites shipped inside packages.
find "$site" -depth -type d \( -name tests -o -name testing \) -path '*/site-packages/*/*' -exec rm -rf {} +

# onnxruntime's offline tooling (conversion, quantization, transformer optimisers): an
# InferenceSession needs only onnxruntime.capi. protobuf and flatbuffers serve only that tooling.
rm -rf "$site"/onnxruntime/tools "$site"/onnxruntime/transformers "$site"/onnxruntime/quantization \
       "$site"/onnxruntime/datasets "$site"/onnxruntime/backend \
       "$site"/google "$site"/protobuf-*.dist-info "$site"/flatbuffers "$site"/flatbuffers-*.dist-info

# onnxruntime's C API library, for programs that link it: the Python binding is built with the
# runtime inside it (ldd onnxruntime_pybind11_state*.so names no libonnxruntime.so), and a loaded
# session maps only the binding and libonnxruntime_providers_shared.so.
rm -f "$site"/onnxruntime/capi/libonnxruntime.so.*

# numpy's build helpers (distutils, f2py, C headers) and type stubs.
# _simd and _multiarray_tests are extension modules that only numpy's own tests import.
rm -rf "$site"/numpy/distutils "$site"/numpy/f2py "$site"/numpy/_pyinstaller "$site"/numpy/_core/include \
       "$site"/numpy/_core/_simd.*.so "$site"/numpy/_core/_multiarray_tests.*.so
# numpy's subpackages that `import numpy` loads only when asked for (numpy.random, .fft,
# .polynomial, .ma): nothing the server runs asks for them (tests/docker/test_image.py).
rm -rf "$site"/numpy/random "$site"/numpy/fft "$site"/numpy/polynomial "$site"/numpy/ma

# packaging is a declared dependency of onnxruntime that only its offline tooling imports.
rm -rf "$site"/packaging "$site"/packaging-*.dist-info
find "$site" -name '*.pyi' -delete

# Pillow's AVIF codec (not an accepted upload format), FreeType text rendering, colour management and Tk bridge, with
# the bundled libraries only they link (checked with ldd: _imaging and _webp need none of them).
rm -f "$site"/PIL/_avif.*.so "$site"/PIL/_imagingft.*.so "$site"/PIL/_imagingcms.*.so "$site"/PIL/_imagingtk.*.so
for lib in libavif libfreetype libharfbuzz libpng16 libbrotlidec libbrotlicommon liblcms2; do
  rm -f "$site"/pillow.libs/"$lib"-*
done

# Bytecode without its sources: site-packages is imported from legacy .pyc files beside where the
# sources were (compileall -b), smaller than keeping both (docs/docker.md, "What is in it").
# Tracebacks through these libraries still name the file and line, without the line's text; the
# project's own code keeps its sources.
"$1"/bin/python -m compileall -q -b "$site"
find "$site" -name '*.py' -delete
find "$site" -depth -type d -name __pycache__ -exec rm -rf {} +
