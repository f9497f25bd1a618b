// scripts/bench-vs-janus --quick: the load tool drives Debian's Janus (its
// VideoRoom plugin over its WebSocket API) and CipherTalk under the same
// small loads, both behind a veth pair in a network namespace (root). Janus
// must forward the synthetic publishers' media to every subscriber of the
// load tool, and the report must name both servers and their ratio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { binary } from './lib/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function bench(timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'scripts/bench-vs-janus'), ['--quick'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CT_BIN: binary },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    // SIGTERM first: the script's exit trap stops both servers and removes its namespaces.
    const timer = setTimeout(() => { child.kill('SIGTERM'); reject(new Error(`bench-vs-janus timed out:\n${out}\n${err}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

test('bench-vs-janus --quick: Janus forwards the load to every subscriber; both servers and a ratio are reported', { timeout: 70000 }, async () => {
  const { code, out, err } = await bench(65000);
  assert.equal(code, 0, `bench-vs-janus failed:\n${out}\n${err}`);
  // | round | load | server | packets forwarded | server CPU us/pkt | loss | latency p50 ms | p99 ms | drops |
  const runs = [...out.matchAll(/^\| (\d+) \| ([^|]+) \| (ciphertalk|janus) \| (\d+) \| ([\d.]+) \| ([\d.]+) % \| ([\d.]+) \| ([\d.]+) \| (\d+) \|$/gm)]
    .map((m) => ({ load: m[2].trim(), server: m[3], forwarded: Number(m[4]), us: Number(m[5]), loss: Number(m[6]), p50: Number(m[7]) }));
  const janus = runs.filter((r) => r.server === 'janus');
  const ours = runs.filter((r) => r.server === 'ciphertalk');
  assert.equal(janus.length, 2, `two Janus runs expected:\n${out}`);
  assert.equal(ours.length, 2, `two CipherTalk runs expected:\n${out}`);
  for (const r of runs) {
    assert.ok(r.forwarded > 0, `${r.server}, ${r.load}: nothing forwarded`);
    assert.ok(r.loss < 5, `${r.server}, ${r.load}: loss ${r.loss} %`);
    assert.ok(r.us > 0, `${r.server}, ${r.load}: no server CPU measured`);
    assert.ok(r.p50 > 0, `${r.server}, ${r.load}: no forward latency measured`);
  }
  // The summary: one line per load with both servers' cost and the ratio.
  const summary = [...out.matchAll(/^\| ([^|]+) \| ([\d.]+) \| ([\d.]+) \| \*\*([\d.]+)\*\* \|/gm)];
  assert.equal(summary.length, 2, `a summary line per load expected:\n${out}`);
  for (const m of summary) {
    const ratio = Number(m[4]);
    assert.ok(Math.abs(ratio - Number(m[2]) / Number(m[3])) < 0.01, `ratio ${ratio} is not ${m[2]} / ${m[3]}`);
  }
  assert.match(out, /CipherTalk us\/pkt \| Janus us\/pkt \| ratio CipherTalk\/Janus/);
});
