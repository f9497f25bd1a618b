// Network profiles (lib/netns.mjs): a client namespace behind 3g, 4g, 5g or
// lossy Wi-Fi. First the shaping itself is measured (RTT, rate and loss in each
// direction), then real Chromium calls and the load tool run behind it.
// Needs root, iproute2 and iptables; without them the tests fail with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startServer } from './lib/server.mjs';
import { waitFor } from './lib/browser.mjs';
import { joinCall, waitForVideoFrom } from './lib/call.mjs';
import { createNetwork, PROBE, PROFILES, QUEUE_MS, resolveProfile } from './lib/netns.mjs';
import { udpEcho, udpSend, udpSink } from './lib/netns-probe.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Round trips from the client to an echo server on the bridge.
const RTT_PROBES = 40;

async function measureRtt(net, client) {
  const echo = await udpEcho({ host: net.serverIp });
  try {
    const { stdout } = await client.exec('node', [PROBE, 'ping', net.serverIp, String(echo.port), String(RTT_PROBES), '50']);
    return JSON.parse(stdout);
  } finally {
    echo.close();
  }
}

// A paced stream from the client to the bridge; what arrived.
async function measureUp(net, client, { kbit, seconds, size }) {
  const sink = await udpSink({ host: net.serverIp });
  try {
    const { stdout } = await client.exec('node', [PROBE, 'send', net.serverIp, String(sink.port), String(kbit), String(seconds), String(size)]);
    await sleep(400); // the last packets are still in the link
    return { ...JSON.parse(stdout), ...sink.summary() };
  } finally {
    sink.close();
  }
}

// A paced stream from the bridge to the client; what arrived.
async function measureDown(client, { kbit, seconds, size }) {
  const recv = client.spawn('node', [PROBE, 'recv', '0']);
  let out = '';
  recv.stdout.on('data', (d) => { out += d; });
  const ready = await waitFor(() => out.includes('\n'), { timeout: 5000, interval: 20 });
  assert.ok(ready, 'the receiver in the namespace starts');
  const { port } = JSON.parse(out.split('\n')[0]);
  const { sent } = await udpSend({ host: client.ip, port, kbit, seconds, size });
  await sleep(400);
  recv.stdin.end();
  await once(recv, 'exit');
  return { sent, ...JSON.parse(out.split('\n')[1]) };
}

test('each profile shapes delay, rate and loss in both directions', { timeout: 120000 }, async () => {
  const net = await createNetwork();
  try {
    const client = await net.addClient('probe');
    const rows = [];
    for (const name of ['none', '3g', '4g', '5g', 'lossy-wifi']) {
      const p = await client.setProfile(name);
      const rtt = await measureRtt(net, client);
      const row = { profile: name, rttMs: rtt.medianMs };
      // A round trip crosses the lossy link twice. Bursty loss spreads widely
      // over a few dozen probes (a burst of 4 takes 4 in a row), so the bound
      // is the expected count less five burst-widened standard deviations.
      const delivered = RTT_PROBES * (1 - p.loss / 100) ** 2;
      const minReceived = Math.floor(delivered - 5 * Math.sqrt(RTT_PROBES * 2 * (p.loss / 100) * p.burst) - 2);
      assert.ok(rtt.received >= minReceived, `${name}: ${rtt.received} of ${RTT_PROBES} probes answered (at least ${minReceived}): ${JSON.stringify(rtt)}`);
      // The RTT crosses the link twice; jitter moves each crossing by up to +-jitter.
      assert.ok(rtt.medianMs >= 2 * (p.delay - p.jitter), `${name}: median RTT ${rtt.medianMs} ms below ${2 * (p.delay - p.jitter)} ms`);
      assert.ok(rtt.medianMs <= 2 * (p.delay + p.jitter) + Math.max(0.25 * 2 * p.delay, 10), `${name}: median RTT ${rtt.medianMs} ms`);
      if (p.rate) {
        // Offered 10 % above the limit: what arrives is the limit, within 25 %.
        const load = { kbit: p.rate * 1.1, seconds: 2, size: 1200 };
        // Round trips while the upstream queue is full: the queue adds at most QUEUE_MS.
        const [up, loadedRtt] = await Promise.all([measureUp(net, client, load), sleep(500).then(() => measureRtt(net, client))]);
        row.loadedRttMs = loadedRtt.medianMs;
        assert.ok(loadedRtt.medianMs <= 2 * (p.delay + p.jitter) + QUEUE_MS + 50, `${name}: RTT with a full queue ${loadedRtt.medianMs} ms`);
        const down = await measureDown(client, load);
        Object.assign(row, { upKbit: up.medianKbit, downKbit: down.medianKbit });
        for (const [dir, r] of [['up', up], ['down', down]]) {
          assert.ok(Math.abs(r.medianKbit - p.rate) <= 0.25 * p.rate, `${name} ${dir}: ${r.medianKbit} kbit/s through a ${p.rate} kbit/s link: ${JSON.stringify(r)}`);
        }
        // Loss, offered at 40 % of the rate so the queue drops nothing.
        const size = p.rate >= 10000 ? 1200 : 200;
        const light = { kbit: p.rate * 0.4, seconds: 2, size };
        const lossUp = await measureUp(net, client, light);
        const lossDown = await measureDown(client, light);
        const sent = lossUp.sent + lossDown.sent;
        const lost = lossUp.sent - lossUp.received + lossDown.sent - lossDown.received;
        const expected = (sent * p.loss) / 100;
        // Binomial spread, widened by the burst length when losses come in bursts.
        const spread = 4 * Math.sqrt(expected * p.burst) + 2;
        Object.assign(row, { lossPct: Math.round((10000 * lost) / sent) / 100, lossBurst: Math.max(lossUp.meanLossBurst, lossDown.meanLossBurst), packets: sent });
        assert.ok(Math.abs(lost - expected) <= spread, `${name}: lost ${lost} of ${sent}, expected ${expected.toFixed(1)} +- ${spread.toFixed(1)}`);
        if (p.burst > 1) {
          const bursts = (lossUp.meanLossBurst + lossDown.meanLossBurst) / 2;
          assert.ok(bursts >= 2, `${name}: losses come in bursts (mean ${bursts} packets, profile ${p.burst})`);
        }
      }
      rows.push(row);
    }
    console.table(rows);
  } finally {
    await net.destroy();
  }
});

