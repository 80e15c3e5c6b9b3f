"""Coverage-guided fuzzing of digits.preprocess.bytes_to_features with atheris (libFuzzer).

    python -m reliability.fuzz_preprocess_atheris -max_total_time=60 artifacts/reliability/corpus

Seeds the corpus with the catalogue's images (reliability/images.py) when it is empty. Any
exception other than the server's ApiError (which becomes a 4xx) is a finding: libFuzzer stops
and writes the input as crash-<sha1> in the current directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["server"]):
    from digits.errors import InputError as ApiError
    from digits.preprocess import bytes_to_features

# Smaller than the server's default so that a libFuzzer run spends its time on decoding paths,
# not on one legitimately huge image.
MAX_PIXELS = 1024 * 1024


def test_one_input(data: bytes) -> None:
    try:
        features = bytes_to_features(data, MAX_PIXELS)
    except ApiError:
        return
    assert features.shape == (1, 64), features.shape
    assert features.min() >= 0 and features.max() <= 16, features


def seed_corpus(corpus: Path) -> None:
    from reliability.images import hostile_images, valid_images

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
