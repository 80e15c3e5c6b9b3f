"""Coverage-guided fuzzing of what the server does with an upload's bytes, with atheris
(libFuzzer): digits.decode.decode, then the model's featurizer graph (recognizer/) on the RGBA
pixels.

    python -m tools.reliability.fuzz_preprocess_atheris -max_total_time=60 artifacts/reliability/corpus

Seeds the corpus with the catalogue's images (tools/reliability/images.py) when it is empty. Any
exception other than the domain's InputError (which the server answers with a 4xx) is a finding,
and so is a feature outside 0..16: libFuzzer stops and writes the input as crash-<sha1> in the
current directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["digits"]):
    from digits.decode import decode
    from digits.errors import InputError
    from digits.pixels import rgba

from recognizer.run import Featurizer

FEATURIZER = Featurizer()

# Smaller than the server's default so that a libFuzzer run spends its time on decoding paths,
# not on one legitimately huge image.
MAX_PIXELS = 1024 * 1024


def test_one_input(data: bytes) -> None:
    try:
        pixels = rgba(decode(data, MAX_PIXELS))
    except InputError:
        return
    features, _ = FEATURIZER.views(pixels)
    assert features.shape == (3, 64), features.shape
    assert features.min() >= 0 and features.max() <= 16, features


def seed_corpus(corpus: Path) -> None:
    from tools.reliability.images import hostile_images, valid_images

    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    samples = {**valid_images(), **{name: data for name, (data, *_) in hostile_images().items()}}
    for name, data in samples.items():
        if len(data) < 200_000:  # the 50 MB-of-pixels bomb is fine; a 200 KB BMP only slows mutation
            (corpus / name.replace(" ", "_")).write_bytes(data)


def main() -> None:
    corpus = [Path(arg) for arg in sys.argv[1:] if not arg.startswith("-")]
    for directory in corpus:
        seed_corpus(directory)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
