"""Layer 0: what a digit is to this project, in pure numpy + Pillow.

The model contract, decoding an upload, the preprocessing (image -> 64 features), the domain
errors they raise, the artifact layout and the command-line helper. server/, train/, export/ and
the tools all build on this package; it imports none of them and no web framework
(docs/architecture.md has the layer table; tests/test_layers.py keeps it).
"""
