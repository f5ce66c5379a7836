// In-browser verification with the ezkl engine's web build, served by the host at /engine/.
// The build's memory is a shared WebAssembly.Memory, so the page must be cross-origin isolated (the host sends
// COOP/COEP). It is initialised single-threaded: initThreadPool is never called, and the engine's rayon work runs on
// the calling thread (the project measured that proofs from the multi-threaded build do not verify elsewhere).

let enginePromise = null;

/** Loads and instantiates the engine once; resolves to the module's exports. */
export function loadEngine() {
  if (!enginePromise) {
    enginePromise = (async () => {
      if (!globalThis.crossOriginIsolated) {
        throw new Error("page is not cross-origin isolated (missing COOP/COEP headers); the engine needs shared memory");
      }
      const started = performance.now();
      const engine = await import("/engine/ezkl.js");
      await engine.default(new URL("/engine/ezkl_bg.wasm", location.origin));
      return { engine, loadMs: Math.round(performance.now() - started) };
    })();
    enginePromise.catch(() => { enginePromise = null; });
  }
  return enginePromise;
}

/** Fetches bytes from a host URL and, when an expected sha256 is given, checks them against it. */
export async function fetchBytes(url, expectedSha256) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (expectedSha256) {
    const actual = await sha256Hex(bytes);
    if (normalizeHex(actual) !== normalizeHex(expectedSha256)) {
      throw new Error(`bytes from ${url} do not match their sha256 (${shortHex(expectedSha256)})`);
    }
  }
  return bytes;
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return "0x" + Array.from(digest, b => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Verifies proof bytes against a model's vk, settings and SRS (all fetched from the host and hash-checked).
 * Resolves to { valid, reason, elapsedMs }. The 21.0.0 engine reports a proof that does not verify as an error, not
 * as false, so an engine error about the proof is an "invalid" verdict; a failure to fetch artifacts rejects.
 */
export async function verifyProofBytes(proofBytes, model) {
  const { engine } = await loadEngine();
  const a = model.artifacts;
  const [vk, settings, srs] = await Promise.all([a.vk, a.settings, a.srs].map(modelArtifact));
  // Let the browser paint the "verifying" state before the synchronous engine call.
  await new Promise(resolve => setTimeout(resolve, 0));
  const started = performance.now();
  let valid = false, reason = null;
  try {
    valid = engine.verify(
      new Uint8ClampedArray(proofBytes), new Uint8ClampedArray(vk),
      new Uint8ClampedArray(settings), new Uint8ClampedArray(srs)) === true;
    if (!valid) reason = "the engine returned false";
  } catch (error) {
    valid = false;
    reason = describeError(error);
  }
  return { valid, reason, elapsedMs: Math.round(performance.now() - started) };
}

// A model's vk, settings and SRS never change for a given sha256: fetch and check them once per page.
const artifactCache = new Map();

function modelArtifact(artifact) {
  if (!artifact) return Promise.reject(new Error("the model lists no such artifact"));
  let bytes = artifactCache.get(artifact.sha256);
  if (!bytes) {
    bytes = fetchBytes(artifact.url, artifact.sha256);
    artifactCache.set(artifact.sha256, bytes);
    bytes.catch(() => artifactCache.delete(artifact.sha256));
  }
  return bytes;
}

function describeError(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}

export function normalizeHex(h) { return String(h || "").toLowerCase().replace(/^0x/, ""); }
export function shortHex(h) {
  const s = String(h || "");
  return s.length > 14 ? `${s.slice(0, 8)}…${s.slice(-4)}` : s;
}
