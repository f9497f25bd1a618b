// `ciphertalk loadtest --simulcast` against a real server: a synthetic
// publisher sends three VP8 layers with RIDs, subscribers keep changing the
// tile size they ask for, and every video packet they receive is checked.
// The server must switch layers for them (its own counter moves), every
// layer must reach someone, and the spliced streams must stay seamless; a
// layer nobody wants is paused at the publisher (dynacast) and returns.
// And `--bind`: the tool runs from a network namespace with its sockets on
// the namespace's own address, with no address rewriting in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { binary, startServer } from './lib/server.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { createNetwork } from './lib/netns.mjs';

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

const SWITCHES = 'ciphertalk_simulcast_layer_switches_total';

test('loadtest --simulcast: subscribers switch layers, every layer arrives, no seam shows', { timeout: 30000 }, async () => {
  const server = await startServer();
  try {
    const before = (await scrapeMetrics(server.url)).sum(SWITCHES);
    // Three subscribers start at different tile sizes, so every layer is wanted throughout.
    const { code, out, err } = await run(['loadtest', '--url', `ws://127.0.0.1:${server.ports.http}`,
      '--room', 'e2e-simulcast', '--subscribers', '3', '--duration', '5', '--simulcast',
      '--layer-switch-interval', '1', '--json'], 25000);
    assert.equal(code, 0, `loadtest failed:\n${out}\n${err}\n${server.log()}`);
    const r = JSON.parse(out);
    const s = r.simulcast;
    console.log('loadtest --simulcast:', JSON.stringify(s));
    assert.equal(r.ok, true);
    // 5 s at 30 + 60 + 180 packets/s.
    assert.ok(s.layer_packets_sent[0] >= 140 && s.layer_packets_sent[2] >= 850, JSON.stringify(s.layer_packets_sent));
    for (const [layer, n] of s.layer_packets_received.entries()) assert.ok(n > 0, `layer ${layer} never received`);
    // About four tile changes each in 5 s; each is a layer change.
    assert.ok(s.layer_switches_min >= 2, `fewest switches for one subscriber: ${s.layer_switches_min}`);
    assert.equal(s.discontinuities, 0);
    assert.equal(r.unprotect_failures, 0);
    // The same latency measure as without simulcast, from every video packet checked.
    assert.ok(r.latency_samples >= s.video_received, `latency samples ${r.latency_samples}`);
    assert.ok(r.latency_avg_ms > 0 && r.latency_avg_ms <= r.latency_max_ms, `latency avg ${r.latency_avg_ms} ms, max ${r.latency_max_ms} ms`);
    assert.ok(r.loss_percent < 1, `video loss ${r.loss_percent} %`);
    // The server counts the switches it made; the subscribers saw each one.
    const made = (await scrapeMetrics(server.url)).sum(SWITCHES) - before;
    assert.ok(made > 0, 'the server made no layer switch');
    assert.ok(Math.abs(made - s.layer_switches) <= Math.max(2, 0.1 * made), `server ${made}, seen ${s.layer_switches}`);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('loadtest --simulcast: a layer nobody wants is paused and comes back at a keyframe', { timeout: 30000 }, async () => {
  const server = await startServer();
  try {
    // One subscriber, four seconds per tile size: small, medium, then large.
    // The full layer goes unwanted for longer than dynacast's 3 s, so the
    // server tells the publisher to pause it (layers_wanted), and to resume
    // it when the large tile comes.
    const { code, out, err } = await run(['loadtest', '--url', `ws://127.0.0.1:${server.ports.http}`,
      '--room', 'e2e-dynacast', '--subscribers', '1', '--duration', '10', '--simulcast',
      '--layer-switch-interval', '4', '--json'], 25000);
    assert.equal(code, 0, `loadtest failed:\n${out}\n${err}\n${server.log()}`);
    const r = JSON.parse(out);
    const s = r.simulcast;
    assert.ok(s.layer_pauses > 0, 'no layer was paused');
    assert.ok(s.layer_packets_received[2] > 0, 'the full layer never came back');
    assert.ok(s.layer_packets_sent[2] < 0.9 * 180 * 10, `the full layer was sent all along: ${s.layer_packets_sent[2]}`);
    assert.ok(s.layer_switches >= 2, `switches ${s.layer_switches}`);
    assert.equal(s.discontinuities, 0);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('loadtest --bind: from a namespace, on its own address, without rewriting', { timeout: 60000 }, async () => {
  const net = await createNetwork();
  let server;
  try {
    server = await startServer(net.serverArgs());
    const client = await net.addClient('bind');
    // Loopback sources cannot leave the namespace here (no route_localnet, no
    // SNAT): only sockets bound to the client's address reach the server.
    const args = ['loadtest', '--url', `ws://${net.serverIp}:${server.ports.http}`, '--room', 'e2e-bind',
      '--subscribers', '2', '--duration', '2', '--video-pps', '200', '--json'];
    const { stdout } = await client.exec(binary, [...args, '--setup-timeout', '10', '--bind', client.ip], { timeout: 30000 });
    const r = JSON.parse(stdout);
    assert.equal(r.ok, true, stdout);
    assert.ok(r.received_min >= 0.95 * r.packets_sent, `received ${r.received_min} of ${r.packets_sent}`);
    // The same run without --bind sends media from 127.0.0.1 and never connects.
    await assert.rejects(client.exec(binary, [...args, '--setup-timeout', '3'], { timeout: 30000 }),
      (e) => /setup did not finish|transport closed/.test(e.stdout ?? ''));
    // An address the host does not have is refused at once.
    await assert.rejects(client.exec(binary, [...args, '--bind', '192.0.2.77'], { timeout: 30000 }),
      (e) => /192\.0\.2\.77/.test(e.stdout ?? ''));
  } finally {
    await net.destroy();
    if (server) await server.stop();
  }
});
