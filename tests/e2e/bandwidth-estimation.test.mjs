// Send-side bandwidth estimation on the subscriber connection, with real
// Chromium: the server offers transport-wide congestion control on what it
// sends, Chromium as the receiver sends transport-cc feedback, the server's
// estimate reaches the page as `bandwidth` messages, and it follows the link:
// plausible on loopback, below the link's rate behind a 3g profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { inboundVideo, joinCall, waitForVideoFrom } from './lib/call.mjs';
import { createNetwork } from './lib/netns.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Joins like joinCall, with every `bandwidth` message the page's signaling
// WebSocket receives recorded from the start (the first may come before the
// page could subscribe to the SDK's event).
function joinRecordingBandwidth(browser, origin, room, identity) {
  return joinCall(browser, origin, room, identity, { beforeLoad: (page) =>
    page.addInitScript(() => {
      window.bandwidth = [];
      // The SDK's `bandwidth` event, subscribed the moment the page creates its client.
      window.bandwidthEvents = [];
      let client;
      Object.defineProperty(window, 'ct', {
        configurable: true,
        get: () => client,
        set: (c) => {
          client = c;
          c.on('bandwidth', (m) => window.bandwidthEvents.push(m.estimate_bps));
        },
      });
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          this.addEventListener('message', (e) => {
            try {
              const m = JSON.parse(e.data);
              if (m.type === 'bandwidth') window.bandwidth.push({ at: performance.now(), bps: m.estimate_bps });
            } catch { /* not JSON */ }
          });
        }
      };
    }),
  });
}

const bandwidthSeen = (page) => page.evaluate(() => window.bandwidth);

// Whether the subscriber connection's answer kept the transport-cc extension and feedback.
function negotiatedTransportCc(page) {
  return page.evaluate(() => {
    const sdp = window.ct.subscriber?.remoteDescription?.sdp ?? '';
    const local = window.ct.subscriber?.localDescription?.sdp ?? '';
    const uri = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
    return { offered: sdp.includes(uri), answered: local.includes(uri), feedback: local.includes(' transport-cc') };
  });
}

test('a subscriber on loopback: transport-cc is negotiated, its feedback is read, and the estimate reaches the page', { timeout: 90000 }, async () => {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    const alice = await joinCall(browser, server.url, 'bwe', 'alice');
    const bob = await joinRecordingBandwidth(browser, server.url, 'bwe', 'bob');
    const { ok, stats } = await waitForVideoFrom(bob, ['alice'], { minFrames: 10, timeout: 20000 });
    assert.ok(ok, `bob decodes alice's video: ${JSON.stringify(stats)}`);
    const negotiated = await negotiatedTransportCc(bob);
    assert.deepEqual(negotiated, { offered: true, answered: true, feedback: true });

    // The estimate climbs above 1 Mbit/s within 10 s of media (loopback carries far more).
    let seen = [];
    const high = await waitFor(async () => {
      seen = await bandwidthSeen(bob);
      return seen.some((b) => b.bps > 1_000_000);
    }, { timeout: 10000, interval: 250 });
    if (!high) {
      const m = await scrapeMetrics(server.url);
      assert.fail(`bob's estimate passes 1 Mbit/s: ${JSON.stringify(seen)}\n${m.text.split('\n').filter((l) => l.includes('bwe') || l.includes('estimate')).join('\n')}`);
    }
    const { messages, events } = await bob.evaluate(() => ({ messages: window.bandwidth.map((b) => b.bps), events: window.bandwidthEvents }));
    assert.deepEqual(events, messages, 'the SDK emits each message as a bandwidth event');
    // At most one message a second.
    for (let i = 1; i < seen.length; ++i) assert.ok(seen[i].at - seen[i - 1].at >= 900, JSON.stringify(seen));

    // The metrics: feedback read, packets numbered and acknowledged, and both
    // subscriber connections (alice receives bob's media too) with an estimate.
    let m;
    const counted = await waitFor(async () => {
      m = await scrapeMetrics(server.url);
      return m.sum('ciphertalk_subscriber_bwe_feedback_total', { result: 'used' }) >= 10 &&
        m.sum('ciphertalk_subscriber_bwe_packets_total', { result: 'acked' }) >= 100 &&
        m.sum('ciphertalk_subscriber_bandwidth_estimate_bits_count') === 2;
    }, { timeout: 10000, interval: 500 });
    assert.ok(counted, m.text.split('\n').filter((l) => l.includes('subscriber_b')).join('\n'));
    assert.equal(m.sum('ciphertalk_subscriber_bwe_feedback_total', { result: 'malformed' }), 0);
    const sent = m.sum('ciphertalk_subscriber_bwe_packets_total', { result: 'sent' });
    const acked = m.sum('ciphertalk_subscriber_bwe_packets_total', { result: 'acked' });
    assert.ok(acked <= sent, `acked ${acked} of ${sent} numbered packets`);
    assert.ok(m.sum('ciphertalk_subscriber_bwe_probe_clusters_total') >= 1, 'the server probed');
    await alice.close();
  } finally {
    await browser?.close();
    assert.equal(await server.stop(), 0);
  }
});

test('a subscriber behind 3g: the estimate settles below 1 Mbit/s', { timeout: 90000 }, async () => {
  const net = await createNetwork();
  let server;
  try {
    server = await startServer(net.serverArgs());
    const origin = net.origin(server);
    const pub = await net.addClient('pub');
    const sub = await net.addClient('sub');
    await sub.setProfile('3g');
    // Two publishers (two pages of one browser): what bob is sent exceeds
    // the link, so the estimate meets congestion rather than an idle link
    // (below the link, an estimate may run up to 1.5x what is acknowledged).
    const publishers = await pub.launchBrowser(origin);
    await joinCall(publishers, origin, 'bwe3g', 'alice');
    await joinCall(publishers, origin, 'bwe3g', 'carol');
    const bob = await joinRecordingBandwidth(await sub.launchBrowser(origin), origin, 'bwe3g', 'bob');
    // alice's video reaches bob. Whether it decodes smoothly is the
    // allocator's business once the estimate is its budget (README, Not yet):
    // today bob is sent more than the link carries, which is what this test
    // needs, so it asserts only that video arrives.
    let video = null;
    const flowing = await waitFor(async () => {
      video = await inboundVideo(bob, 'alice');
      return video && video.bytesReceived > 100_000;
    }, { timeout: 30000, interval: 500 });
    assert.ok(flowing, `alice's video reaches bob behind 3g: ${JSON.stringify(video)}`);
    // Within 10 s the estimate is below 1 Mbit/s (a probe may lift it for a
    // moment; the next feedback brings it back).
    await sleep(10000);
    let seen = await bandwidthSeen(bob);
    await waitFor(async () => {
      seen = await bandwidthSeen(bob);
      return seen.length > 0 && seen[seen.length - 1].bps < 1_000_000;
    }, { timeout: 5000, interval: 250 });
    console.log('3g subscriber estimates (kbit/s):', seen.map((b) => Math.round(b.bps / 1000)).join(' '));
    assert.ok(seen.length > 0, 'bob is told an estimate');
    const last = seen[seen.length - 1].bps;
    assert.ok(last < 1_000_000, `bob's estimate settles below 1 Mbit/s behind a 750 kbit/s link: ${last}`);
  } finally {
    await net.destroy();
    if (server) await server.stop();
  }
});
