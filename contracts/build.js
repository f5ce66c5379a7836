// Compiles contracts/src and contracts/test with the pinned solc-js (standard JSON) and writes
// contracts/out/<Contract>.json = { contractName, abi, bytecode } for every contract with bytecode.
// Usage: node contracts/build.js [outDir]
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = __dirname;
const outDir = path.resolve(process.argv[2] || path.join(root, 'out'));
const sources = {};
for (const dir of ['src', 'test']) {
  for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.sol')).sort()) {
    sources[`${dir}/${file}`] = { content: fs.readFileSync(path.join(root, dir, file), 'utf8') };
  }
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 200 },
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};

function findImports(importPath) {
  const candidate = path.join(root, importPath);
  return fs.existsSync(candidate)
    ? { contents: fs.readFileSync(candidate, 'utf8') }
    : { error: `import not found: ${importPath}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const problems = output.errors || [];
for (const p of problems) {
  console.error(p.formattedMessage || p.message);
}
if (problems.some((p) => p.severity === 'error')) {
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
let written = 0;
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, artifact] of Object.entries(contracts)) {
    const bytecode = artifact.evm.bytecode.object;
    if (!bytecode) continue; // interfaces
    const json = JSON.stringify({ contractName: name, source: file, abi: artifact.abi, bytecode: '0x' + bytecode }, null, 1);
    fs.writeFileSync(path.join(outDir, `${name}.json`), json + '\n');
    written++;
  }
}
console.log(`solc ${solc.version()}: ${written} contracts -> ${outDir}`);
