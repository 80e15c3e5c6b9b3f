"""The inference server: onnxruntime behind Flask on waitress (python -m server)."""

import os

# numpy's OpenBLAS starts a thread per core and lets them spin between calls. Preprocessing's
# only BLAS call is a ~96x96 blur, far too small to gain from threads, and the spinning threads
# steal the CPU the request threads need (measured: median preprocessing 22 ms -> 7 ms on two
# busy cores). It has to be set before numpy is first imported; an explicit setting still wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
