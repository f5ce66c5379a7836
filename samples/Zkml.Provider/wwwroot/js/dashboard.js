// The provider dashboard: reads the host's REST API (see samples/Zkml.Provider/README.md), renders the proof
// history, submits proof requests, and verifies proofs on the server or in this browser.
import { loadEngine, fetchBytes, verifyProofBytes, shortHex } from "./engine.js";

const TERMINAL = new Set(["Fulfilled", "Refunded", "Failed"]);
const state = {
  models: new Map(),        // modelId -> model
  requests: [],
  verdicts: new Map(),      // `${requestId}:${source}` -> { pending } | { valid, reason, elapsedMs } | { error }
  tracked: null,            // request id submitted from the form, followed until it settles
  timer: null,
  modelsJson: "",           // last /api/models and /api/requests bodies, to re-render only on change
  requestsJson: "",
};

const $ = (selector, root = document) => root.querySelector(selector);

async function api(path, init) {
  const response = await fetch(path, { cache: "no-store", ...init });
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  if (!response.ok) {
    const detail = body && typeof body === "object" ? (body.detail || body.title || body.error || JSON.stringify(body)) : text;
    throw new Error(`${init?.method || "GET"} ${path}: HTTP ${response.status}${detail ? ` – ${detail}` : ""}`);
  }
  return body;
}

// ---------- small DOM helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function hex(value, label) {
  if (!value) return el("span", { class: "muted" }, "—");
  return el("code", { class: "hex", title: `${label ? label + ": " : ""}${value} (click to copy)`,
    onclick: () => navigator.clipboard?.writeText(value).catch(() => {}) }, shortHex(value));
}

function formatWei(wei) {
  if (wei === null || wei === undefined) return "—";
  const value = BigInt(wei);
  const unit = 10n ** 18n;
  const whole = value / unit;
  const fraction = (value % unit).toString().padStart(18, "0").replace(/0+$/, "").slice(0, 6);
  return `${whole}${fraction ? "." + fraction : ""} ETH`;
}

function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  return date.toDateString() === new Date().toDateString()
    ? time : `${date.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${time}`;
}

function formatBytes(size) {
  if (size === null || size === undefined) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

// ---------- status, audit, models ----------

async function refreshStatus() {
  try {
    const status = await api("/api/status");
    for (const dd of document.querySelectorAll("#status [data-field]")) {
      const value = status[dd.dataset.field];
      dd.replaceChildren(/Address$/.test(dd.dataset.field) ? hex(value) : String(value ?? "—"));
    }
  } catch (error) {
    $("#status [data-field=chainId]").textContent = "unreachable";
    console.error(error);
  }
}

async function refreshAudit() {
  const box = $("#audit");
  try {
    const audit = await api("/api/audit");
    box.dataset.state = audit.valid ? "valid" : "broken";
    $("#audit-text").textContent = audit.valid
      ? `Audit trail intact · ${audit.entries} entries`
      : `Audit trail BROKEN at entry ${audit.firstBrokenIndex ?? "?"}${audit.reason ? ": " + audit.reason : ""}`;
    box.title = `Hash-chained audit trail · head ${audit.head ?? "—"}`;
  } catch (error) {
    box.dataset.state = "unknown";
    $("#audit-text").textContent = "Audit trail: unavailable";
    console.error(error);
  }
}

async function refreshModels() {
  const models = await api("/api/models");
  const json = JSON.stringify(models);
  if (json === state.modelsJson) return;
  state.modelsJson = json;
  state.models = new Map(models.map(m => [m.modelId, m]));
  const body = $("#models tbody");
  if (models.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No model registered yet.")));
  } else {
    body.replaceChildren(...models.map(m => el("tr", { dataset: { modelId: m.modelId } },
      el("td", {}, el("strong", {}, m.name)),
      el("td", {}, hex(m.modelId, "model id"), el("div", { class: "muted small" }, "verifier ", hex(m.verifier, "verifier"))),
      el("td", {}, formatWei(m.priceWei)),
      el("td", {}, String(m.inputInstanceCount)),
      el("td", {}, String(m.logrows)),
      el("td", { class: "links" }, ...Object.entries(m.artifacts || {}).filter(([, a]) => a).map(([name, a]) =>
        el("a", { href: a.url, download: `${name}-${String(a.sha256).slice(2, 10)}`, title: `${a.key}\nsha256 ${a.sha256}\ncid ${a.cid}` },
          name, el("span", { class: "muted" }, ` ${formatBytes(a.size)}`)))))));
  }
  for (const select of [$("#request-model"), $("#upload-model")]) {
    const previous = select.value;
    select.replaceChildren(...models.map(m => el("option", { value: m.modelId }, `${m.name} (${shortHex(m.modelId)})`)));
    if (previous && state.models.has(previous)) select.value = previous;
  }
  if (!$("#request-input").value && models.length) fillRandomInput();
  if (state.requests.length) renderRequests();
}

// ---------- proof history ----------

async function refreshRequests() {
  const requests = await api("/api/requests");
  const json = JSON.stringify(requests);
  if (json !== state.requestsJson) {
    state.requestsJson = json;
    state.requests = requests;
    renderRequests();
  }
  $("#updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
  if (state.tracked) {
    const tracked = state.requests.find(r => r.requestId === state.tracked);
    if (tracked) {
      showRequestMessage(`Request #${tracked.requestId}: ${tracked.status}`, TERMINAL.has(tracked.status)
        ? (tracked.status === "Fulfilled" ? "ok" : "bad") : "busy", tracked.requestId, tracked.status);
      if (TERMINAL.has(tracked.status)) state.tracked = null;
    }
  }
}

function renderRequests() {
  const body = $("#requests tbody");
  if (state.requests.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 8, class: "muted" }, "No proof requests yet.")));
    return;
  }
  body.replaceChildren(...state.requests.map(renderRequestRow));
}

