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
import { createNetwork, PROBE, PROFILES, resolveProfile } from './lib/netns.mjs';
import { udpEcho, udpSend, udpSink } from './lib/netns-probe.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Round trips from the client to an echo server on the bridge.
async function measureRtt(net, client) {
  const echo = await udpEcho({ host: net.serverIp });
  try {
    const { stdout } = await client.exec('node', [PROBE, 'ping', net.serverIp, String(echo.port), '20', '50']);
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
      // The RTT crosses the link twice; jitter moves each crossing by up to +-jitter.
      assert.equal(rtt.received >= 15, true, `${name}: ${JSON.stringify(rtt)}`);
      assert.ok(rtt.medianMs >= 2 * (p.delay - p.jitter), `${name}: median RTT ${rtt.medianMs} ms below ${2 * (p.delay - p.jitter)} ms`);
      assert.ok(rtt.medianMs <= 2 * (p.delay + p.jitter) + Math.max(0.25 * 2 * p.delay, 10), `${name}: median RTT ${rtt.medianMs} ms`);
      if (p.rate) {
        // Offered 10 % above the limit: what arrives is the limit, within 25 %.
        const load = { kbit: p.rate * 1.1, seconds: 2, size: 1200 };
        const up = await measureUp(net, client, load);
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
