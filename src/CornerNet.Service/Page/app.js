// The detection page: sends the chosen image to POST detect (relative, so it works under a path prefix) with the model
// picked from GET models and the API key if one is filled in, draws the boxes over it, and filters them by the slider
// without a new request.
"use strict";

const state = { detections: [], width: 0, height: 0 };
window.cornernet = state; // read by the browser test

const $ = (id) => document.getElementById(id);
const threshold = $("threshold");
const modelPicker = $("model");
const apiKey = $("api-key");
apiKey.value = sessionStorage.getItem("cornernet-api-key") ?? "";
let lastFile = null;

function headers() {
  const key = apiKey.value.trim();
  return key ? { "X-Api-Key": key } : {};
}

async function problemText(response) {
  const body = await response.json().catch(() => null);
  return body && (body.title || body.detail) ? `${body.title ?? ""}${body.detail ? ": " + body.detail : ""}` : response.statusText;
}

async function loadModels() {
  try {
    const response = await fetch("models", { headers: headers() });
    if (!response.ok) throw new Error(`models: ${response.status} ${await problemText(response)}`);
    const list = await response.json();
    const chosen = modelPicker.value;
    modelPicker.replaceChildren(...list.models.map((m) => {
      const option = new Option(`${m.name} (${m.architecture}, ${m.state})`, m.name);
      option.disabled = m.state !== "ready";
      return option;
    }));
    modelPicker.value = list.models.some((m) => m.name === chosen) ? chosen : list.defaultModel;
    state.models = list.models.map((m) => m.name);
  } catch (e) {
    showError(e.message);
  }
}

function colour(classIndex) {
  // Well-spread hues per class index (golden-angle steps).
  return `hsl(${(classIndex * 137.508) % 360}, 85%, 55%)`;
}

function visible() {
  const min = parseFloat(threshold.value);
  return state.detections.filter((d) => d.score >= min);
}

function render() {
  $("threshold-value").textContent = parseFloat(threshold.value).toFixed(2);
  const overlay = $("overlay");
  overlay.setAttribute("viewBox", `0 0 ${state.width} ${state.height}`);
  overlay.replaceChildren();
  const body = $("table").querySelector("tbody");
  body.replaceChildren();
  const shown = visible();
  shown.forEach((d, i) => {
    const [x1, y1, x2, y2] = d.bbox;
    const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("class", "box");
    rect.setAttribute("x", x1); rect.setAttribute("y", y1);
    rect.setAttribute("width", Math.max(0, x2 - x1)); rect.setAttribute("height", Math.max(0, y2 - y1));
    rect.setAttribute("stroke", colour(d.classIndex));
    overlay.appendChild(rect);
    const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    label.setAttribute("x", x1 + 2); label.setAttribute("y", Math.max(12, y1 - 3));
    label.setAttribute("fill", colour(d.classIndex));
    label.setAttribute("font-size", Math.max(8, state.width / 45)); // in image pixels, so it scales with the image
    label.textContent = `${d.label} ${d.score.toFixed(2)}`;
    overlay.appendChild(label);

    const row = body.insertRow();
    row.insertCell().textContent = i + 1;
    const name = row.insertCell();
    const swatch = document.createElement("span");
    swatch.className = "swatch"; swatch.style.background = colour(d.classIndex);
    name.append(swatch, d.label);
    row.insertCell().textContent = d.score.toFixed(3);
    row.insertCell().textContent = d.bbox.map((v) => v.toFixed(1)).join(", ");
  });
  $("table").hidden = state.detections.length === 0;
  $("status").textContent = state.width
    ? `${shown.length} of ${state.detections.length} detections at score ≥ ${parseFloat(threshold.value).toFixed(2)}`
    : "No image yet.";
}

function showError(message) {
  const error = $("error");
  error.textContent = message;
  error.hidden = !message;
}

async function detect(file) {
  lastFile = file;
  await state.modelsLoaded; // the picker filled, so the request names the model shown
  showError("");
  state.detections = []; state.width = 0; state.height = 0;
  $("status").textContent = "Detecting…";
  $("timings").textContent = "";
  $("weights").textContent = "";
  const image = $("image");
  if (image.src) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(file);
  $("stage").hidden = false;
  const form = new FormData();
  form.append("image", file);
  try {
    const model = modelPicker.value ? `&model=${encodeURIComponent(modelPicker.value)}` : "";
    const response = await fetch(`detect?scoreThreshold=0${model}`, { method: "POST", body: form, headers: headers() });
    if (!response.ok) throw new Error(`${response.status} ${await problemText(response)}`);
    const body = await response.json();
    state.detections = body.detections;
    state.width = body.width;
    state.height = body.height;
    const t = body.timings;
    $("timings").textContent = `total ${t.totalMs.toFixed(0)} ms: forward ${t.forwardMs.toFixed(0)} ms, ` +
      `decode ${t.decodeMs.toFixed(1)} ms, NMS ${t.nmsMs.toFixed(1)} ms, queue ${t.queueMs.toFixed(1)} ms (batch of ${t.batchSize})` +
      (t.crops === undefined ? "" : `, ${t.crops} zoom crops`);
    $("weights").textContent = `model ${body.model}, weights ${body.weightsSha256.slice(0, 12)}`;
    state.model = body.model;
    state.weightsSha256 = body.weightsSha256;
  } catch (e) {
    $("stage").hidden = true;
    showError(e.message);
  }
  render();
  state.completed = (state.completed ?? 0) + 1;
}

$("file").addEventListener("change", (e) => { if (e.target.files.length) detect(e.target.files[0]); });
threshold.addEventListener("input", render);
modelPicker.addEventListener("change", () => { if (lastFile) detect(lastFile); });
apiKey.addEventListener("change", () => {
  sessionStorage.setItem("cornernet-api-key", apiKey.value.trim());
  state.modelsLoaded = loadModels();
});
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files.length) detect(e.dataTransfer.files[0]);
});
render();
state.modelsLoaded = loadModels();
