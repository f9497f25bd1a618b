// `ciphertalk loadtest` against a real server: a synthetic publisher and three
// subscribers with real ICE, DTLS and SRTP on loopback. Every subscriber must
// receive nearly every packet sent, and the packets it authenticates must
// all pass SRTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { binary, startServer } from './lib/server.mjs';

function run(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`loadtest timed out:\n${out}\n${err}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

test('loadtest: 1 publisher, 3 subscribers, every subscriber receives the stream', { timeout: 15000 }, async () => {
  const server = await startServer();
  try {
    const { code, out, err } = await run(['loadtest', '--url', `ws://127.0.0.1:${server.ports.http}`,
      '--room', 'e2e-load', '--subscribers', '3', '--duration', '3', '--video-pps', '300', '--audio',
      '--unprotect-every', '8', '--server-pid', String(server.child.pid), '--json'], 12000);
    assert.equal(code, 0, `loadtest failed:\n${out}\n${err}\n${server.log()}`);
    const r = JSON.parse(out);
    assert.equal(r.ok, true);
    assert.equal(r.subscribers, 3);
    // 3 s of 300 video + 50 audio packets per second.
    assert.ok(r.packets_sent >= 900, `sent ${r.packets_sent}`);
    assert.ok(r.received_min >= 0.9 * r.packets_sent, `min received ${r.received_min} of ${r.packets_sent}`);
    assert.equal(r.unprotect_failures, 0);
    assert.ok(r.unprotected >= (3 * r.packets_sent) / 8 * 0.9, `authenticated ${r.unprotected}`);
    // Every authenticated media packet carries its send time (padding and RTX do not).
    assert.ok(r.latency_samples >= 0.9 * r.unprotected && r.latency_samples <= r.unprotected,
      `latency samples ${r.latency_samples} of ${r.unprotected}`);
    assert.ok(r.latency_p50_ms > 0 && r.latency_p50_ms <= r.latency_p99_ms && r.latency_p99_ms < 1000,
      `latency p50 ${r.latency_p50_ms} ms, p99 ${r.latency_p99_ms} ms`);
    assert.match(r.srtp_profile, /SRTP_/);
    assert.ok(r.setup_ms_max > 0 && r.setup_ms_max < 5000, `setup ${r.setup_ms_max} ms`);
    assert.ok(r.server_cpu_s >= 0);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('loadtest: a wrong API secret is refused and reported', { timeout: 15000 }, async () => {
  const server = await startServer();
  try {
    const { code, out } = await run(['loadtest', '--url', `ws://127.0.0.1:${server.ports.http}`,
      '--subscribers', '1', '--duration', '1', '--api-secret', 'not-the-secret', '--json'], 12000);
    assert.equal(code, 1);
    const r = JSON.parse(out);
    assert.equal(r.ok, false);
    assert.match(r.error, /token_bad_signature/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
