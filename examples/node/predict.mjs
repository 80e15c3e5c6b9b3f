// Runs the digits model in ONNX Runtime for Node.js.
// usage: node predict.mjs MODEL.onnx ROWS.json   (ROWS.json: [[64 numbers 0..16], ...])
// prints: {"labels": [...], "probabilities": [[10 floats], ...]}
import { readFile } from "node:fs/promises";
import ort from "onnxruntime-node";

const [modelPath, rowsPath] = process.argv.slice(2);
if (!modelPath || !rowsPath) {
  console.error("usage: node predict.mjs MODEL.onnx ROWS.json");
  process.exit(2);
}

const rows = JSON.parse(await readFile(rowsPath, "utf8"));
const session = await ort.InferenceSession.create(modelPath);
// The contract: one float32 input "input" of shape [N, 64], row-major 8x8 grids, values 0..16.
const input = new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, 64]);
const { label, probabilities } = await session.run({ input });

const classes = probabilities.dims[1];
console.log(JSON.stringify({
  labels: Array.from(label.data, Number), // int64 arrives as BigInt
  probabilities: rows.map((_, i) => Array.from(probabilities.data.slice(i * classes, (i + 1) * classes))),
}));