test('profiles: names and custom values are checked', () => {
  assert.deepEqual(resolveProfile('3g'), { rate: 750, delay: 100, jitter: 0, loss: 1, burst: 1 });
  assert.deepEqual(resolveProfile({ rate: 600 }), { rate: 600, delay: 0, jitter: 0, loss: 0, burst: 1 });
  assert.deepEqual(Object.keys(PROFILES), ['none', '3g', '4g', '5g', 'lossy-wifi']);
  assert.throws(() => resolveProfile('2g'), /unknown network profile "2g"/);
  assert.throws(() => resolveProfile({ bandwidth: 5 }), /unknown network profile keys: bandwidth/);
  assert.throws(() => resolveProfile({ delay: 10, jitter: 20 }), /jitter must not exceed/);
  assert.throws(() => resolveProfile({ loss: 100 }), /loss must be below/);
});

// What a subscriber's page receives, from getStats() on its subscriber connection.
function receiveStats(page) {
  return page.evaluate(async () => {
    const pc = window.ct.subscriber;
    const out = { at: performance.now(), connection: pc.connectionState, page: document.getElementById('state').textContent,
      videoBytes: 0, audioBytes: 0, framesDecoded: 0, audioPackets: 0, packetsLost: 0, freezeCount: 0, freezesSeconds: 0, rttMs: null, frameWidth: 0 };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp') {
        out.packetsLost += s.packetsLost ?? 0;
        if (s.kind === 'video') {
          out.videoBytes += s.bytesReceived ?? 0;
          out.framesDecoded += s.framesDecoded ?? 0;
          out.freezeCount += s.freezeCount ?? 0;
          out.freezesSeconds += s.totalFreezesDuration ?? 0;
          out.frameWidth = Math.max(out.frameWidth, s.frameWidth ?? 0);
        } else {
          out.audioBytes += s.bytesReceived ?? 0;
          out.audioPackets += s.packetsReceived ?? 0;
        }
      }
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
        out.rttMs = Math.round(s.currentRoundTripTime * 1000);
      }
    });
    return out;
  });
}

// What arrived between two receiveStats() samples.
function between(a, b) {
  const seconds = (b.at - a.at) / 1000;
  const r = (x) => Math.round(x * 10) / 10;
  return {
    seconds: r(seconds), kbit: r(((b.videoBytes + b.audioBytes - a.videoBytes - a.audioBytes) * 8) / 1000 / seconds),
    fps: r((b.framesDecoded - a.framesDecoded) / seconds), audioPps: r((b.audioPackets - a.audioPackets) / seconds),
    lost: b.packetsLost - a.packetsLost, freezes: b.freezeCount - a.freezeCount, freezesSeconds: r(b.freezesSeconds - a.freezesSeconds),
    rttMs: b.rttMs, frameWidth: b.frameWidth, connection: b.connection, page: b.page,
  };
}

