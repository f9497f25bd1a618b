// Direct connections (the `p2p` room setting) in real Chromium, through the
// app (/?room=R&p2p=1, honoured by --dev): two pages connect directly and the
// server forwards none of their media; a third moves everyone to the SFU; when
// it leaves the two go direct again after the delay. Across both switches
// every page keeps rendering every other page's video: each page samples its
// tiles' presented frames every 250 ms and no gap may exceed 1 s. An
// encrypted room decodes both ways directly and keeps decoding through the
// SFU after the switch. A direct call's quality indicators grade its direct
// connection (never the server's "poor" for media it does not see), and a
// page whose WebSocket drops resumes, hears `connection_mode` again and stays
// direct without a gap. Loopback only; the fake camera is 320x240.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { decryptedFrom, joinApp, tileVideoPlaying, workerStats } from './lib/app.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { assertNoGap, qualityShown, startGapSampler, waitForPath } from './lib/p2p.mjs';

const MAX_GAP_MS = 1000;

let server;
let browser;

const join = (room, identity, query = {}) => joinApp(browser, server.url, { room, identity, name: identity, query });
async function waitForVideo(page, others, what) {
  for (const other of others) {
    assert.ok(await waitFor(() => tileVideoPlaying(page, other), { timeout: 15000 }), `${what}: the tile of ${other} renders`);
  }
}

async function forwardedPackets() {
  const m = await scrapeMetrics(server.url);
  return { forwarded: m.sum('ciphertalk_forwarded_packets_total'), received: m.sum('ciphertalk_rtp_packets_total', { direction: 'in' }) };
}

// Within 10 s (the pages park their server senders once the direct path
// carries media), the server forwards nothing for two seconds, and receives no
// media to forward.
async function assertNoMediaThroughServer(what) {
  let before = await forwardedPackets();
  let delta;
  const quiet = await waitFor(async () => {
    await new Promise((r) => setTimeout(r, 2000));
    const now = await forwardedPackets();
    delta = { forwarded: now.forwarded - before.forwarded, received: now.received - before.received };
    before = now;
    return delta.forwarded === 0 && delta.received === 0;
  }, { timeout: 10000, interval: 0 });
  assert.ok(quiet, `${what}: in 2 s the server still forwarded ${delta.forwarded} and received ${delta.received} RTP packets`);
}

