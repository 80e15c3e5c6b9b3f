// Reads handwritten digits from PNG files with the recognizer alone: model.onnx takes the
// decoded RGBA pixels and does all the preprocessing itself (docs/contract.md).
// usage: node predict.mjs MODEL.onnx IMAGE.png [IMAGE.png ...]
// prints one JSON line per image: {"path", "prediction", "probabilities", "sure"};
// prediction -1 means no digit was found.
import { readFile } from "node:fs/promises";
import ort from "onnxruntime-node";
import pngjs from "pngjs";

const [modelPath, ...imagePaths] = process.argv.slice(2);
if (!modelPath || imagePaths.length === 0) {
  console.error("usage: node predict.mjs MODEL.onnx IMAGE.png [IMAGE.png ...]");
  process.exit(2);
}

const session = await ort.InferenceSession.create(modelPath);
for (const path of imagePaths) {
  // pngjs decodes every PNG colour type (palette, grey, 16-bit, alpha) to 8-bit RGBA.
  const { width, height, data } = pngjs.PNG.sync.read(await readFile(path));
  const image = new ort.Tensor("uint8", Uint8Array.from(data), [height, width, 4]);
  const { label, probabilities, sure } = await session.run({ image });
  console.log(JSON.stringify({
    path,
    prediction: Number(label.data[0]), // int64 arrives as BigInt
    probabilities: Array.from(probabilities.data),
    sure: Boolean(sure.data[0]),
  }));
}
