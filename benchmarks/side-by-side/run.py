#!/usr/bin/env python3
"""Side by side: the same steps on the same fixtures through the same npm engine (@ezkljs/engine 21.0.0), under
Node and hosted in .NET (Zkml.Ezkl + Wasmtime), in one run, interleaved round by round so both see the same machine
load. Prints each measurement and the ratio .NET/Node against the project's targets.

  steps         median ms of genWitness, setup (genVk + genPk), prove, verify, poseidonHash (warm, in-process)
  first-proof   wall time of a fresh process that loads the engine and proves once (.NET: module from the disk
                cache, warmed before the rounds; Node: compiles the wasm as `require` does)
  prove-memory  peak resident memory (wait4 ru_maxrss) of a process that proves four times
  throughput    proves/s with 1 and with N engine instances proving at once (.NET: N pool instances; Node: N
                worker threads, each with its own engine); scaling = rate(N) / rate(1), target >= 0.85 N
"""
import json, os, statistics, subprocess, sys, time

root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
env = dict(os.environ)
env.setdefault('FIXTURES', os.path.join(os.environ.get('ZKML_SHARED', os.path.join(root, '..', 'shared')), 'fixtures', 'ezkl-v21.0.0'))
env['EZKL_ENGINE_DIR'] = os.path.join(root, 'native', 'ezkl-wasm')
rounds = int(os.environ.get('ROUNDS', '3'))
cores = int(os.environ.get('CORES', str(os.cpu_count() or 2)))
# The harness as run.sh publishes it (ReadyToRun); DOTNET_HARNESS points elsewhere, e.g. at bin/Release/net10.0.
harness = os.environ.get('DOTNET_HARNESS', os.path.join(root, 'benchmarks', 'Zkml.Benchmarks', 'bin', 'side-by-side'))
dotnet = ['dotnet', os.path.join(harness, 'Zkml.Benchmarks.dll')]
node = ['node', os.path.join(root, 'benchmarks', 'side-by-side', 'node-steps.js')]


def run(cmd):
    """Runs a child; returns its JSON output, wall seconds and peak RSS (MB) from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f'{" ".join(cmd)} failed with status {status}')
    return json.loads(out.decode().strip().splitlines()[-1]), wall, usage.ru_maxrss / 1024


def median(values):
    return statistics.median(values)


print(f'side-by-side: {rounds} rounds, {cores} cores, load average {os.getloadavg()[0]:.1f}', flush=True)
run(dotnet + ['first-proof'])  # make sure the compiled module is in the disk cache

samples = {}
def add(side, key, value):
    samples.setdefault((side, key), []).append(value)

for r in range(rounds):
    for side, cmd in (('node', node), ('dotnet', dotnet)):
        steps, _, _ = run(cmd + ['steps'])
        for key, value in steps.items():
            add(side, key, value)
        _, wall, _ = run(cmd + ['first-proof'])
        add(side, 'first_proof_ms', wall * 1000)
        _, _, rss = run(cmd + ['prove-memory'])
        add(side, 'prove_peak_rss_mb', rss)
    print(f'  round {r + 1}/{rounds} done (load average {os.getloadavg()[0]:.1f})', flush=True)

for side, cmd in (('node', node), ('dotnet', dotnet)):
    for n in (1, cores):
        result, _, _ = run(cmd + ['throughput', str(n)])
        add(side, f'throughput_{n}', result['proves_per_second'])

rows = [
    ('genWitness', 'ms', None), ('setup', 'ms', 0.6), ('genVk', 'ms', None), ('genPk', 'ms', None),
    ('prove', 'ms', 0.6), ('verify', 'ms', 0.6), ('poseidonHash2', 'ms', None),
    ('first_proof_ms', 'ms', 0.5), ('prove_peak_rss_mb', 'MB', 0.4),
    # CPU time of the same steps (process CPU, all threads): less sensitive than wall time to a loaded machine.
    ('setup_cpu', 'ms', None), ('prove_cpu', 'ms', None), ('verify_cpu', 'ms', None),
]
print()
print(f'{"measurement":<20}{"node":>12}{".NET":>12}{".NET/node":>11}{"target":>9}')
failed = 0
for key, unit, target in rows:
    n, d = median(samples[('node', key)]), median(samples[('dotnet', key)])
    ratio = d / n
    verdict = '' if target is None else ('ok' if ratio <= target else 'MISSED')
    failed += verdict == 'MISSED'
    print(f'{key:<20}{n:>10.1f}{unit:>2}{d:>10.1f}{unit:>2}{ratio:>10.2f}x{("<= " + str(target)) if target else "":>9} {verdict}')
for side in ('node', 'dotnet'):
    one, many = samples[(side, 'throughput_1')][0], samples[(side, f'throughput_{cores}')][0]
    scaling = many / one
    verdict = ''
    if side == 'dotnet':
        verdict = 'ok' if scaling >= 0.85 * cores else 'MISSED'
        failed += verdict == 'MISSED'
    print(f'throughput {side:<7} 1 instance {one:.2f}/s, {cores} instances {many:.2f}/s: scaling {scaling:.2f}x '
          f'(target >= {0.85 * cores:.2f}x) {verdict}')
print(f'\nload average at the end {os.getloadavg()[0]:.1f}; {failed} target(s) missed')