describe('direct connections', { timeout: 240000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (server) assert.equal(await server.stop(), 0);
  });

  test('two pages connect directly, a third moves all to the server, and back to direct when it leaves; video never stops', async () => {
    const room = 'p2p-switch';
    const alice = await join(room, 'alice', { p2p: '1' });
    const bob = await join(room, 'bob');
    let carol;
    try {
      await waitForPath([alice, bob], 'direct');
      await waitForVideo(alice, ['bob'], 'direct');
      await waitForVideo(bob, ['alice'], 'direct');
      await assertNoMediaThroughServer('two pages connected directly');

      await startGapSampler(alice, ['bob']);
      await startGapSampler(bob, ['alice']);

      carol = await join(room, 'carol');
      await waitForPath([alice, bob, carol], 'server');
      await waitForVideo(carol, ['alice', 'bob'], 'through the server');
      // The direct connections close once the server's media renders.
      for (const page of [alice, bob]) {
        assert.ok(await waitFor(() => page.evaluate(() => window.ct.p2p.links.size === 0), { timeout: 10000 }), 'the direct connection closed');
      }
      await waitForVideo(alice, ['bob', 'carol'], 'through the server');
      await waitForVideo(bob, ['alice', 'carol'], 'through the server');
      assert.ok((await forwardedPackets()).forwarded > 0);

      await carol.getByTestId('leave').click();
      await carol.close();
      carol = undefined;
      const left = Date.now();
      await waitForPath([alice, bob], 'direct', 25000);
      const back = Date.now() - left;
      assert.ok(back >= 4000, `back to direct only after the delay (${back} ms)`);
      await waitForVideo(alice, ['bob'], 'direct again');
      await waitForVideo(bob, ['alice'], 'direct again');
      await assertNoMediaThroughServer('direct again');

      for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) await assertNoGap(page, other, MAX_GAP_MS, '2 -> 3 -> 2');
    } finally {
      await Promise.all([alice, bob, carol].filter(Boolean).map((p) => p.close().catch(() => {})));
    }
  });

  test('an encrypted room decodes directly both ways, and keeps decoding through the server after the switch', async () => {
    const room = 'p2p-secret';
    const alice = await join(room, 'alice', { p2p: '1', e2ee: '1' });
    const bob = await join(room, 'bob', { e2ee: '1' });
    let carol;
    try {
      await waitForPath([alice, bob], 'direct');
      const decrypting = async (page, from) => {
        const start = decryptedFrom(await workerStats(page), from);
        return waitFor(async () => decryptedFrom(await workerStats(page), from) > start + 20, { timeout: 15000 });
      };
      assert.ok(await decrypting(alice, 'bob'), 'alice decrypts bob directly');
      assert.ok(await decrypting(bob, 'alice'), 'bob decrypts alice directly');
      await waitForVideo(alice, ['bob'], 'encrypted, direct');
      await waitForVideo(bob, ['alice'], 'encrypted, direct');
      assert.equal(await alice.evaluate(() => window.ct.p2p.links.get('bob').pc.connectionState), 'connected');
      for (const page of [alice, bob]) {
        assert.ok(await waitFor(async () => (await page.getByTestId('e2ee-status').textContent()) === 'end-to-end encrypted'),
          `the page reads "end-to-end encrypted", not "${await page.getByTestId('e2ee-status').textContent()}"`);
      }

      carol = await join(room, 'carol', { e2ee: '1' });
      await waitForPath([alice, bob, carol], 'server');
      for (const page of [alice, bob]) {
        assert.ok(await waitFor(() => page.evaluate(() => window.ct.p2p.links.size === 0), { timeout: 10000 }), 'the direct connection closed');
      }
      // Only the server's connections are left: what decrypts now came through the SFU.
      assert.ok(await decrypting(alice, 'bob'), 'alice decrypts bob through the server');
      assert.ok(await decrypting(bob, 'alice'), 'bob decrypts alice through the server');
      assert.ok(await decrypting(carol, 'alice'), 'carol decrypts alice');
      await waitForVideo(alice, ['bob', 'carol'], 'encrypted, through the server');
      await waitForVideo(bob, ['alice'], 'encrypted, through the server');
      for (const page of [alice, bob, carol]) assert.equal(await page.getByTestId('e2ee-status').textContent(), 'end-to-end encrypted');
    } finally {
      await Promise.all([alice, bob, carol].filter(Boolean).map((p) => p.close().catch(() => {})));
    }
  });
  test('a direct call shows the quality of its own connection, and a signaling resume re-announces the mode and stays direct', async () => {
    const room = 'p2p-quality';
    const alice = await join(room, 'alice', { p2p: '1' });
    const bob = await join(room, 'bob');
    const fine = (q) => q === 'excellent' || q === 'good';
    // Every indicator (own, and the other's tile) is fine, and stays fine for `ms`:
    // the server, which sees none of this media, would say poor or lost within a window or two.
    const assertQualityFine = async (what, ms = 4000) => {
      for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) {
        let shown;
        const ok = await waitFor(async () => { shown = await qualityShown(page, [other]); return fine(shown.self) && fine(shown[other]); }, { timeout: 15000 });
        assert.ok(ok, `${what}: quality shown on ${other}'s peer: ${JSON.stringify(shown)}`);
      }
      const until = Date.now() + ms;
      while (Date.now() < until) {
        for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) {
          const shown = await qualityShown(page, [other]);
          assert.ok(fine(shown.self) && fine(shown[other]), `${what}: quality turned ${JSON.stringify(shown)}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    try {
      await waitForPath([alice, bob], 'direct');
      await waitForVideo(alice, ['bob'], 'direct');
      await waitForVideo(bob, ['alice'], 'direct');
      await assertQualityFine('direct');

      // Alice's WebSocket drops; she resumes with her token and hears the mode again, after the room.
      await alice.evaluate(() => {
        window.ctHeard = [];
        for (const type of ['reconnected', 'joined', 'connection_mode']) window.ct.on(type, (m) => window.ctHeard.push({ type, mode: m.mode, peers: m.peers }));
      });
      await startGapSampler(alice, ['bob']);
      await startGapSampler(bob, ['alice']);
      await alice.evaluate(() => window.ct.simulateSignalLoss());
      const heard = () => alice.evaluate(() => window.ctHeard);
      assert.ok(await waitFor(async () => (await heard()).some((m) => m.type === 'connection_mode'), { timeout: 15000 }),
        `a connection_mode after the resume: ${JSON.stringify(await heard())}`);
      const got = await heard();
      const joinedAt = got.findIndex((m) => m.type === 'joined');
      assert.ok(got.some((m) => m.type === 'reconnected') && joinedAt >= 0, `resumed: ${JSON.stringify(got)}`);
      const modes = got.filter((m) => m.type === 'connection_mode');
      assert.equal(modes.length, 1, JSON.stringify(got));
      assert.ok(got.indexOf(modes[0]) > joinedAt, 'the mode comes after the room');
      assert.deepEqual([modes[0].mode, modes[0].peers], ['p2p', ['alice', 'bob']]);

      // Still direct (the resume restarted ICE on the direct connection too), video never stopped.
      await alice.waitForTimeout(3000);
      await waitForPath([alice, bob], 'direct', 5000);
      assert.equal(await alice.evaluate(() => window.ct.p2p.links.get('bob').pc.connectionState), 'connected');
      for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) await assertNoGap(page, other, MAX_GAP_MS, 'across the resume');
      await assertQualityFine('after the resume', 2000);
    } finally {
      await Promise.all([alice, bob].map((p) => p.close().catch(() => {})));
    }
  });
});
