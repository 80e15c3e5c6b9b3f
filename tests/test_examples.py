"""The curl examples in README.md and docs/api.md show what the default model answers (`make examples`
writes them with tools/examples.py), and the translator runs the request each command line sends.

The docs show the default model's answers (`make train export`: 50 trials, 5 folds, glyphs), so the
live check needs that model, not the session's `model_path` (QUICK_TRAIN_ARGS: a different forest
with different probabilities). artifacts/model.onnx serves when it is the version the docs name;
otherwise (a fresh clone, CI, a local non-default model) the module trains and exports the default
model once, as `make train export` does. Training is seeded, so that model is the docs' model
unless the training changed: then the check fails and `make examples` updates the docs.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from server.runtime import runtime_of
from tests.support import HANDWRITTEN, REPO, run_module
from tools.examples import DOCS, EXAMPLE, Curl, UnsupportedCommand, answer_examples, examples_client, parse_curl

DEFAULT_MODEL = REPO / "artifacts" / "model.onnx"
DIGIT_1 = HANDWRITTEN / "digit_1.png"
URL = "http://localhost:5000"


DEFAULT_TRAIN_ARGS = ("--trials", "50", "--folds", "5")  # the Makefile's TRIALS and FOLDS


def documented_version() -> str:
    found = EXAMPLE.search((REPO / DOCS[0]).read_text(encoding="utf-8"))
    assert found, f"{DOCS[0]} has no `<!-- example answered by ... -->` block"
    return found["model"]


@pytest.fixture(scope="module")
def default_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if DEFAULT_MODEL.exists() and examples_client(DEFAULT_MODEL)[1] == documented_version():
        return DEFAULT_MODEL
    artifacts = tmp_path_factory.mktemp("default-artifacts")
    for module, args in (("train", DEFAULT_TRAIN_ARGS), ("export", ())):
        result = run_module(module, *args, "--artifacts", str(artifacts), timeout=1200)
        assert result.returncode == 0, result.stderr[-2000:]
    return artifacts / "model.onnx"


@pytest.mark.live
@pytest.mark.parametrize("doc", DOCS)
def test_the_examples_show_what_the_default_model_answers(default_model: Path, doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    assert EXAMPLE.search(text), f"{doc} has no `<!-- example answered by ... -->` block"
    client, version = examples_client(default_model)
    assert answer_examples(text, client, version) == text, (
        f"{doc}'s examples are not what the default model {version} answers: run `make examples`")


@pytest.mark.parametrize(("command", "request_sent"), [
    (f'curl -X POST {URL}/predict_digit -F "image=@handwritten-digits/digit_1.png"',
     Curl("/predict_digit", "POST", files=(("image", DIGIT_1),))),
    (f'curl {URL}/predict_digit -F "image=@handwritten-digits/digit_1.png" -F "picture=@README.md"',
     Curl("/predict_digit", "POST", files=(("image", DIGIT_1), ("picture", REPO / "README.md")))),
    (f'curl -X POST {URL}/predict_digit -H "Content-Type: image/png" --data-binary "@handwritten-digits/digit_1.png"',
     Curl("/predict_digit", "POST", {"Content-Type": "image/png"}, body=DIGIT_1.read_bytes())),
    (f"curl -X POST {URL}/predict_digit -H 'Content-Type: application/json' -d '{{\"pixels\": [0]}}'",
     Curl("/predict_digit", "POST", {"Content-Type": "application/json"}, body=b'{"pixels": [0]}')),
    (f"curl {URL}/predict_digit -d 'a=1'",
     Curl("/predict_digit", "POST", {"Content-Type": "application/x-www-form-urlencoded"}, body=b"a=1")),
    (f"curl -X POST '{URL}/predict_digit?explain=1' -F \"image=@handwritten-digits/digit_1.png\"",
     Curl("/predict_digit?explain=1", "POST", files=(("image", DIGIT_1),))),
    (f'curl -s -w " (%{{http_code}})" -X GET {URL}/predict_digit',
     Curl("/predict_digit", "GET", write_out=" (%{http_code})")),
    (f"curl -s {URL}/metrics | grep ^digits_predictions_total",
     Curl("/metrics", grep="^digits_predictions_total")),
])
def test_a_command_line_becomes_the_request_curl_sends(command: str, request_sent: Curl) -> None:
    assert parse_curl(command) == request_sent


@pytest.mark.parametrize("command", [
    f"wget {URL}/healthz",
    f"curl -o answer.json {URL}/healthz",
    f'curl {URL}/predict_digit -F "image=digit"',
    f"curl {URL}/healthz | jq .",
    "curl -s",
])
def test_a_command_line_it_cannot_reproduce_is_refused(command: str) -> None:
    with pytest.raises(UnsupportedCommand):
        parse_curl(command)


def test_an_example_gets_the_answer_the_server_gives(client: FlaskClient) -> None:
    command = f'curl -X POST {URL}/predict_digit -F "image=@handwritten-digits/digit_1.png"'
    unmarked = f"```\n$ {command}\nan old answer\n```\n"
    doc = (f"Text.\n\n<!-- example answered by rf-old -->\n```\n$ {command}\nan old answer\n```\n"
           f"<!-- /example -->\n\n{unmarked}")
    answer = client.post("/predict_digit", data={"image": (io.BytesIO(DIGIT_1.read_bytes()), "digit_1.png")},
                         content_type="multipart/form-data").get_data(as_text=True).rstrip("\n")
    version = runtime_of(client.application).model.version

    assert answer_examples(doc, client, version) == (
        f"Text.\n\n<!-- example answered by {version} -->\n```\n$ {command}\n{answer}\n```\n"
        f"<!-- /example -->\n\n{unmarked}")
