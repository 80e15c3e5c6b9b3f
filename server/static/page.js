// Draw-a-digit page: Pointer Events on a canvas -> model.onnx in the browser (ONNX Runtime Web) on
// the canvas's RGBA pixels -> render. Uploads, "Ask the server", and any drawing the browser cannot
// read itself go as a file to POST predict_digit?explain=1 instead.
// Plain script, no build step; everything is wired here (no inline handlers, so a strict CSP works).
"use strict";

(function () {
  const PREDICT_URL = "predict_digit?explain=1"; // relative: works behind a path prefix too
  // The same file the server runs, and ONNX Runtime Web's ES module (its WebAssembly file sits
  // beside it), both from this server: nothing from another host.
  const MODEL_URL = "model.onnx";
  const RUNTIME_URL = "ort/ort.wasm.bundle.min.mjs";
  const BLANK_LABEL = -1; // the model's answer when there is no digit to read
  const PAPER = "#ffffff";
  const INK = "#000000";
  // About a marker on paper: the server normalises stroke thickness, this just looks natural.
  const BRUSH_FRACTION = 0.07;
  const PIXEL_MAX = 16;
  const PIXEL_ROWS = 8; // the 8x8 grid the digit was read as (features row 0)

  const pad = document.getElementById("pad");
  // Read back after every stroke, so kept in memory rather than on the GPU.
  const ctx = pad.getContext("2d", { willReadFrequently: true });
  const predictButton = document.getElementById("predict");
  const askServerButton = document.getElementById("ask-server");
  const engine = document.getElementById("engine");
  const clearButton = document.getElementById("clear");
  const fileInput = document.getElementById("file");
  const result = document.getElementById("result");
  const message = document.getElementById("message");
  const answer = document.getElementById("answer");
  const digit = document.getElementById("digit");
  const confidence = document.getElementById("confidence");
  const notSure = document.getElementById("not-sure");
  const errorBox = document.getElementById("error");
  const chartFigure = document.getElementById("chart-figure");
  const chart = document.getElementById("chart");
  const gridFigure = document.getElementById("grid-figure");
  const grid = document.getElementById("grid");

  let hasInk = false;
  let activePointer = null;
  let last = null;
  let requestSeq = 0; // only the newest request's answer is shown
  let browserModel = null; // { ort, session } once model.onnx runs here

  // ---- drawing ----------------------------------------------------------------------------

  function resetCanvas() {
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, pad.width, pad.height);
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = pad.width * BRUSH_FRACTION;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    hasInk = false;
  }

  function canvasPoint(event) {
    // CSS pixels -> canvas pixels (the canvas is scaled to fit the screen).
    const box = pad.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * pad.width,
      y: ((event.clientY - box.top) / box.height) * pad.height,
    };
  }

  function dot(point) {
    ctx.beginPath();
    ctx.arc(point.x, point.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
  }

  function lineTo(point) {
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(point.x, point.y);
    ctx.stroke();
    last = point;
  }

  function onPointerDown(event) {
    if (activePointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    activePointer = event.pointerId;
    pad.setPointerCapture(event.pointerId);
    // Keys work right after drawing; no focus ring for a pointer user.
    pad.focus({ preventScroll: true, focusVisible: false });
    last = canvasPoint(event);
    dot(last);
    hasInk = true;
  }

  function onPointerMove(event) {
    if (event.pointerId !== activePointer) return;
    event.preventDefault();
    // Coalesced events keep fast pen and touch strokes smooth.
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) lineTo(canvasPoint(e));
  }

  function onPointerUp(event) {
    if (event.pointerId !== activePointer) return;
    activePointer = null;
    last = null;
    if (event.type === "pointerup") predictDrawing();
  }

  // ---- the model in the browser -----------------------------------------------------------

  function setEngine(state, text) {
    engine.dataset.state = state;
    engine.textContent = text;
  }

  async function loadBrowserModel() {
    setEngine("loading", "Loading the model into your browser…");
    try {
      if (typeof WebAssembly !== "object") throw new Error("this browser has no WebAssembly");
      const [ort, model] = await Promise.all([
        import(new URL(RUNTIME_URL, document.baseURI).href),
        fetch(MODEL_URL).then((response) => {
          if (!response.ok) throw new Error(MODEL_URL + " answered HTTP " + response.status);
          return response.arrayBuffer();
        }),
      ]);
      // Threads need cross-origin isolation, which this page does not ask for; one thread is
      // also what the server gives each session.run.
      ort.env.wasm.numThreads = 1;
      // In a worker: making the session of a large forest takes seconds, and the page (drawing,
      // the server's answers meanwhile) must not freeze for them.
      ort.env.wasm.proxy = true;
      // As the server runs it: no graph optimisation (nothing to gain in a forest; same answers).
      const creating = performance.now();
      const session = await ort.InferenceSession.create(new Uint8Array(model), {
        executionProviders: ["wasm"],
        graphOptimizationLevel: "disabled",
      });
      browserModel = { ort, session };
      // Start-up, in ms: making the session, and everything since the page's navigation began.
      engine.dataset.sessionMs = (performance.now() - creating).toFixed(0);
      engine.dataset.readyMs = performance.now().toFixed(0);
      setEngine("ready", "The model runs in your browser: drawings are read here, files by the server.");
    } catch (err) {
      fallBack(err);
    }
  }

  function fallBack(err) {
    browserModel = null;
    setEngine("failed", "The model cannot run in this browser (" + err.message + "), so the server reads your drawings.");
  }

  async function readInBrowser() {
    const seq = ++requestSeq;
    setStatus("pending");
    const started = performance.now();
    // The graph's own input: the canvas's RGBA bytes as they are, uint8[height, width, 4].
    const pixels = ctx.getImageData(0, 0, pad.width, pad.height);
    const { ort, session } = browserModel;
    const image = new ort.Tensor("uint8", new Uint8Array(pixels.data.buffer), [pixels.height, pixels.width, 4]);
    let outputs;
    try {
      outputs = await session.run({ image });
    } catch (err) {
      fallBack(err);
      if (seq === requestSeq) sendDrawing();
      return;
    }
    if (seq !== requestSeq) return;
    result.dataset.ms = (performance.now() - started).toFixed(1);
    const label = Number(outputs.label.data[0]); // int64 arrives as a BigInt
    if (label === BLANK_LABEL) {
      showError("The model found no digit in your drawing: it is blank or too faint.", "your drawing");
      return;
    }
    const probabilities = Array.from(outputs.probabilities.data);
    const upright = Array.from(outputs.features.data.subarray(0, PIXEL_ROWS * PIXEL_ROWS));
    showPrediction({
      prediction: label,
      confidence: Math.max(...probabilities),
      probabilities,
      sure: Boolean(outputs.sure.data[0]),
      features: Array.from({ length: PIXEL_ROWS }, (_, row) => upright.slice(row * PIXEL_ROWS, (row + 1) * PIXEL_ROWS)),
    }, "your drawing", "browser");
  }

  // ---- talking to the server --------------------------------------------------------------

  function canvasBlob() {
    return new Promise((resolve, reject) =>
      pad.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the canvas could not be encoded"))), "image/png"),
    );
  }

  function inked() {
    if (!hasInk) showError("Nothing to predict yet: draw a digit first, or choose an image file.");
    return hasInk;
  }

  function predictDrawing() {
    if (!inked()) return;
    // Until the model has loaded here (or if it cannot), the server reads the drawing.
    if (browserModel) readInBrowser();
    else sendDrawing();
  }

  function askServer() {
    if (inked()) sendDrawing();
  }

  function sendDrawing() {
    canvasBlob().then((blob) => send(blob, "drawing.png", "your drawing"), (err) => showError(err.message));
  }

  async function send(blob, filename, source) {
    const seq = ++requestSeq;
    setStatus("pending");
    const form = new FormData();
    form.append("image", blob, filename);
    let response;
    let body = null;
    try {
      response = await fetch(PREDICT_URL, { method: "POST", body: form, headers: { Accept: "application/json" } });
      body = await response.json().catch(() => null);
    } catch (err) {
      if (seq === requestSeq) showError("Could not reach the server (" + err.message + "). Is it still running?", source);
      return;
    }
    if (seq !== requestSeq) return;
    if (!response.ok) {
      showError(describeError(response.status, body), source);
      return;
    }
    showPrediction(body, source, "server");
  }

  function describeError(status, body) {
    const detail = body && typeof body.error === "string" ? body.error : "no details given";
    const what = {
      400: "The server could not read this image",
      413: "The image is too large for the server",
      415: "The server does not accept this kind of file",
      422: "The server found no digit in this image",
    }[status] || "The server answered with an error";
    return what + ": " + detail + " (HTTP " + status + ").";
  }

  // ---- showing the answer -----------------------------------------------------------------

  function setStatus(status) {
    result.dataset.status = status;
    predictButton.setAttribute("aria-busy", String(status === "pending"));
    if (status === "pending") message.textContent = "Asking the model…";
  }

  function percent(p) {
    return (p * 100).toFixed(p >= 0.995 || p < 0.005 ? 0 : 1) + "%";
  }

  function showPrediction(body, source, reader) {
    errorBox.hidden = true;
    errorBox.textContent = "";
    digit.textContent = String(body.prediction);
    confidence.textContent = "confidence " + percent(body.confidence);
    // The model applies the threshold (one copy, chosen on real handwriting); the page only shows it.
    const unsure = body.sure === false;
    result.dataset.reader = reader;
    message.textContent = (reader === "browser" ? "The model in your browser" : "The server") + " reads " + source + " as";
    answer.dataset.sure = String(!unsure);
    notSure.hidden = !unsure;
    answer.hidden = false;
    renderChart(body.probabilities, body.prediction);
    renderGrid(body.features);
    setStatus("done");
  }

  function showError(text, source) {
    answer.hidden = true;
    notSure.hidden = true;
    chartFigure.hidden = true;
    gridFigure.hidden = true;
    message.textContent = source ? "No prediction for " + source + "." : "No prediction.";
    errorBox.textContent = text;
    errorBox.hidden = false;
    setStatus("error");
  }

  function renderChart(probabilities, predicted) {
    chart.replaceChildren(
      ...probabilities.map((p, label) => {
        const item = document.createElement("li");
        item.dataset.digit = String(label);
        item.dataset.probability = String(p); // unrounded, for anyone comparing answers
        item.setAttribute("aria-label", "digit " + label + ": " + percent(p));
        if (label === predicted) item.classList.add("predicted");
        const value = document.createElement("span");
        value.className = "value";
        value.textContent = percent(p);
        const track = document.createElement("span");
        track.className = "track";
        const bar = document.createElement("span");
        bar.className = "bar";
        bar.style.height = (p * 100).toFixed(1) + "%"; // CSSOM, not a style attribute: CSP-safe
        track.append(bar);
        const name = document.createElement("span");
        name.className = "label";
        name.textContent = String(label);
        item.append(value, track, name);
        return item;
      }),
    );
    chartFigure.hidden = false;
  }

  function renderGrid(features) {
    if (!Array.isArray(features)) {
      gridFigure.hidden = true;
      return;
    }
    const body = grid.tBodies[0];
    body.replaceChildren(
      ...features.map((row) => {
        const tr = document.createElement("tr");
        for (const value of row) {
          const td = document.createElement("td");
          const level = Math.round(255 - (value / PIXEL_MAX) * 255);
          td.style.backgroundColor = "rgb(" + level + "," + level + "," + level + ")";
          td.classList.toggle("dark", value > PIXEL_MAX / 2);
          td.textContent = String(Math.round(value));
          tr.append(td);
        }
        return tr;
      }),
    );
    gridFigure.hidden = false;
  }

  function clearAll() {
    requestSeq++; // drop any answer still on its way
    resetCanvas();
    fileInput.value = "";
    answer.hidden = true;
    notSure.hidden = true;
    chartFigure.hidden = true;
    gridFigure.hidden = true;
    errorBox.hidden = true;
    errorBox.textContent = "";
    message.textContent = "Draw a digit to see a prediction.";
    setStatus("idle");
  }

  // ---- an existing image ------------------------------------------------------------------

  async function previewFile(file) {
    // Show the picture on the canvas so the user sees what was sent; the file itself is sent as is.
    resetCanvas();
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(pad.width / bitmap.width, pad.height / bitmap.height);
      const w = bitmap.width * scale;
      const h = bitmap.height * scale;
      ctx.drawImage(bitmap, (pad.width - w) / 2, (pad.height - h) / 2, w, h);
      bitmap.close();
      hasInk = true;
    } catch (err) {
      // Not something the browser can show; the server will say what is wrong with it.
    }
  }

  function onFileChosen() {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    previewFile(file);
    send(file, file.name, file.name);
  }

  // ---- wiring -----------------------------------------------------------------------------

  function onPadKey(event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      predictDrawing();
    } else if (event.key === "Escape" || event.key === "c" || event.key === "C") {
      event.preventDefault();
      clearAll();
    }
  }

  pad.addEventListener("pointerdown", onPointerDown);
  pad.addEventListener("pointermove", onPointerMove);
  pad.addEventListener("pointerup", onPointerUp);
  pad.addEventListener("pointercancel", onPointerUp);
  pad.addEventListener("keydown", onPadKey);
  predictButton.addEventListener("click", predictDrawing);
  askServerButton.addEventListener("click", askServer);
  clearButton.addEventListener("click", clearAll);
  fileInput.addEventListener("change", onFileChosen);
  document.addEventListener("keydown", (event) => {
    // Escape clears from anywhere on the page, not only from the drawing area.
    if (event.key === "Escape" && event.target !== pad) clearAll();
  });

  resetCanvas();
  loadBrowserModel();
})();
