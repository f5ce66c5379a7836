// The Node half of run.sh: the same steps as SideBySide.cs on the same fixtures, through the same npm engine
// (@ezkljs/engine 21.0.0, nodejs build), timed the same way. Prints one JSON object.
// Modes: steps | first-proof | prove-memory | throughput N (N worker threads, each with its own engine instance).
'use strict';
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const engineDir = process.env.EZKL_ENGINE_DIR;
const fixtures = process.env.FIXTURES;
const mode = process.argv[2];
const rd = (f) => new Uint8ClampedArray(fs.readFileSync(path.join(fixtures, f)));
const load = () => require(path.join(engineDir, 'node_modules/@ezkljs/engine/nodejs/ezkl.js'));
const N = parseInt(process.env.N || '7', 10), WARM = parseInt(process.env.WARM || '2', 10);
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
// Median wall time (key) and median process CPU time (key_cpu, all threads) of a step, in ms, after warm-up runs.
function bench(key, f, n = N, warm = WARM) {
  for (let i = 0; i < warm; i++) f();
  const ts = [], cs = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage(), t = performance.now(); f(); ts.push(performance.now() - t);
    const d = process.cpuUsage(c); cs.push((d.user + d.system) / 1000);
  }
  out[key] = median(ts); out[key + '_cpu'] = median(cs);
}
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
const out = {};

const compiled = rd('model.compiled'), input = rd('input.json'), srs = rd('kzg'), settings = rd('settings.json');
const vk = rd('vk.key'), pk = rd('pk.key'), proofFixture = rd('proof.json');
if (mode === 'first-proof' || mode === 'prove-memory') {
  // first-proof: load the engine and prove once; prove-memory: a prover that keeps running (four proves).
  const ezkl = load();
  const w = new Uint8ClampedArray(ezkl.genWitness(compiled, input));
  for (let i = 0; i < (mode === 'first-proof' ? 1 : 4); i++) out.proof_bytes = ezkl.prove(w, pk, compiled, srs).length;
  out.peak_rss_mb = maxRssMb();
} else if (mode === 'steps') {
  const ezkl = load();
  const w = new Uint8ClampedArray(ezkl.genWitness(compiled, input));
  bench('genWitness', () => ezkl.genWitness(compiled, input));
  bench('genVk', () => ezkl.genVk(compiled, srs, true), 5, 1);
  bench('genPk', () => ezkl.genPk(vk, compiled, srs), 5, 1);
  out.setup = out.genVk + out.genPk; out.setup_cpu = out.genVk_cpu + out.genPk_cpu;
  bench('prove', () => ezkl.prove(w, pk, compiled, srs));
  bench('verify', () => ezkl.verify(proofFixture, vk, settings, srs));
  const msg = new Uint8ClampedArray(Buffer.from(JSON.stringify(['01' + '0'.repeat(62), '02' + '0'.repeat(62)])));
  bench('poseidonHash2', () => ezkl.poseidonHash(msg), 200, 20);
} else if (mode === 'throughput') {
  const { Worker } = require('worker_threads');
  const instances = parseInt(process.argv[3], 10), per = parseInt(process.env.PROVES || '6', 10);
  const src = `
    const { parentPort, workerData } = require('worker_threads');
    const ezkl = require(workerData.engine);
    const fs = require('fs'), path = require('path');
    const rd = (f) => new Uint8ClampedArray(fs.readFileSync(path.join(workerData.fixtures, f)));
    const compiled = rd('model.compiled'), input = rd('input.json'), srs = rd('kzg'), pk = rd('pk.key');
    const w = new Uint8ClampedArray(ezkl.genWitness(compiled, input));
    ezkl.prove(w, pk, compiled, srs);
    parentPort.postMessage('ready');
    parentPort.once('message', () => { for (let i = 0; i < workerData.per; i++) ezkl.prove(w, pk, compiled, srs); parentPort.postMessage('done'); });`;
  const engine = path.join(engineDir, 'node_modules/@ezkljs/engine/nodejs/ezkl.js');
  const workers = Array.from({ length: instances }, () => new Worker(src, { eval: true, workerData: { engine, fixtures, per } }));
  let ready = 0, done = 0, t0 = 0;
  for (const wk of workers) wk.on('message', (m) => {
    if (m === 'ready' && ++ready === instances) { t0 = performance.now(); workers.forEach((x) => x.postMessage('go')); }
    if (m === 'done' && ++done === instances) {
      out.proves_per_second = instances * per / ((performance.now() - t0) / 1000); out.instances = instances;
      console.log(JSON.stringify(out)); workers.forEach((x) => x.terminate());
    }
  });
  return;
}
console.log(JSON.stringify(out));