function renderRequestRow(r) {
  const model = state.models.get(r.modelId);
  const txs = r.txs || {};
  const gas = r.gasUsed || {};
  return el("tr", { dataset: { requestId: r.requestId, status: r.status } },
    el("td", {}, el("strong", {}, `#${r.requestId}`),
      el("div", { class: "small nowrap model-name", title: r.modelId }, model ? model.name : shortHex(r.modelId)),
      el("div", { class: "muted small nowrap", title: r.createdAt }, formatTime(r.createdAt)),
      el("div", { class: "muted small" }, formatWei(r.priceWei))),
    el("td", {}, el("span", { class: `badge status-${r.status.toLowerCase()}` }, r.status),
      r.settledAt ? el("div", { class: "muted small nowrap", title: `settled ${r.settledAt}` }, formatTime(r.settledAt)) : null,
      r.verified === true ? el("div", { class: "small ok-text nowrap" }, "proof verified") : null,
      r.verified === false ? el("div", { class: "small bad-text nowrap" }, "proof rejected") : null,
      r.error ? el("div", { class: "small bad-text error-text", title: r.error }, r.error) : null,
      !TERMINAL.has(r.status) && r.deadline ? el("div", { class: "muted small nowrap", title: `deadline ${r.deadline}` }, `deadline ${formatTime(r.deadline)}`) : null),
    el("td", { class: "stack" },
      el("div", {}, el("span", { class: "label" }, "in"), hex(r.inputCommitment, "input commitment")),
      el("div", {}, el("span", { class: "label" }, "out"), hex(r.outputCommitment, "output commitment"))),
    el("td", {}, renderOutputs(r.outputs)),
    el("td", { class: "stack" },
      r.proof ? el("a", { href: r.proof.url, download: `proof-${r.requestId}.json`, title: `sha256 ${r.proof.sha256}\n${r.proofUri ?? ""}` }, "proof") : null,
      r.inputUri ? el("span", { class: "muted small uri", title: r.inputUri }, "input: ", shortUri(r.inputUri)) : null,
      !r.proof && !r.inputUri ? el("span", { class: "muted" }, "—") : null),
    el("td", { class: "stack" }, ...["request", "lock", "fulfil", "refund"].filter(k => txs[k]).map(k =>
      el("div", {}, el("span", { class: "label" }, k), txLink(txs[k])))),
    el("td", { class: "stack small" },
      r.proveMs != null ? el("div", {}, `${(r.proveMs / 1000).toFixed(2)} s`) : null,
      gas.lock != null ? el("div", { class: "muted" }, `lock ${Number(gas.lock).toLocaleString()} gas`) : null,
      gas.fulfil != null ? el("div", { class: "muted" }, `fulfil ${Number(gas.fulfil).toLocaleString()} gas`) : null),
    el("td", { class: "verify" }, renderVerify(r, model)));
}