// An unshaped publisher (alice) and a subscriber (bob) behind `profile`, each
// in its own namespace and browser; resolves once bob decodes alice's video.
async function callBehind(net, server, profile) {
  const origin = net.origin(server);
  const pub = await net.addClient('pub');
  const sub = await net.addClient('sub');
  await sub.setProfile(profile);
  const alice = await joinCall(await pub.launchBrowser(origin), origin, 'profiles', 'alice');
  const bob = await joinCall(await sub.launchBrowser(origin), origin, 'profiles', 'bob');
  const { ok, stats } = await waitForVideoFrom(bob, ['alice'], { minFrames: 30, timeout: 30000 });
  assert.ok(ok, `bob (${profile}) decodes alice's video: ${JSON.stringify(stats)}\n${server.log().slice(-2000)}`);
  assert.ok(stats.alice.audioPackets > 0, 'bob receives alice\'s audio');
  return { alice, bob, sub };
}

test('a subscriber behind 3g decodes an unshaped publisher\'s video and audio', { timeout: 90000 }, async () => {
  const net = await createNetwork();
  let server;
  try {
    server = await startServer(net.serverArgs());
    const { bob } = await callBehind(net, server, '3g');
    const start = await receiveStats(bob);
    await sleep(10000);
    const r = between(start, await receiveStats(bob));
    // Without simulcast the SFU forwards alice's one stream unchanged, so what
    // reaches bob is whatever of it fits through 750 kbit/s.
    console.log('3g subscriber, 10 s:', JSON.stringify(r));
    assert.equal(r.connection, 'connected');
    assert.ok(r.fps >= 5, `bob keeps decoding video: ${r.fps} frames/s`);
    assert.ok(r.audioPps >= 25, `bob keeps receiving audio: ${r.audioPps} packets/s`);
    assert.ok(r.kbit <= 750 * 1.1, `bob cannot receive more than the link carries: ${r.kbit} kbit/s`);
    assert.ok(r.rttMs >= 190, `bob's ICE round trip crosses the 3g link twice: ${r.rttMs} ms`);
  } finally {
    await net.destroy();
    if (server) await server.stop();
  }
});

test('a step change 5g -> 3g -> 5g during a call does not drop it', { timeout: 90000 }, async () => {
  const net = await createNetwork();
  let server;
  try {
    server = await startServer(net.serverArgs());
    const { bob, sub } = await callBehind(net, server, '5g');
    const phases = [];
    for (const [profile, ms] of [['5g', 6000], ['3g', 10000], ['5g', 10000]]) {
      await sub.setProfile(profile);
      const start = await receiveStats(bob);
      await sleep(ms);
      const r = { profile, ...between(start, await receiveStats(bob)) };
      phases.push(r);
      assert.equal(r.connection, 'connected', `${profile}: ${JSON.stringify(r)}`);
      assert.equal(r.page, 'connected', `${profile}: the page does not reconnect`);
      assert.ok(r.fps >= 3, `${profile}: bob keeps decoding video: ${JSON.stringify(r)}`);
      assert.ok(r.audioPps >= 25, `${profile}: bob keeps receiving audio: ${JSON.stringify(r)}`);
    }
    console.table(phases);
    assert.ok(phases[1].rttMs >= 190, `the 3g step reaches the call: RTT ${phases[1].rttMs} ms`);
    assert.ok(phases[1].kbit <= 750 * 1.1, `the 3g step limits the call: ${phases[1].kbit} kbit/s`);
    assert.ok(phases[2].rttMs < 100, `the step back to 5g reaches the call: RTT ${phases[2].rttMs} ms`);
  } finally {
    await net.destroy();
    if (server) await server.stop();
  }
});

test('the load tool runs behind 4g inside a namespace', { timeout: 60000 }, async () => {
  const net = await createNetwork();
  let server;
  try {
    server = await startServer(net.serverArgs());
    const client = await net.addClient('load');
    await client.setProfile('4g');
    // One publisher and two subscribers, all behind the same 4g link:
    // 200 video packets/s up, twice that down, well inside 8 Mbit/s.
    const { stdout } = await client.loadtest(['--url', `ws://${net.serverIp}:${server.ports.http}`, '--room', 'profiles-load',
      '--subscribers', '2', '--duration', '3', '--video-pps', '200', '--audio', '--json']);
    const r = JSON.parse(stdout);
    const shaped = await client.shaperStats();
    console.log('loadtest behind 4g:', JSON.stringify({ ...r, shaper: shaped }));
    assert.equal(r.ok, true);
    assert.equal(r.unprotect_failures, 0);
    assert.ok(r.received_min >= 0.95 * r.packets_sent, `0.5 % loss each way: ${r.received_min} of ${r.packets_sent}`);
    // Joining takes several round trips (WebSocket, ICE, DTLS) of 100 ms each.
    assert.ok(r.setup_ms_max >= 300, `setup ${r.setup_ms_max} ms`);
    assert.ok(shaped.up.packets >= r.packets_sent && shaped.down.packets >= 2 * r.received_min, JSON.stringify(shaped));
  } finally {
    await net.destroy();
    if (server) await server.stop();
  }
});