function shortUri(uri) { return uri.length > 22 ? `${uri.slice(0, 10)}…${uri.slice(-8)}` : uri; }

function renderOutputs(outputs) {
  if (!outputs || outputs.length === 0) return el("span", { class: "muted" }, "—");
  const best = outputs.indexOf(Math.max(...outputs));
  return el("div", { class: "outputs", title: outputs.join(", ") },
    ...outputs.slice(0, 8).map((v, i) => el("span", { class: i === best ? "out best" : "out" }, Number(v).toFixed(3))),
    outputs.length > 8 ? el("span", { class: "muted" }, "…") : null,
    el("div", { class: "muted small" }, `argmax ${best}`));
}

function txLink(hash) {
  return el("a", { href: "#", class: "hex", title: `${hash}\nclick for the receipt from the chain`,
    onclick: (event) => { event.preventDefault(); showReceipt(hash); } }, shortHex(hash));
}

function renderVerify(r, model) {
  if (!r.proof) return el("span", { class: "muted small" }, TERMINAL.has(r.status) ? "no proof" : "waiting for proof");
  return el("div", { class: "verify-box" },
    el("div", { class: "actions" },
      el("button", { type: "button", class: "small-btn", "data-action": "verify-browser",
        disabled: !model || state.verdicts.get(`${r.requestId}:browser`)?.pending,
        onclick: () => verifyInBrowser(r) }, "Verify in browser"),
      el("button", { type: "button", class: "small-btn ghost", "data-action": "verify-server",
        disabled: state.verdicts.get(`${r.requestId}:server`)?.pending,
        onclick: () => verifyOnServer(r) }, "Server")),
    renderVerdict(r.requestId, "browser"),
    renderVerdict(r.requestId, "server"));
}

function renderVerdict(requestId, source) {
  const verdict = state.verdicts.get(`${requestId}:${source}`);
  if (!verdict) return null;
  const where = source === "browser" ? "browser" : "server";
  if (verdict.pending) return el("div", { class: "verdict busy", dataset: { source } }, `${where}: verifying…`);
  if (verdict.error) return el("div", { class: "verdict error", dataset: { source, valid: "error" }, title: verdict.error }, `${where}: error – ${verdict.error}`);
  return el("div", { class: `verdict ${verdict.valid ? "ok" : "bad"}`, dataset: { source, valid: String(verdict.valid) }, title: verdict.reason ?? "" },
    `${where}: ${verdict.valid ? "✓ valid" : "✗ invalid"}`, el("span", { class: "muted" }, ` ${verdict.elapsedMs} ms`),
    !verdict.valid && verdict.reason ? el("div", { class: "reason" }, verdict.reason) : null);
}

async function verifyInBrowser(r) {
  const key = `${r.requestId}:browser`;
  state.verdicts.set(key, { pending: true });
  renderRequests();
  try {
    const model = state.models.get(r.modelId);
    if (!model) throw new Error("unknown model");
    const proof = await fetchBytes(r.proof.url, r.proof.sha256);
    state.verdicts.set(key, await verifyProofBytes(proof, model));
  } catch (error) {
    state.verdicts.set(key, { error: error.message || String(error) });
  }
  renderRequests();
  updateEngineState();
}

async function verifyOnServer(r) {
  const key = `${r.requestId}:server`;
  state.verdicts.set(key, { pending: true });
  renderRequests();
  try {
    state.verdicts.set(key, await api(`/api/requests/${encodeURIComponent(r.requestId)}/verify`, { method: "POST" }));
  } catch (error) {
    state.verdicts.set(key, { error: error.message || String(error) });
  }
  renderRequests();
}

// ---------- transaction receipts (read from the chain's JSON-RPC, whose URL /api/status gives) ----------

async function showReceipt(hash) {
  const dialog = $("#receipt") ?? document.body.appendChild(el("dialog", { id: "receipt", class: "card" }));
  dialog.replaceChildren(el("h3", {}, "Transaction"), el("code", { class: "wrap" }, hash), el("p", { class: "muted" }, "Loading receipt…"),
    el("form", { method: "dialog" }, el("button", { class: "ghost" }, "Close")));
  dialog.showModal();
  try {
    const status = await api("/api/status");
    const response = await fetch(status.rpcUrl, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getTransactionReceipt", params: [hash] }) });
    const { result, error } = await response.json();
    if (error) throw new Error(error.message);
    if (!result) throw new Error("no receipt (not mined?)");
    const rows = [["status", result.status === "0x1" ? "success" : "reverted"], ["block", parseInt(result.blockNumber, 16)],
      ["from", result.from], ["to", result.to], ["gas used", parseInt(result.gasUsed, 16).toLocaleString()], ["logs", result.logs.length]];
    dialog.querySelector("p").replaceWith(el("dl", { class: "receipt" }, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])));
  } catch (error) {
    dialog.querySelector("p").textContent = `Receipt unavailable: ${error.message}`;
  }
}

// ---------- forms ----------

function fillRandomInput() {
  const model = state.models.get($("#request-model").value);
  const count = model?.inputInstanceCount || 4;
  $("#request-input").value = Array.from({ length: count }, () => (Math.random() * 2 - 1).toFixed(3)).join(", ");
}

function showRequestMessage(text, kind, requestId, status) {
  const message = $("#request-message");
  message.textContent = text;
  message.dataset.kind = kind;
  if (requestId) message.dataset.requestId = requestId; else delete message.dataset.requestId;
  if (status) message.dataset.status = status; else delete message.dataset.status;
}

async function submitRequest(event) {
  event.preventDefault();
  const modelId = $("#request-model").value;
  const row = $("#request-input").value.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (row.length === 0 || row.some(Number.isNaN)) {
    showRequestMessage("The input must be numbers separated by commas.", "bad");
    return;
  }
  const deadlineSeconds = Number($("#request-deadline").value) || undefined;
  const button = $("#request-submit");
  button.disabled = true;
  showRequestMessage("Storing the input and paying for the request…", "busy");
  try {
    const accepted = await api("/api/requests", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ modelId, input: [row], deadlineSeconds }) });
    state.tracked = String(accepted.requestId);
    showRequestMessage(`Request #${accepted.requestId} submitted (tx ${shortHex(accepted.tx)})`, "busy", state.tracked, "Submitted");
    await refreshRequests();
  } catch (error) {
    showRequestMessage(error.message, "bad");
  } finally {
    button.disabled = false;
  }
}

async function submitUpload(event) {
  event.preventDefault();
  const result = $("#upload-result");
  const file = $("#upload-file").files[0];
  const model = state.models.get($("#upload-model").value);
  if (!file || !model) return;
  result.dataset.kind = "busy";
  delete result.dataset.valid;
  result.textContent = "Verifying in the browser…";
  $("#upload-verify").disabled = true;
  try {
    const verdict = await verifyProofBytes(new Uint8Array(await file.arrayBuffer()), model);
    result.dataset.kind = verdict.valid ? "ok" : "bad";
    result.dataset.valid = String(verdict.valid);
    result.textContent = verdict.valid
      ? `✓ valid: ${file.name} verifies against ${model.name} (${verdict.elapsedMs} ms)`
      : `✗ invalid: ${file.name} does not verify against ${model.name}${verdict.reason ? ` – ${verdict.reason}` : ""}`;
  } catch (error) {
    result.dataset.kind = "bad";
    result.dataset.valid = "error";
    result.textContent = `Could not verify: ${error.message}`;
  } finally {
    $("#upload-verify").disabled = false;
    updateEngineState();
  }
}

async function updateEngineState() {
  try {
    const { loadMs } = await loadEngine();
    $("#engine-state").textContent = `Browser engine: ezkl web build loaded (${loadMs} ms, single-threaded)`;
  } catch (error) {
    $("#engine-state").textContent = `Browser engine: unavailable – ${error.message}`;
  }
}

// ---------- polling ----------

async function tick() {
  try {
    await Promise.all([refreshModels(), refreshStatus(), refreshAudit()]);
    await refreshRequests();
  } catch (error) {
    console.error(error);
  }
  const busy = state.tracked || state.requests.some(r => !TERMINAL.has(r.status));
  state.timer = setTimeout(tick, busy ? 1500 : 5000);
}

async function start() {
  $("#request-form").addEventListener("submit", submitRequest);
  $("#request-random").addEventListener("click", fillRandomInput);
  $("#request-model").addEventListener("change", fillRandomInput);
  $("#upload-form").addEventListener("submit", submitUpload);
  try {
    await refreshModels();
  } catch (error) {
    $("#models tbody").replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "bad-text" }, error.message)));
  }
  await tick();
  document.body.dataset.ready = "true";
}

start();
